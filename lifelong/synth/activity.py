"""Enrolments and learning activity of one chunk of learners.

Choice is interest-driven: most enrolments come from a learner's interest topics at the
levels they want, some from the wider discipline, a few from what is popular overall;
within a cell, resources are drawn by their (Zipf-like) popularity. Outcomes vary by
type (live sessions are usually attended, long courses often abandoned) and by the
learner's persistence, and whether the resource matched their interests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from lifelong.ids import Uuid7Namer
from lifelong.learning.xapi import StatementFrame, extension
from lifelong.synth.learners import LEVELS, LearnerChunk
from lifelong.synth.rhythm import Rhythm, iso_from_epoch, to_datetime
from lifelong.synth.world import World

COMPLETE = {
    "course": 0.22,
    "micro_course": 0.42,
    "video": 0.5,
    "ebook": 0.2,
    "live_session": 0.65,
    "assessment": 0.55,
    "document": 0.38,
}
WITHDRAW = {
    "course": 0.22,
    "micro_course": 0.08,
    "video": 0.04,
    "ebook": 0.08,
    "live_session": 0.1,
    "assessment": 0.06,
    "document": 0.03,
}
SPAN_DAYS = {
    "course": 140,
    "micro_course": 21,
    "video": 6,
    "ebook": 60,
    "live_session": 10,
    "assessment": 14,
    "document": 5,
}
SESSIONS = {
    "course": (6, 18),
    "micro_course": (2, 5),
    "video": (1, 3),
    "ebook": (3, 9),
    "live_session": (1, 1),
    "assessment": (1, 3),
    "document": (1, 2),
}
CERTIFIED = frozenset({"course", "micro_course"})
MAX_SESSION_SECONDS = 3 * 3600  # nobody studies a course in one sitting
# Sessions start this long before the as-of instant at the latest, so that a session's
# own statements (up to MAX_SESSION_SECONDS later) never pass it.
MARGIN_SECONDS = MAX_SESSION_SECONDS + 600

# One event: verb, resource id, epoch seconds, duration, progress, score, success,
# completion; the enrolment it belongs to is implied by its position in Enrolled.events.
Event = tuple[str, float, int | None, float | None, float | None, bool | None, bool | None]


@dataclass
class Enrolled:
    """An enrolment with its events, before it becomes rows and statements."""

    user_id: int
    resource_id: int
    branch_code: str
    registration: str
    events: list[Event] = field(default_factory=list)
    certificate_id: str | None = None


@dataclass
class ChunkActivity:
    """What one chunk writes: enrolment and certificate rows, and its enrolments' events."""

    enrolments: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    enrolled: list[Enrolled] = field(default_factory=list)

    @property
    def statement_count(self) -> int:
        """How many statements the chunk emits."""
        return sum(len(e.events) for e in self.enrolled)


def _draw(cell: tuple[np.ndarray, np.ndarray], u: float) -> int:
    ids, cdf = cell
    return int(ids[min(int(np.searchsorted(cdf, u)), len(ids) - 1)])


def choose_resources(
    world: World, learners: LearnerChunk, i: int, k: int, rng: np.random.Generator
) -> list[tuple[int, bool]]:
    """``k`` distinct resources for learner ``i`` and whether each matched an interest."""
    chosen: dict[int, bool] = {}
    interests = learners.interests[i]
    lw = learners.level_weights[i]
    level_cdf = np.cumsum(lw) / lw.sum()
    tries = 0
    while len(chosen) < k and tries < k * 4:
        tries += 1
        u = rng.random(4)
        level = LEVELS[min(int(np.searchsorted(level_cdf, u[1])), len(LEVELS) - 1)]
        matched = False
        if u[0] < 0.72:
            # Interests: the first is the strongest (weights 3:2:1).
            topic = interests[0 if u[2] < 0.5 else 1 if u[2] < 0.83 else 2]
            cell = world.cells.get((topic, level)) or world.topic_cells.get(topic)
            matched = True
        elif u[0] < 0.9:
            discipline = world.topics[interests[0]].discipline
            cell = world.discipline_cells.get((discipline, level))
        else:
            cell = None
        rid = _draw(cell or world.everything, u[3])
        if rid not in chosen:
            chosen[rid] = matched
    return list(chosen.items())


def _outcome(kind: str, matched: bool, persistence: float, u: float) -> str:
    complete = COMPLETE[kind] + (0.12 if matched else -0.08) + 0.1 * persistence
    withdraw = WITHDRAW[kind] * (0.7 if matched else 1.3)
    if u < complete:
        return "completed"
    if u < complete + withdraw:
        return "withdrawn"
    return "active"


def _sessions(
    e: Enrolled,
    kind: str,
    length: int,
    outcome: str,
    ability: float,
    times: list[float],
    u: np.ndarray,
) -> dict[str, Any]:
    """Append a session's statements per type; returns the enrolment's figures."""
    n = len(times)
    target = (
        1.0
        if outcome == "completed"
        else float(0.05 + 0.8 * u[0]) * (0.5 if outcome == "withdrawn" else 1.0)
    )
    spent = 0
    attempts = 0
    best: float | None = None
    progress = 0.0
    passed = False
    for s in range(n):
        t = times[s]
        step = target * (s + 1) / n
        # Time on task: the share of the length covered, with re-watching and pauses.
        seconds = max(30, int((step - progress) * length * (1.0 + 0.4 * u[1 + s % 5])))
        seconds = min(seconds, MAX_SESSION_SECONDS)
        if kind == "live_session":
            seconds = int(length * (0.6 + 0.4 * u[1]))
            e.events.append(("attended", t, seconds, step, None, None, None))
        elif kind == "assessment":
            attempts += 1
            score = float(np.clip(ability + 0.06 * s + 0.25 * (u[1 + s % 5] - 0.5), 0, 1))
            if outcome == "completed" and s == n - 1:
                score = max(score, 0.6 + 0.4 * float(u[2]))
            elif outcome != "completed":
                score = min(score, 0.59)
            score = round(float(score), 2)
            best = score if best is None else max(best, score)
            seconds = int(length * (0.5 + 0.5 * u[3]))
            e.events.append(("launched", t, None, None, None, None, None))
            e.events.append(("scored", t + seconds, seconds, None, score, None, None))
            passed = score >= 0.6
            e.events.append(
                ("passed" if passed else "failed", t + seconds + 1, None, None, score, passed, None)
            )
            step = 1.0 if passed else step
        elif kind == "video":
            e.events.append(("launched", t, None, None, None, None, None))
            e.events.append(("played", t + 1, seconds, None, None, None, None))
            e.events.append(("paused", t + 1 + seconds, None, step, None, None, None))
            e.events.append(("progressed", t + 2 + seconds, seconds, step, None, None, None))
        elif kind in ("ebook", "document"):
            e.events.append(("launched", t, None, None, None, None, None))
            e.events.append(("experienced", t + seconds, seconds, step, None, None, None))
        else:  # course, micro-course
            e.events.append(("launched", t, None, None, None, None, None))
            e.events.append(("progressed", t + seconds, seconds, step, None, None, None))
        spent += seconds
        progress = step
        if passed:
            break
    return {
        "progress": round(progress, 4),
        "seconds_spent": spent,
        "attempts": attempts,
        "best_score": best,
    }


def chunk_activity(
    world: World,
    learners: LearnerChunk,
    rng: np.random.Generator,
    rhythm: Rhythm,
    namespace: uuid.UUID,
    mean_enrolments: float,
    as_of: datetime,
    minted_ms: int,
    forced: list[tuple[int, str]] | None = None,
) -> ChunkActivity:
    """Every enrolment of a chunk's learners, with rows and events.

    Registrations and certificate ids are version 7 UUIDs minted at ``minted_ms`` (the
    chunk's, ``rng.minted_at``), named by learner and resource: like statement ids, one
    chunk's fall in one narrow stretch of the enrolments' and certificates' unique
    indexes (random ones rewrote most of those indexes' pages at every chunk's commit).
    ``forced`` pins (resource id, outcome) pairs for a single learner (the demo learner).
    """
    out = ChunkActivity()
    name = Uuid7Namer(namespace, minted_ms)
    end = as_of.timestamp()
    counts = rng.geometric(1.0 / mean_enrolments, len(learners.ids))
    for i, uid in enumerate(learners.ids.tolist()):
        picks: list[tuple[int, bool, str | None]]
        if forced is not None:
            picks = [(rid, True, outcome) for rid, outcome in forced]
        else:
            k = int(min(counts[i], 80))
            picks = [(r, m, None) for r, m in choose_resources(world, learners, i, k, rng)]
        reg_epoch = learners.registered[i].timestamp()
        code = learners.branch_codes[i]
        for rid, matched, pinned in picks:
            kind = world.r_type[rid - 1]
            length = int(world.r_length[rid - 1])
            u = rng.random(10)
            outcome = pinned or _outcome(kind, matched, float(learners.persistence[i]), u[0])
            # The first enrolment follows registration closely, later ones spread out.
            enrol_at = rhythm.sample(rng, reg_epoch, end - MARGIN_SECONDS - 120, 1)[0]
            span_end = min(end - MARGIN_SECONDS, enrol_at + SPAN_DAYS[kind] * 86400 * (0.3 + u[1]))
            low, high = SESSIONS[kind]
            n = int(low + (high - low + 1) * u[2])
            if outcome != "completed":
                n = max(1, int(n * u[3]))
            times = rhythm.sample(rng, enrol_at + 60, span_end, n)
            registration = name(f"enrolment/{uid}/{rid}")
            e = Enrolled(uid, rid, code, registration)
            e.events.append(("registered", enrol_at, None, None, None, None, None))
            figures = _sessions(e, kind, length, outcome, float(learners.ability[i]), times, u[4:])
            last = e.events[-1][1] + 1
            completed_at = withdrawn_at = None
            status = outcome
            if outcome == "completed":
                figures["progress"] = 1.0
                e.events.append(
                    ("completed", last, figures["seconds_spent"], 1.0, None, None, True)
                )
                completed_at = to_datetime(last)
                if kind in CERTIFIED:
                    e.certificate_id = name(f"certificate/{registration}")
                    e.events.append(("earned", last + 1, None, None, None, None, None))
                    out.certificates.append(
                        {
                            "id": e.certificate_id,
                            "user_id": uid,
                            "resource_id": rid,
                            "programme_id": None,
                            "branch_id": world.branch_ids[code],
                            "title": world.r_title[rid - 1],
                            "credits": world.r_credits[rid - 1],
                            "issued_at": to_datetime(last + 1),
                            "revoked_at": None,
                        }
                    )
            elif outcome == "withdrawn":
                moment = min(end - 1, last + 86400 * (1 + 20 * u[9]))
                e.events.append(("withdrew", moment, None, None, None, None, None))
                withdrawn_at = to_datetime(moment)
            length_pos = (
                int(figures["progress"] * length) if kind in ("video", "micro_course") else 0
            )
            out.enrolments.append(
                {
                    "user_id": uid,
                    "resource_id": rid,
                    "branch_id": world.branch_ids[code],
                    "registration": registration,
                    "status": status,
                    "progress": figures["progress"],
                    "position_seconds": length_pos,
                    "seconds_spent": figures["seconds_spent"],
                    "attempts": figures["attempts"],
                    "best_score": figures["best_score"],
                    "enrolled_at": to_datetime(enrol_at),
                    "last_activity_at": to_datetime(max(ev[1] for ev in e.events)),
                    "completed_at": completed_at,
                    "withdrawn_at": withdrawn_at,
                }
            )
            out.enrolled.append(e)
    return out


Result = tuple[int | None, float | None, float | None, bool | None, bool | None]


def statement_parts(
    world: World, activity: ChunkActivity, namespace: uuid.UUID, iri_base: str, minted_ms: int
) -> Iterator[tuple[StatementFrame, str, str, str, Result]]:
    """Each of the chunk's statements as (frame, id, verb, timestamp, result figures):
    what ``StatementFrame.statement`` makes a statement of.

    Ids are version 7 UUIDs minted at ``minted_ms`` (``minted_at``): one chunk's statements
    fill one narrow stretch of the store's unique id index, where version 5 ids would each
    dirty a random page of it. The figures are (duration seconds, progress, score,
    success, completion).
    """
    certificate_ext = extension(iri_base, "certificate")
    name = Uuid7Namer(namespace, minted_ms)
    # A learner's frames hold one actor object, a resource's one object: the LRS checks
    # and serialises each once while it recurs (``synth.records``). Parts are read-only.
    actors: dict[int, dict[str, Any]] = {}
    objects: dict[int, dict[str, Any]] = {}
    for e in activity.enrolled:
        rid = e.resource_id
        # One frame an enrolment: its statements share actor, object and context.
        frame = StatementFrame(
            iri_base,
            user_id=e.user_id,
            resource_id=rid,
            resource_type=world.r_type[rid - 1],
            title=world.r_title[rid - 1],
            language=world.r_language[rid - 1],
            branch_code=e.branch_code,
            registration=e.registration,
            subject_code=world.topics[int(world.r_topic[rid - 1])].code,
            provider_code=world.r_provider[rid - 1],
        )
        frame.actor = actors.setdefault(e.user_id, frame.actor)
        frame.object = objects.setdefault(rid, frame.object)
        for n, (verb, epoch, duration, progress, score, success, completion) in enumerate(e.events):
            made = frame
            if verb == "earned" and e.certificate_id:
                made = frame.with_extension(certificate_ext, e.certificate_id)
            yield (
                made,
                name(f"{e.registration}/{n}"),
                verb,
                iso_from_epoch(epoch),
                (duration, progress, score, success, completion),
            )


def statements(
    world: World, activity: ChunkActivity, namespace: uuid.UUID, iri_base: str, minted_ms: int
) -> Iterator[dict[str, Any]]:
    """The chunk's xAPI statements, built one at a time (bounded memory)."""
    for frame, statement_id, verb, timestamp, figures in statement_parts(
        world, activity, namespace, iri_base, minted_ms
    ):
        duration, progress, score, success, completion = figures
        yield frame.statement(
            verb,
            timestamp,
            statement_id,
            duration_seconds=duration,
            progress=progress,
            score=score,
            success=success,
            completion=completion,
        )
