"""The model files: every header complete, marts exactly as contract C5 names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifelong.config import Settings
from lifelong.foundation.lake import connect
from lifelong.foundation.project import MODELS_DIR, ModelError, load_project
from lifelong.foundation.runner import transform
from tests.foundation.university import University

C5 = {
    "dim_branch": "branch_code name_zh name_en kind region province",
    "dim_date": "day week month quarter year",
    "dim_resource": "resource_id title resource_type resource_level resource_format language "
    "subject_code subject_name_zh subject_name_en discipline_code discipline_name_zh "
    "discipline_name_en provider_code credits",
    "dim_learner": "learner_id branch_code registered_on age_band gender occupation education "
    "province",
    "fct_learner_day": "day learner_id branch_code statements learning_seconds resources",
    "fct_learner_week": "week learner_id branch_code active_days statements learning_seconds",
    "fct_learner_month": "month learner_id branch_code active_days statements learning_seconds",
    "fct_resource_day": "day resource_id branch_code views learners learning_seconds completions",
    "fct_enrolment": "registration learner_id resource_id branch_code enrolled_on completed_on "
    "withdrawn_on status credits_earned",
    "fct_certificate": "certificate_id learner_id branch_code resource_id issued_on credits",
    "agg_branch_day": "day branch_code active_learners new_registrations enrolments completions "
    "learning_seconds resource_views certificates_issued credits_earned",
}
C5_TYPES = {
    "day": "DATE",
    "week": "DATE",
    "month": "DATE",
    "learning_seconds": "BIGINT",
    "credits": "DOUBLE",
    "year": "INTEGER",
}


def test_marts_have_the_contract_columns_and_types(
    settings: Settings, university: University
) -> None:
    assert transform(settings).ok
    connection = connect(settings)
    project = load_project()
    for mart, columns in C5.items():
        described = connection.execute(f"DESCRIBE marts.{mart}").fetchall()
        types = {row[0]: row[1] for row in described}
        assert set(columns.split()) <= set(types), mart
        for column, kind in C5_TYPES.items():
            if column in types:
                assert types[column] == kind, (mart, column)
        # Every column the model writes is described in its header (the catalog reads it).
        assert set(types) == set(project.models[f"marts.{mart}"].columns), mart
    for model in project.models.values():
        assert model.description and model.owner and model.grain and model.audits, model.name


def _copy_models(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    for path in MODELS_DIR.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(MODELS_DIR)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_bad_model_files_are_refused_with_the_file_named(tmp_path: Path) -> None:
    models = _copy_models(tmp_path)
    broken = models / "marts" / "fct_broken.sql"
    broken.write_text("/*\nname: marts.fct_broken\nkind: full\n*/\nSELECT 1", encoding="utf-8")
    with pytest.raises(ModelError, match=r"fct_broken\.sql: header lacks grain, owner"):
        load_project(models)
    broken.write_text(
        "/*\nname: marts.fct_broken\nkind: full\ngrain: x\nowner: y\ndescription: z\n*/\n"
        "SELECT * FROM clean.nowhere",
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match=r"reads unknown tables clean\.nowhere"):
        load_project(models)
