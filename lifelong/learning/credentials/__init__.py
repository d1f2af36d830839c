"""Certificates and their Open Badges 3.0 credentials, signed and publicly verifiable."""
