"""``lifelong transform``: a report per model; a failed audit is exit 1 with its rows."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from lifelong.config import Settings
from tests.foundation.university import DAY1, University, post_statements, statement


def _transform(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LIFELONG_DATA_DIR": str(settings.data_dir),
        "LIFELONG_DATABASE_URL": settings.resolved_database_url,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "lifelong.cli", "transform", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_transform_reports_each_model_and_fails_on_a_bad_audit(
    settings: Settings, university: University
) -> None:
    first = _transform(settings)
    assert first.returncode == 0, first.stderr
    assert "marts.fct_learner_day" in first.stdout and "built" in first.stdout
    bad = statement(
        settings,
        university,
        learner=university.learners[1],
        resource="video",
        verb="played",
        at=DAY1 + timedelta(days=4),
        seconds=5,
    )
    bad["context"]["extensions"][f"{settings.iri_base}/xapi/extensions/branch"] = "ZZ"
    post_statements(settings, [bad])
    second = _transform(settings, "--no-snapshot")
    assert second.returncode == 1
    assert (
        "audit failed: clean.activity_events referential(branch_code -> "
        "clean.branches.branch_code): 1 failing rows" in second.stderr
    )
    assert "'branch_code': 'ZZ'" in second.stderr
    assert "skipped" in second.stdout
    unknown = _transform(settings, "--select", "marts.nope")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error: no model named marts.nope")
