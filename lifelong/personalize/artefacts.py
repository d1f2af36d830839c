"""Model artefacts on disk: versioned directories written atomically, and a holder that
each web process keeps, reloading when a newer version appears.

Layout under ``<data dir>/models/recommender/``::

    v20261201T180000Z-3f2a1c/   manifest.json, arrays.npz (one version, never modified)
    CURRENT                     name of the newest complete version

A version is written into a hidden temporary directory, fsynced and renamed into place
(rename is atomic on POSIX); ``CURRENT`` is then replaced by ``os.replace``. A reader
therefore sees either the previous model or the whole new one, never a partial one.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import sparse

from lifelong.personalize.content import ContentModel
from lifelong.personalize.model import RecommenderModel

log = logging.getLogger("lifelong.personalize")
FORMAT = 1
POINTER = "CURRENT"


def new_version() -> str:
    """A sortable, unique version name."""
    return f"v{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save(model: RecommenderModel, directory: Path, *, keep: int = 3) -> Path:
    """Write ``model`` as a new version and point ``CURRENT`` at it; prune old versions."""
    directory.mkdir(parents=True, exist_ok=True)
    staging = directory / f".tmp-{model.version}"
    staging.mkdir()
    try:
        content = model.content.matrix.tocsr()
        segments = model.segments.tocsr()
        with (staging / "arrays.npz").open("wb") as handle:
            np.savez(
                handle,
                item_ids=model.item_ids,
                item_factors=model.item_factors,
                popularity=model.popularity,
                idf=model.content.idf,
                content_data=content.data,
                content_indices=content.indices,
                content_indptr=content.indptr,
                segments_data=segments.data,
                segments_indices=segments.indices,
                segments_indptr=segments.indptr,
            )
        manifest = {
            "format": FORMAT,
            "version": model.version,
            "trained_at": model.trained_at.isoformat(),
            "params": model.params,
            "stats": model.stats,
            "vocabulary": model.content.vocabulary,
            "segment_keys": model.segment_keys,
            "shapes": {"content": list(content.shape), "segments": list(segments.shape)},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        for name in ("arrays.npz", "manifest.json"):
            _fsync(staging / name)
        final = directory / model.version
        staging.rename(final)
        pointer = directory / f".{POINTER}.{model.version}"
        pointer.write_text(model.version, encoding="utf-8")
        _fsync(pointer)
        os.replace(pointer, directory / POINTER)
        _fsync(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(directory, keep)
    return final


def _prune(directory: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` versions (and stale temporary directories)."""
    current = current_version(directory)
    versions = sorted(p for p in directory.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in versions[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def current_version(directory: Path) -> str | None:
    """The version ``CURRENT`` names, if any."""
    try:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if (directory / name / "manifest.json").exists() else None


def load(directory: Path, version: str) -> RecommenderModel:
    """Read one version."""
    root = directory / version
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"unknown recommender model format {manifest.get('format')!r}")
    with np.load(root / "arrays.npz") as arrays:
        content = sparse.csr_matrix(
            (arrays["content_data"], arrays["content_indices"], arrays["content_indptr"]),
            shape=tuple(manifest["shapes"]["content"]),
        )
        segments = sparse.csr_matrix(
            (arrays["segments_data"], arrays["segments_indices"], arrays["segments_indptr"]),
            shape=tuple(manifest["shapes"]["segments"]),
        )
        return RecommenderModel(
            version=manifest["version"],
            trained_at=datetime.fromisoformat(manifest["trained_at"]),
            params=manifest["params"],
            item_ids=arrays["item_ids"],
            item_factors=arrays["item_factors"],
            popularity=arrays["popularity"],
            content=ContentModel(manifest["vocabulary"], arrays["idf"], content),
            segment_keys=manifest["segment_keys"],
            segments=segments,
            stats=manifest.get("stats", {}),
        )


class ModelHolder:
    """The process's current model; looks for a newer version at most every few seconds."""

    def __init__(self, directory: Path, *, check_seconds: float = 10.0):
        self.directory = directory
        self.check_seconds = check_seconds
        self._model: RecommenderModel | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> RecommenderModel | None:
        """The newest complete model, or None before the first training."""
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return self._model
        with self._lock:
            self._checked = now
            version = current_version(self.directory)
            if version and (self._model is None or self._model.version != version):
                try:
                    self._model = load(self.directory, version)
                    log.info("recommender model %s loaded", version)
                except Exception:  # keep serving the model we have
                    log.exception("could not load recommender model %s", version)
        return self._model

    def refresh(self) -> RecommenderModel | None:
        """Look for a newer version now."""
        self._checked = float("-inf")
        return self.get()
