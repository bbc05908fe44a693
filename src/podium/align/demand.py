"""Demand models for the newsvendor contracts and their primitives.

A :class:`Demand` is the buyer's forecast of one selling season's demand (units): normal or
lognormal (mean and standard deviation), Poisson (mean), or empirical (a forecast plus a sample
of its past additive errors, each outcome equally likely, floored at zero). Every method takes
and returns numpy arrays (element by element), so the contracts evaluate whole grids at once.

The newsvendor primitives (Cachon 2003, section 2; Cachon & Terwiesch, *Matching Supply with
Demand*, ch. 12), for an order of ``q`` units and demand ``D``:

- expected leftover inventory ``I(q) = E[(q - D)+]``;
- expected sales ``S(q) = E[min(q, D)] = q - I(q)``;
- expected lost sales ``L(q) = E[(D - q)+] = mu - S(q)``.

The normal model is the textbook's: it is not truncated at zero (keep ``sd`` well below the
mean). The Poisson and empirical models are discrete: ``I`` is the exact piecewise-linear
expectation at any real ``q``, and the quantile is the smallest outcome whose cumulative
probability reaches the ratio, as in the textbook's tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats

Array = np.ndarray[Any, np.dtype[np.float64]]
ArrayLike = float | np.ndarray[Any, Any]
DemandKind = Literal["normal", "lognormal", "poisson", "empirical"]
KINDS: tuple[DemandKind, ...] = ("normal", "lognormal", "poisson", "empirical")
SPECS = "normal:MEAN:SD, lognormal:MEAN:SD, poisson:MEAN or empirical:FORECAST:E1,E2,..."


class InputError(ValueError):
    """Bad model input; ``field`` names the offending input (``price``, ``demand``, ...)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _finite(value: float, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise InputError(name, "must be a finite number")
    return number


@dataclass(frozen=True)
class Demand:
    """One season's demand (units). Build it with the class methods or :func:`parse_demand`."""

    kind: DemandKind
    mean: float
    sd: float = 0.0
    sample: tuple[float, ...] = ()
    forecast: float | None = None
    _sorted: Array = field(init=False, repr=False, compare=False)
    _cumsum: Array = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        outcomes = np.sort(np.asarray(self.sample, dtype=float))
        object.__setattr__(self, "_sorted", outcomes)
        object.__setattr__(self, "_cumsum", np.concatenate(([0.0], np.cumsum(outcomes))))

    @classmethod
    def normal(cls, mean: float, sd: float) -> Demand:
        """Normal demand with ``mean`` and standard deviation ``sd`` (units)."""
        mean, sd = _finite(mean, "demand.mean"), _finite(sd, "demand.sd")
        if mean <= 0:
            raise InputError("demand.mean", "must be positive")
        if sd <= 0:
            raise InputError("demand.sd", "must be positive")
        return cls("normal", mean, sd)

    @classmethod
    def lognormal(cls, mean: float, sd: float) -> Demand:
        """Lognormal demand with the given ``mean`` and standard deviation ``sd`` (units)."""
        found = cls.normal(mean, sd)
        return cls("lognormal", found.mean, found.sd)

    @classmethod
    def poisson(cls, mean: float) -> Demand:
        """Poisson demand with ``mean`` (units; the variance equals the mean)."""
        mean = _finite(mean, "demand.mean")
        if mean <= 0:
            raise InputError("demand.mean", "must be positive")
        return cls("poisson", mean, math.sqrt(mean))

    @classmethod
    def empirical(cls, forecast: float, errors: Sequence[float]) -> Demand:
        """Demand ``forecast + e`` (floored at 0) for each past forecast error ``e`` (units),
        each equally likely: the shared forecast and its track record."""
        forecast = _finite(forecast, "demand.forecast")
        if forecast < 0:
            raise InputError("demand.forecast", "must not be negative")
        if len(errors) < 2:
            raise InputError("demand.errors", "needs at least two forecast errors")
        values = [_finite(e, "demand.errors") for e in errors]
        outcomes = np.maximum(forecast + np.asarray(values), 0.0)
        if outcomes.max() <= 0:
            raise InputError("demand.errors", "every outcome is zero demand")
        return cls(
            "empirical",
            float(outcomes.mean()),
            float(outcomes.std()),
            tuple(float(x) for x in outcomes),
            forecast,
        )

    @property
    def spec(self) -> str:
        """The compact form :func:`parse_demand` reads, e.g. ``normal:1000:300``."""
        if self.kind == "poisson":
            return f"poisson:{self.mean:g}"
        if self.kind == "empirical":
            errors = ",".join(f"{x - (self.forecast or 0.0):g}" for x in self.sample)
            return f"empirical:{self.forecast:g}:{errors}"
        return f"{self.kind}:{self.mean:g}:{self.sd:g}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: kind, mean, sd and the spec."""
        return {"kind": self.kind, "mean": self.mean, "sd": self.sd, "spec": self.spec}

    # --- distribution ------------------------------------------------------------------------

    def _lognormal(self) -> tuple[float, float]:
        """(shape s, scale) of scipy's lognorm with this mean and sd."""
        s = math.sqrt(math.log1p((self.sd / self.mean) ** 2))
        return s, self.mean * math.exp(-s * s / 2)

    def cdf(self, q: ArrayLike) -> Array:
        """P(D <= q)."""
        x = np.asarray(q, dtype=float)
        if self.kind == "normal":
            return np.asarray(stats.norm.cdf(x, self.mean, self.sd))
        if self.kind == "lognormal":
            s, scale = self._lognormal()
            return np.asarray(stats.lognorm.cdf(x, s, scale=scale))
        if self.kind == "poisson":
            return np.asarray(stats.poisson.cdf(x, self.mean))
        return np.searchsorted(self._sorted, x, side="right") / self._sorted.size

    def ppf(self, ratio: ArrayLike) -> Array:
        """The smallest q with P(D <= q) >= ratio (units), ratio in [0, 1)."""
        a = np.asarray(ratio, dtype=float)
        if self.kind == "normal":
            return np.asarray(stats.norm.ppf(a, self.mean, self.sd))
        if self.kind == "lognormal":
            s, scale = self._lognormal()
            return np.asarray(stats.lognorm.ppf(a, s, scale=scale))
        if self.kind == "poisson":
            return np.asarray(stats.poisson.ppf(a, self.mean), dtype=float)
        return np.asarray(np.quantile(self._sorted, np.clip(a, 0, 1), method="inverted_cdf"))

    def leftover(self, q: ArrayLike) -> Array:
        """Expected leftover inventory I(q) = E[(q - D)+] (units)."""
        x = np.asarray(q, dtype=float)
        if self.kind == "normal":
            z = (x - self.mean) / self.sd
            return np.asarray(self.sd * (stats.norm.pdf(z) + z * stats.norm.cdf(z)))
        if self.kind == "lognormal":
            s, scale = self._lognormal()
            with np.errstate(divide="ignore", invalid="ignore"):
                d = np.log(np.maximum(x, 0.0) / scale) / s
            part = x * stats.norm.cdf(d) - self.mean * stats.norm.cdf(d - s)
            return np.asarray(np.where(x > 0, part, 0.0))
        if self.kind == "poisson":
            k = np.floor(x)
            part = x * stats.poisson.cdf(k, self.mean) - self.mean * stats.poisson.cdf(
                k - 1, self.mean
            )
            return np.asarray(np.where(x >= 0, part, 0.0))
        below = np.searchsorted(self._sorted, x, side="right")
        return np.asarray((below * x - self._cumsum[below]) / self._sorted.size)

    def sales(self, q: ArrayLike) -> Array:
        """Expected sales S(q) = E[min(q, D)] (units)."""
        x = np.asarray(q, dtype=float)
        return x - self.leftover(x)

    def lost_sales(self, q: ArrayLike) -> Array:
        """Expected lost sales L(q) = E[(D - q)+] (units)."""
        return self.mean - self.sales(q)

    def order(self, ratio: ArrayLike) -> Array:
        """The newsvendor order for a critical ratio (units): ``F^-1(ratio)``, none when the
        ratio is not positive, never negative."""
        a = np.asarray(ratio, dtype=float)
        quantile = self.ppf(np.clip(a, 0.0, 1.0))
        return np.where(a > 0, np.maximum(quantile, 0.0), np.where(np.isnan(a), np.nan, 0.0))


def _numbers(text: str, what: str, count: int) -> list[float]:
    parts = text.split(":")
    if len(parts) != count:
        raise InputError("demand", f"{what} takes {count - 1} number(s); use {SPECS}")
    try:
        return [float(p) for p in parts[1:]]
    except ValueError:
        raise InputError("demand", f"{text!r} has a value that is not a number") from None


def parse_demand(text: str) -> Demand:
    """Read ``normal:1000:300``, ``lognormal:1000:300``, ``poisson:40`` or
    ``empirical:1000:-120,35,80`` (a forecast and its past additive errors)."""
    spec = text.strip()
    kind = spec.split(":", 1)[0].strip().lower()
    if kind == "normal":
        return Demand.normal(*_numbers(spec, kind, 3))
    if kind == "lognormal":
        return Demand.lognormal(*_numbers(spec, kind, 3))
    if kind == "poisson":
        return Demand.poisson(*_numbers(spec, kind, 2))
    if kind == "empirical":
        parts = spec.split(":")
        if len(parts) != 3:
            raise InputError("demand", f"empirical takes a forecast and errors; use {SPECS}")
        try:
            errors = [float(e) for e in parts[2].split(",") if e.strip()]
            forecast = float(parts[1])
        except ValueError:
            raise InputError("demand", f"{text!r} has a value that is not a number") from None
        return Demand.empirical(forecast, errors)
    raise InputError("demand", f"unknown distribution {kind!r}; use {SPECS}")
