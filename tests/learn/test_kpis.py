"""The KPI engine against hand-worked examples and its edge cases.

References: SCOR Digital Standard (ASCM): RL.1.1 Perfect Order Fulfillment, RS.1.1 Order
Fulfillment Cycle Time; Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd
ed.) §5.8 (MAPE undefined at zero actuals); Kolassa & Schütz (2007), *Foresight* 6 (WAPE, the
MAD/mean ratio).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest

from podium.learn import kpis
from podium.learn.frames import (
    ACTUALS,
    CATALOGUE,
    DELIVERIES,
    DISRUPTIONS,
    FORECASTS,
    INITIATIVES,
    INVENTORY,
    RESPONSES,
    SUBMISSIONS,
    empty,
)
from podium.learn.periods import parse_period

SEPT = parse_period("2026-09")
BY = ("provider",)


def rows(schema: dict[str, Any], records: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame([{name: r.get(name) for name in schema} for r in records], schema=schema)


def ship(
    order: str, line: int, delivered: date | None, quantity: float | None, **more: Any
) -> dict[str, Any]:
    record = {
        "provider": "acme", "order_id": order, "line": line, "item": "bolt", "ship_to": "s1",
        "region": "EU", "ordered_date": date(2026, 8, 1), "promised_date": date(2026, 9, 10),
        "promised_quantity": 10.0, "delivered_date": delivered, "delivered_quantity": quantity,
    }  # fmt: skip
    return record | more


def orders() -> pl.DataFrame:
    """Five due lines of September and one of October (promised 10 units each).

    L1 o1/1: 10 on 9-08: on time, in full.   L2 o1/2: 6 on 9-09 + 4 on 9-12: in full, late.
    L3 o2/1: 6 on 9-05, nothing more: on time (its last shipment was), short.
    L4 o2/2: promised 9-20, nothing delivered: late, short.
    L5 o3/1: 4 on 9-01 + 6 on 9-10, no order date: OTIF.   L6 o4/1: promised 10-02 (October).
    """
    return rows(
        DELIVERIES,
        [
            ship("o1", 1, date(2026, 9, 8), 10.0),
            ship("o1", 2, date(2026, 9, 12), 4.0),
            ship("o2", 1, date(2026, 9, 5), 6.0),
            ship("o1", 2, date(2026, 9, 9), 6.0),
            ship("o2", 2, None, None, promised_date=date(2026, 9, 20)),
            ship("o3", 1, date(2026, 9, 10), 6.0, ordered_date=None),
            ship("o3", 1, date(2026, 9, 1), 4.0, ordered_date=None),
            ship("o4", 1, date(2026, 10, 1), 10.0, promised_date=date(2026, 10, 2)),
        ],
    )


def one(frame: pl.DataFrame) -> tuple[Any, ...]:
    assert frame.height == 1
    return frame.select("value", "basis").row(0)


def test_otif_and_its_parts_by_hand() -> None:
    """OTIF = full quantity by the promised date over due lines: L1 and L5 of five (0.4); on
    time: L1, L3, L5 (0.6); in full: L1, L2, L5 (0.6). The October line is not counted."""
    frame = orders()
    assert one(kpis.otif(frame, period=SEPT)) == (pytest.approx(0.4), 5)
    assert one(kpis.on_time(frame, period=SEPT)) == (pytest.approx(0.6), 5)
    assert one(kpis.in_full(frame, period=SEPT)) == (pytest.approx(0.6), 5)


def test_perfect_order_scor_rl_1_1() -> None:
    """SCOR RL.1.1 with the data recorded: an order is perfect when every line is OTIF; o1 has
    a late line, o2 a short one, o3 is perfect: 1 of 3."""
    assert one(kpis.perfect_order(orders(), period=SEPT)) == (pytest.approx(1 / 3), 3)


def test_order_cycle_time_scor_rs_1_1() -> None:
    """SCOR RS.1.1: order date to the date the line was complete, over complete lines with an
    order date: L1 8-01 to 9-08 (38 days) and L2 8-01 to 9-12 (42 days): 40 days over 2."""
    assert one(kpis.order_cycle_time_days(orders(), period=SEPT)) == (pytest.approx(40.0), 2)


def test_as_of_leaves_out_lines_not_due_and_shipments_not_known() -> None:
    """As of 9-11, L4 (promised 9-20) is not due and L2's 9-12 shipment is not known: L2 is
    short but its last known shipment was on time. In full: L1, L5 of 4; on time: L1, L2,
    L3, L5."""
    frame = orders()
    as_of = date(2026, 9, 11)
    assert one(kpis.in_full(frame, period=SEPT, as_of=as_of)) == (pytest.approx(0.5), 4)
    assert one(kpis.on_time(frame, period=SEPT, as_of=as_of)) == (pytest.approx(1.0), 4)
    assert one(kpis.otif(frame, period=SEPT, as_of=as_of)) == (pytest.approx(0.5), 4)


def test_completion_date_of_split_lines() -> None:
    """The completion date is when the running total, in date order, reaches the promise:
    three shipments recorded out of order (3 on 9-03, 3 on 9-01, 5 on 9-07; promised 9-05)
    complete on 9-07, late;
    a full first shipment with a later top-up completes on its first date; two shipments on
    the same day complete that day; a short line never completes."""
    frame = rows(
        DELIVERIES,
        [
            ship("a", 1, date(2026, 9, 3), 3.0, promised_date=date(2026, 9, 5)),
            ship("a", 1, date(2026, 9, 1), 3.0, promised_date=date(2026, 9, 5)),
            ship("a", 1, date(2026, 9, 7), 5.0, promised_date=date(2026, 9, 5)),
            ship("b", 1, date(2026, 9, 20), 2.0),
            ship("b", 1, date(2026, 9, 2), 10.0),
            ship("c", 1, date(2026, 9, 4), 5.0),
            ship("c", 1, date(2026, 9, 4), 5.0),
            ship("d", 1, date(2026, 9, 4), 5.0),
            ship("d", 1, date(2026, 9, 6), 4.0),
        ],
    )
    lines = kpis.delivery_lines(frame, period=SEPT)
    assert lines["order_id"].to_list() == ["a", "b", "c", "d"]
    completed = [date(2026, 9, 7), date(2026, 9, 2), date(2026, 9, 4), None]
    assert lines["completed_on"].to_list() == completed
    assert lines["shipments"].to_list() == [3, 2, 2, 2]
    assert lines["delivered_by_promise"].to_list() == [6.0, 10.0, 10.0, 9.0]
    assert lines["otif"].to_list() == [False, True, True, False]
    assert lines["on_time"].to_list() == [False, True, True, True]
    assert lines["in_full"].to_list() == [True, True, True, False]
    assert lines["cycle_days"].to_list() == [37.0, 32.0, 34.0, None]


def test_no_orders_is_no_value() -> None:
    """No due line: no value (never 100%); grouped, no rows. Cancelled lines (promised 0) do
    not count."""
    cancelled = rows(DELIVERIES, [ship("x", 1, None, None, promised_quantity=0.0)])
    for frame in (empty(DELIVERIES), cancelled):
        for key in kpis.DELIVERY_KPIS:
            assert one(kpis.COMPUTE[key](frame, period=SEPT)) == (None, 0)
            grouped = kpis.COMPUTE[key](frame, period=SEPT, by=BY)
            assert grouped.height == 0
            assert grouped.columns == ["provider", "value", "basis"]


def test_service_dispersion_is_the_population_std_of_otif() -> None:
    """OTIF by region: EU 1.0 (one line), US 0.0 (one line): standard deviation 0.5 over two
    regions; a provider served in one region has no dispersion (null, basis 1)."""
    frame = rows(
        DELIVERIES,
        [
            ship("a", 1, date(2026, 9, 1), 10.0),
            ship("b", 1, None, None, region="US"),
            ship("c", 1, date(2026, 9, 1), 10.0, provider="bolt-co", region="EU"),
        ],
    )
    assert one(kpis.service_dispersion(frame, period=SEPT)) == (pytest.approx(0.5), 2)
    found = kpis.service_dispersion(frame, period=SEPT, by=BY)
    assert found.rows() == [("acme", pytest.approx(0.5), 2), ("bolt-co", None, 1)]
    across = kpis.service_dispersion(frame, period=SEPT, across="provider")
    assert one(across) == (pytest.approx(0.25), 2)  # acme 0.5, bolt-co 1.0


def test_grouping_by_provider_and_item() -> None:
    """Order o1's lines are nuts (L1 OTIF, L2 late): 1/2; the bolts L3, L4, L5: 1/3."""
    nut = pl.when(pl.col("order_id") == "o1").then(pl.lit("nut")).otherwise(pl.col("item"))
    frame = orders().with_columns(nut.alias("item"))
    found = kpis.otif(frame, period=SEPT, by=("provider", "item"))
    assert found.rows() == [("acme", "bolt", pytest.approx(1 / 3), 3), ("acme", "nut", 0.5, 2)]
    assert found.schema["item"] == pl.Utf8


def test_delivery_kpis_at_once_equal_each_function() -> None:
    frame = orders()
    together = kpis.delivery_kpis(frame, period=SEPT, by=BY)
    for key in kpis.DELIVERY_KPIS:
        assert together[key].equals(kpis.COMPUTE[key](frame, period=SEPT, by=BY))


def test_order_ids_sharing_a_hash_fall_back_to_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two distinct order ids with one hash must not merge: the engine counts distinct hashes
    and falls back to categorical codes (forced here by hashing every id to 0)."""
    expected = {key: kpis.COMPUTE[key](orders(), period=SEPT) for key in kpis.DELIVERY_KPIS}
    monkeypatch.setattr(
        pl.Series, "hash", lambda self, seed=0: pl.Series([0] * len(self), dtype=pl.UInt64)
    )
    for key, frame in expected.items():
        assert kpis.COMPUTE[key](orders(), period=SEPT).equals(frame)


# --- forecasts -----------------------------------------------------------------------------------


def at(day: int, month: int = 9, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def forecast(start: date, quantity: float, submitted: datetime, **more: Any) -> dict[str, Any]:
    record = {
        "provider": "acme", "item": "bolt", "location": "s1", "bucket": "week",
        "period_start": start, "quantity": quantity, "submitted_at": submitted,
    }  # fmt: skip
    return record | more


def actual(start: date, quantity: float) -> dict[str, Any]:
    return {"item": "bolt", "location": "s1", "bucket": "week", "period_start": start,
            "quantity": quantity}  # fmt: skip


W1, W2, W3, W4 = date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 28)


def plan() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Week 1: versions 100 (8-09 12:00), 120 (8-28), 90 (9-03); actual 100.
    Week 2: 50 (8-20); actual 0. Week 3: 30 (9-01); actual 40. Week 4: 70, no actual."""
    forecasts = rows(
        FORECASTS,
        [
            forecast(W1, 100.0, at(9, 8, 12)),
            forecast(W1, 120.0, at(28, 8)),
            forecast(W1, 90.0, at(3)),
            forecast(W2, 50.0, at(20, 8)),
            forecast(W3, 30.0, at(1)),
            forecast(W4, 70.0, at(1)),
        ],
    )
    actuals = rows(ACTUALS, [actual(W1, 100.0), actual(W2, 0.0), actual(W3, 40.0)])
    return forecasts, actuals


def test_forecast_accuracy_at_lag_7_by_hand() -> None:
    """At lag 7 the versions current on 8-31, 9-07 and 9-14 are 120, 50 and 30 against 100, 0
    and 40: errors +20, +50, -10. WAPE = 80/140 (Kolassa & Schütz); bias = 60/140; MAPE over
    the non-zero actuals only (Hyndman & Athanasopoulos §5.8) = (0.20 + 0.25)/2 on 2 points.
    Week 4 has no actual: not a point."""
    f, a = plan()
    assert one(kpis.forecast_wape(f, a, period=SEPT)) == (pytest.approx(80 / 140), 3)
    assert one(kpis.forecast_bias(f, a, period=SEPT)) == (pytest.approx(60 / 140), 3)
    assert one(kpis.forecast_mape(f, a, period=SEPT)) == (pytest.approx(0.225), 2)


def test_revised_forecasts_are_judged_at_their_lag() -> None:
    """At lag 0 week 1 is judged on its last revision (90: error -10); at lag 28 only week 1
    had a version by then (100 on 8-09, exact: WAPE 0); at lag 60 nothing had: no value."""
    f, a = plan()
    points = kpis.forecast_points(f, a, period=SEPT, lag_days=0).sort("period_start")
    assert points["forecast"].to_list() == [90.0, 50.0, 30.0]
    assert one(kpis.forecast_wape(f, a, period=SEPT, lag_days=0)) == (pytest.approx(70 / 140), 3)
    assert one(kpis.forecast_wape(f, a, period=SEPT, lag_days=28)) == (0.0, 1)
    assert one(kpis.forecast_wape(f, a, period=SEPT, lag_days=60)) == (None, 0)
    with pytest.raises(ValueError, match="lag_days"):
        kpis.forecast_wape(f, a, period=SEPT, lag_days=-1)


def test_zero_actuals() -> None:
    """Only zero actuals: WAPE and bias are undefined (sum of actuals 0) and MAPE has no point."""
    f, a = plan()
    zero = a.filter(pl.col("period_start") == W2)
    assert one(kpis.forecast_wape(f, zero, period=SEPT)) == (None, 1)
    assert one(kpis.forecast_bias(f, zero, period=SEPT)) == (None, 1)
    assert one(kpis.forecast_mape(f, zero, period=SEPT)) == (None, 0)


def test_forecasts_grouped_and_empty() -> None:
    f, a = plan()
    other = f.with_columns(pl.lit("kinsei").alias("provider"), pl.col("quantity") * 0 + 40.0)
    found = kpis.forecast_kpis(pl.concat([f, other]), a, period=SEPT, by=BY)
    assert found["forecast_wape"].rows() == [
        ("acme", pytest.approx(80 / 140), 3),
        ("kinsei", pytest.approx((60 + 40 + 0) / 140), 3),
    ]
    for key in kpis.FORECAST_KPIS:
        assert one(kpis.COMPUTE[key](empty(FORECASTS), a, period=SEPT)) == (None, 0)
        assert kpis.COMPUTE[key](f, empty(ACTUALS), period=SEPT, by=BY).height == 0
    with pytest.raises(ValueError, match="cannot be grouped by region"):
        kpis.forecast_wape(f, a, period=SEPT, by=("region",))


# --- events, initiatives, data ------------------------------------------------------------------


def test_recovery_time_counts_recovered_disruptions_started_in_the_period() -> None:
    """Started 9-01, recovered 9-11: 10 days; started 9-05, recovered 9-09 12:00: 4.5 days;
    started 9-10, not recovered: not counted; started in August: another period. 7.25 over 2."""
    frame = rows(
        DISRUPTIONS,
        [
            {"provider": "acme", "subject": "s1", "started_at": at(1), "recovered_at": at(11)},
            {
                "provider": "acme",
                "subject": "s2",
                "started_at": at(5),
                "recovered_at": at(9, 9, 12),
            },
            {"provider": "kinsei", "subject": "s3", "started_at": at(10), "recovered_at": None},
            {"provider": "acme", "subject": "s4", "started_at": at(25, 8), "recovered_at": at(2)},
        ],
    )
    assert one(kpis.recovery_time_days(frame, period=SEPT)) == (pytest.approx(7.25), 2)
    grouped = kpis.recovery_time_days(frame, period=SEPT, by=BY)
    assert grouped.rows() == [("acme", pytest.approx(7.25), 2), ("kinsei", None, 0)]
    assert one(kpis.recovery_time_days(empty(DISRUPTIONS), period=SEPT)) == (None, 0)


def test_response_and_resolution_hours() -> None:
    """Detected 9-01 00:00, answered 06:00, resolved 9-02 00:00 (6 h, 24 h); detected 9-03,
    answered 12:00, unresolved (12 h, -): response 9 h over 2, resolution 24 h over 1."""
    frame = rows(
        RESPONSES,
        [
            {"kind": "exception", "ref": "e1", "provider": "acme", "detected_at": at(1),
             "first_response_at": at(1, 9, 6), "resolved_at": at(2)},
            {"kind": "risk_signal", "ref": "r1", "provider": "acme", "detected_at": at(3),
             "first_response_at": at(3, 9, 12), "resolved_at": None},
        ],
    )  # fmt: skip
    assert one(kpis.response_time_hours(frame, period=SEPT)) == (pytest.approx(9.0), 2)
    assert one(kpis.resolution_time_hours(frame, period=SEPT)) == (pytest.approx(24.0), 1)
    by_kind = kpis.response_time_hours(frame, period=SEPT, by=("kind",))
    assert by_kind["value"].to_list() == [6.0, 12.0]


def initiatives() -> pl.DataFrame:
    """i1 (acme and kinsei) started 6-17, launched 9-15 (90 days), value 100; i2 (acme) 9-10 to
    9-20 (10 days), value 50; i3 launched in October; i4 not launched."""
    base = {"cost_reduction": 40.0, "revenue_enabled": 60.0, "cost": 10.0}
    return rows(
        INITIATIVES,
        [
            {"key": "i1", "partner": "acme", "started_on": date(2026, 6, 17),
             "launched_on": date(2026, 9, 15), "value_created": 100.0, **base},
            {"key": "i1", "partner": "kinsei", "started_on": date(2026, 6, 17),
             "launched_on": date(2026, 9, 15), "value_created": 100.0, **base},
            {"key": "i2", "partner": "acme", "started_on": date(2026, 9, 10),
             "launched_on": date(2026, 9, 20), "value_created": 50.0, **base},
            {"key": "i3", "partner": "acme", "started_on": date(2026, 9, 1),
             "launched_on": date(2026, 10, 5), "value_created": 70.0, **base},
            {"key": "i4", "partner": "acme", "started_on": date(2026, 9, 1),
             "launched_on": None, "value_created": None, **base},
        ],
    )  # fmt: skip


def test_joint_initiatives() -> None:
    """Cycle time (90 + 10)/2 = 50 days over 2 initiatives; value 150 (i1 once); by partner
    i1's 100 is split equally: acme 50 + 50 = 100 over 2, kinsei 50 over 1."""
    frame = initiatives()
    assert one(kpis.innovation_cycle_days(frame, period=SEPT)) == (pytest.approx(50.0), 2)
    assert one(kpis.initiative_value(frame, period=SEPT)) == (pytest.approx(150.0), 2)
    assert one(kpis.cost_reduction(frame, period=SEPT)) == (pytest.approx(80.0), 2)
    assert one(kpis.revenue_enabled(frame, period=SEPT)) == (pytest.approx(120.0), 2)
    by_partner = kpis.initiative_value(frame, period=SEPT, by=("partner",))
    assert by_partner.rows() == [("acme", 100.0, 2), ("kinsei", 50.0, 1)]
    assert kpis.initiative_value(frame, period=SEPT, by=BY).rows() == by_partner.rows()
    assert kpis.innovation_cycle_days(frame, period=SEPT, by=BY).rows() == [
        ("acme", 50.0, 2),
        ("kinsei", 90.0, 1),
    ]
    assert one(kpis.initiative_value(frame, period=parse_period("2026-08"))) == (None, 0)


def submission(
    provider: str, dataset: str, source: str, when: datetime, *parts: float | None
) -> dict[str, Any]:
    valid, complete, on_time = parts or (1.0, 1.0, 1.0)
    return {"provider": provider, "dataset": dataset, "source": source, "submitted_at": when,
            "valid": valid, "complete": complete, "on_time": on_time}  # fmt: skip


def test_data_quality_and_adoption() -> None:
    """Quality: (1 + 1 + 0.7)/3 = 0.9 and (0.5 + 1)/2 = 0.75 (a missing part skipped): 0.825.
    Adoption: of (acme, forecast), (acme, inventory), (kinsei, forecast) only the first was
    submitted through the API in September: 1/3; by dataset forecast 1/2, inventory 0/1."""
    frame = rows(
        SUBMISSIONS,
        [
            submission("acme", "forecast", "api", at(2), 1.0, 1.0, 0.7),
            submission("acme", "inventory", "upload", at(3), 0.5, None, 1.0),
            submission("kinsei", "forecast", "api", at(30, 8), 0.0, 0.0, 0.0),
        ],
    )
    assert one(kpis.data_quality(frame, period=SEPT)) == (pytest.approx(0.825), 2)
    expected = pl.DataFrame(
        {"provider": ["acme", "acme", "kinsei"], "dataset": ["forecast", "inventory", "forecast"]}
    )
    assert one(kpis.adoption(frame, period=SEPT, expected=expected)) == (pytest.approx(1 / 3), 3)
    by_dataset = kpis.adoption(frame, period=SEPT, by=("dataset",), expected=expected)
    assert by_dataset.rows() == [("forecast", 0.5, 2), ("inventory", 0.0, 1)]
    assert one(kpis.adoption(frame, period=SEPT, expected=expected.head(0))) == (None, 0)


def test_inventory_days_and_cash_to_cash() -> None:
    """acme holds 60 bolts (its latest count, 9-20) and kinsei 40, against 10 bolts a day:
    (60 + 40)/10 = 10 days; nuts have no demand and are left out. Cash-to-cash with DSO 30 and
    DPO 45: 10 + 30 - 45 = -5 days."""
    frame = rows(
        INVENTORY,
        [
            {
                "provider": "acme",
                "site": "s1",
                "item": "bolt",
                "as_of": date(2026, 9, 5),
                "on_hand": 100.0,
            },
            {
                "provider": "acme",
                "site": "s1",
                "item": "bolt",
                "as_of": date(2026, 9, 20),
                "on_hand": 60.0,
            },
            {
                "provider": "kinsei",
                "site": "s2",
                "item": "bolt",
                "as_of": date(2026, 9, 10),
                "on_hand": 40.0,
            },
            {
                "provider": "acme",
                "site": "s1",
                "item": "nut",
                "as_of": date(2026, 9, 10),
                "on_hand": 50.0,
            },
        ],
    )
    demand = pl.DataFrame({"item": ["bolt", "nut"], "quantity": [10.0, 0.0]})
    assert one(kpis.inventory_days(frame, period=SEPT, daily_demand=demand)) == (10.0, 2)
    by = kpis.inventory_days(frame, period=SEPT, by=BY, daily_demand=demand)
    assert by.rows() == [("acme", 6.0, 1), ("kinsei", 4.0, 1)]
    cash = kpis.cash_to_cash_days(
        frame, period=SEPT, daily_demand=demand, dso_days=30.0, dpo_days=45.0
    )
    assert one(cash) == (-5.0, 2)
    unknown = kpis.cash_to_cash_days(
        frame, period=SEPT, daily_demand=demand, dso_days=None, dpo_days=45.0
    )
    assert one(unknown)[0] is None
    nothing = kpis.inventory_days(empty(INVENTORY), period=SEPT, daily_demand=demand)
    assert one(nothing) == (None, 0)


def test_map_kpis_pass_through() -> None:
    assert one(kpis.risk_visibility(period=SEPT, share=0.4)) == (0.4, 1)
    assert one(kpis.avoided_disruption(period=SEPT, avoided=None)) == (None, 0)
    assert kpis.risk_visibility(period=SEPT, by=BY, share=0.4).rows() == [(None, 0.4, 1)]


# --- the registry --------------------------------------------------------------------------------


def test_every_catalogue_kpi_has_its_function() -> None:
    keys = [spec.key for spec in CATALOGUE]
    assert sorted(kpis.COMPUTE) == sorted(keys)
    assert all(kpis.COMPUTE[key].__name__ == key for key in keys)
    assert set(kpis.INPUTS) == set(keys)


def test_compute_dispatches_and_refuses_bad_input() -> None:
    frames = {"deliveries": orders()}
    assert kpis.compute("otif", frames, period=SEPT).equals(kpis.otif(orders(), period=SEPT))
    with pytest.raises(ValueError, match="unknown KPI 'speed'"):
        kpis.compute("speed", frames, period=SEPT)
    with pytest.raises(ValueError, match="needs the frame"):
        kpis.compute("forecast_wape", frames, period=SEPT)
    with pytest.raises(ValueError, match="otif cannot be grouped by colour"):
        kpis.otif(orders(), period=SEPT, by=("colour",))
