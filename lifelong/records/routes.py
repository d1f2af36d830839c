"""The ``/xapi`` router: the LRS resources (statements here; documents in their modules)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/xapi", tags=["xAPI"])
