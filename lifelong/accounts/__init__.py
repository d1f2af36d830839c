"""Branches (tenancy), people, roles, authentication and the security audit log."""
