"""``lifelong demo``: the demo accounts and the announcement once the server is up."""

from __future__ import annotations

from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from lifelong.config import Settings
from lifelong.db.engine import engine_from_settings
from lifelong.synth import store
from lifelong.synth.models import SynthRun
from lifelong.synth.world import DEMO_PASSWORD

DEMO_ACCOUNTS = (
    ("hq_admin", "headquarters administrator", "the whole university"),
    ("analyst", "analyst (headquarters)", "university-wide figures, read-only"),
    ("bj_admin", "branch administrator, Beijing", "Beijing's people and figures"),
    ("teacher", "teacher, Beijing", "own resources and their learners"),
    ("learner", "learner, Beijing", "own enrolments, progress, certificates"),
)


def needs_generation(settings: Settings) -> bool:
    """Whether the demo must generate: the store is empty, or a run was interrupted.

    A store holding a finished run, or data that did not come from the generator, is
    served as it is.
    """
    engine = engine_from_settings(settings)
    try:
        with engine.connect() as connection:
            run = connection.execute(
                select(SynthRun.finished_at).order_by(SynthRun.id.desc()).limit(1)
            ).first()
        if run is not None:
            return run.finished_at is None
        return not store.populated(settings, engine)
    finally:
        engine.dispose()


def accounts_table() -> Table:
    """The demo accounts as a Rich table."""
    table = Table(title=f"Demo accounts (password: {DEMO_PASSWORD})")
    table.add_column("account", style="bold")
    table.add_column("role")
    table.add_column("sees")
    for row in DEMO_ACCOUNTS:
        table.add_row(*row)
    return table


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints the URL and the demo accounts once it listens."""

    def __init__(self, config: uvicorn.Config, console: Console, host: str, port: int) -> None:
        """Remember where it listens and where to print."""
        super().__init__(config)
        self._console = console
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}"

    async def startup(self, sockets: Any = None) -> None:
        """Start, then announce."""
        await super().startup(sockets=sockets)
        if self.started:
            self._console.print(f"\nLifelong is up at [bold]{self.url}[/]")
            self._console.print(accounts_table())
