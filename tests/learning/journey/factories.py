"""Plain factories for journey tests: a learner, a teacher and one resource of each type."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lifelong.accounts.models import Role, User
from lifelong.db.base import utcnow
from lifelong.learning.models import Resource, ResourceType
from tests.factories import make_branch, make_user
from tests.learning.catalog.factories import make_provider, make_resource, make_subject

QUESTIONS = [
    {"prompt": "终身教育是什么?", "choices": ["小学", "Lifelong education"], "answer": 1},
    {"prompt": "2 + 2", "choices": ["3", "4", "5"], "answer": 1},
    {"prompt": "Open university?", "choices": ["yes", "no"], "answer": 0},
]


def world(session: Session) -> dict[str, Any]:
    """A branch with a learner and a teacher, and a resource of each type by the teacher."""
    branch = make_branch(session, "BJ")
    learner = make_user(session, Role.learner, branch=branch, username="learner1")
    teacher = make_user(session, Role.teacher, branch=branch, username="teacher1")
    subject = make_subject(session, "EDU", name_zh="教育学")
    provider = make_provider(session, "OU")
    now = utcnow()

    def resource(title: str, kind: ResourceType, content: dict[str, Any], **extra: Any) -> Resource:
        return make_resource(
            session,
            provider,
            subject,
            title,
            type=kind,
            content=content,
            created_by_id=teacher.id,
            credits=Decimal("2.0"),
            **extra,
        )

    made = {
        "branch": branch,
        "learner": learner,
        "teacher": teacher,
        "video": resource("终身教育视频", ResourceType.video, {"length_seconds": 100}),
        "document": resource(
            "Lifelong learning reader",
            ResourceType.document,
            {"body": "Chapter one."},
            language="en",
        ),
        "assessment": resource(
            "教育测验",
            ResourceType.assessment,
            {"questions": QUESTIONS, "pass_mark": 0.6, "max_attempts": 2},
        ),
        "live": resource(
            "直播课",
            ResourceType.live_session,
            {
                "schedule": {
                    "starts_at": (now - timedelta(minutes=5)).isoformat(),
                    "ends_at": (now + timedelta(minutes=55)).isoformat(),
                }
            },
        ),
        "past_live": resource(
            "往期直播",
            ResourceType.live_session,
            {
                "schedule": {
                    "starts_at": (now - timedelta(days=2)).isoformat(),
                    "ends_at": (now - timedelta(days=2, minutes=-60)).isoformat(),
                }
            },
        ),
        "course": resource(
            "课程", ResourceType.course, {"units": [{"title": "一"}, {"title": "二"}]}
        ),
    }
    session.commit()
    return made


def user_named(session: Session, username: str) -> User:
    """Reload a user by username."""
    from sqlalchemy import select

    found = session.scalar(select(User).where(User.username == username))
    assert found is not None
    return found
