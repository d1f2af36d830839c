"""Branch academic records (contract C4): rosters and grades as branch systems send them.

Degree students (enrolled on bachelor or associate courses) appear on their branch's
roster under the branch's own student number and get grades for those courses. Values
are strings "as submitted", with the defects real submissions have: blank or malformed
scores, rows sent twice, students not linked to a Lifelong account. The foundation
cleans them; the generator must not.

Each chunk's rows are appended with a Delta application transaction (app id per table,
version = chunk number + 1), so a chunk rerun after a crash never appends twice.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake

from lifelong.config import Settings
from lifelong.synth.activity import ChunkActivity
from lifelong.synth.rhythm import LOCAL_OFFSET, to_datetime
from lifelong.synth.world import World

ROSTER_COLUMNS = (
    "branch_code",
    "student_no",
    "user_id",
    "programme_code",
    "term",
    "enrolled_on",
    "status",
    "submitted_at",
    "batch_id",
)
GRADE_COLUMNS = (
    "branch_code",
    "student_no",
    "course_code",
    "course_name",
    "term",
    "score",
    "grade",
    "credits",
    "recorded_on",
    "submitted_at",
    "batch_id",
)
DEGREE_LEVELS = ("bachelor", "associate")
MALFORMED = ("85分", "九十", "9O", "-", "105", "N/A", " 78 ", "缺考")


def table_paths(settings: Settings) -> dict[str, Path]:
    """Where the two C4 tables live."""
    raw = settings.lake_dir / "raw"
    return {"rosters": raw / "branch_rosters", "grades": raw / "branch_grades"}


def _term(moment: Any) -> str:
    local = moment + LOCAL_OFFSET
    return f"{local.year}-spring" if local.month < 8 else f"{local.year}-autumn"


def _letter(score: float) -> str:
    return (
        "A"
        if score >= 90
        else "B"
        if score >= 80
        else "C"
        if score >= 70
        else ("D" if score >= 60 else "F")
    )


def _submitted(moment: Any, rng: np.random.Generator) -> str:
    """Branches submit in their local time (RFC 3339 with +08:00), days after the fact."""
    local = moment + LOCAL_OFFSET + timedelta(days=int(rng.integers(3, 40)))
    return local.replace(tzinfo=None).isoformat(timespec="seconds") + "+08:00"


def chunk_records(
    world: World, activity: ChunkActivity, rng: np.random.Generator
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Roster and grade rows (strings) for a chunk's degree students."""
    rosters: list[dict[str, str]] = []
    grades: list[dict[str, str]] = []
    by_student: dict[int, list[int]] = {}
    for index, enrolment in enumerate(activity.enrolments):
        rid = enrolment["resource_id"]
        if world.r_type[rid - 1] == "course" and world.r_level[rid - 1] in DEGREE_LEVELS:
            by_student.setdefault(enrolment["user_id"], []).append(index)
    for uid, indexes in by_student.items():
        first = activity.enrolments[indexes[0]]
        rid = first["resource_id"]
        code = activity.enrolled[indexes[0]].branch_code
        discipline = world.topics[int(world.r_topic[rid - 1])].discipline
        programme = world.programme_of.get((discipline, world.r_level[rid - 1]), "")
        enrolled_on = first["enrolled_at"]
        term = _term(enrolled_on)
        student_no = f"{code}{(enrolled_on + LOCAL_OFFSET).year}{uid % 1_000_000:06d}"
        statuses = [activity.enrolments[i]["status"] for i in indexes]
        status = (
            "graduated"
            if statuses.count("completed") >= 3
            else "withdrawn"
            if statuses.count("withdrawn") > len(statuses) / 2
            else "suspended"
            if rng.random() < 0.03
            else "enrolled"
        )
        linked = rng.random() >= 0.03
        row = {
            "branch_code": code,
            "student_no": student_no,
            "user_id": str(uid) if linked else "",
            "programme_code": programme,
            "term": term,
            "enrolled_on": (enrolled_on + LOCAL_OFFSET).date().isoformat(),
            "status": status,
            "submitted_at": _submitted(enrolled_on, rng),
            "batch_id": f"{code}-{term}-R{int(rng.integers(1, 4))}",
        }
        rosters.append(row)
        if rng.random() < 0.01:
            rosters.append(dict(row))  # sent twice
        for i in indexes:
            enrolment = activity.enrolments[i]
            if enrolment["status"] == "active":
                continue
            done = enrolment["completed_at"] or enrolment["withdrawn_at"]
            course = enrolment["resource_id"]
            value = 40 + 60 * enrolment["progress"] * (0.75 + 0.25 * rng.random())
            if enrolment["status"] == "withdrawn":
                value = 20 + 30 * rng.random()
            value = round(min(value, 100.0))
            u = rng.random()
            score = (
                ""
                if u < 0.02
                else MALFORMED[int(rng.integers(0, len(MALFORMED)))]
                if (u < 0.035)
                else str(value)
            )
            grade_term = _term(done)
            grade = {
                "branch_code": code,
                "student_no": student_no,
                "course_code": world.rows["resources"][course - 1]["external_id"],
                "course_name": world.r_title[course - 1],
                "term": grade_term,
                "score": score,
                "grade": _letter(value),
                "credits": str(world.r_credits[course - 1]),
                "recorded_on": (done + LOCAL_OFFSET).date().isoformat(),
                "submitted_at": _submitted(done, rng),
                "batch_id": f"{code}-{grade_term}-G{int(rng.integers(1, 4))}",
            }
            grades.append(grade)
            if rng.random() < 0.01:
                grades.append(dict(grade))
    return rosters, grades


def _applied(path: Path, app_id: str) -> int:
    if not (path / "_delta_log").exists():
        return 0
    return int(DeltaTable(str(path)).transaction_version(app_id) or 0)


def append_records(
    settings: Settings, chunk: int, rosters: list[dict[str, str]], grades: list[dict[str, str]]
) -> None:
    """Append a chunk's rows to both tables exactly once."""
    paths = table_paths(settings)
    for name, rows, columns in (
        ("rosters", rosters, ROSTER_COLUMNS),
        ("grades", grades, GRADE_COLUMNS),
    ):
        path = paths[name]
        app_id = f"lifelong-synth-branch-{name}"
        if _applied(path, app_id) >= chunk + 1:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = pa.schema([(c, pa.string()) for c in columns])
        table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
        write_deltalake(
            str(path),
            table,
            mode="append",
            commit_properties=CommitProperties(
                app_transactions=[Transaction(app_id=app_id, version=chunk + 1)]
            ),
        )


__all__ = ["append_records", "chunk_records", "table_paths", "to_datetime"]
