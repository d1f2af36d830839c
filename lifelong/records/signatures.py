"""Signed statements (xAPI 1.0.3 Data 2.6; 2.0 section 4.2.6): JWS, RFC 7515."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from lifelong.errors import BadRequest

ALGORITHMS = {"RS256": "SHA256", "RS384": "SHA384", "RS512": "SHA512"}
# Properties that may legitimately differ between the signed payload and the statement
# as received (Data 2.3.1 comparison rules, and the signature attachment itself).
_IGNORED = ("id", "authority", "stored", "version", "attachments")


def _b64(segment: str) -> bytes:
    """Decode one base64url segment (padding optional, RFC 7515 section 2)."""
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise BadRequest("signature: a JWS segment is not base64url (RFC 7515)") from None


def _comparable(stmt: dict[str, Any]) -> bytes:
    """A statement reduced to what a signature covers, in a stable serialisation."""
    return orjson.dumps(
        {k: v for k, v in stmt.items() if k not in _IGNORED}, option=orjson.OPT_SORT_KEYS
    )


def check_signature(stmt: dict[str, Any], jws: bytes, attachment: dict[str, Any]) -> None:
    """Reject a malformed signature or one whose payload is not this statement."""
    if attachment.get("contentType") != "application/octet-stream":
        raise BadRequest(
            "signature attachment must have contentType application/octet-stream (Data 2.6)"
        )
    try:
        text = jws.decode("ascii").strip()
    except UnicodeDecodeError:
        raise BadRequest("signature: not a JWS compact serialisation (Data 2.6)") from None
    pieces = text.split(".")
    if len(pieces) != 3:
        raise BadRequest("signature: JWS compact serialisation has three parts (RFC 7515 7.1)")
    try:
        header = orjson.loads(_b64(pieces[0]))
        payload = orjson.loads(_b64(pieces[1]))
    except orjson.JSONDecodeError:
        raise BadRequest("signature: JWS header or payload is not JSON (Data 2.6)") from None
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise BadRequest("signature: JWS alg must be RS256, RS384 or RS512 (Data 2.6)")
    if not isinstance(payload, dict) or _comparable(payload) != _comparable(stmt):
        raise BadRequest(
            "signature: the JWS payload does not match the statement (Data 2.6, 2.3.1)"
        )
    chain = header.get("x5c")
    if chain:
        _verify_x5c(chain, header["alg"], f"{pieces[0]}.{pieces[1]}".encode(), _b64(pieces[2]))


def _verify_x5c(chain: Any, alg: str, signed: bytes, signature: bytes) -> None:
    """Verify the signature with the first certificate of ``x5c`` (RFC 7515 4.1.6)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
    except (ValueError, TypeError, IndexError, binascii.Error):
        raise BadRequest(
            "signature: x5c does not hold a DER certificate (RFC 7515 4.1.6)"
        ) from None
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadRequest("signature: the x5c certificate's key is not RSA (Data 2.6)")
    digest = {"SHA256": hashes.SHA256(), "SHA384": hashes.SHA384(), "SHA512": hashes.SHA512()}
    try:
        key.verify(signature, signed, padding.PKCS1v15(), digest[ALGORITHMS[alg]])
    except InvalidSignature:
        raise BadRequest("signature: the JWS signature does not verify (Data 2.6)") from None
