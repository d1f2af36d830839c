"""Jinja2 environments, one per locale, so each page renders wholly in one language."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from lifelong import __version__
from lifelong.i18n import N_
from lifelong.web.i18n import LOCALES, translate, translations
from lifelong.web.nav import for_user

TEMPLATES_DIR = Path(__file__).parent / "templates"


ROLE_LABELS = {
    "learner": N_("Learner"),
    "teacher": N_("Teacher"),
    "branch_admin": N_("Branch administrator"),
    "analyst": N_("Analyst"),
    "hq_admin": N_("Headquarters administrator"),
}


@cache
def environment(locale: str) -> Environment:
    """The template environment for ``locale``; autoescaping is always on."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(locale=locale, locales=LOCALES, version=__version__, role_labels=ROLE_LABELS)
    # ``{{ error|translated }}``: a service's message (web/i18n.translate) in the page's language.
    env.filters["translated"] = partial(translate, locale)
    return env


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` in the request's locale with the common page context."""
    locale = getattr(request.state, "locale", "zh_CN")
    page = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "nav": for_user(getattr(request.state, "user", None)),
        "path": request.url.path,
    }
    page.update(context or {})
    html = environment(locale).get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code)
