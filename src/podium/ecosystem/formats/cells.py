"""Tables of cells and the documents they hold: columns, cell conversion, tables <-> document.

Tables are named like the sections (``actors``, ``sites``, ``items``, ``links``, ``bom``,
``inventory``, ``value_flows``) plus ``ecosystem`` with ``key,value`` rows for ``schema_version``,
``name``, ``title``, ``description`` and ``currency``. Each table has one column per field, named
like the field; list fields (``produces``, ``alternates``) are joined with ``;`` and ``attributes``
is one JSON object. An empty cell means "not given" (the field's default applies), so an empty
text cannot be told from a missing one.

No files here: :mod:`podium.ecosystem.formats.sheets` reads and writes CSV folders and XLSX
workbooks with these tables.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from podium.ecosystem.formats.yaml_json import HEADER_FIELDS, loc_text
from podium.ecosystem.spec import ENTITY_SECTIONS, EcosystemSpec
from podium.ecosystem.validation import Loc, Locator, Problem, SpecError

HEADER_SHEET = "ecosystem"
SHEETS = (HEADER_SHEET, *ENTITY_SECTIONS)
"""Table names, in the order the writers use."""
LIST_SEPARATOR = ";"
_MISSING = object()
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column: the field it holds, how its cells convert, and whether it must be there."""

    name: str
    kind: str  # text, number, bool, list or json
    required: bool


def base_type(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` from a field annotation."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not NoneType)
        else:
            return annotation


def _column_kind(annotation: Any) -> str:
    base = base_type(annotation)
    origin = get_origin(base) or base
    if origin is list:
        return "list"
    if origin is dict:
        return "json"
    if base is bool:
        return "bool"
    if base in (float, int):
        return "number"
    return "text"


@cache
def columns(section: str) -> tuple[Column, ...]:
    """Return the columns of a section's table, in model field order."""
    model: type[BaseModel] = ENTITY_SECTIONS[section]
    return tuple(
        Column(name, _column_kind(info.annotation), info.is_required())
        for name, info in model.model_fields.items()
    )


# --- cells ---------------------------------------------------------------------------------------


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def cell_value(value: Any, kind: str) -> Any:
    """Return a field value as a typed cell value (XLSX): ``None`` for an empty cell."""
    if value is None or value == [] or value == {}:
        return None
    if kind == "list":
        return LIST_SEPARATOR.join(str(v) for v in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "text":
        return str(value)  # enum members are StrEnum: their value
    return value


def as_text(raw: Any) -> str:
    """Return a cell value as text: CSV cells written, XLSX cells read into text fields."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float | int):
        return _number_text(raw)
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return raw.isoformat()
    return str(raw)


def convert_cell(raw: Any, kind: str) -> Any:
    """Convert a cell (text from CSV, typed from XLSX) to a field value.

    Returns a private marker for an empty cell; raises ``ValueError`` with a short message.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _MISSING
    if kind == "text":
        return as_text(raw)
    if kind == "number":
        return _to_number(raw)
    if kind == "bool":
        return _to_bool(raw)
    text = as_text(raw).strip()
    if kind == "list":
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError(f"not valid JSON (got {_short(text)})") from None
    if not isinstance(value, dict):
        raise ValueError(f"not a JSON object {{...}} (got {_short(text)})")
    return value


def _to_number(raw: Any) -> float | int:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    try:
        return float(str(raw).strip())
    except ValueError:
        raise ValueError(f"not a number (got {_short(raw)})") from None


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = as_text(raw).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"not true or false (got {_short(raw)})")


def _short(raw: Any) -> str:
    text = repr(raw if isinstance(raw, str) else as_text(raw))
    return text if len(text) <= 40 else text[:37] + "...'"


# --- tables --------------------------------------------------------------------------------------


def tables(spec: EcosystemSpec) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """Yield (table name, header, rows of typed cell values) for every table, in :data:`SHEETS`."""
    header = [[key, value] for key in HEADER_FIELDS if (value := getattr(spec, key)) is not None]
    yield HEADER_SHEET, ["key", "value"], header
    for section in ENTITY_SECTIONS:
        cols = columns(section)
        rows = [
            [cell_value(getattr(entity, c.name), c.kind) for c in cols]
            for entity in getattr(spec, section)
        ]
        yield section, [c.name for c in cols], rows


@dataclass
class Table:
    """Raw cells of one table: its header and (row number, cells) for every non-empty row."""

    name: str
    header: list[str]
    rows: list[tuple[int, Sequence[Any]]] = field(default_factory=list)

    @classmethod
    def from_rows(cls, name: str, rows: Sequence[tuple[int, Sequence[Any]]]) -> Table:
        """Build a table from numbered rows: the first is the header, empty rows are dropped."""
        header = [as_text(h).strip() for h in rows[0][1]] if rows else []
        return cls(name, header, [(n, cells) for n, cells in rows[1:] if _filled(cells)])


@dataclass
class _Builder:
    """Collects the document, where each entity came from, and format problems."""

    source: str
    label: Callable[[str, int], str]
    document: dict[str, Any] = field(default_factory=dict)
    rows_at: dict[str, list[int]] = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, table: str, row: int, column: str = "") -> None:
        self.problems.append(Problem(message, self.source, self.label(table, row), column))

    def locate(self, loc: Loc) -> tuple[str, str]:
        """Map a document path to (``links.csv line 7``, column) for :func:`parse_spec`."""
        section = str(loc[0]) if loc else ""
        if section in self.rows_at and len(loc) >= 2 and isinstance(loc[1], int):
            return self.label(section, self.rows_at[section][loc[1]]), loc_text(loc[2:])
        if section in self.header_rows:
            return self.label(HEADER_SHEET, self.header_rows[section]), loc_text(loc)
        return "", loc_text(loc)


_HEADER_COLUMNS = (Column("key", "text", True), Column("value", "text", True))


def _check_header(build: _Builder, table: Table, known: Sequence[Column]) -> bool:
    """Report unknown, duplicate and missing required columns; return whether rows can be read."""
    names = {c.name for c in known}
    seen: set[str] = set()
    for name in table.header:
        if name and name not in names:
            build.problem("unknown column", table.name, 1, name)
        elif name and name in seen:
            build.problem("duplicate column", table.name, 1, name)
        seen.add(name)
    missing = [c.name for c in known if c.required and c.name not in seen]
    for name in missing:
        build.problem(f"missing required column {name!r}", table.name, 1, name)
    return not missing


def _row_values(
    build: _Builder, table: Table, kinds: dict[str, str], number: int, cells: Sequence[Any]
) -> dict[str, Any]:
    """Return the given fields of one row, converted; report cells that do not convert."""
    values: dict[str, Any] = {}
    for name, raw in zip(table.header, cells, strict=False):
        kind = kinds.get(name)
        if kind is None:  # an unknown column (reported once) or one without a header
            if not name and _filled([raw]):
                build.problem("a value in a column without a header", table.name, number)
            continue
        try:
            value = convert_cell(raw, kind)
        except ValueError as exc:
            build.problem(str(exc), table.name, number, name)
            continue
        if value is not _MISSING:
            values[name] = value
    if len(cells) > len(table.header) and _filled(cells[len(table.header) :]):
        build.problem("a value in a column without a header", table.name, number)
    return values


def _read_section(build: _Builder, table: Table) -> None:
    known = columns(table.name)
    if not _check_header(build, table, known):
        return
    kinds = {c.name: c.kind for c in known}
    build.document[table.name] = [_row_values(build, table, kinds, n, c) for n, c in table.rows]
    build.rows_at[table.name] = [number for number, _ in table.rows]


def _read_header(build: _Builder, table: Table) -> None:
    if not _check_header(build, table, _HEADER_COLUMNS):
        return
    kinds = {"key": "text", "value": "text"}
    for number, cells in table.rows:
        row = _row_values(build, table, kinds, number, cells)
        key = row.get("key", "").strip()
        if key not in HEADER_FIELDS:
            expected = ", ".join(HEADER_FIELDS)
            build.problem(f"unknown key {key!r} (expected {expected})", table.name, number, "key")
        elif key in build.header_rows:
            build.problem(f"duplicate key {key!r}", table.name, number, "key")
        elif "value" in row:
            build.document[key] = row["value"]
            build.header_rows[key] = number


def build_document(
    found: Iterable[Table],
    *,
    source: str,
    label: Callable[[str, int], str],
    default_name: str,
    problems: Sequence[Problem] = (),
) -> tuple[dict[str, Any], Locator]:
    """Turn raw tables into a document and a locator; raise SpecError for format problems.

    ``problems`` already found (unknown files or sheets) are raised with those of the tables.
    """
    build = _Builder(source=source, label=label, problems=list(problems))
    for table in found:
        if table.name == HEADER_SHEET:
            _read_header(build, table)
        else:
            _read_section(build, table)
    if build.problems:
        raise SpecError(build.problems)
    build.document.setdefault("name", default_name)
    return build.document, build.locate


def _filled(cells: Iterable[Any]) -> bool:
    return any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells)
