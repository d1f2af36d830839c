"""Plain factories for catalogue tests: subjects, providers, resources, programmes."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.learning.catalog import indexing
from lifelong.learning.models import (
    Provider,
    ProviderKind,
    Resource,
    ResourceFormat,
    ResourceLevel,
    ResourceStatus,
    ResourceType,
    Subject,
)

_counter = itertools.count(1)


def make_subject(
    session: Session, code: str, *, parent: Subject | None = None, name_zh: str = "学科"
) -> Subject:
    """A subject (under ``parent`` when given)."""
    subject = Subject(
        code=code,
        parent_id=parent.id if parent else None,
        name_zh=name_zh,
        name_en=f"{code} subject",
    )
    session.add(subject)
    session.flush()
    return subject


def make_provider(session: Session, code: str = "OU") -> Provider:
    """A university provider."""
    provider = Provider(
        code=code, name_zh=f"{code}大学", name_en=f"{code} University", kind=ProviderKind.university
    )
    session.add(provider)
    session.flush()
    return provider


def make_resource(
    session: Session, provider: Provider, subject: Subject, title: str, **fields: Any
) -> Resource:
    """A published resource (override any field)."""
    values: dict[str, Any] = {
        "external_id": f"R{next(_counter)}",
        "description": "",
        "language": "zh",
        "type": ResourceType.course,
        "level": ResourceLevel.bachelor,
        "format": ResourceFormat.video,
        "duration_minutes": 30,
        "credits": Decimal("0"),
        "tags": [],
        "content": {},
        "status": ResourceStatus.published,
        "published_at": utcnow(),
        "enrolment_count": 0,
    }
    values.update(fields)
    resource = Resource(provider=provider, subject=subject, title=title, **values)
    session.add(resource)
    session.flush()
    return resource


def seed_catalogue(session: Session) -> dict[str, Any]:
    """A small bilingual catalogue: subjects EDU > EDU1 and CS, provider OU, six resources."""
    edu = make_subject(session, "EDU", name_zh="教育学")
    edu1 = make_subject(session, "EDU1", parent=edu, name_zh="成人教育")
    cs = make_subject(session, "CS", name_zh="计算机")
    ou = make_provider(session, "OU")
    other = make_provider(session, "XT")
    resources = {
        "lifelong": make_resource(
            session,
            ou,
            edu1,
            "终身教育概论",
            description="介绍国家开放大学的终身教育理念与实践。",
            tags=["终身学习"],
            credits=Decimal("2.0"),
            enrolment_count=50,
        ),
        "elderly": make_resource(
            session,
            ou,
            edu,
            "老年大学书法入门",
            description="面向老年学习者的书法课程。",
            level=ResourceLevel.elderly,
            format=ResourceFormat.text,
            type=ResourceType.micro_course,
            enrolment_count=5,
        ),
        "ml": make_resource(
            session,
            other,
            cs,
            "Introduction to Machine Learning",
            description="Learn how computers learn from data: regression, classification.",
            language="en",
            tags=["AI", "statistics"],
            credits=Decimal("3.0"),
            enrolment_count=80,
        ),
        "data": make_resource(
            session,
            ou,
            cs,
            "数据分析 Data Analysis with Python",
            description="Analysing data with Python and pandas. 数据分析基础。",
            tags=["python"],
            type=ResourceType.video,
            enrolment_count=20,
        ),
        "programming": make_resource(
            session,
            other,
            cs,
            "Programming Fundamentals",
            description="Variables, loops and functions for complete beginners.",
            language="en",
            type=ResourceType.assessment,
            format=ResourceFormat.interactive,
        ),
        "draft": make_resource(
            session,
            ou,
            cs,
            "Draft statistics course",
            status=ResourceStatus.draft,
            published_at=None,
        ),
    }
    return {"subjects": {"edu": edu, "edu1": edu1, "cs": cs}, "providers": [ou, other], **resources}


def index_now(settings: Settings, session: Session) -> str:
    """Commit and bring the search index up to date."""
    session.commit()
    return indexing.sync(settings, session)
