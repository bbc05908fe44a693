"""Decision rights: who is responsible, accountable, consulted and informed (RACI) for each type
of decision, and the path of levels (operational, tactical, strategic) its escalations climb.

The catalogue gives every ecosystem the same starting point; an orchestrator edits the rights it
keeps (each edit a new version, see :mod:`podium.govern.forum_service`). The strategic types
(customer-impact risk, data access, intellectual property, strategic investment, major service
failure) always end at the strategic level, so their escalations reach the strategic forum;
routine types stop lower unless their path says otherwise.

Pure: plain values and pydantic models in, plain values out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from podium.govern.parties import parse_party

LEVELS = ("operational", "tactical", "strategic")
"""Decision levels, lowest first."""
RACI_ROLES = ("R", "A", "C", "I")
ROLE_WORDS = {"R": "responsible", "A": "accountable", "C": "consulted", "I": "informed"}


@dataclass(frozen=True)
class DefaultStep:
    """One level of a catalogue path: the kind of forum that decides there and its SLA (hours)."""

    level: str
    forum_kind: str
    sla_hours: float


@dataclass(frozen=True)
class DecisionType:
    """A catalogue entry: title, whether it is strategic, its default path, and the RACI letter
    the ecosystem's partners get by default (``None``: partners are not named)."""

    key: str
    title: str
    strategic: bool
    path: tuple[DefaultStep, ...]
    partners_as: str | None = None


def _steps(*steps: tuple[str, str, float]) -> tuple[DefaultStep, ...]:
    return tuple(DefaultStep(level, kind, hours) for level, kind, hours in steps)


CATALOGUE: dict[str, DecisionType] = {
    t.key: t
    for t in (
        DecisionType(
            "capacity_allocation",
            "Capacity allocation",
            False,
            _steps(
                ("operational", "operational_standup", 24),
                ("tactical", "joint_business_review", 72),
            ),
            partners_as="C",
        ),
        DecisionType(
            "customer_impact_risk",
            "Customer-impact risk",
            True,
            _steps(
                ("operational", "operational_standup", 4),
                ("tactical", "supplier_risk_review", 24),
                ("strategic", "steering_committee", 72),
            ),
        ),
        DecisionType(
            "data_access",
            "Data access",
            True,
            _steps(
                ("tactical", "joint_business_review", 48), ("strategic", "steering_committee", 120)
            ),
            partners_as="C",
        ),
        DecisionType(
            "intellectual_property",
            "Intellectual property",
            True,
            _steps(
                ("tactical", "joint_business_review", 72), ("strategic", "steering_committee", 168)
            ),
        ),
        DecisionType(
            "strategic_investment",
            "Strategic investment",
            True,
            _steps(
                ("tactical", "joint_business_review", 168), ("strategic", "steering_committee", 336)
            ),
        ),
        DecisionType(
            "major_service_failure",
            "Major service failure",
            True,
            _steps(
                ("operational", "operational_standup", 2),
                ("tactical", "supplier_risk_review", 8),
                ("strategic", "steering_committee", 24),
            ),
            partners_as="I",
        ),
        DecisionType(
            "routine_coordination",
            "Routine coordination",
            False,
            _steps(
                ("operational", "operational_standup", 24),
                ("tactical", "joint_business_review", 72),
            ),
            partners_as="I",
        ),
        DecisionType(
            "platform_terms",
            "Platform terms",
            False,
            _steps(
                ("tactical", "supplier_risk_review", 120), ("strategic", "steering_committee", 240)
            ),
        ),
        DecisionType(
            "dispute_resolution",
            "Dispute resolution",
            False,
            _steps(
                ("tactical", "joint_business_review", 168), ("strategic", "coalition_board", 336)
            ),
        ),
    )
}
"""The decision types every ecosystem starts from, by key."""

STRATEGIC_TYPES = frozenset(k for k, t in CATALOGUE.items() if t.strategic)


class PathStep(BaseModel):
    """One level of an escalation path: who owns it, which forum decides, how long it may take."""

    model_config = ConfigDict(extra="forbid")

    level: str = Field(description="operational, tactical or strategic")
    owner: str = Field(description="the owning party: actor:<key> or person:<name>")
    forum: str | None = Field(default=None, description="the key of the forum that decides")
    sla_hours: float = Field(description="hours the level has before the issue climbs")


class DecisionRightSpec(BaseModel):
    """One decision right as written: RACI (party -> R/A/C/I) and the escalation path."""

    model_config = ConfigDict(extra="forbid")

    decision_type: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    title: str = Field(min_length=1, max_length=200)
    strategic: bool = False
    raci: dict[str, str] = Field(default_factory=dict)
    path: list[PathStep] = Field(default_factory=list)


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a field, escaping ``~`` and ``/`` in keys."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _error(where: str, detail: str) -> dict[str, str]:
    return {"pointer": where, "detail": detail}


def _party_errors(party: str, where: str, actors: set[str] | None) -> list[dict[str, str]]:
    try:
        parsed = parse_party(party)
    except ValueError as exc:
        return [_error(where, str(exc))]
    if actors is not None and parsed.kind == "actor" and parsed.name not in actors:
        return [_error(where, f"no actor {parsed.name!r} in this ecosystem")]
    return []


def _raci_errors(raci: Mapping[str, str], actors: set[str] | None) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for party, role in raci.items():
        errors += _party_errors(party, pointer("raci", party), actors)
        if role not in RACI_ROLES:
            errors.append(_error(pointer("raci", party), f"{role!r} is not one of R, A, C, I"))
    accountable = [p for p, r in raci.items() if r == "A"]
    if len(accountable) != 1:
        found = ", ".join(accountable) or "none"
        errors.append(_error("/raci", f"name exactly one accountable party (A); found {found}"))
    if not any(r == "R" for r in raci.values()):
        errors.append(_error("/raci", "name at least one responsible party (R)"))
    return errors


def _path_errors(
    spec: DecisionRightSpec, actors: set[str] | None, forums: set[str] | None
) -> list[dict[str, str]]:
    if not spec.path:
        return [_error("/path", "give at least one level")]
    errors: list[dict[str, str]] = []
    previous = -1
    for i, step in enumerate(spec.path):
        if step.level not in LEVELS:
            errors.append(_error(pointer("path", i, "level"), f"{step.level!r} is not a level"))
        elif (rank := LEVELS.index(step.level)) <= previous:
            errors.append(
                _error(pointer("path", i, "level"), "levels must climb: each above the one before")
            )
        else:
            previous = rank
        errors += _party_errors(step.owner, pointer("path", i, "owner"), actors)
        if not (math.isfinite(step.sla_hours) and step.sla_hours > 0):
            errors.append(_error(pointer("path", i, "sla_hours"), "must be more than 0 hours"))
        if step.forum is not None and forums is not None and step.forum not in forums:
            errors.append(_error(pointer("path", i, "forum"), f"no active forum {step.forum!r}"))
    if spec.strategic and spec.path[-1].level != "strategic":
        errors.append(_error("/path", "a strategic right's path must end at the strategic level"))
    return errors


def validate_right(
    spec: DecisionRightSpec,
    *,
    actors: Iterable[str] | None = None,
    forums: Iterable[str] | None = None,
) -> list[dict[str, str]]:
    """Return what is wrong with a decision right, each error with a JSON pointer (empty: valid).

    ``actors`` and ``forums`` are the ecosystem's actor keys and active forum keys; ``None``
    skips that check. A catalogue type that is strategic must stay strategic.

    Examples
    --------
    >>> spec = DecisionRightSpec(decision_type="x", title="X", raci={"person:a": "R"},
    ...     path=[PathStep(level="operational", owner="person:a", sla_hours=4)])
    >>> validate_right(spec)
    [{'pointer': '/raci', 'detail': 'name exactly one accountable party (A); found none'}]
    """
    known_actors = set(actors) if actors is not None else None
    known_forums = set(forums) if forums is not None else None
    errors = _raci_errors(spec.raci, known_actors)
    if spec.decision_type in STRATEGIC_TYPES and not spec.strategic:
        errors.append(_error("/strategic", f"{spec.decision_type} is a strategic decision type"))
    return errors + _path_errors(spec, known_actors, known_forums)


def default_spec(
    decision_type: str,
    *,
    accountable: str,
    responsible: str,
    partners: Sequence[str] = (),
    forum_keys: Mapping[str, str] | None = None,
) -> DecisionRightSpec:
    """The catalogue's right for a type: ``accountable`` owns every level, ``responsible`` does
    the work, partners get the type's default letter; forum kinds map to keys via ``forum_keys``."""
    entry = CATALOGUE[decision_type]
    raci = {responsible: "R", accountable: "A"}
    if entry.partners_as is not None:
        raci.update({p: entry.partners_as for p in partners if p not in raci})
    keys = forum_keys or {}
    path = [
        PathStep(
            level=s.level, owner=accountable, forum=keys.get(s.forum_kind), sla_hours=s.sla_hours
        )
        for s in entry.path
    ]
    return DecisionRightSpec(
        decision_type=entry.key, title=entry.title, strategic=entry.strategic, raci=raci, path=path
    )


@dataclass(frozen=True)
class RaciRow:
    """One decision type of the matrix: its letters per party (``""``: not named) and its path."""

    decision_type: str
    title: str
    strategic: bool
    letters: tuple[str, ...]
    path: tuple[PathStep, ...]

    @property
    def top_level(self) -> str:
        """The highest level the type's escalations can reach."""
        return self.path[-1].level if self.path else ""


@dataclass(frozen=True)
class RaciMatrix:
    """Decision types (rows) by parties (columns): actors first, then persons, each by name."""

    parties: tuple[str, ...]
    rows: tuple[RaciRow, ...]

    def table(self) -> list[dict[str, Any]]:
        """Rows for a CSV/XLSX export: type, title, strategic, path, then one column per party."""
        return [
            {
                "decision_type": row.decision_type,
                "title": row.title,
                "strategic": row.strategic,
                "path": describe_path(row.path),
                **dict(zip(self.parties, row.letters, strict=True)),
            }
            for row in self.rows
        ]


def _party_order(party: str) -> tuple[int, str]:
    kind, _, name = party.partition(":")
    return (0 if kind == "actor" else 1, name.lower())


def raci_matrix(rights: Iterable[DecisionRightSpec]) -> RaciMatrix:
    """Lay rights out as a matrix of decision types (in the given order) by parties.

    Examples
    --------
    >>> spec = default_spec("data_access", accountable="actor:oem", responsible="person:ana")
    >>> matrix = raci_matrix([spec])
    >>> matrix.parties, matrix.rows[0].letters
    (('actor:oem', 'person:ana'), ('A', 'R'))
    """
    specs = list(rights)
    parties = tuple(sorted({p for s in specs for p in s.raci}, key=_party_order))
    rows = tuple(
        RaciRow(
            decision_type=s.decision_type,
            title=s.title,
            strategic=s.strategic,
            letters=tuple(s.raci.get(p, "") for p in parties),
            path=tuple(s.path),
        )
        for s in specs
    )
    return RaciMatrix(parties=parties, rows=rows)


def describe_path(path: Iterable[PathStep]) -> str:
    """The path in one line, e.g. ``operational: standup (4 h) > strategic: steering (72 h)``."""
    return " > ".join(
        f"{s.level}: {s.forum or 'no forum'} ({s.sla_hours:g} h, {s.owner})" for s in path
    )


def diff(old: DecisionRightSpec | None, new: DecisionRightSpec) -> list[dict[str, Any]]:
    """What changed from one version to the next: ``{"pointer", "before", "after"}`` per field
    (``None`` where the field was or is absent); a first version lists everything as added."""
    before = _flatten(old) if old is not None else {}
    after = _flatten(new)
    return [
        {"pointer": key, "before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def _flatten(spec: DecisionRightSpec) -> dict[str, Any]:
    flat: dict[str, Any] = {"/title": spec.title, "/strategic": spec.strategic}
    flat.update({pointer("raci", party): role for party, role in spec.raci.items()})
    for i, step in enumerate(spec.path):
        for name, value in step.model_dump().items():
            flat[pointer("path", i, name)] = value
    return flat
