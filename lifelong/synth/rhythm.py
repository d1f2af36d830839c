"""When people study: weekly, term and daily rhythms, and growth over the window.

Learners are in China (UTC+8): the evening peak is 19:00-22:00 local time, weekends
are busier than weekdays, terms (March-June, September-December) busier than the
Spring Festival and summer. Times are sampled in local time and stored in UTC.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

LOCAL_OFFSET = timedelta(hours=8)
# Relative activity by local hour of day.
HOURS = np.array(
    [
        0.3,
        0.15,
        0.08,
        0.05,
        0.05,
        0.1,
        0.4,
        0.9,
        1.0,
        1.1,
        1.1,
        1.0,
        1.3,
        1.2,
        0.9,
        0.9,
        0.9,
        1.0,
        1.4,
        2.2,
        2.6,
        2.5,
        1.8,
        0.8,
    ]
)
WEEKDAY = np.array([1.0, 1.0, 0.95, 1.0, 0.85, 1.35, 1.45])  # Monday first
MONTH = np.array([0.85, 0.7, 1.15, 1.2, 1.15, 1.1, 0.85, 0.8, 1.2, 1.2, 1.15, 1.05])


class Rhythm:
    """Samples activity moments between two instants with the platform's rhythms."""

    def __init__(self, start: datetime, end: datetime) -> None:
        """Precompute the day weights of the window [start, end)."""
        self.start_day = (start + LOCAL_OFFSET).replace(hour=0, minute=0, second=0, microsecond=0)
        self.end = end
        days = max(1, (end - start).days + 2)
        dates = [self.start_day + timedelta(days=d) for d in range(days)]
        growth = np.linspace(0.7, 1.3, days)
        weights = np.array([WEEKDAY[d.weekday()] * MONTH[d.month - 1] for d in dates]) * growth
        day_cdf = np.concatenate([[0.0], np.cumsum(weights)])
        # Python lists: an enrolment samples one to eighteen moments at a time, where a
        # dozen numpy calls on tiny arrays cost ~12 % of a generator worker.
        self.day_cdf: list[float] = day_cdf.tolist()
        self.day_positions: list[float] = [float(d) for d in range(len(self.day_cdf))]
        self.hour_cdf: list[float] = (np.cumsum(HOURS) / HOURS.sum()).tolist()
        self.epoch0 = (self.start_day - LOCAL_OFFSET).timestamp()
        self.end_epoch = end.timestamp()

    def _day_index(self, moment: float) -> float:
        return (moment - self.epoch0) / 86400.0

    def sample(self, rng: np.random.Generator, lo: float, hi: float, n: int) -> list[float]:
        """``n`` sorted epoch seconds in [lo, hi] following the rhythms.

        Per moment: a day by the day weights (inverse of their cumulative sum between
        lo's and hi's days), an hour by the hour weights, a uniform second in the hour.
        The arithmetic is numpy's (``interp``, ``searchsorted``, ``clip``) done on
        Python floats, so the moments are the same to the bit (tests compare the two).
        """
        hi = min(hi, self.end_epoch - 1)
        if hi <= lo:
            return [lo] * n
        c0 = interp(self._day_index(lo), self.day_positions, self.day_cdf)
        c1 = interp(self._day_index(hi), self.day_positions, self.day_cdf)
        span = c1 - c0
        moments = []
        for day_u, hour_u, second_u in rng.random((n, 3)).tolist():
            day = math.floor(interp(c0 + day_u * span, self.day_cdf, self.day_positions))
            hour = bisect_left(self.hour_cdf, hour_u)
            moment = self.epoch0 + day * 86400.0 + hour * 3600.0 + second_u * 3600.0
            moments.append(min(max(moment, lo), hi))
        moments.sort()
        return moments


def interp(x: float, xp: Sequence[float], fp: Sequence[float]) -> float:
    """``numpy.interp`` of one point (``xp`` strictly increasing), the same formula:
    the end values outside, ``fp[j]`` on a knot, else ``slope * (x - xp[j]) + fp[j]``."""
    j = bisect_right(xp, x) - 1
    if j < 0:
        return fp[0]
    if j >= len(xp) - 1:
        return fp[-1]
    if xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slope * (x - xp[j]) + fp[j]


def to_datetime(epoch: float) -> datetime:
    """A UTC datetime with whole milliseconds (what xAPI timestamps carry)."""
    # float() first: rounding a numpy scalar costs ~4x a Python float's (profiled at 10 %
    # of a generator worker's time) and numpy's rint-based round can differ at halves.
    return datetime.fromtimestamp(round(float(epoch), 3), UTC)


@lru_cache(maxsize=4_096)
def _day_prefix(day: int) -> str:
    """``YYYY-MM-DDT`` of a day counted from the Unix epoch (UTC)."""
    return (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%dT")


def iso_from_epoch(epoch: float) -> str:
    """``iso_timestamp(to_datetime(epoch))`` without building a datetime.

    The generator formats one of these per statement; through datetime it was ~8 % of a
    worker's time. Whole milliseconds from the same rounding as ``to_datetime``, so the
    text is identical (tests compare the two over random instants).
    """
    millis = round(round(float(epoch), 3) * 1000)
    seconds, ms = divmod(millis, 1000)
    day, second = divmod(seconds, 86_400)
    hour, second = divmod(second, 3_600)
    return f"{_day_prefix(day)}{_HOUR[hour]}{_MINUTE_SECOND[second]}{_FRACTION[ms]}"


# The clock's texts, formatted once: "HH:", "MM:SS" of the seconds in an hour, ".mmmZ".
_HOUR = [f"{hour:02d}:" for hour in range(24)]
_MINUTE_SECOND = [f"{second // 60:02d}:{second % 60:02d}" for second in range(3_600)]
_FRACTION = [f".{ms:03d}Z" for ms in range(1_000)]
