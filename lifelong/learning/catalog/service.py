"""Authoring: teachers, branch admins and HQ create, edit, publish and retire resources.

A teacher edits the resources they created, a branch admin those of their branch, HQ
every resource. Every change is staged for the search index, which is written once the
operational transaction commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from lifelong.accounts.models import Role, User
from lifelong.accounts.service import record
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, Forbidden, NotFound
from lifelong.i18n import N_
from lifelong.learning.catalog import indexing, repository, validation
from lifelong.learning.catalog.validation import ResourceFields
from lifelong.learning.models import Resource, ResourceStatus

AUTHORS = frozenset({Role.teacher, Role.branch_admin, Role.hq_admin})
MAX_PREREQUISITES = 20
DUPLICATE = N_("Provider %(code)s already has a resource %(id)s.")


def require_author(user: User | None) -> User:
    """Only teachers, branch admins and HQ admins author resources (403 otherwise)."""
    if user is None or user.role not in AUTHORS:
        raise Forbidden(N_("Only teachers and administrators may author resources."))
    return user


def can_edit(user: User | None, resource: Resource) -> bool:
    """HQ edits all; a branch admin their branch's; a teacher what they created."""
    if user is None:
        return False
    if user.role == Role.hq_admin:
        return True
    if user.role == Role.branch_admin:
        return resource.branch_id == user.branch_id
    if user.role == Role.teacher:
        return resource.created_by_id == user.id
    return False


def visible_resource(session: Session, resource_id: int, viewer: User | None) -> Resource:
    """A published resource, or a draft/retired one its editors may see; 404 otherwise."""
    resource = repository.resource(session, resource_id)
    if resource is None or (
        resource.status != ResourceStatus.published and not can_edit(viewer, resource)
    ):
        raise NotFound(N_("Resource %(id)s does not exist."), params={"id": resource_id})
    return resource


def editable_resource(session: Session, user: User, resource_id: int) -> Resource:
    """A resource the user may edit; 404 when it does not exist, 403 when not theirs."""
    require_author(user)
    resource = repository.resource(session, resource_id)
    if resource is None:
        raise NotFound(N_("Resource %(id)s does not exist."), params={"id": resource_id})
    if not can_edit(user, resource):
        raise Forbidden(N_("You may edit only your own resources (branch admins: your branch's)."))
    return resource


def prerequisites(session: Session, resource: Resource | None, ids: Any) -> list[Resource]:
    """Resources named as prerequisites; 400 on unknown ids, self-reference or too many."""
    if ids in (None, ""):
        return []
    if isinstance(ids, str):
        ids = [part for part in ids.replace(";", ",").split(",") if part.strip()]
    if not isinstance(ids, list) or len(ids) > MAX_PREREQUISITES:
        raise BadRequest(
            N_("prerequisites must be a list of at most %(max)s ids."),
            params={"max": MAX_PREREQUISITES},
        )
    try:
        wanted = [int(str(i).strip()) for i in ids]
    except ValueError:
        raise BadRequest(N_("prerequisites must be resource ids.")) from None
    found = repository.resources_by_ids(session, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise BadRequest(N_("Unknown prerequisite resource %(id)s."), params={"id": missing[0]})
    if resource is not None and resource.id in found:
        raise BadRequest(N_("A resource cannot be its own prerequisite."))
    return [found[i] for i in dict.fromkeys(wanted)]


def apply_fields(resource: Resource, fields: ResourceFields) -> None:
    """Copy the given (non-None) fields onto the resource."""
    simple = [
        "external_id",
        "title",
        "description",
        "language",
        "type",
        "level",
        "format",
        "duration_minutes",
        "credits",
        "tags",
        "content",
    ]
    for name in simple:
        value = getattr(fields, name)
        if value is not None:
            setattr(resource, name, value)
    if fields.subject is not None:
        resource.subject = fields.subject
    if fields.provider is not None:
        resource.provider = fields.provider
    if fields.status is not None:
        set_status(resource, fields.status)


def set_status(resource: Resource, status: ResourceStatus) -> None:
    """Publish (stamping the first publication time), retire or return to draft."""
    resource.status = status
    if status == ResourceStatus.published and resource.published_at is None:
        resource.published_at = utcnow()


def create_resource(
    session: Session, settings: Settings, user: User, data: dict[str, Any]
) -> Resource:
    """Create a resource owned by the author (and their branch unless HQ)."""
    require_author(user)
    fields = validation.resource_fields(session, data, partial=False)
    if fields.provider is None:
        raise validation.missing(N_("provider"))
    resource = Resource(
        external_id=fields.external_id or f"lifelong-{uuid.uuid4().hex[:12]}",
        description="",
        tags=[],
        content={},
        status=ResourceStatus.draft,
        branch_id=None if user.role == Role.hq_admin else user.branch_id,
        created_by_id=user.id,
        duration_minutes=0,
        enrolment_count=0,
    )
    apply_fields(resource, fields)
    if repository.resource_by_external_id(session, fields.provider.id, resource.external_id):
        raise BadRequest(
            DUPLICATE, params={"code": fields.provider.code, "id": repr(resource.external_id)}
        )
    resource.prerequisites = prerequisites(session, None, data.get("prerequisites"))
    session.add(resource)
    session.flush()
    record(session, "resource_created", actor=user, subject=str(resource.id))
    indexing.stage(session, settings, [resource])
    return resource


def update_resource(
    session: Session, settings: Settings, user: User, resource_id: int, data: dict[str, Any]
) -> Resource:
    """Change the fields given; the same rules as creation."""
    resource = editable_resource(session, user, resource_id)
    fields = validation.resource_fields(session, data, partial=True, current_type=resource.type)
    provider = fields.provider or resource.provider
    external_id = fields.external_id or resource.external_id
    clash = repository.resource_by_external_id(session, provider.id, external_id)
    if clash is not None and clash.id != resource.id:
        raise BadRequest(DUPLICATE, params={"code": provider.code, "id": repr(external_id)})
    apply_fields(resource, fields)
    if "prerequisites" in data and data["prerequisites"] is not None:
        resource.prerequisites = prerequisites(session, resource, data["prerequisites"])
    resource.updated_at = utcnow()  # also when only prerequisites changed
    session.flush()
    record(session, "resource_updated", actor=user, subject=str(resource.id))
    indexing.stage(session, settings, [resource])
    return resource


def change_status(
    session: Session, settings: Settings, user: User, resource_id: int, status: str
) -> Resource:
    """Publish, retire or un-publish a resource."""
    resource = editable_resource(session, user, resource_id)
    set_status(resource, validation.choice("status", status, ResourceStatus))
    resource.updated_at = utcnow()
    session.flush()
    record(session, f"resource_{resource.status.value}", actor=user, subject=str(resource.id))
    indexing.stage(session, settings, [resource])
    return resource


def authored_by(session: Session, user: User) -> list[Resource]:
    """The resources this staff member may edit, most recently changed first."""
    require_author(user)
    if user.role == Role.hq_admin:
        return repository.resources_by_author(session, created_by_id=None, branch_id=None)
    if user.role == Role.branch_admin:
        return repository.resources_by_author(session, created_by_id=None, branch_id=user.branch_id)
    return repository.resources_by_author(session, created_by_id=user.id, branch_id=None)
