"""Certificates as Open Badges 3.0 credentials: shape, signature, tampering, revocation."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.config import Settings
from tests.factories import make_user, token_for
from tests.learning.journey.factories import world


def _certificate(client: TestClient, db: Session) -> tuple[str, dict[str, str]]:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["document"].id
    client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    done = client.post(
        f"/api/v1/enrolments/{rid}/progress", json={"read_fraction": 1}, headers=auth
    )
    return done.json()["certificate_id"], auth


def test_the_credential_has_the_open_badges_3_shape(client: TestClient, db: Session) -> None:
    cert_id, _auth = _certificate(client, db)
    credential = client.get(f"/api/v1/certificates/{cert_id}/credential").json()
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"http://127.0.0.1:8000/verify/{cert_id}"
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["validFrom"].endswith("Z")
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["name"] == "Lifelong learning reader"
    assert subject["identifier"][0]["hashed"] is True
    assert "测试" not in str(credential)  # the holder's name is not in the JSON
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"].startswith("did:key:z6Mk")
    assert proof["proofValue"].startswith("z")


def test_verification_checks_the_signature_and_detects_tampering(
    client: TestClient, db: Session
) -> None:
    cert_id, _auth = _certificate(client, db)
    verdict = client.get(f"/api/v1/certificates/{cert_id}/verify").json()
    assert verdict["status"] == "valid" and verdict["holder"] == "测试 用户"
    credential = client.get(f"/api/v1/certificates/{cert_id}/credential").json()
    presented = client.post("/api/v1/credentials/verify", json=credential).json()
    assert presented["status"] == "valid"
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Doctor of Everything"
    forged = client.post("/api/v1/credentials/verify", json=tampered).json()
    assert forged["status"] == "invalid"
    assert "altered" in forged["problems"][0]
    broken = copy.deepcopy(credential)
    broken["proof"]["proofValue"] = "z" + "1" * 80
    assert client.post("/api/v1/credentials/verify", json=broken).json()["status"] == "invalid"
    assert client.post("/api/v1/credentials/verify", json={"a": 1}).status_code == 400


def test_a_credential_signed_with_another_key_is_not_ours(client: TestClient, db: Session) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lifelong.learning.credentials import signing

    cert_id, _auth = _certificate(client, db)
    credential = client.get(f"/api/v1/certificates/{cert_id}/credential").json()
    resigned = signing.sign(credential, Ed25519PrivateKey.generate(), "2026-01-01T00:00:00Z")
    verdict = client.post("/api/v1/credentials/verify", json=resigned).json()
    assert verdict["status"] == "invalid"
    assert "key" in verdict["problems"][0]


def test_revoked_and_missing_certificates(client: TestClient, db: Session) -> None:
    cert_id, auth = _certificate(client, db)
    assert client.post(f"/api/v1/certificates/{cert_id}/revoke", headers=auth).status_code == 403
    make_user(
        db,
        role=__import__("lifelong.accounts.models").accounts.models.Role.hq_admin,
        username="hq1",
    )
    db.commit()
    admin = token_for(client, "hq1")
    assert client.post(f"/api/v1/certificates/{cert_id}/revoke", headers=admin).is_success
    assert client.get(f"/api/v1/certificates/{cert_id}/verify").json()["status"] == "revoked"
    page = client.get(f"/verify/{cert_id}")
    assert 'data-status="revoked"' in page.text
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/api/v1/certificates/{missing}/verify").status_code == 404
    assert client.get(f"/verify/{missing}").status_code == 404
    assert client.get("/verify/not-a-uuid").status_code == 404


def test_jcs_canonical_form_follows_rfc_8785() -> None:
    from lifelong.learning.credentials.signing import base58btc, canonical, from_base58btc

    assert (
        canonical({"b": [1, 2.0, 0.5], "a": "终身", "c": None})
        == '{"a":"终身","b":[1,2,0.5],"c":null}'
    )
    assert from_base58btc(base58btc(b"\0\0hello")) == b"\0\0hello"


def test_the_issuer_profile_names_the_signing_key(client: TestClient, db: Session) -> None:
    cert_id, _auth = _certificate(client, db)
    credential = client.get(f"/api/v1/certificates/{cert_id}/credential").json()
    profile = client.get("/issuer", headers={"Accept": "application/json"}).json()
    assert profile["id"] == credential["issuer"]["id"]
    assert profile["verificationMethod"][0]["id"] == credential["proof"]["verificationMethod"]
    assert "did:key:z6Mk" in client.get("/issuer").text


def test_finishing_every_resource_of_a_programme_earns_its_credential_once(
    client: TestClient, db: Session
) -> None:
    from sqlalchemy import select

    from lifelong.learning.journey.models import OutboxEntry
    from lifelong.learning.models import Programme, ProgrammeItem, ResourceLevel

    made = world(db)
    programme = Programme(
        code="P-EDU",
        title="终身教育专业",
        credential="终身教育专科证书",
        level=ResourceLevel.associate,
    )
    programme.items = [
        ProgrammeItem(resource_id=made["document"].id, position=1),
        ProgrammeItem(resource_id=made["course"].id, position=2),
    ]
    db.add(programme)
    db.commit()
    auth = token_for(client, "learner1")
    doc, course = made["document"].id, made["course"].id
    for rid in (doc, course):
        client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    client.post(f"/api/v1/enrolments/{doc}/progress", json={"read_fraction": 1}, headers=auth)
    titles = [c["title"] for c in client.get("/api/v1/certificates", headers=auth).json()]
    assert titles == ["Lifelong learning reader"]  # half the programme: no credential yet
    for unit in (0, 1):
        client.post(f"/api/v1/enrolments/{course}/progress", json={"unit": unit}, headers=auth)
    certificates = client.get("/api/v1/certificates", headers=auth).json()
    by_title = {c["title"]: c for c in certificates}
    assert set(by_title) == {"Lifelong learning reader", "课程", "终身教育专科证书"}
    credential_id = by_title["终身教育专科证书"]["id"]
    verdict = client.get(f"/api/v1/certificates/{credential_id}/verify").json()
    assert verdict["status"] == "valid"
    badge = client.get(f"/api/v1/certificates/{credential_id}/credential").json()
    assert badge["credentialSubject"]["achievement"]["id"].endswith(f"/programmes/{programme.id}")
    assert badge["credentialSubject"]["creditsEarned"] == 4.0
    assert client.get(f"/certificates/{credential_id}", headers=auth).status_code == 200
    assert client.get(f"/verify/{credential_id}").status_code == 200
    earned = [
        e.statement
        for e in db.scalars(select(OutboxEntry).order_by(OutboxEntry.id))
        if e.statement["verb"]["id"].endswith("/earned")
    ]
    parents = [s["context"]["contextActivities"]["parent"][0]["id"] for s in earned]
    assert len(earned) == 3
    assert parents[-1].endswith(f"/programmes/{programme.id}")


def test_the_verification_page_says_what_is_wrong_in_the_readers_language(
    client: TestClient, db: Session
) -> None:
    from lifelong.learning.journey.models import CertificateCredential

    cert_id, _auth = _certificate(client, db)
    stored = db.get(CertificateCredential, cert_id)
    assert stored is not None
    altered = copy.deepcopy(stored.credential)
    altered["credentialSubject"]["achievement"]["name"] = "<b>Doctor</b> of Everything"
    stored.credential = altered
    db.commit()
    client.cookies.set("lifelong_locale", "zh_CN")
    page = client.get(f"/verify/{cert_id}").text
    assert 'data-status="invalid"' in page
    assert "签名与数字证书内容不符（内容已被篡改）" in page
    assert "it was altered" not in page
    client.cookies.set("lifelong_locale", "en")
    assert "it was altered" in client.get(f"/verify/{cert_id}").text
    # The API keeps the English msgid.
    verdict = client.get(f"/api/v1/certificates/{cert_id}/verify").json()
    assert verdict["problems"] == ["the signature does not match the credential (it was altered)"]


def test_a_certificate_from_another_public_url_is_invalid_not_an_error(
    client: TestClient, db: Session, settings: Settings
) -> None:
    cert_id, _auth = _certificate(client, db)
    settings.public_url = "https://learn.example.org"  # the installation moved
    page = client.get(f"/verify/{cert_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'data-status="invalid"' in page.text
    assert (
        "Lifelong learning reader" in page.text and "not issued by this installation" in page.text
    )
