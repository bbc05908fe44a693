"""The authorisation matrix of the partner-data API, on SQLite and PostgreSQL.

Three tables drive it (NetBox style: cases as data, one parametrised test per table):

- ``MATRIX``: every data route x every role (admin, analyst, viewer, partner_admin,
  partner_user, anonymous) gives the expected status; ``SCOPE_CASES`` adds a partner acting on
  another partner's data or another ecosystem's;
- ``STATES``: reading velora's forecasts and EPCIS events with no agreement, one in force,
  expired, not yet valid, for another purpose or dataset, revoked, or naming the reader by group
  (``role:``/``kind:``): the provider always sees its rows, others exactly as the agreement says,
  and only allowed reads are audited;
- ``AGGREGATES``: aggregated grants (week, month, day; item family; region; permitted fields;
  filters) return whole groups only: each row's ``rows`` is the number of raw rows in its group,
  its sums are the raw sums, no raw-only field appears, periods start on a Monday or the 1st;
  a reader's own filters (start/end, field=value) must not split a group either, and
  timestamps fall in UTC periods whatever the PostgreSQL server's time zone.

One world (two ecosystems, users of every role, data, agreements) is built per database; cases
that write leave it as the others need it (inventory submissions, fresh agreement keys,
dedicated agreements to revoke).
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine, make_url

import podium
from podium.app import create_app
from podium.core.auth import Role, add_user, issue_token
from podium.core.db import unit_of_work
from podium.core.settings import Settings
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from tests.conftest import wipe
from tests.factories import small_spec

API = "/api/v1"
ECO = f"{API}/ecosystems/manufacturer"
ELSEWHERE = f"{API}/ecosystems/elsewhere"
SPEC = podium.load(SAMPLES["manufacturer"])
FAMILY = {item.id: item.family for item in SPEC.items if item.family}
REGION = {site.id: site.region for site in SPEC.sites}
ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
MONDAY = date(2026, 11, 23)
VELORA_EPC = "urn:epc:id:sgtin:0614141.107346.4711"
Headers = dict[str, str]

# --- principals -----------------------------------------------------------------------------------

ROLES = ("admin", "analyst", "viewer", "partner_admin", "partner_user", "anonymous")
"""The matrix's columns: the partner roles act for velora, a partner of ``manufacturer``."""
PRINCIPALS: dict[str, tuple[Role, str | None, str | None]] = {
    "admin": (Role.ADMIN, None, None),
    "analyst": (Role.ANALYST, None, None),
    "viewer": (Role.VIEWER, None, None),
    "partner_admin": (Role.PARTNER_ADMIN, "manufacturer", "velora"),
    "partner_user": (Role.PARTNER_USER, "manufacturer", "velora"),
    "other_partner_admin": (Role.PARTNER_ADMIN, "manufacturer", "kinsei"),
    "other_partner_user": (Role.PARTNER_USER, "manufacturer", "kinsei"),
    "third_partner_admin": (Role.PARTNER_ADMIN, "manufacturer", "novatec"),
    "foreign_partner_admin": (Role.PARTNER_ADMIN, "elsewhere", "castco"),
}
"""Role, ecosystem and actor of each caller. kinsei is a supplier and partner, novatec a
contract manufacturer and partner, castco a partner of another ecosystem."""


@dataclass
class World:
    """The app over one database, a token per principal, and ids the cases point at."""

    client: TestClient
    headers: dict[str, Headers]
    capture_id: str = ""
    exception_id: int = 0
    foreign_exception_id: int = 0
    keys: Iterator[int] = field(default_factory=itertools.count)

    def call(self, who: str, method: str, url: str, **kwargs: Any) -> Response:
        headers = {**self.headers.get(who, {}), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def ok(self, who: str, method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(who, method, url, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self.keys)}"


# --- request bodies -------------------------------------------------------------------------------


def atom(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def agreement(
    key: str,
    purpose: str,
    recipients: tuple[str, ...] = ("kinsei",),
    dataset: str = "forecasts",
    constraints: tuple[dict[str, Any], ...] = (),
    **policy: Any,
) -> dict[str, Any]:
    """An agreement request: ODRL with a purpose and ``constraints``, and its parties."""
    odrl = {
        "@context": ODRL_CONTEXT,
        "@type": "Agreement",
        **policy,
        "permission": [
            {
                "action": "use",
                "constraint": [{"and": [atom("purpose", "eq", purpose), *constraints]}],
            }
        ],
    }
    return {"odrl": odrl, "key": key, "recipients": list(recipients), "dataset": dataset}


def forecast(
    day: date, item: str, location: str, quantity: float, bucket: str = "day", **extra: Any
) -> dict[str, Any]:
    return {
        "item": item,
        "location": location,
        "period_start": day.isoformat(),
        "bucket": bucket,
        "quantity": quantity,
        **extra,
    }


def velora_forecasts() -> list[dict[str, Any]]:
    """About a hundred forecasts: daily over three ISO weeks across a month end, for items of
    two families (and one of none) at sites of two regions, plus weekly and monthly buckets.
    Quantities are quarters so that sums are exact on both databases."""
    rng = random.Random(2026)
    rows = []
    for offset in range(21):
        for item in ("power-module", "control-board", "dc-link-capacitor", "electricity"):
            for location in ("velora-dresden", "hartwell-stuttgart", "kinsei-kumamoto"):
                if rng.random() < 0.4:
                    extra = {"comment": "raw only: list price 41.20"} if rng.random() < 0.3 else {}
                    quantity = rng.randint(0, 2000) / 4
                    day = MONDAY + timedelta(days=offset)
                    rows.append(forecast(day, item, location, quantity, **extra, horizon_days=3))
    for day in (date(2026, 11, 30), date(2026, 12, 7)):
        rows.append(forecast(day, "inverter-housing", "novatec-brno", 120.5, "week"))
    for day in (date(2026, 12, 1), date(2027, 1, 1)):
        rows.append(forecast(day, "power-module", "velora-dresden", 900.25, "month"))
    return rows


def late_delivery(item: str) -> dict[str, Any]:
    return {
        "order_id": "PO-1",
        "line": 1,
        "item": item,
        "promised_date": "2026-01-05",
        "promised_quantity": 100,
        "delivered_date": "2026-01-20",
        "delivered_quantity": 100,
    }


INVENTORY = {"site": "velora-dresden", "item": "power-module", "as_of": "2026-11-23", "on_hand": 5}


def inventory_csv(**extra: Any) -> bytes:
    row = {**INVENTORY, **extra}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue().encode()


def epcis_document(epc: str, events: int = 1) -> dict[str, Any]:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-11-23T08:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [epc],
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    }
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-23T09:00:00Z",
        "epcisBody": {"eventList": [{**event, "eventTime": f"2026-11-23T08:0{i}:00Z"}
                                    for i in range(events)]},
    }  # fmt: skip


# --- the matrix of routes x roles -----------------------------------------------------------------

Request = tuple[str, str, dict[str, Any]]
"""Method, URL and the client's keyword arguments (json, files, params)."""


def _submit(w: World, eco: str = ECO) -> Request:
    return "POST", f"{eco}/data/inventory", {"json": {"records": [INVENTORY]}}


def _upload(w: World, eco: str = ECO) -> Request:
    files = {"file": ("inventory.csv", inventory_csv(), "text/csv")}
    return "POST", f"{eco}/data/inventory/upload", {"files": files}


def _create(w: World, eco: str = ECO) -> Request:
    return "POST", f"{eco}/agreements", {"json": agreement(w.unique("matrix"), "p-matrix")}


def _patch(eco: str, exception_id: int, status: str = "acknowledged") -> Request:
    return "PATCH", f"{eco}/exceptions/{exception_id}", {"json": {"status": status}}


def _job(w: World, params: dict[str, str]) -> Request:
    return "GET", f"{API}/epcis/capture/{w.capture_id}", {"params": params}


def _capture(w: World) -> Request:
    document = epcis_document(f"urn:epc:id:sgtin:0614141.107346.{next(w.keys)}")
    return "POST", f"{API}/epcis/capture", {"json": document, "params": ON_MANUFACTURER}


ON_MANUFACTURER = {"ecosystem": "manufacturer"}
ROUTES: dict[str, Callable[[World], Request]] = {
    "submit": _submit,
    "upload": _upload,
    "read": lambda w: ("GET", f"{ECO}/data/forecasts", {"params": {"purpose": "p-route"}}),
    "grants": lambda w: ("GET", f"{ECO}/data/forecasts/grants", {"params": {"purpose": "p-route"}}),
    "submissions": lambda w: ("GET", f"{ECO}/submissions", {}),
    "agreement_create": _create,
    "agreement_list": lambda w: ("GET", f"{ECO}/agreements", {}),
    "agreement_get": lambda w: ("GET", f"{ECO}/agreements/velora-to-kinsei", {}),
    "agreement_revoke": lambda w: ("DELETE", f"{ECO}/agreements/velora-revocable", {}),
    "audit": lambda w: ("GET", f"{ECO}/audit", {}),
    "exceptions": lambda w: ("GET", f"{ECO}/exceptions", {}),
    "exceptions_check": lambda w: ("POST", f"{ECO}/exceptions/check", {}),
    "exception_patch": lambda w: _patch(ECO, w.exception_id),
    "quality": lambda w: ("GET", f"{ECO}/quality", {}),
    "epcis_capture": _capture,
    "epcis_job": lambda w: _job(w, ON_MANUFACTURER),
    "epcis_events": lambda w: ("GET", f"{API}/epcis/events", {"params": ON_MANUFACTURER}),
}
# Expected status by role. Staff act for the orchestrator actor (hartwell); the partner roles
# for velora. "velora-to-kinsei" and "velora-revocable" are velora's agreements.
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    #                   admin analyst viewer p_admin p_user anonymous
    "submit":           (201,  201,    403,   201,    201,   401),
    "upload":           (201,  201,    403,   201,    201,   401),
    "read":             (200,  200,    200,   200,    200,   401),
    "grants":           (200,  200,    200,   200,    200,   401),
    "submissions":      (200,  200,    200,   200,    200,   401),
    "agreement_create": (201,  403,    403,   201,    403,   401),
    "agreement_list":   (200,  200,    200,   200,    200,   401),
    "agreement_get":    (200,  200,    200,   200,    200,   401),
    "agreement_revoke": (403,  403,    403,   200,    403,   401),  # admin: not the provider
    "audit":            (200,  200,    403,   200,    403,   401),
    "exceptions":       (200,  200,    200,   403,    403,   401),
    "exceptions_check": (200,  200,    403,   403,    403,   401),  # a viewer changes nothing
    "exception_patch":  (200,  200,    403,   403,    403,   401),  # a viewer changes nothing
    "quality":          (200,  200,    200,   403,    403,   401),
    "epcis_capture":    (202,  202,    403,   202,    202,   401),
    "epcis_job":        (200,  200,    403,   200,    200,   401),  # needs data:submit
    "epcis_events":     (200,  200,    200,   200,    200,   401),
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One call: who makes it, what it is, and the status it must get."""

    route: str
    who: str
    status: int
    request: Callable[[World], Request] | None = None  # None: the route's own request


SCOPE_CASES = [
    # a partner of another ecosystem sees none of this one
    *(Case(route, "foreign_partner_admin", 404) for route in (
        "submit", "upload", "read", "grants", "submissions", "agreement_create",
        "agreement_list", "agreement_get", "agreement_revoke", "audit", "epcis_capture",
        "epcis_job", "epcis_events")),
    Case("epcis_job", "foreign_partner_admin", 404, lambda w: _job(w, {})),
    # ... and a partner of this one none of another
    Case("submit", "partner_admin", 404, lambda w: _submit(w, ELSEWHERE)),
    Case("upload", "partner_admin", 404, lambda w: _upload(w, ELSEWHERE)),
    Case("agreement_create", "partner_admin", 404, lambda w: _create(w, ELSEWHERE)),
    Case("read", "partner_admin", 404, lambda w: ("GET", f"{ELSEWHERE}/data/forecasts", {})),
    Case("audit", "partner_admin", 404, lambda w: ("GET", f"{ELSEWHERE}/audit", {})),
    Case("epcis_events", "partner_admin", 404,
         lambda w: ("GET", f"{API}/epcis/events", {"params": {"ecosystem": "elsewhere"}})),
    # a partner cannot submit or share as another partner, nor share with unknown recipients
    Case("submit", "partner_admin", 422, lambda w: (
        "POST", f"{ECO}/data/inventory",
        {"json": {"records": [{**INVENTORY, "provider": "kinsei"}]}})),
    Case("upload", "partner_admin", 422, lambda w: (
        "POST", f"{ECO}/data/inventory/upload",
        {"files": {"file": ("i.csv", inventory_csv(provider="kinsei"), "text/csv")}})),
    Case("agreement_create", "partner_admin", 422, lambda w: (
        "POST", f"{ECO}/agreements",
        {"json": agreement(w.unique("as-kinsei"), "p", assigner="urn:podium:actor:kinsei")})),
    Case("agreement_create", "partner_admin", 422, lambda w: (
        "POST", f"{ECO}/agreements",
        {"json": agreement(w.unique("to-nobody"), "p-matrix", recipients=("nobody",))})),
    # another partner's agreements: visible to a recipient, never revocable by one
    Case("agreement_get", "other_partner_admin", 200),
    Case("agreement_get", "other_partner_user", 200),
    Case("agreement_get", "third_partner_admin", 404),
    Case("agreement_revoke", "other_partner_admin", 403),
    Case("agreement_revoke", "third_partner_admin", 404),
    Case("agreement_revoke", "admin", 200,
         lambda w: ("DELETE", f"{ECO}/agreements/hartwell-revocable", {})),
    # another partner's capture job
    Case("epcis_job", "other_partner_admin", 404),
    Case("epcis_job", "other_partner_user", 404),
    # staff reach only the ecosystem's own exceptions
    Case("exception_patch", "admin", 404, lambda w: _patch(ECO, w.foreign_exception_id)),
    Case("exception_patch", "admin", 200, lambda w: _patch(ELSEWHERE, w.foreign_exception_id)),
]  # fmt: skip
CASES = [
    pytest.param(Case(route, role, status), id=f"{route}-{role}")
    for route, statuses in MATRIX.items()
    for role, status in zip(ROLES, statuses, strict=True)
] + [
    pytest.param(case, id=f"{case.route}-{case.who}-{case.status}-{i}")
    for i, case in enumerate(SCOPE_CASES)
]

# --- agreement states -----------------------------------------------------------------------------

KINSEI = frozenset({"other_partner_admin", "other_partner_user"})
READERS = ("partner_admin", "other_partner_admin", "other_partner_user", "third_partner_admin",
           "analyst")  # fmt: skip


@dataclass(frozen=True)
class State:
    """An agreement of velora's (or none) and who, besides velora, may then read its rows."""

    name: str
    allowed: frozenset[str]
    agreed: bool = True
    recipients: tuple[str, ...] = ("kinsei",)
    constraints: tuple[dict[str, Any], ...] = ()
    other_dataset: bool = False
    revoked: bool = False
    asked: str | None = ""  # the purpose a read states; "" means the agreement's own

    def key(self, dataset: str) -> str:
        return f"{dataset}-{self.name}"

    def purpose(self, dataset: str) -> str | None:
        return f"p-{self.key(dataset)}" if self.asked == "" else self.asked

    @property
    def in_force(self) -> bool:
        return self.agreed and not self.revoked and self.name not in ("expired", "not_yet_valid")


def _window(start: str | None, end: str | None) -> tuple[dict[str, Any], ...]:
    bounds = [("gteq", start), ("lt", end)]
    return tuple(atom("dateTime", op, value) for op, value in bounds if value)


STATES = [
    State("none", frozenset(), agreed=False),
    State("in_force", KINSEI),
    State("window_open", KINSEI, constraints=_window("2020-01-01", "2099-01-01")),
    State("expired", frozenset(), constraints=_window(None, "2021-01-01")),
    State("not_yet_valid", frozenset(), constraints=_window("2099-01-01", None)),
    State("wrong_purpose", frozenset(), asked="p-marketing"),
    State("no_purpose", frozenset(), asked=None),
    State("wrong_dataset", frozenset(), other_dataset=True),
    State("revoked", frozenset(), revoked=True),
    State("other_recipient", frozenset({"third_partner_admin"}), recipients=("novatec",)),
    State("role_partner", KINSEI | {"third_partner_admin"}, recipients=("role:partner",)),
    State("kind_supplier", KINSEI, recipients=("kind:supplier",)),
    State("kind_logistics", frozenset(), recipients=("kind:logistics",)),
    State("role_participant", frozenset(), recipients=("role:participant",)),
    State("role_orchestrator", frozenset({"analyst"}), recipients=("role:orchestrator",)),
]
SHARED = ("forecasts", "epcis_events")
OTHER_DATASET = {"forecasts": "capacity", "epcis_events": "forecasts"}


def state_agreement(state: State, dataset: str) -> dict[str, Any]:
    shared = OTHER_DATASET[dataset] if state.other_dataset else dataset
    return agreement(
        state.key(dataset), f"p-{state.key(dataset)}", state.recipients, shared, state.constraints
    )


# --- aggregated grants ----------------------------------------------------------------------------

GROUPING = ("period_start", "item", "location", "bucket")
"""Forecasts' grouping fields at aggregated grains (time, item, place, dimension)."""
MEASURES = ("quantity",)


@dataclass(frozen=True)
class Aggregate:
    """An aggregated share of velora's forecasts with kinsei."""

    name: str
    time: str = "raw"
    item: str = "item"
    place: str = "site"
    fields: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def key(self) -> str:
        return f"agg-{self.name}"

    @property
    def purpose(self) -> str:
        return f"p-{self.key}"

    def body(self) -> dict[str, Any]:
        defaults = {"time": "raw", "item": "item", "place": "site"}
        constraints = [
            atom(f"podium:{axis}Granularity", "eq", getattr(self, axis))
            for axis in defaults
            if getattr(self, axis) != defaults[axis]
        ]
        if self.fields:
            constraints.append(atom("podium:field", "isAnyOf", list(self.fields)))
        constraints += [atom(f"podium:{n}", "isAnyOf", list(v)) for n, v in self.filters]
        return agreement(self.key, self.purpose, constraints=tuple(constraints))

    def permitted(self, names: tuple[str, ...]) -> list[str]:
        return [n for n in names if not self.fields or n in self.fields]


AGGREGATES = {
    a.name: a
    for a in (
        Aggregate("week", time="week"),
        Aggregate("month", time="month"),
        Aggregate("day_region", time="day", place="region"),
        Aggregate("week_family_region", time="week", item="family", place="region"),
        Aggregate("month_family", time="month", item="family"),
        Aggregate("raw_time_family", item="family"),
        Aggregate("week_fields", time="week", fields=("period_start", "item", "quantity")),
        Aggregate("month_region_items", time="month", place="region",
                  filters=(("item", ("power-module", "control-board")),)),
        Aggregate("week_electronics", time="week", filters=(("family", ("electronics",)),)),
        Aggregate("raw_fields", fields=("period_start", "item", "bucket", "quantity")),
    )
}  # fmt: skip


def coarse(name: str, value: Any, share: Aggregate) -> Any:
    """A raw field's value at the share's grain (computed here, not by Podium)."""
    if name == "period_start":
        day = date.fromisoformat(value)
        if share.time == "week":
            day -= timedelta(days=day.weekday())
        elif share.time == "month":
            day = day.replace(day=1)
        return day.isoformat()
    if name == "item" and share.item == "family":
        return FAMILY.get(value, value)
    if name == "location" and share.place == "region":
        return REGION.get(value, "unknown")
    return value


def passes(row: dict[str, Any], share: Aggregate) -> bool:
    """Whether a raw row passes the share's own filters (``family`` names the item's family)."""
    for name, values in share.filters:
        value = FAMILY.get(row["item"]) if name == "family" else row.get(name)
        if value not in values:
            return False
    return True


def groups(raw: list[dict[str, Any]], share: Aggregate) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The groups a share allows: key -> the number of raw rows and the raw sums."""
    keys, measures = share.permitted(GROUPING), share.permitted(MEASURES)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in raw:
        if passes(row, share):
            key = tuple(coarse(name, row[name], share) for name in keys)
            group = found.setdefault(key, {"rows": 0, **dict.fromkeys(measures, 0.0)})
            group["rows"] += 1
            for m in measures:
                group[m] += row[m]
    return found


def key_of(row: dict[str, Any], share: Aggregate) -> tuple[Any, ...]:
    return tuple(row.get(name) for name in share.permitted(GROUPING))


RISK_SIGNALS = [
    {"subject": "velora-dresden", "category": "cyber", "severity": 3, "source": "feed",
     "observed_at": moment}
    for moment in ("2026-11-29T23:30:00Z", "2026-11-30T03:00:00Z")  # Sunday, Monday (UTC)
]  # fmt: skip
SIGNAL_PERIODS = {"week": ["2026-11-23", "2026-11-30"], "day": ["2026-11-29", "2026-11-30"]}
"""The UTC periods of the two signals at each grain."""


def signals_share(grain: str) -> dict[str, Any]:
    granularity = atom("podium:timeGranularity", "eq", grain)
    return agreement(f"signals-{grain}", f"p-signals-{grain}", ("kinsei",), "risk_signals",
                     (granularity,))  # fmt: skip


# --- the world ------------------------------------------------------------------------------------


def _users(client: TestClient, ids: dict[str, int]) -> dict[str, Headers]:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    headers = {}
    with unit_of_work(factory) as session:
        for who, (role, ecosystem, actor) in PRINCIPALS.items():
            user = add_user(
                session=session,
                username=f"authz-{who}",
                password="correct horse battery",
                role=role,
                partner_ecosystem_id=ids[ecosystem] if ecosystem else None,
                partner_actor=actor,
            )
            headers[who] = {"Authorization": f"Bearer {issue_token(session=session, user=user)}"}
    return headers


def build_world(client: TestClient) -> World:
    """Import both ecosystems, make users, submit data, capture events, make the agreements."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        ids = {
            spec.name: eco_service.import_spec(session=session, spec=spec).id
            for spec in (SPEC, small_spec("elsewhere"))
        }
    w = World(client, _users(client, ids))
    records = {"records": velora_forecasts()}
    w.ok("partner_admin", "POST", f"{ECO}/data/forecasts", 201, json=records)
    deliveries = {"records": [late_delivery("power-module")]}
    w.ok("partner_admin", "POST", f"{ECO}/data/deliveries", 201, json=deliveries)
    deliveries = {"records": [late_delivery("housing")]}
    w.ok("foreign_partner_admin", "POST", f"{ELSEWHERE}/data/deliveries", 201, json=deliveries)
    w.ok("admin", "POST", f"{ECO}/data/inventory", 201, json={"records": [INVENTORY]})
    signals = {"records": RISK_SIGNALS}
    w.ok("partner_admin", "POST", f"{ECO}/data/risk_signals", 201, json=signals)
    document = epcis_document(VELORA_EPC, events=3)
    w.capture_id = w.ok("partner_admin", "POST", f"{API}/epcis/capture", 202, json=document)[
        "captureID"
    ]
    for eco in (ECO, ELSEWHERE):
        w.ok("admin", "POST", f"{eco}/exceptions/check")
    w.exception_id = w.ok("admin", "GET", f"{ECO}/exceptions")[0]["id"]
    w.foreign_exception_id = w.ok("admin", "GET", f"{ELSEWHERE}/exceptions")[0]["id"]
    _share(w)
    return w


def _share(w: World) -> None:
    bodies = [
        agreement("velora-to-kinsei", "p-route"),
        agreement("velora-revocable", "p-route"),
        agreement("velora-to-novatec", "p-route", ("novatec",)),
        *(share.body() for share in AGGREGATES.values()),
        *(signals_share(grain) for grain in SIGNAL_PERIODS),
        *(state_agreement(s, d) for s in STATES for d in SHARED if s.agreed),
    ]
    for body in bodies:
        w.ok("partner_admin", "POST", f"{ECO}/agreements", 201, json=body)
    w.ok("admin", "POST", f"{ECO}/agreements", 201, json=agreement("hartwell-revocable", "p"))
    for state in STATES:
        for dataset in SHARED if state.revoked else ():
            w.ok("partner_admin", "DELETE", f"{ECO}/agreements/{state.key(dataset)}")


@pytest.fixture(scope="module")
def world(database_url: str, engine: Engine) -> Iterator[World]:
    """One world per database for this module; emptied afterwards."""
    wipe(engine)
    app = create_app(Settings(database_url=database_url, secret_key="test-secret-key"))
    with TestClient(app) as client:
        yield build_world(client)
    app.state.engine.dispose()
    wipe(engine)


# --- helpers over the world -----------------------------------------------------------------------


def read_velora(
    w: World, who: str, dataset: str, purpose: str | None, request_id: str = "", **params: Any
) -> list[dict[str, Any]]:
    """velora's rows (forecasts) or events (EPCIS, by velora's EPC) that ``who`` reads."""
    query = {**params} | ({"purpose": purpose} if purpose else {})
    headers = {"X-Request-ID": request_id} if request_id else {}
    if dataset == "epcis_events":
        query |= {**ON_MANUFACTURER, "MATCH_epc": VELORA_EPC}
        found = w.ok(who, "GET", f"{API}/epcis/events", params=query, headers=headers)
        return list(found["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
    query["limit"] = 100_000
    rows = w.ok(who, "GET", f"{ECO}/data/{dataset}", params=query, headers=headers)["rows"]
    return [row for row in rows if row["provider"] == "velora"]


def audited(w: World, request_id: str) -> list[dict[str, Any]]:
    """The entries velora's audit view shows for one request."""
    entries = w.ok("partner_admin", "GET", f"{ECO}/audit", params={"limit": 1000})
    return [e for e in entries if e["request_id"] == request_id]


def sorted_rows(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(row.items())) for row in rows)


# --- tests: routes x roles ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_route_by_role(world: World, case: Case) -> None:
    method, url, kwargs = (case.request or ROUTES[case.route])(world)
    response = world.call(case.who, method, url, **kwargs)
    assert response.status_code == case.status, f"{case.who} {method} {url}: {response.text}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


DATA_MODULES = ("podium.integrate.routes", "podium.integrate.epcis_routes")


def test_every_data_route_is_in_the_matrix(world: World) -> None:
    """Each route of the partner-data and EPCIS routers is a row of the matrix, and only once."""
    app_routes = [
        route
        for route in world.client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.endpoint.__module__ in DATA_MODULES
    ]
    hits: dict[str, list[str]] = {}
    for name, build in ROUTES.items():
        method, url, _ = build(world)
        for route in app_routes:
            if method in route.methods and route.path_regex.match(url):
                hits.setdefault(f"{method} {route.path}", []).append(name)
    declared = {f"{m} {route.path}" for route in app_routes for m in route.methods}
    assert set(hits) == declared and all(len(names) == 1 for names in hits.values()), hits


def test_partners_see_only_their_own(world: World) -> None:
    """Listings a partner may call show only its own part; staff see every provider."""
    for who in ("partner_admin", "partner_user", "other_partner_admin"):
        actor = PRINCIPALS[who][2]
        submissions = world.ok(who, "GET", f"{ECO}/submissions", params={"limit": 1000})
        assert {s["provider"] for s in submissions} <= {actor}
        mine = {actor, "role:partner", "kind:supplier"}  # velora and kinsei: partner suppliers
        for item in world.ok(who, "GET", f"{ECO}/agreements"):
            assert item["provider"] == actor or mine & set(item["recipients"]), item
    staff = world.ok("analyst", "GET", f"{ECO}/submissions", params={"limit": 1000})
    assert {"velora", "hartwell"} <= {s["provider"] for s in staff}
    for who in ("partner_admin", "other_partner_admin"):
        entries = world.ok(who, "GET", f"{ECO}/audit", params={"limit": 1000, "provider": "x"})
        assert {e["provider"] for e in entries} <= {PRINCIPALS[who][2]}
    keys = {a["key"] for a in world.ok("third_partner_admin", "GET", f"{ECO}/agreements")}
    assert "velora-to-novatec" in keys and "velora-to-kinsei" not in keys


# --- tests: agreement states ----------------------------------------------------------------------

STATE_CASES = [
    pytest.param(dataset, state, reader, id=f"{dataset}-{state.name}-{reader}")
    for dataset in SHARED
    for state in STATES
    for reader in READERS
]


@pytest.mark.parametrize(("dataset", "state", "reader"), STATE_CASES)
def test_reads_follow_the_agreement(world: World, dataset: str, state: State, reader: str) -> None:
    """velora always reads its own rows; others all of them or none, as the agreement says;
    the grants say so too, and velora's audit shows exactly the reads that gave rows."""
    own = read_velora(world, "partner_admin", dataset, None)
    assert own, "the world holds velora's data"
    allowed = reader == "partner_admin" or reader in state.allowed
    request_id = world.unique("authz-read")
    seen = read_velora(world, reader, dataset, state.purpose(dataset), request_id)
    assert sorted_rows(seen) == (sorted_rows(own) if allowed else [])
    agreement_key = None if reader == "partner_admin" else state.key(dataset)
    entries = [(e["action"], e["agreement"], e["row_count"]) for e in audited(world, request_id)]
    assert entries == ([("read", agreement_key, len(own))] if allowed else [])
    if dataset == "forecasts":
        purpose = state.purpose(dataset)
        params = {"purpose": purpose} if purpose else {}
        listed = world.ok(reader, "GET", f"{ECO}/data/forecasts/grants", params=params)
        velora = [g["agreement"] for g in listed if g["provider"] == "velora"]
        assert velora == ([agreement_key] if allowed else [])


def test_agreements_say_whether_they_are_in_force(world: World) -> None:
    listed = {a["key"]: a for a in world.ok("partner_admin", "GET", f"{ECO}/agreements")}
    for state in STATES:
        for dataset in SHARED if state.agreed else ():
            found = listed[state.key(dataset)]
            assert found["in_force"] is state.in_force, state
            assert (found["revoked_at"] is not None) is state.revoked


# --- tests: aggregated grants ---------------------------------------------------------------------


def check_whole_groups(rows: list[dict[str, Any]], share: Aggregate, raw: list[Any]) -> None:
    """Each row is one whole group of the raw rows at the share's grain, and shows nothing
    else: its ``rows`` count and sums are the group's, its fields the permitted grouping fields
    and measures, its period starts on a Monday (week) or the 1st (month)."""
    expected = groups(raw, share)
    measures = share.permitted(MEASURES)
    columns = {"provider", "rows", *share.permitted(GROUPING), *measures}
    for row in rows:
        assert set(row) == columns, f"fields beyond the grain: {set(row) - columns}"
        if "period_start" in row:
            start = date.fromisoformat(row["period_start"])
            assert share.time != "week" or start.weekday() == 0, row
            assert share.time != "month" or start.day == 1, row
        assert share.item != "family" or row.get("item") not in FAMILY, row
        assert share.place != "region" or row.get("location") not in REGION, row
        whole = expected.get(key_of(row, share))
        shown = {"rows": row["rows"], **{m: row[m] for m in measures}}
        assert shown == whole, f"{row} is not the whole group {whole}"


AGGREGATED = [name for name, share in AGGREGATES.items() if share.time != "raw" or
              share.item != "item" or share.place != "site"]  # fmt: skip


@pytest.mark.parametrize("name", AGGREGATED)
def test_aggregated_reads_return_whole_groups_only(world: World, name: str) -> None:
    share = AGGREGATES[name]
    raw = read_velora(world, "partner_admin", "forecasts", None)
    rows = read_velora(world, "other_partner_admin", "forecasts", share.purpose)
    check_whole_groups(rows, share, raw)
    assert {key_of(row, share) for row in rows} == set(groups(raw, share))
    assert len(rows) == len(groups(raw, share)) and sum(r["rows"] for r in rows) == sum(
        1 for r in raw if passes(r, share)
    )
    exported = world.call(
        "other_partner_admin",
        "GET",
        f"{ECO}/data/forecasts",
        params={"purpose": share.purpose, "format": "csv", "limit": 100_000},
    )
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len([r for r in table if r["provider"] == "velora"]) == len(rows)
    assert "comment" not in exported.text.splitlines()[0]


SPLITTING_FILTERS = [
    pytest.param("week", {"start": "2026-11-24", "end": "2026-11-26"}, id="week-for-two-days"),
    pytest.param("month", {"period_start": "2026-11-24"}, id="month-for-one-day"),
    pytest.param("week_family_region", {"location": "velora-dresden"}, id="region-for-one-site"),
    pytest.param("week_family_region", {"item": "control-board"}, id="family-for-one-item"),
    pytest.param("week_fields", {"location": "kinsei-kumamoto"}, id="on-a-hidden-field"),
]
WHOLE_FILTERS = [
    pytest.param("week", {"start": "2026-11-30", "end": "2026-12-14"}, id="whole-weeks"),
    pytest.param("month", {"start": "2026-12-01", "end": "2027-01-01"}, id="whole-month"),
    pytest.param("week_family_region", {"bucket": "day"}, id="a-grouping-dimension"),
]


@pytest.mark.parametrize(("name", "params"), SPLITTING_FILTERS + WHOLE_FILTERS)
def test_a_readers_filters_never_split_a_group(
    world: World, name: str, params: dict[str, str]
) -> None:
    """A reader's filters (start/end, field=value) narrow an aggregated read to whole groups,
    or are refused: a filter finer than the grain, or on a field the agreement does not show,
    would reveal the rows below the agreed granularity (one day of a week, one site of a
    region, one item of a family)."""
    share = AGGREGATES[name]
    query = {"purpose": share.purpose, **params}
    response = world.call("other_partner_admin", "GET", f"{ECO}/data/forecasts", params=query)
    if response.status_code == 422:
        return
    assert response.status_code == 200, response.text
    rows = [row for row in response.json()["rows"] if row["provider"] == "velora"]
    assert rows, "the filter selects some of velora's rows"
    check_whole_groups(rows, share, read_velora(world, "partner_admin", "forecasts", None))


def test_a_filter_on_a_field_the_agreement_hides_reveals_nothing(world: World) -> None:
    """At raw grain with permitted fields, rows show only those fields, and filtering on a
    hidden field is refused or ignored (else trying each value would reveal it)."""
    share = AGGREGATES["raw_fields"]
    raw = read_velora(world, "partner_admin", "forecasts", None)
    rows = read_velora(world, "other_partner_admin", "forecasts", share.purpose)
    permitted = ["provider", *share.fields]
    assert sorted_rows(rows) == sorted_rows([{k: r[k] for k in permitted} for r in raw])
    query = {"purpose": share.purpose, "location": "kinsei-kumamoto", "limit": 100_000}
    response = world.call("other_partner_admin", "GET", f"{ECO}/data/forecasts", params=query)
    if response.status_code != 422:
        filtered = [r for r in response.json()["rows"] if r["provider"] == "velora"]
        assert sorted_rows(filtered) == sorted_rows(rows), "the hidden location narrowed the read"


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_periods_are_utc_whatever_the_servers_time_zone(
    world: World, database_url: str, zone: str
) -> None:
    """Timestamps (risk signals observed late on a Sunday and early on a Monday, UTC) fall in
    the same UTC days and weeks on SQLite and on a PostgreSQL server in any time zone."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        if zone != "UTC":
            pytest.skip("the server's time zone is PostgreSQL's")
        zoned = url
    else:
        zoned = url.update_query_dict({"options": f"-c timezone={zone}"})
    settings = Settings(
        database_url=zoned.render_as_string(hide_password=False), secret_key="test-secret-key"
    )
    app = create_app(settings)
    with TestClient(app) as client:
        for grain, periods in SIGNAL_PERIODS.items():
            params = {"purpose": f"p-signals-{grain}"}
            headers = world.headers["other_partner_admin"]
            answer = client.get(f"{ECO}/data/risk_signals", params=params, headers=headers)
            rows = [row for row in answer.json()["rows"] if row["provider"] == "velora"]
            assert sorted(row["observed_at"] for row in rows) == periods, (grain, rows)
    app.state.engine.dispose()
