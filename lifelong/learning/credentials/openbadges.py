"""A certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (a W3C VC 2.0 credential).

Shape per 1EdTech Open Badges 3.0 section 8 (OpenBadgeCredential, Profile,
AchievementSubject, Achievement) on the W3C Verifiable Credentials Data Model 2.0: the
credential's ``id`` is its public verification URL; the recipient is named only by a
salted SHA-256 ``IdentityObject`` of their account id (OB 3.0 section 8.5.13), so the
JSON carries no name or e-mail address.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lifelong.accounts.models import Branch
from lifelong.config import Settings
from lifelong.learning.models import Certificate, Resource
from lifelong.learning.xapi import iso_timestamp

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def verify_url(settings: Settings, certificate_id: str) -> str:
    """The public page that verifies a certificate (also the credential's id)."""
    return f"{settings.public_url.rstrip('/')}/verify/{certificate_id}"


def issuer_id(settings: Settings) -> str:
    """The issuer Profile's id: this installation's public issuer page."""
    return f"{settings.public_url.rstrip('/')}/issuer"


def identity_hash(user_id: int, salt: str) -> str:
    """OB 3.0 IdentityObject.identityHash: ``sha256$`` + hex of (identity + salt)."""
    return "sha256$" + hashlib.sha256(f"{user_id}{salt}".encode()).hexdigest()


def build(
    settings: Settings,
    certificate: Certificate,
    *,
    resource: Resource | None,
    branch: Branch,
) -> dict[str, Any]:
    """The unsigned credential for ``certificate``."""
    base = settings.public_url.rstrip("/")
    achievement: dict[str, Any] = {
        "id": f"{base}/resources/{certificate.resource_id}"
        if certificate.resource_id
        else f"{base}/programmes/{certificate.programme_id}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": certificate.title,
        "description": (resource.description if resource else "") or certificate.title,
        "criteria": {
            "narrative": "Completed the resource under Lifelong's completion rule for its type."
            if certificate.resource_id
            else "Completed every resource of the programme, each under its type's rule."
        },
    }
    credits = float(certificate.credits or 0)
    if credits > 0:
        achievement["creditsAvailable"] = credits
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "accountId",
                "hashed": True,
                "identityHash": identity_hash(certificate.user_id, certificate.id),
                "salt": certificate.id,
            }
        ],
        "achievement": achievement,
    }
    if credits > 0:
        subject["creditsEarned"] = credits
    return {
        "@context": CONTEXTS,
        "id": verify_url(settings, certificate.id),
        "type": TYPES,
        "name": certificate.title,
        "issuer": {
            "id": issuer_id(settings),
            "type": ["Profile"],
            "name": f"Lifelong Open University — {branch.name_en}",
            "url": settings.public_url.rstrip("/"),
        },
        "validFrom": iso_timestamp(certificate.issued_at).replace(".000Z", "Z"),
        "credentialSubject": subject,
    }
