"""The partner datasets: one strict pydantic model per dataset, a registry, and batch validation.

A partner submits records of one dataset (forecasts, capacity, inventory, deliveries, risk
signals, disruptions). :func:`validate_records` checks a whole batch and reports every defect with
a JSON pointer into the request (``#/records/3/quantity``); :func:`check_references` reports keys
the ecosystem does not know. The models are strict: numbers must be numbers and text must be text
(``"5"`` is not a quantity); dates are ISO 8601 text (``2026-01-05``) or ``date`` objects, times
ISO 8601 text with a UTC offset or aware ``datetime`` objects. Quantities are in the item's units.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from operator import attrgetter
from typing import Annotated, Any, Literal, NamedTuple, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from podium.ecosystem.spec import Identifier
from podium.integrate.shape import Shape

MAX_ERRORS = 1_000
MAX_INT = 2**31 - 1
"""Largest whole number a record field holds (a 32-bit database integer)."""
"""Errors reported one by one; the rest are counted in a final ``and N more`` entry."""
Bucket = Literal["day", "week", "month"]
Category = Literal[
    "financial", "geopolitical", "natural_hazard", "cyber", "quality", "capacity", "labour",
    "regulatory", "logistics", "other",
]  # fmt: skip
CATEGORIES: tuple[str, ...] = get_args(Category)
"""Risk-signal categories."""
Reference = Literal["item", "site", "actor_or_site"]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_FORMAT = "expected a time as ISO 8601 with an offset, e.g. 2026-01-05T08:00:00Z"


def _iso_date(value: Any) -> Any:
    """Accept ``date`` objects (a ``datetime`` only at midnight) and ``YYYY-MM-DD`` text."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time() or value.tzinfo is not None:
            raise PydanticCustomError("date_type", "expected a date without a time")
        return value.date()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_value", "not a calendar date") from None
    if isinstance(value, date):
        return value
    raise PydanticCustomError("date_type", "expected a date as YYYY-MM-DD")


def _iso_datetime(value: Any) -> Any:
    """Accept ``datetime`` objects and ISO 8601 text (the type then refuses naive times)."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("datetime_type", _TIME_FORMAT) from None


Day = Annotated[date, BeforeValidator(_iso_date)]
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]
Units = Annotated[float, Field(ge=0)]
Text = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _located(name: str, detail: str) -> PydanticCustomError:
    """An error of a rule over several fields, located at field ``name`` (see ``_problem``)."""
    return PydanticCustomError("combination", "{detail}", {"field": name, "detail": detail})


def _check_period(period_start: date, bucket: str) -> None:
    if bucket == "week" and period_start.weekday() != 0:
        detail = f"a week starts on a Monday ({period_start} is a {period_start:%A})"
        raise _located("period_start", detail)
    if bucket == "month" and period_start.day != 1:
        raise _located("period_start", f"a month starts on the 1st (got {period_start})")


class _Record(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", allow_inf_nan=False, str_strip_whitespace=True, frozen=True
    )


class Forecast(_Record):
    """Demand a partner forecasts for an item at a location and period (units per period)."""

    item: Identifier = Field(description="item key")
    location: Identifier = Field(description="site key where the demand arises")
    period_start: Day = Field(description="first day of the period (a Monday for a week)")
    bucket: Bucket = Field(description="period length: day, week (Monday-Sunday) or month")
    quantity: Units = Field(description="demand in the period, units, >= 0")
    horizon_days: int | None = Field(
        None, ge=0, le=MAX_INT, description="days from forecast to period"
    )
    comment: Text | None = Field(default=None, description="free text")

    @model_validator(mode="after")
    def _period(self) -> Forecast:
        _check_period(self.period_start, self.bucket)
        return self


class CapacityCommitment(_Record):
    """Capacity of an item or capacity group at a site for a period (CX-0128 style), units."""

    capacity_group: Name | None = Field(None, description="capacity group key (or give item)")
    item: Identifier | None = Field(default=None, description="item key (give it or group)")
    site: Identifier = Field(description="site key of the capacity")
    period_start: Day = Field(description="first day of the period (a Monday for a week)")
    bucket: Bucket = Field(description="period length: day, week (Monday-Sunday) or month")
    actual: Units = Field(description="capacity planned for the period, units/period, >= 0")
    maximum: Units = Field(description="most the site could make, units/period, >= actual")
    agreed: Units | None = Field(default=None, description="capacity agreed, units/period")

    @model_validator(mode="after")
    def _consistent(self) -> CapacityCommitment:
        if self.capacity_group is None and self.item is None:
            raise _located("item", "give an item or a capacity_group")
        if self.maximum < self.actual:
            detail = f"maximum {self.maximum:g} is below actual {self.actual:g}"
            raise _located("maximum", detail)
        _check_period(self.period_start, self.bucket)
        return self


class InventoryPosition(_Record):
    """Stock of an item at a site at the end of a day (units)."""

    site: Identifier = Field(description="site key")
    item: Identifier = Field(description="item key")
    as_of: Day = Field(description="the day the stock was counted")
    on_hand: Units = Field(description="units on hand, >= 0")
    in_transit: Units = Field(default=0.0, description="units shipped to the site, not arrived")
    days_of_supply: Units | None = Field(None, description="days the stock covers, >= 0")


class Delivery(_Record):
    """An order line: promised date and quantity against delivered date and quantity (units)."""

    order_id: Name = Field(max_length=120, description="order id (any text)")
    line: int = Field(default=1, ge=1, le=MAX_INT, description="order line number, from 1")
    item: Identifier = Field(description="item key")
    ship_to: Identifier | None = Field(default=None, description="site key delivered to")
    ordered_date: Day | None = Field(default=None, description="day the order was placed")
    promised_date: Day = Field(description="day the delivery was promised for")
    promised_quantity: float = Field(gt=0, description="units promised, > 0")
    delivered_date: Day | None = Field(default=None, description="day it was delivered")
    delivered_quantity: Units | None = Field(None, description="units delivered, >= 0")

    @model_validator(mode="after")
    def _delivered(self) -> Delivery:
        if self.delivered_date is not None and self.delivered_quantity is None:
            raise _located("delivered_quantity", "required when delivered_date is given")
        if self.ordered_date is not None and self.ordered_date > self.promised_date:
            detail = f"ordered_date {self.ordered_date} is after promised_date"
            raise _located("ordered_date", detail)
        return self


class RiskSignal(_Record):
    """A risk observed about an actor or a site."""

    subject: Identifier = Field(description="actor or site key")
    category: Category = Field(description=f"one of: {', '.join(CATEGORIES)}")
    severity: int = Field(ge=1, le=5, description="1 (minor) to 5 (severe)")
    source: Text = Field(min_length=1, description="who reported it: a feed, a URL, a person")
    observed_at: Moment = Field(description="when it was observed, ISO 8601 with offset")
    description: Text | None = Field(default=None, description="free text")


class Disruption(_Record):
    """A disruption of an actor or a site: when it started and when it recovered."""

    subject: Identifier = Field(description="actor or site key")
    started_at: Moment = Field(description="start, ISO 8601 with offset")
    recovered_at: Moment | None = Field(None, description="full recovery (absent: ongoing)")
    cause: Text | None = Field(default=None, description="free text")
    affected_items: list[Identifier] = Field(default_factory=list, description="item keys")

    @model_validator(mode="after")
    def _recovered(self) -> Disruption:
        if self.recovered_at is not None and self.recovered_at <= self.started_at:
            raise _located("recovered_at", "must be after started_at")
        return self


@dataclass(frozen=True)
class DatasetSpec:
    """A partner dataset: its model, record key, shape, references and submission cadence.

    ``key`` names the fields that identify a record: a record with the key of a stored one
    supersedes it (the history stays). ``references`` maps fields to what they must name in
    the ecosystem. ``cadence_days`` is how often partners are expected to submit (None: when
    something happens).
    """

    name: str
    title: str
    model: type[BaseModel]
    key: tuple[str, ...]
    shape: Shape
    references: dict[str, Reference] = field(default_factory=dict)
    cadence_days: int | None = None

    @property
    def required(self) -> tuple[str, ...]:
        """Fields every record must give."""
        return tuple(n for n, info in self.model.model_fields.items() if info.is_required())

    @property
    def optional(self) -> tuple[str, ...]:
        """Fields a record may leave out (data-quality completeness counts them)."""
        return tuple(n for n, info in self.model.model_fields.items() if not info.is_required())


_PERIOD = ("period_start", "bucket")
DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "forecasts", "Demand forecasts", Forecast, ("item", "location", *_PERIOD),
            Shape("period_start", "item", "location", ("bucket",), ("quantity",)),
            {"item": "item", "location": "site"}, 7,
        ),
        DatasetSpec(
            "capacity", "Capacity commitments", CapacityCommitment,
            ("capacity_group", "item", "site", *_PERIOD),
            Shape("period_start", "item", "site", ("bucket", "capacity_group"),
                  ("actual", "maximum", "agreed")),
            {"item": "item", "site": "site"}, 7,
        ),
        DatasetSpec(
            "inventory", "Inventory positions", InventoryPosition, ("site", "item", "as_of"),
            Shape("as_of", "item", "site", (), ("on_hand", "in_transit")),
            {"site": "site", "item": "item"}, 1,
        ),
        DatasetSpec(
            "deliveries", "Orders and deliveries", Delivery, ("order_id", "line"),
            Shape("promised_date", "item", "ship_to", (),
                  ("promised_quantity", "delivered_quantity")),
            {"item": "item", "ship_to": "site"}, 1,
        ),
        DatasetSpec(
            "risk_signals", "Risk signals", RiskSignal,
            ("subject", "category", "source", "observed_at"),
            Shape("observed_at", None, "subject", ("category", "severity")),
            {"subject": "actor_or_site"}, None,
        ),
        DatasetSpec(
            "disruptions", "Disruptions", Disruption, ("subject", "started_at"),
            Shape("started_at", None, "subject"),
            {"subject": "actor_or_site", "affected_items": "item"}, None,
        ),
    )
}  # fmt: skip
"""Every dataset by name. ``risk_signals`` and ``disruptions`` have no measures: aggregated
reads count rows; their subject (an actor or a site) coarsens to the site's region."""


class DatasetError(Exception):
    """Records refused: ``errors`` holds one ``{"pointer"|"row"+"column", "detail"}`` per defect."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} error(s) in the records")
        self.errors = errors


class Problem(NamedTuple):
    """A defect of record ``record`` (from 0) at ``loc`` (field, list positions; () = all)."""

    record: int
    loc: tuple[str | int, ...]
    detail: str


def spec_of(dataset: str) -> DatasetSpec:
    """Return a dataset's spec; raise DatasetError at ``#/dataset`` for an unknown name."""
    spec = DATASETS.get(dataset)
    if spec is None:
        detail = f"no dataset {dataset!r} (known: {', '.join(DATASETS)})"
        raise DatasetError([{"pointer": "#/dataset", "detail": detail}])
    return spec


@cache
def _adapter(dataset: str) -> TypeAdapter[list[BaseModel]]:
    generic: Any = list  # a list of the dataset's model, built at run time
    return TypeAdapter(generic[DATASETS[dataset].model])


def find_problems(
    dataset: str, records: Sequence[Any], *, name: Callable[[int], str] = "record {}".format
) -> tuple[list[BaseModel], list[Problem]]:
    """Validate every record; return the valid ones and every problem, in record order.

    ``name(index)`` names a record in messages (a duplicate key names the first record with
    it). A valid batch takes one pass of pydantic-core over the list; otherwise the records
    without errors are validated again one by one, so duplicate keys among them are found too.
    """
    spec, batch = spec_of(dataset), list(records)
    try:
        models = _adapter(dataset).validate_python(batch)
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors(include_url=False)]
        bad = {p.record for p in problems}
        model = spec.model
        valid = [(i, model.model_validate(r)) for i, r in enumerate(batch) if i not in bad]
        problems += _duplicates(spec, valid, name)
        problems.sort(key=lambda p: p.record)
        return [record for _, record in valid], problems
    keys = list(map(attrgetter(*spec.key), models))
    if len(set(keys)) == len(keys):
        return models, []
    return models, _duplicates(spec, list(enumerate(models)), name)


def _problem(error: Any) -> Problem:
    """Turn a pydantic error of a list item into a problem located at its field."""
    index, *loc = error["loc"]
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "combination":
        loc.append(ctx["field"])
    if kind == "missing":
        detail = "required"
    elif kind == "extra_forbidden":
        detail = "unknown field"
    elif kind in ("combination", "model_type", "dict_type"):
        detail = error["msg"]
    else:
        detail = f"{error['msg']} (got {_short(error['input'])})"
    return Problem(index, tuple(loc), detail)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _duplicates(
    spec: DatasetSpec, valid: list[tuple[int, BaseModel]], name: Callable[[int], str]
) -> list[Problem]:
    """Problems for records whose key an earlier record of the batch already has."""
    get, found = attrgetter(*spec.key), []
    seen: dict[Any, int] = {}
    for index, record in valid:
        key = get(record)
        first = seen.setdefault(key, index)
        if first != index:
            names = ", ".join(spec.key)
            detail = f"same key ({names}) as {name(first)}: a batch gives each key once"
            found.append(Problem(index, (), detail))
    return found


def pointer_of(base: str, loc: Sequence[str | int]) -> str:
    """Return the JSON pointer of ``loc`` under ``base`` (``~`` and ``/`` escaped, RFC 6901)."""
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in loc)
    return "/".join((base, *parts))


def capped(errors: list[dict[str, Any]], more: dict[str, Any]) -> list[dict[str, Any]]:
    """Keep the first :data:`MAX_ERRORS` errors; count the rest in ``more`` plus its detail."""
    if len(errors) <= MAX_ERRORS:
        return errors
    extra = len(errors) - MAX_ERRORS
    return [*errors[:MAX_ERRORS], {**more, "detail": f"and {extra} more error(s)"}]


def validate_records(
    dataset: str, records: Sequence[Any], *, pointer: str = "#/records"
) -> list[BaseModel]:
    """Validate a batch of ``dataset`` records; raise DatasetError listing every defect.

    Errors point into the request (``#/records/3/quantity``; ``#/records/3`` for a whole
    record, e.g. a key given twice in the batch, reported on the later record).
    """
    valid, problems = find_problems(dataset, records)
    if problems:
        errors = [{"pointer": pointer_of(pointer, (p.record, *p.loc)), "detail": p.detail}
                  for p in problems]  # fmt: skip
        raise DatasetError(capped(errors, {"pointer": pointer}))
    return valid


def check_references(
    dataset: str,
    records: Sequence[BaseModel],
    *,
    items: Collection[str],
    sites: Collection[str],
    actors: Collection[str],
    pointer: str = "#/records",
) -> list[dict[str, Any]]:
    """Return an error for each key in ``records`` that names no item, site or actor."""
    spec = spec_of(dataset)
    sites = set(sites)
    known: dict[str, Collection[str]] = {
        "item": set(items), "site": sites, "actor_or_site": set(actors) | sites,
    }  # fmt: skip
    errors: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        for name, kind in spec.references.items():
            for loc, key in _keys_of(record, name):
                if key not in known[kind]:
                    what = "actor or site" if kind == "actor_or_site" else kind
                    errors.append({"pointer": pointer_of(pointer, (index, *loc)),
                                   "detail": f"no {what} {key!r} in this ecosystem"})  # fmt: skip
    return capped(errors, {"pointer": pointer})


def _keys_of(record: BaseModel, name: str) -> list[tuple[tuple[str | int, ...], str]]:
    """Return (location, key) for each key a reference field gives (none, one or a list)."""
    value = getattr(record, name)
    if isinstance(value, list):
        return [((name, position), key) for position, key in enumerate(value)]
    return [] if value is None else [((name,), value)]


def to_row(record: BaseModel) -> dict[str, Any]:
    """Return a record as the plain dict stored and returned (times converted to UTC)."""
    row = record.model_dump()
    for name, value in row.items():
        if isinstance(value, datetime):
            row[name] = value.astimezone(UTC)
    return row


@cache
def _field_adapter(dataset: str, name: str) -> TypeAdapter[Any]:
    info = DATASETS[dataset].model.model_fields[name]
    annotated: Any = (
        Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    )
    return TypeAdapter(annotated)


def typed_values(spec: DatasetSpec, name: str, values: Sequence[str]) -> list[Any]:
    """Return filter ``values`` of field ``name`` as the field's type (``region`` and ``family``
    filter the place and item fields); raise DatasetError for an unknown field or a bad value."""
    coarse = {"region": spec.shape.place_field, "family": spec.shape.item_field}
    if name not in spec.model.model_fields:
        if coarse.get(name):
            return [str(v) for v in values]
        raise DatasetError(
            [{"pointer": f"#/query/{name}", "detail": f"{spec.name} has no field {name!r}"}]
        )
    adapter = _field_adapter(spec.name, name)
    found, errors = [], []
    for value in values:
        try:
            found.append(adapter.validate_python(value))
        except ValidationError as error:
            detail = f"{value!r} is not a valid {name}: {error.errors()[0]['msg']}"
            errors.append({"pointer": f"#/query/{name}", "detail": detail})
    if errors:
        raise DatasetError(errors)
    return found
