"""Offline evaluation: a per-learner temporal split, Recall@k and NDCG@k, and the methods
compared (the blend, ALS alone, content alone, popularity) scored the way the service
scores them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from lifelong.personalize.model import RecommenderModel
from lifelong.personalize.scoring import Candidates, Learner, score, top
from lifelong.personalize.training import Interaction


@dataclass(frozen=True)
class Event:
    """One enrolment with its time and weight."""

    user_id: int
    resource_id: int
    at: datetime
    weight: float


@dataclass
class Split:
    """Training events and, per learner, the held-out resources."""

    train: list[Event]
    held_out: dict[int, set[int]]


def temporal_split(events: Iterable[Event], share: float = 0.2) -> Split:
    """Per learner, the last ``share`` of enrolments by time (at least one) is held out,
    so nothing from a learner's future is trained on. A learner with one enrolment is
    held out whole: that measures cold start."""
    by_user: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_user[event.user_id].append(event)
    train: list[Event] = []
    held_out: dict[int, set[int]] = {}
    for user_id, items in by_user.items():
        items.sort(key=lambda e: (e.at, e.resource_id))
        n_test = max(1, round(share * len(items)))
        train.extend(items[:-n_test])
        held_out[user_id] = {e.resource_id for e in items[-n_test:]}
    return Split(train, held_out)


def recall_at(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    """Share of the relevant resources found in the top ``k``."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    """Normalised discounted cumulative gain with binary relevance (Järvelin & Kekäläinen)."""
    gain = sum(1.0 / math.log2(i + 2) for i, rid in enumerate(ranked[:k]) if rid in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return gain / ideal if ideal else 0.0


def interactions(events: Iterable[Event]) -> list[Interaction]:
    """Training rows for ``training.fit``."""
    return [Interaction(e.user_id, e.resource_id, e.weight) for e in events]


Ranker = Callable[[int, Learner, np.ndarray], np.ndarray]


@dataclass
class Methods:
    """Ranking functions over one model's candidates: name -> f(user, learner, excluded)."""

    model: RecommenderModel
    candidates: Candidates = field(init=False)
    popularity: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.candidates = Candidates.of(self.model)
        self.popularity = self.model.popularity.astype(np.float64)

    def blend(self, warm: dict[str, float], cold: dict[str, float]) -> Ranker:
        """The served blend with the given weights."""

        def rank(user_id: int, learner: Learner, excluded: np.ndarray) -> np.ndarray:
            scored = score(
                self.model, self.candidates, learner, warm_weights=warm, cold_weights=cold
            )
            return top(scored.scores, excluded, 10)

        return rank

    def popular(self, user_id: int, learner: Learner, excluded: np.ndarray) -> np.ndarray:
        """Most-taken resources in training (the baseline)."""
        return top(self.popularity, excluded, 10)


def evaluate(
    methods: dict[str, Ranker],
    model: RecommenderModel,
    learners: dict[int, Learner],
    held_out: dict[int, set[int]],
    k: int = 10,
) -> dict[str, dict[str, float]]:
    """Mean Recall@k and NDCG@k of each method over learners with held-out resources,
    overall and separately for learners with no training history (cold)."""
    candidates = Candidates.of(model)
    sums: dict[str, dict[str, float]] = {name: defaultdict(float) for name in methods}
    counts: Counter[str] = Counter()
    for user_id, relevant in held_out.items():
        learner = learners.get(user_id, Learner())
        relevant = {r for r in relevant if r in set(candidates.positions(list(relevant)))}
        if not relevant:
            continue
        excluded = np.zeros(len(candidates.ids), dtype=bool)
        for position in candidates.positions([rid for rid, _ in learner.history]).values():
            excluded[position] = True
        group = "warm" if learner.history else "cold"
        counts["all"] += 1
        counts[group] += 1
        for name, rank in methods.items():
            ranked = [int(candidates.ids[i]) for i in rank(user_id, learner, excluded)]
            recall, ndcg = recall_at(ranked, relevant, k), ndcg_at(ranked, relevant, k)
            for prefix in ("all", group):
                sums[name][f"{prefix}_recall"] += recall
                sums[name][f"{prefix}_ndcg"] += ndcg
    out: dict[str, dict[str, float]] = {}
    for name, total in sums.items():
        out[name] = {
            f"recall@{k}": round(total["all_recall"] / max(counts["all"], 1), 4),
            f"ndcg@{k}": round(total["all_ndcg"] / max(counts["all"], 1), 4),
            f"warm_ndcg@{k}": round(total["warm_ndcg"] / max(counts["warm"], 1), 4),
            f"cold_ndcg@{k}": round(total["cold_ndcg"] / max(counts["cold"], 1), 4),
        }
    out["_learners"] = {key: float(value) for key, value in counts.items()}
    return out
