"""The ``lifelong`` command: init, generate, serve, demo and the domains' sub-commands."""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from lifelong import __version__
from lifelong.config import Settings, get_settings
from lifelong.errors import LifelongError
from lifelong.logs import configure as configure_logging

app = typer.Typer(
    name="lifelong",
    help="Lifelong: smart education for open universities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line (no traceback) and exit."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        console.print(f"lifelong {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Lifelong: smart education for open universities."""
    configure_logging(get_settings())


def init_store(settings: Settings) -> None:
    """Create the data directory and bring the operational schema up to date."""
    from lifelong.db.engine import engine_from_settings
    from lifelong.db.migrate import upgrade

    engine = engine_from_settings(settings)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise fail(
            f"cannot reach the database at {engine.url.render_as_string()}: "
            f"{str(exc.orig).strip().splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()


@app.command()
def init() -> None:
    """Create the data directory and run the database migrations."""
    settings = get_settings()
    init_store(settings)
    console.print(f"Initialised Lifelong data in [bold]{settings.data_dir.resolve()}[/]")


def check_port(host: str, port: int) -> None:
    """Fail with one line if the port cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"port {port} on {host} is already in use; choose another with --port"
                ) from None
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def local_host(host: str) -> str:
    """The address to show for ``host``: a wildcard address becomes this machine's loopback."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def public_url_for(settings: Settings, host: str, port: int) -> str:
    """The configured ``public_url``, else the address this server listens on."""
    if "public_url" in settings.model_fields_set:  # set explicitly (LIFELONG_PUBLIC_URL)
        return settings.public_url
    shown = local_host(host)
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"


def serving_settings(host: str, port: int) -> Settings:
    """The settings for serving on ``host:port``, with the public URL derived if not set.

    Certificate verification and password-reset links are built from ``public_url``; its
    default (port 8000) would point elsewhere when serving on another port. The derived
    URL goes into the environment, where the app factory (and every uvicorn worker
    process) reads its settings.
    """
    settings = get_settings()
    if "public_url" not in settings.model_fields_set:
        os.environ["LIFELONG_PUBLIC_URL"] = public_url_for(settings, host, port)
        get_settings.cache_clear()
        settings = get_settings()
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web application and APIs."""
    import uvicorn

    check_port(host, port)
    settings = serving_settings(host, port)
    uvicorn.run(
        "lifelong.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
    )


@app.command()
def generate(
    scale: Annotated[
        str, typer.Option(help="Size of the university: tiny, small, medium or large.")
    ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same university.")] = 1,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Last day of activity (default: today, UTC).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Wipe a populated store and generate again.")
    ] = False,
) -> None:
    """Generate a synthetic open university (resumes an interrupted run)."""
    from lifelong.synth.scales import scale_named
    from lifelong.synth.service import generate as run_generate

    scale_named(scale)  # an unknown scale is one line before anything is touched
    settings = get_settings()
    init_store(settings)
    try:
        report = run_generate(settings, scale=scale, seed=seed, as_of=as_of, force=force)
    except KeyboardInterrupt:
        raise fail(
            "interrupted; committed chunks are kept: run the same command again to resume",
            code=130,
        ) from None
    verb = "Resumed and finished" if report.resumed else "Generated"
    console.print(
        f"{verb} [bold]{report.scale}[/] (seed {report.seed}, as of {report.as_of}) in "
        f"{report.seconds:.1f} s: {report.learners:,} learners, {report.resources:,} "
        f"resources, {report.enrolments:,} enrolments, {report.statements:,} statements"
    )
    if report.stages:
        console.print(
            "Stages: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.stages.items()),
            soft_wrap=True,  # one line, whatever the terminal's width (benchmarks read it)
        )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Initialise, generate the small university if the store is empty, and serve it."""
    import uvicorn

    from lifelong.synth import demo as demo_setup

    check_port(host, port)
    settings = serving_settings(host, port)
    init_store(settings)
    if demo_setup.needs_generation(settings):
        from lifelong.synth.service import generate as run_generate

        console.print("Generating the demo university (scale small) ...")
        run_generate(settings, scale="small", seed=1)
    config = uvicorn.Config(
        "lifelong.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
    )
    server = demo_setup.AnnouncingServer(config, console, local_host(host), port)
    server.run()


def _add_domain_commands() -> None:
    """Attach each domain's sub-commands."""
    from lifelong.foundation.cli import app as transform_app
    from lifelong.learning.catalog.cli import catalogue_app, search_app
    from lifelong.personalize.cli import app as recommend_app
    from lifelong.records.cli import app as xapi_app

    app.add_typer(xapi_app, name="xapi")
    app.add_typer(catalogue_app, name="catalogue")
    app.add_typer(search_app, name="search")
    app.add_typer(transform_app, name="transform")
    app.add_typer(recommend_app, name="recommend")


_add_domain_commands()


def run() -> None:
    """Entry point that turns expected errors into one line."""
    try:
        app()
    except LifelongError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        sys.exit(1)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        err_console.print(f"[bold red]error:[/] database: {first}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    run()
