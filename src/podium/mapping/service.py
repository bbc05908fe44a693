"""Analysis runs: start, execute and read stress tests and structure reports of stored ecosystems.

A run is started (stored as ``queued``) in the caller's unit of work, then executed, usually in
the background: :func:`execute_run` is the edge of its own work. Given a session factory it
commits each step in a short transaction of its own (running, progress, done or failed) so that
the console can poll a run while it goes on; given a session it only flushes, and the caller's
unit of work commits. Everything else here never commits.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, sessionmaker

from podium.core.db import utcnow
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco_models
from podium.ecosystem import service as eco_service
from podium.ecosystem.spec import EcosystemSpec
from podium.mapping import reports, resilience, structure
from podium.mapping.models import AnalysisRun
from podium.mapping.schemas import PARAMETERS, StressTestParameters, StructureParameters

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while the scenarios of a run finish."""
Sessions = sessionmaker[Session] | Session
"""Where :func:`execute_run` works: a factory (a transaction per step) or one session."""
PROGRESS_INTERVAL_S = 0.25
"""Write progress to the database at most this often (and always at the start and the end)."""


# --- starting -------------------------------------------------------------------------------------


def validate_parameters(
    *, session: Session, ecosystem: eco_models.Ecosystem, kind: str, parameters: dict[str, Any]
) -> BaseModel:
    """Return the parameters of a ``kind`` of run, checked; custom scenarios must name sites.

    Raises Invalid with a JSON pointer (``#/parameters/horizon_days``) per defect.
    """
    model = PARAMETERS.get(kind)
    if model is None:
        detail = f"unknown kind {kind!r}; one of {', '.join(PARAMETERS)}"
        raise Invalid(detail, [{"pointer": "#/kind", "detail": detail}])
    try:
        checked = model.model_validate(parameters)
    except ValidationError as exc:
        errors = [
            {"pointer": _pointer("parameters", *e["loc"]), "detail": e["msg"]} for e in exc.errors()
        ]
        fields = ", ".join(e["pointer"].removeprefix("#/parameters/") for e in errors)
        raise Invalid(f"invalid parameters: {fields}", errors) from None
    if isinstance(checked, StressTestParameters) and checked.scenarios:
        _check_scenario_sites(session, ecosystem, checked)
    return checked


def _pointer(*parts: Any) -> str:
    return "#/" + "/".join(str(p) for p in parts)


def _check_scenario_sites(
    session: Session, ecosystem: eco_models.Ecosystem, parameters: StressTestParameters
) -> None:
    """Refuse custom scenarios that name a site (or site-less actor) the ecosystem lacks."""
    sites = set(
        session.scalars(
            select(eco_models.Site.key).where(eco_models.Site.ecosystem_id == ecosystem.id)
        )
    )
    actors = set(
        session.scalars(
            select(eco_models.Actor.key).where(eco_models.Actor.ecosystem_id == ecosystem.id)
        )
    )
    known = sites | actors
    errors = [
        {
            "pointer": _pointer("parameters", "scenarios", i, "sites", j),
            "detail": f"unknown site {site!r} in ecosystem {ecosystem.name!r}",
        }
        for i, scenario in enumerate(parameters.scenarios or ())
        for j, site in enumerate(scenario.sites)
        if site not in known
    ]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise Invalid(errors[0]["detail"] + more, errors)


def start_run(
    *,
    session: Session,
    ecosystem: eco_models.Ecosystem,
    kind: str,
    parameters: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> AnalysisRun:
    """Check the parameters and store a queued run of the ecosystem as it is now."""
    checked = validate_parameters(
        session=session, ecosystem=ecosystem, kind=kind, parameters=parameters or {}
    )
    run = AnalysisRun(
        ecosystem_id=ecosystem.id,
        kind=kind,
        parameters=checked.model_dump(mode="json", exclude_none=True),
        ecosystem_version=_version(session, ecosystem),
        status="queued",
        progress_done=0,
        progress_total=0,
        created_by=user_id,
    )
    session.add(run)
    session.flush()
    return run


def _version(session: Session, ecosystem: eco_models.Ecosystem) -> dict[str, Any]:
    """The state of the ecosystem a run sees: when it last changed, and its entity counts."""
    counts = eco_service.entity_counts(session=session, ecosystem_id=ecosystem.id)
    return {"updated_at": _utc(ecosystem.updated_at).isoformat(), "counts": counts}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- executing ------------------------------------------------------------------------------------


@contextmanager
def _step(sessions: Sessions) -> Iterator[Session]:
    """One step of a run: its own committed transaction, or a flush in the caller's session."""
    if isinstance(sessions, Session):
        yield sessions
        sessions.flush()
        return
    with sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _load_run(session: Session, run_id: int) -> AnalysisRun:
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound(f"no analysis run {run_id}")
    return run


def execute_run(
    *,
    sessions: Sessions,
    run_id: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> AnalysisRun:
    """Run a queued analysis to the end, recording progress, results and timing.

    A failure of the analysis is recorded on the run (``failed`` with the error) and not
    raised. With a session factory, return the run as its last transaction left it.
    """
    started = time.perf_counter()
    with _step(sessions) as session:
        run = _load_run(session, run_id)
        if run.status != "queued":
            raise Conflict(f"analysis run {run_id} is {run.status}, not queued")
    try:
        spec, kind, parameters = _begin(sessions, run_id)
        writer = _ProgressWriter(sessions, run_id, progress)
        results, summary = _analyse(spec, kind, parameters, writer, workers)
    except Exception as exc:
        log.exception("analysis run %s failed", run_id)
        return _finish(sessions, run_id, started, error=f"{type(exc).__name__}: {exc}")
    return _finish(sessions, run_id, started, results=results, summary=summary)


def _begin(sessions: Sessions, run_id: int) -> tuple[EcosystemSpec, str, dict[str, Any]]:
    """Mark the run running; return the ecosystem as a spec, the kind and the parameters."""
    with _step(sessions) as session:
        run = _load_run(session, run_id)
        ecosystem = session.get(eco_models.Ecosystem, run.ecosystem_id)
        if ecosystem is None:
            raise NotFound(f"the ecosystem of analysis run {run_id} is gone")
        spec = eco_service.export_spec(session=session, ecosystem=ecosystem)
        run.status, run.started_at = "running", utcnow()
        return spec, run.kind, dict(run.parameters)


def _analyse(
    spec: EcosystemSpec,
    kind: str,
    parameters: dict[str, Any],
    progress: Progress,
    workers: int | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the pure analysis of ``kind``; return its results and summary as JSON values."""
    if kind == "stress_test":
        p = StressTestParameters.model_validate(parameters)
        report = resilience.stress_test(
            spec,
            by=p.by,
            scenarios=_scenarios(p),
            horizon_days=p.horizon_days,
            default_ttr_days=p.default_ttr_days,
            workers=workers,
            progress=progress,
        )
        results = report.to_dict()
        results["results"] = reports.sorted_results(results["results"])
        summary = reports.summarize_stress_test(results, top=p.top)
        return reports.json_ready(results), reports.json_ready(summary)
    s = StructureParameters.model_validate(parameters)
    progress(0, 1)
    found = structure.analyze_structure(spec, visibility_tier=s.visibility_tier).to_dict()
    progress(1, 1)
    summary = reports.summarize_findings(found, top=s.top)
    return reports.json_ready(found), reports.json_ready(summary)


def _scenarios(parameters: StressTestParameters) -> list[resilience.Scenario] | None:
    if not parameters.scenarios:
        return None
    return [
        resilience.Scenario(
            id=custom.id or f"custom-{i}",
            kind=resilience.ScenarioKind.CUSTOM,
            label=custom.label or " + ".join(custom.sites),
            sites=tuple(custom.sites),
        )
        for i, custom in enumerate(parameters.scenarios, start=1)
    ]


def _finish(
    sessions: Sessions,
    run_id: int,
    started: float,
    *,
    results: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    error: str | None = None,
) -> AnalysisRun:
    with _step(sessions) as session:
        run = _load_run(session, run_id)
        run.status = "failed" if error is not None else "done"
        run.error, run.results, run.summary = error, results, summary
        if error is None:
            run.progress_done = run.progress_total = max(run.progress_total, 1)
        run.finished_at = utcnow()
        run.duration_seconds = round(time.perf_counter() - started, 3)
    return run


class _ProgressWriter:
    """A ``progress(done, total)`` callback that stores the run's progress, at most every 0.25 s.

    Safe to call from the engine's worker threads. A failed write (a locked SQLite file) is
    logged and skipped: progress is a courtesy, the results are what matter.
    """

    def __init__(self, sessions: Sessions, run_id: int, also: Progress | None) -> None:
        self.sessions, self.run_id, self.also = sessions, run_id, also
        self.lock = threading.Lock()
        self.last = -math.inf

    def __call__(self, done: int, total: int) -> None:
        if self.also is not None:
            self.also(done, total)
        now = time.monotonic()
        with self.lock:
            if 0 < done < total and now - self.last < PROGRESS_INTERVAL_S:
                return
            self.last = now
            try:
                with _step(self.sessions) as session:
                    run = _load_run(session, self.run_id)
                    run.progress_done, run.progress_total = done, total
            except Exception:
                log.warning("could not record the progress of run %s", self.run_id, exc_info=True)


# --- reading --------------------------------------------------------------------------------------


def entity_names(
    *, session: Session, ecosystem: eco_models.Ecosystem, keys: set[str]
) -> dict[str, str]:
    """Return the names of the given actor, site and item keys of ``ecosystem``."""
    found: dict[str, str] = {}
    for table in (eco_models.Actor, eco_models.Site, eco_models.Item):
        query = select(table.key, table.name).where(
            table.ecosystem_id == ecosystem.id, table.key.in_(sorted(keys))
        )
        found.update({key: name for key, name in session.execute(query)})
    return found


def get_run(*, session: Session, run_id: int) -> AnalysisRun:
    """Return one analysis run, or raise NotFound."""
    return _load_run(session, run_id)


def list_runs(
    *,
    session: Session,
    ecosystem: eco_models.Ecosystem,
    kind: str | None = None,
    limit: int = 50,
) -> list[AnalysisRun]:
    """Return an ecosystem's runs, newest first, without loading their results."""
    query = (
        select(AnalysisRun)
        .where(AnalysisRun.ecosystem_id == ecosystem.id)
        .options(defer(AnalysisRun.results))
        .order_by(AnalysisRun.id.desc())
        .limit(limit)
    )
    if kind is not None:
        query = query.where(AnalysisRun.kind == kind)
    return list(session.scalars(query))


def latest_run(
    *, session: Session, ecosystem: eco_models.Ecosystem, kind: str, only_done: bool = True
) -> AnalysisRun | None:
    """Return the newest run of ``kind`` (the newest finished one unless ``only_done=False``)."""
    query = select(AnalysisRun).where(
        AnalysisRun.ecosystem_id == ecosystem.id, AnalysisRun.kind == kind
    )
    if only_done:
        query = query.where(AnalysisRun.status == "done")
    return session.scalar(query.order_by(AnalysisRun.id.desc()).limit(1))


def _done(run: AnalysisRun, kind: str | None = None) -> dict[str, Any]:
    """Return a finished run's results; refuse runs of another kind or not done."""
    if kind is not None and run.kind != kind:
        raise Invalid(f"analysis run {run.id} is a {run.kind} run, not a {kind} run")
    if run.status != "done" or run.results is None:
        detail = f": {run.error}" if run.error else "; it has no results yet"
        raise Conflict(f"analysis run {run.id} is {run.status}{detail}")
    return run.results


def compare_runs(a: AnalysisRun, b: AnalysisRun) -> dict[str, Any]:
    """Compare two finished stress-test runs scenario by scenario (``b`` against ``a``).

    See :func:`podium.mapping.reports.compare_results` for what counts as better or worse.
    """
    before = _done(a, "stress_test")["results"]
    after = _done(b, "stress_test")["results"]
    compared = reports.compare_results(before, after)
    return {"a": a.id, "b": b.id, "ecosystem_ids": [a.ecosystem_id, b.ecosystem_id]} | compared


def risk_table(run: AnalysisRun) -> list[dict[str, Any]]:
    """Return a finished run as table rows: one per scenario (worst first) or per finding."""
    results = _done(run)
    if run.kind == "stress_test":
        return reports.scenario_rows(results["results"], currency=results.get("currency"))
    return reports.finding_rows(results.get("findings", []))


def write_risk_table(
    rows: Sequence[dict[str, Any]],
    target: str | Path | BinaryIO,
    *,
    format: str = "csv",
    columns: Sequence[str] | None = None,
) -> None:
    """Write :func:`risk_table` rows to a file or binary buffer as CSV or XLSX."""
    if format not in reports.TABLE_FORMATS:
        detail = f"unknown table format {format!r}; one of {', '.join(reports.TABLE_FORMATS)}"
        raise Invalid(detail, [{"pointer": "#/format", "detail": detail}])
    reports.write_risk_table(rows, target, format=format, columns=columns)
