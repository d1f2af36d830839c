"""``lifelong xapi ...``: LRS credentials, lakehouse export and bulk ingestion."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifelong.config import get_settings

app = typer.Typer(help="The learning record store (xAPI).", no_args_is_help=True)
credentials_app = typer.Typer(help="LRS client credentials.", no_args_is_help=True)
app.add_typer(credentials_app, name="credentials")
console = Console(highlight=False)


@credentials_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Unique client name (e.g. the system's name).")],
    scopes: Annotated[
        str, typer.Option(help="Comma-separated xAPI scopes, e.g. statements/write,state.")
    ] = "all",
    branch: Annotated[
        str | None, typer.Option(help="Branch code: the client sees only that branch's data.")
    ] = None,
) -> None:
    """Create a credential and print its key and secret (the secret is shown only once)."""
    from lifelong.cli import init_store
    from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
    from lifelong.records.credentials import create_credential

    settings = get_settings()
    init_store(settings)
    engine = engine_from_settings(settings)
    try:
        with transaction(make_session_factory(engine)) as session:
            _credential, key, secret = create_credential(
                session, name=name, scopes=scopes, branch_code=branch
            )
    finally:
        engine.dispose()
    typer.echo(f"key: {key}")
    typer.echo(f"secret: {secret}")


@credentials_app.command("revoke")
def revoke_command(name: Annotated[str, typer.Option(help="The credential's name.")]) -> None:
    """Revoke a credential: its key and secret stop working within seconds."""
    from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
    from lifelong.records.credentials import revoke

    engine = engine_from_settings(get_settings())
    try:
        with transaction(make_session_factory(engine)) as session:
            revoke(session, name)
    finally:
        engine.dispose()
    console.print(f"revoked {name}")


@app.command("export")
def export_command() -> None:
    """Export statements not yet in the lakehouse (in order, exactly once) and show the lag."""
    from lifelong.records.export import export_once, export_status
    from lifelong.records.store import open_store

    settings = get_settings()
    engine = open_store(settings)
    try:
        exported = export_once(settings, engine)
        status = export_status(settings, engine)
    finally:
        engine.dispose()
    console.print(
        f"exported {exported:,} statements; last exported seq {status['last_exported_seq']:,}, "
        f"pending {status['pending_statements']:,}"
    )


@app.command("ingest")
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="JSON-lines files, one statement a line.")],
    client: Annotated[str, typer.Option(help="LRS credential name to store them under.")] = (
        "lifelong-import"
    ),
    version: Annotated[str, typer.Option(help="xAPI version to validate against.")] = "1.0.3",
) -> None:
    """Bulk-ingest statement files (resumable; re-running stores nothing twice)."""
    from lifelong.cli import fail
    from lifelong.records.bulk import ingest_files
    from lifelong.records.versions import negotiate

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise fail(f"no such file: {', '.join(missing)}")
    report = ingest_files(
        get_settings(), files, client_name=client, progress=True, version=negotiate(version)
    )
    console.print(
        f"stored {report.stored:,}, duplicates {report.duplicates:,}, "
        f"rejected {len(report.rejected):,}"
    )
    for location, reason in report.rejected[:20]:
        console.print(f"  {location}: {reason}")
