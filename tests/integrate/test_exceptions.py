"""Exception rules over partner data: hand-computed examples and edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from podium.integrate.exceptions import (
    Finding,
    capacity_shortfalls,
    forecast_swings,
    late_shipments,
    missing_submissions,
)

TODAY = date(2026, 3, 12)  # a Thursday


# --- late shipments -----------------------------------------------------------------------------


def delivery(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "order_id": "PO-1", "line": 1, "item": "part-a", "ship_to": "s1",
        "promised_date": date(2026, 3, 2), "promised_quantity": 100.0,
        "delivered_date": None, "delivered_quantity": None,
    }  # fmt: skip
    row.update(changes)
    return row


def test_delivered_late_and_short() -> None:
    row = delivery(delivered_date=date(2026, 3, 9), delivered_quantity=80.0)
    assert late_shipments([row], provider="sup", today=TODAY) == [
        Finding(
            rule="late_shipments",
            severity="high",
            owner="sup",
            subject="order PO-1 line 1",
            detail="Order PO-1 line 1 (100 units of part-a) was delivered on 2026-03-09, "
            "7 day(s) after 2026-03-02, 20 units short (80 delivered).",
            key="sup|PO-1|1",
        )
    ]


def test_open_line_past_its_promised_date() -> None:
    (finding,) = late_shipments(
        [delivery(order_id="PO-2", line=3, promised_date="2026-03-10")],
        provider="sup",
        today=TODAY,
    )
    assert finding.severity == "low"
    assert finding.subject == "order PO-2 line 3"
    assert finding.detail == (
        "Order PO-2 line 3 (100 units of part-a) is not delivered 2 day(s) after its promised "
        "date 2026-03-10."
    )


@pytest.mark.parametrize(
    ("days", "severity"),
    [(1, "low"), (2, "low"), (3, "medium"), (6, "medium"), (7, "high"), (13, "high"),
     (14, "critical"), (90, "critical")],
)  # fmt: skip
def test_severity_by_days_late(days: int, severity: str) -> None:
    row = delivery(promised_date=TODAY - timedelta(days=days))
    (finding,) = late_shipments([row], provider="sup", today=TODAY)
    assert finding.severity == severity
    assert f"{days} day(s)" in finding.detail


def test_on_time_early_and_future_lines_raise_nothing() -> None:
    rows = [
        delivery(delivered_date=date(2026, 3, 2), delivered_quantity=100.0),  # on the day
        delivery(delivered_date=date(2026, 2, 27), delivered_quantity=50.0),  # early (short)
        delivery(promised_date=TODAY),  # due today: not yet late
        delivery(promised_date=TODAY + timedelta(days=5)),
    ]
    assert late_shipments(rows, provider="sup", today=TODAY) == []
    assert late_shipments([], provider="sup", today=TODAY) == []


def test_key_is_stable_as_a_line_ages() -> None:
    row = delivery()
    first = late_shipments([row], provider="sup", today=TODAY)[0]
    later = late_shipments([row], provider="sup", today=TODAY + timedelta(days=10))[0]
    assert first.key == later.key and first.severity != later.severity


# --- capacity shortfalls ------------------------------------------------------------------------

WEEK = date(2026, 11, 23)  # a Monday


def capacity(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "capacity_group": None, "item": "part-a", "site": "s1", "period_start": WEEK,
        "bucket": "week", "actual": 900.0, "maximum": 1000.0, "agreed": 800.0,
    }  # fmt: skip
    row.update(changes)
    return row


def forecast(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "item": "part-a", "location": "s1", "period_start": WEEK, "bucket": "week",
        "quantity": 1000.0,
    }  # fmt: skip
    row.update(changes)
    return row


def test_shortfall_against_the_same_week() -> None:
    # agreed 800 against 1,000 demanded: 200 short, 20% -> medium
    findings = capacity_shortfalls([capacity()], [forecast()], provider="sup", customer="oem")
    assert findings == [
        Finding(
            rule="capacity_shortfalls",
            severity="medium",
            owner="sup",
            subject="item part-a at site s1 week 2026-11-23",
            detail="Committed capacity of 800 units for item part-a at site s1 week 2026-11-23 "
            "is 200 units (20%) below the forecast demand of 1,000 units (customer oem).",
            key="sup|oem|part-a|s1|week|2026-11-23",
        )
    ]


def test_actual_counts_when_nothing_is_agreed() -> None:
    rows = [capacity(agreed=None)]
    (finding,) = capacity_shortfalls(rows, [forecast()], provider="sup", customer=None)
    assert "Committed capacity of 900 units" in finding.detail
    assert finding.severity == "low"  # 100 / 1,000 = 10%
    assert finding.key == "sup|-|part-a|s1|week|2026-11-23"
    assert "customer" not in finding.detail


def test_day_forecasts_are_summed_into_the_week() -> None:
    days = [
        forecast(bucket="day", period_start=WEEK + timedelta(days=i), quantity=q)
        for i, q in enumerate([300.0, 300.0, 300.0, 300.0, 300.0, 0.0, 0.0])
    ]
    outside = forecast(bucket="day", period_start=WEEK + timedelta(days=7), quantity=5000.0)
    (finding,) = capacity_shortfalls([capacity()], [*days, outside], provider="sup", customer="oem")
    # 1,500 demanded against 800 agreed: 700 short, 46.7% -> high
    assert finding.severity == "high"
    assert "700 units (47%) below the forecast demand of 1,500 units" in finding.detail


def test_day_forecasts_fill_a_month_and_same_bucket_wins() -> None:
    month = date(2026, 2, 1)
    days = [
        forecast(bucket="day", period_start=month + timedelta(days=i), quantity=10.0)
        for i in range(31)  # 28 in February, 3 in March
    ]
    cap = capacity(bucket="month", period_start=month, agreed=140.0)
    (finding,) = capacity_shortfalls([cap], days, provider="sup", customer=None)
    assert "140 units (50%) below the forecast demand of 280 units" in finding.detail
    assert finding.severity == "high"  # exactly half: up to 50% is high
    monthly = forecast(bucket="month", period_start=month, quantity=100.0)
    assert capacity_shortfalls([cap], [*days, monthly], provider="sup", customer=None) == []


def test_severity_by_shortfall_share() -> None:
    shares = {"low": 950.0, "medium": 800.0, "high": 600.0, "critical": 100.0}
    for severity, agreed in shares.items():
        (finding,) = capacity_shortfalls(
            [capacity(agreed=agreed)], [forecast()], provider="sup", customer=None
        )
        assert finding.severity == severity


def test_no_shortfall_cases() -> None:
    enough = capacity(agreed=1000.0)
    assert capacity_shortfalls([enough], [forecast()], provider="s", customer=None) == []
    assert capacity_shortfalls([capacity()], [], provider="s", customer=None) == []
    assert capacity_shortfalls([], [forecast()], provider="s", customer=None) == []
    other_site = forecast(location="s2")
    assert capacity_shortfalls([capacity()], [other_site], provider="s", customer=None) == []
    group = capacity(item=None, capacity_group="line-3")
    assert capacity_shortfalls([group], [forecast()], provider="s", customer=None) == []
    week_forecast_for_month = capacity(bucket="month", period_start=date(2026, 11, 1))
    assert (
        capacity_shortfalls([week_forecast_for_month], [forecast()], provider="s", customer=None)
        == []
    )


def test_capacity_rows_of_one_period_are_summed() -> None:
    rows = [capacity(agreed=500.0, capacity_group="a"), capacity(agreed=500.0, capacity_group="b")]
    assert capacity_shortfalls(rows, [forecast()], provider="s", customer=None) == []


# --- forecast swings ----------------------------------------------------------------------------


def test_swing_inside_the_frozen_horizon() -> None:
    previous = [forecast(period_start=date(2026, 3, 16), quantity=1000.0)]
    current = [forecast(period_start=date(2026, 3, 16), quantity=1500.0)]
    findings = forecast_swings(
        previous, current, provider="oem", today=TODAY, frozen_days=14, threshold=0.2
    )
    assert findings == [
        Finding(
            rule="forecast_swings",
            severity="medium",
            owner="oem",
            subject="item part-a at location s1 week 2026-03-16",
            detail="The forecast for item part-a at location s1 week 2026-03-16 went from "
            "1,000 to 1,500 units (+50%) inside the 14-day frozen horizon from 2026-03-12.",
            key="oem|part-a|s1|week|2026-03-16|1000.0->1500.0",
        )
    ]


def test_horizon_bounds_and_threshold() -> None:
    def swings(start: date, was: float, now: float) -> list[Finding]:
        return forecast_swings(
            [forecast(bucket="day", period_start=start, quantity=was)],
            [forecast(bucket="day", period_start=start, quantity=now)],
            provider="oem",
            today=TODAY,
            frozen_days=14,
            threshold=0.2,
        )

    assert len(swings(TODAY, 100, 50)) == 1  # the first day of the horizon counts
    assert swings(TODAY + timedelta(days=14), 100, 50) == []  # the day after it does not
    assert len(swings(TODAY + timedelta(days=13), 100, 50)) == 1
    assert swings(TODAY - timedelta(days=1), 100, 50) == []  # past periods do not count
    assert swings(TODAY, 100, 120) == []  # exactly 20%: not more than the threshold
    assert swings(TODAY, 100, 100) == []
    (down,) = swings(TODAY, 100, 79)
    assert down.severity == "low" and "(-21%)" in down.detail


@pytest.mark.parametrize(
    ("was", "now", "severity"),
    [(100, 125, "low"), (100, 150, "medium"), (100, 0, "high"), (100, 201, "critical"),
     (0, 10, "critical")],
)  # fmt: skip
def test_swing_severity(was: float, now: float, severity: str) -> None:
    (finding,) = forecast_swings(
        [forecast(quantity=was, period_start=date(2026, 3, 16))],
        [forecast(quantity=now, period_start=date(2026, 3, 16))],
        provider="oem",
        today=TODAY,
        frozen_days=7,
        threshold=0.1,
    )
    assert finding.severity == severity
    if was == 0:
        assert "(from none)" in finding.detail


def test_no_swing_without_a_previous_forecast() -> None:
    current = [forecast(period_start=date(2026, 3, 16))]
    kw: dict[str, Any] = {"provider": "p", "today": TODAY, "frozen_days": 14, "threshold": 0.2}
    assert forecast_swings([], current, **kw) == []
    assert forecast_swings(current, [], **kw) == []
    other = [forecast(period_start=date(2026, 3, 16), location="s2", quantity=1.0)]
    assert forecast_swings(other, current, **kw) == []


# --- missing submissions ------------------------------------------------------------------------

NOW = datetime(2026, 3, 12, 12, tzinfo=UTC)
CADENCES = {"forecasts": 7, "inventory": 1, "risk_signals": None}


def test_overdue_and_never_submitted() -> None:
    last = {
        ("sup", "forecasts"): NOW - timedelta(days=10),
        ("sup", "inventory"): None,
        ("sup", "risk_signals"): None,  # no cadence: never expected
        ("sup", "capacity"): None,  # not in the cadences: not expected
    }
    assert missing_submissions(last, now=NOW, cadence_days=CADENCES) == [
        Finding(
            rule="missing_submissions",
            severity="low",
            owner="sup",
            subject="forecasts of sup",
            detail="sup last submitted forecasts on 2026-03-02 12:00 UTC, 10.0 days ago; "
            "the cadence is 7 day(s) plus 24 hours' grace.",
            key="sup|forecasts|2026-03-02T12:00:00+00:00",
        ),
        Finding(
            rule="missing_submissions",
            severity="high",
            owner="sup",
            subject="inventory of sup",
            detail="sup has never submitted inventory; the cadence is 1 day(s) plus 24 hours' "
            "grace.",
            key="sup|inventory|never",
        ),
    ]


def test_grace_boundary() -> None:
    limit = timedelta(days=7, hours=24)
    on_the_edge = {("sup", "forecasts"): NOW - limit}
    assert missing_submissions(on_the_edge, now=NOW, cadence_days=CADENCES) == []
    just_over = {("sup", "forecasts"): NOW - limit - timedelta(seconds=1)}
    assert len(missing_submissions(just_over, now=NOW, cadence_days=CADENCES)) == 1
    no_grace = {("sup", "forecasts"): NOW - timedelta(days=7, hours=1)}
    assert len(missing_submissions(no_grace, now=NOW, cadence_days=CADENCES, grace_hours=0)) == 1


@pytest.mark.parametrize(
    ("days", "severity"), [(1.5, "low"), (2.5, "medium"), (3.5, "medium"), (4.5, "high")]
)
def test_severity_by_cadences_missed(days: float, severity: str) -> None:
    last = {("sup", "inventory"): NOW - timedelta(days=days)}
    (finding,) = missing_submissions(last, now=NOW, cadence_days=CADENCES, grace_hours=6)
    assert finding.severity == severity


def test_naive_times_are_utc_and_keys_are_stable() -> None:
    naive = {("sup", "forecasts"): datetime(2026, 3, 1, 9)}
    aware = {("sup", "forecasts"): datetime(2026, 3, 1, 9, tzinfo=UTC)}
    first = missing_submissions(naive, now=NOW, cadence_days=CADENCES)
    assert first == missing_submissions(aware, now=NOW, cadence_days=CADENCES)
    assert first[0].key == "sup|forecasts|2026-03-01T09:00:00+00:00"


def test_nothing_to_check() -> None:
    assert missing_submissions({}, now=NOW, cadence_days=CADENCES) == []
    with pytest.raises(ValueError, match="must be positive"):
        missing_submissions({("s", "x"): None}, now=NOW, cadence_days={"x": 0})
