"""Where each layer's Delta tables live in the data directory."""

from __future__ import annotations

from pathlib import Path

from lifelong.config import Settings

LAYERS = ("raw", "clean", "marts")


def table_path(settings: Settings, layer: str, name: str) -> Path:
    """The directory of one Delta table, e.g. ``lake/marts/fct_learner_day``."""
    if layer not in LAYERS:
        raise ValueError(f"unknown lake layer {layer!r}; expected one of {', '.join(LAYERS)}")
    return settings.lake_dir / layer / name


def is_delta_table(path: Path) -> bool:
    """True when the directory holds a Delta log (at least one commit)."""
    return (path / "_delta_log").is_dir()


def list_tables(settings: Settings) -> list[tuple[str, str, Path]]:
    """Every Delta table in the lake as (layer, name, path), sorted."""
    found: list[tuple[str, str, Path]] = []
    for layer in LAYERS:
        root = settings.lake_dir / layer
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.name.startswith(("_", ".")) and is_delta_table(child):
                found.append((layer, child.name, child))
    return found
