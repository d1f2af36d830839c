"""About resource (xAPI 1.0.3 Part Three 2.8; xAPI 2.0 section 4.1.6.7)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_about_needs_no_auth_nor_version(client: TestClient) -> None:
    """2.8.s5: both versions listed; no credentials; no version header needed."""
    response = client.get("/xapi/about")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == ["1.0.3", "2.0.0"]
    assert set(body) <= {"version", "extensions"}
    assert all(key.startswith("https://") for key in body["extensions"])
    assert response.headers["x-experience-api-version"] == "2.0.0"
    assert "etag" in response.headers


def test_about_ignores_odd_version_headers(client: TestClient) -> None:
    """2.8.s5.b4: the About resource never rejects a request for its version header."""
    assert client.get("/xapi/about", headers={"X-Experience-API-Version": "0.9"}).status_code == 200
    older = client.get("/xapi/about", headers={"X-Experience-API-Version": "1.0.1"})
    assert older.headers["x-experience-api-version"] == "1.0.3"


def test_about_head(client: TestClient) -> None:
    """HEAD works on every GET resource."""
    response = client.head("/xapi/about")
    assert response.status_code == 200 and response.content == b""
