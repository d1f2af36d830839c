"""Training: interactions from enrolments, implicit ALS, the content model and segment
popularity, saved as one versioned artefact.

Training only reads the operational tables. A crash leaves no partial model: the
artefact is written to a temporary directory and renamed into place (artefacts.py), so a
rerun simply trains again from the tables — nothing to resume, nothing duplicated.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import sparse

from lifelong.config import RecommendSettings
from lifelong.personalize.content import ContentModel, ResourceFeatures
from lifelong.personalize.model import RecommenderModel

# Segment rows keep only their most popular resources, so the artefact stays small at
# a million resources.
SEGMENT_TOP = 500


def interaction_weight(status: str, progress: float, seconds_spent: int) -> float:
    """Implicit-feedback strength of one enrolment (Hu, Koren & Volinsky 2008: r_ui).

    Enrolling is a weak signal; progress, time spent and completion strengthen it; a
    withdrawal keeps a little (the learner was interested enough to start).
    """
    weight = 1.0 + 2.0 * min(max(progress, 0.0), 1.0) + math.log1p(max(seconds_spent, 0) / 1800)
    if status == "completed":
        weight += 2.0
    elif status == "withdrawn":
        weight *= 0.3
    return weight


def age_band(birth_year: int | None, year: int) -> str | None:
    """Ten-year age band (``age:30`` for 30-39)."""
    if not birth_year or birth_year > year:
        return None
    return f"age:{(year - birth_year) // 10 * 10}"


def segment_keys(
    *, branch_id: int | None, occupation: str | None, birth_year: int | None, year: int
) -> list[str]:
    """The segments a learner belongs to, for cold start."""
    keys = [f"branch:{branch_id}"] if branch_id is not None else []
    if occupation:
        keys.append(f"occupation:{occupation}")
    band = age_band(birth_year, year)
    if band:
        keys.append(band)
    return keys


@dataclass(frozen=True)
class Interaction:
    """One learner-resource pair with its implicit-feedback weight."""

    user_id: int
    resource_id: int
    weight: float


@dataclass(frozen=True)
class Segment:
    """A learner's segments for the popularity part of cold start."""

    user_id: int
    keys: list[str]


def fit(
    resources: Sequence[ResourceFeatures],
    interactions: Iterable[Interaction],
    segments: Iterable[Segment],
    settings: RecommendSettings,
    *,
    version: str,
    seed: int = 0,
    on_iteration: Callable[[int], None] | None = None,
) -> RecommenderModel:
    """Fit the whole model from plain rows (the CLI and the benchmark both call this)."""
    content = ContentModel.fit(resources)
    item_ids = np.array([r.resource_id for r in resources], dtype=np.int64)
    order = np.argsort(item_ids, kind="stable")
    item_ids = item_ids[order]
    content.matrix = content.matrix[order]
    item_index = {int(rid): i for i, rid in enumerate(item_ids.tolist())}

    user_index: dict[int, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for interaction in interactions:
        col = item_index.get(interaction.resource_id)
        if col is None:  # unpublished or retired since: not a candidate any more
            continue
        rows.append(user_index.setdefault(interaction.user_id, len(user_index)))
        cols.append(col)
        values.append(interaction.weight)
    user_items = sparse.csr_matrix(
        (np.array(values, dtype=np.float32), (rows, cols)),
        shape=(len(user_index), len(item_ids)),
    )
    user_items.sum_duplicates()
    popularity = np.asarray((user_items > 0).sum(axis=0)).ravel().astype(np.float32)

    item_factors = _als(user_items, settings, seed=seed, on_iteration=on_iteration)
    keys, matrix = _segments(segments, user_items, user_index)
    return RecommenderModel(
        version=version,
        trained_at=datetime.now(UTC),
        params={
            "factors": settings.factors,
            "iterations": settings.iterations,
            "regularization": settings.regularization,
            "alpha": settings.alpha,
        },
        item_ids=item_ids,
        item_factors=item_factors,
        popularity=popularity,
        content=content,
        segment_keys=keys,
        segments=matrix,
        stats={
            "learners": len(user_index),
            "resources": len(item_ids),
            "interactions": int(user_items.nnz),
        },
    )


def _als(
    user_items: sparse.csr_matrix,
    settings: RecommendSettings,
    *,
    seed: int,
    on_iteration: Callable[[int], None] | None,
) -> np.ndarray:
    """Item factors from implicit's ALS (one thread: the machine is shared)."""
    n_items = user_items.shape[1]
    if user_items.nnz == 0:
        return np.zeros((n_items, settings.factors), dtype=np.float32)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    def callback(iteration: int, elapsed: float, loss: float) -> None:
        if on_iteration is not None:
            on_iteration(iteration)

    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=settings.factors,
            regularization=settings.regularization,
            alpha=settings.alpha,
            iterations=settings.iterations,
            num_threads=1,
            random_state=seed,
            use_cg=False,  # exact solves: fold-in at serving uses the same closed form
        )
        model.fit(user_items, show_progress=False, callback=callback)
    return np.ascontiguousarray(model.item_factors, dtype=np.float32)


def _segments(
    segments: Iterable[Segment], user_items: sparse.csr_matrix, user_index: dict[int, int]
) -> tuple[list[str], sparse.csr_matrix]:
    """Per segment, how many of its learners took each resource (top ones, max-scaled)."""
    members: dict[str, list[int]] = defaultdict(list)
    for segment in segments:
        row = user_index.get(segment.user_id)
        if row is None:
            continue
        for key in segment.keys:
            members[key].append(row)
    binary = (user_items > 0).astype(np.float32).tocsr()
    keys = sorted(members)
    out_rows: list[sparse.csr_matrix] = []
    for key in keys:
        counts = np.asarray(binary[members[key]].sum(axis=0)).ravel()
        if len(counts) > SEGMENT_TOP:
            cut = np.partition(counts, -SEGMENT_TOP)[-SEGMENT_TOP]
            counts = np.where(counts >= cut, counts, 0)
        top = counts.max() if len(counts) else 0
        out_rows.append(sparse.csr_matrix(counts / top if top else counts, dtype=np.float32))
    if not out_rows:
        return [], sparse.csr_matrix((0, user_items.shape[1]), dtype=np.float32)
    return keys, sparse.vstack(out_rows).tocsr()


def model_summary(model: RecommenderModel) -> dict[str, Any]:
    """What the CLI prints after training."""
    return {"version": model.version, **model.stats}
