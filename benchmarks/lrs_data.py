"""Realistic statements for the LRS benchmarks, built with ``lifelong.learning.xapi``.

The distribution follows the issue: ~100 k learners, 20 k activities, the platform's verbs,
18 months. A tenth of the learners are very active (40 % of statements), verbs follow how
often the platform emits them (progress and play events dominate), timestamps are spread
evenly over the 18 months so ``since`` filters cut a realistic share.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from lifelong.learning.xapi import ACTIVITY_TYPES, VERBS, statement

IRI_BASE = "https://lifelong.example.org"
LEARNERS = 100_000
ACTIVITIES = 20_000
START = datetime(2025, 6, 1, tzinfo=UTC)
SPAN = timedelta(days=548)  # 18 months
BRANCHES = [f"B{i:02d}" for i in range(1, 46)]
# Twelve verbs, weighted roughly as the platform emits them.
VERB_WEIGHTS: dict[str, int] = {
    "progressed": 30,
    "played": 18,
    "paused": 12,
    "experienced": 10,
    "launched": 9,
    "completed": 6,
    "scored": 4,
    "attended": 3,
    "passed": 3,
    "registered": 2,
    "failed": 2,
    "earned": 1,
}
TYPES = list(ACTIVITY_TYPES)[:-1]  # certificates are earned, not studied
TITLES = ["数据分析入门", "终身学习导论", "Python programming", "老年大学书法", "Community nursing"]


def learner(rng: random.Random) -> int:
    """A learner id: 40 % of statements come from the most active 10 % of learners."""
    if rng.random() < 0.4:
        return rng.randint(1, LEARNERS // 10)
    return rng.randint(1, LEARNERS)


def make_statement(rng: random.Random, *, with_id: bool = True) -> dict[str, Any]:
    """One statement a learner would produce on the platform."""
    verb = rng.choices(list(VERB_WEIGHTS), weights=list(VERB_WEIGHTS.values()))[0]
    user_id = learner(rng)
    resource_id = rng.randint(1, ACTIVITIES)
    kind = TYPES[resource_id % len(TYPES)]
    language = "zh" if resource_id % 3 else "en"
    scored = verb in ("scored", "passed", "failed")
    return statement(
        IRI_BASE,
        verb=verb,
        user_id=user_id,
        resource_id=resource_id,
        resource_type=kind,
        title=TITLES[resource_id % len(TITLES)] + f" {resource_id}",
        language=language,
        branch_code=BRANCHES[user_id % len(BRANCHES)],
        registration=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        timestamp=START + SPAN * rng.random(),
        statement_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)) if with_id else None,
        duration_seconds=rng.randint(30, 3600) if verb in ("progressed", "played") else None,
        progress=rng.random() if verb == "progressed" else None,
        score=rng.random() if scored else None,
        success={"passed": True, "failed": False}.get(verb),
        completion=True if verb == "completed" else None,
        subject_code=f"S{resource_id % 80:03d}",
    )


def statements(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` statements, reproducible from ``seed``."""
    rng = random.Random(seed)
    for _ in range(count):
        yield make_statement(rng)


def verb_id(name: str) -> str:
    """The IRI of a platform verb."""
    return str(VERBS[name]["id"])
