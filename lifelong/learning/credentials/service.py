"""Issuing certificates (once per learner and resource) and verifying them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, User
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import Forbidden, NotFound
from lifelong.i18n import N_
from lifelong.learning.credentials import openbadges, signing
from lifelong.learning.journey.models import CertificateCredential
from lifelong.learning.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeItem,
)
from lifelong.learning.xapi import iso_timestamp

STAFF_ROLES = ("branch_admin", "hq_admin")


def issue(session: Session, settings: Settings, user: User, enrolment: Enrolment) -> Certificate:
    """The certificate for a completed enrolment, issued and signed the first time only."""
    existing = session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id, Certificate.resource_id == enrolment.resource_id
        )
    )
    if existing is not None:
        return existing
    return _issue_new(
        session,
        settings,
        user_id=user.id,
        resource_id=enrolment.resource_id,
        branch_id=enrolment.branch_id,
        title=enrolment.resource.title,
        credits=enrolment.resource.credits,
    )


def _issue_new(session: Session, settings: Settings, **fields: Any) -> Certificate:
    """A new certificate with ``fields``, stored and signed (its credential made)."""
    certificate = Certificate(id=str(uuid.uuid4()), issued_at=utcnow(), **fields)
    session.add(certificate)
    session.flush()
    credential_for(session, settings, certificate)
    return certificate


def programmes_completed(session: Session, user: User, resource_id: int) -> list[Programme]:
    """Programmes holding ``resource_id`` whose every resource ``user`` has completed."""
    done = set(
        session.scalars(
            select(Enrolment.resource_id).where(
                Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.completed
            )
        )
    )
    holding = session.scalars(
        select(Programme)
        .join(ProgrammeItem, ProgrammeItem.programme_id == Programme.id)
        .where(ProgrammeItem.resource_id == resource_id)
    ).unique()
    return [p for p in holding if p.items and all(i.resource_id in done for i in p.items)]


def issue_programme(
    session: Session, settings: Settings, user: User, programme: Programme
) -> Certificate | None:
    """The programme's credential, issued the first time its last resource is completed;
    None when the learner already holds it."""
    existing = session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id, Certificate.programme_id == programme.id
        )
    )
    if existing is not None:
        return None
    return _issue_new(
        session,
        settings,
        user_id=user.id,
        programme_id=programme.id,
        branch_id=user.branch_id,
        title=programme.credential or programme.title,
        credits=sum((item.resource.credits or 0 for item in programme.items), start=Decimal(0)),
    )


def credential_for(
    session: Session, settings: Settings, certificate: Certificate
) -> dict[str, Any]:
    """The signed credential, signing it now for certificates issued without one."""
    stored = session.get(CertificateCredential, certificate.id)
    if stored is not None:
        return dict(stored.credential)
    branch = session.get(Branch, certificate.branch_id)
    assert branch is not None  # a foreign key
    resource = certificate_resource(session, certificate)
    key = signing.load_key(settings)
    unsigned = openbadges.build(settings, certificate, resource=resource, branch=branch)
    signed = signing.sign(unsigned, key, iso_timestamp(utcnow()).replace(".000Z", "Z"))
    session.add(
        CertificateCredential(
            certificate_id=certificate.id,
            credential=signed,
            key_id=signing.verification_method(key.public_key()),
        )
    )
    session.flush()
    return signed


def certificate_resource(session: Session, certificate: Certificate) -> Any:
    """The resource a certificate is for (None for programme certificates)."""
    from lifelong.learning.models import Resource

    return session.get(Resource, certificate.resource_id) if certificate.resource_id else None


def get(session: Session, certificate_id: str) -> Certificate:
    """A certificate by id; 404 when there is none."""
    try:
        uuid.UUID(certificate_id)
    except ValueError:
        raise NotFound(N_("No certificate with this id.")) from None
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(N_("No certificate with this id."))
    return certificate


def owned(session: Session, user: User, certificate_id: str) -> Certificate:
    """A certificate its holder (or an administrator within reach) may open."""
    certificate = get(session, certificate_id)
    if certificate.user_id == user.id:
        return certificate
    if user.role.value == "hq_admin" or (
        user.role.value == "branch_admin" and user.branch_id == certificate.branch_id
    ):
        return certificate
    raise NotFound(N_("No certificate with this id."))


def of_user(session: Session, user_id: int) -> list[Certificate]:
    """A learner's certificates, newest first."""
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc())
        )
    )


@dataclass
class Verification:
    """The outcome of checking a certificate or a presented credential."""

    status: str  # valid, revoked, invalid, not_found
    certificate: Certificate | None = None
    credential: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    holder: str | None = None


def _holder(session: Session, certificate: Certificate) -> str | None:
    user = session.get(User, certificate.user_id)
    if user is None or user.erased_at is not None:
        return None
    return user.display_name


def check(session: Session, settings: Settings, credential: dict[str, Any]) -> Verification:
    """Verify a credential: signature by our key, issued by us, and not revoked."""
    trusted = signing.load_key(settings).public_key()
    problem = signing.check_proof(credential, trusted)
    if problem:
        return Verification(status="invalid", credential=credential, problems=[problem])
    prefix = openbadges.verify_url(settings, "")
    cred_id = str(credential.get("id", ""))
    if not cred_id.startswith(prefix):
        problems = [N_("not issued by this installation")]
        return Verification(status="invalid", credential=credential, problems=problems)
    certificate = session.get(Certificate, cred_id.removeprefix(prefix))
    if certificate is None:
        return Verification(status="not_found", credential=credential)
    status = "revoked" if certificate.revoked_at is not None else "valid"
    return Verification(
        status=status,
        certificate=certificate,
        credential=credential,
        holder=_holder(session, certificate),
    )


def verify(session: Session, settings: Settings, certificate_id: str) -> Verification:
    """Verify the certificate at its public URL: its stored credential's signature and row."""
    try:
        certificate = get(session, certificate_id)
    except NotFound:
        return Verification(status="not_found")
    credential = credential_for(session, settings, certificate)
    outcome = check(session, settings, credential)
    if outcome.certificate is None:  # the proof or issuer check failed: name what was checked
        outcome.certificate = certificate
        outcome.holder = _holder(session, certificate)
    if outcome.status == "valid" and credential.get("name") != certificate.title:
        return Verification(
            status="invalid",
            certificate=certificate,
            credential=credential,
            problems=[N_("the stored credential no longer matches the certificate")],
        )
    return outcome


def revoke(session: Session, user: User, certificate_id: str) -> Certificate:
    """Revoke a certificate (administrators within reach only); verification then says so."""
    if user.role.value not in STAFF_ROLES:
        raise Forbidden(N_("Only administrators may revoke certificates."))
    certificate = owned(session, user, certificate_id)
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
    return certificate
