"""Data quality of partner submissions: validity, completeness and timeliness, scored 0..1.

No data is no value: a submission without records, or a partner without submissions, scores
``None``, never 100% (DESIGN.md section 4, KPIs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Quality:
    """The data quality of one submission, or of a partner's submissions together.

    ``records``: records submitted; ``valid``: of those, how many passed validation;
    ``complete``: share of optional fields filled, 0..1 (None without records or optional
    fields); ``on_time``: submitted within the cadence plus grace of the previous submission
    (None without a cadence or a previous submission); ``score``: the mean of the known parts,
    0..1 (None without records).
    """

    records: int
    valid: int
    complete: float | None
    on_time: bool | None
    score: float | None


def as_utc(moment: datetime) -> datetime:
    """Return an aware time in UTC; a naive time is taken as UTC (SQLite returns them so)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _mean(parts: Sequence[float | None]) -> float | None:
    known = [p for p in parts if p is not None]
    return sum(known) / len(known) if known else None


def assess(
    *,
    records: int,
    valid: int,
    filled: int,
    fillable: int,
    submitted_at: datetime,
    previous_at: datetime | None,
    cadence_days: int | None,
    grace_hours: float = 24,
) -> Quality:
    """Score one submission.

    ``filled`` of ``fillable`` optional field values were given (``fillable`` = optional fields
    x records). On time: ``submitted_at - previous_at <= cadence_days + grace_hours``. The score
    is the mean of the valid share (valid / records), the completeness and on-time as 1 or 0,
    over the parts that are known; a submission without records has no score.

    Examples
    --------
    >>> t0 = datetime(2026, 1, 5, tzinfo=UTC)
    >>> q = assess(records=10, valid=10, filled=5, fillable=10, submitted_at=t0,
    ...            previous_at=t0 - timedelta(days=9), cadence_days=7)
    >>> q.complete, q.on_time, q.score
    (0.5, False, 0.5)
    """
    if not 0 <= valid <= records or not 0 <= filled <= fillable:
        raise ValueError("need 0 <= valid <= records and 0 <= filled <= fillable")
    on_time = None
    if cadence_days is not None and previous_at is not None:
        allowed = timedelta(days=cadence_days, hours=grace_hours)
        on_time = as_utc(submitted_at) - as_utc(previous_at) <= allowed
    if records == 0:
        return Quality(0, 0, None, on_time, None)
    complete = filled / fillable if fillable else None
    timely = None if on_time is None else float(on_time)
    return Quality(records, valid, complete, on_time, _mean([valid / records, complete, timely]))


def partner_quality(submissions: Sequence[Quality]) -> Quality:
    """Aggregate a partner's submissions into one quality.

    ``records`` and ``valid`` are summed; ``complete`` is the mean completeness weighted by
    records; ``on_time`` is True when every submission with a known timeliness was on time
    (None when none is known); the score is the mean of the valid share, the completeness and
    the share of on-time submissions among those known. No records: no score.

    Examples
    --------
    >>> a = Quality(records=10, valid=10, complete=1.0, on_time=True, score=1.0)
    >>> b = Quality(records=30, valid=30, complete=0.6, on_time=False, score=0.53)
    >>> partner_quality([a, b])
    Quality(records=40, valid=40, complete=0.7, on_time=False, score=0.7333333333333334)
    """
    records = sum(q.records for q in submissions)
    valid = sum(q.valid for q in submissions)
    timed = [q.on_time for q in submissions if q.on_time is not None]
    on_time = all(timed) if timed else None
    weighted = [(q.complete, q.records) for q in submissions if q.complete is not None]
    weight = sum(w for _, w in weighted)
    complete = sum(c * w for c, w in weighted) / weight if weight else None
    if records == 0:
        return Quality(0, 0, None, on_time, None)
    timely = sum(timed) / len(timed) if timed else None
    return Quality(records, valid, complete, on_time, _mean([valid / records, complete, timely]))
