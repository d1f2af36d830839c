"""The LRS in a real browser: the operations page, and a cross-origin xAPI client (CORS)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from lifelong.accounts.models import BranchKind, Role
from lifelong.records.credentials import create_credential
from tests.e2e.conftest import free_port
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = pytest.mark.browser

STATEMENT = {
    "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {"objectType": "Activity", "id": "https://lifelong.example.org/resources/1"},
}


@pytest.fixture
def lrs_key(db: Session) -> str:
    """An hq_admin account and an ``all`` credential; returns the Basic header value."""
    hq = make_branch(db, "HQ", kind=BranchKind.headquarters)
    make_user(db, Role.hq_admin, branch=hq, username="hq_admin")
    _credential, key, secret = create_credential(db, name="browser-client", scopes="all")
    db.commit()
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A static file server on another origin (localhost vs 127.0.0.1, another port)."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(html: str) -> str:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "index.html").write_text(html, encoding="utf-8")
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port),
                "--bind",
                "127.0.0.1",
                "-d",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        url = f"http://localhost:{port}/index.html"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("static server did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def sign_in(page: object, base: str) -> None:
    """Sign in as hq_admin through the form."""
    page.goto(base + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", "hq_admin")  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(base + "/")  # type: ignore[attr-defined]


def test_operations_page_shows_traffic_and_rejections(
    lrs_key: str, serve: Callable[[], str], browser: object, tmp_path: Path
) -> None:
    """Statements sent over HTTP appear per minute; a bad one appears with its reason."""
    base = serve()
    headers = {"Authorization": lrs_key, "X-Experience-API-Version": "1.0.3"}
    good = httpx.post(base + "/xapi/statements", json=[STATEMENT, STATEMENT], headers=headers)
    assert good.status_code == 200, good.text
    bad = httpx.post(
        base + "/xapi/statements", json={**STATEMENT, "verb": {"id": "not an iri"}}, headers=headers
    )
    assert bad.status_code == 400
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, base)
    page.click("nav >> text=学习记录")
    page.wait_for_url(base + "/admin/lrs")
    assert page.inner_text("[data-figure=stored]") == "2"
    assert page.inner_text("[data-figure=rejected]") == "1"
    assert "browser-client" in page.inner_text("main")
    assert page.locator("svg.lrs-chart rect").count() == 60
    page.screenshot(path=str(tmp_path / "lrs-zh.png"), full_page=True)
    page.click("text=English")
    page.wait_for_load_state()
    assert "Statements per minute" in page.inner_text("main")
    context.close()


def test_cross_origin_client_uses_state_with_etags(
    lrs_key: str, serve: Callable[[], str], browser: object, other_origin: Callable[[str], str]
) -> None:
    """A content package on another origin PUTs, reads the ETag, and replaces state (CORS)."""
    base = serve()
    agent = json.dumps({"mbox": "mailto:learner@example.org"})
    query = httpx.QueryParams(
        {"activityId": "https://lifelong.example.org/resources/1", "agent": agent, "stateId": "s"}
    )
    url = f"{base}/xapi/activities/state?{query}"
    html = f"""<!doctype html><meta charset="utf-8"><pre id="out">running</pre><script>
    const h = {{"Authorization": {json.dumps(lrs_key)}, "X-Experience-API-Version": "2.0.0",
               "Content-Type": "application/json"}};
    (async () => {{
      const put = await fetch({json.dumps(url)}, {{method: "PUT", headers: h, body: '{{"p":1}}'}});
      const got = await fetch({json.dumps(url)}, {{headers: h}});
      const etag = got.headers.get("ETag");
      const version = got.headers.get("X-Experience-API-Version");
      const stale = await fetch({json.dumps(url)}, {{method: "PUT",
        headers: {{...h, "If-Match": '"0000"'}}, body: '{{"p":2}}'}});
      const ok = await fetch({json.dumps(url)}, {{method: "PUT",
        headers: {{...h, "If-Match": etag}}, body: '{{"p":3}}'}});
      const last = await (await fetch({json.dumps(url)}, {{headers: h}})).json();
      document.getElementById("out").textContent = JSON.stringify(
        {{put: put.status, etag, version, stale: stale.status, ok: ok.status, last}});
    }})().catch(e => document.getElementById("out").textContent = "error " + e);
    </script>"""
    page_url = other_origin(html)
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(page_url)
    page.wait_for_function("document.getElementById('out').textContent !== 'running'")
    result = json.loads(page.inner_text("#out"))
    assert result["put"] == 204
    assert result["etag"] and result["etag"].startswith('"')
    assert result["version"] == "2.0.0"
    assert result["stale"] == 412 and result["ok"] == 204
    assert result["last"] == {"p": 3}
    context.close()
