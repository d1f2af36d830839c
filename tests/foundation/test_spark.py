"""The same model files on Spark (local mode, transpiled by sqlglot) give DuckDB's rows."""

from __future__ import annotations

import math
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
    connection = connect(settings)
    compared = 0
    for name, spark_table in on_spark.items():
        duck = connection.execute(f"SELECT * FROM {name}").to_arrow_table()
        assert spark_table.schema.names == duck.schema.names, name
        assert _rows(spark_table, duck.schema.names) == _rows(duck, duck.schema.names), name
        compared += 1
    assert compared == 24  # 22 models + fct_learner_week, fct_learner_month
    assert on_spark["marts.fct_learner_day"].num_rows == 6
