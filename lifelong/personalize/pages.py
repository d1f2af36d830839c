"""What the pages show: recommendation sections for the learner home and a resource page.

The sections are plain data rendered by ``personalize/_recommendations.html``; the home
page and the resource page each add one call and one include.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from lifelong.accounts.models import Role, User
from lifelong.i18n import N_

if TYPE_CHECKING:  # the recommender (NumPy/SciPy) loads on first use, not at start-up
    from lifelong.personalize.service import Recommendation

log = logging.getLogger("lifelong.personalize")
HOME_SECTIONS = (
    ("for_you", N_("Recommended for you")),
    ("because", N_("Because you studied")),
    ("programme", N_("Next in your programme")),
    ("branch", N_("Popular in your branch")),
)
PER_SECTION = 6


@dataclass(frozen=True)
class Section:
    """A titled list of recommendations (``title`` is an English msgid)."""

    kind: str
    title: str
    items: list[Recommendation]


def _safely(
    session: Session, user: User | None, kind: str, resource_id: int | None = None
) -> list[Recommendation]:
    # Recommendations are an extra on these pages: a fault in them is logged and the page
    # still renders (the API, by contrast, reports it).
    from lifelong.personalize.service import recommendations_for

    try:
        return recommendations_for(
            session, user, kind=kind, limit=PER_SECTION, resource_id=resource_id
        )
    except Exception:
        log.exception("recommendations of kind %s failed", kind)
        return []


def home_sections(session: Session, user: User) -> list[Section]:
    """The learner home's sections that have something to show."""
    if user.role != Role.learner:
        return []
    sections = [Section(kind, title, _safely(session, user, kind)) for kind, title in HOME_SECTIONS]
    return [s for s in sections if s.items]


def resource_sections(session: Session, user: User | None, resource_id: int) -> list[Section]:
    """The resource page's "learners also studied / similar" section."""
    items = _safely(session, user, "similar", resource_id=resource_id)
    if not items:
        return []
    # The heading says what the reasons say: co-enrolment, or (a new resource, no one has
    # studied it yet) only likeness of content.
    together = any(item.reason.code == "also_studied" for item in items)
    title = N_("Learners who studied this also studied") if together else N_("Similar resources")
    return [Section("similar", title, items)]
