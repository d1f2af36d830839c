"""HTTP for the State, Activity Profile and Agent Profile resources (thin: parse, call, shape).

xAPI 1.0.3 Part Three sections 2.3, 2.6, 2.7; xAPI 2.0 (IEEE 9274.1.1) section 4.1.6.
Scopes (1.0.3 section 4.2 of Part Three, OAuth scopes): ``state`` for the State resource,
``profile`` for both profile resources; ``all`` allows everything, ``all/read`` reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lifelong.config import Settings
from lifelong.records.auth import require_scope
from lifelong.records.credentials import XapiClient
from lifelong.records.documents import service
from lifelong.records.documents.models import DocumentKind
from lifelong.records.responses import content_response, json_response, no_content, query_params
from lifelong.web.deps import AppSettings, DbSession

router = APIRouter(prefix="/xapi", tags=["xAPI documents"])

StateClient = Annotated[XapiClient, Depends(require_scope("state"))]
ProfileClient = Annotated[XapiClient, Depends(require_scope("profile"))]

PATHS = {
    DocumentKind.state: "/activities/state",
    DocumentKind.activity_profile: "/activities/profile",
    DocumentKind.agent_profile: "/agents/profile",
}


def _preconditions(request: Request) -> service.Preconditions:
    """If-Match / If-None-Match of the request."""
    return service.Preconditions(
        if_match=request.headers.get("if-match"),
        if_none_match=request.headers.get("if-none-match"),
    )


def _get(request: Request, session: DbSession, kind: DocumentKind) -> Response:
    """Single document (id given) or the ids of a context (id absent)."""
    params = query_params(request)
    address = service.address_from(kind, params, document_id_required=False)
    if address.document_id is not None:
        document = service.get_document(session, address)
        return content_response(
            request,
            document.content,
            media_type=document.content_type,
            etag=document.etag,
            last_modified=document.updated,
        )
    since = service.parse_since(params.get("since"))
    ids, newest = service.list_ids(session, address, since=since)
    return json_response(request, ids, last_modified=newest)


async def _put(
    request: Request, session: DbSession, settings: Settings, kind: DocumentKind
) -> Response:
    """Store or replace one document."""
    address = service.address_from(kind, query_params(request), document_id_required=True)
    body = await request.body()
    stored = await run_in_threadpool(
        service.put_document,
        session,
        address,
        body,
        request.headers.get("content-type"),
        _preconditions(request),
        max_bytes=settings.lrs_documents.max_document_bytes,
    )
    return no_content(stored.etag)


async def _post(
    request: Request, session: DbSession, settings: Settings, kind: DocumentKind
) -> Response:
    """Store one document or merge JSON into it."""
    address = service.address_from(kind, query_params(request), document_id_required=True)
    body = await request.body()
    stored = await run_in_threadpool(
        service.post_document,
        session,
        address,
        body,
        request.headers.get("content-type"),
        _preconditions(request),
        max_bytes=settings.lrs_documents.max_document_bytes,
    )
    return no_content(stored.etag)


def _delete(
    request: Request, session: DbSession, kind: DocumentKind, *, many_allowed: bool
) -> Response:
    """Delete one document, or (State only) every document of a context."""
    address = service.address_from(
        kind, query_params(request), document_id_required=not many_allowed
    )
    if address.document_id is None:
        service.delete_documents(session, address)
    else:
        service.delete_document(session, address, _preconditions(request))
    return no_content()


# State resource (1.0.3 Part Three section 2.3; 2.0 section 4.1.6.2).
@router.get(PATHS[DocumentKind.state])
@router.head(PATHS[DocumentKind.state], include_in_schema=False)  # GET without a body
def get_state(request: Request, session: DbSession, _client: StateClient) -> Response:
    """GET one State document, or the stateIds of an Activity + Agent [+ registration]."""
    return _get(request, session, DocumentKind.state)


@router.put(PATHS[DocumentKind.state], status_code=204)
async def put_state(
    request: Request, session: DbSession, settings: AppSettings, _client: StateClient
) -> Response:
    """PUT a State document."""
    return await _put(request, session, settings, DocumentKind.state)


@router.post(PATHS[DocumentKind.state], status_code=204)
async def post_state(
    request: Request, session: DbSession, settings: AppSettings, _client: StateClient
) -> Response:
    """POST (create or JSON-merge) a State document."""
    return await _post(request, session, settings, DocumentKind.state)


@router.delete(PATHS[DocumentKind.state], status_code=204)
def delete_state(request: Request, session: DbSession, _client: StateClient) -> Response:
    """DELETE one State document, or all of an Activity + Agent [+ registration]."""
    return _delete(request, session, DocumentKind.state, many_allowed=True)


# Activity Profile resource (1.0.3 Part Three section 2.7; 2.0 section 4.1.6.4).
@router.get(PATHS[DocumentKind.activity_profile])
@router.head(PATHS[DocumentKind.activity_profile], include_in_schema=False)  # GET without a body
def get_activity_profile(request: Request, session: DbSession, _client: ProfileClient) -> Response:
    """GET one Activity Profile document, or the profileIds of an Activity."""
    return _get(request, session, DocumentKind.activity_profile)


@router.put(PATHS[DocumentKind.activity_profile], status_code=204)
async def put_activity_profile(
    request: Request, session: DbSession, settings: AppSettings, _client: ProfileClient
) -> Response:
    """PUT an Activity Profile document (a precondition is needed to replace one)."""
    return await _put(request, session, settings, DocumentKind.activity_profile)


@router.post(PATHS[DocumentKind.activity_profile], status_code=204)
async def post_activity_profile(
    request: Request, session: DbSession, settings: AppSettings, _client: ProfileClient
) -> Response:
    """POST (create or JSON-merge) an Activity Profile document."""
    return await _post(request, session, settings, DocumentKind.activity_profile)


@router.delete(PATHS[DocumentKind.activity_profile], status_code=204)
def delete_activity_profile(
    request: Request, session: DbSession, _client: ProfileClient
) -> Response:
    """DELETE one Activity Profile document."""
    return _delete(request, session, DocumentKind.activity_profile, many_allowed=False)


# Agent Profile resource (1.0.3 Part Three section 2.6; 2.0 section 4.1.6.5).
@router.get(PATHS[DocumentKind.agent_profile])
@router.head(PATHS[DocumentKind.agent_profile], include_in_schema=False)  # GET without a body
def get_agent_profile(request: Request, session: DbSession, _client: ProfileClient) -> Response:
    """GET one Agent Profile document, or the profileIds of an Agent."""
    return _get(request, session, DocumentKind.agent_profile)


@router.put(PATHS[DocumentKind.agent_profile], status_code=204)
async def put_agent_profile(
    request: Request, session: DbSession, settings: AppSettings, _client: ProfileClient
) -> Response:
    """PUT an Agent Profile document (a precondition is needed to replace one)."""
    return await _put(request, session, settings, DocumentKind.agent_profile)


@router.post(PATHS[DocumentKind.agent_profile], status_code=204)
async def post_agent_profile(
    request: Request, session: DbSession, settings: AppSettings, _client: ProfileClient
) -> Response:
    """POST (create or JSON-merge) an Agent Profile document."""
    return await _post(request, session, settings, DocumentKind.agent_profile)


@router.delete(PATHS[DocumentKind.agent_profile], status_code=204)
def delete_agent_profile(request: Request, session: DbSession, _client: ProfileClient) -> Response:
    """DELETE one Agent Profile document."""
    return _delete(request, session, DocumentKind.agent_profile, many_allowed=False)
