"""API shapes for accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from lifelong.accounts.models import BranchKind, Role


class BranchRead(BaseModel):
    """A branch as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    kind: BranchKind
    region: str
    province: str | None


class UserRead(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    branch: BranchRead


class UserCreate(BaseModel):
    """What an admin sends to create a user; role and branch are checked by the service."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(default="", max_length=100)
    password: str = Field(min_length=8, max_length=256)
    role: str
    branch: str = Field(description="Branch code, e.g. BJ")
    email: str | None = Field(default=None, max_length=254)


class RoleUpdate(BaseModel):
    """A new role for a user."""

    model_config = ConfigDict(extra="forbid")

    role: str


class TokenRead(BaseModel):
    """An OAuth2 bearer token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class PasswordResetRequest(BaseModel):
    """Ask for a reset link by username or e-mail address."""

    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=1, max_length=254)


class PasswordResetConfirm(BaseModel):
    """Use a reset link's token to set a new password."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=256)


class Acknowledgement(BaseModel):
    """A request was taken; what happens next."""

    detail: str
