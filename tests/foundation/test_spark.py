"""The same model files on Spark (local mode, transpiled by sqlglot) give DuckDB's rows."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from lifelong.config import Settings
from lifelong.foundation.lake import connect
from lifelong.foundation.runner import transform
from tests.foundation.university import University, post_statements, second_batch

pytestmark = pytest.mark.slow


def _normalise(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    return value


def _rows(table: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    data = table.select(columns).to_pylist()
    rows = [tuple(_normalise(row[c]) for c in columns) for row in data]
    return sorted(rows, key=repr)


def _compare(on_spark: dict[str, Any], settings: Settings) -> int:
    """Assert each Spark table equals DuckDB's (columns, then rows); how many compared."""
    connection = connect(settings)
    for name, spark_table in on_spark.items():
        duck = connection.execute(f"SELECT * FROM {name}").to_arrow_table()
        assert spark_table.schema.names == duck.schema.names, name
        assert _rows(spark_table, duck.schema.names) == _rows(duck, duck.schema.names), name
    return len(on_spark)


def test_every_model_gives_identical_rows_on_spark_and_duckdb(
    settings: Settings, university: University
) -> None:
    pytest.importorskip("pyspark")
    from lifelong.foundation.spark import local_session, run_on_spark

    assert transform(settings).ok
    post_statements(settings, second_batch(settings, university))
    assert transform(settings).ok
    spark = local_session()
    try:
        on_spark = run_on_spark(spark, settings)
    finally:
        spark.stop()
    assert _compare(on_spark, settings) == 24  # 22 models + fct_learner_week, fct_learner_month
    assert on_spark["marts.fct_learner_day"].num_rows == 6


def test_the_generated_tiny_university_gives_identical_rows_on_spark(tmp_path: Path) -> None:
    """The same comparison on what `lifelong generate --scale tiny` produces (every model
    with rows: the hand-built university above covers the edge cases)."""
    pytest.importorskip("pyspark")
    from lifelong.db.engine import engine_from_settings
    from lifelong.foundation.service import run_cycle
    from lifelong.foundation.spark import local_session, run_on_spark
    from lifelong.records.store import open_store
    from tests.synth.conftest import make_tiny

    settings, report = make_tiny(tmp_path / "tiny", seed=3)
    operational, statements = engine_from_settings(settings), open_store(settings)
    try:
        cycle = run_cycle(settings, operational=operational, statements=statements)
    finally:
        operational.dispose()
        statements.dispose()
    assert cycle.run is not None and cycle.run.ok
    spark = local_session()
    try:
        on_spark = run_on_spark(spark, settings)
    finally:
        spark.stop()
    assert _compare(on_spark, settings) == 24
    days = on_spark["marts.fct_learner_day"].num_rows
    assert days > 1000 and report.statements > 5000
