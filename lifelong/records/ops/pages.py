"""The LRS operations page for headquarters (/admin/lrs): hq_admin and analyst only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lifelong.accounts.models import Role
from lifelong.records.ops import service
from lifelong.web.deps import AppSettings, CurrentUser
from lifelong.web.errors import error_response
from lifelong.web.nav import NavItem, register
from lifelong.web.templating import N_, render

router = APIRouter(include_in_schema=False)
VIEWERS = frozenset({Role.hq_admin, Role.analyst})

register(NavItem("lrs", N_("Learning records"), "/admin/lrs", VIEWERS), before="api")


@router.get("/admin/lrs")
async def lrs_operations(request: Request, settings: AppSettings, user: CurrentUser) -> Response:
    """Statements per minute, by client and branch, rejections and lakehouse lag."""
    if user.role not in VIEWERS:
        # Rendered here, not raised: a raised error rolls the request's session back and
        # detaches the signed-in user the error page's navigation still needs.
        return error_response(
            request, 403, "Only headquarters administrators and analysts see LRS operations."
        )
    overview = await run_in_threadpool(service.overview, settings, request.app.state.lrs_engine)
    return render(request, "records/ops.html", {"o": overview})
