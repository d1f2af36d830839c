"""Commands: ``lifelong recommend train`` and ``lifelong recommend status``."""

from __future__ import annotations

import typer
from rich.console import Console

from lifelong.config import get_settings

app = typer.Typer(help="Recommendations: train and inspect the model.", no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command()
def train() -> None:
    """Train a new model version from the operational tables (with a progress bar)."""
    from lifelong.cli import fail
    from lifelong.db.engine import engine_from_settings, make_session_factory
    from lifelong.personalize import artefacts
    from lifelong.personalize.jobs import train as train_model
    from lifelong.personalize.runtime import training_lock

    settings = get_settings()
    engine = engine_from_settings(settings)
    try:
        with training_lock(settings) as mine:
            if not mine:
                raise fail("another process is training the recommender; try again later")
            path = train_model(settings, make_session_factory(engine), show_progress=True)
    finally:
        engine.dispose()
    model = artefacts.load(path.parent, path.name)
    console.print(
        f"model [bold]{model.version}[/]: {model.stats['learners']} learners, "
        f"{model.stats['resources']} resources, {model.stats['interactions']} interactions "
        f"-> {path}"
    )


@app.command()
def status() -> None:
    """Show the current model version."""
    from lifelong.personalize import artefacts

    settings = get_settings()
    version = artefacts.current_version(settings.recommender_dir)
    if version is None:
        console.print("no recommender model yet: run `lifelong recommend train`")
        return
    model = artefacts.load(settings.recommender_dir, version)
    console.print(
        f"model [bold]{version}[/] trained {model.trained_at:%Y-%m-%d %H:%M} UTC: "
        f"{model.stats.get('learners')} learners, {model.stats.get('resources')} resources"
    )
