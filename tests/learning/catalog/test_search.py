"""Search through the API: Chinese, English, typos, facets, sorting, paging, index upkeep."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.learning.catalog import indexing
from lifelong.learning.models import ResourceStatus
from tests.learning.catalog.factories import index_now, make_resource, seed_catalogue


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/resources", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _titles(body: dict[str, Any]) -> list[str]:
    return [r["title"] for r in body["results"]]


def test_two_character_chinese_query_finds_the_compound(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    body = _search(client, q="教育")
    assert _titles(body) == ["终身教育概论"]
    assert "<mark>教育</mark>" in body["results"][0]["title_html"]


def test_chinese_compound_query_and_mixed_language(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    assert _titles(_search(client, q="终身教育")) == ["终身教育概论"]
    assert _titles(_search(client, q="数据分析 python")) == ["数据分析 Data Analysis with Python"]
    assert _search(client, q="书法")["total"] == 1


def test_english_is_stemmed(client: TestClient, db: Session, settings: Settings) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    body = _search(client, q="learned computer")
    assert _titles(body) == ["Introduction to Machine Learning"]
    snippet = body["results"][0]["snippet_html"]
    assert "<mark>computers</mark>" in snippet and "<mark>learn</mark>" in snippet


def test_typos_are_tolerated_and_reported(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    body = _search(client, q="machne lerning")  # one edit each
    assert _titles(body) == ["Introduction to Machine Learning"]
    assert body["corrections"] == {"machne": "machine", "lerning": "learning"}
    body = _search(client, q="progarmming")  # a transposition
    assert _titles(body) == ["Programming Fundamentals"]
    assert _search(client, q="zzzzqqqq")["total"] == 0


def test_drafts_never_appear(client: TestClient, db: Session, settings: Settings) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    assert _search(client, q="draft")["total"] == 0
    assert _search(client)["total"] == 5


def test_facets_count_matches_and_keep_other_values_of_the_filtered_facet(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    body = _search(client)
    language = dict((f["value"], f["count"]) for f in body["facets"]["language"])
    assert language == {"zh": 3, "en": 2}
    body = _search(client, language="en")
    assert body["total"] == 2
    language = dict((f["value"], f["count"]) for f in body["facets"]["language"])
    assert language == {"zh": 3, "en": 2}  # its own filter is ignored for its counts
    types = dict((f["value"], f["count"]) for f in body["facets"]["type"])
    assert types == {"course": 1, "assessment": 1}
    credit = dict((f["value"], f["count"]) for f in _search(client)["facets"]["credit_bearing"])
    assert credit == {"0": 3, "1": 2}


def test_filters_combine_and_subject_includes_its_subtree(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    assert set(_titles(_search(client, subject="EDU"))) == {"终身教育概论", "老年大学书法入门"}
    assert _titles(_search(client, subject="EDU1")) == ["终身教育概论"]
    assert _titles(_search(client, credit_bearing="true", language="zh")) == ["终身教育概论"]
    assert _search(client, provider="XT", type="assessment")["total"] == 1
    assert _titles(_search(client, level="elderly")) == ["老年大学书法入门"]


def test_sorting_and_paging(client: TestClient, db: Session, settings: Settings) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    popular = _titles(_search(client, sort="popularity"))
    assert popular[:3] == [
        "Introduction to Machine Learning",
        "终身教育概论",
        "数据分析 Data Analysis with Python",
    ]
    newest = _titles(_search(client, sort="newest"))
    assert newest[0] == "Programming Fundamentals"  # created last
    page1 = _search(client, sort="popularity", page_size=2, page=1)
    page3 = _search(client, sort="popularity", page_size=2, page=3)
    assert page1["total"] == 5 and len(page1["results"]) == 2 and len(page3["results"]) == 1
    assert _titles(page1) == popular[:2]


def test_relevance_prefers_title_matches(
    client: TestClient, db: Session, settings: Settings
) -> None:
    data = seed_catalogue(db)
    make_resource(
        db,
        data["providers"][0],
        data["subjects"]["cs"],
        "Spreadsheets",
        description="Some statistics in the description only.",
        language="en",
    )
    make_resource(
        db,
        data["providers"][0],
        data["subjects"]["cs"],
        "Statistics for Everyone",
        description="A friendly start.",
        language="en",
    )
    index_now(settings, db)
    titles = _titles(_search(client, q="statistics"))
    assert titles[0] == "Statistics for Everyone"
    assert set(titles) == {
        "Statistics for Everyone",
        "Spreadsheets",
        "Introduction to Machine Learning",
    }


def test_bad_parameters_are_400_naming_the_problem(client: TestClient) -> None:
    for params, word in (
        ({"sort": "cheapest"}, "sort"),
        ({"type": "podcast"}, "type"),
        ({"page": 0}, "page"),
        ({"page_size": 1000}, "page_size"),
        ({"credit_bearing": "maybe"}, "credit_bearing"),
        ({"q": "x" * 300}, "q"),
    ):
        response = client.get("/api/v1/resources", params=params)
        assert response.status_code == 400, params
        assert word in response.json()["error"]


def test_only_stop_words_or_punctuation_match_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    assert _search(client, q="the")["total"] == 0
    assert _search(client, q='"*" OR ( NEAR')["total"] == 0  # FTS5 syntax is quoted away


def test_index_is_built_at_start_up_and_caught_up_incrementally(
    db: Session, settings: Settings
) -> None:
    from lifelong.app import create_app

    data = seed_catalogue(db)
    db.commit()
    with TestClient(create_app(settings)) as client:  # the lifespan builds the index
        assert _search(client, q="教育")["total"] == 1
    # Changed behind the index's back (e.g. by the generator): caught up at the next start.
    data["ml"].title = "Deep Learning Basics"
    data["elderly"].status = ResourceStatus.retired
    db.commit()
    assert indexing.sync(settings, db) == "synced"
    assert indexing.sync(settings, db) == "fresh"
    with TestClient(create_app(settings)) as client:
        assert _titles(_search(client, q="deep")) == ["Deep Learning Basics"]
        assert _search(client, q="书法")["total"] == 0
    # A deleted row cannot be seen by the watermark: the count mismatch forces a rebuild.
    db.delete(data["programming"])
    db.commit()
    assert indexing.sync(settings, db) == "rebuilt"


def test_missing_index_file_is_rebuilt(db: Session, settings: Settings) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    settings.search_index_path.unlink()
    assert indexing.sync(settings, db) == "rebuilt"
    assert indexing.catalogue_index(settings).meta()["documents"] == "5"


def test_other_forms_of_known_words_are_not_corrected(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    body = _search(client, q="learned")  # not in the vocabulary, but its stem is indexed
    assert body["corrections"] == {}
    assert _titles(body) == ["Introduction to Machine Learning"]
