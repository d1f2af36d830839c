"""LRS credentials: create, verify and describe the clients of the statement API.

Scopes follow xAPI 1.0.3 section 6.4.2 (OAuth authorization scope) and the same list in
xAPI 2.0 (IEEE 9274.1.1) section 4.1.6.2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, Conflict, NotFound
from lifelong.records.models import LrsCredential

SCOPES = frozenset(
    {
        "statements/write",
        "statements/read/mine",
        "statements/read",
        "state",
        "define",
        "profile",
        "all/read",
        "all",
    }
)
CLIENT_HOMEPAGE_PATH = "/xapi/clients"


@dataclass(frozen=True)
class XapiClient:
    """An authenticated LRS client: who it is, what it may do, whose data it may see."""

    name: str
    scopes: frozenset[str]
    branch_code: str | None
    authority: dict[str, Any] = field(hash=False, compare=False)
    credential_id: int = 0

    def may(self, scope: str, *, read: bool) -> bool:
        """Whether this client holds ``scope`` (``read`` requests also pass with all/read)."""
        if "all" in self.scopes or scope in self.scopes:
            return True
        if read and "all/read" in self.scopes:
            return True
        # statements/read/mine is a restricted read; the caller narrows the results.
        return scope == "statements/read" and read and "statements/read/mine" in self.scopes

    @property
    def reads_only_mine(self) -> bool:
        """True when the client may read only the statements it stored itself (6.4.2)."""
        return not ({"all", "all/read", "statements/read"} & self.scopes)


def hash_secret(secret: str) -> str:
    """SHA-256 of a full-entropy secret, hex-encoded."""
    return hashlib.sha256(secret.encode()).hexdigest()


def authority_for(iri_base: str, name: str) -> dict[str, Any]:
    """The authority Agent set on statements stored through credential ``name``."""
    return {
        "objectType": "Agent",
        "account": {"homePage": iri_base + CLIENT_HOMEPAGE_PATH, "name": name},
    }


def parse_scopes(text: str | list[str]) -> list[str]:
    """Split and check a scope list (comma or space separated)."""
    items = text if isinstance(text, list) else text.replace(",", " ").split()
    scopes = sorted(set(items))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise BadRequest(
            f"unknown scope(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(sorted(SCOPES))}"
        )
    return scopes


def create_credential(
    session: Session, *, name: str, scopes: str | list[str], branch_code: str | None = None
) -> tuple[LrsCredential, str, str]:
    """Create a credential; return it with its key and its secret (shown only once)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise BadRequest("a credential name must have 1 to 100 characters")
    if session.scalar(select(LrsCredential.id).where(LrsCredential.name == name)):
        raise Conflict(f"a credential named {name!r} already exists")
    branch_id = None
    if branch_code:
        branch_id = session.scalar(select(Branch.id).where(Branch.code == branch_code))
        if branch_id is None:
            raise NotFound(f"no branch with code {branch_code!r}")
    key = secrets.token_hex(16)
    secret = secrets.token_urlsafe(32)
    credential = LrsCredential(
        name=name,
        key=key,
        secret_hash=hash_secret(secret),
        scopes=parse_scopes(scopes),
        branch_id=branch_id,
    )
    session.add(credential)
    session.flush()
    return credential, key, secret


def revoke(session: Session, name: str) -> None:
    """Revoke credential ``name`` (kept for the record, no longer accepted)."""
    credential = session.scalar(select(LrsCredential).where(LrsCredential.name == name))
    if credential is None:
        raise NotFound(f"no credential named {name!r}")
    credential.revoked_at = utcnow()


def client_for(session: Session, credential: LrsCredential, iri_base: str) -> XapiClient:
    """Describe a credential as the client the statement API works with."""
    branch_code = None
    if credential.branch_id is not None:
        branch_code = session.scalar(select(Branch.code).where(Branch.id == credential.branch_id))
    return XapiClient(
        name=credential.name,
        scopes=frozenset(credential.scopes),
        branch_code=branch_code,
        authority=authority_for(iri_base, credential.name),
        credential_id=credential.id,
    )


def verify(session: Session, key: str, secret: str, iri_base: str) -> XapiClient | None:
    """The client for a key and secret, or None when they are wrong or revoked."""
    credential = session.scalar(select(LrsCredential).where(LrsCredential.key == key))
    if credential is None or credential.revoked_at is not None:
        hmac.compare_digest(hash_secret(secret), "0" * 64)  # same work either way
        return None
    if not hmac.compare_digest(hash_secret(secret), credential.secret_hash):
        return None
    return client_for(session, credential, iri_base)


def ensure_client(session: Session, name: str, iri_base: str, *, scopes: str = "all") -> XapiClient:
    """The client named ``name``, creating a credential for it if absent (bulk path, C2)."""
    credential = session.scalar(select(LrsCredential).where(LrsCredential.name == name))
    if credential is None:
        credential, _key, _secret = create_credential(session, name=name, scopes=scopes)
    return client_for(session, credential, iri_base)
