"""Cooperative games of a joint investment: players and the cost (or benefit) of each coalition.

A coalition is a bitmask over the players (player ``i`` is bit ``i``). The characteristic
function is either a table (every non-empty coalition) or a sum of structured cost models,
each a function of the coalition's members (currency, e.g. EUR or EUR/year):

- ``airport``: a facility sized by its largest user, ``c(S) = max_{i in S} c_i``
  (Littlechild & Owen 1973).
- ``capacity``: capacity for the sum of the members' loads with economies of scale,
  ``c(S) = fixed + unit_cost * L(S) ** exponent`` with ``L(S)`` the summed load (e.g. MWh), and
  ``c(S) = 0`` when ``L(S) = 0``.
- ``shared_facility``: a substation or store sized to the coalition's peak load in steps,
  ``c(S) = fixed + step_cost * ceil(P(S) / step_size)`` with ``P(S)`` the peak over time of the
  summed load profiles (a number per player is a flat profile), ``c(S) = 0`` when ``P(S) = 0``.

Pure: plain values and numpy. Bad input raises :class:`GameError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Kind = Literal["cost", "benefit"]
MAX_ENUMERATED = 20
"""Most players whose 2^n coalitions are enumerated (exact Shapley, core check)."""
MAX_PLAYERS = 5000
"""Most players of any game (sampling)."""
WARNINGS_SHOWN = 5


class GameError(ValueError):
    """A game refused: ``pointer`` is the JSON pointer of the offending field."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(f"{pointer}: {detail}")
        self.pointer, self.detail = pointer, detail


@dataclass(frozen=True)
class Component:
    """One structured cost model over all players (arrays in player order)."""

    model: Literal["airport", "capacity", "shared_facility"]
    loads: Array  # airport: stand-alone cost; capacity: load (n,); facility: profiles (n, T)
    fixed: float = 0.0
    unit_cost: float = 1.0  # capacity: currency per load**exponent; facility: per step
    exponent: float = 1.0
    step_size: float = 1.0

    def values_of(self, members: NDArray[np.bool_]) -> Array:
        """Cost of each coalition given as a boolean row of members, shape (k, n) -> (k,)."""
        if self.model == "airport":
            return np.where(members, self.loads, 0.0).max(axis=1, initial=0.0)
        return self._cost(members.astype(float) @ self.loads)

    def prefix_values(self, perms: NDArray[np.intp]) -> Array:
        """Cost of every prefix of each permutation, shape (k, n) -> (k, n + 1), column 0 = 0."""
        if self.model == "airport":
            grown = np.maximum.accumulate(self.loads[perms], axis=1)
        else:
            grown = self._cost(np.cumsum(self.loads[perms], axis=1))
        return np.concatenate([np.zeros((perms.shape[0], 1)), grown], axis=1)

    def all_values(self) -> Array:
        """Cost of every coalition by bitmask (2^n), summing loads by doubling, O(2^n T)."""
        n = self.loads.shape[0]
        low = min(n, 16)
        grown = np.zeros((1 << low, *self.loads.shape[1:]))
        for b in range(low):  # coalitions of the low bits: add player b to those before it
            if self.model == "airport":
                grown[1 << b : 2 << b] = np.maximum(grown[: 1 << b], self.loads[b])
            else:
                grown[1 << b : 2 << b] = grown[: 1 << b] + self.loads[b]
        out = np.empty(1 << n)
        for high in range(1 << (n - low)):  # each setting of the high bits, one chunk
            inside = members(np.array([high], dtype=np.int64), n - low)[0]
            if self.model == "airport":
                top = self.loads[low:][inside].max(initial=0.0)
                out[high << low : (high + 1) << low] = np.maximum(grown, top)
            else:
                extra = self.loads[low:][inside].sum(axis=0)
                out[high << low : (high + 1) << low] = self._cost(grown + extra)
        return out

    def _cost(self, load: Array) -> Array:
        """Cost of summed loads (capacity) or summed profiles (facility; time is the last axis)."""
        if self.model == "capacity":
            size = load
            cost = self.fixed + self.unit_cost * np.power(size, self.exponent)
        else:
            size = load.max(axis=-1)
            cost = self.fixed + self.unit_cost * np.ceil(size / self.step_size - 1e-12)
        return np.where(size > 0, cost, 0.0)


@dataclass(frozen=True)
class Game:
    """Players and their characteristic function (``table`` by bitmask, or ``components``)."""

    players: tuple[str, ...]
    kind: Kind = "cost"
    table: Array | None = None
    components: tuple[Component, ...] = ()
    weights: Array | None = None  # for the proportional rule; default stand-alone values
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.players)

    def values_of(self, members: NDArray[np.bool_]) -> Array:
        """Value of each coalition given as boolean rows of members, (k, n) -> (k,)."""
        if self.table is not None:
            masks = members.astype(np.int64) @ (np.int64(1) << np.arange(self.n, dtype=np.int64))
            return np.asarray(self.table[masks], dtype=float)
        return np.asarray(sum(c.values_of(members) for c in self.components), dtype=float)

    def prefix_values(self, perms: NDArray[np.intp]) -> Array:
        """Value of every prefix of each permutation, (k, n) -> (k, n + 1)."""
        if self.table is not None:
            masks = np.cumsum(np.int64(1) << perms.astype(np.int64), axis=1)
            inner = self.table[masks]
            return np.concatenate([np.zeros((perms.shape[0], 1)), inner], axis=1)
        return np.asarray(sum(c.prefix_values(perms) for c in self.components), dtype=float)

    def all_values(self) -> Array:
        """The value of every coalition, indexed by bitmask (length 2^n); n <= 20."""
        if self.table is not None:
            return self.table
        require_enumerable(self.n)
        return np.asarray(sum(c.all_values() for c in self.components), dtype=float)

    def grand_value(self) -> float:
        return float(self.values_of(np.ones((1, self.n), dtype=bool))[0])

    def stand_alone(self) -> Array:
        """Each player's value on its own (currency)."""
        return self.values_of(np.eye(self.n, dtype=bool))


def members(masks: NDArray[np.int64], n: int) -> NDArray[np.bool_]:
    """Boolean member rows (k, n) of bitmasks."""
    return ((masks[:, None] >> np.arange(n)) & 1).astype(bool)


def require_enumerable(n: int) -> None:
    if n > MAX_ENUMERATED:
        raise GameError(
            "#/players",
            f"{n} players is too many to enumerate the 2^n coalitions exactly "
            f"(at most {MAX_ENUMERATED}); use sampling (method shapley with --samples)",
        )


# --- parsing from a mapping (YAML or JSON) --------------------------------------------------


def _number(value: Any, pointer: str, *, minimum: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GameError(pointer, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise GameError(pointer, "must be a finite number")
    if minimum is not None and value < minimum:
        raise GameError(pointer, f"must be at least {minimum:g}, got {value:g}")
    return float(value)


def _players(data: Mapping[str, Any]) -> tuple[str, ...]:
    raw = data.get("players")
    if not isinstance(raw, list) or not raw:
        raise GameError("#/players", "give a non-empty list of player names")
    names = tuple(str(p).strip() for p in raw)
    for i, name in enumerate(names):
        if not name or "," in name:
            raise GameError(
                f"#/players/{i}", f"a player name must be non-empty without commas: {name!r}"
            )
    if len(set(names)) != len(names):
        dup = next(p for p in names if names.count(p) > 1)
        raise GameError("#/players", f"player {dup!r} is listed twice")
    if len(names) > MAX_PLAYERS:
        raise GameError("#/players", f"at most {MAX_PLAYERS} players, got {len(names)}")
    return names


def _per_player(raw: Any, players: Sequence[str], pointer: str) -> list[Any]:
    if not isinstance(raw, Mapping):
        raise GameError(pointer, "expected a mapping of player -> value")
    unknown = [k for k in raw if str(k) not in players]
    if unknown:
        raise GameError(f"{pointer}/{unknown[0]}", f"{unknown[0]!r} is not a player")
    missing = [p for p in players if p not in {str(k) for k in raw}]
    if missing:
        raise GameError(pointer, f"no value for player {missing[0]!r}")
    return [next(v for k, v in raw.items() if str(k) == p) for p in players]


def _profiles(raw: Any, players: Sequence[str], pointer: str) -> Array:
    rows = _per_player(raw, players, pointer)
    lists = [r if isinstance(r, list) else [r] for r in rows]
    width = max(len(r) for r in lists)
    out = np.zeros((len(players), width))
    for i, (player, row) in enumerate(zip(players, lists, strict=True)):
        if len(row) not in (1, width) or not row:
            raise GameError(f"{pointer}/{player}", f"a load profile of {width} values is needed")
        out[i] = [_number(v, f"{pointer}/{player}") for v in row]
    return out


def _component(name: str, raw: Any, players: Sequence[str]) -> Component:
    at = f"#/cost_model/{name}"
    if name == "airport":
        costs = [
            _number(v, f"{at}/{p}")
            for v, p in zip(_per_player(raw, players, at), players, strict=True)
        ]
        return Component("airport", np.array(costs))
    if not isinstance(raw, Mapping):
        raise GameError(at, "expected a mapping with loads and cost parameters")
    known = {"capacity": {"loads", "fixed", "unit_cost", "exponent"},
             "shared_facility": {"loads", "fixed", "step_size", "step_cost"}}.get(name)  # fmt: skip
    if known is None:
        raise GameError(at, "unknown cost model; use airport, capacity or shared_facility")
    extra = sorted(set(map(str, raw)) - known)
    if extra:
        raise GameError(f"{at}/{extra[0]}", f"unknown field; expected {', '.join(sorted(known))}")
    fixed = _number(raw.get("fixed", 0.0), f"{at}/fixed")
    if name == "capacity":
        loads = _profiles(raw.get("loads"), players, f"{at}/loads")
        if loads.shape[1] != 1:
            raise GameError(f"{at}/loads", "capacity takes one load per player, not a profile")
        exponent = _number(raw.get("exponent", 1.0), f"{at}/exponent")
        if not 0 < exponent <= 2:
            raise GameError(f"{at}/exponent", "must be in (0, 2]; below 1 is economies of scale")
        unit = _number(raw.get("unit_cost"), f"{at}/unit_cost")
        return Component("capacity", loads[:, 0], fixed, unit, exponent)
    step = _number(raw.get("step_size"), f"{at}/step_size")
    if step <= 0:
        raise GameError(f"{at}/step_size", "must be positive")
    cost = _number(raw.get("step_cost"), f"{at}/step_cost")
    loads = _profiles(raw.get("loads"), players, f"{at}/loads")
    return Component("shared_facility", loads, fixed, cost, step_size=step)


def parse_coalition(key: Any, players: Sequence[str], pointer: str) -> int:
    """The bitmask of a coalition written "A,B" (or a list of names)."""
    names = key if isinstance(key, list) else str(key).split(",")
    index = {p: i for i, p in enumerate(players)}
    mask = 0
    for name in (str(n).strip() for n in names):
        if name not in index:
            raise GameError(pointer, f"{name!r} is not a player")
        if mask >> index[name] & 1:
            raise GameError(pointer, f"{name!r} appears twice in the coalition")
        mask |= 1 << index[name]
    return mask


def _table(raw: Any, players: Sequence[str], field_name: str, kind: Kind) -> Array:
    at = f"#/{field_name}"
    if not isinstance(raw, Mapping) or not raw:
        raise GameError(at, 'expected a mapping of coalition ("A,B") -> value')
    require_enumerable(len(players))
    table = np.full(1 << len(players), np.nan)
    table[0] = 0.0
    for key, value in raw.items():
        pointer = f"{at}/{key}"
        if str(key).strip() in ("", "{}", "()"):
            if _number(value, pointer, minimum=None) != 0:
                raise GameError(pointer, "the empty coalition must have value 0")
            continue
        mask = parse_coalition(key, players, pointer)
        number = _number(value, pointer, minimum=0.0 if kind == "cost" else None)
        if not np.isnan(table[mask]) and table[mask] != number:
            raise GameError(pointer, "this coalition is given twice with different values")
        table[mask] = number
    missing = np.flatnonzero(np.isnan(table))
    if missing.size:
        names = ",".join(p for i, p in enumerate(players) if missing[0] >> i & 1)
        raise GameError(
            at,
            f"{missing.size} {'coalitions are' if missing.size > 1 else 'coalition is'} missing, "
            f'e.g. "{names}"',
        )
    return table


def game_from_mapping(data: Mapping[str, Any]) -> Game:
    """Build and validate a game from its YAML/JSON form (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise GameError("#/", "a game is a mapping with players and coalition_costs or cost_model")
    players = _players(data)
    given = [k for k in ("coalition_costs", "coalition_values", "cost_model") if k in data]
    if len(given) != 1:
        raise GameError("#/", "give exactly one of coalition_costs, coalition_values, cost_model")
    kind: Kind = "benefit" if given[0] == "coalition_values" else "cost"
    table: Array | None = None
    components: tuple[Component, ...] = ()
    if given[0] == "cost_model":
        model = data["cost_model"]
        if not isinstance(model, Mapping) or not model:
            raise GameError("#/cost_model", "expected a mapping such as {airport: {A: 8, B: 11}}")
        components = tuple(_component(str(k), v, players) for k, v in model.items())
    else:
        table = _table(data[given[0]], players, given[0], kind)
    weights = None
    if data.get("weights") is not None:
        raw = _per_player(data["weights"], players, "#/weights")
        weights = np.array(
            [_number(v, f"#/weights/{p}") for v, p in zip(raw, players, strict=True)]
        )
        if weights.sum() <= 0:
            raise GameError("#/weights", "the weights must not all be zero")
    game = Game(players, kind, table, components, weights)
    if table is not None:
        game.warnings.extend(check_table(table, players, kind))
    return game


def check_table(table: Array, players: Sequence[str], kind: Kind) -> list[str]:
    """Warnings (not errors): a cost that falls when a member joins, or a coalition better split.

    Cost games should be monotone and subadditive (c(S u T) <= c(S) + c(T)); benefit games
    superadditive. Every pair (S, one more player) is checked, and every disjoint pair for
    n <= 10.
    """
    n, masks = len(players), np.arange(1 << len(players))
    sign = 1.0 if kind == "cost" else -1.0
    found: list[str] = []

    def name(mask: int) -> str:
        return ",".join(p for i, p in enumerate(players) if mask >> i & 1)

    apart: set[frozenset[int]] = set()  # pairs of disjoint coalitions already reported
    for i in range(n):
        without = masks[(masks >> i & 1) == 0]
        if kind == "cost":
            fall = without[table[without | 1 << i] < table[without] - 1e-9]
            found += [
                f"c({name(int(m | 1 << i))}) < c({name(int(m))}): not monotone" for m in fall[:2]
            ]
        gain = sign * (table[without | 1 << i] - table[without] - table[1 << i])
        bad = without[(gain > 1e-9) & (without > 0)]
        word = "subadditive" if kind == "cost" else "superadditive"
        pairs = [frozenset((int(m), 1 << i)) for m in bad[:2]]
        found += [
            f"{name(int(m))} and {players[i]} are better apart: not {word}"
            for m, pair in zip(bad[:2], pairs, strict=True)
            if pair not in apart
        ]
        apart.update(pairs)
    if n <= 10 and not found:
        for s in range(1, 1 << n):
            t = (s - 1) & s
            while t > 0:
                if sign * (table[s] - table[t] - table[s ^ t]) > 1e-9:
                    word = "subadditive" if kind == "cost" else "superadditive"
                    found.append(f"{name(t)} and {name(s ^ t)} are better apart: not {word}")
                    break
                t = (t - 1) & s
    return found[:WARNINGS_SHOWN] + (
        [f"... {len(found) - WARNINGS_SHOWN} more"] if len(found) > WARNINGS_SHOWN else []
    )
