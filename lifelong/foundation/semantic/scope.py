"""Row scope: which branches' rows a semantic-layer query may read, decided by the asker."""

from __future__ import annotations

from dataclasses import dataclass

from lifelong.accounts.models import Role, User
from lifelong.errors import Forbidden
from lifelong.i18n import N_

ALL_BRANCH_ROLES = frozenset({Role.hq_admin, Role.analyst})
OWN_BRANCH_ROLES = frozenset({Role.branch_admin, Role.teacher})


@dataclass(frozen=True)
class Scope:
    """The asker's role and the branches they may see (``None``: every branch).

    The compiler puts ``branch_code IN (...)`` on every mart a query touches, ANDed with the
    request's filters, so no filter can widen it.
    """

    role: Role
    branches: frozenset[str] | None

    @classmethod
    def everything(cls, role: Role = Role.hq_admin) -> Scope:
        """Headquarters' scope: all branches."""
        return cls(role=role, branches=None)

    @classmethod
    def branch(cls, code: str, role: Role = Role.branch_admin) -> Scope:
        """One branch's scope."""
        return cls(role=role, branches=frozenset({code}))

    def describe(self) -> dict[str, object]:
        """The scope as the API reports it."""
        return {
            "role": self.role.value,
            "branches": None if self.branches is None else sorted(self.branches),
        }


def scope_for(user: User) -> Scope:
    """The scope of a signed-in user; learners may not use the metrics API (403)."""
    if user.role in ALL_BRANCH_ROLES:
        return Scope(role=user.role, branches=None)
    if user.role in OWN_BRANCH_ROLES:
        return Scope(role=user.role, branches=frozenset({user.branch.code}))
    raise Forbidden(N_("Learners cannot query the metrics API."))
