"""Agents: validation of the ``agent`` parameter, canonical IFI keys, the Agents resource.

xAPI 1.0.3 Part Two section 2.4.2.1 (Agent) and 2.4.2.4 (Inverse Functional Identifier);
Part Three section 2.4 (Agents Resource, Person Object). xAPI 2.0 (IEEE 9274.1.1) keeps
the same rules (sections 5.2.2.1 and 4.1.6.3).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import JSON, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lifelong.db.base import Base, utcnow
from lifelong.errors import BadRequest
from lifelong.records.params import is_iri

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_PROPERTIES = frozenset({"objectType", "name", *IFI_PROPERTIES})
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
MAX_NAME_LENGTH = 255


class AgentName(Base):
    """A name seen for an Agent's IFI, so the Agents resource can list every name of a person."""

    __tablename__ = "lrs_agent_names"
    __table_args__ = (UniqueConstraint("ifi_hash", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ifi_hash: Mapped[str] = mapped_column(String(64), index=True)
    ifi_key: Mapped[str] = mapped_column(Text)
    ifi: Mapped[dict[str, Any]] = mapped_column(JSON)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)


def validate_agent(agent: object, *, where: str = "agent") -> dict[str, Any]:
    """Check an Agent object (not a Group); 400 naming the rule broken."""
    if not isinstance(agent, dict):
        raise BadRequest(f"'{where}' must be a JSON object describing an Agent.")
    unknown = sorted(set(agent) - AGENT_PROPERTIES)
    if unknown:
        raise BadRequest(
            f"'{where}' has properties an Agent may not have: {', '.join(unknown)} "
            "(xAPI 1.0.3 Part Two section 2.4.2.1)."
        )
    object_type = agent.get("objectType", "Agent")
    if object_type != "Agent":
        raise BadRequest(
            f"'{where}' must be an Agent: objectType is {object_type!r} "
            "(a Group's identifier may be used inside an Agent object)."
        )
    ifis = [key for key in IFI_PROPERTIES if key in agent]
    if len(ifis) != 1:
        raise BadRequest(
            f"'{where}' must have exactly one inverse functional identifier "
            f"(mbox, mbox_sha1sum, openid or account), found {len(ifis)} "
            "(xAPI 1.0.3 Part Two section 2.4.2.1)."
        )
    if "name" in agent and not isinstance(agent["name"], str):
        raise BadRequest(f"'{where}.name' must be a string.")
    _validate_ifi(ifis[0], agent[ifis[0]], where)
    return agent


def _validate_ifi(kind: str, value: object, where: str) -> None:
    """One IFI's own format (xAPI 1.0.3 Part Two section 2.4.2.4)."""
    if kind == "mbox":
        if not isinstance(value, str) or not _MAILTO.match(value):
            raise BadRequest(f"'{where}.mbox' must be a mailto IRI such as 'mailto:a@b.org'.")
    elif kind == "mbox_sha1sum":
        if not isinstance(value, str) or not _SHA1.match(value):
            raise BadRequest(f"'{where}.mbox_sha1sum' must be 40 hexadecimal characters.")
    elif kind == "openid":
        if not is_iri(value):
            raise BadRequest(f"'{where}.openid' must be an absolute URI.")
    else:
        if not isinstance(value, dict) or set(value) != {"homePage", "name"}:
            raise BadRequest(
                f"'{where}.account' must be an object with exactly 'homePage' and 'name' "
                "(xAPI 1.0.3 Part Two section 2.4.2.5)."
            )
        if not is_iri(value["homePage"]):
            raise BadRequest(f"'{where}.account.homePage' must be an IRL.")
        if not isinstance(value["name"], str) or not value["name"]:
            raise BadRequest(f"'{where}.account.name' must be a non-empty string.")


def parse_agent_parameter(text: str | None, name: str = "agent") -> dict[str, Any]:
    """The ``agent`` query parameter (JSON) as a validated Agent; 400 when missing or bad."""
    if text is None or text == "":
        raise BadRequest(f"The '{name}' parameter is required.")
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadRequest(f"The '{name}' parameter must be a JSON Agent object.") from None
    return validate_agent(value, where=name)


def ifi_key(agent: dict[str, Any]) -> str:
    """The canonical key of an Agent's IFI (contract C1), e.g. ``mbox::mailto:a@b.c``."""
    if "account" in agent:
        account = agent["account"]
        return f"account::{account['homePage']}::{account['name']}"
    if "mbox" in agent:
        return f"mbox::{agent['mbox']}"
    if "mbox_sha1sum" in agent:
        return f"mbox_sha1sum::{agent['mbox_sha1sum'].lower()}"
    return f"openid::{agent['openid']}"


def ifi_hash(key: str) -> str:
    """A fixed-length digest of an IFI key, for indexes (IRIs may be long)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _ifi_only(agent: dict[str, Any]) -> dict[str, Any]:
    """The IFI property of an Agent, alone."""
    return {key: agent[key] for key in IFI_PROPERTIES if key in agent}


def record_agents(session: Session, agents: Iterable[dict[str, Any]]) -> int:
    """Remember the names seen for Agents' IFIs (call with statement actors); returns new rows.

    Agents without a name, or that are not valid Agents, are skipped: the statements
    resource has validated them already and this is only a directory for the Person object.
    """
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for agent in agents:
        name = agent.get("name") if isinstance(agent, dict) else None
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH:
            continue
        if agent.get("objectType", "Agent") != "Agent":
            continue
        ifis = [key for key in IFI_PROPERTIES if key in agent]
        if len(ifis) != 1:
            continue
        key = ifi_key(agent)
        wanted[(ifi_hash(key), name)] = {"key": key, "ifi": _ifi_only(agent)}
    if not wanted:
        return 0
    hashes = {digest for digest, _ in wanted}
    known = set(
        session.execute(
            select(AgentName.ifi_hash, AgentName.name).where(AgentName.ifi_hash.in_(hashes))
        ).all()
    )
    added = 0
    for (digest, name), item in wanted.items():
        if (digest, name) in known:
            continue
        session.add(AgentName(ifi_hash=digest, ifi_key=item["key"], ifi=item["ifi"], name=name))
        added += 1
    session.flush()
    return added


def person(session: Session, agent: dict[str, Any]) -> dict[str, Any]:
    """The Person object for an Agent (xAPI 1.0.3 Part Three section 2.4).

    Lifelong identifies a person by one IFI, so the arrays hold that IFI and every name
    seen for it; an unknown Agent still gets a Person built from the request (2.4.s3.b3).
    """
    digest = ifi_hash(ifi_key(agent))
    names = list(
        session.scalars(
            select(AgentName.name).where(AgentName.ifi_hash == digest).order_by(AgentName.id)
        )
    )
    if isinstance(agent.get("name"), str) and agent["name"] not in names:
        names.insert(0, agent["name"])
    out: dict[str, Any] = {"objectType": "Person"}
    if names:
        out["name"] = names
    for key in IFI_PROPERTIES:
        if key in agent:
            out[key] = [agent[key]]
    return out
