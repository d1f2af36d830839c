"""The About resource: which xAPI versions this LRS speaks (xAPI 1.0.3 Part Three 2.8).

xAPI 2.0 (IEEE 9274.1.1) section 4.1.6.7 keeps it: no authentication needed (2.8.s5.b3),
no version header needed (2.8.s5.b4), only ``version`` and ``extensions`` (2.8.s5.b2).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifelong import __version__
from lifelong.errors import LifelongError
from lifelong.records.responses import json_response
from lifelong.records.versions import SUPPORTED, V2, VERSION_HEADER, negotiate
from lifelong.web.deps import AppSettings

router = APIRouter(prefix="/xapi", tags=["xAPI"])


def about_document(iri_base: str) -> dict[str, Any]:
    """The About object: the newest patch of each major version, and Lifelong's extension."""
    return {
        "version": list(SUPPORTED),
        "extensions": {
            f"{iri_base}/xapi/extensions/lrs": {"name": "Lifelong LRS", "version": __version__}
        },
    }


@router.get("/about")
@router.head("/about", include_in_schema=False)  # GET without a body
def about(request: Request, settings: AppSettings) -> Response:
    """GET /xapi/about (unauthenticated; any or no version header)."""
    response = json_response(request, about_document(settings.iri_base))
    try:
        version = negotiate(request.headers.get(VERSION_HEADER))
    except LifelongError:
        version = V2
    # Every response carries the version header (1.0.3 Part Three 1.1 / 2.0 4.1.2).
    response.headers[VERSION_HEADER] = version
    return response
