"""Catalogue import: upsert a provider's resources from a file, with a per-row report.

Good rows land together in the caller's transaction; a bad row is listed with its reason
and never half-written. A row identical to what is stored is counted as unchanged and
not written at all, so re-importing a file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lifelong.accounts.models import User
from lifelong.accounts.service import record
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest
from lifelong.i18n import N_, Message
from lifelong.learning.catalog import formats, indexing, repository, service, validation
from lifelong.learning.catalog.validation import ResourceFields
from lifelong.learning.models import Provider, Resource, ResourceStatus

TOO_LARGE = N_("The file is larger than %(mb)s MB.")


@dataclass
class ImportReport:
    """What an import did: counts, rejected rows with reasons, and warnings.

    Places and reasons are :class:`Message`: English for the API and the command line,
    translated on the import page.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[Message, Message]] = field(default_factory=list)
    warnings: list[tuple[Message, Message]] = field(default_factory=list)

    @property
    def good(self) -> int:
        """Rows that were accepted (created, updated or unchanged)."""
        return self.created + self.updated + self.unchanged


@dataclass
class _Good:
    row: formats.Row
    fields: ResourceFields
    external_id: str
    prerequisites: list[str]


def _prerequisite_ids(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
    return [str(item).strip() for item in items if str(item).strip()]


def _validate_rows(
    session: Session, provider: Provider, rows: list[formats.Row], report: ImportReport
) -> list[_Good]:
    good: list[_Good] = []
    seen: dict[str, Message] = {}
    for row in rows:
        try:
            data = {k: v for k, v in row.data.items() if k not in ("prerequisites", "provider")}
            fields = validation.resource_fields(session, data, partial=False)
            if not fields.external_id:
                raise validation.missing(N_("external_id"))
            if fields.external_id in seen:
                raise BadRequest(
                    N_("external_id %(id)s repeats %(where)s."),
                    params={"id": repr(fields.external_id), "where": seen[fields.external_id]},
                )
        except BadRequest as error:
            report.rejected.append((row.location, error.message))
            continue
        seen[fields.external_id] = row.location
        if fields.description and validation.HTML_TAG.search(fields.description):
            report.warnings.append(
                (
                    row.location,
                    Message(N_("description contains HTML markup; it is kept as plain text.")),
                )
            )
        fields.provider = provider
        good.append(
            _Good(row, fields, fields.external_id, _prerequisite_ids(row.data.get("prerequisites")))
        )
    return good


def _drop_unresolved(
    good: list[_Good], existing: dict[str, Resource], report: ImportReport
) -> list[_Good]:
    """Reject rows naming unknown prerequisites (repeat: a rejection can orphan others)."""
    while True:
        known = set(existing) | {g.external_id for g in good}
        kept = []
        for item in good:
            missing = [p for p in item.prerequisites if p not in known]
            if missing:
                reason = Message(
                    N_("Unknown prerequisite %(id)s for this provider."),
                    {"id": repr(missing[0])},
                )
                report.rejected.append((item.row.location, reason))
            elif item.external_id in item.prerequisites:
                reason = Message(N_("A resource cannot be its own prerequisite."))
                report.rejected.append((item.row.location, reason))
            else:
                kept.append(item)
        if len(kept) == len(good):
            return kept
        good = kept


def _same(resource: Resource, fields: ResourceFields, prerequisites: list[str]) -> bool:
    """Whether storing ``fields`` would change nothing."""
    wanted = {
        "title": fields.title,
        "description": fields.description or "",
        "language": fields.language,
        "type": fields.type,
        "level": fields.level,
        "format": fields.format,
        "subject_id": fields.subject.id if fields.subject else None,
        "duration_minutes": fields.duration_minutes or 0,
        "credits": fields.credits or Decimal("0"),
        "tags": fields.tags or [],
        "content": fields.content or {},
    }
    if any(getattr(resource, k) != v for k, v in wanted.items()):
        return False
    if fields.status is not None and resource.status != fields.status:
        return False
    return sorted(p.external_id for p in resource.prerequisites) == sorted(prerequisites)


def import_catalogue(
    session: Session,
    settings: Settings,
    *,
    provider_code: str,
    filename: str,
    payload: bytes,
    user: User | None = None,
) -> ImportReport:
    """Upsert the file's good rows (by provider + external id) and report on every row.

    ``user`` is the staff member importing (None: the command line, with full rights);
    an existing resource they may not edit is rejected rather than overwritten.
    """
    if user is not None:
        service.require_author(user)
    provider = validation.provider(session, provider_code)
    rows = formats.parse(filename, payload)
    report = ImportReport()
    good = _validate_rows(session, provider, rows, report)
    wanted = [g.external_id for g in good] + [p for g in good for p in g.prerequisites]
    existing = repository.resources_by_external_ids(session, provider.id, wanted)
    good = _drop_unresolved(good, existing, report)
    touched: list[Resource] = []
    resources: dict[str, Resource] = dict(existing)
    pending_prerequisites: list[tuple[Resource, list[str]]] = []
    for item in good:
        resource = existing.get(item.external_id)
        if resource is not None and user is not None and not service.can_edit(user, resource):
            reason = Message(N_("You may not edit this existing resource."))
            report.rejected.append((item.row.location, reason))
            continue
        if resource is not None and _same(resource, item.fields, item.prerequisites):
            report.unchanged += 1
            continue
        if resource is None:
            resource = Resource(
                provider=provider,
                external_id=item.external_id,
                status=ResourceStatus.draft,
                branch_id=user.branch_id
                if user is not None and user.role.value != "hq_admin"
                else None,
                created_by_id=user.id if user is not None else None,
                enrolment_count=0,
            )
            session.add(resource)
            item.fields.status = item.fields.status or ResourceStatus.published
            report.created += 1
        else:
            report.updated += 1
        item.fields.description = item.fields.description or ""
        item.fields.duration_minutes = item.fields.duration_minutes or 0
        item.fields.credits = item.fields.credits or Decimal("0")
        item.fields.tags = item.fields.tags or []
        item.fields.content = item.fields.content or {}
        service.apply_fields(resource, item.fields)
        resource.updated_at = utcnow()
        resources[item.external_id] = resource
        pending_prerequisites.append((resource, item.prerequisites))
        touched.append(resource)
    session.flush()
    for resource, prerequisite_ids in pending_prerequisites:
        resource.prerequisites = [resources[p] for p in prerequisite_ids]
    session.flush()
    report.rejected.sort(key=lambda item: _order(item[0]))
    record(
        session,
        "catalogue_imported",
        actor=user,
        subject=provider.code,
        file=filename[:200],
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(report.rejected),
    )
    indexing.stage(session, settings, touched)
    return report


def _order(location: str) -> tuple[str, int]:
    head, _, number = location.rpartition(" ")
    return (head, int(number)) if number.isdigit() else (location, 0)
