"""Import/export throughput of a generated ecosystem against a raw SQLAlchemy Core bulk insert.

Run: ``python bench/import_export.py [--sites 100000] [--tiers 6] [--database-url URL]``.
Prints, for each file format, the time to write it and to read it back (parse + validate); then
rows/s of Podium's import (a validated spec -> rows -> database, one transaction) and of the
reference (the same rows, prepared as dicts beforehand, inserted with Core ``insert()``
executemany in one transaction into an identical empty schema), their ratio, and the export.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.ecosystem import models, service
from podium.ecosystem.formats import read_path, write_path
from podium.ecosystem.generate import generate_ecosystem
from podium.ecosystem.spec import EcosystemSpec


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Return the action's result and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def fresh_database(url: str | None, folder: Path, label: str) -> str:
    """Return a new, migrated database URL: a new SQLite file, or the given one's schema rebuilt.

    Rebuilding (not deleting rows) keeps one run's dead rows from slowing the next on PostgreSQL.
    """
    if url is None:
        url = f"sqlite:///{folder / f'{label}.db'}"
    else:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    upgrade_database(url)
    return url


def podium_import(url: str, spec: EcosystemSpec) -> int:
    """Import through the service in one unit of work; return the ecosystem id."""
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        ecosystem_id = service.import_spec(session=session, spec=spec).id
    engine.dispose()
    return ecosystem_id


def raw_rows(spec: EcosystemSpec) -> dict[str, list[dict[str, Any]]]:
    """The same rows the import writes, prepared up front (not timed)."""
    return {
        section: [service.to_row(entity, 1) for entity in getattr(spec, section)]
        for section in models.ENTITY_TABLES
    }


def raw_insert(engine: Engine, spec: EcosystemSpec, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Reference: Core bulk insert of prepared rows, one transaction."""
    with engine.begin() as conn:
        conn.execute(
            insert(models.Ecosystem.__table__),
            [{"id": 1, "name": spec.name, "currency": spec.currency, "schema_version": "1"}],
        )
        for section, table in models.ENTITY_TABLES.items():
            if rows[section]:
                conn.execute(insert(table.__table__), rows[section])


def podium_export(url: str, ecosystem_id: int) -> EcosystemSpec:
    """Export the stored ecosystem back to a spec."""
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        ecosystem = session.get(models.Ecosystem, ecosystem_id)
        assert ecosystem is not None
        spec = service.export_spec(session=session, ecosystem=ecosystem)
    engine.dispose()
    return spec


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--tiers", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL database to rebuild (default: SQLite files)",
    )
    parser.add_argument(
        "--file-formats", default="json,csv,yaml", help="file formats to time (comma-separated)"
    )
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} Python {platform.python_version()}")
    spec, t_gen = timed(
        lambda: generate_ecosystem(sites=args.sites, tiers=args.tiers, seed=args.seed)
    )
    n_rows = sum(len(getattr(spec, s)) for s in models.ENTITY_TABLES)
    print(f"generated {args.sites:,} sites, {n_rows:,} rows in {t_gen:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report_files(spec, folder, args.file_formats.split(",") if args.file_formats else [])
        rows = raw_rows(spec)
        url_ref = fresh_database(args.database_url, folder, "reference")
        engine = make_engine(url_ref)
        _, t_raw = timed(lambda: raw_insert(engine, spec, rows))
        engine.dispose()
        url = fresh_database(args.database_url, folder, "podium")
        ecosystem_id, t_imp = timed(lambda: podium_import(url, spec))
        exported, t_exp = timed(lambda: podium_export(url, ecosystem_id))
        assert exported == spec, "export differs from what was imported"
    print(f"raw Core bulk insert : {n_rows / t_raw:10,.0f} rows/s ({t_raw:.2f} s)")
    print(f"podium import        : {n_rows / t_imp:10,.0f} rows/s ({t_imp:.2f} s)")
    print(f"ratio import / raw   : {t_raw / t_imp:10.2f}  (target >= 0.5)")
    print(f"podium export        : {n_rows / t_exp:10,.0f} rows/s ({t_exp:.2f} s), lossless")


def report_files(spec: EcosystemSpec, folder: Path, file_formats: list[str]) -> None:
    """Time writing and reading (parse + validate) the spec in each file format."""
    for fmt in file_formats:
        path = folder / ("eco-csv" if fmt == "csv" else f"eco.{fmt}")
        _, t_write = timed(lambda: write_path(spec, path, format=fmt))  # noqa: B023
        back, t_read = timed(lambda: read_path(path, format=fmt))  # noqa: B023
        assert back == spec, f"{fmt} round trip differs"
        print(f"{fmt:<4} write {t_write:6.1f} s, read+validate {t_read:6.1f} s")


if __name__ == "__main__":
    main()
