"""REST API of the catalogue: search, resources, authoring, imports, matrix, programmes.

Reading the catalogue is open to anyone, signed in or not: published resources are the
university's public prospectus (and must be findable before someone has an account).
Writing needs a teacher or administrator.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from lifelong.errors import BadRequest
from lifelong.learning.catalog import browse, imports, programmes, repository, service
from lifelong.learning.catalog.params import search_params
from lifelong.learning.catalog.schemas import (
    FacetValue,
    ImportResult,
    ProgrammeRead,
    ProgrammeWrite,
    RejectedRow,
    ResourceRead,
    ResourceSummary,
    ResourceWrite,
    SearchHit,
    SearchResponse,
    StatusChange,
)
from lifelong.learning.catalog.search import search
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, OptionalUser

router = APIRouter(prefix="/api/v1", tags=["catalogue"])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@router.get("/resources", response_model=SearchResponse)
def search_resources(
    session: DbSession,
    settings: AppSettings,
    q: Annotated[str | None, Query(max_length=200)] = None,
    type: str | None = None,
    level: str | None = None,
    format: str | None = None,
    subject: str | None = None,
    provider: str | None = None,
    language: str | None = None,
    credit_bearing: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
) -> SearchResponse:
    """Search published resources (Chinese and English) with facets, sorting and paging."""
    params = search_params(
        q=q,
        sort=sort,
        page=page,
        page_size=page_size,
        type=type,
        level=level,
        format=format,
        subject=subject,
        provider=provider,
        language=language,
        credit_bearing=credit_bearing,
    )
    result = search(session, settings, params)
    return SearchResponse(
        total=result.total,
        page=params.page,
        page_size=params.page_size,
        results=[
            SearchHit(
                **ResourceSummary.of(hit.resource).model_dump(),
                title_html=str(hit.title_html),
                snippet_html=str(hit.snippet_html),
            )
            for hit in result.hits
        ],
        facets={
            name: [FacetValue(value=v, count=n) for v, n in values]
            for name, values in result.facets.items()
        },
        corrections=result.corrections,
    )


@router.post("/resources/import", response_model=ImportResult)
def import_resources(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    provider: Annotated[str, Form(max_length=32)],
    file: Annotated[UploadFile, File()],
) -> ImportResult:
    """Upsert a provider's resources from CSV, JSON, IEEE LOM or Dublin Core XML."""
    service.require_author(user)
    payload = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(payload) > MAX_UPLOAD_BYTES:
        raise BadRequest(imports.TOO_LARGE, params={"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    report = imports.import_catalogue(
        session,
        settings,
        provider_code=provider,
        filename=file.filename or "",
        payload=payload,
        user=user,
    )
    return import_result(report)


def import_result(report: imports.ImportReport) -> ImportResult:
    """The API shape of an import report."""
    return ImportResult(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=[RejectedRow(location=str(loc), reason=str(why)) for loc, why in report.rejected],
        warnings=[RejectedRow(location=str(loc), reason=str(why)) for loc, why in report.warnings],
    )


@router.get("/resources/mine", response_model=list[ResourceSummary])
def my_resources(session: DbSession, user: CurrentUser) -> list[ResourceSummary]:
    """Resources the caller may edit (teacher: own; branch admin: branch's; HQ: all)."""
    return [ResourceSummary.of(r) for r in service.authored_by(session, user)]


@router.get("/resources/{resource_id}", response_model=ResourceRead)
def get_resource(session: DbSession, user: OptionalUser, resource_id: int) -> ResourceRead:
    """One resource (drafts and retired ones only for their editors).

    An assessment's answer key is shown only to its editors: learners are marked on the
    server (journey/rules.py), so the key must never reach them.
    """
    resource = service.visible_resource(session, resource_id, user)
    read = ResourceRead.of(resource)
    if not service.can_edit(user, resource) and isinstance(read.content.get("questions"), list):
        read.content["questions"] = [
            {k: v for k, v in q.items() if k != "answer"} if isinstance(q, dict) else q
            for q in read.content["questions"]
        ]
    return read


def _write_data(body: ResourceWrite) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


@router.post("/resources", response_model=ResourceRead, status_code=201)
def create_resource(
    session: DbSession, settings: AppSettings, user: CurrentUser, body: ResourceWrite
) -> ResourceRead:
    """Author a resource (created as a draft unless ``status`` says published)."""
    resource = service.create_resource(session, settings, user, _write_data(body))
    return ResourceRead.of(resource)


@router.patch("/resources/{resource_id}", response_model=ResourceRead)
def update_resource(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    body: ResourceWrite,
) -> ResourceRead:
    """Change the given fields of a resource you may edit."""
    resource = service.update_resource(session, settings, user, resource_id, _write_data(body))
    return ResourceRead.of(resource)


@router.post("/resources/{resource_id}/status", response_model=ResourceRead)
def change_status(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    body: StatusChange,
) -> ResourceRead:
    """Publish, retire or un-publish a resource you may edit."""
    resource = service.change_status(session, settings, user, resource_id, body.status.value)
    return ResourceRead.of(resource)


@router.get("/matrix")
def matrix(session: DbSession) -> dict[str, Any]:
    """Published resources counted by type x level x format."""
    m = browse.matrix(session)
    return {
        "total": m.total,
        "cells": [
            {"type": t, "level": lv, "format": f, "count": n}
            for (t, lv, f), n in sorted(m.cells.items())
        ],
    }


def _node(node: browse.SubjectNode) -> dict[str, Any]:
    return {
        "code": node.subject.code,
        "name_zh": node.subject.name_zh,
        "name_en": node.subject.name_en,
        "count": node.count,
        "children": [_node(child) for child in node.children],
    }


@router.get("/subjects")
def subjects(session: DbSession) -> list[dict[str, Any]]:
    """The subject tree with published resources counted per subtree."""
    return [_node(node) for node in browse.subject_tree(session)]


@router.get("/programmes", response_model=list[ProgrammeRead])
def list_programmes(
    session: DbSession, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> list[ProgrammeRead]:
    """Programmes, 100 a page, ordered by code."""
    rows = repository.programmes(session, limit=100, offset=(page - 1) * 100)
    return [ProgrammeRead.of(p) for p in rows]


@router.get("/programmes/{programme_id}", response_model=ProgrammeRead)
def get_programme(session: DbSession, programme_id: int) -> ProgrammeRead:
    """One programme with its ordered resources."""
    return ProgrammeRead.of(programmes.get(session, programme_id))


@router.post("/programmes", response_model=ProgrammeRead, status_code=201)
def create_programme(session: DbSession, user: CurrentUser, body: ProgrammeWrite) -> ProgrammeRead:
    """Author a programme: ordered resources leading to a credential."""
    programme = programmes.create(session, user, body.model_dump(exclude_unset=True))
    return ProgrammeRead.of(programmes.get(session, programme.id))


@router.patch("/programmes/{programme_id}", response_model=ProgrammeRead)
def update_programme(
    session: DbSession, user: CurrentUser, programme_id: int, body: ProgrammeWrite
) -> ProgrammeRead:
    """Change a programme you may edit (``items`` replaces the whole ordered list)."""
    programme = programmes.update(session, user, programme_id, body.model_dump(exclude_unset=True))
    session.expire(programme)
    return ProgrammeRead.of(programmes.get(session, programme_id))
