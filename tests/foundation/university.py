"""The tiny university: operational rows, xAPI statements through the LRS, C4 submissions.

Plain factory functions (no generator yet on main). Numbers are small and fixed so tests
can assert exact marts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
from deltalake import write_deltalake
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, BranchKind, LearnerProfile, Role, User
from lifelong.config import Settings
from lifelong.foundation.lake.paths import table_path
from lifelong.learning import xapi
from lifelong.learning.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Provider,
    ProviderKind,
    Resource,
    ResourceFormat,
    ResourceLevel,
    ResourceType,
    Subject,
)
from lifelong.records.bulk import ingest_statements
from lifelong.records.export import export_once
from lifelong.records.store import open_store

DAY1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@dataclass
class University:
    """Ids of what the factory made."""

    branches: dict[str, int] = field(default_factory=dict)
    learners: list[int] = field(default_factory=list)
    resources: dict[str, int] = field(default_factory=dict)
    registrations: dict[tuple[int, int], str] = field(default_factory=dict)
    resource_meta: dict[int, tuple[str, str]] = field(default_factory=dict)
    learner_branch: dict[int, str] = field(default_factory=dict)


def build_operational(session: Session) -> University:
    """Branches, subjects, a provider, resources, learners, enrolments and certificates."""
    uni = University()
    for code, kind, zh, en, province in (
        ("HQ", BranchKind.headquarters, "总部", "Headquarters", None),
        ("BJ", BranchKind.provincial, "北京分部", "Beijing", "北京"),
        ("SH", BranchKind.provincial, "上海分部", "Shanghai", "上海"),
    ):
        branch = Branch(
            code=code, name_zh=zh, name_en=en, kind=kind, region="East", province=province
        )
        session.add(branch)
        session.flush()
        uni.branches[code] = branch.id
    root = Subject(code="ED", name_zh="教育学", name_en="Education")
    session.add(root)
    session.flush()
    mid = Subject(code="ED01", parent_id=root.id, name_zh="成人教育", name_en="Adult education")
    session.add(mid)
    session.flush()
    leaf = Subject(code="ED0101", parent_id=mid.id, name_zh="终身学习", name_en="Lifelong learning")
    session.add(leaf)
    session.flush()
    provider = Provider(
        code="OU", name_zh="开放大学", name_en="Open University", kind=ProviderKind.university
    )
    session.add(provider)
    session.flush()
    for key, kind, subject, credits in (
        ("video", ResourceType.video, leaf, "0.5"),
        ("course", ResourceType.course, mid, "3.0"),
        ("quiz", ResourceType.assessment, root, "1.0"),
    ):
        resource = Resource(
            provider_id=provider.id,
            external_id=key,
            title=f"终身学习 {key}",
            language="zh",
            type=kind,
            level=ResourceLevel.community,
            format=ResourceFormat.video,
            subject_id=subject.id,
            credits=Decimal(credits),
            published_at=DAY1 - timedelta(days=30),
        )
        session.add(resource)
        session.flush()
        uni.resources[key] = resource.id
        uni.resource_meta[resource.id] = (kind.value, resource.title)
    for index, (branch, birth_year) in enumerate(
        (("BJ", 1990), ("BJ", 1960), ("SH", 2010), ("SH", None), ("BJ", 1999))
    ):
        user = User(
            username=f"learner{index}",
            display_name=f"学员 {index}",
            email=f"learner{index}@example.org",
            password_hash="x",
            role=Role.learner,
            branch_id=uni.branches[branch],
        )
        session.add(user)
        session.flush()
        session.add(
            LearnerProfile(
                user_id=user.id,
                birth_year=birth_year,
                gender="female" if index % 2 else "male",
                occupation="teacher",
                education="bachelor",
                province="北京" if branch == "BJ" else "上海",
                registered_at=DAY1 - timedelta(days=index),
            )
        )
        uni.learners.append(user.id)
        uni.learner_branch[user.id] = branch
    session.add(
        User(
            username="teacher",
            display_name="老师",
            password_hash="x",
            role=Role.teacher,
            branch_id=uni.branches["BJ"],
        )
    )
    plan = [
        (0, "video", EnrolmentStatus.completed),
        (0, "course", EnrolmentStatus.active),
        (1, "video", EnrolmentStatus.active),
        (2, "quiz", EnrolmentStatus.completed),
        (3, "course", EnrolmentStatus.withdrawn),
        (4, "video", EnrolmentStatus.active),
    ]
    for learner_index, key, status in plan:
        learner = uni.learners[learner_index]
        registration = str(uuid.uuid5(uuid.NAMESPACE_URL, f"reg-{learner}-{key}"))
        uni.registrations[(learner, uni.resources[key])] = registration
        session.add(
            Enrolment(
                user_id=learner,
                resource_id=uni.resources[key],
                branch_id=uni.branches[uni.learner_branch[learner]],
                registration=registration,
                status=status,
                enrolled_at=DAY1,
                completed_at=DAY1 + timedelta(days=1)
                if status is EnrolmentStatus.completed
                else None,
                withdrawn_at=DAY1 + timedelta(days=2)
                if status is EnrolmentStatus.withdrawn
                else None,
            )
        )
        if status is EnrolmentStatus.completed:
            session.add(
                Certificate(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"cert-{registration}")),
                    user_id=learner,
                    resource_id=uni.resources[key],
                    branch_id=uni.branches[uni.learner_branch[learner]],
                    title="证书",
                    credits=Decimal("1.0"),
                    issued_at=DAY1 + timedelta(days=1, hours=1),
                )
            )
    session.commit()
    return uni


def statement(
    settings: Settings,
    uni: University,
    *,
    learner: int,
    resource: str,
    verb: str,
    at: datetime,
    seconds: int | None = None,
    statement_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One statement about a learner and a resource, as the platform emits it."""
    resource_id = uni.resources[resource]
    kind, title = uni.resource_meta[resource_id]
    return xapi.statement(
        settings.iri_base,
        verb=verb,
        user_id=learner,
        resource_id=resource_id,
        resource_type=kind,
        title=title,
        language="zh",
        branch_code=uni.learner_branch[learner],
        registration=uni.registrations.get((learner, resource_id)),
        timestamp=at,
        duration_seconds=seconds,
        statement_id=statement_id,
        **extra,
    )


def voiding(settings: Settings, target: str, at: datetime) -> dict[str, Any]:
    """A voiding statement (xAPI 1.0.3 section 2.5) for ``target``."""
    return {
        "id": str(uuid.uuid4()),
        "actor": xapi.actor(settings.iri_base, 0),
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
        "timestamp": xapi.iso_timestamp(at),
    }


def first_batch(settings: Settings, uni: University) -> list[dict[str, Any]]:
    """Day 1 and day 2 activity."""
    a, b, c, _d, e = uni.learners
    day2 = DAY1 + timedelta(days=1)
    return [
        statement(settings, uni, learner=a, resource="video", verb="launched", at=DAY1),
        statement(
            settings,
            uni,
            learner=a,
            resource="video",
            verb="played",
            at=DAY1 + timedelta(minutes=1),
            seconds=600,
        ),
        statement(
            settings,
            uni,
            learner=a,
            resource="course",
            verb="progressed",
            at=DAY1 + timedelta(hours=1),
            seconds=3723,
        ),
        statement(
            settings,
            uni,
            learner=b,
            resource="video",
            verb="played",
            at=DAY1 + timedelta(hours=2),
            seconds=90,
        ),
        statement(
            settings,
            uni,
            learner=a,
            resource="video",
            verb="completed",
            at=day2,
            seconds=30,
            completion=True,
        ),
        statement(
            settings,
            uni,
            learner=c,
            resource="quiz",
            verb="passed",
            at=day2,
            seconds=1200,
            score=0.9,
            success=True,
        ),
        statement(
            settings,
            uni,
            learner=e,
            resource="video",
            verb="played",
            at=day2 + timedelta(hours=3),
            seconds=45,
            statement_id="11111111-1111-4111-8111-111111111111",
        ),
    ]


def second_batch(settings: Settings, uni: University) -> list[dict[str, Any]]:
    """Day 3 activity, a late statement timestamped on day 1, and a voiding of day 2's play."""
    a, b, _c, _d, _e = uni.learners
    day3 = DAY1 + timedelta(days=2)
    return [
        statement(settings, uni, learner=b, resource="video", verb="played", at=day3, seconds=300),
        statement(
            settings, uni, learner=a, resource="course", verb="progressed", at=day3, seconds=60
        ),
        # Late-arriving: recorded offline on day 1, stored now.
        statement(
            settings,
            uni,
            learner=b,
            resource="video",
            verb="played",
            at=DAY1 + timedelta(hours=5),
            seconds=100,
        ),
        voiding(settings, "11111111-1111-4111-8111-111111111111", day3),
    ]


def post_statements(settings: Settings, statements: list[dict[str, Any]]) -> None:
    """Through the LRS bulk path (C2) and the exporter (C1), as in production."""
    report = ingest_statements(settings, statements, client_name="lifelong-platform")
    assert not report.rejected, report.rejected
    store = open_store(settings)
    try:
        export_once(settings, store)
    finally:
        store.dispose()


def write_submissions(settings: Settings) -> None:
    """C4 rosters and grades as branches send them, with some malformed rows."""
    rosters = {
        "branch_code": ["bj", "BJ", "BJ", "XX", "SH"],
        "student_no": ["S1", "S1", "S2", "S3", "S4"],
        "user_id": ["1", "1", "", "4", "abc"],
        "programme_code": ["P1", "P1", "P1", "P1", "P2"],
        "term": ["2025-autumn", "2025-autumn", "2025-autumn", "2025-autumn", "2025-autumn"],
        "enrolled_on": ["2025-09-01", "2025-09-01", "2025-09-02", "2025-09-01", "2025-09-01"],
        "status": ["enrolled", "Suspended", "graduated", "enrolled", "enrolled"],
        "submitted_at": [
            "2025-09-01T08:00:00Z",
            "2025-09-05T08:00:00Z",
            "2025-09-05T08:00:00Z",
            "2025-09-05T08:00:00Z",
            "2025-09-05T08:00:00Z",
        ],
        "batch_id": ["b1", "b2", "b2", "b2", "b3"],
    }
    grades = {
        "branch_code": ["BJ", "BJ", "SH", "SH"],
        "student_no": ["S1", "S2", "S4", "S5"],
        "course_code": ["C1", "C1", "C2", "C2"],
        "course_name": ["课程一", "课程一", "课程二", "课程二"],
        "term": ["2025-autumn"] * 4,
        "score": ["88", "", "1O0", "120"],
        "grade": ["A", "P", "A", "A"],
        "credits": ["2", "2", "3", "3"],
        "recorded_on": ["2026-01-10"] * 4,
        "submitted_at": ["2026-01-11T08:00:00+08:00"] * 4,
        "batch_id": ["g1"] * 4,
    }
    for name, data in (("branch_rosters", rosters), ("branch_grades", grades)):
        table = pa.table({k: pa.array(v, pa.string()) for k, v in data.items()})
        write_deltalake(str(table_path(settings, "raw", name)), table, mode="overwrite")


def build_university(settings: Settings, session: Session, engine: Engine) -> University:
    """Everything for one test, with the first batch of statements exported."""
    del engine
    uni = build_operational(session)
    post_statements(settings, first_batch(settings, uni))
    write_submissions(settings)
    return uni
