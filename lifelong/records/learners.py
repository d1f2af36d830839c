"""Which branch a learner belongs to, for scoping branch credentials' agent filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lifelong.accounts.models import Branch, User
from lifelong.config import Settings
from lifelong.db.engine import transaction
from lifelong.records.query import BranchOf


def learner_branch_resolver(factory: sessionmaker[Session], settings: Settings) -> BranchOf:
    """A function mapping a Lifelong learner's account agent to their branch code."""

    def branch_of(agent: dict[str, Any]) -> str | None:
        account = agent.get("account")
        if not account or account.get("homePage") != settings.iri_base:
            return None
        name = str(account.get("name", ""))
        if not name.isdigit():
            return None
        with transaction(factory) as session:
            return session.scalar(
                select(Branch.code)
                .join(User, User.branch_id == Branch.id)
                .where(User.id == int(name))
            )

    return branch_of
