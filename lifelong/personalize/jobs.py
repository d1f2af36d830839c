"""The training job: read the operational tables, fit, save a new version."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session, sessionmaker

from lifelong.config import Settings
from lifelong.personalize import artefacts, repository
from lifelong.personalize.training import (
    Interaction,
    Segment,
    fit,
    interaction_weight,
    segment_keys,
)


def _interactions(session: Session, progress: Progress | None) -> Iterator[Interaction]:
    task = (
        progress.add_task("enrolments", total=repository.enrolment_count(session))
        if progress
        else None
    )
    for n, row in enumerate(repository.enrolments(session), start=1):
        yield Interaction(
            row.user_id,
            row.resource_id,
            interaction_weight(row.status, row.progress, row.seconds_spent),
        )
        if progress is not None and task is not None and n % 5000 == 0:
            progress.update(task, completed=n)
    if progress is not None and task is not None:
        progress.update(task, completed=progress.tasks[task].total)


def train(
    settings: Settings, session_factory: sessionmaker[Session], *, show_progress: bool = False
) -> Path:
    """Train from the operational store and save a new model version; returns its path."""
    year = datetime.now(UTC).year
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    progress = Progress(*columns, disable=not show_progress, transient=False)
    with progress, session_factory() as session:
        resources = repository.resource_features(session)
        segments = [
            Segment(
                row.user_id,
                segment_keys(
                    branch_id=row.branch_id,
                    occupation=row.occupation,
                    birth_year=row.birth_year,
                    year=year,
                ),
            )
            for row in repository.learners(session)
        ]
        rows = list(_interactions(session, progress))
        als_task = progress.add_task("ALS", total=settings.recommend.iterations)
        model = fit(
            resources,
            rows,
            segments,
            settings.recommend,
            version=artefacts.new_version(),
            on_iteration=lambda i: progress.update(als_task, completed=i + 1),
        )
        save_task = progress.add_task("save", total=1)
        path = artefacts.save(
            model, settings.recommender_dir, keep=settings.recommend.keep_versions
        )
        progress.update(save_task, completed=1)
        session.rollback()  # read-only: nothing to commit
    return path
