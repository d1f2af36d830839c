"""GET /statements: parameters, filters, formats and ``more`` links (Communication 2.1.3)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from lifelong.errors import BadRequest, Forbidden, NotFound
from lifelong.records import formats as f
from lifelong.records.credentials import XapiClient
from lifelong.records.records import ifi_key, index_key
from lifelong.records.repository import StatementRepository
from lifelong.records.tables import SEGMENT_BITS
from lifelong.records.validation import validator

FILTERS = (
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "ascending",
)
PARAMETERS = frozenset(
    {*FILTERS, "statementId", "voidedStatementId", "format", "attachments", "cursor"}
)
# Resolves a learner's account name to a branch code (None when not a known learner).
BranchOf = Callable[[dict[str, Any]], str | None]


@dataclass
class StatementPage:
    """What a GET returns: statements (JSON text each), a more link, attachment ids."""

    statements: list[str]
    more: str
    last_stored: str | None
    single: bool = False


def _bool(params: Mapping[str, str], name: str) -> bool:
    """A boolean query parameter (``true``/``false``)."""
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadRequest(f"parameter {name} must be true or false (Communication 2.1.3)")
    return value == "true"


def parse_agent(text: str) -> dict[str, Any]:
    """The ``agent`` parameter: an Agent or identified Group as JSON (Communication 2.1.3)."""
    try:
        agent = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadRequest("parameter agent is not JSON (Communication 2.1.3)") from None
    validator("2.0.0").actor(agent, "agent")
    return agent


def check_parameters(params: Mapping[str, str]) -> None:
    """Reject unknown parameters and the combinations the spec forbids."""
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        raise BadRequest(f"unknown parameter(s) {', '.join(unknown)} (Communication 2.1.3)")
    if "statementId" in params and "voidedStatementId" in params:
        raise BadRequest("send statementId or voidedStatementId, not both (Communication 2.1.3)")
    if ("statementId" in params or "voidedStatementId" in params) and any(
        name in params for name in (*FILTERS, "cursor")
    ):
        raise BadRequest(
            "statementId/voidedStatementId may be combined only with format and attachments "
            "(Communication 2.1.3)"
        )
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise BadRequest("format must be exact, ids or canonical (Communication 2.1.3)")
    _bool(params, "attachments")


def _scope(client: XapiClient, clauses: list[str], args: list[Any]) -> None:
    """Restrict a query to what the client may read (branch, or only its own)."""
    if client.branch_code is not None:
        clauses.append("branch_code = ?")
        args.append(client.branch_code)
    if client.reads_only_mine:
        clauses.append("client = ?")
        args.append(client.name)


def get_one(
    repository: StatementRepository, client: XapiClient, statement_id: str, *, voided: bool
) -> StatementPage:
    """A statement by id (or a voided one by voidedStatementId); 404 otherwise."""
    if not f.is_uuid(statement_id):
        raise BadRequest("statementId must be a UUID (Communication 2.1.3)")
    seq = repository.statement_seq(statement_id)
    rows = (
        []
        if seq is None
        else repository.fetch(
            "SELECT statement, voided, branch_code, client, stored FROM lrs_statements "
            "WHERE seq = ? AND statement_id = ?",
            (seq, statement_id.lower()),
        )
    )
    if not rows or bool(rows[0][1]) != voided:
        raise NotFound(f"no {'voided ' if voided else ''}statement with id {statement_id}")
    statement, _voided, branch_code, owner, stored = rows[0]
    if client.branch_code is not None and branch_code != client.branch_code:
        raise Forbidden("this credential reads only its own branch's statements")
    if client.reads_only_mine and owner != client.name:
        raise Forbidden(
            "this credential reads only the statements it stored (statements/read/mine)"
        )
    return StatementPage([statement], "", stored, single=True)


SEGS = "{segs}"  # replaced by "seg IN (...)" for each window of segments (see ``query``)
MAX_WINDOW = 1_024  # segments a window may span (8.4 M statements)


def query(
    repository: StatementRepository,
    client: XapiClient,
    params: Mapping[str, str],
    *,
    max_limit: int,
    cursor_seq: int | None = None,
    branch_of: BranchOf | None = None,
) -> StatementPage:
    """One page of statements matching the filters, newest first unless ascending.

    The filter indexes lead with the segment (``tables.SEGMENT_BITS``), so a query that
    uses one asks the segments in windows, newest first (oldest first when ascending):
    one segment, then two, four, ... up to ``MAX_WINDOW``, until the page is full. A
    window's rows all come before the next window's, so the page is the same as one
    query over the whole store; a learner with few statements costs a few index probes a
    segment, a common verb is answered from the newest segment alone.
    """
    clauses = ["voided = ?"]
    args: list[Any] = [False]
    keyed = False  # whether a segment-led filter index serves the query
    verb_done = False
    if "agent" in params:
        agent = parse_agent(params["agent"])
        if branch_of is not None and client.branch_code is not None:
            branch = branch_of(agent)
            if branch is not None and branch != client.branch_code:
                raise Forbidden(
                    "this credential reads only its own branch's statements; the agent "
                    f"belongs to branch {branch}"
                )
        key = ifi_key(agent)
        hashed = index_key(key)
        keyed = True
        if _bool(params, "related_agents"):
            # Seqs found through the keys' indexes (a superset); the texts decide.
            clauses.append(
                f"seq IN (SELECT seq FROM lrs_statements WHERE {SEGS} AND actor_key = ? "
                f"UNION ALL SELECT seq FROM lrs_statements WHERE {SEGS} AND object_key = ? "
                f"UNION ALL SELECT seq FROM lrs_statements WHERE {SEGS} AND authority_key = ? "
                f"UNION ALL SELECT seq FROM lrs_statement_agents WHERE {SEGS} AND ifi = ?)"
            )
            args += [hashed, hashed, hashed, key]
            clauses.append(
                "(actor_ifi = ? OR object_ifi = ? OR authority_ifi = ? OR seq IN "
                f"(SELECT seq FROM lrs_statement_agents WHERE {SEGS} AND ifi = ?))"
            )
            args += [key, key, key, key]
        else:
            # The agent's seqs from the two covering indexes (actor, object), the verb
            # included when given: the page is then primary-key look-ups of that learner's
            # statements. Written as (actor_ifi = ? OR object_ifi = ?) AND verb_id = ?,
            # SQLite chose the verb index and scanned every statement with that verb.
            verb = params.get("verb")
            if verb is not None and not f.is_iri(verb):
                raise BadRequest("parameter verb must be an IRI (Communication 2.1.3)")
            by_verb = " AND verb_key = ?" if verb is not None else ""
            verb_hashed = index_key(verb)
            clauses.append(
                f"seq IN (SELECT seq FROM lrs_statements WHERE {SEGS} AND actor_key = ?"
                f"{by_verb} UNION ALL SELECT seq FROM lrs_statements WHERE {SEGS} AND "
                f"object_key = ?{by_verb})"
            )
            args += (
                [hashed, verb_hashed, hashed, verb_hashed] if verb is not None else [hashed, hashed]
            )
            # The keys found the rows; the texts decide (no collision can match).
            clauses.append("(actor_ifi = ? OR object_ifi = ?)")
            args += [key, key]
            if verb is not None:
                clauses.append("verb_id = ?")
                args.append(verb)
            verb_done = verb is not None
    if "verb" in params and not verb_done:
        if not f.is_iri(params["verb"]):
            raise BadRequest("parameter verb must be an IRI (Communication 2.1.3)")
        clauses.append("verb_key = ? AND verb_id = ?")
        args += [index_key(params["verb"]), params["verb"]]
        keyed = True
    if "activity" in params:
        if not f.is_iri(params["activity"]):
            raise BadRequest("parameter activity must be an IRI (Communication 2.1.3)")
        activity = params["activity"]
        keyed = True
        if _bool(params, "related_activities"):
            clauses.append(
                f"seq IN (SELECT seq FROM lrs_statements WHERE {SEGS} AND activity_key = ? "
                f"UNION ALL SELECT seq FROM lrs_statement_activities WHERE {SEGS} "
                "AND activity_id = ?)"
            )
            args += [index_key(activity), activity]
            clauses.append(
                "(activity_id = ? OR seq IN (SELECT seq FROM lrs_statement_activities "
                f"WHERE {SEGS} AND activity_id = ?))"
            )
            args += [activity, activity]
        else:
            clauses.append("activity_key = ? AND activity_id = ?")
            args += [index_key(activity), activity]
    if "registration" in params:
        if not f.is_uuid(params["registration"]):
            raise BadRequest("parameter registration must be a UUID (Communication 2.1.3)")
        registration = params["registration"].lower()
        clauses.append("registration_key = ? AND registration = ?")
        args += [index_key(registration), registration]
        keyed = True
    low, high = 0, None  # seq > low, seq <= high
    for name, op in (("since", ">"), ("until", "<=")):
        if name in params:
            instant = f.parse_timestamp(params[name])
            if instant is None:
                raise BadRequest(f"parameter {name} must be an ISO 8601 timestamp")
            # stored > since  <=>  seq > (last seq stored by since); likewise for until.
            bound = repository.seq_stored_by(f.format_timestamp(instant))
            clauses.append(f"seq {op} ?")
            args.append(bound)
            if name == "since":
                low = bound
            else:
                high = bound
    _scope(client, clauses, args)
    keyed = keyed or client.branch_code is not None
    ascending = _bool(params, "ascending")
    try:
        limit = int(params.get("limit", "0"))
    except ValueError:
        raise BadRequest("parameter limit must be a non-negative integer") from None
    if limit < 0:
        raise BadRequest("parameter limit must be a non-negative integer")
    limit = min(limit or max_limit, max_limit)
    if cursor_seq is not None:
        clauses.append("seq > ?" if ascending else "seq < ?")
        args.append(cursor_seq)
        if ascending:
            low = max(low, cursor_seq)
        else:
            high = cursor_seq - 1 if high is None else min(high, cursor_seq - 1)
    order = f" ORDER BY seq {'ASC' if ascending else 'DESC'} LIMIT "
    if keyed:
        clauses.append(SEGS)
    sql = "SELECT seq, statement, stored FROM lrs_statements WHERE " + " AND ".join(clauses)
    if not keyed:
        rows = repository.fetch(sql + order + str(limit + 1), args)
    else:
        rows = _by_segment_windows(repository, sql, order, args, low, high, limit + 1, ascending)
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        more = "/xapi/statements?cursor=" + encode_cursor(params, rows[-1][0])
    last_stored = max((row[2] for row in rows), default=None)
    return StatementPage([row[1] for row in rows], more, last_stored)


def _by_segment_windows(
    repository: StatementRepository,
    sql: str,
    order: str,
    args: list[Any],
    low: int,
    high: int | None,
    wanted: int,
    ascending: bool,
) -> list[tuple[Any, ...]]:
    """Run ``sql`` over windows of segments holding seq in (low, high] until ``wanted``
    rows are found: newest first, or oldest first when ``ascending``."""
    if high is None:
        newest = repository.fetch("SELECT max(seq) FROM lrs_statements")
        high = int(newest[0][0] or 0)
    if high <= low:
        return []
    first, last = (low + 1) >> SEGMENT_BITS, high >> SEGMENT_BITS
    rows: list[tuple[Any, ...]] = []
    size = 1
    position = first if ascending else last
    while len(rows) < wanted and first <= position <= last:
        if ascending:
            window = range(position, min(position + size, last + 1))
            position = window[-1] + 1
        else:
            window = range(position, max(position - size, first - 1), -1)
            position = window[-1] - 1
        segments = "seg IN (" + ",".join(str(segment) for segment in window) + ")"
        rows += repository.fetch(
            sql.replace(SEGS, segments) + order + str(wanted - len(rows)), args
        )
        size = min(size * 2, MAX_WINDOW)
    return rows


def encode_cursor(params: Mapping[str, str], seq: int) -> str:
    """An opaque, URL-safe token holding the filters and the position (stable paging)."""
    state = {"p": {k: v for k, v in params.items() if k != "cursor"}, "s": seq}
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[dict[str, str], int]:
    """The filters and position of a ``more`` token."""
    try:
        state = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return dict(state["p"]), int(state["s"])
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise BadRequest("the more link's cursor is damaged; start the query again") from None


def consistent_through() -> str:
    """Statements stored up to now are all visible (writes are synchronous)."""
    return f.format_timestamp(datetime.now(UTC))
