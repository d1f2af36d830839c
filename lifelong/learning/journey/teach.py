"""The teacher's view of their learners' progress (branch admins: their branch's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
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


PAGE_SIZE = 50


@router.get("/learners")
def learners(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    resource_id: int | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The learners of the viewer's resources with progress, attempts and completion, a
    page at a time, optionally of one resource or one status."""
    wanted = teaching.parse_status(status)
    total = teaching.count_learners(session, user, resource_id, status=wanted)
    rows = teaching.learners(
        session,
        user,
        resource_id,
        status=wanted,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "journey/teach_learners.html",
        {
            "rows": rows,
            "labels": labels,
            "resource_id": resource_id,
            "status": wanted.value if wanted else "",
            "statuses": teaching.STATUSES,
            "total": total,
            "page": page,
            "page_size": PAGE_SIZE,
        },
    )


@router.post("/learners/{resource_id}/{user_id}/attended", dependencies=[Depends(verify_csrf)])
def mark_attended(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int, user_id: int
) -> Response:
    """Mark a learner present at a live session."""
    service.mark_attendance(session, settings, user, resource_id, user_id)
    return RedirectResponse(f"/teach/learners?resource_id={resource_id}", status_code=303)
