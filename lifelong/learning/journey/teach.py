"""The teacher's view of their learners' progress (branch admins: their branch's)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lifelong.accounts.models import Role
from lifelong.learning.catalog import labels
from lifelong.learning.journey import service, teaching
from lifelong.web.csrf import verify_csrf
from lifelong.web.deps import AppSettings, CurrentUser, DbSession
from lifelong.web.nav import NavItem, register
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False, prefix="/teach")
TEACHING = frozenset({Role.teacher, Role.branch_admin, Role.hq_admin})
register(NavItem("learners", "Learners' progress", "/teach/learners", TEACHING), before="users")


@router.get("/learners")
def learners(
    request: Request, session: DbSession, user: CurrentUser, resource_id: int | None = None
) -> Response:
    """Every learner of the viewer's resources with progress, attempts and completion."""
    rows = teaching.learners(session, user, resource_id)
    return render(
        request,
        "journey/teach_learners.html",
        {"rows": rows, "labels": labels, "resource_id": resource_id},
    )


@router.post("/learners/{resource_id}/{user_id}/attended", dependencies=[Depends(verify_csrf)])
def mark_attended(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int, user_id: int
) -> Response:
    """Mark a learner present at a live session."""
    service.mark_attendance(session, settings, user, resource_id, user_id)
    return RedirectResponse(f"/teach/learners?resource_id={resource_id}", status_code=303)
