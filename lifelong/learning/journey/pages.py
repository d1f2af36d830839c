"""Pages of the journey: the resource page, the players (/learn/<id>) and the dashboard (/my).

Forms post with the session's CSRF token; the video and document players report progress
through the JSON API (same-origin, JSON only, so a cross-site form cannot forge it).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lifelong.accounts.models import Role
from lifelong.errors import BadRequest, Conflict
from lifelong.i18n import N_, Message
from lifelong.learning.catalog import labels
from lifelong.learning.catalog.service import visible_resource
from lifelong.learning.journey import dashboard, rules, service
from lifelong.learning.models import EnrolmentStatus, ResourceType
from lifelong.personalize.pages import resource_sections
from lifelong.web.csrf import verify_csrf
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, OptionalUser
from lifelong.web.nav import ALL_ROLES, NavItem, register
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
register(NavItem("my", "My learning", "/my", frozenset({Role.learner})), before="catalogue")
PLAYERS = {
    ResourceType.video: "video",
    ResourceType.document: "document",
    ResourceType.ebook: "document",
    ResourceType.assessment: "assessment",
    ResourceType.live_session: "live",
    ResourceType.course: "units",
    ResourceType.micro_course: "units",
}


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)} | {
        "answers": {k: v for k, v in form.multi_items() if k.startswith("q") and isinstance(v, str)}
    }


Form = Annotated[dict[str, Any], Depends(_form)]


@router.get("/resources/{resource_id}")
def resource_page(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    resource_id: int,
) -> Response:
    """A resource's public page: what it is, and enrol / continue / leave."""
    resource = visible_resource(session, resource_id, user)
    enrolment = service.find(session, user, resource_id) if user else None
    certificate = service.certificate_for(session, enrolment) if enrolment else None
    return render(
        request,
        "journey/resource.html",
        {
            "resource": resource,
            "enrolment": enrolment,
            "certificate": certificate,
            "labels": labels,
            "statuses": EnrolmentStatus,
            "recommendations": resource_sections(session, user, resource_id),
        },
    )


@router.post("/resources/{resource_id}/enrol", dependencies=CSRF)
def enrol(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int
) -> Response:
    """Enrol and go to the player."""
    service.enrol(session, settings, user, resource_id)
    return RedirectResponse(f"/learn/{resource_id}", status_code=303)


@router.post("/resources/{resource_id}/withdraw", dependencies=CSRF)
def withdraw(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int
) -> Response:
    """Leave the resource (history kept) and go back to its page."""
    service.withdraw(session, settings, user, resource_id)
    return RedirectResponse(f"/resources/{resource_id}", status_code=303)


def _player(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    result: Any = None,
    error: Message | None = None,
    status_code: int = 200,
) -> Response:
    enrolment = service.find(session, user, resource_id)
    if enrolment is None or enrolment.status == EnrolmentStatus.withdrawn:
        service.resource_or_404(session, resource_id)
        return RedirectResponse(f"/resources/{resource_id}", status_code=303)
    resource = enrolment.resource
    kind = PLAYERS[resource.type]
    context: dict[str, Any] = {
        "resource": resource,
        "enrolment": enrolment,
        "player": kind,
        "certificate": service.certificate_for(session, enrolment),
        "labels": labels,
        "result": result,
        "error": error,
    }
    if kind == "video":
        context["length"] = rules.video_length(resource)
        context["video_url"] = str((resource.content or {}).get("url") or "")
    elif kind == "document":
        context["body"] = str((resource.content or {}).get("body") or resource.description or "")
    elif kind == "assessment":
        context["questions"] = rules.public_questions(resource)
        context["pass_mark"] = rules.pass_mark(resource)
        context["attempts_left"] = max(rules.max_attempts(resource) - enrolment.attempts, 0)
    elif kind == "live":
        context["window"] = rules.live_window(resource, settings.journey.attendance_early_minutes)
        context["schedule"] = (resource.content or {}).get("schedule") or {}
    else:
        context["units"] = rules.units(resource)
        context["done"] = service.units_done(session, enrolment)
    return render(request, "journey/learn.html", context, status_code=status_code)


@router.get("/learn/{resource_id}")
def learn(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
) -> Response:
    """The player for the resource's type (enrol first: otherwise its page)."""
    return _player(request, session, settings, user, resource_id)


@router.post("/learn/{resource_id}/attempt", dependencies=CSRF)
def submit_attempt(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    form: Form,
) -> Response:
    """Mark an assessment attempt posted from the form and show the result."""
    enrolment = service.active(session, user, resource_id)
    count = len(rules.questions(enrolment.resource))
    answers: list[int | None] = []
    for index in range(count):
        raw = form["answers"].get(f"q{index}")
        if raw is None or raw == "":
            answers.append(None)
            continue
        try:
            answers.append(int(raw))
        except ValueError:
            raise BadRequest(N_("An answer must be one of the question's choices.")) from None
    try:
        _enrolment, scored = service.attempt(session, settings, user, resource_id, answers)
    except Conflict as exc:
        return _player(
            request, session, settings, user, resource_id, error=exc.message, status_code=409
        )
    return _player(request, session, settings, user, resource_id, result=scored)


@router.post("/learn/{resource_id}/attend", dependencies=CSRF)
def attend(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
) -> Response:
    """Check in to a live session."""
    try:
        service.attend(session, settings, user, resource_id)
    except Conflict as exc:
        return _player(
            request, session, settings, user, resource_id, error=exc.message, status_code=409
        )
    return RedirectResponse(f"/learn/{resource_id}", status_code=303)


@router.post("/learn/{resource_id}/unit", dependencies=CSRF)
def unit_done(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int, form: Form
) -> Response:
    """Mark a course unit as done."""
    try:
        unit = int(form.get("unit", ""))
    except ValueError:
        raise BadRequest(N_("unit must be the index of one of this course's units.")) from None
    service.report(session, settings, user, resource_id, {"unit": unit})
    return RedirectResponse(f"/learn/{resource_id}", status_code=303)


@router.get("/my")
def my_learning(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The learner's dashboard."""
    board = dashboard.build(session, user)
    return render(
        request, "journey/my.html", {"board": board, "labels": labels, "all_roles": ALL_ROLES}
    )
