"""Data-sharing agreements: the ODRL 2.2 policies Podium enforces, and their enforcement.

References: W3C ODRL Information Model 2.2 (IM), W3C Recommendation of 15 February 2018; the
Catena-X ODRL profile (standard CX-0152). An agreement (an ODRL Agreement) shares one provider's
dataset with recipients for named purposes within a validity window, restricted by filters,
permitted fields and granularity, with a deletion duty. Reads are default deny: only an
agreement in force opens another's data. Reading and writing the ODRL JSON-LD, and which
policies are taken, is :mod:`podium.integrate.odrl`; :func:`parse_odrl` and :func:`to_odrl` are
re-exported here, imported on first use (``odrl`` builds on the classes below).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from podium.integrate.shape import Shape

if TYPE_CHECKING:
    from podium.integrate.odrl import parse_odrl, to_odrl

__all__ = [
    "CX",
    "ITEM_GRAINS",
    "ODRL",
    "ODRL_CONTEXT",
    "PLACE_GRAINS",
    "PODIUM",
    "PODIUM_PROFILE",
    "TERMS",
    "TIME_GRAINS",
    "Grain",
    "Grant",
    "PolicyError",
    "SharingAgreement",
    "apply_grant",
    "coarsen",
    "grants_for",
    "parse_odrl",
    "to_odrl",
]

TIME_GRAINS = ("raw", "day", "week", "month")
ITEM_GRAINS = ("item", "family")
PLACE_GRAINS = ("site", "region")
ODRL = "http://www.w3.org/ns/odrl/2/"
CX = "https://w3id.org/catenax/policy/"
PODIUM = "https://podium.example/odrl/"
ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
PODIUM_PROFILE = "podium:profile"
TERMS = ("cx-policy:FrameworkAgreement", "cx-policy:ContractReference", "profile")
_GRAINS = {"time": TIME_GRAINS, "item": ITEM_GRAINS, "place": PLACE_GRAINS}
_RESERVED = {"field", "profile", "timeGranularity", "itemGranularity", "placeGranularity"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PolicyError(Exception):
    """A policy or agreement Podium cannot enforce as written; ``errors`` lists every problem."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['pointer']}: {e['detail']}" for e in errors))


@dataclass(frozen=True)
class Grain:
    """Granularity of a share: time (raw, day, week, month), item (item, family), place."""

    time: str = "raw"
    item: str = "item"
    place: str = "site"

    def __post_init__(self) -> None:
        if bad := [(axis, v) for axis, v in self.axes() if v not in _GRAINS[axis]]:
            raise PolicyError([_error(f"#/grain/{a}", f"{v!r}: no {a} grain") for a, v in bad])

    def axes(self) -> tuple[tuple[str, str], ...]:
        """The (axis, grain) pairs: time, item, place."""
        return (("time", self.time), ("item", self.item), ("place", self.place))

    @property
    def is_raw(self) -> bool:
        """Whether rows are shared as recorded (no aggregation on any axis)."""
        return self == Grain()

    def coarsest(self, other: Grain) -> Grain:
        """Return the coarser of the two grains on each axis."""
        pairs = zip(self.axes(), other.axes(), strict=True)
        return Grain(*(max(a, b, key=_GRAINS[axis].index) for (axis, a), (_, b) in pairs))


@dataclass(frozen=True)
class SharingAgreement:
    """One provider's dataset shared with recipients (an ODRL Agreement); see the module doc.

    Sequences are de-duplicated in order and datetimes made UTC (naive ones taken as UTC); an
    agreement that cannot be enforced raises :class:`PolicyError` (pointers to its fields).
    """

    key: str
    provider: str
    recipients: tuple[str, ...]
    dataset: str
    purposes: tuple[str, ...]
    fields: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    grain: Grain = Grain()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    delete_after_days: int | None = None
    terms: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("recipients", "purposes", "fields"):
            object.__setattr__(self, name, _unique(getattr(self, name)))
        object.__setattr__(self, "filters", {k: _unique(v) for k, v in self.filters.items()})
        object.__setattr__(self, "terms", dict(self.terms))
        for name in ("valid_from", "valid_until"):
            moment = getattr(self, name)
            object.__setattr__(self, name, None if moment is None else _aware(moment))
        if errors := _agreement_errors(self):
            raise PolicyError(errors)


def _error(pointer: str, detail: str) -> dict[str, str]:
    return {"pointer": pointer, "detail": detail}


def _unique(values: Iterable[str] | str) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(dict.fromkeys(values))


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _strings(values: Sequence[object]) -> bool:
    return bool(values) and all(isinstance(v, str) and v for v in values)


def _is_name(value: object) -> bool:
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def _agreement_errors(a: SharingAgreement) -> list[dict[str, str]]:
    named: dict[str, tuple[str, ...]] = {"key": (a.key,), "provider": (a.provider,)}
    named |= {"dataset": (a.dataset,)} | {"recipients": a.recipients, "purposes": a.purposes}
    found = [_error(f"#/{k}", "non-empty strings") for k, v in named.items() if not _strings(v)]
    found += [_error("#/fields", f"{f!r} is no field name") for f in a.fields if not _is_name(f)]
    found += [
        _error(f"#/filters/{name}", "a field name and at least one value")
        for name, values in a.filters.items()
        if not _is_name(name) or name in _RESERVED or not _strings(values)
    ]
    if a.valid_from and a.valid_until and a.valid_from >= a.valid_until:
        found.append(_error("#/valid_until", "must be after valid_from"))
    days = a.delete_after_days
    if days is not None and (type(days) is not int or days < 0):
        found.append(_error("#/delete_after_days", "a whole number of days, 0 or more"))
    found += [
        _error(f"#/terms/{name}", "not a recognised term and value")
        for name, value in a.terms.items()
        if name not in TERMS
        or not _strings([value])
        or (name == "profile" and not value.startswith("cx-policy:profile"))
    ]
    return found


# --- enforcing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """What one reader may see of one provider's dataset."""

    provider: str
    agreement: str | None  # None when the reader reads its own data
    fields: frozenset[str] | None  # None: every field
    filters: Mapping[str, tuple[str, ...]]
    grain: Grain


def grants_for(
    agreements: Iterable[SharingAgreement],
    *,
    reader: str | None,
    reader_groups: frozenset[str],
    dataset: str,
    purpose: str,
    at: datetime,
    providers: Iterable[str],
) -> list[Grant]:
    """Return the grants of a read, provider by provider (default deny).

    The reader's own data gives one raw, unrestricted grant (``agreement`` None); another
    provider's gives one grant per agreement in force at ``at`` (naive means UTC; ``valid_until``
    exclusive) for this dataset and purpose whose recipients include the reader or a group.
    """
    moment, who = _aware(at), reader_groups | ({reader} if reader is not None else set())
    usable = [
        a
        for a in agreements
        if a.dataset == dataset
        and purpose in a.purposes
        and who.intersection(a.recipients)
        and (a.valid_from is None or a.valid_from <= moment)
        and (a.valid_until is None or moment < a.valid_until)
    ]
    found: list[Grant] = []
    for provider in dict.fromkeys(providers):
        if reader is not None and provider == reader:
            found.append(Grant(provider, None, None, {}, Grain()))
            continue
        found += [
            Grant(provider, a.key, frozenset(a.fields) or None, dict(a.filters), a.grain)
            for a in usable
            if a.provider == provider
        ]
    return found


def coarsen(day: date, grain: str) -> date:
    """Return the first day of the ``grain`` period holding ``day`` (ISO weeks start Monday)."""
    day = day.date() if isinstance(day, datetime) else day
    if grain in ("raw", "day"):
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown time grain {grain!r}")


def _value(row: Mapping[str, Any], name: str, shape: Shape, grain: Grain, maps: Any) -> Any:
    """A field's value at ``grain`` (time coarsened, item to family, site to region)."""
    value = row.get(name)
    if name == shape.time_field and value is not None:
        return coarsen(
            date.fromisoformat(value[:10]) if isinstance(value, str) else value, grain.time
        )
    if name == shape.item_field and grain.item == "family" and value is not None:
        return maps[0].get(value, value)
    if name == shape.place_field and grain.place == "region":
        return "unknown" if value is None else maps[1].get(value, "unknown")
    return value


def _passes(row: Mapping[str, Any], grant: Grant, shape: Shape, maps: Any) -> bool:
    """Whether each filter allows the row (``family``/``region`` name the item's and site's)."""
    for name, allowed in grant.filters.items():
        derived = {"family": shape.item_field, "region": shape.place_field}.get(name)
        if name in row or derived is None:
            value = row.get(name)
        else:
            value = _value(row, derived, shape, Grain("raw", "family", "region"), maps)
        if value is None or str(value) not in allowed:
            return False
    return True


def apply_grant(
    rows: Iterable[Mapping[str, Any]],
    grant: Grant,
    shape: Shape,
    *,
    family_of: Mapping[str, str],
    region_of: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Apply a grant in memory: the reference the SQL pushdown is tested against.

    Rows pass the filters; at raw grain they keep their permitted fields. Otherwise they are
    grouped by the permitted grouping fields at the grain (under their own names; an item with
    no family is its own, an unknown site's region ``"unknown"``), permitted measures summed as
    SQL ``SUM`` does (``None`` skipped; all ``None`` gives ``None``), and a ``rows`` count added.
    """
    maps, allowed = (family_of, region_of), grant.fields
    kept = [row for row in rows if _passes(row, grant, shape, maps)]
    if grant.grain.is_raw:
        return [{k: v for k, v in row.items() if allowed is None or k in allowed} for row in kept]
    keys = [f for f in shape.grouping if allowed is None or f in allowed]
    measures = [m for m in shape.measures if allowed is None or m in allowed]
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in kept:
        key = tuple(_value(row, f, shape, grant.grain, maps) for f in keys)
        out = groups.setdefault(
            key, {**dict(zip(keys, key, strict=True)), **dict.fromkeys(measures)}
        )
        out["rows"] = out.get("rows", 0) + 1
        for m in measures:
            if row.get(m) is not None:
                out[m] = row[m] if out[m] is None else out[m] + row[m]
    order = sorted(groups, key=lambda key: [(v is None, "" if v is None else v) for v in key])
    return [groups[key] for key in order]


def __getattr__(name: str) -> Any:
    """Import :mod:`podium.integrate.odrl` on first use of ``parse_odrl`` or ``to_odrl``."""
    if name in ("parse_odrl", "to_odrl"):
        from podium.integrate import odrl

        return getattr(odrl, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
