"""``GET /api/v1/recommendations`` in both languages, its errors, and the home page."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.app import create_app
from lifelong.config import Settings
from lifelong.personalize.model import RecommenderModel
from tests.factories import login, token_for
from tests.personalize.factories import World, learner


@pytest.fixture
def app_client(settings: Settings, model: RecommenderModel) -> Iterator[TestClient]:
    """The app serving the model trained by the ``model`` fixture (no training of its own)."""
    settings.recommend.train_on_startup = False
    with TestClient(create_app(settings)) as client:
        yield client


def test_api_returns_explanations_in_both_languages(
    world: World, db: Session, app_client: TestClient, model: RecommenderModel
) -> None:
    user = world.learners["CS"][0]
    headers = token_for(app_client, user.username)
    response = app_client.get("/api/v1/recommendations?kind=because&limit=4", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "because"
    assert body["model_version"] == model.version
    assert len(body["items"]) == 4
    item = body["items"][0]
    assert item["url"] == f"/resources/{item['resource_id']}"
    assert item["reason"]["code"] == "because"
    assert item["reason"]["text"]["en"].startswith("Because you studied “CS resource")
    assert item["reason"]["text"]["zh_CN"].startswith("因为你学习了《CS resource")


def test_api_for_a_newcomer_uses_their_interests(
    world: World, db: Session, app_client: TestClient
) -> None:
    newcomer = learner(db, world.branch, occupation=None, interests=["ART"])
    db.commit()
    headers = token_for(app_client, newcomer.username)
    body = app_client.get("/api/v1/recommendations", headers=headers).json()
    assert body["kind"] == "for_you"
    assert [i["title"][:3] for i in body["items"][:5]] == ["ART"] * 5
    # ART is a subject's code: the reason names the subject (tests' subjects: 学科).
    assert body["items"][0]["reason"]["text"]["zh_CN"] == "符合你对“学科”的兴趣"
    assert body["items"][0]["reason"]["text"]["en"] == "Matches your interest in ART subject"


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("kind=trending", 400, "for_you, because, branch, programme, similar"),
        ("limit=0", 400, "limit must be between 1 and 50"),
        ("limit=ten", 400, "limit"),
        ("kind=similar", 400, "resource_id"),
        ("kind=similar&resource_id=424242", 404, "424242"),
    ],
)
def test_api_rejects_bad_input_clearly(
    world: World, app_client: TestClient, query: str, status: int, says: str
) -> None:
    headers = token_for(app_client, world.learners["ART"][0].username)
    response = app_client.get(f"/api/v1/recommendations?{query}", headers=headers)
    assert response.status_code == status
    assert says in str(response.json())


def test_api_needs_a_signed_in_caller(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/recommendations")
    assert response.status_code == 401


def test_learner_home_shows_recommendations_in_both_languages(
    world: World, app_client: TestClient
) -> None:
    user = world.learners["MED"][0]
    login(app_client, user.username)
    app_client.cookies.set("lifelong_locale", "en")
    page = app_client.get("/").text
    assert "Recommended for you" in page
    assert "Because you studied" in page
    assert "MED resource" in page
    app_client.cookies.set("lifelong_locale", "zh_CN")
    page = app_client.get("/").text
    assert "为你推荐" in page
    assert "因为你学习了《MED resource" in page


def test_web_process_trains_in_the_background_when_no_model_exists(
    world: World, settings: Settings
) -> None:
    from tests.personalize.factories import tuned

    tuned(settings)
    assert not (settings.recommender_dir / "CURRENT").exists()
    started = time.monotonic()
    with TestClient(create_app(settings)) as client:
        assert time.monotonic() - started < 5  # start-up is not held up by training
        headers = token_for(client, world.learners["LAW"][0].username)
        deadline = time.monotonic() + 60
        version = None
        while time.monotonic() < deadline and version is None:
            client.app.state.recommender.refresh()  # type: ignore[attr-defined]
            version = client.get("/api/v1/recommendations", headers=headers).json()["model_version"]
            time.sleep(0.5)
        assert version is not None
        assert (settings.recommender_dir / "CURRENT").read_text() == version


def test_resource_page_heading_matches_the_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    """'Learners who studied this also studied' only when some item is co-enrolled; a
    section of content-only likeness (a new resource) is 'Similar resources'."""
    from lifelong.personalize import pages
    from lifelong.personalize.reasons import Reason
    from lifelong.personalize.service import Recommendation

    def items(*codes: str) -> list[Recommendation]:
        return [
            Recommendation(None, "similar", 1.0, Reason(code, {"title": "x"})) for code in codes
        ]  # type: ignore[arg-type]

    for codes, title in (
        (("similar", "similar"), "Similar resources"),
        (("similar", "also_studied"), "Learners who studied this also studied"),
    ):
        monkeypatch.setattr(pages, "_safely", lambda *a, codes=codes, **k: items(*codes))
        assert [s.title for s in pages.resource_sections(None, None, 1)] == [title]  # type: ignore[arg-type]
    monkeypatch.setattr(pages, "_safely", lambda *a, **k: [])
    assert pages.resource_sections(None, None, 1) == []  # type: ignore[arg-type]
