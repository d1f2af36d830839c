"""Operational store: engine, sessions, declarative base and migrations."""
