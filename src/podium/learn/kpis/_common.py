"""Shared pieces of the KPI functions: period filters, grouping and the result's shape."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

import polars as pl

from podium.learn.periods import Period

RESULT = {"value": pl.Float64, "basis": pl.Int64}


def keys(*parts: Iterable[str]) -> list[str]:
    """The columns of ``parts`` in order, each once."""
    return list(dict.fromkeys(name for part in parts for name in part))


def check_by(by: Sequence[str], allowed: Iterable[str], what: str) -> list[str]:
    """``by`` as a list; a ``ValueError`` naming the allowed columns if one is not allowed."""
    allowed = list(allowed)
    wrong = [name for name in by if name not in allowed]
    if wrong:
        raise ValueError(
            f"{what} cannot be grouped by {', '.join(wrong)}: use {', '.join(allowed)}"
        )
    return list(dict.fromkeys(by))


def utc(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(), tzinfo=UTC)


def in_period(column: str, period: Period, *, timestamp: bool = False) -> pl.Expr:
    """``column`` (a date, or a UTC datetime with ``timestamp``) falls in ``period``."""
    if timestamp:
        start, end = utc(period.start), utc(period.end)
        return (pl.col(column) >= start) & (pl.col(column) < end)
    return (pl.col(column) >= period.start) & (pl.col(column) < period.end)


def aggregate(
    frame: pl.DataFrame | pl.LazyFrame, by: Sequence[str], *exprs: pl.Expr
) -> pl.LazyFrame:
    """``exprs`` per group of ``by``; over the whole frame (one row) when ``by`` is empty."""
    if by:
        return frame.lazy().group_by(list(by)).agg(*exprs)
    return frame.lazy().select(*exprs)


def finish(frame: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """The contract's shape: ``[*by, value, basis]``, ``value`` null where ``basis`` is 0.

    With no ``by`` there is exactly one row (``null``, 0 when there is no data); with ``by``
    one row per group, none when there is no data; sorted by ``by``.
    """
    if not by and frame.height == 0:
        return pl.DataFrame({"value": [None], "basis": [0]}, schema=RESULT)
    basis = pl.col("basis").fill_null(0).cast(pl.Int64)
    value = pl.when(basis > 0).then(pl.col("value").cast(pl.Float64))
    text = [
        pl.col(name).cast(pl.Utf8) for name in by if isinstance(frame.schema[name], pl.Categorical)
    ]
    result = frame.with_columns(text).select(*by, value.alias("value"), basis.alias("basis"))
    return result.sort(list(by), nulls_last=True) if by else result


def scalar(value: float | None, by: Sequence[str]) -> pl.DataFrame:
    """One ecosystem-wide row for a value computed elsewhere; ``by`` columns are null."""
    columns: dict[str, list[object]] = {name: [None] for name in dict.fromkeys(by)}
    schema: dict[str, pl.DataType | type[pl.DataType]] = dict.fromkeys(columns, pl.Utf8)
    frame = pl.DataFrame(
        {**columns, "value": [value], "basis": [0 if value is None else 1]},
        schema={**schema, **RESULT},
    )
    return frame
