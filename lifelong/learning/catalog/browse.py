"""The resource matrix and the subject tree with their counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lifelong.learning.catalog import repository
from lifelong.learning.models import ResourceFormat, ResourceLevel, ResourceType, Subject


@dataclass
class Matrix:
    """Published resources counted by type x level x format."""

    cells: dict[tuple[str, str, str], int]
    types: list[str] = field(default_factory=lambda: [t.value for t in ResourceType])
    levels: list[str] = field(default_factory=lambda: [lv.value for lv in ResourceLevel])
    formats: list[str] = field(default_factory=lambda: [f.value for f in ResourceFormat])

    @property
    def total(self) -> int:
        """All published resources."""
        return sum(self.cells.values())

    def count(self, type_: str, level: str, format_: str | None = None) -> int:
        """A cell (or, without a format, a type x level row summed over formats)."""
        if format_ is not None:
            return self.cells.get((type_, level, format_), 0)
        return sum(n for (t, lv, _), n in self.cells.items() if t == type_ and lv == level)

    def by_type(self, type_: str) -> int:
        """Published resources of one type."""
        return sum(n for (t, _, _), n in self.cells.items() if t == type_)


def matrix(session: Session) -> Matrix:
    """The current matrix."""
    return Matrix(cells={(t, lv, f): n for t, lv, f, n in repository.matrix_counts(session)})


@dataclass
class SubjectNode:
    """A subject with its children and the published resources in its subtree."""

    subject: Subject
    count: int
    children: list[SubjectNode]


def subject_tree(session: Session) -> list[SubjectNode]:
    """The subject forest, each node counting the resources of its whole subtree."""
    subjects = repository.subjects(session)
    direct = repository.subject_counts(session)
    children: dict[int | None, list[Subject]] = {}
    for subject in subjects:
        children.setdefault(subject.parent_id, []).append(subject)

    def build(subject: Subject, depth: int) -> SubjectNode:
        kids = [build(c, depth + 1) for c in children.get(subject.id, [])] if depth < 8 else []
        return SubjectNode(subject, direct.get(subject.id, 0) + sum(k.count for k in kids), kids)

    known = {s.id for s in subjects}
    roots = [s for s in subjects if s.parent_id is None or s.parent_id not in known]
    return [build(root, 0) for root in roots]
