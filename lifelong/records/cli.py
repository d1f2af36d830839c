"""``lifelong xapi ...``: LRS credentials, lakehouse export and bulk ingestion."""

from __future__ import annotations

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
