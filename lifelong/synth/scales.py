"""How big each generated university is."""

from __future__ import annotations

from dataclasses import dataclass

from lifelong.errors import BadRequest


@dataclass(frozen=True, slots=True)
class Scale:
    """Sizes of one scale: learners, resources, enrolments per learner, chunking."""

    name: str
    learners: int
    resources: int
    # Mean enrolments per learner (geometric: most take a few, a long tail take many).
    enrolments_per_learner: float
    chunk_learners: int
    teachers: int

    @property
    def chunks(self) -> int:
        """How many learner chunks the activity stage has."""
        return -(-self.learners // self.chunk_learners)


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 200, 80, 3.0, 100, 4),
    "small": Scale("small", 10_000, 2_000, 6.0, 1_000, 60),
    "medium": Scale("medium", 100_000, 20_000, 12.0, 1_000, 400),
    "large": Scale("large", 1_000_000, 100_000, 12.0, 2_000, 2_000),
}


def scale_named(name: str) -> Scale:
    """The scale called ``name``; 400 naming the known ones otherwise."""
    try:
        return SCALES[name]
    except KeyError:
        raise BadRequest(
            "unknown scale %(name)s; choose one of %(known)s",
            params={"name": repr(name), "known": ", ".join(SCALES)},
        ) from None
