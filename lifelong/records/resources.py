"""HTTP for the Activities and Agents resources (xAPI 1.0.3 Part Three 2.4 and 2.5).

Both are reads: any credential holding a read of statements, state or profiles, or
``define`` / ``all`` / ``all/read``, may use them (1.0.3 Part Three 4.2, OAuth scopes).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lifelong.errors import Forbidden
from lifelong.records import activities, agents
from lifelong.records.auth import XapiClientDep
from lifelong.records.credentials import XapiClient
from lifelong.records.params import require_iri
from lifelong.records.responses import json_response
from lifelong.web.deps import DbSession

router = APIRouter(prefix="/xapi", tags=["xAPI"])

READ_SCOPES = ("statements/read", "state", "profile", "define")


async def reader(client: XapiClientDep) -> XapiClient:
    """Admit clients that may read something of this LRS; 403 for write-only ones."""
    if any(client.may(scope, read=True) for scope in READ_SCOPES):
        return client
    raise Forbidden(
        f"credential {client.name!r} may only write statements; the Activities and Agents "
        "resources need a read scope (statements/read, state, profile, define, all/read or all)"
    )


Reader = Annotated[XapiClient, Depends(reader)]


@router.get("/activities")
@router.head("/activities", include_in_schema=False)  # GET without a body
def get_activity(request: Request, session: DbSession, _client: Reader) -> Response:
    """The full Activity object for ``activityId`` (Part Three 2.5)."""
    activity_id = require_iri(request.query_params.get("activityId"), "activityId")
    return json_response(request, activities.full_activity(session, activity_id))


@router.get("/agents")
@router.head("/agents", include_in_schema=False)  # GET without a body
def get_person(request: Request, session: DbSession, _client: Reader) -> Response:
    """The Person object for ``agent`` (Part Three 2.4)."""
    agent = agents.parse_agent_parameter(request.query_params.get("agent"))
    return json_response(request, agents.person(session, agent))
