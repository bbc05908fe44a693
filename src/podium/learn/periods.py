"""Reporting periods: a year, quarter, month or ISO week, written as people write them.

``2026``, ``2026-Q3``, ``2026-09`` and ``2026-W36`` name the period; :func:`parse_period` turns
the text into dates (the end is exclusive) and :func:`previous` walks back for trends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("year", "quarter", "month", "week")

_PATTERNS = (
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("month", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    ("week", re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")),
    ("year", re.compile(r"^(\d{4})()$")),
)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: date
    end: date
    kind: str
    label: str

    @property
    def days(self) -> int:
        """Its length in days."""
        return (self.end - self.start).days

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


def parse_period(text: str) -> Period:
    """Parse ``2026``, ``2026-Q3``, ``2026-09`` or ``2026-W36``; raise ``ValueError`` otherwise.

    Examples
    --------
    >>> q3 = parse_period("2026-Q3")
    >>> q3.start, q3.end, q3.label
    (datetime.date(2026, 7, 1), datetime.date(2026, 10, 1), '2026-Q3')
    >>> parse_period("2026-W01").start
    datetime.date(2025, 12, 29)
    """
    cleaned = text.strip().upper()
    for kind, pattern in _PATTERNS:
        found = pattern.match(cleaned)
        if found:
            return _build(kind, int(found.group(1)), int(found.group(2) or 0))
    raise ValueError(
        f"{text!r} is not a period: write a year (2026), quarter (2026-Q3), month (2026-09) "
        "or ISO week (2026-W36)"
    )


def _build(kind: str, year: int, number: int) -> Period:
    if kind == "year":
        return Period(date(year, 1, 1), date(year + 1, 1, 1), kind, f"{year}")
    if kind == "quarter":
        start = date(year, 3 * number - 2, 1)
        return Period(start, _add_months(start, 3), kind, f"{year}-Q{number}")
    if kind == "month":
        start = date(year, number, 1)
        return Period(start, _add_months(start, 1), kind, f"{year}-{number:02d}")
    try:
        start = date.fromisocalendar(year, number, 1)
    except ValueError as error:
        raise ValueError(f"{year} has no ISO week {number}") from error
    return Period(start, start + timedelta(days=7), kind, f"{year}-W{number:02d}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(day: date, kind: str) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == "year":
        return _build(kind, day.year, 0)
    if kind == "quarter":
        return _build(kind, day.year, (day.month - 1) // 3 + 1)
    if kind == "month":
        return _build(kind, day.year, day.month)
    if kind == "week":
        year, week, _ = day.isocalendar()
        return _build(kind, year, week)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}")


def previous(period: Period, count: int) -> list[Period]:
    """The ``count`` periods of the same kind ending with ``period``, oldest first."""
    found = [period]
    while len(found) < count:
        found.append(period_of(found[-1].start - timedelta(days=1), period.kind))
    return found[::-1]
