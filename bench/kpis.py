"""Delivery and forecast KPIs of 500 partners over 10M rows: the KPI engine against pandas.

Run: ``python bench/kpis.py [--delivery-rows 7000000] [--forecast-rows 3000000]
[--partners 500] [--lag-days 7] [--repeat 1] [--seed 2026]``.

The data (numpy with a fixed seed, straight into polars; the same arrays into pandas before any
clock starts): ``--delivery-rows`` shipment rows of order lines (1-5 lines per order, each order
from one of ``--partners`` providers to one of 2,000 ship-to sites in 8 regions; 76% of lines
in one shipment, 18% in two, 2% in three, 4% undelivered, 8% short; 5% without an order date;
promised dates from October 2025 to February 2027) and ``--forecast-rows`` weekly forecast
versions (series of one provider, item and location; 1-5 versions per bucket submitted 1 to 60
days ahead) with one actual per (item, location, week), 8% of them zero and 2% missing. Rows
are shuffled, as a table filled as shipments and versions arrive is not in line order.
Quantities are whole numbers, so every sum is exact.

The figure: the engine's delivery KPIs (OTIF, on time, in full, perfect order, order cycle time,
service dispersion across regions) and forecast KPIs (WAPE, MAPE, bias at ``--lag-days``) of
2026, each grouped by provider; once through :func:`podium.learn.kpis.delivery_kpis` and
:func:`~podium.learn.kpis.forecast_kpis` (one pass over the lines and points, the way the
service computes several KPIs), and once calling each KPI's own function. The *reference*
computes the same numbers with plain pandas ``groupby`` (sorting and cumulative sums for the
date a line was complete, ``idxmax`` for the forecast version at the lag). Every value and basis
of the engine is compared with the reference's (relative 1e-9).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from podium.learn import kpis
from podium.learn.frames import ACTUALS, DELIVERIES, FORECASTS
from podium.learn.periods import Period, parse_period

SEED = 2026
FIRST = np.datetime64("2025-12-01", "D")
SITES, REGIONS, ITEMS = 2_000, 8, 5_000
DELIVERY = ("otif", "on_time", "in_full", "perfect_order", "order_cycle_time_days")
KEYS = (*DELIVERY, "service_dispersion", *kpis.FORECAST_KPIS)
Columns = dict[str, np.ndarray[Any, Any]]


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Return the action's result and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def names(prefix: str, count: int) -> np.ndarray[Any, Any]:
    return np.array([f"{prefix}{n:05d}" for n in range(count)], dtype=object)


def deliveries(rows: int, partners: int, rng: np.random.Generator) -> Columns:
    """About ``rows`` shipment rows of order lines (see the module's docstring)."""
    lines = int(rows / 1.22)
    per_order = rng.integers(1, 6, size=lines // 3 + 1)
    per_order = per_order[: np.searchsorted(np.cumsum(per_order), lines) + 1]
    orders, lines = per_order.size, int(per_order.sum())
    order = np.repeat(np.arange(orders), per_order)
    number = np.arange(lines) - np.repeat(np.cumsum(per_order) - per_order, per_order) + 1
    ship_to = rng.integers(0, SITES, size=orders)[order]
    ordered = (FIRST - 45 + rng.integers(0, 440, size=orders))[order]
    promised = ordered + rng.integers(7, 45, size=lines)
    quantity = rng.integers(1, 100, size=lines).astype(float)
    # 0: undelivered (one row, no date); 1, 2, 3: shipments
    kind = rng.choice(4, size=lines, p=[0.04, 0.76, 0.18, 0.02])
    count = np.maximum(kind, 1)
    of = np.repeat(np.arange(lines), count)
    rank = np.arange(of.size) - np.repeat(np.cumsum(count) - count, count)
    short = (rng.random(lines) < 0.08) * np.floor(0.3 * quantity)  # the last shipment is short
    q1 = np.where(kind >= 2, np.floor(quantity * rng.uniform(0.3, 0.8, size=lines)), quantity)
    q2 = np.where(kind == 3, np.floor((quantity - q1) * rng.uniform(0.3, 0.8, size=lines)), 0.0)
    parts = np.stack([q1, q2, quantity - q1 - q2])
    parts[np.where(kind == 2, 1, np.where(kind == 3, 2, 0)), np.arange(lines)] -= short
    parts[1, kind == 2] += parts[2, kind == 2]  # two shipments: the second takes the rest
    parts = np.maximum(parts, 0.0)
    day1 = promised + rng.integers(-6, 8, size=lines)
    gap = rng.integers(0, 10, size=(2, lines)).cumsum(axis=0)
    days = np.stack([day1, day1 + gap[0], day1 + gap[1]])
    delivered = kind[of] > 0
    ordered_date = ordered.copy()
    ordered_date[rng.random(lines) < 0.05] = np.datetime64("NaT")
    provider = names("P", partners)[rng.integers(0, partners, size=orders)]
    columns = {
        "provider": provider[order][of],
        "order_id": names("O", orders)[order][of],
        "line": number[of],
        "item": names("I", ITEMS)[rng.integers(0, ITEMS, size=lines)][of],
        "ship_to": names("S", SITES)[ship_to][of],
        "region": names("R", REGIONS)[ship_to % REGIONS][of],
        "ordered_date": ordered_date[of],
        "promised_date": promised[of],
        "promised_quantity": quantity[of],
        "delivered_date": np.where(delivered, days[rank, of], np.datetime64("NaT")),
        "delivered_quantity": np.where(delivered, parts[rank, of], np.nan),
    }
    shuffled = rng.permutation(of.size)  # shipments are recorded as they arrive, not by line
    return {name: values[shuffled] for name, values in columns.items()}


def forecasts(rows: int, partners: int, rng: np.random.Generator) -> tuple[Columns, Columns]:
    """About ``rows`` weekly forecast versions and their actuals (see the module's docstring)."""
    weeks = FIRST + 7 * np.arange(61)  # Mondays from 2025-12-01
    series = max(1, rows // (weeks.size * 3))
    pair = rng.choice(ITEMS * SITES, size=series, replace=False)
    base = rng.uniform(5, 500, size=series).round()
    point = np.arange(series * weeks.size)
    s_of, w_of = point // weeks.size, point % weeks.size
    versions = rng.integers(1, 6, size=point.size)
    of = np.repeat(point, versions)
    ahead = rng.integers(1, 61, size=of.size).astype("timedelta64[D]")
    seconds = rng.integers(0, 86_400, size=of.size).astype("timedelta64[s]")
    start = weeks[w_of]
    submitted = (start[of] - ahead).astype("datetime64[us]") + seconds
    noise = rng.normal(1.0, 0.25, size=of.size)
    forecast = {
        "provider": names("P", partners)[rng.integers(0, partners, size=series)][s_of][of],
        "item": names("I", ITEMS)[pair // SITES][s_of][of],
        "location": names("S", SITES)[pair % SITES][s_of][of],
        "bucket": np.full(of.size, "week", dtype=object),
        "period_start": start[of],
        "quantity": np.maximum(0, base[s_of][of] * noise).round(),
        "submitted_at": submitted,
    }
    actual = np.maximum(0, base[s_of] * rng.normal(1.0, 0.3, size=point.size)).round()
    actual[rng.random(point.size) < 0.08] = 0.0
    kept = rng.random(point.size) >= 0.02
    actuals = {
        "item": names("I", ITEMS)[pair // SITES][s_of][kept],
        "location": names("S", SITES)[pair % SITES][s_of][kept],
        "bucket": np.full(int(kept.sum()), "week", dtype=object),
        "period_start": start[kept],
        "quantity": actual[kept],
    }
    versions_first = rng.permutation(of.size)  # stored as submitted, not by point
    observed_first = rng.permutation(int(kept.sum()))
    return (
        {name: values[versions_first] for name, values in forecast.items()},
        {name: values[observed_first] for name, values in actuals.items()},
    )


def to_polars(columns: Columns, schema: dict[str, Any]) -> pl.DataFrame:
    series = [pl.Series(name, columns[name], nan_to_null=True) for name in schema]
    frame = pl.DataFrame(series)
    if "submitted_at" in schema:
        frame = frame.with_columns(pl.col("submitted_at").dt.replace_time_zone("UTC"))
    return frame.cast(schema)  # type: ignore[arg-type]


def to_pandas(columns: Columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    if "submitted_at" in frame:
        frame["submitted_at"] = frame["submitted_at"].dt.tz_localize("UTC")
    return frame


# --- the engine ----------------------------------------------------------------------------------


def engine_once(frames: dict[str, pl.DataFrame], period: Period, lag: int) -> dict[str, Any]:
    """Every delivery and forecast KPI by provider, one pass per frame."""
    by = ("provider",)
    found = kpis.delivery_kpis(frames["deliveries"], period=period, by=by)
    found |= kpis.forecast_kpis(
        frames["forecasts"], frames["actuals"], period=period, by=by, lag_days=lag
    )
    return found


def engine_each(frames: dict[str, pl.DataFrame], period: Period, lag: int) -> dict[str, Any]:
    """Every delivery and forecast KPI by provider, each through its own function."""
    found: dict[str, Any] = {}
    for key in KEYS:
        options = {"lag_days": lag} if key in kpis.FORECAST_KPIS else {}
        found[key] = kpis.compute(key, frames, period=period, by=("provider",), **options)
    return found


# --- the pandas reference ------------------------------------------------------------------------


def reference_lines(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The period's order lines and their status, with plain pandas."""
    start, end = np.datetime64(period.start), np.datetime64(period.end)
    rows = frame[
        (frame["promised_date"] >= start)
        & (frame["promised_date"] < end)
        & (frame["promised_quantity"] > 0)
    ].copy()
    rows["q"] = rows["delivered_quantity"].where(rows["delivered_date"].notna(), 0.0).fillna(0.0)
    rows["q_by"] = rows["q"].where(rows["delivered_date"] <= rows["promised_date"], 0.0)
    rows = rows.sort_values("delivered_date", kind="stable")
    key = ["provider", "order_id", "line"]
    rows["cum"] = rows.groupby(key, sort=False)["q"].cumsum()
    rows["done_on"] = rows["delivered_date"].where(rows["cum"] >= rows["promised_quantity"])
    lines = rows.groupby(key, sort=False).agg(
        region=("region", "first"),
        ordered=("ordered_date", "first"),
        promised_date=("promised_date", "first"),
        promised=("promised_quantity", "first"),
        delivered=("q", "sum"),
        by_promise=("q_by", "sum"),
        last=("delivered_date", "max"),
        done_on=("done_on", "min"),
    )
    lines["in_full"] = lines["delivered"] >= lines["promised"]
    lines["otif"] = lines["by_promise"] >= lines["promised"]
    last_on_time = lines["last"].notna() & (lines["last"] <= lines["promised_date"])
    lines["on_time"] = lines["otif"].where(lines["in_full"], last_on_time)
    lines["cycle"] = (lines["done_on"] - lines["ordered"]).dt.days
    return lines.reset_index()


def reference_deliveries(frame: pd.DataFrame, period: Period) -> dict[str, pd.DataFrame]:
    lines = reference_lines(frame, period)
    by = lines.groupby("provider")
    found = {
        key: pd.DataFrame({"value": by[key].mean(), "basis": by[key].size()})
        for key in ("otif", "on_time", "in_full")
    }
    orders = lines.groupby(["provider", "order_id"])["otif"].all().groupby("provider")
    found["perfect_order"] = pd.DataFrame({"value": orders.mean(), "basis": orders.size()})
    found["order_cycle_time_days"] = pd.DataFrame(
        {"value": by["cycle"].mean(), "basis": by["cycle"].count()}
    )
    shares = lines.groupby(["provider", "region"])["otif"].mean().groupby("provider")
    spread = pd.DataFrame({"value": shares.std(ddof=0), "basis": shares.size()})
    spread.loc[spread["basis"] < 2, "value"] = np.nan
    found["service_dispersion"] = spread
    return found


def reference_forecasts(
    forecast: pd.DataFrame, actual: pd.DataFrame, period: Period, lag: int
) -> dict[str, pd.DataFrame]:
    """WAPE, MAPE and bias by provider at ``lag`` days, with plain pandas."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    rows = forecast[(forecast["period_start"] >= start) & (forecast["period_start"] < end)]
    cutoff = rows["period_start"].dt.tz_localize("UTC") - pd.Timedelta(days=lag)
    rows = rows[rows["submitted_at"] <= cutoff]
    point = ["provider", "item", "location", "bucket", "period_start"]
    latest = rows.loc[rows.groupby(point, sort=False)["submitted_at"].idxmax()]
    slot = ["item", "location", "bucket", "period_start"]
    seen = actual[(actual["period_start"] >= start) & (actual["period_start"] < end)]
    seen = seen.groupby(slot, as_index=False)["quantity"].sum()
    points = latest.merge(seen, on=slot, suffixes=("", "_actual"))
    points["error"] = points["quantity"] - points["quantity_actual"]
    points["abs"] = points["error"].abs()
    by = points.groupby("provider")
    total = by["quantity_actual"].sum()
    nonzero = points[points["quantity_actual"] != 0]
    ape = (nonzero["abs"] / nonzero["quantity_actual"].abs()).groupby(nonzero["provider"])
    return {
        "forecast_wape": pd.DataFrame(
            {"value": by["abs"].sum() / total.where(total != 0), "basis": by.size()}
        ),
        "forecast_mape": pd.DataFrame({"value": ape.mean(), "basis": ape.size()}),
        "forecast_bias": pd.DataFrame(
            {"value": by["error"].sum() / total.where(total != 0), "basis": by.size()}
        ),
    }


def reference(frames: dict[str, pd.DataFrame], period: Period, lag: int) -> dict[str, Any]:
    found = reference_deliveries(frames["deliveries"], period)
    found |= reference_forecasts(frames["forecasts"], frames["actuals"], period, lag)
    return found


# --- comparison and report -----------------------------------------------------------------------


def disagreement(got: dict[str, pl.DataFrame], expected: dict[str, pd.DataFrame]) -> float:
    """The largest relative difference of a value; exits when a provider or basis differs."""
    worst = 0.0
    for key in KEYS:
        mine = got[key].sort("provider")
        theirs = expected[key].sort_index()
        if mine["provider"].to_list() != theirs.index.to_list():
            raise SystemExit(f"{key}: the engine's providers differ from the reference's")
        if mine["basis"].to_list() != theirs["basis"].astype(int).to_list():
            raise SystemExit(f"{key}: the engine's basis differs from the reference's")
        a = mine["value"].to_numpy().astype(float)
        b = theirs["value"].to_numpy().astype(float)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            raise SystemExit(f"{key}: the engine's null values differ from the reference's")
        both = ~np.isnan(a)
        scale = np.maximum(np.abs(b[both]), 1e-12)
        worst = max(worst, float(np.max(np.abs(a[both] - b[both]) / scale, initial=0.0)))
    if worst > 1e-9:
        raise SystemExit(f"values differ from the reference by up to {worst:.2e} (relative)")
    return worst


def best(action: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    result, seconds = timed(action)
    for _ in range(repeat - 1):
        seconds = min(seconds, timed(action)[1])
    return result, seconds


def main() -> None:
    """Generate the data, run the engine and the reference, compare and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delivery-rows", type=int, default=7_000_000)
    parser.add_argument("--forecast-rows", type=int, default=3_000_000)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--lag-days", type=int, default=7)
    parser.add_argument("--period", default="2026")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (best kept)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} ({os.cpu_count()} CPUs), Python "
        f"{platform.python_version()}, polars {pl.__version__} ({pl.thread_pool_size()} threads), "
        f"pandas {pd.__version__}, {time.strftime('%Y-%m-%d')}"
    )
    rng = np.random.default_rng(args.seed)
    (raw, generating) = timed(
        lambda: (
            deliveries(args.delivery_rows, args.partners, rng),
            *forecasts(args.forecast_rows, args.partners, rng),
        )
    )
    schemas = (DELIVERIES, FORECASTS, ACTUALS)
    labels = ("deliveries", "forecasts", "actuals")
    frames = {k: to_polars(c, s) for k, c, s in zip(labels, raw, schemas, strict=True)}
    pandas_frames = {k: to_pandas(c) for k, c in zip(labels, raw, strict=True)}
    del raw
    period = parse_period(args.period)
    sizes = ", ".join(f"{frames[k].height:,} {k}" for k in labels)
    print(f"data: {sizes} rows, {args.partners} partners (generated in {generating:.1f} s)")
    print(f"KPIs of {period.label} by provider: {', '.join(KEYS)} (lag {args.lag_days} days)")
    once, t_once = best(lambda: engine_once(frames, period, args.lag_days), args.repeat)
    each, t_each = best(lambda: engine_each(frames, period, args.lag_days), args.repeat)
    expected, t_ref = best(lambda: reference(pandas_frames, period, args.lag_days), args.repeat)
    worst = max(disagreement(once, expected), disagreement(each, expected))
    rows = sum(frames[k].height for k in labels)
    print(f"  {'run':40} {'seconds':>8} {'rows/s':>12} {'vs pandas':>10}")
    for label, seconds in (
        ("pandas groupby reference", t_ref),
        ("engine, one pass per frame (*_kpis)", t_once),
        ("engine, each KPI's own function", t_each),
    ):
        print(f"  {label:40} {seconds:8.2f} {rows / seconds:12,.0f} {t_ref / seconds:9.1f}x")
    print(
        f"  target: engine < 10 s and >= 3x the reference; {len(KEYS)} KPIs x "
        f"{once['otif'].height} providers agree with the reference (relative {worst:.1e})"
    )


if __name__ == "__main__":
    main()
