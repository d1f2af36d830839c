"""Training on a planted-structure university: the model finds the groups, artefacts are
versioned and atomic, and the web process's holder picks up a newer model."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sqlalchemy.orm import Session, sessionmaker

from lifelong.config import Settings
from lifelong.learning.models import Enrolment
from lifelong.personalize import artefacts
from lifelong.personalize.artefacts import ModelHolder
from lifelong.personalize.jobs import train
from lifelong.personalize.service import recommendations_for
from lifelong.personalize.training import interaction_weight
from tests.personalize.factories import World, tuned


def test_recommender_recovers_planted_groups_better_than_popularity(
    world: World, db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    path = train(tuned(settings), session_factory)
    model = artefacts.load(path.parent, path.name)
    taken: dict[int, set[int]] = {}
    for enrolment in db.query(Enrolment):
        taken.setdefault(enrolment.user_id, set()).add(enrolment.resource_id)
    counts = Counter(rid for rids in taken.values() for rid in rids)
    model_hits = popular_hits = 0
    for users in world.learners.values():
        for user in users:
            found = recommendations_for(db, user, kind="for_you", limit=5, model=model)
            assert not {r.resource.id for r in found} & taken[user.id]
            model_hits += len({r.resource.id for r in found} & world.held_out[user.id])
            popular = [rid for rid, _ in counts.most_common() if rid not in taken[user.id]][:5]
            popular_hits += len(set(popular) & world.held_out[user.id])
    # 60 learners, one held-out resource each.
    assert model_hits >= 2 * max(popular_hits, 1), (model_hits, popular_hits)
    assert model_hits >= 25


def test_because_you_studied_stays_in_the_discipline(
    world: World, db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    path = train(tuned(settings), session_factory)
    model = artefacts.load(path.parent, path.name)
    user = world.learners["MED"][0]
    found = recommendations_for(db, user, kind="because", limit=6, model=model)
    assert found
    # Each suggestion comes from the same discipline as the resource it is explained by.
    assert all(r.resource.title[:3] == r.reason.params["title"][:3] for r in found[:4])
    assert sum(r.resource.title.startswith("MED") for r in found) >= 5
    studied = {e.resource.title for e in db.query(Enrolment).filter_by(user_id=user.id)}
    assert {r.reason.params["title"] for r in found} <= studied
    assert found[0].reason.text("en").startswith("Because you studied “")
    assert found[0].reason.text("zh_CN").startswith("因为你学习了《")


def test_fold_in_matches_implicit_recalculate_user() -> None:
    from implicit.cpu.als import AlternatingLeastSquares

    rng = np.random.default_rng(1)
    dense = (rng.random((40, 25)) < 0.2) * rng.integers(1, 4, (40, 25))
    user_items = sparse.csr_matrix(dense.astype(np.float32))
    als = AlternatingLeastSquares(
        factors=6, regularization=0.1, alpha=5.0, iterations=5, use_cg=False, random_state=0
    )
    als.fit(user_items, show_progress=False)
    from lifelong.personalize.content import ContentModel
    from lifelong.personalize.model import RecommenderModel

    model = RecommenderModel(
        version="v",
        trained_at=__import__("datetime").datetime.now(),
        params={"alpha": 5.0, "regularization": 0.1},
        item_ids=np.arange(25),
        item_factors=als.item_factors,
        popularity=np.zeros(25, np.float32),
        content=ContentModel({}, np.zeros(0, np.float32), sparse.csr_matrix((25, 0))),
        segment_keys=[],
        segments=sparse.csr_matrix((0, 25)),
    )
    row = user_items[3]
    ours = model.fold_in(als.item_factors[row.indices], row.data)
    theirs = als.recalculate_user(3, row)
    assert np.allclose(ours, np.asarray(theirs).ravel(), atol=1e-3)


def test_weights_grow_with_progress_time_and_completion() -> None:
    enrolled = interaction_weight("active", 0.0, 0)
    assert interaction_weight("active", 0.5, 0) > enrolled
    assert interaction_weight("active", 0.0, 7200) > enrolled
    assert interaction_weight("completed", 1.0, 0) > interaction_weight("active", 1.0, 0)
    assert interaction_weight("withdrawn", 0.1, 0) < enrolled


def test_versions_are_atomic_pruned_and_reloaded(
    world: World, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    settings = tuned(settings)
    settings.recommend.keep_versions = 2
    directory: Path = settings.recommender_dir
    holder = ModelHolder(directory, check_seconds=0)
    assert holder.get() is None
    first = train(settings, session_factory)
    assert holder.get() is not None and holder.get().version == first.name  # type: ignore[union-attr]
    second = train(settings, session_factory)
    third = train(settings, session_factory)
    assert holder.get().version == third.name  # type: ignore[union-attr]
    assert (directory / "CURRENT").read_text() == third.name
    kept = sorted(p.name for p in directory.iterdir() if p.is_dir())
    assert kept == sorted([second.name, third.name])
    assert not list(directory.glob(".tmp-*"))


def test_a_crash_while_saving_leaves_the_current_model(
    world: World,
    settings: Settings,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = tuned(settings)
    good = train(settings, session_factory)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(artefacts.np, "savez", disk_full)
    with pytest.raises(OSError):
        train(settings, session_factory)
    assert artefacts.current_version(settings.recommender_dir) == good.name
    assert not list(settings.recommender_dir.glob(".tmp-*"))
    assert [p.name for p in settings.recommender_dir.iterdir() if p.is_dir()] == [good.name]
