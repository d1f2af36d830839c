"""Keeping the node's search index in step with the operational store.

Changes made through the catalogue services are *staged* on the SQLAlchemy session and
written to the index only after the operational transaction commits (a rolled-back
change never reaches the index). At start-up :func:`ensure_index` catches up with
anything written by other means (the generator, another node): it re-indexes resources
updated after the index's watermark, and rebuilds when the counts still disagree or the
index's layout changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from lifelong.config import Settings
from lifelong.learning.catalog import repository
from lifelong.learning.catalog.index import SCHEMA_VERSION, CatalogueIndex, IndexDoc
from lifelong.learning.catalog.postings import PostingsView
from lifelong.learning.models import Resource, ResourceStatus, Subject

log = logging.getLogger("lifelong.search")
STAGED = "catalog_index_staged"
READY = "catalog_index_ready"


@cache
def _index_at(path: Path) -> CatalogueIndex:
    return CatalogueIndex(path)


@cache
def _view_at(path: Path) -> PostingsView:
    return PostingsView(_index_at(path))


def postings_view(settings: Settings) -> PostingsView:
    """This process's in-memory view of the node's index (loaded on first use)."""
    return _view_at(settings.search_index_path.resolve())


def catalogue_index(settings: Settings) -> CatalogueIndex:
    """The index of this node (one object per file, so its small caches are shared)."""
    return _index_at(settings.search_index_path.resolve())


def subject_paths(subjects: Iterable[Subject]) -> dict[int, str]:
    """Each subject's ancestry as ``|ROOT|...|SELF|`` (subtree filters use it)."""
    by_id = {s.id: s for s in subjects}
    paths: dict[int, str] = {}
    for subject in by_id.values():
        codes = []
        node: Subject | None = subject
        seen: set[int] = set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            codes.append(node.code)
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        paths[subject.id] = "|" + "|".join(reversed(codes)) + "|"
    return paths


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def doc_for(resource: Resource, paths: dict[int, str]) -> IndexDoc:
    """The index document of a resource."""
    return IndexDoc(
        id=resource.id,
        type=resource.type.value,
        level=resource.level.value,
        format=resource.format.value,
        subject=resource.subject.code,
        subject_path=paths.get(resource.subject_id, f"|{resource.subject.code}|"),
        provider=resource.provider.code,
        language=resource.language,
        credit_bearing=1 if (resource.credits or 0) > 0 else 0,
        popularity=resource.enrolment_count or 0,
        published=_iso(resource.published_at or resource.created_at),
        updated=_iso(resource.updated_at),
        title=resource.title,
        description=resource.description or "",
        tags=" ".join(resource.tags or []),
    )


def _published_docs(session: Session, resources: Iterable[Resource]) -> Iterator[IndexDoc]:
    paths = subject_paths(repository.subjects(session))
    for resource in resources:
        if resource.status == ResourceStatus.published:
            yield doc_for(resource, paths)


def rebuild(settings: Settings, session: Session) -> int:
    """Rebuild the index from every published resource; returns how many were indexed."""
    with Session(session.get_bind()) as reader:  # its own session: batches are expunged
        return _rebuild(settings, reader)


def _rebuild(settings: Settings, session: Session) -> int:
    _, latest = repository.resource_stamp(session)
    docs = _published_docs(session, repository.iter_resources(session))
    count = catalogue_index(settings).rebuild(docs, _iso(latest))
    log.info("search index rebuilt: %d resources", count)
    return count


def sync(settings: Settings, session: Session) -> str:
    """Bring the index up to date: ``fresh``, ``synced`` (incremental) or ``rebuilt``."""
    with Session(session.get_bind()) as reader:  # its own session: batches are expunged
        return _sync(settings, reader)


def _sync(settings: Settings, session: Session) -> str:
    index = catalogue_index(settings)
    meta = index.meta()
    published, latest = repository.resource_stamp(session)
    if meta.get("schema") != SCHEMA_VERSION:
        _rebuild(settings, session)
        return "rebuilt"
    watermark = meta.get("watermark") or ""
    if int(meta["documents"]) == published and _iso(latest) <= watermark:
        return "fresh"
    since = datetime.fromisoformat(watermark) if watermark else None
    changed = list(repository.iter_resources(session, updated_after=since))
    paths = subject_paths(repository.subjects(session))
    upserts = [doc_for(r, paths) for r in changed if r.status == ResourceStatus.published]
    removals = [r.id for r in changed if r.status != ResourceStatus.published]
    index.apply(upserts, removals, watermark=_iso(latest))
    if int(index.meta()["documents"]) != published:
        _rebuild(settings, session)  # a resource was deleted outright: start again
        return "rebuilt"
    return "synced"


def ensure_index(settings: Settings, session_factory: sessionmaker[Session]) -> str:
    """Build the index when missing or stale (called at start-up); returns what it did."""
    with session_factory() as session:
        outcome = sync(settings, session)
    postings_view(settings).refresh()  # load now rather than on the first search
    return outcome


def stage(session: Session, settings: Settings, resources: Iterable[Resource]) -> None:
    """Re-index ``resources`` once ``session`` commits."""
    staged: dict[str, Any] = session.info.setdefault(STAGED, {"path": None, "resources": []})
    staged["path"] = settings.search_index_path.resolve()
    staged["resources"].extend(resources)


@event.listens_for(Session, "before_commit")
def _prepare(session: Session) -> None:
    """Turn staged resources into documents while the transaction can still read."""
    staged = session.info.pop(STAGED, None)
    if not staged or not staged["resources"]:
        return
    session.flush()
    paths = subject_paths(repository.subjects(session))
    upserts, removals = [], []
    for resource in {id(r): r for r in staged["resources"]}.values():
        if resource.status == ResourceStatus.published:
            upserts.append(doc_for(resource, paths))
        else:
            removals.append(resource.id)
    session.info[READY] = (staged["path"], upserts, removals)


@event.listens_for(Session, "after_commit")
def _write(session: Session) -> None:
    """Apply the prepared documents to the index now that the data is committed."""
    ready = session.info.pop(READY, None)
    if ready:
        path, upserts, removals = ready
        try:
            # No watermark: other writers may have committed in between; sync checks counts.
            _index_at(path).apply(upserts, removals)
        except Exception:  # the data is committed; the next start-up sync re-indexes it
            log.exception("could not update the search index for %d resources", len(upserts))


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    """A rolled-back change never reaches the index."""
    session.info.pop(STAGED, None)
    session.info.pop(READY, None)
