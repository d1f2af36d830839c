"""Statement result formats (Communication 2.1.3: exact, ids, canonical) and multipart."""

from __future__ import annotations

import secrets
from typing import Any

import orjson

_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _actor_ids(actor: dict[str, Any]) -> dict[str, Any]:
    """An Agent or Group reduced to what identifies it (anonymous Groups keep members)."""
    out: dict[str, Any] = {}
    if "objectType" in actor:
        out["objectType"] = actor["objectType"]
    for key in _IFIS:
        if key in actor:
            out[key] = actor[key]
            return out
    out["member"] = [_actor_ids(member) for member in actor.get("member") or ()]
    return out


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    """The object in ids format."""
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return (
            {"objectType": "Activity", "id": obj["id"]}
            if "objectType" in obj
            else {"id": obj["id"]}
        )
    if object_type in ("Agent", "Group"):
        return _actor_ids(obj)
    if object_type == "SubStatement":
        return _body_ids(dict(obj))
    return obj


def _body_ids(stmt: dict[str, Any]) -> dict[str, Any]:
    """A statement (or SubStatement) with Agents, Groups, Activities and Verbs as ids."""
    stmt["actor"] = _actor_ids(stmt["actor"])
    stmt["verb"] = {"id": stmt["verb"]["id"]}
    stmt["object"] = _object_ids(stmt["object"])
    if "authority" in stmt:
        stmt["authority"] = _actor_ids(stmt["authority"])
    context = stmt.get("context")
    if context:
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _actor_ids(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [{"id": item["id"]} for item in items]
                for key, items in context["contextActivities"].items()
            }
        stmt["context"] = context
    return stmt


def _best(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    """One entry of a language map, chosen by Accept-Language (Communication 2.1.3)."""
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for low, tag in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def _canonical(stmt: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """Verbs' display and Activities' name/description reduced to one language."""
    verb = stmt["verb"]
    if "display" in verb:
        stmt["verb"] = {**verb, "display": _best(verb["display"], languages)}
    obj = stmt["object"]
    definition = obj.get("definition") if obj.get("objectType", "Activity") == "Activity" else None
    if definition:
        definition = dict(definition)
        for key in ("name", "description"):
            if key in definition:
                definition[key] = _best(definition[key], languages)
        stmt["object"] = {**obj, "definition": definition}
    elif obj.get("objectType") == "SubStatement":
        stmt["object"] = _canonical(dict(obj), languages)
    return stmt


def accept_languages(header: str | None) -> list[str]:
    """Language ranges of an Accept-Language header, best first (RFC 7231 5.3.5)."""
    ranges: list[tuple[float, str]] = []
    for item in (header or "").split(","):
        tag, _, params = item.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranges.append((quality, tag))
    return [tag for _quality, tag in sorted(ranges, key=lambda r: -r[0])]


def render(statement: str, fmt: str, languages: list[str]) -> bytes:
    """One stored statement in the requested format."""
    if fmt == "exact":
        return statement.encode()
    stmt = orjson.loads(statement)
    stmt = _body_ids(stmt) if fmt == "ids" else _canonical(stmt, languages)
    return orjson.dumps(stmt)


def statement_result(statements: list[str], more: str, fmt: str, languages: list[str]) -> bytes:
    """The StatementResult object (Data 2.5) as bytes."""
    body = b",".join(render(s, fmt, languages) for s in statements)
    return b'{"statements":[' + body + b'],"more":' + orjson.dumps(more) + b"}"


def attachment_hashes(statements: list[str]) -> list[str]:
    """The sha2 of every attachment the statements declare (and their SubStatements)."""
    found: list[str] = []
    for text in statements:
        if '"attachments"' not in text:
            continue
        stmt = orjson.loads(text)
        for holder in (stmt, stmt["object"]):
            for attachment in holder.get("attachments") or ():
                if attachment["sha2"] not in found:
                    found.append(attachment["sha2"])
    return found


def multipart(json_body: bytes, parts: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed body: the JSON first, then one part per attachment (Comm. 1.5.2)."""
    boundary = "lifelong-" + secrets.token_hex(12)
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json_body,
        b"\r\n",
    ]
    for sha2, content_type, content in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Type: {content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks += [content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'
