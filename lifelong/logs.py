"""Structured logging: readable lines on a terminal, JSON lines for log collectors."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from lifelong.config import Settings

QUIET = ("alembic", "jieba", "httpx", "multipart")


class JSONFormatter(logging.Formatter):
    """One JSON object per record, with any ``extra=`` fields kept."""

    RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        """Serialise a record as one line of JSON."""
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure(settings: Settings) -> None:
    """Set up the root logger once per process from the settings."""
    handler = logging.StreamHandler()
    if settings.log_json:
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
