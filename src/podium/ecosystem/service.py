"""Store and load whole ecosystems: import and export of specs and files, listing, deletion.

Services never commit; the caller's unit of work does. Per-entity work is in ``entities``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound
from podium.ecosystem import formats, models
from podium.ecosystem.spec import ENTITY_SECTIONS, EcosystemSpec
from podium.ecosystem.validation import Problem, SpecError, check_spec

Progress = Callable[[str, int, int], None]
"""Called as ``progress(section, rows_done, rows_total)`` while rows are written."""

CHUNK_ROWS = 20_000
ANALYZE_ROWS = 1_000
"""After writing this many rows to a table, refresh PostgreSQL's statistics of it.

The foreign-key checks of the sections written next look rows up in this table. Planned with
statistics from when the table was empty, they scan it instead of using its key index, and an
import turns quadratic (10,000 sites: 25 s instead of 3 s). ANALYZE inside the transaction counts
its own uncommitted rows and makes the checks plan again.
"""
_SPEC_ONLY = {"ecosystem_id", "id"}


def _no_progress(_section: str, _done: int, _total: int) -> None:
    return None


# --- ecosystems -----------------------------------------------------------------------------------


def list_ecosystems(*, session: Session, principal: Principal | None) -> list[models.Ecosystem]:
    """Return the ecosystems the caller may see, by name (all of them for ``None``: the CLI)."""
    query = select(models.Ecosystem).order_by(models.Ecosystem.name)
    if principal is not None and principal.is_partner:
        query = query.where(models.Ecosystem.id == principal.partner_ecosystem_id)
    return list(session.scalars(query))


def get_ecosystem(
    *, session: Session, name: str, principal: Principal | None = None
) -> models.Ecosystem:
    """Return the ecosystem called ``name`` (or with that numeric id), if the caller may see it."""
    query = select(models.Ecosystem).where(models.Ecosystem.name == name)
    found = session.scalar(query)
    if found is None and name.isdigit():
        found = session.get(models.Ecosystem, int(name))
    if found is None or (
        principal is not None
        and principal.is_partner
        and found.id != principal.partner_ecosystem_id
    ):
        raise NotFound(f"no ecosystem {name!r}")
    return found


def only_ecosystem(*, session: Session) -> models.Ecosystem:
    """Return the single stored ecosystem, or say which names to choose from."""
    names = list(session.scalars(select(models.Ecosystem.name).order_by(models.Ecosystem.name)))
    if len(names) != 1:
        raise Invalid(
            "name the ecosystem: " + (", ".join(names) if names else "none is stored yet")
        )
    return get_ecosystem(session=session, name=names[0])


def entity_counts(*, session: Session, ecosystem_id: int) -> dict[str, int]:
    """Return the number of rows per section of an ecosystem."""
    return {
        section: session.scalar(
            select(func.count()).select_from(table).where(table.ecosystem_id == ecosystem_id)
        )
        or 0
        for section, table in models.ENTITY_TABLES.items()
    }


def import_spec(
    *,
    session: Session,
    spec: EcosystemSpec,
    name: str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> models.Ecosystem:
    """Store a validated spec as a new ecosystem (or replace the one of the same name).

    All rows go in through the caller's transaction: a failure leaves nothing behind.
    """
    name = name or spec.name
    existing = session.scalar(select(models.Ecosystem).where(models.Ecosystem.name == name))
    if existing is not None:
        if not replace:
            raise Conflict(f"ecosystem {name!r} already exists; choose another name or replace it")
        session.delete(existing)
        session.flush()
    ecosystem = models.Ecosystem(
        name=name,
        title=spec.title,
        description=spec.description,
        currency=spec.currency,
        schema_version=spec.schema_version,
    )
    session.add(ecosystem)
    session.flush()
    report = progress or _no_progress
    for section, table in models.ENTITY_TABLES.items():
        entities: Sequence[BaseModel] = getattr(spec, section)
        _insert_rows(session, table, section, entities, ecosystem.id, report)
    return ecosystem


def _insert_rows(
    session: Session,
    table: Any,
    section: str,
    entities: Sequence[BaseModel],
    ecosystem_id: int,
    report: Progress,
) -> None:
    total = len(entities)
    report(section, 0, total)
    for start in range(0, total, CHUNK_ROWS):
        chunk = entities[start : start + CHUNK_ROWS]
        session.execute(insert(table.__table__), [to_row(e, ecosystem_id) for e in chunk])
        report(section, min(start + CHUNK_ROWS, total), total)
    if total >= ANALYZE_ROWS and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {table.__tablename__}"))


def to_row(entity: BaseModel, ecosystem_id: int) -> dict[str, Any]:
    """Return the table row of a spec entity (``id`` stored as ``key``).

    Spec entities hold only plain values (str, float, enum members that are str, lists and
    dicts of plain values), so a shallow copy of their fields is the row.
    """
    row = dict(entity.__dict__)
    if "id" in row:
        row["key"] = row.pop("id")
    row["ecosystem_id"] = ecosystem_id
    return row


def export_spec(*, session: Session, ecosystem: models.Ecosystem) -> EcosystemSpec:
    """Return the stored ecosystem as a spec, entities in the order they were written."""
    sections = {
        section: [
            ENTITY_SECTIONS[section].model_validate(from_row(row))
            for row in _rows(session, table, ecosystem.id)
        ]
        for section, table in models.ENTITY_TABLES.items()
    }
    return EcosystemSpec(
        schema_version=ecosystem.schema_version,
        name=ecosystem.name,
        title=ecosystem.title,
        description=ecosystem.description,
        currency=ecosystem.currency,
        **sections,
    )


def _rows(session: Session, table: Any, ecosystem_id: int) -> Iterator[Mapping[Any, Any]]:
    query = select(table.__table__).where(table.ecosystem_id == ecosystem_id).order_by(table.id)
    yield from session.execute(query).mappings()


def from_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Return the spec fields of a table row (``key`` back to ``id``)."""
    data = {k: v for k, v in row.items() if k not in _SPEC_ONLY}
    if "key" in data:
        data["id"] = data.pop("key")
    return data


def delete_ecosystem(*, session: Session, ecosystem: models.Ecosystem) -> None:
    """Delete an ecosystem and everything in it."""
    for table in reversed(list(models.ENTITY_TABLES.values())):
        session.execute(delete(table).where(table.ecosystem_id == ecosystem.id))
    session.delete(ecosystem)
    session.flush()


# --- whole ecosystems through the API -------------------------------------------------------------


def create_ecosystem(
    *, session: Session, spec: EcosystemSpec, name: str | None = None, replace: bool = False
) -> models.Ecosystem:
    """Check a spec's version, references and rules, then store it (see :func:`import_spec`).

    Raises Invalid with one JSON pointer (``#/sites/3/actor``) per defect.
    """
    problems = check_spec(spec)
    if problems:
        errors = [{"pointer": "#/" + "/".join(map(str, loc)), "detail": m} for loc, m in problems]
        raise Invalid(f"the ecosystem has {len(problems)} problem(s)", errors)
    return import_spec(session=session, spec=spec, name=name, replace=replace)


def import_file(
    *,
    session: Session,
    path: Path,
    format: str | None = None,
    name: str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> models.Ecosystem:
    """Read an ecosystem file (format detected from the suffix if not given) and store it.

    Raises Invalid with one entry (source, where, field, detail) per problem in the file.
    """
    try:
        spec = formats.read_path(path, format=format)
    except SpecError as exc:
        errors = [problem_error(p) for p in exc.problems]
        message = f"{path.name} is not a valid ecosystem: {len(errors)} problem(s)"
        raise Invalid(message, errors) from None
    return import_spec(session=session, spec=spec, name=name, replace=replace, progress=progress)


def problem_error(problem: Problem) -> dict[str, str]:
    """Return a problem as an RFC 9457 ``errors`` entry: source file name, where, field, detail."""
    entry = {"source": Path(problem.source).name, "where": problem.where, "field": problem.field}
    return {k: v for k, v in entry.items() if v} | {"detail": problem.message}


def export_file(
    *,
    session: Session,
    ecosystem: models.Ecosystem,
    path: Path,
    format: str,
    principal: Principal | None = None,
) -> None:
    """Write the whole ecosystem to ``path`` as ``format``; partners may not (not all is theirs)."""
    if principal is not None and principal.is_partner:
        raise Forbidden("partners cannot export the whole ecosystem")
    formats.write_path(export_spec(session=session, ecosystem=ecosystem), path, format=format)


ECOSYSTEM_HEADER_FIELDS = ("title", "description", "currency")


def update_ecosystem(
    *, session: Session, ecosystem: models.Ecosystem, changes: Mapping[str, Any]
) -> models.Ecosystem:
    """Change an ecosystem's title, description or currency (null clears title or description)."""
    unknown = sorted(set(changes) - set(ECOSYSTEM_HEADER_FIELDS))
    if unknown:
        errors = [{"pointer": f"#/{k}", "detail": "cannot be changed"} for k in unknown]
        raise Invalid(f"only {', '.join(ECOSYSTEM_HEADER_FIELDS)} can change", errors)
    if "currency" in changes and changes["currency"] is None:
        raise Invalid("currency: cannot be null", [{"pointer": "#/currency"}])
    for column, value in changes.items():
        setattr(ecosystem, column, value)
    session.flush()
    return ecosystem
