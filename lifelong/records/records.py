"""From a validated statement to the row the store keeps (ids, authority, index keys)."""

from __future__ import annotations

import hashlib
import inspect
from functools import lru_cache
from typing import Any

import orjson

from lifelong.ids import uuid7
from lifelong.records.credentials import XapiClient
from lifelong.records.formats import UTC_Z, format_timestamp, parse_timestamp
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


def make_row(
    *,
    statement_id: str,
    timestamp_key: str | None,
    verb_id: str,
    actor_ifi: str,
    object_ifi: str | None,
    object_type: str,
    activity_id: str | None,
    registration: str | None,
    voids: str | None,
    branch_code: str | None,
    content_hash: str,
    attachments: bool,
    body: str,
    keys: tuple[int | None, ...],
) -> tuple[Any, ...]:
    """A record's row: its values in ``repository.ROW_COLUMNS`` order (what the insert binds).

    ``body`` is the statement's JSON without ``stored`` (and without ``timestamp`` when not
    given); the row holds it without its closing brace, as the store appends ``stored``
    (and a defaulted ``timestamp``) and the brace in SQL, the same text ``stored_json``
    makes. ``keys``: index_key of actor_ifi, verb_id, object_ifi, activity_id and
    registration, in that order.
    """
    return (
        statement_id,
        *id_halves(statement_id),
        timestamp_key,
        verb_id,
        actor_ifi,
        object_ifi,
        object_type,
        activity_id,
        registration,
        voids,
        branch_code,
        content_hash,
        attachments,
        body[:-1],
        *keys,
    )


ROW_FIELDS = tuple(inspect.signature(make_row).parameters)


def _column(index: int, doc: str) -> Any:
    """A read-only record field held at ``index`` of its row."""
    return property(lambda record: record.row[index], doc=doc)


class StatementRecord:
    """One statement ready to store: its row and the agents and activities it relates to.

    The record is its row (``make_row``): what the store's insert binds, built with the
    record, outside the writer's serial section, so that the writer adds only the
    sequence number. Every other field is read from the row. Records cross from the
    ingest's preparing process to its writing process a batch at a time, so a record is
    a handful of references, cheap to build, pickle and rebuild.
    """

    __slots__ = ("related_activities", "related_agents", "row", "seq", "statement", "stored")

    statement_id: str = _column(0, "The statement's id (lower case).")
    timestamp_key: str | None = _column(3, "The sortable UTC timestamp, when one was given.")
    verb_id: str = _column(4, "The verb's IRI.")
    actor_ifi: str = _column(5, "The actor's IFI key (``ifi_key``).")
    object_ifi: str | None = _column(6, "The object's IFI key, for an Agent or Group.")
    object_type: str = _column(7, "The object's objectType.")
    activity_id: str | None = _column(8, "The object's id, for an Activity.")
    registration: str | None = _column(9, "The context's registration (lower case).")
    voids: str | None = _column(10, "The id a voiding statement voids.")
    branch_code: str | None = _column(11, "The branch whose statement this is.")
    content_hash: str = _column(12, "SHA-256 of the compared JSON (Data 2.3.1).")
    attachments: bool = _column(13, "Whether the statement declares attachments.")

    def __init__(
        self,
        row: tuple[Any, ...],
        related_agents: list[str] | None = None,
        related_activities: list[str] | None = None,
        statement: dict[str, Any] | None = None,
    ) -> None:
        """A record of ``row``; ``statement`` is the checked dict, when kept."""
        self.row = row
        self.related_agents = related_agents if related_agents is not None else []
        self.related_activities = related_activities if related_activities is not None else []
        self.statement = statement if statement is not None else {}
        # Filled by the store when it writes the statement:
        self.seq = 0
        self.stored = ""

    @property
    def body(self) -> str:
        """The statement's JSON without ``stored`` (nor ``timestamp`` when not given)."""
        return self.row[14] + "}"

    @property
    def keys(self) -> tuple[int | None, ...]:
        """index_key of actor_ifi, verb_id, object_ifi, activity_id, registration."""
        return self.row[15:20]  # type: ignore[no-any-return]

    @property
    def timestamp_given(self) -> bool:
        """Whether the statement came with a timestamp (else it defaults to stored)."""
        return self.row[3] is not None

    def replace(self, **changes: Any) -> StatementRecord:
        """A copy with some of ``make_row``'s fields changed (the row made again)."""
        fields = {name: getattr(self, name) for name in ROW_FIELDS}
        row = make_row(**(fields | changes))
        return StatementRecord(
            row, list(self.related_agents), list(self.related_activities), self.statement
        )

    def _state(self) -> tuple[Any, ...]:
        return (
            self.row,
            self.related_agents,
            self.related_activities,
            self.statement,
            self.seq,
            self.stored,
        )

    def __eq__(self, other: object) -> bool:
        """Records are equal when every field is."""
        if not isinstance(other, StatementRecord):
            return NotImplemented
        return self._state() == other._state()

    __hash__ = None  # type: ignore[assignment]  # mutable (seq, stored, statement)

    def __repr__(self) -> str:
        """The id, the verb and the sequence number, if stored."""
        return f"StatementRecord({self.statement_id!r}, {self.verb_id!r}, seq={self.seq})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle as the row and the related lists (and the statement and store fields
        only when set): a record that crosses to the ingest's writing process is rebuilt
        from a few references."""
        if not self.statement and not self.seq:
            return StatementRecord, (self.row, self.related_agents, self.related_activities)
        return _restored, self._state()


def _restored(
    row: tuple[Any, ...],
    related_agents: list[str],
    related_activities: list[str],
    statement: dict[str, Any],
    seq: int,
    stored: str,
) -> StatementRecord:
    """A pickled record with its statement or store fields."""
    record = StatementRecord(row, related_agents, related_activities, statement)
    record.seq, record.stored = seq, stored
    return record


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
    row = make_row(
        statement_id=statement_id,
        timestamp_key=timestamp_key(stmt["timestamp"]) if timestamp_given else None,
        verb_id=verb_id,
        actor_ifi=actor_ifi,
        object_ifi=object_ifi,
        object_type=object_type,
        activity_id=activity_id,
        registration=registration,
        voids=obj["id"].lower() if verb_id == VOIDED else None,
        branch_code=branch_code[:16] if branch_code else None,
        content_hash=content_hash,
        attachments=bool(stmt.get("attachments")),
        body=orjson.dumps(stmt).decode(),
        keys=(
            index_key(actor_ifi),
            index_key(verb_id),
            index_key(object_ifi),
            index_key(activity_id),
            index_key(registration),
        ),
    )
    return StatementRecord(row, sorted(set(related_agents)), sorted(set(related_activities)), stmt)


def timestamp_key(value: str) -> str:
    """The sortable UTC form of a statement's timestamp (stored as given in the JSON).

    A validated UTC timestamp with a "Z" (what the platform and most clients send): its
    key is the same text with the fraction padded to microseconds, no datetime needed.
    """
    if len(value) == 24 and value[10] == "T" and value[19] == "." and value[23] == "Z":
        return f"{value[:23]}000Z"  # milliseconds (the platform's form, most clients')
    match = UTC_Z.fullmatch(value)
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
