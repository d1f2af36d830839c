"""Translations (zh-CN and en) from Babel catalogs, loaded from the .po files at start-up.

Reading the .po files directly (compiled to .mo in memory) means a checkout, an editable
install and a wheel all behave the same, with no compile step to forget.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from lifelong.i18n import Message

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALES = ("zh_CN", "en")
LOCALE_COOKIE = "lifelong_locale"


def _load(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def translations(locale: str) -> Translations:
    """The catalog for ``locale``: every ``*.po`` file of the locale, merged.

    Each part of the product keeps its own file (``accounts.po``, ``learning.po``, ...) so
    that parts can grow independently; unknown locales fall back to the English msgids.
    """
    merged = Translations()
    for po_path in sorted((TRANSLATIONS_DIR / locale / "LC_MESSAGES").glob("*.po")):
        merged.merge(_load(po_path, locale))
    return merged


def gettext(locale: str, message: str) -> str:
    """Translate ``message`` into ``locale``."""
    return translations(locale).ugettext(message)


def ngettext(locale: str, singular: str, plural: str, n: int) -> str:
    """Translate a message with a count into ``locale``."""
    return translations(locale).ungettext(singular, plural, n)


def negotiate(accept_language: str | None, default: str) -> str:
    """Pick zh_CN or en from an Accept-Language header (RFC 9110 section 12.5.4)."""
    if not accept_language:
        return default
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, tag.strip().lower()))
    for _, tag in sorted(weighted, key=lambda item: -item[0]):
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return default


def translate_error(locale: str, template: str, params: Mapping[str, object]) -> str:
    """An error message in ``locale``: the translated msgid with its parameters filled in.

    Parameters that are :class:`Message` (a field's name, a row's place) are translated too.
    """
    translated = gettext(locale, template)
    if not params:
        return translated
    return translated % {
        name: translate(locale, value) if isinstance(value, Message) else value
        for name, value in params.items()
    }


def translate(locale: str, text: str) -> str:
    """``text`` in ``locale``: a :class:`Message` from its msgid, a plain string as a msgid."""
    if isinstance(text, Message):
        return translate_error(locale, text.template, text.params)
    return gettext(locale, text)
