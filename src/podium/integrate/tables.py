"""Partner data as files: CSV and XLSX uploads read into records, and tables written for export.

An upload is one table: a header row of field names (row 1), then one record per row. CSV is
UTF-8 (a byte-order mark is tolerated); XLSX is read from its first sheet. An empty cell means
"not given" (the field's default applies); empty rows are skipped; list fields (a disruption's
``affected_items``) are joined with ``;``. Errors name the row as the user sees it in the file
(the header is row 1; in CSV, the line a row starts on) and the column by its field name, in the
style of :mod:`podium.ecosystem.formats`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from functools import cache
from pathlib import PurePath
from typing import Any, Literal, get_origin

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import AwareDatetime, BaseModel

from podium.ecosystem.formats.cells import as_text, base_type
from podium.integrate.datasets import DatasetError, capped, find_problems, spec_of

MAX_BYTES = 32 * 1024 * 1024
"""Default size limit of an upload, bytes (the service passes its setting)."""
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
LIST_SEPARATOR = ";"
_BOM = b"\xef\xbb\xbf"
_ABSENT = object()

Rows = list[tuple[int, Sequence[Any]]]
"""Numbered rows of cells as read (row 1 first)."""


# --- columns ------------------------------------------------------------------------------------


@cache
def column_kinds(dataset: str) -> dict[str, str]:
    """Return each field's cell kind: text, number, integer, date, datetime or list."""
    kinds = {}
    for name, info in spec_of(dataset).model.model_fields.items():
        base = base_type(info.annotation)
        origin = get_origin(base) or base
        if origin is list:
            kinds[name] = "list"
        elif base is AwareDatetime or (isinstance(base, type) and issubclass(base, datetime)):
            kinds[name] = "datetime"
        elif isinstance(base, type) and issubclass(base, date):
            kinds[name] = "date"
        else:
            kinds[name] = {float: "number", int: "integer"}.get(base, "text")
    return kinds


# --- cells --------------------------------------------------------------------------------------


def _number(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError:
            return raw  # validation reports it as not a number
    return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else raw


def _integer(raw: Any) -> Any:
    value = _number(raw.strip() if isinstance(raw, str) else raw)
    return int(value) if isinstance(value, float) and value.is_integer() else raw


def _date(raw: Any) -> Any:
    if isinstance(raw, datetime) and raw.tzinfo is None and raw.time() == time():
        return raw.date()  # an XLSX date cell
    return raw.strip() if isinstance(raw, str) else raw


def _datetime(raw: Any) -> Any:
    if isinstance(raw, datetime) and raw.tzinfo is None:
        return raw.isoformat()  # an XLSX date cell has no offset: validation says so
    return raw.strip() if isinstance(raw, str) else raw


def _list(raw: Any) -> Any:
    return [part.strip() for part in as_text(raw).split(LIST_SEPARATOR) if part.strip()]


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": as_text, "number": _number, "integer": _integer, "date": _date,
    "datetime": _datetime, "list": _list,
}  # fmt: skip


def _filled(raw: Any) -> bool:
    return raw is not None and (not isinstance(raw, str) or bool(raw.strip()))


# --- reading ------------------------------------------------------------------------------------


def _file_error(detail: str) -> DatasetError:
    return DatasetError([{"pointer": "#/file", "detail": detail}])


def _csv_rows(content: bytes) -> Rows:
    skip = len(_BOM) if content.startswith(_BOM) else 0
    try:
        text = content[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, skip + exc.start) + 1
        detail = f"not UTF-8 text (byte 0x{content[skip + exc.start]:02x}); save it as UTF-8"
        raise DatasetError([{"row": line, "column": None, "detail": detail}]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: Rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DatasetError([{"row": start, "column": None, "detail": f"CSV: {exc}"}]) from None
    return rows


def _xlsx_rows(content: bytes) -> Rows:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise _file_error(f"not a readable XLSX workbook ({exc})") from None
    try:
        if not workbook.worksheets:
            raise _file_error("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong sizes
        return list(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()


def _check_header(dataset: str, header: list[str], rows: Rows) -> list[dict[str, Any]]:
    """Errors for unknown, duplicate and missing columns and values under no header."""
    spec, kinds = spec_of(dataset), column_kinds(dataset)
    expected = ", ".join(kinds)
    errors, seen = [], set()
    for position, name in enumerate(header):
        if name and name not in kinds:
            detail = f"unknown column (expected: {expected})"
            errors.append({"row": 1, "column": name, "detail": detail})
        elif name in seen and name:
            errors.append({"row": 1, "column": name, "detail": "duplicate column"})
        elif not name and any(len(c) > position and _filled(c[position]) for _, c in rows):
            detail = f"column {position + 1} has values but no header"
            errors.append({"row": 1, "column": None, "detail": detail})
        seen.add(name)
    for name in spec.required:
        if name not in seen:
            errors.append({"row": 1, "column": name, "detail": "missing required column"})
    return errors


def _records(dataset: str, header: list[str], rows: Rows) -> tuple[list[dict[str, Any]], list[int]]:
    """Convert the rows with cells to records keyed by field, and their row numbers."""
    kinds = column_kinds(dataset)
    columns = [(i, name, _CONVERT[kinds[name]]) for i, name in enumerate(header) if name in kinds]
    records, numbers = [], []
    for number, cells in rows:
        record = {
            name: convert(cells[i])
            for i, name, convert in columns
            if i < len(cells) and _filled(cells[i])
        }
        if record:
            records.append(record)
            numbers.append(number)
    return records, numbers


def _read(
    filename: str, content: bytes, dataset: str, max_bytes: int
) -> tuple[list[dict[str, Any]], list[int]]:
    spec_of(dataset)
    if len(content) > max_bytes:
        raise _file_error(f"the file is over the limit of {max_bytes:,} bytes")
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise _file_error(f"unknown file type {suffix or '(none)'!r} (expected .csv or .xlsx)")
    rows = _csv_rows(content) if FORMATS[suffix] == "csv" else _xlsx_rows(content)
    if not rows or not any(_filled(c) for c in rows[0][1]):
        raise DatasetError([{"row": 1, "column": None, "detail": "no header row of field names"}])
    width = max(len(cells) for _, cells in rows)
    header = [as_text(cell).strip() for cell in rows[0][1]]
    header += [""] * (width - len(header))
    errors = _check_header(dataset, header, rows[1:])
    if errors:
        raise DatasetError(errors)
    return _records(dataset, header, rows[1:])


def read_upload(
    filename: str, content: bytes, dataset: str, max_bytes: int = MAX_BYTES
) -> list[dict[str, Any]]:
    """Read a CSV or XLSX upload of ``dataset`` into records keyed by field (empty cells absent).

    Numbers, dates and lists are converted by the field's kind; a cell that does not convert is
    kept as text for validation to report. Raises DatasetError for a file over ``max_bytes``,
    an unknown file type, an unreadable file, or unknown, duplicate or missing columns.
    """
    return _read(filename, content, dataset, max_bytes)[0]


def validate_upload(
    filename: str, content: bytes, dataset: str, max_bytes: int = MAX_BYTES
) -> list[BaseModel]:
    """Read and validate an upload; raise DatasetError with ``{"row", "column", "detail"}``."""
    return validate_upload_rows(filename, content, dataset, max_bytes)[0]


def validate_upload_rows(
    filename: str, content: bytes, dataset: str, max_bytes: int = MAX_BYTES
) -> tuple[list[BaseModel], list[int]]:
    """Like :func:`validate_upload`, also giving each record's row number in the file."""
    records, numbers = _read(filename, content, dataset, max_bytes)
    valid, problems = find_problems(dataset, records, name=lambda i: f"row {numbers[i]}")
    if not problems:
        return valid, numbers
    errors = []
    for problem in problems:
        column, *inner = problem.loc or (None,)
        detail = f"entry {int(inner[0]) + 1}: {problem.detail}" if inner else problem.detail
        errors.append({"row": numbers[problem.record], "column": column, "detail": detail})
    raise DatasetError(capped(errors, {"row": None, "column": None}))


def in_rows(errors: Sequence[Mapping[str, Any]], numbers: Sequence[int]) -> list[dict[str, Any]]:
    """Restate errors that point into ``#/records/<i>/<field>`` as the file's row and column."""
    found = []
    for error in errors:
        parts = str(error.get("pointer", "")).split("/")
        if len(parts) >= 3 and parts[1] == "records" and parts[2].isdigit():
            column = parts[3] if len(parts) > 3 else None
            row = numbers[int(parts[2])] if int(parts[2]) < len(numbers) else None
            found.append({"row": row, "column": column, "detail": error.get("detail", "")})
        else:
            found.append(dict(error))
    return found


# --- writing ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as CSV text: lists joined with ``;``, mappings as JSON, dates as ISO 8601."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return as_text(value)


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """A value as an XLSX cell: times with an offset and text that looks like a formula as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones
    if isinstance(value, date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", _text(value))
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def write_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: Literal["csv", "xlsx"]
) -> bytes:
    """Write ``rows`` as a table with a header of ``columns`` (missing values are empty cells).

    CSV is UTF-8 with ``\\n`` line ends; XLSX has one sheet named ``data``. Both read back with
    :func:`read_upload` when the columns are a dataset's fields.
    """
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text(row.get(c)) for c in columns] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown table format {fmt!r} (csv or xlsx)")
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append([_xlsx_value(sheet, c) for c in columns])
    for row in rows:
        sheet.append([_xlsx_value(sheet, row.get(c)) for c in columns])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
