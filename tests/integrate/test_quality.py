"""Data quality of submissions: hand-computed scores, on-time boundaries, empty periods."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.integrate import quality
from podium.integrate.quality import Quality, assess, partner_quality

T0 = datetime(2026, 3, 9, 12, tzinfo=UTC)


def weekly(**changes: object) -> Quality:
    given_: dict[str, object] = {
        "records": 10, "valid": 10, "filled": 10, "fillable": 20, "submitted_at": T0,
        "previous_at": T0 - timedelta(days=7), "cadence_days": 7,
    }  # fmt: skip
    given_.update(changes)
    return assess(**given_)


def test_hand_computed_score() -> None:
    # valid 8/10 = 0.8, complete 15/20 = 0.75, on time 1: mean 2.55 / 3 = 0.85
    q = weekly(valid=8, filled=15)
    assert (q.records, q.valid, q.complete, q.on_time) == (10, 8, 0.75, True)
    assert q.score == pytest.approx(0.85)


def test_on_time_within_cadence_plus_grace() -> None:
    limit = timedelta(days=7, hours=24)
    assert weekly(previous_at=T0 - limit).on_time is True
    assert weekly(previous_at=T0 - limit - timedelta(seconds=1)).on_time is False
    assert weekly(previous_at=T0 - timedelta(days=7, hours=2), grace_hours=1).on_time is False
    # late: valid 1, complete 0.5, on time 0 -> 0.5
    assert weekly(previous_at=T0 - timedelta(days=9)).score == pytest.approx(0.5)


def test_no_cadence_or_no_previous_leaves_timeliness_unknown() -> None:
    for q in (weekly(cadence_days=None), weekly(previous_at=None)):
        assert q.on_time is None
        assert q.score == pytest.approx((1 + 0.5) / 2)


def test_naive_times_are_utc() -> None:
    naive = (T0 - timedelta(days=8)).replace(tzinfo=None)
    assert weekly(previous_at=naive).on_time is True
    assert weekly(previous_at=naive - timedelta(minutes=1)).on_time is False


def test_no_records_is_no_value_never_100_percent() -> None:
    q = weekly(records=0, valid=0, filled=0, fillable=0)
    assert q == Quality(records=0, valid=0, complete=None, on_time=True, score=None)


def test_no_optional_fields_leaves_completeness_out() -> None:
    q = weekly(filled=0, fillable=0, cadence_days=None)
    assert q.complete is None and q.score == 1.0


@pytest.mark.parametrize(
    "counts",
    [{"valid": 11}, {"valid": -1}, {"filled": 21}, {"filled": -1}],
)
def test_impossible_counts_are_refused(counts: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="valid <= records"):
        weekly(**counts)


def test_partner_quality_hand_computed() -> None:
    a = Quality(records=10, valid=10, complete=1.0, on_time=True, score=1.0)
    b = Quality(records=30, valid=27, complete=0.6, on_time=False, score=0.5)
    c = Quality(records=0, valid=0, complete=None, on_time=None, score=None)
    q = partner_quality([a, b, c])
    # valid 37/40 = 0.925; complete (10 * 1 + 30 * 0.6) / 40 = 0.7; on time 1/2 = 0.5
    assert q.records == 40 and q.valid == 37 and q.on_time is False
    assert q.complete == pytest.approx(0.7)
    assert q.score == pytest.approx((0.925 + 0.7 + 0.5) / 3)


def test_partner_quality_of_nothing_is_none() -> None:
    assert partner_quality([]) == Quality(0, 0, None, None, None)
    empty = Quality(records=0, valid=0, complete=None, on_time=True, score=None)
    assert partner_quality([empty, empty]) == Quality(0, 0, None, True, None)


def test_partner_quality_all_on_time() -> None:
    a = weekly()
    q = partner_quality([a, a])
    assert (q.records, q.valid, q.complete, q.on_time) == (20, 20, 0.5, True)
    assert q.score == a.score


def test_quality_round_trips_through_a_dict() -> None:
    """The service stores ``asdict(quality)`` as JSON and rebuilds it with ``Quality(**d)``."""
    q = weekly(valid=9)
    assert Quality(**q.__dict__) == q


def test_doctests() -> None:
    assert doctest.testmod(quality, raise_on_error=True).failed == 0


@given(
    records=st.integers(0, 1000),
    valid_share=st.floats(0, 1),
    fillable_per=st.integers(0, 5),
    fill_share=st.floats(0, 1),
    gap_hours=st.none() | st.floats(0, 24 * 60),
    cadence=st.none() | st.integers(1, 30),
)
def test_scores_are_shares_or_none(
    records: int,
    valid_share: float,
    fillable_per: int,
    fill_share: float,
    gap_hours: float | None,
    cadence: int | None,
) -> None:
    fillable = fillable_per * records
    q = assess(
        records=records,
        valid=int(records * valid_share),
        filled=int(fillable * fill_share),
        fillable=fillable,
        submitted_at=T0,
        previous_at=None if gap_hours is None else T0 - timedelta(hours=gap_hours),
        cadence_days=cadence,
    )
    assert (q.score is None) == (records == 0)
    for share in (q.score, q.complete):
        assert share is None or 0 <= share <= 1
    twice = partner_quality([q, q]).score
    assert twice is None if q.score is None else twice == pytest.approx(q.score)
