"""A trained recommender: ALS item factors, the content model and segment popularity,
with the scoring that the service and the offline evaluation share.

Learners are not stored in the model: a learner's factor is solved at request time from
their current enrolments ("folding in", Hu, Koren & Volinsky 2008, eq. 4), so an
enrolment made after training counts at once and a learner new since training is served.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy import sparse

from lifelong.personalize.content import ContentModel

# Blend weights, chosen on the benchmark's validation split (see bench_recommend.py and
# docs/decisions.md); each component is scaled to [0, 1] per learner before weighting.
WARM_WEIGHTS = {"als": 0.3, "content": 1.0, "segment": 1.0}
COLD_WEIGHTS = {"content": 1.0, "segment": 1.0}
# Occupation says most about taste (the generator and real enrolments alike); branch
# and age band are broad, near-global crowds, so they count half.
SEGMENT_KIND_WEIGHTS = {"occupation": 1.0, "age": 0.5, "branch": 0.5}
# New resources borrow the factors of this many most content-similar known resources.
NEIGHBOURS_FOR_NEW = 10


@dataclass
class RecommenderModel:
    """Everything scoring needs, as arrays indexed by position in ``item_ids``."""

    version: str
    trained_at: datetime
    params: dict[str, Any]
    item_ids: np.ndarray  # int64, ascending
    item_factors: np.ndarray  # float32, items x factors
    popularity: np.ndarray  # float32, training interactions per item
    content: ContentModel
    segment_keys: list[str]
    segments: sparse.csr_matrix  # segment x item, each row scaled to max 1
    stats: dict[str, Any] = field(default_factory=dict)
    _yty: np.ndarray | None = None
    _unit_factors: np.ndarray | None = None
    _segment_rows: dict[str, int] | None = None

    @property
    def yty(self) -> np.ndarray:
        """Yᵀ Y, shared by every fold-in."""
        if self._yty is None:
            y = self.item_factors.astype(np.float64)
            self._yty = y.T @ y
        return self._yty

    @property
    def unit_factors(self) -> np.ndarray:
        """Item factors scaled to unit length (cosine item-item similarity)."""
        if self._unit_factors is None:
            norms = np.linalg.norm(self.item_factors, axis=1, keepdims=True)
            self._unit_factors = self.item_factors / np.maximum(norms, 1e-9)
        return self._unit_factors

    def index_of(self, resource_ids: Sequence[int]) -> np.ndarray:
        """Positions of ``resource_ids`` in the model (-1 for unknown ones)."""
        ids = np.asarray(resource_ids, dtype=np.int64)
        positions = np.searchsorted(self.item_ids, ids)
        positions = np.clip(positions, 0, max(len(self.item_ids) - 1, 0))
        found = len(self.item_ids) > 0
        known = (self.item_ids[positions] == ids) if found else np.zeros(len(ids), bool)
        return np.where(known, positions, -1)

    def fold_in(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The learner factor minimising the implicit-ALS loss with items fixed.

        Confidence c = alpha * r and preference 1 on observed items, as ``implicit`` trains:
        (YᵀY + λI + Σ (c-1) y yᵀ) x = Σ c y.
        """
        factors = self.item_factors.shape[1]
        if len(rows) == 0:
            return np.zeros(factors, dtype=np.float64)
        y = rows.astype(np.float64)
        confidence = float(self.params["alpha"]) * weights.astype(np.float64)
        a = self.yty + float(self.params["regularization"]) * np.eye(factors)
        a += (y * (confidence - 1.0)[:, None]).T @ y
        b = (y * confidence[:, None]).sum(axis=0)
        return np.linalg.solve(a, b)

    def factors_for_new(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Factors for resources the model never saw: a content-similarity-weighted mean of
        their nearest known resources' factors, so ALS can rank them at once."""
        if rows.shape[0] == 0 or len(self.item_ids) == 0:
            return np.zeros((rows.shape[0], self.item_factors.shape[1]), dtype=np.float32)
        similarity = (rows @ self.content.matrix.T).toarray()
        k = min(NEIGHBOURS_FOR_NEW, similarity.shape[1])
        top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.take_along_axis(similarity, top, axis=1)
        totals = np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        return (np.einsum("nk,nkf->nf", weights / totals, self.item_factors[top])).astype(
            np.float32
        )

    def segment_scores(self, keys: Sequence[str]) -> np.ndarray:
        """Sum of the learner's segments' popularity (occupation, age band, branch)."""
        if self._segment_rows is None:
            self._segment_rows = {key: i for i, key in enumerate(self.segment_keys)}
        rows = [self._segment_rows[k] for k in keys if k in self._segment_rows]
        if not rows:
            return np.zeros(len(self.item_ids), dtype=np.float32)
        indicator = np.zeros(len(self.segment_keys), dtype=np.float32)
        for key in keys:
            if key in self._segment_rows:
                kind = key.split(":", 1)[0]
                indicator[self._segment_rows[key]] = SEGMENT_KIND_WEIGHTS.get(kind, 0.5)
        return np.asarray(self.segments.T @ indicator).ravel().astype(np.float32)


def scaled(values: np.ndarray) -> np.ndarray:
    """Scale scores to [0, 1] by their maximum (zero stays zero; negatives clip)."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return np.zeros_like(values)
    return np.clip(values / top, 0.0, None)
