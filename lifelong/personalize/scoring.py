"""Scoring one learner against a candidate set: ALS, content and segment components and
their blend. Shared by the web service and the offline evaluation so that what is
measured is what is served.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from lifelong.personalize.model import COLD_WEIGHTS, WARM_WEIGHTS, RecommenderModel, scaled


@dataclass
class Candidates:
    """Resources that may be recommended: the model's, plus any new since training."""

    ids: np.ndarray
    factors: np.ndarray
    content: sparse.csr_matrix
    known: int  # the first ``known`` rows are the model's own items

    @classmethod
    def of(
        cls,
        model: RecommenderModel,
        new_ids: Sequence[int] = (),
        new_content: sparse.csr_matrix | None = None,
    ) -> Candidates:
        """The model's items, extended by new resources placed through content."""
        if not len(new_ids) or new_content is None:
            return cls(
                model.item_ids, model.item_factors, model.content.matrix, len(model.item_ids)
            )
        return cls(
            np.concatenate([model.item_ids, np.asarray(new_ids, dtype=np.int64)]),
            np.vstack([model.item_factors, model.factors_for_new(new_content)]),
            sparse.vstack([model.content.matrix, new_content]).tocsr(),
            len(model.item_ids),
        )

    def positions(self, resource_ids: Sequence[int]) -> dict[int, int]:
        """Row of each resource id present among the candidates."""
        ids = np.asarray(list(resource_ids), dtype=np.int64)
        known = self.ids[: self.known]
        found: dict[int, int] = {}
        if len(ids) and self.known:
            at = np.clip(np.searchsorted(known, ids), 0, self.known - 1)
            found = {int(r): int(i) for r, i in zip(ids, at, strict=True) if known[i] == r}
        extra = {int(r): self.known + i for i, r in enumerate(self.ids[self.known :].tolist())}
        found.update({int(r): extra[int(r)] for r in ids if int(r) in extra})
        return found


@dataclass
class Learner:
    """What scoring knows about a learner: weighted history, interests, segments."""

    history: list[tuple[int, float]] = field(default_factory=list)  # (resource id, weight)
    interests: list[str] = field(default_factory=list)
    segment_keys: list[str] = field(default_factory=list)


@dataclass
class Scored:
    """Blended scores over the candidates and the weighted parts they came from."""

    scores: np.ndarray
    parts: dict[str, np.ndarray]
    warm: bool


def score(
    model: RecommenderModel,
    candidates: Candidates,
    learner: Learner,
    *,
    warm_weights: dict[str, float] | None = None,
    cold_weights: dict[str, float] | None = None,
) -> Scored:
    """Score every candidate for ``learner``; the caller removes what must be excluded."""
    rows = candidates.positions([rid for rid, _ in learner.history])
    seen = [(rows[rid], w) for rid, w in learner.history if rid in rows]
    positions = np.array([p for p, _ in seen], dtype=np.int64)
    weights = np.array([w for _, w in seen], dtype=np.float32)

    profile = model.content.interests_vector(learner.interests)
    if len(positions):
        spread = np.zeros(len(candidates.ids), dtype=np.float32)
        spread[positions] = weights
        studied = np.asarray(candidates.content.T @ spread).ravel()
        norm = float(np.linalg.norm(studied))
        if norm:
            profile = profile + studied / norm
    content = np.asarray(candidates.content @ profile).ravel()

    segment = np.zeros(len(candidates.ids), dtype=np.float32)
    segment[: candidates.known] = model.segment_scores(learner.segment_keys)

    parts: dict[str, np.ndarray] = {"content": scaled(content), "segment": scaled(segment)}
    warm = len(positions) > 0
    if warm:
        factor = model.fold_in(candidates.factors[positions], weights)
        parts["als"] = scaled(candidates.factors @ factor)
        chosen = warm_weights or WARM_WEIGHTS
    else:
        chosen = cold_weights or COLD_WEIGHTS
    weighted = {k: v * chosen.get(k, 0.0) for k, v in parts.items() if chosen.get(k, 0.0)}
    total = np.sum(list(weighted.values()), axis=0) if weighted else np.zeros(len(candidates.ids))
    return Scored(np.asarray(total, dtype=np.float64), weighted, warm)


def top(scores: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best scores, best first, skipping ``exclude`` (a bool mask)."""
    masked = np.where(exclude, -np.inf, scores)
    k = min(k, int((~exclude).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.argpartition(-masked, k - 1)[:k]
    return best[np.argsort(-masked[best], kind="stable")]


def similar_to(
    model: RecommenderModel,
    candidates: Candidates,
    anchor: int,
    *,
    als_weight: float = 0.7,
) -> tuple[np.ndarray, np.ndarray]:
    """Item-item similarity of every candidate to the candidate row ``anchor``:
    cosine of ALS factors blended with content cosine; returns (similarity, als part)."""
    factors = candidates.factors
    unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-9)
    als = unit @ unit[anchor]
    content = np.asarray((candidates.content @ candidates.content[anchor].T).todense()).ravel()
    if anchor >= candidates.known:
        # A resource nobody has taken: its factors are borrowed, so trust its content more.
        als_weight = 0.3
    return als_weight * als + (1 - als_weight) * content, als_weight * als
