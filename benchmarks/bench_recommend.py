"""Recommendations offline: the served blend vs ALS alone, content alone and popularity.

A university is generated with ``lifelong.synth`` (small; ``--quick``: tiny) into a
temporary data directory. Per learner, the last 20 % of enrolments by time are held out
(a temporal split: nothing from a learner's future is trained on; a learner with one
enrolment is held out whole, which measures cold start). Hyperparameters — ALS factors
and regularisation, and the blend weights — are chosen on a validation split made the
same way inside the training part; the test split is scored once, with the chosen ones.
Every method ranks the same candidates (published resources) with the learner's training
resources excluded, and is scored by Recall@10 and NDCG@10 in the same run.

Run: ``python -m benchmarks.bench_recommend`` (``--quick`` for tiny).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lifelong.config import RecommendSettings, Settings
from lifelong.db.engine import engine_from_settings, make_session_factory
from lifelong.personalize import repository
from lifelong.personalize.evaluation import (
    Event,
    Methods,
    evaluate,
    interactions,
    temporal_split,
)
from lifelong.personalize.scoring import Learner
from lifelong.personalize.training import Segment, fit, interaction_weight, segment_keys

WARM_GRID = [
    {"als": a, "content": 1.0, "segment": s} for a in (0.0, 0.3, 1.0, 3.0) for s in (0.0, 0.3, 1.0)
]
COLD_GRID = [{"content": c, "segment": 1.0} for c in (0.0, 0.3, 1.0, 3.0)]
ALS_GRID = [(f, r) for f in (32, 64) for r in (0.05, 0.5)]
# Validation scores a seeded sample of learners (the grid is scored many times).
VALIDATION_LEARNERS = 2000


def _read(settings: Settings) -> tuple[list[Any], list[Event], dict[int, Any]]:
    """Resources, enrolment events and learner rows from the generated store."""
    engine = engine_from_settings(settings)
    try:
        with make_session_factory(engine)() as session:
            resources = repository.resource_features(session)
            events = [
                Event(
                    row.user_id,
                    row.resource_id,
                    row.enrolled_at,
                    interaction_weight(row.status, row.progress, row.seconds_spent),
                )
                for row in repository.enrolments(session)
            ]
            people = {row.user_id: row for row in repository.learners(session)}
    finally:
        engine.dispose()
    return resources, events, people


def _learners(
    events: list[Event], people: dict[int, Any], year: int
) -> tuple[dict[int, Learner], list[Segment]]:
    history: dict[int, list[tuple[int, float]]] = {}
    for event in events:
        history.setdefault(event.user_id, []).append((event.resource_id, event.weight))
    learners: dict[int, Learner] = {}
    segments: list[Segment] = []
    for user_id, row in people.items():
        keys = segment_keys(
            branch_id=row.branch_id, occupation=row.occupation, birth_year=row.birth_year, year=year
        )
        learners[user_id] = Learner(history.get(user_id, []), list(row.interests), keys)
        segments.append(Segment(user_id, keys))
    return learners, segments


def _fit(
    resources: list[Any], events: list[Event], segments: list[Segment], als: RecommendSettings
):
    return fit(resources, interactions(events), segments, als, version="bench")


def _tune(
    resources: list[Any],
    train: list[Event],
    people: dict[int, Any],
    year: int,
    base: RecommendSettings,
) -> tuple[RecommendSettings, dict[str, float], dict[str, float], dict[str, Any]]:
    """Choose ALS and blend settings on a validation split inside ``train``."""
    split = temporal_split(train)
    sample = sorted(split.held_out)
    random.Random(7).shuffle(sample)
    split.held_out = {u: split.held_out[u] for u in sample[:VALIDATION_LEARNERS]}
    learners, segments = _learners(split.train, people, year)
    best_als, best_score, tried = base, -1.0, {}
    for factors, regularization in ALS_GRID:
        als = base.model_copy(update={"factors": factors, "regularization": regularization})
        model = _fit(resources, split.train, segments, als)
        result = evaluate(
            {"als": Methods(model).blend({"als": 1.0}, {"segment": 1.0})},
            model,
            learners,
            split.held_out,
        )
        tried[f"als f={factors} reg={regularization}"] = result["als"]["warm_ndcg@10"]
        if result["als"]["warm_ndcg@10"] > best_score:
            best_als, best_score = als, result["als"]["warm_ndcg@10"]
    model = _fit(resources, split.train, segments, best_als)
    methods = Methods(model)
    scores = evaluate(
        {f"w{i}": methods.blend(w, COLD_GRID[0]) for i, w in enumerate(WARM_GRID)}
        | {f"c{i}": methods.blend(WARM_GRID[0], c) for i, c in enumerate(COLD_GRID)},
        model,
        learners,
        split.held_out,
    )
    warm = WARM_GRID[max(range(len(WARM_GRID)), key=lambda i: scores[f"w{i}"]["warm_ndcg@10"])]
    cold = COLD_GRID[max(range(len(COLD_GRID)), key=lambda i: scores[f"c{i}"]["cold_ndcg@10"])]
    return best_als, warm, cold, tried


def run(quick: bool = False) -> dict[str, Any]:
    """Generate, split, tune on validation, score every method on the test split."""
    from lifelong.synth.service import generate

    scale = "tiny" if quick else "small"
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-recommend-") as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench")
        report = generate(settings, scale=scale, seed=20261201, progress=False)
        generated = time.perf_counter()
        result = measure(settings, year=int(report.as_of[:4]))
    result.update(scale=scale, generate_seconds=round(generated - began, 1))
    return result


def measure(settings: Settings, *, year: int) -> dict[str, Any]:
    """Split, tune and score on an already generated store."""
    began = time.perf_counter()
    resources, events, people = _read(settings)
    split = temporal_split(events)
    als, warm, cold, tried = _tune(resources, split.train, people, year, RecommendSettings())
    learners, segments = _learners(split.train, people, year)
    model = _fit(resources, split.train, segments, als)
    methods = Methods(model)
    figures = evaluate(
        {
            "blend": methods.blend(warm, cold),
            "als": methods.blend({"als": 1.0}, {"segment": 1.0}),
            "content": methods.blend({"content": 1.0}, {"content": 1.0}),
            "popularity": methods.popular,
        },
        model,
        learners,
        split.held_out,
    )
    blend, popular = figures["blend"]["ndcg@10"], figures["popularity"]["ndcg@10"]
    return {
        "learners": len(people),
        "resources": len(resources),
        "enrolments": len(events),
        "test_learners": figures.pop("_learners"),
        "methods": figures,
        "ndcg_ratio": round(blend / popular, 3) if popular else None,
        "target_ndcg_ratio": 1.5,
        "chosen_on_validation": {
            "factors": als.factors,
            "regularization": als.regularization,
            "alpha": als.alpha,
            "warm_weights": warm,
            "cold_weights": cold,
            "als_grid_validation_warm_ndcg@10": tried,
        },
        "evaluate_seconds": round(time.perf_counter() - began, 1),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    if "--data-dir" in sys.argv:  # re-measure an existing generated store (development)
        store = Path(sys.argv[sys.argv.index("--data-dir") + 1])
        result = measure(Settings(data_dir=store, secret_key="bench"), year=2026)
    else:
        result = run(quick=quick)
    out = Path(__file__).parent / "results" / "recommend.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
