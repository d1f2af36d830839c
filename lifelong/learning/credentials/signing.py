"""Signing credentials: Ed25519 Data Integrity proofs with the ``eddsa-jcs-2022`` suite.

W3C "Data Integrity EdDSA Cryptosuites v1.0" section 3.3 (eddsa-jcs-2022): the proof
options and the unsigned document are each canonicalised with the JSON Canonicalization
Scheme (RFC 8785) and hashed with SHA-256; the signature is over the two hashes joined
(options first) and written as multibase base58-btc (``z...``). The JCS suite was chosen
over ``eddsa-rdfc-2022`` because RDF canonicalisation needs the JSON-LD contexts, which
cannot be fetched offline; JCS needs nothing but the JSON itself.

The verification method is a ``did:key`` (the public key itself, multicodec ed25519-pub
0xed01), so anyone can check a proof with no network; a proof only counts as ours when
its key is this installation's key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lifelong.config import Settings
from lifelong.i18n import N_

CRYPTOSUITE = "eddsa-jcs-2022"
ED25519_MULTICODEC = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Bitcoin base58 (the ``z`` multibase), leading zero bytes kept as ``1``."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def from_base58btc(text: str) -> bytes:
    """Decode base58 (raises ValueError on a character outside the alphabet)."""
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _number(value: float) -> str:
    """RFC 8785 section 3.2.2.3: integral values without a fraction, else shortest form."""
    if not math.isfinite(value):
        raise ValueError("JSON has no NaN or infinity")
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def canonical(value: Any) -> str:
    """The JCS form of a JSON value (RFC 8785: sorted keys, no spaces, minimal escapes)."""
    if isinstance(value, dict):
        # RFC 8785 sorts by UTF-16 code units; our keys are ASCII, where that is code points.
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def load_key(settings: Settings) -> Ed25519PrivateKey:
    """This installation's signing key, created once (mode 0600) in the data directory."""
    path: Path = settings.credential_key_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.touch(mode=0o600)
        temp.write_bytes(pem)
        # link() fails if the key exists: when two workers start at once, the first key
        # written wins and both sign with it (a replace would let one sign with a lost key).
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
        temp.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return loaded


def did_key(public: Ed25519PublicKey) -> str:
    """The ``did:key`` of an Ed25519 public key (W3C did:key method, multicodec 0xed01)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + base58btc(ED25519_MULTICODEC + raw)


def verification_method(public: Ed25519PublicKey) -> str:
    """The key's verification method id: ``did:key:z6Mk...#z6Mk...``."""
    did = did_key(public)
    return f"{did}#{did.removeprefix('did:key:')}"


def public_key_from_method(method: str) -> Ed25519PublicKey:
    """The Ed25519 key a ``did:key`` verification method names (ValueError otherwise)."""
    if not method.startswith("did:key:z"):
        raise ValueError(N_("the verification method is not a did:key"))
    decoded = from_base58btc(method.removeprefix("did:key:z").split("#", 1)[0])
    if not decoded.startswith(ED25519_MULTICODEC) or len(decoded) != 34:
        raise ValueError(N_("the did:key is not an Ed25519 key"))
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def _hash_data(options: dict[str, Any], document: dict[str, Any]) -> bytes:
    """eddsa-jcs-2022 section 3.3.4: SHA-256(JCS(options)) || SHA-256(JCS(document))."""
    return (
        hashlib.sha256(canonical(options).encode()).digest()
        + hashlib.sha256(canonical(document).encode()).digest()
    )


def sign(document: dict[str, Any], key: Ed25519PrivateKey, created: str) -> dict[str, Any]:
    """``document`` with a DataIntegrityProof (assertionMethod) added."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method(key.public_key()),
        "proofPurpose": "assertionMethod",
        "@context": unsigned["@context"],
    }
    signature = key.sign(_hash_data(options, unsigned))
    return {**unsigned, "proof": {**options, "proofValue": "z" + base58btc(signature)}}


def check_proof(document: dict[str, Any], trusted: Ed25519PublicKey) -> str | None:
    """None when the proof is valid and made with ``trusted``; else what is wrong."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return N_("the credential has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return N_("the proof is not a DataIntegrityProof with eddsa-jcs-2022")
    if proof.get("proofPurpose") != "assertionMethod":
        return N_("the proof's purpose is not assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return N_("the proof has no base58-btc proofValue")
    try:
        public = public_key_from_method(str(proof.get("verificationMethod", "")))
        signature = from_base58btc(value[1:])
    except ValueError as exc:
        return str(exc)
    if did_key(public) != did_key(trusted):
        return N_("the proof was not made with this issuer's key")
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if options.get("@context") != unsigned.get("@context"):
        return N_("the proof's @context differs from the credential's")
    try:
        public.verify(signature, _hash_data(options, unsigned))
    except InvalidSignature:
        return N_("the signature does not match the credential (it was altered)")
    return None
