"""Activities: the canonical definition of each Activity, and the Activities resource.

xAPI 1.0.3 Part Two section 2.4.4.1 (an LRS SHOULD* update its canonical definition when a
statement brings a different one from a trusted provider) and Part Three section 2.5
(GET /activities returns the full Activity object, or at least ``{"objectType", "id"}``).
xAPI 2.0 (IEEE 9274.1.1) sections 5.2.4.1 and 4.1.6.4 keep these rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lifelong.db.base import Base, utcnow

# Language maps inside an Activity definition (Part Two sections 2.4.4.1 and 2.4.4.1.1):
# they merge per language; every other property is replaced by the newer definition.
LANGUAGE_MAPS = ("name", "description")
INTERACTION_COMPONENTS = ("choices", "scale", "source", "target", "steps")


class ActivityDefinition(Base):
    """The canonical definition the LRS keeps for one Activity id."""

    __tablename__ = "lrs_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def id_hash(activity_id: str) -> str:
    """A fixed-length digest of an Activity id, for the unique index."""
    return hashlib.sha256(activity_id.encode()).hexdigest()


def _merge_components(old: list[Any], new: list[Any]) -> list[Any]:
    """Interaction components: same ``id`` → description maps merged; new ids appended."""
    by_id = {item.get("id"): dict(item) for item in old if isinstance(item, dict)}
    out: list[Any] = []
    for item in new:
        if not isinstance(item, dict):
            out.append(item)
            continue
        previous = by_id.get(item.get("id"), {})
        merged = dict(item)
        if isinstance(previous.get("description"), dict) and isinstance(
            item.get("description"), dict
        ):
            merged["description"] = {**previous["description"], **item["description"]}
        out.append(merged)
    return out


def merge_definition(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The canonical definition after a statement brings ``new`` (see module docstring)."""
    merged = {**old, **new}
    for key in LANGUAGE_MAPS:
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            merged[key] = {**old[key], **new[key]}
    for key in INTERACTION_COMPONENTS:
        if isinstance(old.get(key), list) and isinstance(new.get(key), list):
            merged[key] = _merge_components(old[key], new[key])
    if isinstance(old.get("extensions"), dict) and isinstance(new.get("extensions"), dict):
        merged["extensions"] = {**old["extensions"], **new["extensions"]}
    return merged


def record_definitions(
    session: Session, activities: Iterable[dict[str, Any]], *, define: bool = True
) -> int:
    """Fold the definitions of Activities seen in stored statements into the canonical ones.

    The statements resource calls this for every Activity object of statements it stores
    (objects, context activities, sub-statements). ``define`` says whether the credential
    may (re)define Activities (scope ``define`` or ``all``): without it the ids are
    remembered but their definitions are not taken (xAPI 1.0.3 Communication section
    4.2, OAuth scope ``define``). Returns how many rows changed. Only flushes: the
    caller's unit of work commits.
    """
    incoming: dict[str, dict[str, Any]] = {}
    for activity in activities:
        activity_id = activity.get("id") if isinstance(activity, dict) else None
        if not isinstance(activity_id, str):
            continue
        definition = activity.get("definition") if define else None
        definition = definition if isinstance(definition, dict) else {}
        previous = incoming.get(activity_id)
        incoming[activity_id] = (
            merge_definition(previous, definition) if previous is not None else definition
        )
    if not incoming:
        return 0
    hashes = {id_hash(activity_id): activity_id for activity_id in incoming}
    existing = {
        row.id_hash: row
        for row in session.scalars(
            select(ActivityDefinition).where(ActivityDefinition.id_hash.in_(hashes))
        )
    }
    changed = 0
    for digest, activity_id in hashes.items():
        definition = incoming[activity_id]
        row = existing.get(digest)
        if row is None:
            session.add(
                ActivityDefinition(id_hash=digest, activity_id=activity_id, definition=definition)
            )
            changed += 1
            continue
        merged = merge_definition(row.definition or {}, definition)
        if merged != row.definition:
            row.definition = merged
            changed += 1
    session.flush()
    return changed


def full_activity(session: Session, activity_id: str) -> dict[str, Any]:
    """The Activity object the Activities resource returns (Part Three section 2.5)."""
    row = session.scalars(
        select(ActivityDefinition).where(ActivityDefinition.id_hash == id_hash(activity_id))
    ).first()
    out: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        out["definition"] = row.definition
    return out
