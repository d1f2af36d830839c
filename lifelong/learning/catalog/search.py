"""Catalogue search: query analysis, typo correction, the index query and hydration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.errors import BadRequest
from lifelong.i18n import N_, Message
from lifelong.learning.catalog import analysis, repository
from lifelong.learning.catalog.highlight import highlight
from lifelong.learning.catalog.index import FACETS, SORTS
from lifelong.learning.catalog.indexing import catalogue_index, postings_view
from lifelong.learning.models import (
    Resource,
    ResourceFormat,
    ResourceLevel,
    ResourceType,
)

MAX_QUERY_CHARS = 200
ENUM_FILTERS: dict[str, type[Any]] = {
    "type": ResourceType,
    "level": ResourceLevel,
    "format": ResourceFormat,
}


@dataclass
class SearchParams:
    """What a catalogue search asks for (already parsed from the request)."""

    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20


@dataclass
class Hit:
    """One result: the resource and its highlighted title and snippet."""

    resource: Resource
    title_html: Markup
    snippet_html: Markup


@dataclass
class SearchPage:
    """A page of results with the total, facet counts and any spelling corrections."""

    params: SearchParams
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    corrections: dict[str, str]

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.params.page_size))


def validate(params: SearchParams, settings: Settings) -> SearchParams:
    """Check the parameters; 400 naming the first wrong one."""
    if len(params.q) > MAX_QUERY_CHARS:
        raise BadRequest(
            N_("q is longer than %(max)s characters."), params={"max": MAX_QUERY_CHARS}
        )
    if params.sort not in SORTS:
        raise BadRequest(
            N_("sort must be one of %(allowed)s, not %(value)s."),
            params={"allowed": ", ".join(SORTS), "value": repr(params.sort)},
        )
    if params.page < 1 or params.page > 10_000:
        raise BadRequest(N_("page must be between 1 and 10000."))
    if not 1 <= params.page_size <= settings.search.page_size_max:
        raise BadRequest(
            N_("page_size must be between 1 and %(max)s."),
            params={"max": settings.search.page_size_max},
        )
    for name, value in params.filters.items():
        if name not in FACETS:
            raise BadRequest(N_("Unknown filter %(name)s."), params={"name": repr(name)})
        enum = ENUM_FILTERS.get(name)
        if enum is not None and value not in enum.__members__:
            raise BadRequest(
                N_("Unknown %(field)s %(value)s: use one of %(allowed)s."),
                params={
                    "field": Message(name),
                    "value": repr(value),
                    "allowed": ", ".join(enum.__members__),
                },
            )
        if name == "credit_bearing" and value not in ("0", "1"):
            raise BadRequest(N_("credit_bearing must be true or false."))
    return params


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_expression(terms: list[analysis.QueryTerm]) -> str:
    """The FTS5 MATCH form of the query: every term, each through any alternative.

    The in-memory view evaluates the same logic; tests check both agree on the index file.
    """
    groups = []
    for term in terms:
        options = [
            _quote(alt[0]) if len(alt) == 1 else "(" + " AND ".join(map(_quote, alt)) + ")"
            for alt in term.alternatives
        ]
        groups.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    return " AND ".join(groups)


def analyse(settings: Settings, q: str) -> tuple[list[analysis.QueryTerm], dict[str, str]]:
    """Query terms with unknown Latin words replaced by their nearest vocabulary words."""
    terms = analysis.query_terms(q)
    corrections: dict[str, str] = {}
    index = catalogue_index(settings)
    view = postings_view(settings)
    view.refresh()
    for term in terms:
        if not term.latin or settings.search.max_edits == 0:
            continue
        if term.alternatives[0][0] in view.postings:
            continue  # another form of a known word (learned ~ learning): not a typo
        candidates = index.corrections(term.typed, settings.search.max_edits)
        if candidates:
            corrections[term.typed] = candidates[0]
            term.corrected = candidates[0]
            term.alternatives += [(analysis.stem(c),) for c in candidates]
            term.highlight.update(candidates)
    return terms, corrections


def search(session: Session, settings: Settings, params: SearchParams) -> SearchPage:
    """Run a catalogue search and load the page's resources from the operational store."""
    validate(params, settings)
    terms, corrections = analyse(settings, params.q) if params.q.strip() else ([], {})
    if params.q.strip() and not terms:
        # Only stop words or punctuation: nothing can match.
        return SearchPage(params, 0, [], {name: [] for name in FACETS}, {})
    hits = postings_view(settings).search(
        [term.alternatives for term in terms],
        params.filters,
        sort=params.sort,
        limit=params.page_size,
        offset=(params.page - 1) * params.page_size,
    )
    by_id = repository.resources_by_ids(session, hits.ids)
    cjk = {w for t in terms if not t.latin for w in t.highlight}
    stems = {alt[0] for t in terms if t.latin for alt in t.alternatives}
    results = [
        Hit(
            resource=by_id[i],
            title_html=highlight(by_id[i].title, cjk, stems),
            snippet_html=highlight(by_id[i].description or "", cjk, stems, snippet=True),
        )
        for i in hits.ids
        if i in by_id
    ]
    return SearchPage(params, hits.total, results, hits.facets, corrections)
