"""``lifelong transform``: build the lakehouse models with a progress bar and a report."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lifelong.config import get_settings
from lifelong.foundation.runner import ModelOutcome, RunReport

app = typer.Typer(help="The data foundation's models (raw -> clean -> marts).")
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_report(report: RunReport) -> None:
    """One line per model, then every failed audit with its count and sample rows."""
    table = Table(title=f"transform run {report.run_id[:8]}: {report.status}")
    for column in ("model", "status", "rows", "note"):
        table.add_column(column)
    for outcome in report.outcomes:
        table.add_row(outcome.name, outcome.status, str(outcome.rows), outcome.error or "")
    console.print(table)
    for outcome in report.outcomes:
        for audit in outcome.audits:
            if audit.passed:
                continue
            label = "[bold red]audit failed:[/]" if audit.blocking else "[yellow]audit warning:[/]"
            err_console.print(
                f"{label} {outcome.name} {audit.name}: {audit.failing_rows} failing rows; sample:"
            )
            for row in audit.sample:
                err_console.print(f"  {row}")


@app.callback(invoke_without_command=True)
def transform(
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild every model from all raw data.")
    ] = False,
    select: Annotated[
        str | None,
        typer.Option(help="Run only this model (e.g. marts.fct_learner_day) and what reads it."),
    ] = None,
    snapshot: Annotated[
        bool, typer.Option(help="Re-read the operational tables (C3) first.")
    ] = True,
) -> None:
    """Export new statements, land the operational tables and run the models."""
    from lifelong.cli import init_store
    from lifelong.db.engine import engine_from_settings
    from lifelong.foundation.project import default_project
    from lifelong.foundation.service import run_cycle
    from lifelong.records.store import open_store

    settings = get_settings()
    init_store(settings)
    operational = engine_from_settings(settings) if snapshot else None
    statements = open_store(settings)
    project = default_project()
    wanted = len(project.order)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("transform", total=wanted)

            def advance(name: str, outcome: ModelOutcome | None) -> None:
                if outcome is None:
                    bar.update(task, description=name)
                else:
                    bar.advance(task)

            cycle = run_cycle(
                settings,
                operational=operational,
                statements=statements,
                full_refresh=full_refresh,
                select=select,
                progress=advance,
            )
    finally:
        statements.dispose()
        if operational is not None:
            operational.dispose()
    report = cycle.run
    assert report is not None
    if report.status == "busy":
        err_console.print("[bold red]error:[/] another transform is running; try again shortly")
        raise typer.Exit(1)
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)
