"""Marking strings for translation outside templates (extracted by Babel with ``-k N_``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown to a person."""
    return message


class Message(str):
    """English text that remembers its msgid and parameters, so a page can translate it.

    It *is* the English text: the API, logs, the command line and tests use it as a plain
    string. ``template`` is the msgid (with ``%(name)s`` placeholders) and ``params`` fill
    them; pages translate the msgid first and fill it after (``web/i18n.translate``), and a
    parameter that is itself a :class:`Message` (a field's name, a row's place) is
    translated too.
    """

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> Message:
        """The English text of ``template`` filled from ``params``."""
        values = dict(params or {})
        self = super().__new__(cls, template % values if values else template)
        self.template = template
        self.params = values
        return self
