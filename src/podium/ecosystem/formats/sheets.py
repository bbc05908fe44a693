"""Spreadsheets: a folder of CSV files or an XLSX workbook, one table per section.

The tables, their columns and cells are described in :mod:`podium.ecosystem.formats.cells`.
Problems name the file and line (``links.csv line 7``) or the sheet and row
(``sheet links, row 7``), and the column as the field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell

from podium.ecosystem.formats.cells import SHEETS, Table, as_text, build_document, tables
from podium.ecosystem.formats.yaml_json import decode_text
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import Locator, Problem, SpecError, parse_spec

__all__ = [
    "SHEETS",
    "load_csv_document",
    "load_xlsx_document",
    "read_csv",
    "read_xlsx",
    "stem_name",
    "write_csv",
    "write_xlsx",
]

# --- writing -------------------------------------------------------------------------------------


def write_csv(spec: EcosystemSpec, folder: Path) -> None:
    """Write the spec as a folder of CSV files (UTF-8, ``\\n`` line ends), one per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in tables(spec):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([as_text(v) for v in row] for row in rows)


def write_xlsx(spec: EcosystemSpec, path: Path) -> None:
    """Write the spec as an XLSX workbook, one sheet per table (write-only mode: fast)."""
    workbook = openpyxl.Workbook(write_only=True)
    for name, header, rows in tables(spec):
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    workbook.save(path)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Keep text that starts with ``=`` as text, not a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


# --- reading -------------------------------------------------------------------------------------


def stem_name(path: Path) -> str:
    """Return an ecosystem name made from a file or folder name (spaces, slashes -> ``-``)."""
    return re.sub(r"[\s/]+", "-", Path(path).stem).strip("-") or "ecosystem"


# --- CSV folder ----------------------------------------------------------------------------------


def _csv_table(path: Path, name: str) -> Table:
    text = decode_text(path.read_bytes(), source=str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, Sequence[Any]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SpecError([Problem(f"CSV error: {exc}", str(path), f"line {start}")]) from None
    return Table.from_rows(name, rows)


def _csv_tables(folder: Path) -> tuple[list[Table], list[Problem]]:
    problems: list[Problem] = []
    found: list[Table] = []
    files = {p.stem.strip().lower(): p for p in sorted(folder.glob("*.csv"))}
    for stem, path in files.items():
        if stem not in SHEETS:
            expected = ", ".join(f"{s}.csv" for s in SHEETS)
            problems.append(Problem(f"unknown file (expected {expected})", str(path)))
    if not set(files) & set(SHEETS):
        problems.append(Problem("no ecosystem CSV files (actors.csv, sites.csv, ...)", str(folder)))
    for name in SHEETS:
        if name in files:
            try:
                found.append(_csv_table(files[name], name))
            except SpecError as exc:
                problems.extend(exc.problems)
    return found, problems


def load_csv_document(folder: Path) -> tuple[dict[str, Any], Locator]:
    """Read a folder of CSV files into a document and a locator (format problems raise)."""
    folder = Path(folder)
    found, problems = _csv_tables(folder)
    return build_document(
        found,
        problems=problems,
        source=str(folder),
        label=lambda table, row: f"{table}.csv line {row}",
        default_name=stem_name(folder),
    )


def read_csv(folder: Path) -> EcosystemSpec:
    """Read and validate an ecosystem from a folder of CSV files."""
    document, locate = load_csv_document(folder)
    return parse_spec(document, source=str(folder), locate=locate)


# --- XLSX workbook -------------------------------------------------------------------------------


def _xlsx_tables(path: Path) -> tuple[list[Table], list[Problem]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise SpecError([Problem(f"not a readable XLSX workbook ({exc})", str(path))]) from None
    try:
        sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
        unknown = [
            Problem(f"unknown sheet (expected {', '.join(SHEETS)})", str(path), f"sheet {title}")
            for title in sheets
            if title not in SHEETS
        ]
        found = []
        for name in (s for s in SHEETS if s in sheets):
            sheets[name].reset_dimensions()  # some writers record wrong sizes
            rows = list(enumerate(sheets[name].iter_rows(values_only=True), start=1))
            found.append(Table.from_rows(name, rows))
        return found, unknown
    finally:
        workbook.close()


def load_xlsx_document(path: Path) -> tuple[dict[str, Any], Locator]:
    """Read an XLSX workbook into a document and a locator (format problems raise)."""
    path = Path(path)
    found, problems = _xlsx_tables(path)
    return build_document(
        found,
        problems=problems,
        source=str(path),
        label=lambda table, row: f"sheet {table}, row {row}",
        default_name=stem_name(path),
    )


def read_xlsx(path: Path) -> EcosystemSpec:
    """Read and validate an ecosystem from an XLSX workbook."""
    document, locate = load_xlsx_document(path)
    return parse_spec(document, source=str(path), locate=locate)
