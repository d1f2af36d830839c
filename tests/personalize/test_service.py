"""The kinds of recommendation: cold start, new resources, exclusions, programmes, branch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from lifelong.errors import BadRequest, NotFound
from lifelong.learning.models import Enrolment, EnrolmentStatus, ResourceStatus
from lifelong.personalize.model import RecommenderModel
from lifelong.personalize.service import recommendations_for
from tests.learning.catalog.factories import make_provider, make_resource
from tests.personalize.factories import World, enrol, learner, programme


def test_a_new_learner_is_recommended_from_their_interests(
    world: World, db: Session, model: RecommenderModel
) -> None:
    newcomer = learner(db, world.branch, occupation=None, interests=["LAW"])
    db.commit()
    found = recommendations_for(db, newcomer, kind="for_you", limit=5, model=model)
    assert len(found) == 5
    assert all(r.resource.title.startswith("LAW") for r in found)
    assert found[0].reason.code == "interest"
    # The interest is a subject's code: the reason names the subject in each language.
    assert found[0].reason.text("en") == "Matches your interest in LAW subject"
    assert "学科" in found[0].reason.text("zh_CN")
    assert "LAW" not in found[0].reason.text("zh_CN")


def test_an_interest_that_is_no_subject_code_is_named_as_the_learner_gave_it(
    world: World, db: Session, model: RecommenderModel
) -> None:
    newcomer = learner(db, world.branch, occupation=None, interests=["law"])  # a tag
    db.commit()
    found = recommendations_for(db, newcomer, kind="for_you", limit=5, model=model)
    assert all(r.resource.title.startswith("LAW") for r in found)
    assert found[0].reason.text("en") == "Matches your interest in law"


def test_a_new_learner_without_interests_gets_their_occupation_s_favourites(
    world: World, db: Session, model: RecommenderModel
) -> None:
    newcomer = learner(db, world.branch, occupation="nurse", interests=[])
    db.commit()
    found = recommendations_for(db, newcomer, kind="for_you", limit=3, model=model)
    assert [r.resource.title[:3] for r in found[:2]] == ["MED"] * 2
    assert found[0].reason.code == "segment"


def test_a_resource_published_after_training_can_be_recommended(
    world: World, db: Session, model: RecommenderModel
) -> None:
    art = world.resources["ART"][0]
    fresh = make_resource(
        db,
        make_provider(db, "NEW"),
        art.subject,
        "ART brand-new course",
        tags=["art"],
        published_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    db.commit()
    assert fresh.id not in set(model.item_ids.tolist())
    newcomer = learner(db, world.branch, occupation=None, interests=[art.subject.code])
    db.commit()
    found = recommendations_for(db, newcomer, kind="for_you", limit=10, model=model)
    assert fresh.id in {r.resource.id for r in found}
    similar = recommendations_for(db, None, kind="similar", resource_id=art.id, model=model)
    assert fresh.id in {r.resource.id for r in similar}


def test_enrolled_and_unpublished_resources_are_never_recommended(
    world: World, db: Session, model: RecommenderModel
) -> None:
    user = world.learners["CS"][0]
    before = recommendations_for(db, user, kind="for_you", limit=5, model=model)
    first, second = before[0].resource, before[1].resource
    enrol(db, user, first, status=EnrolmentStatus.withdrawn)
    second.status = ResourceStatus.retired
    db.commit()
    for kind in ("for_you", "because"):
        after = {r.resource.id for r in recommendations_for(db, user, kind=kind, model=model)}
        assert first.id not in after
        assert second.id not in after
        assert after
        assert not after & enrolled_ids(db, user.id)


def enrolled_ids(db: Session, user_id: int) -> set[int]:
    """What the learner is enrolled in, in any status."""
    return {e.resource_id for e in db.query(Enrolment).filter_by(user_id=user_id)}


def test_next_in_programme_is_the_first_item_not_yet_taken(world: World, db: Session) -> None:
    user = world.learners["ART"][0]
    one, two, three, four = world.resources["LAW"][:4]
    path = programme(db, "LAW-BA", [one, two, three, four])
    enrol(db, user, one, status=EnrolmentStatus.completed)
    enrol(db, user, three, status=EnrolmentStatus.active)
    db.commit()
    found = recommendations_for(db, user, kind="programme")
    assert [r.resource.id for r in found] == [two.id]
    assert found[0].reason.text("en") == f"Next in your programme “{path.title}” (step 2 of 4)"
    assert found[0].reason.text("zh_CN") == f"你的专业《{path.title}》的下一门（第 2 门，共 4 门）"
    enrol(db, user, two, status=EnrolmentStatus.completed)
    db.commit()
    assert [r.resource.id for r in recommendations_for(db, user, kind="programme")] == [four.id]


def test_popular_in_branch_counts_only_the_last_30_days(world: World, db: Session) -> None:
    viewer = learner(db, world.branch, occupation=None, interests=[])
    others = world.learners["LAW"][:3]
    recent, old = world.resources["ART"][8], world.resources["ART"][9]
    for other in others:
        enrol(db, other, recent, at=datetime.now(UTC) - timedelta(days=2))
    # Enrolments from the planted world are all older than 30 days.
    db.commit()
    found = recommendations_for(db, viewer, kind="branch", limit=3)
    assert [r.resource.id for r in found][:1] == [recent.id]
    assert old.id not in {r.resource.id for r in found}
    assert found[0].reason.text("en").startswith("Popular in BJ Branch: ")


def test_bad_requests_say_what_is_wrong(world: World, db: Session, model: RecommenderModel) -> None:
    user = world.learners["ART"][0]
    with pytest.raises(BadRequest, match="for_you, because, branch, programme, similar"):
        recommendations_for(db, user, kind="trending", model=model)
    with pytest.raises(BadRequest, match="between 1 and 50"):
        recommendations_for(db, user, kind="for_you", limit=0, model=model)
    with pytest.raises(BadRequest, match="resource_id"):
        recommendations_for(db, user, kind="similar", model=model)
    with pytest.raises(NotFound):
        recommendations_for(db, user, kind="similar", resource_id=99999, model=model)
