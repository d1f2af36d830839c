"""Large batches are validated in the preparing processes: same answers as inline."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from lifelong.app import create_app
from lifelong.config import Settings
from tests.records.conftest import HeadersFor, statement


def _batch(count: int) -> list[dict[str, object]]:
    """``count`` valid statements with ids, each with a long enough name to pass the size."""
    return [
        statement(
            id=str(uuid.uuid4()),
            object={
                "objectType": "Activity",
                "id": f"http://example.org/activities/{n}",
                "definition": {"name": {"en-US": f"Resource number {n} " + "x" * 200}},
            },
        )
        for n in range(count)
    ]


@pytest.fixture(params=[1, 0], ids=["pool", "inline"])
def lrs(request: pytest.FixtureRequest, settings: Settings) -> TestClient:
    """The app with one preparing process, and with preparation inline."""
    settings.lrs.prepare_processes = request.param
    settings.lrs.prepare_min_bytes = 1_000
    with TestClient(create_app(settings)) as client:
        yield client  # type: ignore[misc]


def test_a_large_batch_is_stored_in_order(lrs: TestClient, headers_for: HeadersFor) -> None:
    headers = headers_for()
    batch = _batch(60)
    response = lrs.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == [s["id"] for s in batch]
    got = lrs.get(
        "/xapi/statements", params={"statementId": batch[-1]["id"]}, headers=headers
    ).json()
    assert got["object"]["id"] == "http://example.org/activities/59"
    assert got["authority"]  # set from the credential in the preparing process


def test_a_bad_statement_in_a_large_batch_stores_nothing(
    lrs: TestClient, headers_for: HeadersFor
) -> None:
    headers = headers_for()
    batch = _batch(60)
    batch[41]["verb"] = {"id": "not an iri"}
    response = lrs.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 400
    assert "verb" in response.json()["error"]
    listed = lrs.get("/xapi/statements", headers=headers).json()
    assert listed["statements"] == []
    ops = lrs.app.state.lrs.repository.fetch("SELECT count(*) FROM lrs_rejections")
    assert ops[0][0] == 1  # the rejection is recorded with its reason


def test_malformed_json_and_a_repeated_id_in_a_large_body(
    lrs: TestClient, headers_for: HeadersFor
) -> None:
    headers = {**headers_for(), "Content-Type": "application/json"}
    bad = b'[{"actor": ' + b" " * 2_000
    response = lrs.post("/xapi/statements", content=bad, headers=headers)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    batch = _batch(30)
    batch[20]["id"] = batch[3]["id"]
    response = lrs.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 400
    assert "appears twice" in response.json()["error"]
