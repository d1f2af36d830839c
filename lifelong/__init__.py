"""Lifelong: an open-source smart-education platform for an open university system."""

__version__ = "0.1.0"
