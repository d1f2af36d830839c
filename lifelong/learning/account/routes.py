"""REST API of the lifelong learning account: what is held, its export, erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lifelong.learning.account import service as account
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, client_ip

router = APIRouter(prefix="/api/v1", tags=["learning account"])


class ErasureRequest(BaseModel):
    """Confirm the erasure of your own account by typing your username."""

    model_config = ConfigDict(extra="forbid")
    confirm_username: str = Field(max_length=64)


@router.get("/account")
def my_account(session: DbSession, settings: AppSettings, user: CurrentUser) -> dict[str, Any]:
    """Everything held about the caller (the same as the export, as JSON)."""
    return account.export(session, settings, user)


@router.get("/account/export")
def export(session: DbSession, settings: AppSettings, user: CurrentUser) -> JSONResponse:
    """Download the caller's full record as a JSON file."""
    return JSONResponse(
        account.export(session, settings, user),
        headers={"Content-Disposition": f'attachment; filename="lifelong-record-{user.id}.json"'},
    )


@router.post("/account/erasure", status_code=202)
def erase(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    body: ErasureRequest,
) -> dict[str, str]:
    """Erase the caller's identifying data (learning facts stay, pseudonymised)."""
    account.erase(session, settings, user, confirm=body.confirm_username, ip=client_ip(request))
    request.session.clear()
    return {"status": "erased"}
