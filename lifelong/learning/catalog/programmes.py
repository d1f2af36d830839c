"""Programmes: ordered resources leading to a credential, and who may author them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lifelong.accounts.models import Role, User
from lifelong.accounts.service import record
from lifelong.errors import BadRequest, Forbidden, NotFound
from lifelong.i18n import N_
from lifelong.learning.catalog import repository, validation
from lifelong.learning.catalog.service import require_author
from lifelong.learning.models import Programme, ProgrammeItem, ResourceLevel

CODE_MAX = 32
MAX_ITEMS = 200


def can_edit(user: User | None, programme: Programme) -> bool:
    """HQ edits all; a branch admin their branch's; a teacher what they created."""
    if user is None:
        return False
    if user.role == Role.hq_admin:
        return True
    if user.role == Role.branch_admin:
        return programme.branch_id == user.branch_id
    return user.role == Role.teacher and programme.created_by_id == user.id


def get(session: Session, programme_id: int) -> Programme:
    """A programme; 404 when it does not exist."""
    programme = repository.programme(session, programme_id)
    if programme is None:
        raise NotFound(N_("Programme %(id)s does not exist."), params={"id": programme_id})
    return programme


def _items(session: Session, ids: Any) -> list[int]:
    if ids in (None, ""):
        return []
    if isinstance(ids, str):
        ids = [part for part in ids.replace(";", ",").replace("\n", ",").split(",") if part.strip()]
    if not isinstance(ids, list) or len(ids) > MAX_ITEMS:
        raise BadRequest(
            N_("items must be a list of at most %(max)s resource ids."), params={"max": MAX_ITEMS}
        )
    try:
        wanted = [int(str(i).strip()) for i in ids]
    except ValueError:
        raise BadRequest(N_("items must be resource ids.")) from None
    if len(set(wanted)) != len(wanted):
        raise BadRequest(N_("items lists a resource twice."))
    found = repository.resources_by_ids(session, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise BadRequest(N_("Unknown resource %(id)s in items."), params={"id": missing[0]})
    return wanted


def _apply(session: Session, programme: Programme, data: dict[str, Any], partial: bool) -> None:
    given = {k: v for k, v in data.items() if v is not None}
    if not partial or "title" in given:
        programme.title = validation.text(N_("title"), given.get("title"), 300, required=True)
    if not partial or "credential" in given:
        programme.credential = validation.text(
            N_("credential"), given.get("credential"), 200, required=True
        )
    if "description" in given:
        programme.description = validation.text(N_("description"), given["description"], 20_000)
    if not partial or "level" in given:
        programme.level = validation.choice(N_("level"), given.get("level"), ResourceLevel)
    if "items" in given:
        ids = _items(session, given["items"])
        programme.items = [
            ProgrammeItem(resource_id=resource_id, position=position)
            for position, resource_id in enumerate(ids, 1)
        ]


def create(session: Session, user: User, data: dict[str, Any]) -> Programme:
    """Create a programme owned by the author (and their branch unless HQ)."""
    require_author(user)
    code = validation.text(N_("code"), data.get("code"), CODE_MAX, required=True)
    if repository.programme_by_code(session, code) is not None:
        raise BadRequest(
            N_("A programme with code %(code)s already exists."), params={"code": repr(code)}
        )
    programme = Programme(
        code=code,
        description="",
        branch_id=None if user.role == Role.hq_admin else user.branch_id,
        created_by_id=user.id,
    )
    _apply(session, programme, data, partial=False)
    session.add(programme)
    session.flush()
    record(session, "programme_created", actor=user, subject=code)
    return programme


def update(session: Session, user: User, programme_id: int, data: dict[str, Any]) -> Programme:
    """Change a programme's fields or its ordered items."""
    require_author(user)
    programme = get(session, programme_id)
    if not can_edit(user, programme):
        raise Forbidden(N_("You may edit only your own programmes (branch admins: your branch's)."))
    if "items" in data and data["items"] is not None:
        programme.items = []
        session.flush()  # drop the old positions before inserting the new order
    _apply(session, programme, data, partial=True)
    session.flush()
    record(session, "programme_updated", actor=user, subject=programme.code)
    return programme
