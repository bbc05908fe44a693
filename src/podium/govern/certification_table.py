"""Certifications as a table: read a CSV or XLSX upload into rows, with errors by row and column.

One table, header row first (row 1), one certification per row. Columns: ``scheme`` (the scheme
key), ``actor``, ``site`` (optional: blank certifies the whole actor), ``level``, ``issued_on``
(YYYY-MM-DD), ``expires_on`` (optional: blank is issued_on plus the scheme's validity days),
``evidence`` (optional). CSV is UTF-8 (a byte-order mark is tolerated); XLSX is read from its
first sheet, where date cells may be real dates. Empty rows are skipped. Errors name the row as
the user sees it in the file and the column by its header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import openpyxl

COLUMNS = ("scheme", "actor", "site", "level", "issued_on", "expires_on", "evidence")
REQUIRED = ("scheme", "actor", "level", "issued_on")
MAX_BYTES = 8 * 1024 * 1024
"""Largest upload read, bytes."""
MAX_ERRORS = 100


class TableError(ValueError):
    """The file cannot be read as certifications; ``errors`` are ``{row, column, detail}``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors[:MAX_ERRORS]
        super().__init__(f"{len(errors)} problem(s) in the file")


@dataclass(frozen=True)
class Row:
    """One certification as read: ``number`` is its row in the file."""

    number: int
    scheme: str
    actor: str
    site: str | None
    level: str
    issued_on: date
    expires_on: date | None
    evidence: str | None


def read_certifications(filename: str, content: bytes) -> list[Row]:
    """Read an upload into rows; raise TableError listing every problem found."""
    if len(content) > MAX_BYTES:
        raise TableError([_problem(None, None, f"the file is over {MAX_BYTES:,} bytes")])
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        cells = _csv(content)
    elif suffix in (".xlsx", ".xlsm"):
        cells = _xlsx(content)
    else:
        raise TableError([_problem(None, None, f"use a .csv or .xlsx file, not {suffix!r}")])
    if not cells:
        raise TableError([_problem(1, None, "no header row")])
    header = [_text(cell) or "" for cell in cells[0][1]]
    _check_header(header)
    rows, errors = [], []
    for number, values in cells[1:]:
        record = {name: values[i] for i, name in enumerate(header) if name and i < len(values)}
        if all(_text(value) is None for value in record.values()):
            continue
        row, problems = _row(number, record)
        rows += [row] if row is not None else []
        errors += problems
    if errors:
        raise TableError(errors)
    return rows


def _problem(row: int | None, column: str | None, detail: str) -> dict[str, Any]:
    return {"row": row, "column": column, "detail": detail}


def _check_header(header: list[str]) -> None:
    errors = [
        _problem(1, name, f"unknown column (use: {', '.join(COLUMNS)})")
        for name in header
        if name and name not in COLUMNS
    ]
    errors += [
        _problem(1, name, "duplicate column")
        for name in set(header)
        if name and header.count(name) > 1
    ]
    errors += [
        _problem(1, name, "missing required column") for name in REQUIRED if name not in header
    ]
    if errors:
        raise TableError(errors)


def _row(number: int, record: dict[str, Any]) -> tuple[Row | None, list[dict[str, Any]]]:
    """Convert one row; return it, or None and its problems."""
    errors = [
        _problem(number, name, "required") for name in REQUIRED if _text(record.get(name)) is None
    ]
    issued, expires = _date(record.get("issued_on")), _date(record.get("expires_on"))
    for name, value in (("issued_on", issued), ("expires_on", expires)):
        if isinstance(value, str):
            errors.append(_problem(number, name, f"{value!r} is no date: use YYYY-MM-DD"))
    if errors:
        return None, errors
    assert isinstance(issued, date) and not isinstance(expires, str)
    row = Row(
        number=number,
        scheme=str(_text(record["scheme"])),
        actor=str(_text(record["actor"])),
        site=_text(record.get("site")),
        level=str(_text(record["level"])),
        issued_on=issued,
        expires_on=expires,
        evidence=_text(record.get("evidence")),
    )
    return row, []


def _text(value: Any) -> str | None:
    """A cell as stripped text, None when blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _date(value: Any) -> date | str | None:
    """A cell as a date, None when blank, or the text itself when it is no date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _csv(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise TableError([_problem(line, None, "not UTF-8 text: save the file as UTF-8")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, list(cells)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise TableError([_problem(start, None, f"CSV: {error}")]) from None
    return rows


def _xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # zip, XML and openpyxl errors all mean "not a workbook"
        raise TableError(
            [_problem(None, None, f"not a readable XLSX workbook ({error})")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()
