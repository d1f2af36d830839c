"""The ``/xapi`` router: the Statement resource (documents live in their own modules).

Routes only parse HTTP and call the services; the rules are in validation/service/query.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request, Response

from lifelong.errors import BadRequest, LifelongError
from lifelong.records import output
from lifelong.records import query as statement_query
from lifelong.records.auth import XapiVersion, require_scope
from lifelong.records.credentials import XapiClient
from lifelong.records.learners import learner_branch_resolver
from lifelong.records.rejections import record_rejection
from lifelong.records.service import LrsStore, store_body

router = APIRouter(prefix="/xapi", tags=["xAPI"])

Writer = Annotated[XapiClient, Depends(require_scope("statements/write", read=False))]
Reader = Annotated[XapiClient, Depends(require_scope("statements/read", read=True))]


def _store(request: Request) -> LrsStore:
    """The LRS store opened by the lifespan."""
    store: LrsStore = request.app.state.lrs
    return store


async def _body(request: Request) -> bytes:
    """The request body; 413 above the configured size."""
    body = await request.body()
    limit = request.app.state.settings.lrs.max_body_bytes
    if len(body) > limit:
        raise LifelongError(f"request body larger than this LRS accepts ({limit} bytes)", 413)
    return body


async def _store_request(
    request: Request, client: XapiClient, version: str, statement_id: str | None
) -> list[str]:
    """Store the request's statements, recording rejections for the operations page."""
    try:
        body = await _body(request)
        content_type = request.headers.get("content-type", "application/json")
        outcome = await store_body(
            _store(request), body, content_type, client, version, statement_id=statement_id
        )
    except LifelongError as exc:
        if exc.status_code in (400, 409, 413):
            await record_rejection(_store(request), client.name, version, exc)
        raise
    return outcome.ids


@router.post("/statements", summary="Store a statement or a batch (Communication 2.1.2)")
async def post_statements(request: Request, client: Writer, version: XapiVersion) -> Response:
    """Store one statement or an array; 200 with the ids in order."""
    ids = await _store_request(request, client, version, None)
    return Response(orjson.dumps(ids), media_type="application/json")


@router.put("/statements", status_code=204, summary="Store a statement by id (Communication 2.1.1)")
async def put_statement(request: Request, client: Writer, version: XapiVersion) -> Response:
    """Store one statement under ``statementId``; 204 (also when already stored as is)."""
    statement_id = request.query_params.get("statementId")
    if not statement_id:
        raise BadRequest("PUT /statements needs the statementId parameter (Communication 2.1.1)")
    extra = sorted(set(request.query_params) - {"statementId"})
    if extra:
        raise BadRequest(f"unknown parameter(s) {', '.join(extra)} (Communication 2.1.1)")
    from lifelong.records.formats import is_uuid

    if not is_uuid(statement_id):
        raise BadRequest("statementId must be a UUID (Communication 2.1.1)")
    await _store_request(request, client, version, statement_id)
    return Response(status_code=204)


@router.get("/statements", summary="Get statements (Communication 2.1.3)")
@router.head("/statements", include_in_schema=False)  # GET without a body
def get_statements(request: Request, client: Reader) -> Response:
    """A statement by id, or a page of statements matching the filters."""
    store = _store(request)
    params = dict(request.query_params)
    cursor_seq = None
    if "cursor" in params:
        if len(params) > 1:
            raise BadRequest("a more link's cursor is used alone")
        params, cursor_seq = statement_query.decode_cursor(params["cursor"])
    statement_query.check_parameters(params)
    fmt = params.get("format", "exact")
    if "statementId" in params or "voidedStatementId" in params:
        voided = "voidedStatementId" in params
        page = statement_query.get_one(
            store.repository,
            client,
            params["voidedStatementId" if voided else "statementId"],
            voided=voided,
        )
    else:
        page = statement_query.query(
            store.repository,
            client,
            params,
            max_limit=store.settings.lrs.max_limit,
            cursor_seq=cursor_seq,
            branch_of=learner_branch_resolver(request.app.state.session_factory, store.settings),
        )
    languages = output.accept_languages(request.headers.get("accept-language"))
    if page.single:
        body = output.render(page.statements[0], fmt, languages)
    else:
        body = output.statement_result(page.statements, page.more, fmt, languages)
    headers = {"X-Experience-API-Consistent-Through": statement_query.consistent_through()}
    if page.last_stored:
        headers["Last-Modified"] = _http_date(page.last_stored)
    if params.get("attachments", "false").lower() == "true":
        hashes = output.attachment_hashes(page.statements)
        parts = store.repository.attachments(hashes)
        content, media_type = output.multipart(body, parts)
        return Response(content, media_type=media_type, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _http_date(stored: str) -> str:
    """An RFC 7231 HTTP-date for a stored timestamp."""
    from email.utils import format_datetime

    from lifelong.records.formats import parse_timestamp

    instant = parse_timestamp(stored)
    return format_datetime(instant, usegmt=True) if instant else stored
