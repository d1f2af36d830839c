"""Log records as JSON lines keep their extra fields."""

from __future__ import annotations

import json
import logging

from lifelong.logs import JSONFormatter


def test_json_formatter_keeps_extra_fields() -> None:
    record = logging.LogRecord("lifelong.x", logging.INFO, __file__, 1, "hello %s", ("世界",), None)
    record.branch = "BJ"
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "hello 世界"
    assert line["branch"] == "BJ"
    assert line["level"] == "INFO"
