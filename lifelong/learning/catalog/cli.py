"""Commands: ``lifelong catalogue import`` and ``lifelong search reindex|status|query``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifelong.config import get_settings

catalogue_app = typer.Typer(
    help="The resource catalogue: import provider files.", no_args_is_help=True
)
search_app = typer.Typer(help="The node's catalogue search index.", no_args_is_help=True)
console = Console()


@catalogue_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, JSON, IEEE LOM or Dublin Core XML file.")],
    provider: Annotated[str, typer.Option("--provider", help="Provider code the rows belong to.")],
) -> None:
    """Upsert a provider's resources from FILE and print the per-row report."""
    from lifelong.cli import fail
    from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
    from lifelong.learning.catalog.imports import import_catalogue

    if not file.is_file():
        raise fail(f"no such file: {file}")
    settings = get_settings()
    engine = engine_from_settings(settings)
    try:
        with transaction(make_session_factory(engine)) as session:
            report = import_catalogue(
                session,
                settings,
                provider_code=provider,
                filename=file.name,
                payload=file.read_bytes(),
            )
    finally:
        engine.dispose()
    console.print(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    if report.rejected:
        table = Table("where", "why it was not imported")
        for where, why in report.rejected:
            table.add_row(where, why)
        console.print(table)
    for where, why in report.warnings:
        console.print(f"[yellow]warning[/] {where}: {why}", highlight=False)


@search_app.command()
def reindex() -> None:
    """Rebuild the catalogue index of this node from the operational store."""
    from lifelong.db.engine import engine_from_settings, make_session_factory
    from lifelong.learning.catalog.indexing import rebuild

    settings = get_settings()
    engine = engine_from_settings(settings)
    try:
        with make_session_factory(engine)() as session, console.status("indexing resources"):
            count = rebuild(settings, session)
    finally:
        engine.dispose()
    console.print(f"indexed {count} published resources into {settings.search_index_path}")


@search_app.command()
def status() -> None:
    """Show the index file, its document count and whether it is up to date."""
    from lifelong.db.engine import engine_from_settings, make_session_factory
    from lifelong.learning.catalog.indexing import catalogue_index

    settings = get_settings()
    meta = catalogue_index(settings).meta()
    engine = engine_from_settings(settings)
    try:
        from lifelong.learning.catalog.repository import resource_stamp

        with make_session_factory(engine)() as session:
            published, latest = resource_stamp(session)
    finally:
        engine.dispose()
    console.print(f"index: {settings.search_index_path}")
    console.print(f"documents: {meta['documents']} (published resources: {published})")
    console.print(f"watermark: {meta.get('watermark', '-')} (latest change: {latest})")


@search_app.command()
def query(
    q: Annotated[str, typer.Argument(help="What to search for.")],
    limit: Annotated[int, typer.Option(help="How many results.")] = 10,
) -> None:
    """Search the catalogue from the command line."""
    from lifelong.db.engine import engine_from_settings, make_session_factory
    from lifelong.learning.catalog.search import SearchParams, search

    settings = get_settings()
    engine = engine_from_settings(settings)
    try:
        with make_session_factory(engine)() as session:
            page = search(session, settings, SearchParams(q=q, page_size=limit))
            console.print(f"{page.total} results", highlight=False)
            for hit in page.hits:
                console.print(f"{hit.resource.id:>8}  {hit.resource.title}", highlight=False)
    finally:
        engine.dispose()
