"""Authoring pages for teachers and administrators: resources, programmes and imports.

Forms post back to the same URL (with the CSRF token); a rule broken re-renders the form
with the message and what was typed, so nothing is lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from lifelong.errors import BadRequest, LifelongError
from lifelong.i18n import N_, Message
from lifelong.learning.catalog import imports, labels, programmes, repository, service
from lifelong.learning.catalog.content_form import content_from_form, form_from_resource
from lifelong.learning.models import Programme, Resource
from lifelong.web.csrf import verify_csrf
from lifelong.web.deps import AppSettings, CurrentUser, DbSession
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False, prefix="/teach")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form's fields (text values, plus an uploaded file's name and bytes)."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, UploadFile):
            payload = await value.read(MAX_UPLOAD_BYTES + 1)
            data[key] = (value.filename or "", payload)
        else:
            data[key] = value
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]
CSRF = [Depends(verify_csrf)]


def _choices(session: DbSession) -> dict[str, Any]:
    return {
        "providers": repository.providers(session),
        "subjects": repository.subjects(session),
        "labels": labels,
    }


@router.get("/resources")
def my_resources(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The resources this staff member may edit."""
    resources = service.authored_by(session, user)
    return render(
        request,
        "catalog/teach_resources.html",
        {"resources": resources, "labels": labels, "programmes": repository.programmes(session)},
    )


def _resource_form(
    request: Request,
    session: DbSession,
    values: dict[str, Any],
    *,
    resource: Resource | None,
    error: Message | None = None,
) -> Response:
    context = {"values": values, "resource": resource, "error": error, **_choices(session)}
    return render(request, "catalog/resource_form.html", context, status_code=400 if error else 200)


def _values_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """Service input from the form's fields (content from the type-specific ones)."""
    values: dict[str, Any] = {
        key: data.get(key, "")
        for key in [
            "provider",
            "external_id",
            "title",
            "description",
            "language",
            "type",
            "level",
            "format",
            "subject",
            "duration_minutes",
            "credits",
            "tags",
            "status",
        ]
    }
    values["prerequisites"] = data.get("prerequisites", "")
    values["content"] = content_from_form(data.get("type", ""), data)
    return values


@router.get("/resources/new")
def new_resource(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """An empty resource form."""
    service.require_author(user)
    return _resource_form(request, session, {"language": "zh", "status": "draft"}, resource=None)


@router.post("/resources/new", dependencies=CSRF)
def create_resource(
    request: Request, session: DbSession, settings: AppSettings, user: CurrentUser, data: FormData
) -> Response:
    """Create the resource, or show the form again with what was wrong."""
    service.require_author(user)
    try:
        resource = service.create_resource(session, settings, user, _values_from_form(data))
    except BadRequest as error:
        session.rollback()
        return _resource_form(request, session, data, resource=None, error=error.message)
    return RedirectResponse(f"/teach/resources/{resource.id}/edit?saved=1", status_code=303)


@router.get("/resources/{resource_id}/edit")
def edit_resource(
    request: Request, session: DbSession, user: CurrentUser, resource_id: int
) -> Response:
    """The form of an existing resource."""
    resource = service.editable_resource(session, user, resource_id)
    return _resource_form(request, session, form_from_resource(resource), resource=resource)


@router.post("/resources/{resource_id}/edit", dependencies=CSRF)
def update_resource(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    data: FormData,
) -> Response:
    """Save the changes, or show the form again with what was wrong."""
    resource = service.editable_resource(session, user, resource_id)
    try:
        service.update_resource(session, settings, user, resource_id, _values_from_form(data))
    except BadRequest as error:
        session.rollback()
        return _resource_form(request, session, data, resource=resource, error=error.message)
    return RedirectResponse(f"/teach/resources/{resource_id}/edit?saved=1", status_code=303)


@router.post("/resources/{resource_id}/status", dependencies=CSRF)
def change_status(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int, data: FormData
) -> Response:
    """Publish, retire or un-publish from the list or the form."""
    service.change_status(session, settings, user, resource_id, str(data.get("status", "")))
    return RedirectResponse("/teach/resources", status_code=303)


def _programme_form(
    request: Request,
    session: DbSession,
    values: dict[str, Any],
    *,
    programme: Programme | None,
    error: Message | None = None,
) -> Response:
    context = {"values": values, "programme": programme, "error": error, "labels": labels}
    return render(
        request, "catalog/programme_form.html", context, status_code=400 if error else 200
    )


@router.get("/programmes/new")
def new_programme(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """An empty programme form."""
    service.require_author(user)
    return _programme_form(request, session, {}, programme=None)


def _programme_values(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("code", "title", "description", "credential", "level", "items")
    return {key: data.get(key, "") for key in keys}


@router.post("/programmes/new", dependencies=CSRF)
def create_programme(
    request: Request, session: DbSession, user: CurrentUser, data: FormData
) -> Response:
    """Create the programme, or show the form again with what was wrong."""
    try:
        programme = programmes.create(session, user, _programme_values(data))
    except BadRequest as error:
        session.rollback()
        return _programme_form(request, session, data, programme=None, error=error.message)
    return RedirectResponse(f"/programmes/{programme.id}", status_code=303)


@router.get("/programmes/{programme_id}/edit")
def edit_programme(
    request: Request, session: DbSession, user: CurrentUser, programme_id: int
) -> Response:
    """The form of an existing programme."""
    service.require_author(user)
    programme = programmes.get(session, programme_id)
    if not programmes.can_edit(user, programme):
        raise LifelongError(N_("You may edit only your own programmes."), 403)
    values = {
        "code": programme.code,
        "title": programme.title,
        "description": programme.description,
        "credential": programme.credential,
        "level": programme.level.value,
        "items": ", ".join(str(i.resource_id) for i in programme.items),
    }
    return _programme_form(request, session, values, programme=programme)


@router.post("/programmes/{programme_id}/edit", dependencies=CSRF)
def update_programme(
    request: Request, session: DbSession, user: CurrentUser, programme_id: int, data: FormData
) -> Response:
    """Save the programme, or show the form again with what was wrong."""
    programme = programmes.get(session, programme_id)
    values = _programme_values(data)
    values.pop("code")
    try:
        programmes.update(session, user, programme_id, values)
    except BadRequest as error:
        session.rollback()
        return _programme_form(request, session, data, programme=programme, error=error.message)
    return RedirectResponse(f"/programmes/{programme_id}", status_code=303)


@router.get("/import")
def import_form(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """Upload a catalogue file."""
    service.require_author(user)
    return render(
        request,
        "catalog/import.html",
        {"providers": repository.providers(session), "report": None, "error": None},
    )


@router.post("/import", dependencies=CSRF)
def run_import(
    request: Request, session: DbSession, settings: AppSettings, user: CurrentUser, data: FormData
) -> Response:
    """Import the uploaded file and show the per-row report."""
    service.require_author(user)
    upload = data.get("file")
    report: imports.ImportReport | None = None
    error: Message | None = None
    try:
        if not isinstance(upload, tuple) or not upload[1]:
            raise BadRequest(N_("Choose a file to import."))
        if len(upload[1]) > MAX_UPLOAD_BYTES:
            raise BadRequest(imports.TOO_LARGE, params={"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        report = imports.import_catalogue(
            session,
            settings,
            provider_code=str(data.get("provider", "")),
            filename=upload[0],
            payload=upload[1],
            user=user,
        )
    except BadRequest as error_:
        session.rollback()
        error = error_.message
    return render(
        request,
        "catalog/import.html",
        {"providers": repository.providers(session), "report": report, "error": error},
        status_code=400 if error else 200,
    )
