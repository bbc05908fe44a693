"""Value proposition of a proposed initiative: what each actor contributes, gains and risks, and
whether joining is rational for it (the *align* step of map, align, govern, integrate, learn).

An initiative has a joint gross ``gain`` (currency over its horizon, if it succeeds, with
probability ``success_probability``) and its actors, each with an ``investment`` (currency, paid
up front), what else it contributes (``data``, ``capacity``, in words), and a ``downside``
(currency it loses beyond its investment if the initiative fails). The gain is split by:

- ``shares``: each actor's agreed share (a shared-savings split; the shares sum to 1);
- ``proportional`` to the investments, or ``equal``;
- ``shapley`` or ``nucleolus`` of the sharing game whose ``coalition_values`` give the gross gain
  each coalition would realise on its own (``"A,B": 4.0e6``), via :mod:`podium.align.sharing`.

For each actor, with ``p`` the success probability and ``x`` its allocated gain (currency):

- expected gain ``p * x``; risk, the expected loss of a failure, ``(1 - p) * (investment +
  downside)``; worst case ``-(investment + downside)``;
- net ``p * x - investment - (1 - p) * downside`` (= ``p * (x - investment) - risk``);
- stand-alone: what it nets without the initiative, given, or by default 0 (for the sharing
  methods: ``p * v({i}) - investment - (1 - p) * downside``, as if it went alone);
- individually rational when net >= stand-alone; the shortfall says how much it lacks.

Because the Shapley value and the nucleolus are covariant under adding an additive game, splitting
gross gains and then subtracting the investments gives the same as splitting net values.
Pure: plain values; bad input raises :class:`ProposalError` naming the field by JSON pointer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from podium.align import sharing
from podium.align.games import GameError, game_from_mapping

SPLITS = ("shares", "proportional", "equal", "shapley", "nucleolus")
TOLERANCE = 1e-9


class ProposalError(ValueError):
    """An initiative refused: ``pointer`` is the JSON pointer of the offending field."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(f"{pointer}: {detail}")
        self.pointer, self.detail = pointer, detail


@dataclass(frozen=True)
class Party:
    """One actor of an initiative: what it puts in (currency, words) and what it risks."""

    actor: str
    investment: float = 0.0
    data: str | None = None
    capacity: str | None = None
    share: float | None = None
    downside: float = 0.0
    stand_alone: float | None = None


@dataclass(frozen=True)
class Initiative:
    """A proposed joint initiative (see the module docstring for the fields' meaning)."""

    title: str
    actors: tuple[Party, ...]
    gain: float | None = None
    split: str = "shares"
    success_probability: float = 1.0
    currency: str = "EUR"
    coalition_values: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Position:
    """One actor's value proposition (currency)."""

    actor: str
    investment: float
    data: str | None
    capacity: str | None
    gain: float
    expected_gain: float
    risk: float
    worst_case: float
    net: float
    stand_alone: float
    rational: bool
    shortfall: float
    reason: str


@dataclass(frozen=True)
class Proposition:
    """The initiative's value proposition: each actor's position, and whether all join."""

    title: str
    currency: str
    split: str
    gain: float
    success_probability: float
    positions: list[Position]
    rational: bool
    in_core: bool | None = None
    objections: list[dict[str, Any]] = field(default_factory=list)


def _number(raw: Any, where: str, *, minimum: float | None = 0.0) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ProposalError(where, "must be a finite number")
    if minimum is not None and raw < minimum:
        raise ProposalError(where, f"must be at least {minimum:g}")
    return float(raw)


def _text(raw: Any, where: str) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    raise ProposalError(where, "must be text")


def _party(raw: Any, i: int) -> Party:
    at = f"/actors/{i}"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("actor"), str) or not raw["actor"]:
        raise ProposalError(f"{at}/actor", "each actor needs its key")
    known = {"actor", "investment", "data", "capacity", "share", "downside", "stand_alone"}
    extra = sorted(set(raw) - known)
    if extra:
        raise ProposalError(
            f"{at}/{extra[0]}", f"unknown field (known: {', '.join(sorted(known))})"
        )
    share, alone = raw.get("share"), raw.get("stand_alone")
    return Party(
        actor=raw["actor"],
        investment=_number(raw.get("investment", 0.0), f"{at}/investment"),
        data=_text(raw.get("data"), f"{at}/data"),
        capacity=_text(raw.get("capacity"), f"{at}/capacity"),
        share=None if share is None else _number(share, f"{at}/share"),
        downside=_number(raw.get("downside", 0.0), f"{at}/downside"),
        stand_alone=None if alone is None else _number(alone, f"{at}/stand_alone", minimum=None),
    )


def parse_initiative(data: Any) -> Initiative:
    """Check an initiative given as a mapping (YAML/JSON); raise :class:`ProposalError`."""
    if not isinstance(data, Mapping):
        raise ProposalError("/", "an initiative is a mapping with title, gain, split and actors")
    raw_actors = data.get("actors")
    if not isinstance(raw_actors, Sequence) or isinstance(raw_actors, str) or not raw_actors:
        raise ProposalError("/actors", "give at least one actor")
    actors = tuple(_party(raw, i) for i, raw in enumerate(raw_actors))
    seen: set[str] = set()
    for i, party in enumerate(actors):
        if party.actor in seen:
            raise ProposalError(f"/actors/{i}/actor", f"{party.actor!r} is listed twice")
        seen.add(party.actor)
    split = data.get("split", "shares")
    if split not in SPLITS:
        raise ProposalError("/split", f"use one of {', '.join(SPLITS)}")
    p = _number(data.get("success_probability", 1.0), "/success_probability")
    if p > 1.0:
        raise ProposalError("/success_probability", "must be at most 1")
    gain = data.get("gain")
    initiative = Initiative(
        title=str(data.get("title") or data.get("key") or "initiative"),
        actors=actors,
        gain=None if gain is None else _number(gain, "/gain", minimum=None),
        split=split,
        success_probability=p,
        currency=str(data.get("currency") or "EUR"),
        coalition_values=data.get("coalition_values"),
    )
    _check_split(initiative)
    return initiative


def _check_split(initiative: Initiative) -> None:
    """Refuse a split that lacks what it needs (a gain, shares summing to 1, a game)."""
    if initiative.split in ("shapley", "nucleolus"):
        if initiative.coalition_values is None:
            raise ProposalError("/coalition_values", f"{initiative.split} needs coalition_values")
        return
    if initiative.gain is None:
        raise ProposalError("/gain", f"the {initiative.split} split needs the joint gain")
    if initiative.split == "shares":
        for i, party in enumerate(initiative.actors):
            if party.share is None:
                raise ProposalError(f"/actors/{i}/share", "the shares split needs every share")
        total = sum(party.share or 0.0 for party in initiative.actors)
        if abs(total - 1.0) > 1e-6:
            raise ProposalError("/actors", f"the shares sum to {total:g}, not 1")
    if initiative.split == "proportional" and not any(p.investment for p in initiative.actors):
        raise ProposalError("/actors", "a proportional split needs some investment")


def _game_split(initiative: Initiative) -> tuple[list[float], list[float], sharing.CoreCheck]:
    """Allocation and stand-alone gains of the sharing game, and its core check."""
    data = {
        "players": [p.actor for p in initiative.actors],
        "coalition_values": initiative.coalition_values,
    }
    try:
        game = game_from_mapping(data)
        allocation = sharing.allocate(game, initiative.split)
    except GameError as error:
        raise ProposalError(error.pointer.removeprefix("#"), error.detail) from None
    check = sharing.core_check(game, allocation)
    return [float(x) for x in allocation.shares], [float(v) for v in game.stand_alone()], check


def _split(initiative: Initiative) -> list[float]:
    gain = initiative.gain or 0.0
    actors = initiative.actors
    if initiative.split == "shares":
        return [gain * (p.share or 0.0) for p in actors]
    if initiative.split == "equal":
        return [gain / len(actors)] * len(actors)
    total = sum(p.investment for p in actors)
    return [gain * p.investment / total for p in actors]


def evaluate(initiative: Initiative) -> Proposition:
    """Each actor's contribution, gain, risk and net, and whether joining is rational for it."""
    p = initiative.success_probability
    check: sharing.CoreCheck | None = None
    alone: list[float | None] = [None] * len(initiative.actors)
    if initiative.split in ("shapley", "nucleolus"):
        gains, alone_gains, check = _game_split(initiative)
        alone = [p * g for g in alone_gains]
    else:
        gains = _split(initiative)
    positions = [
        _position(party, gain, p, alone_gain, initiative.currency)
        for party, gain, alone_gain in zip(initiative.actors, gains, alone, strict=True)
    ]
    return Proposition(
        title=initiative.title, currency=initiative.currency, split=initiative.split,
        gain=sum(gains), success_probability=p, positions=positions,
        rational=all(x.rational for x in positions),
        in_core=None if check is None else check.in_core,
        objections=[] if check is None else [
            {"coalition": list(o.coalition), "stand_alone": o.stand_alone,
             "allocated": o.allocated, "gain": o.gain}
            for o in check.objections
        ],
    )  # fmt: skip


def _position(
    party: Party, gain: float, p: float, alone_gain: float | None, currency: str
) -> Position:
    at_stake = party.investment + party.downside
    risk = (1.0 - p) * at_stake
    net = p * gain - party.investment - (1.0 - p) * party.downside
    if party.stand_alone is not None:
        alone = party.stand_alone
    elif alone_gain is not None:
        alone = alone_gain - party.investment - (1.0 - p) * party.downside
    else:
        alone = 0.0
    rational = net >= alone - TOLERANCE * max(1.0, abs(alone))
    return Position(
        actor=party.actor, investment=party.investment, data=party.data,
        capacity=party.capacity, gain=gain, expected_gain=p * gain, risk=risk,
        worst_case=-at_stake, net=net, stand_alone=alone, rational=rational,
        shortfall=0.0 if rational else alone - net,
        reason=_reason(party, gain, p, risk, net, alone, rational, currency),
    )  # fmt: skip


def _money(value: float, currency: str) -> str:
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix} {currency}"
    return f"{value:,.0f} {currency}"


def _reason(
    party: Party,
    gain: float,
    p: float,
    risk: float,
    net: float,
    alone: float,
    rational: bool,
    currency: str,
) -> str:
    gives = [_money(party.investment, currency)] if party.investment else []
    gives += [f"data ({party.data})"] if party.data else []
    gives += [f"capacity ({party.capacity})"] if party.capacity else []
    text = (
        f"contributes {', '.join(gives) or 'nothing'}; gains {_money(gain, currency)}"
        f" ({p:.0%} likely: {_money(p * gain, currency)} expected), risks "
        f"{_money(risk, currency)}; net {_money(net, currency)}"
    )
    if rational:
        return f"{text} >= {_money(alone, currency)} alone: better off joining"
    return (
        f"{text} < {_money(alone, currency)} alone: would not join; it lacks "
        f"{_money(alone - net, currency)} (a larger share, a side payment or less at risk)"
    )
