"""The lifelong learning account: everything held about a person, exported or erased.

One account per person across every branch and provider: enrolments carry the branch
they were made through, certificates the branch that issued them, so one query by user
gives the whole record. Erasure follows the GDPR art. 17 / PIPL art. 47 pattern used
by statistics offices: identifying data goes, facts stay attached to a pseudonym (the
bare user id), so every count, completion rate and credit total stays valid.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from lifelong.accounts import service as accounts
from lifelong.accounts.models import ApiToken, AuditEvent, LearnerProfile, User
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, Forbidden
from lifelong.i18n import N_
from lifelong.learning.credentials import openbadges
from lifelong.learning.credentials import service as certificates
from lifelong.learning.journey import service as journey
from lifelong.learning.journey.models import EnrolmentUnit
from lifelong.learning.models import Enrolment

SIGN_IN_KINDS = ("login", "login_failed", "logout", "token_issued")
ERASED_NAME = "Erased learner"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def sign_ins(session: Session, user: User, limit: int = 1000) -> list[AuditEvent]:
    """The person's own sign-in events, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.kind.in_(SIGN_IN_KINDS),
                or_(AuditEvent.actor_id == user.id, AuditEvent.subject == user.username),
            )
            .order_by(AuditEvent.at.desc())
            .limit(limit)
        )
    )


def credits_total(session: Session, user: User) -> Decimal:
    """Credits of the person's unrevoked certificates."""
    return sum(
        (
            c.credits or Decimal("0")
            for c in certificates.of_user(session, user.id)
            if not c.revoked_at
        ),
        Decimal("0"),
    )


def export(session: Session, settings: Settings, user: User) -> dict[str, Any]:
    """Everything held about ``user``: profile, enrolments, outcomes, certificates, sign-ins."""
    profile = session.get(LearnerProfile, user.id)
    enrolments = journey.of_user(session, user.id)
    units = dict(
        session.execute(
            select(EnrolmentUnit.enrolment_id, func.count())
            .where(EnrolmentUnit.enrolment_id.in_([e.id for e in enrolments] or [-1]))
            .group_by(EnrolmentUnit.enrolment_id)
        ).all()
    )
    return {
        "format": "lifelong-learner-record/1",
        "exported_at": utcnow().isoformat(),
        "account": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "role": user.role.value,
            "branch": {
                "code": user.branch.code,
                "name_zh": user.branch.name_zh,
                "name_en": user.branch.name_en,
            },
            "locale": user.locale,
            "created_at": _when(user.created_at),
            "is_active": user.is_active,
        },
        "profile": None
        if profile is None
        else {
            "birth_year": profile.birth_year,
            "gender": profile.gender,
            "occupation": profile.occupation,
            "education": profile.education,
            "province": profile.province,
            "interests": list(profile.interests or []),
            "registered_at": _when(profile.registered_at),
        },
        "enrolments": [
            {
                "resource_id": e.resource_id,
                "title": e.resource.title,
                "type": e.resource.type.value,
                "provider": e.resource.provider.code,
                "branch_id": e.branch_id,
                "registration": e.registration,
                "status": e.status.value,
                "progress": round(e.progress, 4),
                "position_seconds": e.position_seconds,
                "seconds_spent": e.seconds_spent,
                "units_done": int(units.get(e.id, 0)),
                "attempts": e.attempts,
                "best_score": e.best_score,
                "enrolled_at": _when(e.enrolled_at),
                "last_activity_at": _when(e.last_activity_at),
                "completed_at": _when(e.completed_at),
                "withdrawn_at": _when(e.withdrawn_at),
            }
            for e in enrolments
        ],
        "certificates": [
            {
                "id": c.id,
                "title": c.title,
                "resource_id": c.resource_id,
                "programme_id": c.programme_id,
                "branch_id": c.branch_id,
                "credits": float(c.credits or 0),
                "issued_at": _when(c.issued_at),
                "revoked_at": _when(c.revoked_at),
                "verify_url": openbadges.verify_url(settings, c.id),
                "credential": certificates.credential_for(session, settings, c),
            }
            for c in certificates.of_user(session, user.id)
        ],
        "credits": float(credits_total(session, user)),
        "seconds_spent": sum(e.seconds_spent for e in enrolments),
        "sign_ins": [
            {"at": _when(a.at), "kind": a.kind, "ip": a.ip} for a in sign_ins(session, user)
        ],
        "learning_records": {
            "note": "Your xAPI statements name you only by your account id "
            f"({settings.iri_base} / {user.id}).",
        },
    }


def erase(
    session: Session, settings: Settings, user: User, *, confirm: str, ip: str | None
) -> None:
    """Erase the person's identifying data; keep their learning facts under a pseudonym."""
    if user.erased_at is not None:
        raise BadRequest(N_("This account is already erased."))
    if user.role.value != "learner":
        raise Forbidden(N_("Staff accounts are closed by an administrator, not erased here."))
    if confirm.strip() != user.username:
        raise BadRequest(N_("Type your username exactly to confirm the erasure."))
    old_username = user.username
    pseudonym = f"erased-{user.id}-{secrets.token_hex(4)}"
    user.username = pseudonym
    user.display_name = ERASED_NAME
    user.email = None
    user.locale = None
    user.is_active = False
    user.erased_at = utcnow()
    # An unusable hash: no password verifies against it (Argon2 hashes start with $argon2).
    user.password_hash = "!erased"
    profile = session.get(LearnerProfile, user.id)
    if profile is not None:
        # Keep only what aggregate statistics need and cannot identify a person alone.
        profile.birth_year = None
        profile.gender = None
        profile.occupation = None
        profile.education = None
        profile.interests = []
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    # The person's own security events lose the username and address they carried.
    session.execute(
        update(AuditEvent)
        .where(or_(AuditEvent.actor_id == user.id, AuditEvent.subject == old_username))
        .values(subject=pseudonym, ip=None)
    )
    accounts.record(
        session,
        "account_erased",
        actor=user,
        subject=pseudonym,
        ip=None,
        enrolments=int(
            session.scalar(select(func.count(Enrolment.id)).where(Enrolment.user_id == user.id))
            or 0
        ),
    )
    session.flush()
