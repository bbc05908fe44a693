"""Reading and writing ecosystems: YAML, JSON, CSV folders, XLSX, Willems SCML and GraphML.

``read_path`` detects the format, reads the file into a document and validates it with
:func:`podium.ecosystem.validation.parse_spec`; every defect becomes one located ``Problem``
in the raised ``SpecError``.
``write_path`` writes any format but SCML (read only); GraphML is write only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from podium.ecosystem.formats import graphml, scml, sheets, yaml_json
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import Locator, Problem, SpecError, parse_spec

YAML = "yaml"
JSON = "json"
CSV = "csv"
XLSX = "xlsx"
SCML = "scml"
GRAPHML = "graphml"
FORMATS = (YAML, JSON, CSV, XLSX, SCML, GRAPHML)
"""Every format name."""
READ_FORMATS = (YAML, JSON, CSV, XLSX, SCML)
WRITE_FORMATS = (YAML, JSON, CSV, XLSX, GRAPHML)
SUFFIXES = {
    ".yaml": YAML,
    ".yml": YAML,
    ".json": JSON,
    ".xlsx": XLSX,
    ".xlsm": XLSX,
    ".graphml": GRAPHML,
}

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: ``done`` of ``total`` units of work finished in ``step``."""

_LOADERS: dict[str, Callable[[Path], tuple[dict[str, Any], Locator]]] = {
    YAML: lambda p: yaml_json.load_yaml_document(p.read_bytes(), source=str(p)),
    JSON: lambda p: yaml_json.load_json_document(p.read_bytes(), source=str(p)),
    CSV: sheets.load_csv_document,
    XLSX: sheets.load_xlsx_document,
    SCML: lambda p: scml.load_scml_document(p.read_bytes(), source=str(p), name=scml.chain_name(p)),
}


def _error(message: str, path: Path) -> SpecError:
    return SpecError([Problem(message, source=str(path))])


def detect_format(path: Path) -> str:
    """Return the format of an existing file or folder (a folder is a CSV folder).

    A ``.csv`` file is a Willems SCML chain when its first line starts with ``/chain``; other
    single CSV files are refused (an ecosystem in CSV is a folder of tables).
    """
    path = Path(path)
    if path.is_dir():
        return CSV
    if not path.exists():
        raise _error("no such file or folder", path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if scml.is_scml(path):
            return SCML
        raise _error(
            "a single CSV file must be a Willems SCML chain (first line /chain); "
            "an ecosystem in CSV is a folder of tables (actors.csv, sites.csv, ...)",
            path,
        )
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise _error(f"unknown file type {suffix or '(none)'!r}; name the format ({FORMATS})", path)


def read_path(
    path: Path, *, format: str | None = None, progress: Progress | None = None
) -> EcosystemSpec:
    """Read and validate an ecosystem from a file or CSV folder; raise SpecError if it has defects.

    ``format`` is one of :data:`READ_FORMATS` (detected from the path when not given);
    ``progress`` hears each step start and finish: ``("read", 0, 1)``, ``("read", 1, 1)``,
    ``("validate", 0, 1)``, ``("validate", 1, 1)``.
    """
    path = Path(path)
    fmt = format or detect_format(path)
    if fmt not in _LOADERS:
        raise _error(f"cannot read format {fmt!r} (readable: {', '.join(READ_FORMATS)})", path)
    if not path.exists():
        raise _error("no such file or folder", path)
    report = progress or _quiet
    report("read", 0, 1)
    document, locate = _LOADERS[fmt](path)
    report("read", 1, 1)
    report("validate", 0, 1)
    spec = parse_spec(document, source=str(path), locate=locate)
    report("validate", 1, 1)
    return spec


def _quiet(step: str, done: int, total: int) -> None:
    """Progress callback that reports nothing."""


def format_for_writing(path: Path) -> str:
    """Return the format a path's suffix asks for; no suffix means a CSV folder."""
    suffix = Path(path).suffix.lower()
    if not suffix or Path(path).is_dir():
        return CSV
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise _error(f"unknown file type {suffix!r}; name the format ({WRITE_FORMATS})", Path(path))


def write_path(spec: EcosystemSpec, path: Path, *, format: str | None = None) -> None:
    """Write ``spec`` to ``path`` as one of :data:`WRITE_FORMATS` (from the suffix if not given).

    CSV writes a folder of tables (created if needed); the others write one file.
    """
    path = Path(path)
    fmt = format or format_for_writing(path)
    if fmt == YAML:
        path.write_text(yaml_json.dump_yaml(spec), encoding="utf-8")
    elif fmt == JSON:
        path.write_text(yaml_json.dump_json(spec), encoding="utf-8")
    elif fmt == CSV:
        sheets.write_csv(spec, path)
    elif fmt == XLSX:
        sheets.write_xlsx(spec, path)
    elif fmt == GRAPHML:
        graphml.write_graphml(spec, path)
    else:
        raise _error(f"cannot write format {fmt!r} (writable: {', '.join(WRITE_FORMATS)})", path)


__all__ = [
    "CSV",
    "FORMATS",
    "GRAPHML",
    "JSON",
    "READ_FORMATS",
    "SCML",
    "WRITE_FORMATS",
    "XLSX",
    "YAML",
    "Progress",
    "detect_format",
    "format_for_writing",
    "read_path",
    "write_path",
]
