"""Why a resource is recommended: a code, parameters and the sentence in each language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lifelong.i18n import N_
from lifelong.web.i18n import LOCALES, gettext

MESSAGES = {
    "because": N_("Because you studied “%(title)s”"),
    "also_studied": N_("Learners who studied “%(title)s” also studied this"),
    "similar": N_("Similar in content to “%(title)s”"),
    "branch": N_("Popular in %(branch)s: %(count)d enrolments in the last 30 days"),
    "programme": N_("Next in your programme “%(programme)s” (step %(position)d of %(total)d)"),
    "history": N_("Matches what you have been studying"),
    "interest": N_("Matches your interest in %(interest)s"),
    "segment": N_("Popular with learners like you (occupation, age, branch)"),
    "new": N_("New in the catalogue, close to what you study"),
}


@dataclass(frozen=True)
class Reason:
    """An explanation; ``text`` renders it in a locale."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        """The sentence in ``locale`` (zh_CN or en); a parameter given per language (a
        branch's name) is taken in that language."""
        template = gettext(locale, MESSAGES[self.code])
        params = {
            key: value.get(locale, next(iter(value.values()))) if isinstance(value, dict) else value
            for key, value in self.params.items()
        }
        return template % params if params else template

    def texts(self) -> dict[str, str]:
        """The sentence in every shipped language."""
        return {locale: self.text(locale) for locale in LOCALES}
