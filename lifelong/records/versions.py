"""xAPI version negotiation (1.0.3 section 6.2; IEEE 9274.1.1 section 4.1.2)."""

from __future__ import annotations

import re

from lifelong.errors import BadRequest

VERSION_HEADER = "X-Experience-API-Version"
V1 = "1.0.3"
V2 = "2.0.0"
SUPPORTED = (V1, V2)

_V1_RE = re.compile(r"^1\.0(\.\d+)?$")
_V2_RE = re.compile(r"^2\.0(\.\d+)?$")


def negotiate(header: str | None) -> str:
    """The version a request is served as; 400 when missing or unsupported.

    1.0.3 section 6.2: the LRS MUST accept any 1.0.x and MUST reject other versions;
    xAPI 2.0 section 4.1.2 does the same for 2.0.x. The response always carries the
    newest patch of the negotiated minor version.
    """
    if header is None or not header.strip():
        raise BadRequest(
            f"the {VERSION_HEADER} header is required (xAPI 1.0.3 section 6.2; "
            "2.0 section 4.1.2); send 1.0.3 or 2.0.0"
        )
    value = header.strip()
    if _V1_RE.match(value):
        return V1
    if _V2_RE.match(value):
        return V2
    raise BadRequest(
        f"unsupported {VERSION_HEADER} {value!r} (xAPI 1.0.3 section 6.2): this LRS "
        "accepts 1.0.x and 2.0.x"
    )
