"""A small hand-built university with planted structure: four disciplines, learners in
four groups (one per discipline, with a matching occupation and interest), each group
mostly taking its own discipline's resources."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, LearnerProfile, Role, User
from lifelong.config import Settings
from lifelong.learning.models import (
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeItem,
    Resource,
    ResourceLevel,
)
from tests.factories import make_branch, make_user
from tests.learning.catalog.factories import make_provider, make_resource, make_subject

DISCIPLINES = ("ART", "CS", "MED", "LAW")
OCCUPATIONS = {"ART": "artist", "CS": "engineer", "MED": "nurse", "LAW": "clerk"}


@dataclass
class World:
    """What the factory built, for assertions."""

    branch: Branch
    resources: dict[str, list[Resource]] = field(default_factory=dict)
    learners: dict[str, list[User]] = field(default_factory=dict)
    held_out: dict[int, set[int]] = field(default_factory=dict)  # user id -> resource ids


def tuned(settings: Settings) -> Settings:
    """Small ALS for small data (fast, and enough for four planted groups)."""
    settings.recommend.factors = 8
    settings.recommend.iterations = 10
    settings.recommend.regularization = 0.1
    return settings


def enrol(
    session: Session,
    user: User,
    resource: Resource,
    *,
    at: datetime | None = None,
    status: EnrolmentStatus = EnrolmentStatus.active,
    progress: float = 0.3,
) -> Enrolment:
    """An enrolment of ``user`` in ``resource``."""
    enrolment = Enrolment(
        user_id=user.id,
        resource_id=resource.id,
        branch_id=user.branch_id,
        registration=str(uuid.uuid4()),
        status=status,
        progress=1.0 if status == EnrolmentStatus.completed else progress,
        seconds_spent=1200,
        enrolled_at=at or datetime.now(UTC),
        completed_at=at if status == EnrolmentStatus.completed else None,
    )
    session.add(enrolment)
    return enrolment


def learner(
    session: Session, branch: Branch, *, occupation: str | None, interests: list[str]
) -> User:
    """A learner with a profile."""
    user = make_user(session, Role.learner, branch=branch)
    session.add(
        LearnerProfile(user_id=user.id, birth_year=1985, occupation=occupation, interests=interests)
    )
    return user


def planted_world(
    session: Session, *, per_group: int = 15, per_discipline: int = 10, seed: int = 7
) -> World:
    """Learners take 5 resources each, 90 % from their group's discipline; the last one
    taken (by time) is held out and not written."""
    rng = random.Random(seed)
    branch = make_branch(session, "BJ")
    provider = make_provider(session)
    world = World(branch)
    for code in DISCIPLINES:
        parent = make_subject(session, code)
        subjects = [make_subject(session, f"{code}{i}", parent=parent) for i in (1, 2)]
        world.resources[code] = [
            make_resource(
                session,
                provider,
                subjects[i % 2],
                f"{code} resource {i}",
                tags=[code.lower()],
                level=ResourceLevel.bachelor,
            )
            for i in range(per_discipline)
        ]
    start = datetime.now(UTC) - timedelta(days=200)
    everything = [r for rs in world.resources.values() for r in rs]
    for code in DISCIPLINES:
        world.learners[code] = []
        for _ in range(per_group):
            user = learner(session, branch, occupation=OCCUPATIONS[code], interests=[code])
            world.learners[code].append(user)
            # A skewed taste within the group: some resources are the group's favourites.
            own = world.resources[code]
            weights = [1.0 / (1 + i) for i in range(len(own))]
            picks: list[Resource] = []
            while len(picks) < 5:
                pool, w = (own, weights) if rng.random() < 0.9 else (everything, None)
                choice = rng.choices(pool, weights=w)[0]
                if choice not in picks:
                    picks.append(choice)
            for day, resource in enumerate(picks[:-1]):
                enrol(session, user, resource, at=start + timedelta(days=day))
            world.held_out[user.id] = {picks[-1].id}
    session.flush()
    return world


def programme(session: Session, code: str, resources: list[Resource]) -> Programme:
    """A programme of ``resources`` in order."""
    item = Programme(
        code=code, title=f"{code} programme", credential="Diploma", level=ResourceLevel.bachelor
    )
    session.add(item)
    session.flush()
    for position, resource in enumerate(resources, start=1):
        session.add(ProgrammeItem(programme_id=item.id, resource_id=resource.id, position=position))
    session.flush()
    return item
