"""Recommendations for one learner, by kind, each with its explanation.

The recommender is part of the platform: it reads the operational tables read-only and
serves through this function and ``GET /api/v1/recommendations`` — nothing it computes
is written back into platform tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from lifelong.accounts.models import User
from lifelong.errors import BadRequest, NotFound
from lifelong.learning.catalog.repository import subject_names
from lifelong.learning.models import Resource, ResourceStatus
from lifelong.personalize import repository, runtime
from lifelong.personalize.model import RecommenderModel
from lifelong.personalize.reasons import Reason
from lifelong.personalize.scoring import Candidates, Learner, score, similar_to, top
from lifelong.personalize.training import interaction_weight, segment_keys

KINDS = ("for_you", "because", "branch", "programme", "similar")
MAX_LIMIT = 50
BRANCH_WINDOW = timedelta(days=30)
ANCHORS = 3  # "because you studied X": the learner's most recent resources


@dataclass(frozen=True)
class Recommendation:
    """One recommended resource and why."""

    resource: Resource
    kind: str
    score: float
    reason: Reason


def recommendations_for(
    session: Session,
    user: User | None,
    *,
    kind: str,
    limit: int = 10,
    resource_id: int | None = None,
    model: RecommenderModel | None = None,
) -> list[Recommendation]:
    """Up to ``limit`` published resources of ``kind`` the learner has not enrolled in.

    ``similar`` needs ``resource_id`` (the resource page) and works without a user;
    ``model`` defaults to the running app's newest model.
    """
    if kind not in KINDS:
        raise BadRequest(
            "Unknown recommendation kind %(kind)s; use one of %(kinds)s.",
            params={"kind": repr(kind), "kinds": ", ".join(KINDS)},
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest("limit must be between 1 and %(max)d.", params={"max": MAX_LIMIT})
    if kind == "similar" and resource_id is None:
        raise BadRequest("kind=similar needs resource_id.")
    if kind != "similar" and user is None:
        raise BadRequest("kind=%(kind)s needs a signed-in learner.", params={"kind": kind})
    if model is None and (holder := runtime.active()) is not None:
        model = holder.get()
    history = repository.learner_history(session, user.id) if user is not None else []
    enrolled = {row.resource_id for row in history}
    if kind == "branch":
        assert user is not None
        return _branch(session, user, enrolled, limit)
    if kind == "programme":
        return _programme(session, history, enrolled, limit)
    if model is None:  # before the first training: fall back to what needs no model
        return _branch(session, user, enrolled, limit) if user and kind == "for_you" else []
    candidates = _candidates(session, model)
    if kind == "similar":
        assert resource_id is not None
        return _similar(session, model, candidates, resource_id, enrolled, limit)
    if kind == "because":
        return _because(session, model, candidates, history, enrolled, limit)
    assert user is not None
    return _for_you(session, model, candidates, user, history, enrolled, limit)


def _candidates(session: Session, model: RecommenderModel) -> Candidates:
    """The model's resources plus those published since it was trained."""
    fresh = repository.resource_features(session, published_after=model.trained_at)
    known = model.index_of([f.resource_id for f in fresh])
    fresh = [f for f, at in zip(fresh, known, strict=True) if at < 0]
    if not fresh:
        return Candidates.of(model)
    return Candidates.of(model, [f.resource_id for f in fresh], model.content.encode(fresh))


def _mask(candidates: Candidates, ids: set[int]) -> np.ndarray:
    mask = np.zeros(len(candidates.ids), dtype=bool)
    for position in candidates.positions(sorted(ids)).values():
        mask[position] = True
    return mask


def _keep_published(
    session: Session, candidates: Candidates, order: np.ndarray, limit: int
) -> list[tuple[int, Resource]]:
    """(candidate row, resource) of the first ``limit`` still-published resources."""
    ids = [int(candidates.ids[i]) for i in order]
    found = repository.published(session, ids)
    return [(int(i), found[rid]) for i, rid in zip(order, ids, strict=True) if rid in found][:limit]


def _learner(session: Session, user: User, history: list[repository.EnrolmentRow]) -> Learner:
    profile = repository.profile(session, user.id)
    return Learner(
        history=[
            (r.resource_id, interaction_weight(r.status, r.progress, r.seconds_spent))
            for r in history
        ],
        interests=list(profile.interests or []) if profile else [],
        segment_keys=segment_keys(
            branch_id=user.branch_id,
            occupation=profile.occupation if profile else None,
            birth_year=profile.birth_year if profile else None,
            year=datetime.now(UTC).year,
        ),
    )


def _for_you(
    session: Session,
    model: RecommenderModel,
    candidates: Candidates,
    user: User,
    history: list[repository.EnrolmentRow],
    enrolled: set[int],
    limit: int,
) -> list[Recommendation]:
    learner = _learner(session, user, history)
    scored = score(model, candidates, learner)
    order = top(scored.scores, _mask(candidates, enrolled), limit * 3)
    out = []
    # An interest that is a subject's code is named as the subject is, in each language.
    subjects = subject_names(session, learner.interests)
    for row, resource in _keep_published(session, candidates, order, limit):
        parts = {name: float(values[row]) for name, values in scored.parts.items()}
        main = max(parts, key=lambda name: parts[name]) if parts else "segment"
        if row >= candidates.known:
            reason = Reason("new")
        elif main == "content" and learner.interests:
            interest = model.content.matched_interest(learner.interests, candidates.content[row])
            reason = (
                Reason("interest", {"interest": subjects.get(interest, interest)})
                if interest
                else Reason("history")
            )
        elif main in ("als", "content"):
            reason = Reason("history")
        else:
            reason = Reason("segment")
        out.append(Recommendation(resource, "for_you", float(scored.scores[row]), reason))
    return out


def _because(
    session: Session,
    model: RecommenderModel,
    candidates: Candidates,
    history: list[repository.EnrolmentRow],
    enrolled: set[int],
    limit: int,
) -> list[Recommendation]:
    recent = sorted(
        (r for r in history if r.status != "withdrawn"),
        key=lambda r: r.last_activity_at or r.enrolled_at,
        reverse=True,
    )
    rows = candidates.positions([r.resource_id for r in recent])
    anchors = [r.resource_id for r in recent if r.resource_id in rows][:ANCHORS]
    if not anchors:
        return []
    titles = {r.id: r.title for r in repository.published(session, anchors).values()}
    # Each candidate is scored by its closest studied resource, which also explains it.
    similarity = np.vstack([similar_to(model, candidates, rows[a])[0] for a in anchors])
    closest = similarity.argmax(axis=0)
    best = similarity.max(axis=0)
    order = top(best, _mask(candidates, enrolled), limit * 2)
    merged = {int(i): (float(best[i]), anchors[int(closest[i])]) for i in order}
    return [
        Recommendation(
            resource,
            "because",
            merged[row][0],
            Reason("because", {"title": titles.get(merged[row][1], "")}),
        )
        for row, resource in _keep_published(session, candidates, order, limit)
    ]


def _similar(
    session: Session,
    model: RecommenderModel,
    candidates: Candidates,
    resource_id: int,
    enrolled: set[int],
    limit: int,
) -> list[Recommendation]:
    anchor = repository.resource(session, resource_id)
    rows = candidates.positions([resource_id])
    if anchor is None or anchor.status != ResourceStatus.published:
        raise NotFound("No published resource %(id)s.", params={"id": resource_id})
    if resource_id not in rows:
        return []
    similarity, als = similar_to(model, candidates, rows[resource_id])
    order = top(similarity, _mask(candidates, enrolled | {resource_id}), limit * 2)
    out = []
    for row, resource in _keep_published(session, candidates, order, limit):
        code = "also_studied" if als[row] >= similarity[row] - als[row] else "similar"
        out.append(
            Recommendation(
                resource, "similar", float(similarity[row]), Reason(code, {"title": anchor.title})
            )
        )
    return out


def _branch(session: Session, user: User, enrolled: set[int], limit: int) -> list[Recommendation]:
    since = datetime.now(UTC) - BRANCH_WINDOW
    popular = repository.branch_popular(
        session, user.branch_id, since=since, exclude=enrolled, limit=limit
    )
    found = repository.published(session, [rid for rid, _ in popular])
    names = {"zh_CN": user.branch.name_zh, "en": user.branch.name_en}
    return [
        Recommendation(
            found[rid], "branch", float(count), Reason("branch", {"branch": names, "count": count})
        )
        for rid, count in popular
        if rid in found
    ]


def _programme(
    session: Session, history: list[repository.EnrolmentRow], enrolled: set[int], limit: int
) -> list[Recommendation]:
    """The first item, by position, the learner has not enrolled in, of every programme
    in which they take (or took) at least one item."""
    taking = [r.resource_id for r in history if r.status != "withdrawn"]
    completed = {r.resource_id for r in history if r.status == "completed"}
    found: list[tuple[float, Recommendation]] = []
    for programme in repository.programmes_containing(session, taking):
        items = [i for i in programme.items if i.resource.status == ResourceStatus.published]
        done = sum(1 for i in items if i.resource_id in completed)
        for position, item in enumerate(items, start=1):
            if item.resource_id in enrolled:
                continue
            reason = Reason(
                "programme",
                {"programme": programme.title, "position": position, "total": len(items)},
            )
            share = done / len(items)
            found.append((share, Recommendation(item.resource, "programme", share, reason)))
            break
    found.sort(key=lambda pair: -pair[0])
    seen: set[int] = set()
    out = []
    for _, recommendation in found:
        if recommendation.resource.id not in seen:
            seen.add(recommendation.resource.id)
            out.append(recommendation)
    return out[:limit]
