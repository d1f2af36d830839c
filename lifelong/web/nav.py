"""The product's navigation: each part of the product adds its entry here as it appears."""

from __future__ import annotations

from dataclasses import dataclass

from lifelong.accounts.models import Role, User
from lifelong.i18n import N_

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.teacher, Role.branch_admin, Role.analyst, Role.hq_admin})
ADMINS = frozenset({Role.branch_admin, Role.hq_admin})


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation; ``label`` is an English msgid, translated on render."""

    key: str
    label: str
    href: str
    roles: frozenset[Role]


NAV: list[NavItem] = [
    NavItem("home", N_("Home"), "/", ALL_ROLES),
    NavItem("users", N_("People"), "/admin/users", ADMINS),
    NavItem("audit", N_("Security log"), "/admin/audit", ADMINS),
    NavItem("api", N_("API"), "/api/docs", STAFF),
]


def register(item: NavItem, *, before: str | None = None) -> None:
    """Add a part of the product to the navigation (idempotent by key)."""
    if any(existing.key == item.key for existing in NAV):
        return
    index = next((i for i, existing in enumerate(NAV) if existing.key == before), len(NAV))
    NAV.insert(index, item)


def for_user(user: User | None) -> list[NavItem]:
    """The entries this user may see."""
    if user is None:
        return []
    return [item for item in NAV if user.role in item.roles]
