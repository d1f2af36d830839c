"""The Statement resource (xAPI 1.0.3 Communication 2.1; 2.0 section 4.1.6.1)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_branch
from tests.records.conftest import ACTIVITY, VERB, HeadersFor, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(client: TestClient, headers: dict[str, str], body: object) -> list[str]:
    """POST statements and return the ids (asserting 200)."""
    response = client.post("/xapi/statements", json=body, headers=headers)
    assert response.status_code == 200, response.text
    ids: list[str] = response.json()
    return ids


def ids_of(response_json: dict[str, object]) -> list[str]:
    """Statement ids of a StatementResult."""
    return [s["id"] for s in response_json["statements"]]  # type: ignore[attr-defined, index]


# -- 2.1.1 PUT -----------------------------------------------------------------------------
def test_put_stores_under_statement_id(client: TestClient, xapi: dict[str, str]) -> None:
    """PUT with statementId: 204, then the statement is there; same content again is a no-op."""
    statement_id = str(uuid.uuid4())
    url = f"/xapi/statements?statementId={statement_id}"
    assert client.put(url, json=statement(), headers=xapi).status_code == 204
    assert client.put(url, json=statement(), headers=xapi).status_code == 204
    got = client.get("/xapi/statements", params={"statementId": statement_id}, headers=xapi)
    assert got.json()["id"] == statement_id
    assert len(client.get("/xapi/statements", headers=xapi).json()["statements"]) == 1


def test_put_conflict_and_mismatch(client: TestClient, xapi: dict[str, str]) -> None:
    """Same id with other content: 409, nothing changes; id != statementId: 400."""
    statement_id = str(uuid.uuid4())
    url = f"/xapi/statements?statementId={statement_id}"
    assert client.put(url, json=statement(), headers=xapi).status_code == 204
    other = statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    conflict = client.put(url, json=other, headers=xapi)
    assert conflict.status_code == 409
    assert "different content" in conflict.json()["error"]
    got = client.get("/xapi/statements", params={"statementId": statement_id}, headers=xapi)
    assert got.json()["verb"]["id"] == VERB
    mismatch = client.put(url, json={**statement(), "id": str(uuid.uuid4())}, headers=xapi)
    assert mismatch.status_code == 400
    assert client.put("/xapi/statements", json=statement(), headers=xapi).status_code == 400


# -- 2.1.2 POST ----------------------------------------------------------------------------
def test_post_batch_assigns_ids_in_order(client: TestClient, xapi: dict[str, str]) -> None:
    """POST an array: 200 with one id per statement, given ids kept."""
    given = str(uuid.uuid4())
    ids = post(client, xapi, [statement(), {**statement(), "id": given.upper()}])
    assert len(ids) == 2 and ids[1] == given
    assert all(uuid.UUID(i) for i in ids)


def test_post_batch_with_conflict_stores_nothing(client: TestClient, xapi: dict[str, str]) -> None:
    """A batch holding a conflicting statement is refused as a whole (409)."""
    existing = str(uuid.uuid4())
    post(client, xapi, {**statement(), "id": existing})
    other = {**statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"}), "id": existing}
    response = client.post("/xapi/statements", json=[statement(), other], headers=xapi)
    assert response.status_code == 409
    assert len(client.get("/xapi/statements", headers=xapi).json()["statements"]) == 1


def test_post_same_id_twice_in_batch(client: TestClient, xapi: dict[str, str]) -> None:
    """Two statements with one id in a batch: 400."""
    same = str(uuid.uuid4())
    body = [{**statement(), "id": same}, {**statement(), "id": same}]
    response = client.post("/xapi/statements", json=body, headers=xapi)
    assert response.status_code == 400
    assert "twice" in response.json()["error"]


def test_malformed_json_and_content_type(client: TestClient, xapi: dict[str, str]) -> None:
    """Malformed JSON and unsupported content types are 400s naming the problem."""
    bad = client.post(
        "/xapi/statements",
        content=b'{"actor": ',
        headers={**xapi, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]
    text = client.post(
        "/xapi/statements", content=b"x", headers={**xapi, "Content-Type": "text/plain"}
    )
    assert text.status_code == 400 and "Content-Type" in text.json()["error"]


def test_request_too_large(client: TestClient, xapi: dict[str, str]) -> None:
    """A body above the limit (10 MB) gets 413 with a clear message, nothing stored."""
    big = [statement(result={"response": "x" * 1_000_000}) for _ in range(11)]
    response = client.post("/xapi/statements", json=big, headers=xapi)
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]
    assert client.get("/xapi/statements", headers=xapi).json()["statements"] == []


# -- 2.1.3 GET -----------------------------------------------------------------------------
def test_filters(client: TestClient, xapi: dict[str, str]) -> None:
    """agent, verb, activity, registration, related_*, since/until, ascending, limit."""
    registration = str(uuid.uuid4())
    bob = {"mbox": "mailto:bob@example.org"}
    first = post(client, xapi, statement())[0]
    time.sleep(0.01)
    middle = client.get("/xapi/statements", headers=xapi).headers[
        "X-Experience-API-Consistent-Through"
    ]
    time.sleep(0.01)
    second = post(
        client,
        xapi,
        statement(
            actor=bob,
            verb={"id": "http://adlnet.gov/expapi/verbs/attempted"},
            object={"id": "http://example.org/activities/quiz"},
            context={
                "registration": registration,
                "instructor": {"mbox": "mailto:teacher@example.org"},
                "contextActivities": {"parent": [{"id": ACTIVITY}]},
            },
        ),
    )[0]

    def query(**params: str) -> list[str]:
        response = client.get("/xapi/statements", params=params, headers=xapi)
        assert response.status_code == 200, response.text
        return ids_of(response.json())

    assert query() == [second, first]
    assert query(ascending="true") == [first, second]
    assert query(agent=json.dumps(bob)) == [second]
    assert query(verb=VERB) == [first]
    assert query(activity=ACTIVITY) == [first]
    assert query(activity=ACTIVITY, related_activities="true") == [second, first]
    teacher = json.dumps({"mbox": "mailto:teacher@example.org"})
    assert query(agent=teacher) == []
    assert query(agent=teacher, related_agents="true") == [second]
    assert query(registration=registration) == [second]
    assert query(since=middle) == [second]
    assert query(until=middle) == [first]
    assert query(limit="1") == [second]


def test_more_link_pages_stably(client: TestClient, xapi: dict[str, str]) -> None:
    """Following ``more`` walks every statement once, even while new ones arrive."""
    ids = post(client, xapi, [statement() for _ in range(5)])
    seen: list[str] = []
    page = client.get("/xapi/statements", params={"limit": 2}, headers=xapi).json()
    post(client, xapi, statement())  # arrives during paging: not on later pages
    while True:
        seen += ids_of(page)
        if not page["more"]:
            break
        page = client.get(page["more"], headers=xapi).json()
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_bad_parameters(client: TestClient, xapi: dict[str, str]) -> None:
    """Unknown parameters, bad values and forbidden combinations are 400."""
    for params in (
        {"bogus": "1"},
        {"agent": "not json"},
        {"agent": '{"name": "no ifi"}'},
        {"verb": "not an iri"},
        {"since": "yesterday"},
        {"limit": "-1"},
        {"format": "full"},
        {"statementId": str(uuid.uuid4()), "verb": VERB},
        {"statementId": "x", "voidedStatementId": "y"},
    ):
        response = client.get("/xapi/statements", params=params, headers=xapi)
        assert response.status_code == 400, params
    missing = client.get(
        "/xapi/statements", params={"statementId": str(uuid.uuid4())}, headers=xapi
    )
    assert missing.status_code == 404


def test_formats(client: TestClient, xapi: dict[str, str]) -> None:
    """format=ids strips to identifiers; canonical picks one language (Accept-Language)."""
    (statement_id,) = post(client, xapi, statement())
    ids = client.get(
        "/xapi/statements", params={"statementId": statement_id, "format": "ids"}, headers=xapi
    ).json()
    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:learner@example.org"}
    assert ids["verb"] == {"id": VERB}
    assert ids["object"] == {"objectType": "Activity", "id": ACTIVITY}
    canonical = client.get(
        "/xapi/statements",
        params={"statementId": statement_id, "format": "canonical"},
        headers={**xapi, "Accept-Language": "zh-CN, en;q=0.5"},
    ).json()
    assert canonical["verb"]["display"] == {"zh-CN": "完成"}
    assert canonical["object"]["definition"]["name"] == {"zh-CN": "课程一"}


# -- Data 2.3.2 voiding --------------------------------------------------------------------
def test_voiding(client: TestClient, xapi: dict[str, str]) -> None:
    """A voided statement leaves queries and statementId; voidedStatementId returns it."""
    (target,) = post(client, xapi, statement())
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    (voider,) = post(client, xapi, voiding)
    assert ids_of(client.get("/xapi/statements", headers=xapi).json()) == [voider]
    by_id = client.get("/xapi/statements", params={"statementId": target}, headers=xapi)
    assert by_id.status_code == 404
    voided = client.get("/xapi/statements", params={"voidedStatementId": target}, headers=xapi)
    assert voided.status_code == 200 and voided.json()["id"] == target
    # A voiding statement cannot be voided.
    post(
        client,
        xapi,
        statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voider}),
    )
    assert (
        client.get("/xapi/statements", params={"statementId": voider}, headers=xapi).status_code
        == 200
    )


def test_voided_before_arrival(client: TestClient, xapi: dict[str, str]) -> None:
    """A statement whose voiding statement came first is stored voided."""
    target = str(uuid.uuid4())
    post(
        client,
        xapi,
        statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}),
    )
    post(client, xapi, {**statement(), "id": target})
    voided = client.get("/xapi/statements", params={"voidedStatementId": target}, headers=xapi)
    assert voided.status_code == 200


# -- Communication 1.5.2 attachments and Data 2.6 signatures --------------------------------
def _multipart(statements: object, parts: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    """A multipart/mixed request body."""
    boundary = "abc123boundary"
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(statements).encode(),
        b"\r\n",
    ]
    for content, sha2 in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks += [content, b"\r\n"]
    chunks.append(f"--{boundary}--".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'


def _attachment(content: bytes) -> dict[str, object]:
    """Attachment metadata for ``content``."""
    return {
        "usageType": "http://example.org/attachment",
        "display": {"en-US": "notes"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }


def test_attachments_round_trip(client: TestClient, xapi: dict[str, str]) -> None:
    """multipart/mixed in, SHA-2 checked, and out again with attachments=true."""
    content = "学习笔记 notes".encode()
    body, ctype = _multipart(
        statement(attachments=[_attachment(content)]),
        [(content, hashlib.sha256(content).hexdigest())],
    )
    response = client.post(
        "/xapi/statements", content=body, headers={**xapi, "Content-Type": ctype}
    )
    assert response.status_code == 200, response.text
    (statement_id,) = response.json()
    got = client.get(
        "/xapi/statements",
        params={"statementId": statement_id, "attachments": "true"},
        headers=xapi,
    )
    assert got.headers["content-type"].startswith("multipart/mixed")
    assert content in got.content and statement_id.encode() in got.content


def test_attachment_hash_mismatch_and_missing_part(
    client: TestClient, xapi: dict[str, str]
) -> None:
    """A part whose content does not match its hash, or a missing part, is a 400."""
    content = b"hello"
    body, ctype = _multipart(
        statement(attachments=[_attachment(content)]),
        [(b"other", hashlib.sha256(content).hexdigest())],
    )
    bad = client.post("/xapi/statements", content=body, headers={**xapi, "Content-Type": ctype})
    assert bad.status_code == 400 and "SHA-2" in bad.json()["error"]
    missing = client.post(
        "/xapi/statements", json=statement(attachments=[_attachment(content)]), headers=xapi
    )
    assert missing.status_code == 400 and "no fileUrl" in missing.json()["error"]


def test_signed_statement(client: TestClient, xapi: dict[str, str]) -> None:
    """A JWS (RS256, x5c) whose payload is the statement is accepted; a tampered one is not."""
    import base64
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def sign(payload: dict[str, object], *, tamper: bool = False) -> bytes:
        header = b64(json.dumps({"alg": "RS256", "x5c": [der]}).encode())
        body = b64(json.dumps(payload).encode())
        signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        if tamper:
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        return f"{header}.{body}.{b64(signature)}".encode()

    def send(stmt: dict[str, object], jws: bytes) -> int:
        meta = {
            **_attachment(jws),
            "usageType": "http://adlnet.gov/expapi/attachments/signature",
            "contentType": "application/octet-stream",
        }
        body, ctype = _multipart(
            {**stmt, "attachments": [meta]}, [(jws, hashlib.sha256(jws).hexdigest())]
        )
        return client.post(
            "/xapi/statements", content=body, headers={**xapi, "Content-Type": ctype}
        ).status_code

    base = statement()
    assert send(base, sign(base)) == 200
    assert send(base, sign(statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"}))) == 400
    assert send(base, sign(base, tamper=True)) == 400
    assert send(base, b"not-a-jws") == 400


# -- Communication 1.x: versions, CORS, HEAD, alternate syntax, auth --------------------------
def test_version_header(client: TestClient, xapi: dict[str, str]) -> None:
    """Missing or unsupported version: 400; 1.0.x and 2.0.x accepted and echoed."""
    for value, status in (
        ("0.95", 400),
        ("3.0.0", 400),
        ("1.0", 200),
        ("1.0.9", 200),
        ("2.0.0", 200),
    ):
        response = client.get(
            "/xapi/statements", headers={**xapi, "X-Experience-API-Version": value}
        )
        assert response.status_code == status, value
        if status == 200:
            assert response.headers["X-Experience-API-Version"] in ("1.0.3", "2.0.0")
    no_version = {"Authorization": xapi["Authorization"]}
    assert client.get("/xapi/statements", headers=no_version).status_code == 400


def test_cors_and_head(client: TestClient, xapi: dict[str, str]) -> None:
    """CORS preflight needs no credentials; HEAD answers like GET without a body."""
    preflight = client.options(
        "/xapi/statements",
        headers={"Origin": "https://lms.example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "X-Experience-API-Version" in preflight.headers["Access-Control-Allow-Headers"]
    head = client.head("/xapi/statements", headers={**xapi, "Origin": "https://lms.example.org"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Access-Control-Allow-Origin"] == "https://lms.example.org"


def test_alternate_request_syntax(client: TestClient, xapi: dict[str, str]) -> None:
    """1.0.3 Communication 1.3: POST ?method=PUT with a form body works; 2.0 refuses it."""
    statement_id = str(uuid.uuid4())
    form = {
        "statementId": statement_id,
        "content": json.dumps(statement()),
        "Authorization": xapi["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post(
        "/xapi/statements?method=PUT", content=urlencode(form), headers=form_type
    )
    assert response.status_code == 204, response.text
    got = client.get("/xapi/statements", params={"statementId": statement_id}, headers=xapi)
    assert got.status_code == 200
    v2 = {**form, "X-Experience-API-Version": "2.0.0", "statementId": str(uuid.uuid4())}
    refused = client.post("/xapi/statements?method=PUT", content=urlencode(v2), headers=form_type)
    assert refused.status_code == 400 and "2.0" in refused.json()["error"]
    extra = client.post(
        f"/xapi/statements?method=PUT&statementId={uuid.uuid4()}",
        content=urlencode(form),
        headers=form_type,
    )
    assert extra.status_code == 400


def test_credentials_and_scopes(client: TestClient, headers_for: HeadersFor) -> None:
    """Wrong credentials: 401 with a challenge; a missing scope: 403; read/mine narrows."""
    wrong = client.get(
        "/xapi/statements",
        headers={"Authorization": "Basic d3Jvbmc6d3Jvbmc=", "X-Experience-API-Version": "1.0.3"},
    )
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Basic")
    none = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert none.status_code == 401
    writer = headers_for("statements/write")
    assert client.get("/xapi/statements", headers=writer).status_code == 403
    reader = headers_for("all/read")
    assert client.post("/xapi/statements", json=statement(), headers=reader).status_code == 403
    mine = headers_for("statements/write,statements/read/mine")
    other = headers_for("statements/write")
    (own,) = post(client, mine, statement())
    post(client, other, statement())
    assert ids_of(client.get("/xapi/statements", headers=mine).json()) == [own]


def test_branch_credentials_read_only_their_branch(
    client: TestClient, db: Session, headers_for: HeadersFor
) -> None:
    """A branch credential sees its branch's statements; asking for another's is 403."""
    from tests.factories import make_user

    branch_a, branch_b = make_branch(db, "BA"), make_branch(db, "BB")
    learner_b = make_user(db, branch=branch_b)
    db.commit()
    platform = headers_for()
    ext = "https://lifelong.example.org/xapi/extensions/branch"
    agent_b = {"account": {"homePage": "https://lifelong.example.org", "name": str(learner_b.id)}}
    (in_b,) = post(client, platform, statement(actor=agent_b, context={"extensions": {ext: "BB"}}))
    a_reader = headers_for("all/read,statements/write", branch=branch_a.code)
    (in_a,) = post(client, a_reader, statement())
    assert ids_of(client.get("/xapi/statements", headers=a_reader).json()) == [in_a]
    forbidden = client.get("/xapi/statements", params={"statementId": in_b}, headers=a_reader)
    assert forbidden.status_code == 403
    by_agent = client.get(
        "/xapi/statements", params={"agent": json.dumps(agent_b)}, headers=a_reader
    )
    assert by_agent.status_code == 403 and "BB" in by_agent.json()["error"]
