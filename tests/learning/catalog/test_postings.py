"""The in-memory view agrees with FTS5 on the same file and follows other writers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.learning.catalog import analysis, indexing
from lifelong.learning.catalog.postings import PostingsView
from lifelong.learning.catalog.search import match_expression
from tests.learning.catalog.factories import index_now, make_resource, seed_catalogue

QUERIES = [
    "教育",
    "终身教育",
    "数据分析",
    "learning",
    "data python",
    "老年大学 书法",
    "machine learn",
]


def test_view_matches_exactly_what_fts5_matches(db: Session, settings: Settings) -> None:
    data = seed_catalogue(db)
    for n in range(30):
        make_resource(
            db,
            data["providers"][0],
            data["subjects"]["cs"],
            f"终身学习 第{n}讲 data",
            description="learning python 教育" if n % 3 else "statistics",
        )
    index_now(settings, db)
    index = indexing.catalogue_index(settings)
    view = PostingsView(index)
    view.refresh()
    for query in QUERIES:
        terms = analysis.query_terms(query)
        expected = index.match_ids(match_expression(terms))
        hits = view.search(
            [t.alternatives for t in terms], {}, sort="relevance", limit=100, offset=0
        )
        assert set(hits.ids) == expected, query
        assert hits.total == len(expected)


def test_another_process_view_catches_up_and_reloads_after_rebuild(
    db: Session, settings: Settings
) -> None:
    data = seed_catalogue(db)
    index_now(settings, db)
    other = PostingsView(indexing.catalogue_index(settings))  # as in another worker process
    groups = [[("python",)]]
    assert other.search(groups, {}, sort="relevance", limit=10, offset=0).total == 1
    data["ml"].description = "Now with Python notebooks."
    data["data"].status = data["data"].status.retired
    db.commit()
    indexing.sync(settings, db)
    hits = other.search(groups, {}, sort="relevance", limit=10, offset=0)
    assert hits.ids == [data["ml"].id]
    assert other.search(None, {}, sort="popularity", limit=10, offset=0).total == 4
    indexing.rebuild(settings, db)
    generation = other.generation
    assert other.search(groups, {}, sort="relevance", limit=10, offset=0).ids == [data["ml"].id]
    assert other.generation > generation


def test_bm25_prefers_title_and_rarer_terms(db: Session, settings: Settings) -> None:
    data = seed_catalogue(db)
    cs = data["subjects"]["cs"]
    ou = data["providers"][0]
    title = make_resource(db, ou, cs, "Cloud computing", description="basics", language="en")
    body = make_resource(db, ou, cs, "Basics", description="cloud computing", language="en")
    index_now(settings, db)
    view = indexing.postings_view(settings)
    hits = view.search([[("cloud",)]], {}, sort="relevance", limit=10, offset=0)
    assert hits.ids == [title.id, body.id]
