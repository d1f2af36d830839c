"""Helpers for tests of the xAPI resources: credentials and request headers."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

from sqlalchemy.orm import Session

from lifelong.records.credentials import create_credential

_names = itertools.count(1)
AGENT = {"objectType": "Agent", "mbox": "mailto:learner@example.org"}
ACTIVITY = "https://lifelong.example.org/resources/1"


def lrs_headers(db: Session, scopes: str = "all", version: str = "1.0.3") -> dict[str, str]:
    """Basic-auth and version headers for a fresh credential with ``scopes`` (committed)."""
    _credential, key, secret = create_credential(db, name=f"test-{next(_names)}", scopes=scopes)
    db.commit()
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}


def agent_param(agent: dict[str, Any] | None = None) -> str:
    """The ``agent`` query parameter for an Agent."""
    return json.dumps(agent or AGENT)
