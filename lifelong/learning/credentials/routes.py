"""REST API of certificates: the learner's list, the OB 3.0 credential, verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from lifelong.errors import BadRequest, NotFound
from lifelong.i18n import N_
from lifelong.learning.credentials import openbadges
from lifelong.learning.credentials import service as certificates
from lifelong.learning.models import Certificate
from lifelong.web.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["certificates"])


class CertificateRead(BaseModel):
    """A certificate and where to verify it."""

    id: str
    title: str
    resource_id: int | None
    programme_id: int | None
    credits: float
    issued_at: datetime
    revoked_at: datetime | None
    verify_url: str
    credential_url: str
    page_url: str


class VerificationRead(BaseModel):
    """The outcome of a verification: valid, revoked, invalid or not_found."""

    status: str
    certificate_id: str | None
    title: str | None
    holder: str | None
    issued_at: datetime | None
    revoked_at: datetime | None
    problems: list[str]


def _read(settings: AppSettings, certificate: Certificate) -> CertificateRead:
    return CertificateRead(
        id=certificate.id,
        title=certificate.title,
        resource_id=certificate.resource_id,
        programme_id=certificate.programme_id,
        credits=float(certificate.credits or 0),
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        verify_url=openbadges.verify_url(settings, certificate.id),
        credential_url=f"/api/v1/certificates/{certificate.id}/credential",
        page_url=f"/certificates/{certificate.id}",
    )


def _verification(outcome: certificates.Verification) -> VerificationRead:
    cert = outcome.certificate
    return VerificationRead(
        status=outcome.status,
        certificate_id=cert.id if cert else None,
        title=cert.title if cert else None,
        holder=outcome.holder,
        issued_at=cert.issued_at if cert else None,
        revoked_at=cert.revoked_at if cert else None,
        problems=outcome.problems,
    )


@router.get("/certificates", response_model=list[CertificateRead])
def my_certificates(
    session: DbSession, settings: AppSettings, user: CurrentUser
) -> list[CertificateRead]:
    """The caller's certificates, newest first."""
    return [_read(settings, c) for c in certificates.of_user(session, user.id)]


@router.get("/certificates/{certificate_id}", response_model=CertificateRead)
def one_certificate(
    session: DbSession, settings: AppSettings, user: CurrentUser, certificate_id: str
) -> CertificateRead:
    """One of the caller's certificates."""
    return _read(settings, certificates.owned(session, user, certificate_id))


@router.get("/certificates/{certificate_id}/credential")
def credential(session: DbSession, settings: AppSettings, certificate_id: str) -> JSONResponse:
    """The signed Open Badges 3.0 credential (public: it names the holder only by a hash)."""
    certificate = certificates.get(session, certificate_id)
    signed = certificates.credential_for(session, settings, certificate)
    return JSONResponse(signed, media_type="application/vc+ld+json")


@router.get("/certificates/{certificate_id}/verify", response_model=VerificationRead)
def verify(session: DbSession, settings: AppSettings, certificate_id: str) -> VerificationRead:
    """Check a certificate's signature and status (404 when there is no such certificate)."""
    outcome = certificates.verify(session, settings, certificate_id)
    if outcome.status == "not_found":
        raise NotFound(N_("No certificate with this id."))
    return _verification(outcome)


@router.post("/credentials/verify", response_model=VerificationRead)
def verify_presented(
    session: DbSession, settings: AppSettings, body: dict[str, Any] = Body(...)
) -> VerificationRead:
    """Verify a credential someone presents (the JSON itself): signature, issuer, status."""
    if "proof" not in body or "@context" not in body:
        raise BadRequest(N_("Send the whole credential JSON, with its @context and proof."))
    return _verification(certificates.check(session, settings, body))


@router.post("/certificates/{certificate_id}/revoke", response_model=CertificateRead)
def revoke(
    session: DbSession, settings: AppSettings, user: CurrentUser, certificate_id: str
) -> CertificateRead:
    """Revoke a certificate (administrators); its verification then says revoked."""
    return _read(settings, certificates.revoke(session, user, certificate_id))
