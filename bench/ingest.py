"""Partner-data ingest and enforced reads against their unenforced references, on SQLite.

Run: ``python bench/ingest.py [--events 100000] [--batch 1000] [--connections 4]
[--forecast-rows 1000000] [--load core|service] [--repeat 3] [--skip-capture] [--skip-read]``.

*EPCIS capture.* A Podium server (``uvicorn`` serving ``create_app(Settings(database_url=...))``
over a SQLite file in a temporary folder) runs in a child process on a free localhost port. The
events (EPCIS 2.0 ``ObjectEvent``s in JSON-LD like GS1's ``Example_9.6.1-ObjectEvent.jsonld``,
generated with a fixed seed) are sent as ``EPCISDocument``s of ``--batch`` events each, by
``--connections`` threads with one keep-alive ``httpx`` client each, as the partner admin of
``velora`` in the ``manufacturer`` sample. The figure is end to end: from the first POST until
every capture job reports ``running: false`` (each must report ``success: true``); the server's
CPU time over that span is printed too. The *reference* inserts the same rows (the same columns
and values, no validation) into ``epcis_events`` of an identical empty database with the DB-API
``executemany`` in one transaction: once with the rows prepared as DB-API tuples before the clock
starts (the insert alone: the ratio the target is set on), once building them from the event
dicts inside the clock (each body serialised to JSON text, each time to SQLite's text). The
stored tables are then compared row for row. Each reference runs ``--repeat`` times and the best
is kept (they take a second or two, so a passing load spike would weigh on them most).

*Enforced read.* ``velora``'s ``--forecast-rows`` daily forecasts (40 items at 25 sites over
1,000 days; item by site, each over the whole horizon, so the table's order does not follow the
period) are stored in submissions of 10,000 rows (Core executemany of the rows
``service.submit`` writes; ``--load service`` submits them through the service instead), and
shared with ``kinsei`` for the purpose ``planning`` at ``podium:timeGranularity`` week and
``podium:placeGranularity`` region. The figure
is :func:`podium.integrate.access.read` as ``kinsei`` (service level, no HTTP): the agreement
looked up, enforced and audited, the rows aggregated in SQL. The reference is the same
aggregation as one hand-written SQL ``GROUP BY`` without enforcement. Each runs ``--repeat``
times, alternating; the best of each is reported and the answers are compared group by group.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import podium
from podium.core.auth import Principal, Role, add_user, issue_token, principal_of
from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.integrate import access, agreements, datasets, models, service
from podium.samples import SAMPLES

SEED = 2026
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
PROVIDER, RECIPIENT = "velora", "kinsei"
EPC_COLUMNS = (
    "ecosystem_id",
    "provider",
    "capture_id",
    "event_id",
    "event_type",
    "event_time",
    "event_time_zone_offset",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "epcs",
    "body",
)
FORECAST_ITEMS, FORECAST_SITES = 40, 25
FIRST_DAY = date(2026, 1, 5)  # a Monday


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Return the action's result and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def fresh_database(folder: Path, label: str) -> str:
    """Return the URL of a new, migrated SQLite file holding the ``manufacturer`` sample."""
    url = f"sqlite:///{folder / f'{label}.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        eco_service.import_spec(session=session, spec=podium.load(SAMPLES["manufacturer"]))
    engine.dispose()
    return url


def partner(factory: sessionmaker[Session], actor: str) -> tuple[Principal, str]:
    """Create ``actor``'s partner admin; return its principal and a bearer token."""
    with unit_of_work(factory) as session:
        ecosystem = session.scalars(select(eco.Ecosystem)).one()
        user = add_user(
            session=session,
            username=f"{actor}-admin",
            password="correct horse battery",
            role=Role.PARTNER_ADMIN,
            partner_ecosystem_id=ecosystem.id,
            partner_actor=actor,
        )
        return principal_of(user), issue_token(session=session, user=user)


# --- EPCIS capture -------------------------------------------------------------------------------


def epcis_documents(events: int, batch: int, seed: int = SEED) -> list[dict[str, Any]]:
    """Deterministic EPCIS 2.0 capture documents of ``batch`` ObjectEvents each.

    Shipping (``in_transit``) and receiving (``in_progress``) of 1-3 SGTINs at a plant or
    warehouse (SGLN read point within an SGLN business location), observed or added, in local
    time with the site's offset, as GS1's Example 9.6.1; a fifth carry a purchase order.
    """
    rng = random.Random(seed)
    companies = ["4012345", "0614141", "4098765", "8712345"]
    offsets = ["+01:00", "+02:00", "-06:00", "+09:00", "+00:00"]
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    documents = []
    for first in range(0, events, batch):
        found = []
        for n in range(first, min(first + batch, events)):
            company = rng.choice(companies)
            offset = rng.choice(offsets)
            sign = -1 if offset[0] == "-" else 1
            local = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:])))
            when = (start + timedelta(seconds=7 * n + rng.randrange(7))).astimezone(local)
            product = f"{rng.randrange(100000, 999999):06d}"
            serials = rng.sample(range(1, 10**9), rng.randint(1, 3))
            location = f"urn:epc:id:sgln:{company}.{rng.randrange(10000, 99999)}"
            shipping = rng.random() < 0.5
            event: dict[str, Any] = {
                "type": "ObjectEvent",
                "eventTime": when.isoformat(timespec="milliseconds"),
                "eventTimeZoneOffset": offset,
                "epcList": [f"urn:epc:id:sgtin:{company}.{product}.{s}" for s in serials],
                "action": "OBSERVE" if rng.random() < 0.8 else "ADD",
                "bizStep": "shipping" if shipping else "receiving",
                "disposition": "in_transit" if shipping else "in_progress",
                "readPoint": {"id": f"{location}.{rng.randrange(1, 40)}"},
                "bizLocation": {"id": f"{location}.0"},
                "eventID": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            }
            if rng.random() < 0.2:
                order = f"http://transaction.example.com/po/{rng.randrange(10**7, 10**8)}"
                event["bizTransactionList"] = [{"type": "po", "bizTransaction": order}]
            found.append(event)
        documents.append(
            {
                "@context": CONTEXT,
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": start.isoformat().replace("+00:00", "Z"),
                "epcisBody": {"eventList": found},
            }
        )
    return documents


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


SERVER = """
import sys, uvicorn
from podium.app import create_app
from podium.core.settings import Settings
app = create_app(Settings(database_url=sys.argv[1], secret_key="bench-secret-key"))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


class Server:
    """A child process serving the app; ``cpu_seconds()`` reads its CPU time (Linux)."""

    def __init__(self, process: subprocess.Popen[bytes], base: str) -> None:
        self.process, self.base = process, base

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_server(url: str, token: str) -> Iterator[Server]:
    """Serve the app over ``url`` in a child process; yield it once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"{base}/api/v1/me", headers=bearer(token), timeout=2)
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.1)
        yield Server(process, base)
    finally:
        process.terminate()
        process.wait(timeout=30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_all(base: str, token: str, bodies: list[bytes], connections: int) -> list[str]:
    """POST every body to ``/epcis/capture`` from ``connections`` threads; return the Locations."""
    locations: list[str | None] = [None] * len(bodies)
    failures: list[str] = []
    headers = bearer(token) | {"Content-Type": "application/ld+json"}

    def work(worker: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            for index in range(worker, len(bodies), connections):
                answer = client.post("/api/v1/epcis/capture", content=bodies[index])
                if answer.status_code != 202:
                    failures.append(f"batch {index}: {answer.status_code} {answer.text[:300]}")
                    return
                locations[index] = answer.headers["Location"]

    threads = [threading.Thread(target=work, args=(w,)) for w in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit("capture refused: " + "; ".join(failures[:3]))
    return [location for location in locations if location is not None]


def wait_for_jobs(base: str, token: str, locations: list[str]) -> None:
    """Poll each capture job until it stops running; every one must have succeeded."""
    pending = list(locations)
    with httpx.Client(base_url=base, headers=bearer(token), timeout=120) as client:
        while pending:
            job = client.get(pending[0]).json()
            if job["running"]:
                time.sleep(0.005)
                continue
            if not job["success"]:
                raise SystemExit(f"capture job failed: {job['errors']}")
            pending.pop(0)


def event_row(event: dict[str, Any], ecosystem_id: int, job_id: str) -> tuple[Any, ...]:
    """The row capture stores for ``event``, as the DB-API tuple SQLAlchemy binds on SQLite."""
    when = datetime.fromisoformat(event["eventTime"]).astimezone(UTC)
    return (
        ecosystem_id,
        PROVIDER,
        job_id,
        event["eventID"],
        event["type"],
        when.strftime("%Y-%m-%d %H:%M:%S.%f"),
        event["eventTimeZoneOffset"],
        event["action"],
        event["bizStep"],
        event["disposition"],
        event["readPoint"]["id"],
        event["bizLocation"]["id"],
        "|" + "|".join(event["epcList"]) + "|",
        json.dumps(event),
    )


INSERT_EVENT = (
    f"INSERT INTO epcis_events ({', '.join(EPC_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(EPC_COLUMNS))})"
)


def reference_template(folder: Path, documents: list[dict[str, Any]]) -> tuple[Path, int]:
    """An empty Podium database holding the reference's capture jobs; (file, ecosystem id)."""
    url = fresh_database(folder, "raw-template")
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        ecosystem_id = session.scalars(select(eco.Ecosystem.id)).one()
        session.execute(
            insert(models.CaptureJob),
            [
                {"id": f"cap-ref-{i:06d}", "ecosystem_id": ecosystem_id, "provider": PROVIDER,
                 "request_id": "bench", "request_digest": "", "event_count": 0}
                for i in range(len(documents))
            ],
        )  # fmt: skip
    engine.dispose()  # the last connection: SQLite folds the WAL into the file
    return Path(url.removeprefix("sqlite:///")), ecosystem_id


def raw_epcis_insert(
    template: Path, ecosystem_id: int, documents: list[dict[str, Any]], target: Path, prepared: bool
) -> float:
    """Reference: DB-API executemany of the events' rows in one transaction into a copy of
    ``template`` at ``target`` (seconds).

    ``prepared``: the rows are built before the clock starts (the insert alone); otherwise from
    the event dicts inside it (serialising each body to JSON text, its time to SQLite's text).
    """
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(template, target)
    pairs = [(d, f"cap-ref-{i:06d}") for i, d in enumerate(documents)]
    rows = [event_row(e, ecosystem_id, j) for d, j in pairs for e in d["epcisBody"]["eventList"]]
    connection = sqlite3.connect(target, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")  # as podium.core.db.make_engine sets them
    started = time.perf_counter()
    if not prepared:
        rows = [
            event_row(e, ecosystem_id, j) for d, j in pairs for e in d["epcisBody"]["eventList"]
        ]
    connection.execute("BEGIN")
    connection.executemany(INSERT_EVENT, rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def stored_events(url: str) -> list[tuple[Any, ...]]:
    """Every stored event's columns but the row id and capture id, in event-ID order."""
    names = [c for c in EPC_COLUMNS if c != "capture_id"]
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    rows = connection.execute(
        f"SELECT {', '.join(names)} FROM epcis_events ORDER BY event_id"
    ).fetchall()
    connection.close()
    return rows


def bench_capture(folder: Path, events: int, batch: int, connections: int, repeat: int) -> None:
    documents = epcis_documents(events, batch)
    bodies = [json.dumps(document).encode() for document in documents]
    megabytes = sum(map(len, bodies)) / 1e6
    print(
        f"EPCIS capture: {events:,} ObjectEvents in {len(bodies)} documents of {batch:,} "
        f"({megabytes:.1f} MB of JSON-LD), {connections} keep-alive connections"
    )
    url = fresh_database(folder, "capture")
    engine = make_engine(url)
    _, token = partner(session_factory(engine), PROVIDER)
    engine.dispose()
    with running_server(url, token) as server:
        cpu = server.cpu_seconds()
        started = time.perf_counter()
        locations = post_all(server.base, token, bodies, connections)
        accepted = time.perf_counter() - started
        wait_for_jobs(server.base, token, locations)
        t_podium = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu
    template, ecosystem_id = reference_template(folder, documents)
    t_raw, t_dicts = math.inf, math.inf
    target = folder / "raw.db"
    for _ in range(repeat):  # short runs: the best of a few, so a passing load spike does not count
        t_raw = min(t_raw, raw_epcis_insert(template, ecosystem_id, documents, target, True))
        t_dicts = min(t_dicts, raw_epcis_insert(template, ecosystem_id, documents, target, False))
    got, expected = stored_events(url), stored_events(f"sqlite:///{target}")
    if len(got) != events or got != expected:
        raise SystemExit(f"stored events differ: {len(got):,} stored, {len(expected):,} expected")
    print(f"  raw executemany, rows prepared    : {events / t_raw:9,.0f} events/s ({t_raw:.2f} s)")
    print(
        f"  raw executemany, from event dicts : {events / t_dicts:9,.0f} events/s ({t_dicts:.2f} s)"
    )
    print(
        f"  podium capture over HTTP          : {events / t_podium:9,.0f} events/s "
        f"({t_podium:.2f} s; all 202s after {accepted:.2f} s)  (target >= 10,000)"
    )
    print(
        f"  ratio capture / raw (prepared)    : {t_raw / t_podium:9.2f}  (target >= 0.4); "
        f"to raw from dicts {t_dicts / t_podium:.2f}"
    )
    print(
        f"  server CPU {cpu:.2f} s ({cpu / t_podium:.0%} of a core; "
        f"{1000 * cpu * batch / events:.0f} ms per document); stored {len(got):,} events, "
        "every column equal to the reference's"
    )


# --- enforced read -------------------------------------------------------------------------------


def forecast_batches(
    rows: int, items: list[str], sites: list[str]
) -> Iterator[list[dict[str, Any]]]:
    """Daily forecasts in batches of 10,000: each item at each site over the whole horizon, one
    after the other (a planner submits the horizon of a planning unit at a time), so the table's
    order does not follow the period. Quantities are whole numbers: every sum is exact."""
    rng = random.Random(SEED)
    pairs = [(item, site) for item in items for site in sites]
    days = -(-rows // len(pairs))
    batch: list[dict[str, Any]] = []
    for n in range(rows):
        item, site = pairs[n // days]
        day = FIRST_DAY + timedelta(days=n % days)
        batch.append(
            {"item": item, "location": site, "period_start": day, "bucket": "day",
             "quantity": float(rng.randrange(0, 500)), "horizon_days": 7 * rng.randrange(1, 27)}
        )  # fmt: skip
        if len(batch) == 10_000:
            yield batch
            batch = []
    if batch:
        yield batch


def load_forecasts(
    factory: sessionmaker[Session], principal: Principal, rows: int, how: str
) -> tuple[int, int]:
    """Store the forecasts as ``PROVIDER``'s submissions of 10,000; return (rows, groups)."""
    with factory() as session:
        ecosystem = session.scalars(select(eco.Ecosystem)).one()
        items = sorted(session.scalars(select(eco.Item.key)).all())[:FORECAST_ITEMS]
        sites = session.scalars(select(eco.Site.key).order_by(eco.Site.key)).all()
        site_regions = {k: r for k, r in session.execute(select(eco.Site.key, eco.Site.region))}
    chosen = sites[:: max(1, len(sites) // FORECAST_SITES)][:FORECAST_SITES]
    stored = 0
    for batch in forecast_batches(rows, items, list(chosen)):
        with unit_of_work(factory) as session:
            found = session.get(eco.Ecosystem, ecosystem.id)
            assert found is not None
            if how == "service":
                records = [datasets.Forecast(**row) for row in batch]
                service.submit(
                    session=session, ecosystem=found, principal=principal, dataset="forecasts",
                    records=records, source="api", request_id=f"load-{stored}",
                )  # fmt: skip
            else:
                core_insert(session, found.id, batch)
        stored += len(batch)
    weeks = (-(-rows // (len(items) * len(chosen))) + 6) // 7 + 1
    regions = len({site_regions[s] or "unknown" for s in chosen})
    return stored, weeks * len(items) * regions


def core_insert(session: Session, ecosystem_id: int, batch: list[dict[str, Any]]) -> None:
    """One submission of rows inserted with Core executemany (what ``service.submit`` stores)."""
    submission = models.Submission(
        ecosystem_id=ecosystem_id, provider=PROVIDER, dataset="forecasts", source="api",
        request_id="bench-load", request_digest="", record_count=len(batch), quality={},
    )  # fmt: skip
    session.add(submission)
    session.flush()
    base = {"ecosystem_id": ecosystem_id, "provider": PROVIDER, "submission_id": submission.id}
    session.execute(
        insert(models.Forecast),
        [
            {**base, **row, "record_key": service.record_key("forecasts", row), "current": True}
            for row in batch
        ],
    )


def share_weekly(factory: sessionmaker[Session], principal: Principal) -> None:
    """``PROVIDER`` shares its forecasts with ``RECIPIENT`` for planning, by week and region."""
    constraints = [
        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "planning"},
        {"leftOperand": "podium:timeGranularity", "operator": "eq", "rightOperand": "week"},
        {"leftOperand": "podium:placeGranularity", "operator": "eq", "rightOperand": "region"},
    ]
    odrl = {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Agreement",
        "permission": [{"action": "use", "constraint": [{"and": constraints}]}],
    }
    with unit_of_work(factory) as session:
        ecosystem = session.scalars(select(eco.Ecosystem)).one()
        agreements.create(
            session=session, ecosystem=ecosystem, principal=principal, document=odrl,
            key="velora-weekly", recipients=[RECIPIENT], dataset="forecasts",
        )  # fmt: skip


Group = tuple[date, str, str, str]


def enforced_read(
    factory: sessionmaker[Session], reader: Principal
) -> dict[Group, tuple[Any, ...]]:
    """``RECIPIENT`` reads ``PROVIDER``'s forecasts for planning (committed: its audit entry)."""
    with unit_of_work(factory) as session:
        ecosystem = session.scalars(select(eco.Ecosystem)).one()
        result = access.read(
            session=session, ecosystem=ecosystem, principal=reader, dataset="forecasts",
            purpose="planning", request_id="bench-read", limit=access.MAX_ROWS,
        )  # fmt: skip
    if len(result.rows) >= access.MAX_ROWS:
        raise SystemExit("the enforced read hit MAX_ROWS: lower --forecast-rows")
    return {
        (r["period_start"], r["item"], r["location"], r["bucket"]): (r["quantity"], r["rows"])
        for r in result.rows
    }


UNENFORCED = text(
    """
    SELECT date(f.period_start, '-6 days', 'weekday 1') AS week, f.item,
           coalesce(s.region, 'unknown') AS region, f.bucket,
           sum(f.quantity) AS quantity, count(*) AS rows
    FROM forecasts AS f
    LEFT JOIN sites AS s ON s.ecosystem_id = f.ecosystem_id AND s.key = f.location
    GROUP BY week, f.item, region, f.bucket
    ORDER BY week, f.item, region, f.bucket
    """
)


def unenforced_read(engine: Engine) -> dict[Group, tuple[Any, ...]]:
    """Reference: the same aggregation as one hand-written GROUP BY, no agreement, no audit."""
    with engine.connect() as connection:
        rows = connection.execute(UNENFORCED).all()
    return {
        (date.fromisoformat(week), item, region, bucket): (quantity, count)
        for week, item, region, bucket, quantity, count in rows
    }


def bench_read(folder: Path, rows: int, how: str, repeat: int) -> None:
    url = fresh_database(folder, "read")
    engine = make_engine(url)
    factory = session_factory(engine)
    provider, _ = partner(factory, PROVIDER)
    reader, _ = partner(factory, RECIPIENT)
    (stored, groups), t_load = timed(lambda: load_forecasts(factory, provider, rows, how))
    share_weekly(factory, provider)
    print(
        f"Enforced read: {stored:,} daily forecasts ({FORECAST_ITEMS} items x {FORECAST_SITES} "
        f"sites) loaded in {t_load:.1f} s ({stored / t_load:,.0f} rows/s, {how}, batches of "
        f"10,000); week x item x region, up to {groups:,} groups"
    )
    enforced, unenforced = [], []
    for _ in range(repeat):
        got, t_enforced = timed(lambda: enforced_read(factory, reader))
        expected, t_plain = timed(lambda: unenforced_read(engine))
        enforced.append(t_enforced)
        unenforced.append(t_plain)
        if got != expected:
            raise SystemExit("the enforced read and the reference disagree")
    with engine.connect() as connection:
        counted = connection.execute(select(func.count()).select_from(models.Forecast)).scalar()
    engine.dispose()
    if counted != rows or sum(c for _, c in got.values()) != rows:
        raise SystemExit(f"{counted} rows stored, {rows} expected")
    best, plain = min(enforced), min(unenforced)
    print(f"  unenforced GROUP BY      : {plain:8.2f} s ({rows / plain:10,.0f} rows/s)")
    print(f"  access.read (enforced)   : {best:8.2f} s ({rows / best:10,.0f} rows/s)")
    print(f"  ratio enforced / plain   : {best / plain:8.2f}x (target <= 1.5x; best of {repeat})")
    print(f"  answers: {len(got):,} groups, sums and counts equal; {counted:,} rows aggregated")


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000, help="events per capture document")
    parser.add_argument("--connections", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--forecast-rows", type=int, default=1_000_000)
    parser.add_argument("--load", choices=("core", "service"), default="core")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each reference and read (best kept)"
    )
    parser.add_argument("--skip-capture", action="store_true")
    parser.add_argument("--skip-read", action="store_true")
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} ({os.cpu_count()} CPUs), Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d')}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_capture:
            bench_capture(Path(tmp), args.events, args.batch, args.connections, args.repeat)
        if not args.skip_read:
            bench_read(Path(tmp), args.forecast_rows, args.load, args.repeat)


if __name__ == "__main__":
    main()
