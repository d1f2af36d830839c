"""Fixtures: the tiny university, landed in a test's own data directory."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.foundation.snapshots import snapshot_all
from tests.foundation.university import University, build_university


@pytest.fixture
def university(settings: Settings, db: Session, engine: Engine) -> University:
    """Operational rows, day 1-2 statements exported (C1), C4 submissions, C3 snapshots."""
    uni = build_university(settings, db, engine)
    snapshot_all(settings, engine)
    return uni
