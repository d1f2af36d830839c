"""``lifelong demo``: the demo accounts and the announcement once the server is up."""

from __future__ import annotations

from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from lifelong.config import Settings
from lifelong.db.engine import engine_from_settings
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
    """Whether no generated university is finished in the store yet."""
    engine = engine_from_settings(settings)
    try:
        with engine.connect() as connection:
            finished = connection.execute(
                select(SynthRun.id).where(SynthRun.finished_at.is_not(None)).limit(1)
            ).first()
    finally:
        engine.dispose()
    return finished is None


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
