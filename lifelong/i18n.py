"""Marking strings for translation outside templates (extracted by Babel with ``-k N_``)."""


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown to a person."""
    return message
