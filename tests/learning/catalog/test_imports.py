"""Catalogue import: per-row report, upsert by provider + external id, re-import idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifelong.accounts.models import Role
from lifelong.config import Settings
from lifelong.errors import BadRequest
from lifelong.learning.catalog.imports import ImportReport, import_catalogue
from lifelong.learning.models import Resource, ResourceStatus, ResourceType
from tests.factories import make_branch, make_user, token_for
from tests.learning.catalog.factories import make_provider, make_subject

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def catalogue(db: Session) -> None:
    """Subjects EDU > EDU1 and provider OU."""
    edu = make_subject(db, "EDU")
    make_subject(db, "EDU1", parent=edu)
    make_provider(db, "OU")
    db.commit()


def _import(
    db: Session, settings: Settings, name: str, payload: bytes | None = None
) -> ImportReport:
    report = import_catalogue(
        db,
        settings,
        provider_code="OU",
        filename=name,
        payload=payload if payload is not None else (FIXTURES / name).read_bytes(),
    )
    db.commit()
    return report


def _count(db: Session) -> int:
    return int(db.scalar(select(func.count(Resource.id))) or 0)


def test_broken_csv_imports_good_rows_and_reports_each_bad_one(
    catalogue: None, db: Session, settings: Settings
) -> None:
    report = _import(db, settings, "broken.csv")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    reasons = dict(report.rejected)
    assert reasons["line 3"] == "title is missing."
    assert "Unknown type 'podcast'" in reasons["line 4"]
    assert "Unknown level 'phd'" in reasons["line 5"]
    assert "Unknown format 'hologram'" in reasons["line 6"]
    assert reasons["line 7"] == "Unknown subject 'NOPE'."
    assert "duration_minutes must be a whole number" in reasons["line 8"]
    assert "credits must be between 0 and 99.9" in reasons["line 9"]
    assert "Unknown prerequisite 'GHOST'" in reasons["line 12"]
    assert "Unknown prerequisite 'C-11'" in reasons["line 13"]  # its prerequisite was rejected
    assert "repeats line 2" in reasons["line 14"]
    assert [loc for loc, _ in report.rejected] == [
        f"line {n}" for n in (3, 4, 5, 6, 7, 8, 9, 12, 13, 14)
    ]
    assert report.warnings == [
        ("line 10", "description contains HTML markup; it is kept as plain text.")
    ]
    assert _count(db) == 3
    first = db.scalar(select(Resource).where(Resource.external_id == "C-1"))
    assert first is not None
    assert (first.duration_minutes, str(first.credits), first.tags) == (
        120,
        "2.5",
        ["心理", "成人"],
    )
    assert first.status == ResourceStatus.published and first.published_at is not None
    needs = db.scalar(select(Resource).where(Resource.external_id == "C-10"))
    assert needs is not None and [p.external_id for p in needs.prerequisites] == ["C-1"]
    html = db.scalar(select(Resource).where(Resource.external_id == "C-9"))
    assert html is not None and html.description.startswith("<p>Hello")  # kept verbatim


def test_reimport_changes_nothing_and_edits_are_updates(
    catalogue: None, db: Session, settings: Settings
) -> None:
    _import(db, settings, "broken.csv")
    stamp = db.scalar(select(func.max(Resource.updated_at)))
    again = _import(db, settings, "broken.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(again.rejected) == 10
    assert db.scalar(select(func.max(Resource.updated_at))) == stamp
    edited = (
        (FIXTURES / "broken.csv").read_text().replace("成人学习心理学", "成人学习心理学（第二版）")
    )
    third = _import(db, settings, "broken.csv", edited.encode())
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert _count(db) == 3


def test_too_long_fields_are_rejected(catalogue: None, db: Session, settings: Settings) -> None:
    report = _import(db, settings, "too_long.csv")
    assert report.created == 0
    assert report.rejected == [("line 2", "title is longer than 300 characters (301).")]


def test_json_records(catalogue: None, db: Session, settings: Settings) -> None:
    payload = json.dumps(
        {
            "resources": [
                {
                    "external_id": "J-1",
                    "title": "Quiz",
                    "type": "assessment",
                    "level": "associate",
                    "format": "interactive",
                    "subject": "EDU",
                    "tags": ["quiz"],
                    "content": {
                        "questions": [{"prompt": "1+1?", "choices": ["1", "2"], "answer": 1}]
                    },
                },
                {
                    "external_id": "J-2",
                    "title": "Broken quiz",
                    "type": "assessment",
                    "level": "associate",
                    "format": "interactive",
                    "subject": "EDU",
                    "content": {
                        "questions": [{"prompt": "?", "choices": ["only one"], "answer": 0}]
                    },
                },
                "not an object",
            ]
        }
    ).encode()
    report = _import(db, settings, "items.json", payload)
    assert report.created == 1
    assert [loc for loc, _ in report.rejected] == ["record 2", "record 3"]
    quiz = db.scalar(select(Resource).where(Resource.external_id == "J-1"))
    assert quiz is not None and quiz.type == ResourceType.assessment
    assert quiz.content["questions"][0]["answer"] == 1


def test_ieee_lom_records(catalogue: None, db: Session, settings: Settings) -> None:
    report = _import(db, settings, "lom.xml")
    assert report.created == 1
    assert report.rejected == [
        ("lom record 2", "duration_minutes must be a whole number, not 'soon'.")
    ]
    lom = db.scalar(select(Resource).where(Resource.external_id == "LOM-1"))
    assert lom is not None
    assert (lom.title, lom.type.value, lom.level.value, lom.format.value) == (
        "社区教育工作者培训",
        "video",
        "community",
        "video",
    )
    assert lom.subject.code == "EDU1" and lom.duration_minutes == 90
    assert lom.tags == ["社区", "培训"]


def test_dublin_core_records(catalogue: None, db: Session, settings: Settings) -> None:
    report = _import(db, settings, "dublin_core.xml")
    assert report.created == 1
    assert report.rejected == [("record 2", "subject is missing.")]
    dc = db.scalar(select(Resource).where(Resource.external_id == "DC-1"))
    assert dc is not None and dc.tags == ["policy"] and dc.duration_minutes == 45


def test_hostile_xml_is_refused(catalogue: None, db: Session, settings: Settings) -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<lom><general><title><string>&lol2;</string></title></general></lom>"""
    with pytest.raises(BadRequest, match="cannot be read"):
        _import(db, settings, "bomb.xml", bomb)
    external = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><lom><general><title><string>&x;</string></title></general></lom>"""
    with pytest.raises(BadRequest, match="cannot be read"):
        _import(db, settings, "xxe.xml", external)


def test_unreadable_files_are_400(catalogue: None, db: Session, settings: Settings) -> None:
    for name, payload, message in (
        ("x.csv", b"\xff\xfe\x00bad", "not UTF-8"),
        ("x.json", b"{broken", "not valid"),
        ("x.csv", b"name,age\nA,1\n", "title column"),
        ("x.xml", b"<html><body/></html>", "neither IEEE LOM"),
    ):
        with pytest.raises(BadRequest, match=message):
            _import(db, settings, name, payload)
    with pytest.raises(BadRequest, match="Unknown provider"):
        import_catalogue(db, settings, provider_code="NOPE", filename="a.csv", payload=b"title\n")


def test_import_api_needs_staff_and_reports_rows(
    catalogue: None, client: TestClient, db: Session
) -> None:
    branch = make_branch(db)
    make_user(db, Role.learner, branch=branch, username="learner1")
    make_user(db, Role.teacher, branch=branch, username="teacher1")
    db.commit()
    files = {"file": ("broken.csv", (FIXTURES / "broken.csv").read_bytes(), "text/csv")}
    learner = client.post(
        "/api/v1/resources/import",
        data={"provider": "OU"},
        files=files,
        headers=token_for(client, "learner1"),
    )
    assert learner.status_code == 403
    response = client.post(
        "/api/v1/resources/import",
        data={"provider": "OU"},
        files=files,
        headers=token_for(client, "teacher1"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (3, 0, 0)
    assert {"location": "line 3", "reason": "title is missing."} in body["rejected"]
    found = client.get("/api/v1/resources", params={"q": "成人学习"}).json()
    assert [r["external_id"] for r in found["results"]][:1] == ["C-1"]  # indexed on commit


def test_cli_import(catalogue: None, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from lifelong.cli import app
    from lifelong.config import get_settings

    monkeypatch.setenv("LIFELONG_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LIFELONG_DATABASE_URL", settings.resolved_database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(
            app, ["catalogue", "import", str(FIXTURES / "broken.csv"), "--provider", "OU"]
        )
        assert result.exit_code == 0, result.output
        assert "created 3, updated 0, unchanged 0, rejected 10" in result.output
        again = runner.invoke(
            app, ["catalogue", "import", str(FIXTURES / "broken.csv"), "--provider", "OU"]
        )
        assert "created 0, updated 0, unchanged 3, rejected 10" in again.output
        result = runner.invoke(app, ["search", "reindex"])
        assert "indexed 3 published resources" in result.output
        result = runner.invoke(app, ["search", "query", "心理学"])
        assert "成人学习心理学" in result.output
    finally:
        get_settings.cache_clear()


def test_import_page_shows_the_report_escaped(
    catalogue: None, client: TestClient, db: Session
) -> None:
    make_user(db, Role.branch_admin, username="admin_import")
    db.commit()
    from tests.factories import login

    login(client, "admin_import")
    form = client.get("/teach/import")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    hostile = (
        b"external_id,title,type,level,format,subject\n"
        b"X-1,ok,course,bachelor,video,EDU\nX-2,bad,<script>alert(1)</script>,bachelor,video,EDU\n"
    )
    page = client.post(
        "/teach/import",
        data={"csrf_token": token, "provider": "OU"},
        files={"file": ("hostile.csv", hostile, "text/csv")},
    )
    assert page.status_code == 200, page.text
    assert 'id="report"' in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "未知的类型 &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;" in page.text  # zh_CN
    empty = client.post("/teach/import", data={"csrf_token": token, "provider": "OU"})
    assert empty.status_code == 400


def test_import_page_reports_rows_in_the_readers_language(
    catalogue: None, client: TestClient, db: Session
) -> None:
    make_user(db, Role.branch_admin, username="admin_zh")
    db.commit()
    from tests.factories import login

    login(client, "admin_zh")

    def report_in(locale: str) -> str:
        client.get(f"/lang/{locale}?next=/teach/import")
        form = client.get("/teach/import")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        page = client.post(
            "/teach/import",
            data={"csrf_token": token, "provider": "OU"},
            files={"file": ("broken.csv", (FIXTURES / "broken.csv").read_bytes(), "text/csv")},
        )
        assert page.status_code == 200, page.text
        return page.text.split('id="report"', 1)[1]

    chinese = report_in("zh_CN")
    assert "<td>第 3 行</td><td>请填写标题。</td>" in chinese
    assert "未知的类型 &#39;podcast&#39;，可选值：" in chinese
    assert "未知的学科代码 &#39;NOPE&#39;。" in chinese
    assert "时长（分钟）须为整数，不能是 &#39;ninety&#39;。" in chinese
    assert "学分须在 0 到 99.9 之间，不能是 &#39;-2&#39;。" in chinese
    assert "该提供方下没有先修资源 &#39;GHOST&#39;。" in chinese
    assert "外部编号 &#39;C-1&#39; 与第 2 行重复。" in chinese
    assert "第 10 行: 简介中含有 HTML 标记，将按纯文本保存。" in chinese
    for english in ("line ", "is missing", "Unknown", "must be", "repeats", "HTML markup"):
        assert english not in chinese, english
    english = report_in("en")
    assert "<td>line 3</td><td>title is missing.</td>" in english
    assert "external_id &#39;C-1&#39; repeats line 2." in english


def test_import_errors_of_the_whole_file_are_translated(
    catalogue: None, client: TestClient, db: Session
) -> None:
    make_user(db, Role.branch_admin, username="admin_zh2")
    db.commit()
    from tests.factories import login

    login(client, "admin_zh2")
    client.get("/lang/zh_CN?next=/teach/import")
    token = client.get("/teach/import").text.split('name="csrf_token" value="', 1)[1][:200]
    token = token.split('"', 1)[0]
    page = client.post(
        "/teach/import",
        data={"csrf_token": token, "provider": "OU"},
        files={"file": ("bad.json", b"[1, 2", "application/json")},
    )
    assert page.status_code == 400
    assert "JSON 文件格式有误：第 1 行" in page.text
    api = client.post(
        "/api/v1/resources/import",
        data={"provider": "OU"},
        files={"file": ("bad.json", b"[1, 2", "application/json")},
        headers={**token_for(client, "admin_zh2"), "Accept-Language": "zh-CN"},
    )
    assert api.status_code == 400
    assert api.json()["error"].startswith("The JSON file is not valid: ")
