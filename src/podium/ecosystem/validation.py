"""Validation of ecosystem documents: located problems, references, rules and BOM cycles.

:func:`parse_spec` turns a document (a dict read from YAML, JSON, sheets or SCML) into an
:class:`~podium.ecosystem.spec.EcosystemSpec`, or raises :class:`SpecError` with one
:class:`Problem` per defect, each placed by the format's locator (file, line or sheet and row,
field). Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from podium.ecosystem.spec import (
    ENTITY_SECTIONS,
    SCHEMA_VERSION,
    BomLine,
    EcosystemSpec,
    InventoryPosition,
    Link,
    LinkKind,
    Site,
    ValueFlow,
)

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is (file, line or sheet/row) and which field."""

    message: str
    source: str = ""
    where: str = ""
    field: str = ""

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.source, self.where) if p)
        head = f"{place}: " if place else ""
        fld = f"{self.field}: " if self.field else ""
        return f"{head}{fld}{self.message}"


class SpecError(ValueError):
    """An input that cannot become an ecosystem; carries one :class:`Problem` per defect."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


Locator = Callable[[Loc], tuple[str, str]]
"""Maps a path inside the document, e.g. ``("links", 3, "source")``, to (where, field) text."""


def default_locator(loc: Loc) -> tuple[str, str]:
    """Describe a document path as ``section[index]`` and a field name."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        field = ".".join(str(p) for p in loc[2:])
        return f"{loc[0]}[{loc[1]}]", field
    return "", ".".join(str(p) for p in loc)


def _problem(message: str, loc: Loc, source: str, locate: Locator) -> Problem:
    where, field = locate(loc)
    return Problem(message=message, source=source, where=where, field=field)


def parse_spec(
    document: Mapping[str, Any], *, source: str = "", locate: Locator = default_locator
) -> EcosystemSpec:
    """Validate a document (types, then references and cycles) into an :class:`EcosystemSpec`.

    Raises :class:`SpecError` listing every problem found, each located by ``locate``.
    """
    if not isinstance(document, Mapping):
        raise SpecError([Problem("the document must be a mapping of sections", source=source)])
    unsupported = version_problem(str(document.get("schema_version", SCHEMA_VERSION)))
    if unsupported:
        raise SpecError([_problem(unsupported, ("schema_version",), source, locate)])
    try:
        spec = EcosystemSpec.model_validate(dict(document))
    except ValidationError:
        found = _problems_despite_type_errors(document)
    else:
        found = check_consistency(spec)
    if found:
        raise SpecError([_problem(msg, loc, source, locate) for loc, msg in found])
    return spec


def version_problem(version: str) -> str | None:
    """Return why a document's ``schema_version`` cannot be read, or None if it can."""
    if version == SCHEMA_VERSION:
        return None
    return f"unsupported schema_version {version!r}; this Podium reads {SCHEMA_VERSION!r}"


def check_spec(spec: EcosystemSpec) -> list[tuple[Loc, str]]:
    """Return (path, message) for everything wrong with an already typed spec (API bodies)."""
    unsupported = version_problem(spec.schema_version)
    head = [(("schema_version",), unsupported)] if unsupported else []
    return head + check_consistency(spec)


def _problems_despite_type_errors(document: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Validate entity by entity so that one bad field does not hide the other problems.

    An entity with bad fields is still checked for consistency on its good fields (its
    references, say), and references to an entity that failed validation are not reported as
    unknown (its own problem is). Problems come back in document order.
    """
    found: list[tuple[Loc, str]] = []
    header = {k: v for k, v in document.items() if k not in ENTITY_SECTIONS}
    try:
        EcosystemSpec.model_validate(header)
    except ValidationError as exc:
        found += [(tuple(e["loc"]), _pydantic_message(e)) for e in exc.errors()]
    kept: dict[str, Any] = {}
    positions: dict[str, list[tuple[int, set[str]]]] = {}
    broken_ids: set[str] = set()
    for section in ENTITY_SECTIONS:
        raw = document.get(section) or []
        if not isinstance(raw, list):
            found.append(((section,), "must be a list"))
            continue
        kept[section], positions[section] = [], []
        for i, entry in enumerate(raw):
            entity, bad_fields, errors = _validate_entity(section, entry)
            found += [((section, i, *loc), msg) for loc, msg in errors]
            if bad_fields and isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                broken_ids.add(entry["id"])
            if entity is not None:
                kept[section].append(entity)
                positions[section].append((i, bad_fields))
    partial = EcosystemSpec.model_construct(**kept)
    for (name, index, *rest), msg in check_consistency(partial, assume_known=broken_ids):
        position, bad_fields = positions[str(name)][int(index)]
        if not rest or rest[0] not in bad_fields:
            found.append(((name, position, *rest), msg))
    order = list(ENTITY_SECTIONS)
    return sorted(
        found, key=lambda p: (order.index(p[0][0]) if p[0][0] in order else -1, *p[0][1:2])
    )


def _validate_entity(section: str, entry: Any) -> tuple[BaseModel | None, set[str], list[Any]]:
    """Return the entity (on its good fields only, if that is enough), its bad fields, errors."""
    model = ENTITY_SECTIONS[section]
    try:
        return model.model_validate(entry), set(), []
    except ValidationError as exc:
        errors = [(tuple(e["loc"]), _pydantic_message(e)) for e in exc.errors()]
    bad = {str(loc[0]) for loc, _ in errors if loc}
    if not isinstance(entry, Mapping) or not bad:
        return None, bad or {"*"}, errors
    good = {k: v for k, v in entry.items() if k not in bad}
    try:
        return model.model_validate(good), bad, errors
    except ValidationError:
        return None, bad, errors


def _pydantic_message(err: Mapping[str, Any]) -> str:
    message = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if "input" in err and err["type"] not in ("missing",):
        shown = repr(err["input"])
        if len(shown) <= 60:
            message = f"{message} (got {shown})"
    return message


# --- consistency ----------------------------------------------------------------------------------


Reference = tuple[Loc, str, str]
"""(path inside the entity, kind of target: actor, node, site, item or link, key)."""

REFERENCE_KINDS = {
    "actor": "actor",
    "node": "actor or site",
    "site": "site",
    "item": "item",
    "link": "link",
}


def entity_references(section: str, entity: BaseModel) -> list[Reference]:
    """Return every reference an entity of ``section`` makes to another entity."""
    refs: list[Reference] = []

    def add(kind: str, value: str | None, *loc: str | int) -> None:
        if value is not None:
            refs.append((loc, kind, value))

    if isinstance(entity, Site):
        add("actor", entity.actor, "actor")
        for j, item in enumerate(entity.produces):
            add("item", item, "produces", j)
    elif isinstance(entity, Link):
        add("node", entity.source, "source")
        add("node", entity.target, "target")
        add("item", entity.item, "item")
        for j, alt in enumerate(entity.alternates):
            add("node", alt, "alternates", j)
    elif isinstance(entity, BomLine):
        add("item", entity.parent, "parent")
        add("item", entity.child, "child")
        add("site", entity.site, "site")
    elif isinstance(entity, InventoryPosition):
        add("site", entity.site, "site")
        add("item", entity.item, "item")
    elif isinstance(entity, ValueFlow):
        add("actor", entity.actor, "actor")
        add("link", entity.link, "link")
    return refs


def entity_rules(entity: BaseModel) -> list[tuple[Loc, str]]:
    """Return the rules one entity breaks on its own (beyond field types)."""
    if isinstance(entity, Link):
        found: list[tuple[Loc, str]] = []
        if entity.kind is LinkKind.SUPPLIES and entity.item is None:
            found.append((("item",), "a supplies link must name the item it supplies"))
        if entity.source == entity.target:
            found.append((("target",), "a link cannot connect a node to itself"))
        return found
    if isinstance(entity, ValueFlow) and (entity.actor is None) == (entity.link is None):
        return [(("actor",), "name exactly one of actor or link")]
    return []


def check_consistency(
    spec: EcosystemSpec, *, assume_known: AbstractSet[str] = frozenset()
) -> list[tuple[Loc, str]]:
    """Return (path, message) for duplicate ids, unknown references, broken rules and BOM cycles.

    References to ids in ``assume_known`` are taken as resolved.
    """
    found: list[tuple[Loc, str]] = []
    node_ids = _unique_ids(found, [("actors", spec.actors), ("sites", spec.sites)], "actor or site")
    known = {
        "actor": {a.id for a in spec.actors},
        "site": {s.id for s in spec.sites},
        "node": node_ids,
        "item": _unique_ids(found, [("items", spec.items)], "item"),
        "link": _unique_ids(found, [("links", spec.links)], "link"),
    }
    for section in ENTITY_SECTIONS:
        for i, entity in enumerate(getattr(spec, section)):
            for loc, kind, key in entity_references(section, entity):
                if key not in known[kind] and key not in assume_known:
                    found.append(((section, i, *loc), f"unknown {REFERENCE_KINDS[kind]} {key!r}"))
            found.extend(((section, i, *loc), msg) for loc, msg in entity_rules(entity))
    found.extend(_bom_cycles(spec.bom))
    return found


def _unique_ids(
    found: list[tuple[Loc, str]], sections: Iterable[tuple[str, Sequence[Any]]], what: str
) -> set[str]:
    seen: dict[str, Loc] = {}
    for section, entities in sections:
        for i, entity in enumerate(entities):
            if entity.id in seen:
                first = seen[entity.id]
                found.append(
                    (
                        (section, i, "id"),
                        f"duplicate {what} id {entity.id!r} (first at {first[0]}[{first[1]}])",
                    )
                )
            else:
                seen[entity.id] = (section, i)
    return set(seen)


def _bom_cycles(bom: Sequence[BomLine]) -> list[tuple[Loc, str]]:
    """Find BOM lines that close a cycle (an item that, through its children, needs itself)."""
    children: dict[str, list[tuple[str, int]]] = {}
    for i, line in enumerate(bom):
        children.setdefault(line.parent, []).append((line.child, i))
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    found: list[tuple[Loc, str]] = []
    for root in list(children):
        if state.get(root):
            continue
        path: list[str] = [root]
        stack = [iter(children.get(root, []))]
        state[root] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            child, index = step
            if state.get(child) == 1:
                cycle = [*path[path.index(child) :], child]
                found.append((("bom", index, "child"), "BOM cycle: " + " -> ".join(cycle)))
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append(iter(children.get(child, [])))
    return found
