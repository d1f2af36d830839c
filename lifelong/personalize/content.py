"""The content model: TF-IDF over each resource's subject, discipline, level, format, type
and tags, and learner profiles in the same space (interests, what they studied).

It carries cold start both ways: a new learner is matched on profile interests, and a
resource nobody has taken yet is placed by its similarity to resources people have.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class ResourceFeatures:
    """What the content model reads about one resource."""

    resource_id: int
    subject: str
    discipline: str | None
    level: str
    format: str
    type: str
    tags: Sequence[str]
    subject_names: Sequence[str] = ()


def _fold(text: str) -> str:
    return text.strip().lower()


# Field weights: the subject says most about what a resource teaches, the delivery
# format least. Applied before TF-IDF so rare-but-light fields do not dominate.
FIELD_WEIGHTS = {"subj": 3.0, "disc": 1.5, "tag": 1.0, "name": 1.0, "level": 0.7, "type": 0.4}


def tokens(features: ResourceFeatures) -> dict[str, float]:
    """Weighted feature tokens of one resource."""
    out: dict[str, float] = {}

    def add(kind: str, value: str | None) -> None:
        if value:
            key = f"{kind}:{_fold(value)}"
            out[key] = max(out.get(key, 0.0), FIELD_WEIGHTS.get(kind, 0.3))

    add("subj", features.subject)
    add("disc", features.discipline)
    add("level", features.level)
    add("format", features.format)
    add("type", features.type)
    for tag in features.tags:
        add("tag", tag)
    for name in features.subject_names:
        add("name", name)
    return out


def interest_tokens(interest: str) -> list[str]:
    """The tokens an interest may match: a subject or discipline code, a tag or a name."""
    value = _fold(interest)
    return [f"subj:{value}", f"disc:{value}", f"tag:{value}", f"name:{value}"]


@dataclass
class ContentModel:
    """Vocabulary, IDF and the L2-normalised resource x token matrix."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    matrix: sparse.csr_matrix

    @classmethod
    def fit(cls, resources: Sequence[ResourceFeatures]) -> ContentModel:
        """Learn the vocabulary and IDF from ``resources`` and encode them."""
        vocabulary: dict[str, int] = {}
        document_frequency: list[int] = []
        encoded = [tokens(r) for r in resources]
        for bag in encoded:
            for key in bag:
                index = vocabulary.setdefault(key, len(vocabulary))
                if index == len(document_frequency):
                    document_frequency.append(0)
                document_frequency[index] += 1
        n = max(len(resources), 1)
        # Smoothed IDF as in scikit-learn's TfidfTransformer: log((1+n)/(1+df)) + 1.
        idf = np.array(
            [math.log((1 + n) / (1 + df)) + 1.0 for df in document_frequency], dtype=np.float32
        )
        model = cls(vocabulary, idf, sparse.csr_matrix((0, len(vocabulary)), dtype=np.float32))
        model.matrix = model.encode_bags(encoded)
        return model

    def encode_bags(self, bags: Iterable[dict[str, float]]) -> sparse.csr_matrix:
        """Rows of normalised TF-IDF vectors; tokens outside the vocabulary are dropped."""
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for bag in bags:
            row = [(self.vocabulary[k], w) for k, w in bag.items() if k in self.vocabulary]
            values = np.array([w * self.idf[i] for i, w in row], dtype=np.float32)
            norm = float(np.linalg.norm(values)) if len(values) else 0.0
            for (i, _), value in zip(row, values, strict=True):
                indices.append(i)
                data.append(value / norm if norm else 0.0)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), indptr),
            shape=(len(indptr) - 1, len(self.vocabulary)),
        )

    def encode(self, resources: Sequence[ResourceFeatures]) -> sparse.csr_matrix:
        """Encode resources that may not have been seen at fit time (new resources)."""
        return self.encode_bags(tokens(r) for r in resources)

    def interests_vector(self, interests: Sequence[str]) -> np.ndarray:
        """A dense profile vector from free-form interests (unknown ones are ignored)."""
        vector = np.zeros(len(self.vocabulary), dtype=np.float32)
        for interest in interests:
            for key in interest_tokens(interest):
                index = self.vocabulary.get(key)
                if index is not None:
                    vector[index] += self.idf[index]
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def matched_interest(self, interests: Sequence[str], row: sparse.csr_matrix) -> str | None:
        """The interest that contributes most to a resource's match (for explanations)."""
        best, best_value = None, 0.0
        present = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        for interest in interests:
            value = sum(
                present.get(self.vocabulary.get(key, -1), 0.0) for key in interest_tokens(interest)
            )
            if value > best_value:
                best, best_value = interest, value
        return best
