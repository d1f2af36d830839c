"""Run the same model files on Apache Spark (transpiled by sqlglot), for scale-out and tests.

Sources are read from the lake's Delta tables: without the delta-spark jars (Maven, not
reachable here) a table's current files are resolved with delta-rs
(``DeltaTable(...).file_uris()``) and read as Parquet; production clusters use the
``delta-spark`` package and ``spark.read.format("delta")`` instead (docs/foundation.md).
Each model becomes a temporary view ``<layer>__<name>``; this runs a full refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.foundation.lake.delta import latest_version
from lifelong.foundation.lake.paths import table_path
from lifelong.foundation.project import Project, default_project
from lifelong.foundation.render import EPOCH, flat_name, render

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPARK_TYPES = {
    "bigint": "BIGINT",
    "string": "STRING",
    "timestamptz": "TIMESTAMP",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
}
FAR_FUTURE_YEARS = 200


def local_session(app_name: str = "lifelong-foundation") -> SparkSession:
    """A local-mode session in UTC (facts are UTC days), small enough for tests."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def _register_sources(spark: SparkSession, settings: Settings, project: Project) -> None:
    for source in project.sources.values():
        path = table_path(settings, source.layer, source.table)
        view = flat_name(source.layer, source.table)
        # The declared columns, not inferred ones: a table with no files yet still reads.
        ddl = ", ".join(f"`{c}` {SPARK_TYPES[t]}" for c, t in source.columns.items())
        files = DeltaTable(str(path)).file_uris() if latest_version(path) is not None else []
        frame: DataFrame = (
            spark.read.schema(ddl).parquet(*files) if files else spark.createDataFrame([], ddl)
        )
        frame.createOrReplaceTempView(view)


def run_on_spark(
    spark: SparkSession, settings: Settings, project: Project | None = None
) -> dict[str, pa.Table]:
    """Build every model on Spark (full refresh); returns each model's rows as Arrow."""
    from datetime import timedelta

    project = project or default_project()
    _register_sources(spark, settings, project)
    end = EPOCH + timedelta(days=365 * FAR_FUTURE_YEARS)
    results: dict[str, Any] = {}
    for name in project.order:
        model = project.models[name]
        sql = render(model, "spark", EPOCH, end, flatten=True)
        frame = spark.sql(sql)
        # Materialise each step once so later models do not recompute the whole chain.
        frame = frame.localCheckpoint(eager=True)
        frame.createOrReplaceTempView(flat_name(model.layer, model.table))
        results[name] = frame
    return {name: frame.toArrow() for name, frame in results.items()}
