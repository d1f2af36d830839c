"""Catalogue, matrix and programme pages; escaping of hostile text everywhere."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.accounts.models import Role
from lifelong.config import Settings
from lifelong.learning.models import Programme, ProgrammeItem, ResourceLevel
from tests.factories import login, make_user
from tests.learning.catalog.factories import index_now, make_resource, seed_catalogue

SCRIPT = '<script>alert("x")</script>'


def test_catalogue_page_searches_with_facets_highlights_and_links(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    page = client.get("/catalogue", params={"q": "教育"})
    assert page.status_code == 200
    assert "<mark>教育</mark>" in page.text
    assert 'href="/resources/' in page.text
    assert 'data-facet="type"' in page.text
    english = client.get(
        "/catalogue", params={"q": "learning", "language": "en"}, headers={"accept-language": "en"}
    )
    assert "Introduction to <mark>Machine</mark>" not in english.text
    assert "<mark>Learning</mark>" in english.text
    assert "Clear all filters" in english.text
    chinese = client.get("/catalogue", headers={"accept-language": "zh-CN"})
    assert "资源目录" in chinese.text and "课程" in chinese.text  # translated page and facet labels


def test_catalogue_pages_through_results(
    client: TestClient, db: Session, settings: Settings
) -> None:
    data = seed_catalogue(db)
    for n in range(25):
        make_resource(
            db, data["providers"][0], data["subjects"]["cs"], f"Course number {n}", language="en"
        )
    index_now(settings, db)
    first = client.get("/catalogue", params={"q": "course"}, headers={"accept-language": "en"})
    assert "Page 1 of 2" in first.text and "page=2" in first.text
    second = client.get(
        "/catalogue", params={"q": "course", "page": 2}, headers={"accept-language": "en"}
    )
    assert len(re.findall(r'<article class="card result">', second.text)) == 5


def test_matrix_counts_every_cell_and_links_into_the_catalogue(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    page = client.get("/matrix", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "5 published resources" in page.text
    assert 'href="/catalogue?type=course&amp;level=bachelor&amp;format=video"' in page.text
    cell = client.get(
        "/catalogue", params={"type": "course", "level": "bachelor", "format": "video"}
    )
    assert len(re.findall(r'<article class="card result">', cell.text)) == 2  # 终身教育概论 + ML
    assert 'href="/catalogue?subject=EDU1"' in page.text  # subject tree
    api = client.get("/api/v1/matrix").json()
    assert api["total"] == 5
    assert {"type": "course", "level": "bachelor", "format": "video", "count": 2} in api["cells"]
    tree = client.get("/api/v1/subjects").json()
    edu = next(node for node in tree if node["code"] == "EDU")
    assert edu["count"] == 2 and edu["children"][0]["count"] == 1


def test_programme_pages(client: TestClient, db: Session, settings: Settings) -> None:
    data = seed_catalogue(db)
    programme = Programme(
        code="P1", title="终身学习证书", credential="证书", level=ResourceLevel.community
    )
    programme.items = [
        ProgrammeItem(resource_id=data["ml"].id, position=1),
        ProgrammeItem(resource_id=data["lifelong"].id, position=2),
    ]
    db.add(programme)
    db.commit()
    listing = client.get("/programmes")
    assert "终身学习证书" in listing.text
    detail = client.get(f"/programmes/{programme.id}").text
    assert detail.index("Introduction to Machine Learning") < detail.index("终身教育概论")
    assert client.get("/programmes/9999").status_code == 404


def test_script_in_titles_descriptions_and_tags_is_escaped_everywhere(
    client: TestClient, db: Session, settings: Settings
) -> None:
    data = seed_catalogue(db)
    hostile = make_resource(
        db,
        data["providers"][0],
        data["subjects"]["cs"],
        f"Hacking {SCRIPT} 教育",
        description=f"{SCRIPT} <img src=x onerror=alert(1)> learning",
        tags=[SCRIPT],
        language="en",
    )
    programme = Programme(
        code="PX",
        title=SCRIPT,
        credential=SCRIPT,
        description=SCRIPT,
        level=ResourceLevel.community,
    )
    programme.items = [ProgrammeItem(resource_id=hostile.id, position=1)]
    db.add(programme)
    teacher = make_user(db, Role.hq_admin, username="hq_escape")
    hostile.created_by_id = teacher.id
    index_now(settings, db)
    login(client, "hq_escape")
    pages = [
        client.get("/catalogue", params={"q": "hacking"}),
        client.get("/catalogue", params={"q": "教育"}),
        client.get("/catalogue", params={"q": SCRIPT}),
        client.get("/catalogue"),
        client.get("/matrix"),
        client.get("/programmes"),
        client.get(f"/programmes/{programme.id}"),
        client.get("/teach/resources"),
        client.get(f"/teach/resources/{hostile.id}/edit"),
        client.get(f"/teach/programmes/{programme.id}/edit"),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text, page.url
        assert "<img src=x" not in page.text, page.url
    assert "&lt;script&gt;" in pages[0].text
    api = client.get("/api/v1/resources", params={"q": "hacking"}).json()
    hit = api["results"][0]
    assert "<script>" not in hit["title_html"] and "<script>" not in hit["snippet_html"]
    assert "&lt;script&gt;" in hit["title_html"] and "<mark>Hacking</mark>" in hit["title_html"]
    assert hit["title"] == f"Hacking {SCRIPT} 教育"  # JSON carries the text as it was stored
    assert (
        client.get(f"/api/v1/resources/{hostile.id}").headers["content-type"] == "application/json"
    )


def test_anonymous_visitors_may_browse_but_not_author(
    client: TestClient, db: Session, settings: Settings
) -> None:
    seed_catalogue(db)
    index_now(settings, db)
    assert client.get("/catalogue").status_code == 200
    assert client.get("/matrix").status_code == 200
    assert client.get("/api/v1/resources").status_code == 200
    assert client.get("/teach/resources", follow_redirects=False).status_code == 303  # to sign in
    assert client.post("/api/v1/resources", json={}).status_code == 401


def test_nav_shows_catalogue_and_staff_entries(client: TestClient, db: Session) -> None:
    make_user(db, Role.learner, username="nav_learner")
    make_user(db, Role.teacher, username="nav_teacher")
    db.commit()
    login(client, "nav_learner")
    home = client.get("/", headers={"accept-language": "en"}).text
    assert 'href="/catalogue"' in home and 'href="/matrix"' in home
    assert 'href="/teach/resources"' not in home
    client.cookies.clear()
    login(client, "nav_teacher")
    assert 'href="/teach/resources"' in client.get("/").text
