"""Fuzzing the partner-data API, on SQLite and PostgreSQL.

(a) schemathesis drives every partner-data and EPCIS operation of the app's own OpenAPI
    (in-process, authenticated) and asserts no 5xx; hypothesis adds what the OpenAPI cannot
    describe: free-form read filters, and agreements filtering on any field.
(b) hypothesis breaks valid batches (wrong type, negative quantity, unknown item, bad date,
    missing field, duplicate key, unknown field, bad period) as JSON records, CSV uploads and
    EPCIS capture documents: each is refused (422, or 400 for EPCIS) naming only broken records,
    and leaves nothing behind: no observation, submission, capture job or event, no audit write.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

import podium
from podium.app import create_app
from podium.core.audit import AuditEntry
from podium.core.auth import Role, add_user, issue_token
from podium.core.db import unit_of_work
from podium.core.settings import Settings
from podium.ecosystem import service as eco_service
from podium.integrate import datasets, models
from podium.samples import SAMPLES
from tests.conftest import wipe

API = "/api/v1"
ECO = f"{API}/ecosystems/manufacturer"
SPEC = podium.load(SAMPLES["manufacturer"])
ITEMS = sorted(item.id for item in SPEC.items)
SITES = sorted(site.id for site in SPEC.sites)
START = date(2026, 11, 23)  # a Monday
PROBLEM = "application/problem+json"
FUZZED = (
    r"^/api/v1/(epcis/"
    r"|ecosystems/\{name\}/(data|submissions|agreements|audit|exceptions|quality))"
)
FEW = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
Headers = dict[str, str]
Records = list[dict[str, Any]]


# --- the app under test ---------------------------------------------------------------------------


@dataclass
class Fuzz:
    """The app over one database, tokens, and what the fuzzed routes can point at."""

    app: FastAPI
    client: TestClient
    ecosystem_id: int
    headers: dict[str, Headers]
    capture_id: str = ""

    def counts(self) -> dict[str, int]:
        """Rows that a refused request must leave as they were."""
        tables: dict[str, Any] = {
            "forecasts": models.Forecast,
            "submissions": models.Submission,
            "capture jobs": models.CaptureJob,
            "events": models.EpcisEventRow,
        }
        with self.app.state.session_factory() as session:
            found = {
                name: session.scalar(select(func.count()).select_from(table))
                for name, table in tables.items()
            }
            found["audit writes"] = session.scalar(
                select(func.count()).where(AuditEntry.action == "write")
            )
        return found


def forecast(day: date, item: str = "power-module", quantity: float = 10.0) -> dict[str, Any]:
    return {
        "item": item,
        "location": "velora-dresden",
        "period_start": day.isoformat(),
        "bucket": "day",
        "quantity": quantity,
    }


def epcis_document(events: Records) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-23T09:00:00Z",
        "epcisBody": {"eventList": events},
    }


def object_event(minute: int = 0, serial: int = 1, step: str = "shipping") -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-11-23T08:{minute:02d}:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [f"urn:epc:id:sgtin:0614141.107346.{serial}"],
        "bizStep": step,
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    }


def share(key: str, dataset: str, *constraints: dict[str, Any]) -> dict[str, Any]:
    """An agreement of velora's with kinsei for purpose ``p-<key>``."""
    purpose = {"leftOperand": "purpose", "operator": "eq", "rightOperand": f"p-{key}"}
    odrl = {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Agreement",
        "permission": [{"action": "use", "constraint": [{"and": [purpose, *constraints]}]}],
    }
    return {"odrl": odrl, "key": key, "recipients": ["kinsei"], "dataset": dataset}


def _seed(fuzz: Fuzz) -> None:
    """Data, an agreement, a capture job and an exception for the fuzzed routes to find."""
    velora, client = fuzz.headers["velora"], fuzz.client
    records = {"records": [forecast(START + timedelta(days=d)) for d in range(7)]}
    assert client.post(f"{ECO}/data/forecasts", json=records, headers=velora).status_code == 201
    late = {"order_id": "PO-1", "item": "power-module", "promised_date": "2026-01-05",
            "promised_quantity": 5, "delivered_date": "2026-01-20",
            "delivered_quantity": 5}  # fmt: skip
    answer = client.post(f"{ECO}/data/deliveries", json={"records": [late]}, headers=velora)
    assert answer.status_code == 201
    answer = client.post(f"{ECO}/agreements", json=share("raw", "forecasts"), headers=velora)
    assert answer.status_code == 201
    document = epcis_document([object_event()])
    answer = client.post(f"{API}/epcis/capture", json=document, headers=velora)
    fuzz.capture_id = answer.json()["captureID"]
    client.post(f"{ECO}/exceptions/check", headers=fuzz.headers["admin"])


@pytest.fixture(scope="module")
def fuzz(database_url: str, engine: Engine) -> Iterator[Fuzz]:
    """One app per database for this module (5xx come back as responses); emptied after."""
    wipe(engine)
    app = create_app(Settings(database_url=database_url, secret_key="test-secret-key"))
    with TestClient(app, raise_server_exceptions=False) as client:
        with unit_of_work(app.state.session_factory) as session:
            ecosystem = eco_service.import_spec(session=session, spec=SPEC)
            headers = {}
            for who, role, actor in (
                ("admin", Role.ADMIN, None),
                ("velora", Role.PARTNER_ADMIN, "velora"),
                ("kinsei", Role.PARTNER_USER, "kinsei"),
            ):
                user = add_user(
                    session=session,
                    username=f"fuzz-{who}",
                    password="correct horse battery",
                    role=role,
                    partner_ecosystem_id=ecosystem.id if actor else None,
                    partner_actor=actor,
                )
                token = issue_token(session=session, user=user)
                headers[who] = {"Authorization": f"Bearer {token}"}
        found = Fuzz(app, client, ecosystem.id, headers)
        _seed(found)
        yield found
    app.state.engine.dispose()
    wipe(engine)


# --- (a) schemathesis over the OpenAPI ------------------------------------------------------------


def _openapi() -> dict[str, Any]:
    """The OpenAPI the app builds (the same whatever the database; no connection is made)."""
    app = create_app(Settings(database_url="sqlite://", secret_key="openapi-only"))
    document: dict[str, Any] = app.openapi()
    app.state.engine.dispose()
    return document


# The coverage phase (every boundary of every parameter) would triple the time: the fuzzing
# phase with a fixed seed keeps the sweep bounded and reproducible.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG).include(path_regex=FUZZED)


def test_the_served_openapi_is_the_fuzzed_one(fuzz: Fuzz) -> None:
    """What the app serves (to an authenticated caller only) is what the fuzzer reads."""
    url = f"{API}/openapi.json"
    assert fuzz.client.get(url).status_code == 401
    served = fuzz.client.get(url, headers=fuzz.headers["kinsei"]).json()
    assert served == _openapi() and set(schema.raw_schema["paths"]) == set(served["paths"])


def aim(case: Case, fuzz: Fuzz) -> str:
    """Point most calls at what exists (random names only reach a 404) and pick the caller:
    the admin (every permission) or velora (a partner, so reads are enforced)."""
    digest = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    path = case.path_parameters if case.path_parameters is not None else {}
    if "name" in path:
        path["name"] = "manufacturer"
    if path.get("dataset") not in datasets.DATASETS and "dataset" in path:
        path["dataset"] = sorted(datasets.DATASETS)[digest % len(datasets.DATASETS)]
    if "capture_id" in path and digest % 2:
        path["capture_id"] = fuzz.capture_id
    if case.path.startswith("/api/v1/epcis/"):
        case.query = {**(case.query or {}), "ecosystem": "manufacturer"}
    return ("admin", "velora")[digest % 2]


@schema.parametrize()
@FEW
def test_no_operation_answers_a_server_error(case: Case, fuzz: Fuzz) -> None:
    who = aim(case, fuzz)
    case.call_and_validate(app=fuzz.app, headers=fuzz.headers[who], checks=[not_a_server_error])


FIELD_NAMES = sorted(datasets.DATASETS["forecasts"].model.model_fields)


@given(
    name=st.sampled_from(FIELD_NAMES),
    value=st.text(min_size=1, max_size=12).filter(lambda v: v.strip(",")),
)
@FEW
def test_read_filters_never_answer_a_server_error(fuzz: Fuzz, name: str, value: str) -> None:
    """A read filters any field by any text (``?quantity=lots``): rows or 422, never 5xx."""
    for who in ("velora", "kinsei"):
        params = {name: value, "purpose": "p-raw"}
        answer = fuzz.client.get(f"{ECO}/data/forecasts", params=params, headers=fuzz.headers[who])
        assert answer.status_code in (200, 422), answer.text


ODD_FILTERS = [
    ("forecasts", "quantity", "lots"),
    ("forecasts", "period_start", "soon"),
    ("forecasts", "horizon_days", "many"),
    ("forecasts", "region", "Atlantis"),
    ("forecasts", "colour", "blue"),
    ("epcis_events", "action", "OBSERVE"),
    ("epcis_events", "event_time", "soon"),
    ("epcis_events", "id", "first"),
    ("epcis_events", "registry", "x"),
    ("epcis_events", "metadata", "x"),
]


@pytest.mark.parametrize(("dataset", "name", "value"), ODD_FILTERS)
def test_agreement_filters_never_fail_a_read(
    fuzz: Fuzz, dataset: str, name: str, value: str
) -> None:
    """An agreement may filter on any name and value ODRL allows; a read through it gets the
    rows that match (none, if nothing can), never a server error."""
    key = f"odd-{dataset}-{name}"
    constraint = {"leftOperand": f"podium:{name}", "operator": "eq", "rightOperand": value}
    body = share(key, dataset, constraint)
    made = fuzz.client.post(f"{ECO}/agreements", json=body, headers=fuzz.headers["velora"])
    assert made.status_code in (201, 409, 422), made.text
    if dataset == "forecasts":
        url, params = f"{ECO}/data/forecasts", {"purpose": f"p-{key}"}
    else:
        url, params = f"{API}/epcis/events", {"purpose": f"p-{key}"}
    answer = fuzz.client.get(url, params=params, headers=fuzz.headers["kinsei"])
    assert answer.status_code == 200, answer.text


# --- (b) broken batches ---------------------------------------------------------------------------

REQUIRED = datasets.DATASETS["forecasts"].required
WRONG_TYPES: dict[str, list[Any]] = {
    "item": [42, True, None, [], {"key": "power-module"}],
    "location": [7.5, False, None, ["velora-dresden"]],
    "period_start": [20261123, None, True, ["2026-11-23"]],
    "bucket": [1, None, ["day"]],
    "quantity": ["5", "lots", None, True, [], {}],
}
BAD_DATES = ["2026-02-30", "2026-13-01", "2026-1-5", "05.01.2026", "2026-01-05T00:00:00Z", "soon"]
unknown_keys = st.from_regex(r"[a-z][a-z0-9\-]{0,15}", fullmatch=True).filter(
    lambda key: key not in ITEMS and key not in SITES
)


@st.composite
def valid_forecasts(draw: st.DrawFn) -> Records:
    """One to eight valid forecasts with distinct keys (distinct days)."""
    days = draw(st.lists(st.integers(0, 90), min_size=1, max_size=8, unique=True))
    quantities = st.floats(0, 1e6, allow_nan=False) | st.integers(0, 10**6)
    return [
        {
            "item": draw(st.sampled_from(ITEMS)),
            "location": draw(st.sampled_from(SITES)),
            "period_start": (START + timedelta(days=day)).isoformat(),
            "bucket": "day",
            "quantity": draw(quantities),
        }
        for day in days
    ]


def _wrong_type(draw: st.DrawFn, record: dict[str, Any]) -> None:
    name = draw(st.sampled_from(sorted(WRONG_TYPES)))
    record[name] = draw(st.sampled_from(WRONG_TYPES[name]))


def _negative(draw: st.DrawFn, record: dict[str, Any]) -> None:
    record["quantity"] = draw(
        st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False)
        | st.integers(max_value=-1)
    )


def _unknown_reference(draw: st.DrawFn, record: dict[str, Any]) -> None:
    record[draw(st.sampled_from(["item", "location"]))] = draw(unknown_keys)


def _bad_date(draw: st.DrawFn, record: dict[str, Any]) -> None:
    record["period_start"] = draw(st.sampled_from(BAD_DATES))


def _missing(draw: st.DrawFn, record: dict[str, Any]) -> None:
    del record[draw(st.sampled_from(REQUIRED))]


def _unknown_field(draw: st.DrawFn, record: dict[str, Any]) -> None:
    record[draw(st.sampled_from(["provider", "price", "Quantity", "item "]))] = "kinsei"


def _bad_period(draw: st.DrawFn, record: dict[str, Any]) -> None:
    """A week not starting on a Monday, a month not on the 1st, or no such bucket."""
    bucket, start = draw(st.sampled_from(BAD_PERIODS))
    record["bucket"], record["period_start"] = bucket, start.isoformat()


BAD_PERIODS = [
    ("week", START + timedelta(days=1)),
    ("month", date(2026, 12, 2)),
    ("fortnight", START),
]


BREAKS: dict[str, Callable[[st.DrawFn, dict[str, Any]], None]] = {
    "wrong type": _wrong_type,
    "negative quantity": _negative,
    "unknown item or site": _unknown_reference,
    "bad date": _bad_date,
    "missing field": _missing,
    "unknown field": _unknown_field,
    "bad period": _bad_period,
}


@st.composite
def broken_forecasts(draw: st.DrawFn) -> tuple[Records, set[int]]:
    """Valid forecasts with one or more broken at random, and the indexes of the broken ones.

    A duplicate key is a later record repeating an earlier one's key (with another quantity).
    """
    records = draw(valid_forecasts())
    broken = set(draw(st.lists(st.integers(0, len(records) - 1), min_size=1, max_size=3)))
    for index in sorted(broken):
        kind = draw(st.sampled_from([*BREAKS, "duplicate key"]))
        if kind == "duplicate key":
            original = records[draw(st.integers(0, len(records) - 1))]
            records.append({**original, "quantity": 1.5})
            broken.discard(index)
            broken.add(len(records) - 1)
        else:
            BREAKS[kind](draw, records[index])
    return records, broken


def record_of(error: dict[str, Any]) -> int:
    """The record an error names: ``#/records/<n>/...`` (JSON) or ``row`` n + 2 (CSV)."""
    if error.get("row") is not None:
        return int(error["row"]) - 2
    return int(error["pointer"].split("/")[2])


def refused(fuzz: Fuzz, answer: Any, status: int, broken: set[int], before: dict[str, int]) -> None:
    """The batch was refused naming only broken records, and nothing changed."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    errors = answer.json()["errors"]
    assert errors and {record_of(e) for e in errors} <= broken, errors
    assert fuzz.counts() == before


@given(batch=broken_forecasts())
@FEW
def test_a_broken_json_batch_stores_nothing(fuzz: Fuzz, batch: tuple[Records, set[int]]) -> None:
    records, broken = batch
    before = fuzz.counts()
    answer = fuzz.client.post(
        f"{ECO}/data/forecasts", json={"records": records}, headers=fuzz.headers["velora"]
    )
    refused(fuzz, answer, 422, broken, before)


CSV_BREAKS: dict[str, list[dict[str, str]]] = {
    "wrong type": [{"quantity": "lots"}, {"quantity": "5 units"}, {"period_start": "tomorrow"}],
    "negative quantity": [{"quantity": "-3.5"}, {"quantity": "-1"}],
    "unknown item": [{"item": "no-such-item"}, {"location": "atlantis-plant"}],
    "bad date": [{"period_start": d} for d in ("2026-02-30", "2026-13-01", "23/11/2026")],
    "missing field": [{name: ""} for name in REQUIRED],
    "bad period": [{"bucket": b, "period_start": d.isoformat()} for b, d in BAD_PERIODS],
}
"""Cells that break a CSV row (an empty cell is a missing value)."""


def csv_file(records: Records) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode()


@st.composite
def broken_csv(draw: st.DrawFn) -> tuple[bytes, set[int]]:
    """A CSV of valid forecasts with cells broken (or a row repeated) at random."""
    records: Records = [
        {k: str(v) for k, v in record.items()} for record in draw(valid_forecasts())
    ]
    broken = set(draw(st.lists(st.integers(0, len(records) - 1), min_size=1, max_size=3)))
    for index in sorted(broken):
        kind = draw(st.sampled_from([*CSV_BREAKS, "duplicate row"]))
        if kind == "duplicate row":
            records.append(dict(records[draw(st.integers(0, len(records) - 1))]))
            broken.discard(index)
            broken.add(len(records) - 1)
        else:
            records[index].update(draw(st.sampled_from(CSV_BREAKS[kind])))
    return csv_file(records), broken


@given(upload=broken_csv())
@FEW
def test_a_broken_upload_stores_nothing(fuzz: Fuzz, upload: tuple[bytes, set[int]]) -> None:
    content, broken = upload
    before = fuzz.counts()
    files = {"file": ("forecasts.csv", content, "text/csv")}
    answer = fuzz.client.post(
        f"{ECO}/data/forecasts/upload", files=files, headers=fuzz.headers["velora"]
    )
    refused(fuzz, answer, 422, broken, before)


EVENT_BREAKS: list[tuple[str, Any]] = [
    *((name, None) for name in ("eventTime", "eventTimeZoneOffset", "type", "action")),
    *(("eventTime", v) for v in ("yesterday", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", 17)),
    ("type", "FooEvent"), ("type", 5), ("action", "MAYBE"), ("action", "observe"),
    ("bizStep", "dancing"), ("bizStep", 5), ("disposition", "confused"),
    ("epcList", "urn:epc:id:sgtin:0614141.107346.1"), ("epcList", [5]),
    ("eventTimeZoneOffset", "+25:00"), ("eventTimeZoneOffset", "0100"),
    ("readPoint", "urn:epc:id:sgln:0614141.07346.1234"), ("readPoint", {"id": "not a uri"}),
    ("eventID", "not an id"),
]  # fmt: skip
"""(member, value) that break an event; None removes the member."""


@st.composite
def broken_documents(draw: st.DrawFn) -> tuple[dict[str, Any], set[int]]:
    steps = st.sampled_from(["shipping", "receiving", "packing", "https://example.com/step/qa"])
    count = draw(st.integers(1, 6))
    events = [object_event(i, draw(st.integers(1, 10**9)), draw(steps)) for i in range(count)]
    broken = set(draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=3)))
    for index in broken:
        member, value = draw(st.sampled_from(EVENT_BREAKS))
        if value is None:
            del events[index][member]
        else:
            events[index][member] = value
    return epcis_document(events), broken


@given(capture=broken_documents())
@FEW
def test_a_broken_capture_stores_nothing(
    fuzz: Fuzz, capture: tuple[dict[str, Any], set[int]]
) -> None:
    document, broken = capture
    before = fuzz.counts()
    answer = fuzz.client.post(f"{API}/epcis/capture", json=document, headers=fuzz.headers["velora"])
    assert answer.status_code == 400, answer.text
    assert answer.json()["title"] == "epcisException:ValidationException"
    pointers = [e["pointer"] for e in answer.json()["errors"]]
    prefix = "#/epcisBody/eventList/"
    assert pointers and {int(p[len(prefix) :].split("/")[0]) for p in pointers} <= broken
    assert fuzz.counts() == before


# --- what validation lets through must still fit the database -------------------------------------

LINE = {"order_id": "PO-9", "item": "power-module", "promised_date": "2026-01-05",
        "promised_quantity": 1}  # fmt: skip
TOO_BIG = [
    pytest.param("forecasts", {**forecast(START), "horizon_days": 2**31}, id="int4-horizon"),
    pytest.param("forecasts", {**forecast(START), "horizon_days": 2**63}, id="int8-horizon"),
    pytest.param("deliveries", {**LINE, "line": 2**31}, id="int4-line"),
    pytest.param("deliveries", {**LINE, "line": 2**63}, id="int8-line"),
]


@pytest.mark.parametrize(("dataset", "record"), TOO_BIG)
def test_numbers_beyond_the_columns_are_refused(
    fuzz: Fuzz, dataset: str, record: dict[str, Any]
) -> None:
    """A whole number beyond the portable column range (PostgreSQL's 32-bit integer) is a bad
    record on every database: 422, nothing stored (not 201 on one database, 500 on another)."""
    before = fuzz.counts()
    good = forecast(START + timedelta(days=40)) if dataset == "forecasts" else None
    records = [r for r in (good, record) if r is not None]
    answer = fuzz.client.post(
        f"{ECO}/data/{dataset}", json={"records": records}, headers=fuzz.headers["velora"]
    )
    refused(fuzz, answer, 422, {len(records) - 1}, before)


BIG_PARAMETERS = [
    pytest.param("GET", f"{ECO}/audit?before={n}", id=f"audit-before-{n}") for n in (2**31, 2**63)
] + [pytest.param("PATCH", f"{ECO}/exceptions/{n}", id=f"exception-{n}") for n in (2**31, 2**63)]


@pytest.mark.parametrize(("method", "url"), BIG_PARAMETERS)
def test_numbers_beyond_the_columns_in_a_url_are_no_server_error(
    fuzz: Fuzz, method: str, url: str
) -> None:
    """Integer path and query parameters the database cannot compare give 404 or 422."""
    body = {"status": "open"} if method == "PATCH" else None
    answer = fuzz.client.request(method, url, json=body, headers=fuzz.headers["admin"])
    assert answer.status_code in (200, 404, 422), answer.text


LONG = "https://example.com/" + "x" * 400
LONG_MEMBERS = [
    pytest.param("bizStep", LONG, id="bizStep"),
    pytest.param("disposition", LONG, id="disposition"),
    pytest.param("readPoint", {"id": LONG}, id="readPoint"),
    pytest.param("eventID", LONG, id="eventID"),
]


@pytest.mark.parametrize(("member", "value"), LONG_MEMBERS)
def test_long_uris_are_refused_or_stored(fuzz: Fuzz, member: str, value: Any) -> None:
    """An event the validator accepts is stored (the job succeeds) on every database, or is
    refused up front with 400: never a job that fails on what the schema allows."""
    event = {**object_event(serial=77), member: value}
    answer = fuzz.client.post(
        f"{API}/epcis/capture", json=epcis_document([event]), headers=fuzz.headers["velora"]
    )
    if answer.status_code == 400:
        return
    assert answer.status_code == 202, answer.text
    job = fuzz.client.get(answer.headers["Location"], headers=fuzz.headers["velora"]).json()
    assert job["success"] is True, job["errors"]


def test_an_upload_names_the_row_of_an_unknown_item(fuzz: Fuzz) -> None:
    """Upload errors name row and column as the user sees the file, unknown keys included."""
    records = [{k: str(v) for k, v in forecast(START + timedelta(days=d)).items()} for d in (0, 1)]
    records[1]["item"] = "no-such-item"
    files = {"file": ("forecasts.csv", csv_file(records), "text/csv")}
    answer = fuzz.client.post(
        f"{ECO}/data/forecasts/upload", files=files, headers=fuzz.headers["velora"]
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {"row": 3, "column": "item", "detail": "no item 'no-such-item' in this ecosystem"}
    ]
