"""Fixtures: the planted world, trained once per test on its own store."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from lifelong.config import Settings
from lifelong.personalize import artefacts
from lifelong.personalize.jobs import train
from lifelong.personalize.model import RecommenderModel
from tests.personalize.factories import World, planted_world, tuned


@pytest.fixture
def world(db: Session) -> World:
    """The planted world, committed."""
    built = planted_world(db)
    db.commit()
    return built


@pytest.fixture
def model(
    world: World, settings: Settings, session_factory: sessionmaker[Session]
) -> RecommenderModel:
    """A model trained on the planted world (saved under the test's data directory)."""
    path = train(tuned(settings), session_factory)
    return artefacts.load(path.parent, path.name)
