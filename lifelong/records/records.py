"""From a validated statement to the row the store keeps (ids, authority, index keys)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

import orjson

from lifelong.ids import uuid7
from lifelong.records.credentials import XapiClient
from lifelong.records.formats import format_timestamp, parse_timestamp
from lifelong.records.validation import VOIDED

# Properties the LRS sets or may change: ignored when comparing two statements with the
# same id (1.0.3 Data 2.3.1 Statement Comparison Requirements).
_NOT_COMPARED = ("stored", "authority", "version")


@lru_cache(maxsize=65_536)
def index_key(value: str | None) -> int | None:
    """The 64-bit key a filter index holds for an IRI, IFI or UUID (None stays None).

    The first 8 bytes of the MD5 of the text, as a signed big-endian integer: PostgreSQL
    computes the same with ``('x' || left(md5(t), 16))::bit(64)::bigint``, which is how a
    migration fills it for stored rows. Indexes on 8-byte keys are a fraction of the size
    of indexes on the texts (IRIs of 40-100 bytes), so ingest touches fewer pages; a query
    matches the key through the index and then the text itself, so a collision of two
    keys can never return a wrong statement. Cached: verbs, activities, learners and
    authorities recur from statement to statement.
    """
    if value is None:
        return None
    return int.from_bytes(hashlib.md5(value.encode()).digest()[:8], "big", signed=True)


_HALF = 1 << 64
_SIGN = 1 << 63


def id_halves(statement_id: str) -> tuple[int, int]:
    """A UUID's 128 bits as two signed 64-bit integers: what the store's id indexes hold.

    ``statement_id`` is a validated UUID text (any case). PostgreSQL and SQLite store
    signed 64-bit integers, so each half is folded into that range; the pair is exact
    (unlike ``index_key``, no two UUIDs share it).
    """
    value = int(statement_id.replace("-", ""), 16)
    high, low = value >> 64, value & (_HALF - 1)
    return (high - _HALF if high >= _SIGN else high), (low - _HALF if low >= _SIGN else low)


def ifi_key(actor: dict[str, Any]) -> str:
    """The canonical key of an Agent's or Group's IFI (contract C1 ``actor_ifi``)."""
    if "mbox" in actor:
        return "mbox::" + actor["mbox"].lower()
    if "mbox_sha1sum" in actor:
        return "mbox_sha1sum::" + actor["mbox_sha1sum"].lower()
    if "openid" in actor:
        return "openid::" + actor["openid"]
    if "account" in actor:
        account = actor["account"]
        return f"account::{account['homePage']}::{account['name']}"
    members = sorted(ifi_key(member) for member in actor.get("member") or [])
    return "group::" + hashlib.sha1("\n".join(members).encode()).hexdigest()


@dataclass(slots=True)
class StatementRecord:
    """One statement ready to store: the JSON to keep and the keys every filter uses."""

    statement: dict[str, Any]
    statement_id: str
    content_hash: str
    verb_id: str
    actor_ifi: str
    object_ifi: str | None
    object_type: str
    activity_id: str | None
    registration: str | None
    voids: str | None
    timestamp_given: bool
    attachments: bool
    branch_code: str | None
    related_agents: list[str] = field(default_factory=list)
    related_activities: list[str] = field(default_factory=list)
    # The statement's JSON without ``stored`` (and without ``timestamp`` when not given),
    # serialised here rather than in the writer thread, whose work is serial.
    body: str = ""
    timestamp_key: str | None = None
    # index_key of actor_ifi, verb_id, object_ifi, activity_id, registration (that order).
    keys: tuple[int | None, ...] = ()
    # What the store's insert binds for this statement (``writer_row``), built with the
    # record so that the writer's serial section adds only the sequence number.
    row: tuple[Any, ...] = ()
    # Filled by the store when it writes the statement:
    seq: int = 0
    stored: str = ""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle compactly: records cross from the ingest's preparing process to its
        writing process a batch at a time. A record whose statement was dropped (all the
        writer needs) and that is not yet stored goes as its ``writer_row``, from which
        every other field follows (``_from_row``): half the bytes and objects of its
        fields. Otherwise as the constructor's arguments (the default state-dict form of
        a slots class pickled ~3x slower)."""
        if self.row and not self.statement and not self.seq:
            return _from_row, (self.row, self.related_agents, self.related_activities)
        return StatementRecord, tuple(getattr(self, name) for name in _RECORD_FIELDS)


_RECORD_FIELDS = tuple(f.name for f in fields(StatementRecord))


def _from_row(
    row: tuple[Any, ...], related_agents: list[str], related_activities: list[str]
) -> StatementRecord:
    """The record a ``writer_row`` was made from (its statement dict left empty)."""
    return StatementRecord(
        statement={},
        statement_id=row[0],
        content_hash=row[12],
        verb_id=row[4],
        actor_ifi=row[5],
        object_ifi=row[6],
        object_type=row[7],
        activity_id=row[8],
        registration=row[9],
        voids=row[10],
        timestamp_given=row[3] is not None,
        attachments=row[13],
        branch_code=row[11],
        related_agents=related_agents,
        related_activities=related_activities,
        body=row[14] + "}",
        timestamp_key=row[3],
        keys=row[15:20],
        row=row,
    )


def _related(stmt: dict[str, Any], agents: list[str], activities: list[str]) -> None:
    """Collect the agents and activities that related_agents/_activities also match."""
    context = stmt.get("context")
    if context:
        for key in ("instructor", "team"):
            if key in context:
                agents.append(ifi_key(context[key]))
        for item in context.get("contextAgents") or ():
            agents.append(ifi_key(item["agent"]))
        for item in context.get("contextGroups") or ():
            agents.append(ifi_key(item["group"]))
        for items in (context.get("contextActivities") or {}).values():
            activities.extend(item["id"] for item in items)


def build_record(
    stmt: dict[str, Any], client: XapiClient, version: str, branch_extension: str
) -> StatementRecord:
    """Assign id, authority and version; compute index keys and the comparison hash."""
    given_id = stmt.get("id")
    statement_id = given_id.lower() if given_id else uuid7()
    stmt["id"] = statement_id
    compared = {k: v for k, v in stmt.items() if k not in _NOT_COMPARED}
    content_hash = hashlib.sha256(orjson.dumps(compared, option=orjson.OPT_SORT_KEYS)).hexdigest()
    # 1.0.3 Data 2.4.9: the LRS sets authority from the credential; 2.4.10: version.
    stmt["authority"] = client.authority
    stmt["version"] = stmt.get("version") or ("2.0.0" if version.startswith("2") else "1.0.0")
    obj = stmt["object"]
    object_type = obj.get("objectType", "Activity")
    related_agents: list[str] = []
    related_activities: list[str] = []
    _related(stmt, related_agents, related_activities)
    object_ifi = activity_id = None
    if object_type == "Activity":
        activity_id = obj["id"]
    elif object_type in ("Agent", "Group"):
        object_ifi = ifi_key(obj)
    elif object_type == "SubStatement":
        related_agents.append(ifi_key(obj["actor"]))
        sub_object = obj["object"]
        sub_type = sub_object.get("objectType", "Activity")
        if sub_type == "Activity":
            related_activities.append(sub_object["id"])
        elif sub_type in ("Agent", "Group"):
            related_agents.append(ifi_key(sub_object))
        _related(obj, related_agents, related_activities)
    context = stmt.get("context") or {}
    verb_id = stmt["verb"]["id"]
    # Data 2.4.8: the LRS sets stored; whatever the client sent is replaced on write.
    stmt.pop("stored", None)
    timestamp_given = "timestamp" in stmt
    branch_code = client.branch_code
    if branch_code is None:
        extension = (context.get("extensions") or {}).get(branch_extension)
        branch_code = extension if isinstance(extension, str) and extension else None
    actor_ifi = ifi_key(stmt["actor"])
    registration = (context.get("registration") or "").lower() or None
    record = StatementRecord(
        statement=stmt,
        statement_id=statement_id,
        content_hash=content_hash,
        verb_id=verb_id,
        actor_ifi=actor_ifi,
        object_ifi=object_ifi,
        object_type=object_type,
        activity_id=activity_id,
        registration=registration,
        voids=obj["id"].lower() if verb_id == VOIDED else None,
        timestamp_given=timestamp_given,
        attachments=bool(stmt.get("attachments")),
        branch_code=branch_code[:16] if branch_code else None,
        related_agents=sorted(set(related_agents)),
        related_activities=sorted(set(related_activities)),
        body=orjson.dumps(stmt).decode(),
        timestamp_key=timestamp_key(stmt["timestamp"]) if timestamp_given else None,
        keys=(
            index_key(actor_ifi),
            index_key(verb_id),
            index_key(object_ifi),
            index_key(activity_id),
            index_key(registration),
        ),
    )
    record.row = writer_row(record)
    return record


def writer_row(record: StatementRecord) -> tuple[Any, ...]:
    """The record's values in ``repository.ROW_COLUMNS`` order (what the insert binds).

    The JSON goes without its closing brace: the store appends ``stored`` (and a defaulted
    ``timestamp``) and the brace in SQL, the same text ``stored_json`` makes.
    """
    return (
        record.statement_id,
        *id_halves(record.statement_id),
        record.timestamp_key,
        record.verb_id,
        record.actor_ifi,
        record.object_ifi,
        record.object_type,
        record.activity_id,
        record.registration,
        record.voids,
        record.branch_code,
        record.content_hash,
        record.attachments,
        record.body[:-1],
        *record.keys,
    )


# A validated UTC timestamp with a "Z" (what the platform and most clients send): its key
# is the same text with the fraction padded to microseconds, no datetime needed.
_UTC_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,6}))?Z")


def timestamp_key(value: str) -> str:
    """The sortable UTC form of a statement's timestamp (stored as given in the JSON)."""
    match = _UTC_Z.fullmatch(value)
    if match is not None:
        return f"{value[:19]}.{(match.group(1) or '').ljust(6, '0')}Z"
    instant = parse_timestamp(value)
    return format_timestamp(instant) if instant else value


def stored_json(record: StatementRecord) -> str:
    """The statement's JSON with ``stored`` (and the default ``timestamp``) spliced in."""
    extra = f',"stored":"{record.stored}"'
    if not record.timestamp_given:
        extra += f',"timestamp":"{record.stored}"'  # Data 2.4.7: default to stored
    return record.body[:-1] + extra + "}"
