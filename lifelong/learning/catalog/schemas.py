"""API shapes of the catalogue (resources, search results, programmes, imports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifelong.learning.models import (
    Programme,
    Resource,
    ResourceFormat,
    ResourceLevel,
    ResourceStatus,
    ResourceType,
)


class ProviderRead(BaseModel):
    """A provider as listed with a resource."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str


class SubjectRead(BaseModel):
    """A subject as listed with a resource."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str


class ResourceSummary(BaseModel):
    """A resource in lists and search results."""

    id: int
    external_id: str
    title: str
    description: str
    language: str
    type: ResourceType
    level: ResourceLevel
    format: ResourceFormat
    subject: SubjectRead
    provider: ProviderRead
    duration_minutes: int
    credits: float
    tags: list[str]
    status: ResourceStatus
    published_at: datetime | None
    enrolment_count: int
    url: str

    @classmethod
    def of(cls, resource: Resource) -> ResourceSummary:
        """Build from the model (credits as a number, the page URL added)."""
        return cls(
            id=resource.id,
            external_id=resource.external_id,
            title=resource.title,
            description=resource.description or "",
            language=resource.language,
            type=resource.type,
            level=resource.level,
            format=resource.format,
            subject=SubjectRead.model_validate(resource.subject),
            provider=ProviderRead.model_validate(resource.provider),
            duration_minutes=resource.duration_minutes,
            credits=float(resource.credits or 0),
            tags=list(resource.tags or []),
            status=resource.status,
            published_at=resource.published_at,
            enrolment_count=resource.enrolment_count or 0,
            url=f"/resources/{resource.id}",
        )


class ResourceRead(ResourceSummary):
    """A resource with its type-specific content and prerequisites."""

    content: dict[str, Any]
    prerequisites: list[int]
    branch_id: int | None

    @classmethod
    def of(cls, resource: Resource) -> ResourceRead:
        """Build from the model."""
        base = ResourceSummary.of(resource).model_dump()
        return cls(
            **base,
            content=dict(resource.content or {}),
            prerequisites=[p.id for p in resource.prerequisites],
            branch_id=resource.branch_id,
        )


class SearchHit(ResourceSummary):
    """A search result: the resource with escaped, ``<mark>``-highlighted HTML."""

    title_html: str
    snippet_html: str


class FacetValue(BaseModel):
    """One value of a facet and how many results have it."""

    value: str
    count: int


class SearchResponse(BaseModel):
    """A page of search results with facet counts."""

    total: int
    page: int
    page_size: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    corrections: dict[str, str] = Field(
        description="Unknown query words and the vocabulary words searched instead."
    )


class ResourceWrite(BaseModel):
    """Fields to create or change a resource (omit a field to leave it as it is)."""

    model_config = ConfigDict(extra="forbid")

    provider: str | None = None
    external_id: str | None = None
    title: str | None = None
    description: str | None = None
    language: str | None = None
    type: str | None = None
    level: str | None = None
    format: str | None = None
    subject: str | None = None
    duration_minutes: int | None = None
    credits: float | None = None
    tags: list[str] | None = None
    content: dict[str, Any] | None = None
    prerequisites: list[int] | None = None
    status: str | None = None


class StatusChange(BaseModel):
    """Publish, retire or un-publish."""

    status: ResourceStatus


class ProgrammeItemRead(BaseModel):
    """A programme's resource at its position."""

    position: int
    resource: ResourceSummary


class ProgrammeRead(BaseModel):
    """A programme and its ordered resources."""

    id: int
    code: str
    title: str
    description: str
    credential: str
    level: ResourceLevel
    branch_id: int | None
    items: list[ProgrammeItemRead]
    total_credits: float

    @classmethod
    def of(cls, programme: Programme) -> ProgrammeRead:
        """Build from the model."""
        return cls(
            id=programme.id,
            code=programme.code,
            title=programme.title,
            description=programme.description or "",
            credential=programme.credential,
            level=programme.level,
            branch_id=programme.branch_id,
            items=[
                ProgrammeItemRead(position=i.position, resource=ResourceSummary.of(i.resource))
                for i in programme.items
            ],
            total_credits=float(sum((i.resource.credits or 0) for i in programme.items)),
        )


class ProgrammeWrite(BaseModel):
    """Fields to create or change a programme; ``items`` are resource ids in order."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = None
    title: str | None = None
    description: str | None = None
    credential: str | None = None
    level: str | None = None
    items: list[int] | None = None


class RejectedRow(BaseModel):
    """A row that was not imported and why."""

    location: str
    reason: str


class ImportResult(BaseModel):
    """The per-row report of a catalogue import."""

    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]
    warnings: list[RejectedRow]
