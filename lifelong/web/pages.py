"""The home page of each role."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifelong.personalize.pages import home_sections
from lifelong.web.deps import CurrentUser, DbSession
from lifelong.web.home import figures_for
from lifelong.web.nav import for_user
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """A home page for the signed-in user's role."""
    return render(
        request,
        f"home/{user.role.value}.html",
        {
            "figures": figures_for(session, user),
            "sections": [item for item in for_user(user) if item.key != "home"],
            "recommendations": home_sections(session, user),
        },
    )
