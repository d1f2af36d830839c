"""The compiled SQL: one sqlglot tree for DuckDB and Spark; user values stay inert literals."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from lifelong.foundation.semantic.errors import SemanticQueryError
from lifelong.foundation.semantic.planner import printable
from lifelong.foundation.semantic.schemas import MetricQuery
from lifelong.foundation.semantic.scope import Scope
from lifelong.foundation.semantic.service import build
from tests.foundation.semantic.helpers import ALL_METRICS, Q1, ask, table

BODY = {
    "metrics": ALL_METRICS,
    "dimensions": ["region"],
    "filters": [{"dimension": "branch", "op": "in", "value": ["BJ", "SH", "TJ"]}],
    "time_range": Q1,
    "granularity": "month",
}


def _tree(scope: Scope) -> exp.Expr:
    _, tree = build(MetricQuery.model_validate(BODY), scope, max_rows=100)
    return tree


@pytest.mark.parametrize("scope", [Scope.everything(), Scope.branch("BJ")])
def test_spark_sql_is_valid_and_means_the_same(
    marts: duckdb.DuckDBPyConnection, scope: Scope
) -> None:
    tree = _tree(scope)
    spark_sql = tree.sql(dialect="spark")
    # Spark's own spelling, not DuckDB's, and it parses back as Spark SQL without errors.
    assert "<=>" in spark_sql or "IS NOT DISTINCT FROM" in spark_sql
    reparsed = sqlglot.parse_one(spark_sql, read="spark", error_level=sqlglot.ErrorLevel.RAISE)
    assert isinstance(reparsed, exp.Select)
    # Read back from Spark SQL and run on DuckDB: the same answer as the DuckDB rendering.
    via_spark = marts.execute(reparsed.sql(dialect="duckdb")).fetchall()
    direct = marts.execute(tree.sql(dialect="duckdb")).fetchall()
    assert via_spark == direct
    # North China each month; East China (SH) from February (no learner or activity before).
    assert len(direct) == (5 if scope.branches is None else 3)


def test_the_scope_predicate_is_on_every_mart_the_query_reads() -> None:
    tree = _tree(Scope.branch("BJ"))
    readers = [
        select
        for select in tree.find_all(exp.Select)
        if isinstance(source := select.args["from_"].this, exp.Table)
        and source.db == "marts"
        and source.name != "dim_date"
    ]
    # dim_learner (cumulative), fct_learner_month (distinct, whole months), agg_branch_day
    assert sorted(s.args["from_"].this.name for s in readers) == [
        "agg_branch_day",
        "dim_learner",
        "fct_learner_month",
    ]
    for select in readers:
        scoped = [
            node
            for node in select.args["where"].find_all(exp.In)
            if node.this.sql() == "f.branch_code" and [e.name for e in node.expressions] == ["BJ"]
        ]
        assert scoped, select.sql()


@pytest.mark.parametrize(
    "hostile",
    [
        "BJ' OR '1'='1",
        "BJ'; DROP TABLE marts.fct_enrolment; --",
        "BJ\\' OR 1=1 --",
        "') UNION SELECT 1, 2 --",
        "北京' OR 'a'='a",
    ],
)
def test_injection_attempts_in_filter_values_are_inert(
    marts: duckdb.DuckDBPyConnection, hostile: str
) -> None:
    result = ask(
        marts,
        metrics=["enrolments"],
        dimensions=["branch"],
        filters=[{"dimension": "branch", "op": "eq", "value": hostile}],
    )
    assert table(result) == []  # no branch has that code; nothing else matched
    for dialect in ("duckdb", "spark"):
        _, tree = build(
            MetricQuery.model_validate(
                {
                    "metrics": ["enrolments"],
                    "filters": [{"dimension": "branch", "op": "eq", "value": hostile}],
                    "time_range": Q1,
                }
            ),
            Scope.everything(),
            max_rows=10,
        )
        statements = sqlglot.parse(tree.sql(dialect=dialect), read=dialect)
        assert len(statements) == 1  # no second statement smuggled in
        literals = [lit.this for lit in statements[0].find_all(exp.Literal) if lit.is_string]
        assert hostile in literals
    assert marts.execute("SELECT count(*) FROM marts.fct_enrolment").fetchone() == (7,)


def test_a_branch_user_asking_for_everything_still_gets_one_branch(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    rows = table(
        ask(
            marts,
            Scope.branch("TJ"),
            metrics=["enrolments", "active_learners", "learners_served"],
            dimensions=["branch"],
            filters=[{"dimension": "branch", "op": "not_in", "value": ["nothing"]}],
        )
    )
    assert rows == [{"branch": "TJ", "enrolments": 2, "active_learners": 1, "learners_served": 1}]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(st.text(max_size=30), min_size=1, max_size=4),
    op=st.sampled_from(["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"]),
)
def test_no_filter_value_widens_a_branch_scope(
    marts: duckdb.DuckDBPyConnection, values: list[str], op: str
) -> None:
    value: object = values if op in ("in", "not_in") else values[0]
    body = {
        "metrics": ["enrolments", "certificates_issued", "learners_served"],
        "dimensions": ["branch"],
        "filters": [{"dimension": "branch", "op": op, "value": value}],
    }
    used = values if op in ("in", "not_in") else values[:1]
    if not all(printable(v) for v in used):
        with pytest.raises(SemanticQueryError) as caught:
            ask(marts, Scope.branch("BJ"), **body)
        assert caught.value.detail == {"reason": "bad_filter_value", "name": "branch"}
        return
    rows = table(ask(marts, Scope.branch("BJ"), **body))
    assert {row["branch"] for row in rows} <= {"BJ"}
    assert sum(row["enrolments"] for row in rows) in (0, 2)  # BJ's E1 E2, or nothing
