"""Properties the LRS itself sets or keeps (1.0.3 Data 2.4.7, 2.4.8; Communication 2.1.3).

The store splices ``stored`` (and a missing ``timestamp``) into JSON serialised before the
write: these tests pin down that a client's own ``stored`` never survives, that a given
``timestamp`` is kept exactly as sent, and that the consistency header bounds what a
reader has seen.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from lifelong.records.formats import parse_timestamp
from tests.records.conftest import statement


def _get(client: TestClient, xapi: dict[str, str], statement_id: str) -> dict[str, object]:
    """The stored statement ``statement_id``."""
    response = client.get("/xapi/statements", params={"statementId": statement_id}, headers=xapi)
    assert response.status_code == 200
    # One "stored" key in the raw JSON: a duplicate key would be read differently by
    # different JSON parsers (RFC 8259 section 4).
    assert response.text.count('"stored"') == 1
    body: dict[str, object] = json.loads(response.text)
    return body


def test_client_stored_is_replaced(client: TestClient, xapi: dict[str, str]) -> None:
    """Data 2.4.8: stored is set by the LRS, whatever the client sent."""
    sent = statement(stored="2001-01-01T00:00:00Z", timestamp="2001-01-01T00:00:00Z")
    (statement_id,) = client.post("/xapi/statements", json=sent, headers=xapi).json()
    body = _get(client, xapi, statement_id)
    stored = parse_timestamp(body["stored"])
    assert stored is not None and stored.year >= 2026
    assert body["timestamp"] == "2001-01-01T00:00:00Z"  # Data 2.4.7: kept as sent


def test_missing_timestamp_defaults_to_stored(client: TestClient, xapi: dict[str, str]) -> None:
    """Data 2.4.7: without a timestamp the LRS sets it to stored; a batch shares one."""
    sent = [statement(), statement(timestamp="2025-03-04T05:06:07.123+08:00")]
    first, second = client.post("/xapi/statements", json=sent, headers=xapi).json()
    one, two = _get(client, xapi, first), _get(client, xapi, second)
    assert one["timestamp"] == one["stored"] == two["stored"]
    assert two["timestamp"] == "2025-03-04T05:06:07.123+08:00"


def test_consistent_through_covers_what_was_read(client: TestClient, xapi: dict[str, str]) -> None:
    """Communication 2.1.3: X-Experience-API-Consistent-Through on every GET, never
    earlier than the stored time of statements already returned."""
    (statement_id,) = client.post("/xapi/statements", json=statement(), headers=xapi).json()
    for params in ({"statementId": statement_id}, {"limit": "5"}):
        response = client.get("/xapi/statements", params=params, headers=xapi)
        header = parse_timestamp(response.headers["X-Experience-API-Consistent-Through"])
        stored = parse_timestamp(_get(client, xapi, statement_id)["stored"])
        assert header is not None and stored is not None and header >= stored
