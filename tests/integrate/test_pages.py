"""The Integrate console pages over HTTP, on SQLite and PostgreSQL: who may see each page, the
upload with per-row feedback (all rows or none), browsing and downloading under the agreements,
sharing and revoking, the accesses to one's data, and the orchestrator's exceptions and quality.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

import podium
from podium.core import audit
from podium.core.auth import Principal, Role, add_user
from podium.ecosystem.models import Ecosystem
from podium.ecosystem.service import import_spec
from podium.integrate import policy, views
from podium.integrate.models import DataException
from podium.samples import sample_path
from tests.factories import small_spec

PASSWORD = "correct horse battery"
ECO = "/ecosystems/manufacturer"
HEADER = "item,location,period_start,bucket,quantity\n"
GOOD = HEADER + (
    "power-module,velora-dresden,2026-11-23,day,5\npower-module,velora-dresden,2026-11-24,day,7\n"
)
BAD = GOOD + "power-module,velora-dresden,2026-11-25,day,lots\n"
PAGES = [
    f"{ECO}/data",
    f"{ECO}/data/forecasts",
    f"{ECO}/data/forecasts?format=csv",
    f"{ECO}/agreements",
    f"{ECO}/accesses",
    f"{ECO}/exceptions",
    f"{ECO}/integrate/summary",
]


@pytest.fixture
def app(client: TestClient) -> TestClient:
    """The client over the manufacturer sample, a second ecosystem and users of each role."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco = import_spec(session=db, spec=podium.load(sample_path("manufacturer")))
        other = import_spec(session=db, spec=small_spec("other"))
        for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER):
            add_user(session=db, username=role.value, password=PASSWORD, role=role)
        partners = {
            "velora": (Role.PARTNER_ADMIN, eco.id, "velora"),
            "velora-user": (Role.PARTNER_USER, eco.id, "velora"),
            "kinsei": (Role.PARTNER_ADMIN, eco.id, "kinsei"),
            "castco": (Role.PARTNER_ADMIN, other.id, "castco"),
        }
        for username, (role, eco_id, actor) in partners.items():
            add_user(
                session=db,
                username=username,
                password=PASSWORD,
                role=role,
                partner_ecosystem_id=eco_id,
                partner_actor=actor,
            )
        db.commit()
    return client


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def csrf_of(client: TestClient, path: str = f"{ECO}/data") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def upload(client: TestClient, content: str, name: str = "forecast.csv", **extra: str) -> Response:
    data = {"dataset": "forecasts", "csrf_token": csrf_of(client), **extra}
    files = {"file": (name, content.encode(), "text/csv")}
    return client.post(f"{ECO}/data", data=data, files=files, follow_redirects=False)


def share(client: TestClient, **fields: str) -> Response:
    form = {"recipient": "kinsei", "dataset": "forecasts", "purpose": "planning", **fields}
    form["csrf_token"] = csrf_of(client)
    return client.post(f"{ECO}/agreements", data=form, follow_redirects=False)


def rows_of(client: TestClient, dataset: str = "forecasts") -> str:
    cell = re.search(
        rf'data-dataset="{dataset}">.*?class="num rows">([^<]*)<',
        client.get(f"{ECO}/data").text,
        re.S,
    )
    assert cell is not None
    return cell.group(1)


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_callers_are_sent_to_sign_in(app: TestClient, path: str) -> None:
    response = app.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/ecosystems/manufacturer/")


@pytest.mark.parametrize("path", [p for p in PAGES if "exceptions" not in p])
def test_a_partner_of_another_ecosystem_gets_404(app: TestClient, path: str) -> None:
    login(app, "castco")
    assert app.get(path).status_code == 404
    assert app.post(f"{ECO}/agreements/any/revoke", data={}).status_code == 404
    assert app.get("/ecosystems/other/data").status_code == 200


@pytest.mark.parametrize(
    "username, path, status",
    [
        ("velora-user", f"{ECO}/accesses", 403),  # no audit:read
        ("velora-user", f"{ECO}/exceptions", 403),
        ("velora", f"{ECO}/exceptions", 403),  # partners never see every partner
        ("viewer", f"{ECO}/accesses", 403),
        ("viewer", f"{ECO}/exceptions", 200),
        ("velora", f"{ECO}/accesses", 200),
        ("analyst", f"{ECO}/accesses", 200),
        ("velora-user", f"{ECO}/data", 200),
        ("viewer", f"{ECO}/agreements", 200),
        ("kinsei", f"{ECO}/data/nothing", 404),
    ],
)
def test_each_page_needs_its_permission(
    app: TestClient, username: str, path: str, status: int
) -> None:
    login(app, username)
    assert app.get(path).status_code == status


def test_a_viewer_cannot_upload(app: TestClient) -> None:
    login(app, "viewer")
    page = app.get(f"{ECO}/data").text
    assert 'id="upload-form"' not in page
    files = {"file": ("forecast.csv", GOOD.encode(), "text/csv")}
    response = app.post(f"{ECO}/data", data={"dataset": "forecasts"}, files=files)
    assert response.status_code == 403 and "lacks data:submit" in response.text


def test_forms_need_the_csrf_token(app: TestClient) -> None:
    login(app, "velora")
    files = {"file": ("forecast.csv", GOOD.encode(), "text/csv")}
    forged = {"dataset": "forecasts", "csrf_token": "forged"}
    assert app.post(f"{ECO}/data", data=forged, files=files).status_code == 403
    assert app.post(f"{ECO}/agreements", data={"recipient": "kinsei"}).status_code == 403
    assert app.post(f"{ECO}/agreements/x/revoke", data={}).status_code == 403
    assert rows_of(app) == "0"


# --- upload -----------------------------------------------------------------------------------


def test_a_bad_row_is_named_and_nothing_is_stored(app: TestClient) -> None:
    login(app, "velora")
    response = upload(app, BAD)
    assert response.status_code == 422
    text = response.text
    assert "forecast.csv was refused: nothing was stored." in text
    errors = re.search(r'id="upload-errors">.*?<tbody>(.*?)</tbody>', text, re.S)
    assert errors is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", errors.group(1), re.S)
    assert [c.strip() for c in cells[:2]] == ["4", "quantity"]
    assert "lots" in cells[2]
    assert '<option value="forecasts" selected>' in text
    assert rows_of(app) == "0"


def test_a_good_file_is_stored_and_scored(app: TestClient) -> None:
    login(app, "velora")
    response = upload(app, GOOD)
    assert response.status_code == 303
    assert re.fullmatch(rf"{ECO}/data\?submission=\d+#stored", response.headers["location"])
    page = app.get(response.headers["location"]).text
    assert 'id="stored"' in page and "2 records of demand forecasts" in page
    assert "Quality score" in page and "%" in page
    assert rows_of(app) == "2"
    # a partner sees its own submissions and overall quality, never every partner's
    assert 'id="own-quality"' in page and 'id="quality"' not in page


def test_references_the_ecosystem_lacks_are_named_by_row(app: TestClient) -> None:
    login(app, "velora")
    response = upload(app, HEADER + "no-such-item,velora-dresden,2026-11-23,day,5\n")
    assert response.status_code == 422
    assert '<td class="num">2</td>' in response.text
    assert "no item &#39;no-such-item&#39;" in response.text
    assert rows_of(app) == "0"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("", "", "choose a CSV or XLSX file"),
        ("forecast.txt", GOOD, "unknown file type"),
        ("forecast.csv", "item,quantity\n", "missing required column"),
    ],
)
def test_unusable_files_are_explained(
    app: TestClient, name: str, content: str, message: str
) -> None:
    login(app, "velora")
    response = upload(app, content, name=name)
    assert response.status_code == 422
    assert message in response.text and "nothing was stored" in response.text


def test_an_admin_uploads_for_the_orchestrator(app: TestClient) -> None:
    login(app, "admin")
    content = HEADER + "e-axle-hd,hartwell-stuttgart,2026-11-23,day,5\n"
    assert upload(app, content).status_code == 303
    page = app.get(f"{ECO}/data").text
    assert "by Hartwell" in page and 'id="quality"' in page


# --- browse and download ----------------------------------------------------------------------


def test_browse_and_download_own_rows(app: TestClient) -> None:
    login(app, "velora")
    upload(app, GOOD)
    page = app.get(f"{ECO}/data/forecasts").text
    assert "your own data" in page and "2026-11-24" in page
    csv_file = app.get(f"{ECO}/data/forecasts?format=csv")
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert "manufacturer-forecasts.csv" in csv_file.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(csv_file.text)))
    assert [float(row["quantity"]) for row in table] == [5.0, 7.0]
    xlsx = app.get(f"{ECO}/data/forecasts?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == 3


def test_a_bad_date_is_explained(app: TestClient) -> None:
    login(app, "velora")
    page = app.get(f"{ECO}/data/forecasts", params={"start": "yesterday"})
    assert page.status_code == 200 and "is no date: use YYYY-MM-DD" in page.text
    assert app.get(f"{ECO}/data/forecasts?format=csv&start=yesterday").status_code == 422


# --- agreements and accesses ------------------------------------------------------------------


def test_share_read_audit_and_revoke(app: TestClient) -> None:
    login(app, "velora")
    upload(app, GOOD)
    page = app.get(f"{ECO}/agreements").text
    assert 'id="share-form"' in page and '<option value="role:orchestrator">' in page
    assert '<option value="hartwell">' in page  # a counterparty is suggested
    response = share(app, time="week", place="region", valid_until="2099-01-01")
    assert response.status_code == 303
    key = "velora-forecasts-planning"
    assert response.headers["location"] == f"{ECO}/agreements?created={key}"
    page = app.get(response.headers["location"]).text
    assert f'data-agreement="{key}"' in page and "in force" in page
    assert "weekly, region" in page and "until 01 Jan 2099" in page
    assert f'href="/api/v1{ECO}/agreements/{key}"' in page
    odrl = app.get(f"/api/v1{ECO}/agreements/{key}").json()
    assert odrl["@type"] == "Agreement"
    # the recipient sees it shared with it and reads weekly totals for the purpose only
    login(app, "kinsei")
    page = app.get(f"{ECO}/agreements").text
    assert "Shared with" in page and key in page and 'id="share-form"' in page
    without = app.get(f"{ECO}/data/forecasts").text
    assert "Nothing to read" in without and "planning" in without
    read = app.get(f"{ECO}/data/forecasts", params={"purpose": "planning"}).text
    assert f'agreement <span class="mono">{key}</span>' in read
    assert "weekly, region" in read and "12" in read  # 5 + 7 in one week
    # the provider sees who read its data
    login(app, "velora")
    accesses = app.get(f"{ECO}/accesses").text
    assert "kinsei" in accesses and key in accesses and "planning" in accesses
    # revoking stops the reads at once
    token = csrf_of(app, f"{ECO}/agreements")
    revoked = app.post(
        f"{ECO}/agreements/{key}/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert "revoked" in app.get(revoked.headers["location"]).text
    login(app, "kinsei")
    read = app.get(f"{ECO}/data/forecasts", params={"purpose": "planning"}).text
    assert "Nothing to read" in read


def test_a_refused_agreement_is_explained(app: TestClient) -> None:
    login(app, "velora")
    response = share(app, valid_until="someday")
    assert response.status_code == 422 and "is no date" in response.text
    response = share(app, recipient="nobody")
    assert response.status_code == 422
    assert "The agreement was not stored" in response.text and "nobody" in response.text
    assert 'data-agreement="' not in response.text


def test_users_without_agreement_write_cannot_share(app: TestClient) -> None:
    login(app, "velora-user")
    assert 'id="share-form"' not in app.get(f"{ECO}/agreements").text
    assert share(app).status_code == 403
    login(app, "analyst")
    assert 'id="share-form"' not in app.get(f"{ECO}/agreements").text


def test_accesses_page_newest_first(app: TestClient) -> None:
    factory = app.app.state.session_factory  # type: ignore[attr-defined]
    reader = Principal(user_id=0, username="kinsei-bot", role=Role.PARTNER_USER)
    with factory() as db:
        eco_id = db.scalar(select(Ecosystem.id).where(Ecosystem.name == "manufacturer"))
        for n in range(60):
            audit.record(
                session=db,
                request_id=f"r{n}",
                principal=reader,
                action="read",
                ecosystem_id=eco_id,
                dataset="forecasts",
                provider="velora",
                agreement="velora-raw",
                filter={"purpose": "planning"},
                row_count=n,
            )
        db.commit()
    login(app, "velora")
    first = app.get(f"{ECO}/accesses").text
    seqs = [int(s) for s in re.findall(r'data-seq="(\d+)"', first)]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    older = re.search(r'id="older" href="([^"]+)"', first)
    assert older is not None
    second = app.get(older.group(1).replace("&amp;", "&")).text
    rest = [int(s) for s in re.findall(r'data-seq="(\d+)"', second)]
    assert len(rest) == 10 and max(rest) < min(seqs)
    assert 'id="older"' not in second


# --- exceptions and quality -------------------------------------------------------------------


def add_exception(app: TestClient) -> int:
    factory = app.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco_id = db.scalar(select(Ecosystem.id).where(Ecosystem.name == "manufacturer"))
        found = DataException(
            ecosystem_id=eco_id,
            rule="late_shipments",
            key="velora|po-1|1",
            severity="high",
            owner="velora",
            subject="order po-1 line 1",
            detail="Order po-1 line 1 is not delivered 9 day(s) after its promised date.",
        )
        db.add(found)
        db.commit()
        return found.id


def test_the_orchestrator_works_the_exceptions(app: TestClient) -> None:
    exception_id = add_exception(app)
    login(app, "velora")
    upload(app, GOOD)
    login(app, "analyst")
    page = app.get(f"{ECO}/exceptions").text
    assert f'data-exception="{exception_id}"' in page and "Late shipments" in page
    assert "Velora" in page and 'data-provider="velora"' in page  # the quality table
    token = csrf_of(app, f"{ECO}/exceptions")
    checked = app.post(
        f"{ECO}/exceptions/check", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert checked.status_code == 200 and "Checked the current data" in checked.text
    assert 'id="exceptions"' in checked.text and "<html" not in checked.text
    url = f"{ECO}/exceptions/{exception_id}/status"
    form = {"csrf_token": token, "new_status": "acknowledged", "status": "open"}
    acked = app.post(url, data=form, headers={"HX-Request": "true"})
    assert acked.status_code == 200
    assert f'data-exception="{exception_id}"' not in acked.text  # filtered to the open ones
    plain = app.post(url, data=form | {"new_status": "resolved"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"{ECO}/exceptions?status=open"
    resolved = app.get(f"{ECO}/exceptions", params={"status": "resolved"}).text
    assert f'data-exception="{exception_id}"' in resolved
    bad = app.post(url, data=form | {"new_status": "deleted"})
    assert bad.status_code == 422


def test_a_viewer_sees_the_exceptions_but_changes_nothing(app: TestClient) -> None:
    exception_id = add_exception(app)
    login(app, "viewer")
    page = app.get(f"{ECO}/exceptions").text
    assert f'data-exception="{exception_id}"' in page
    assert 'id="check-now"' not in page and ">Acknowledge</button>" not in page
    form = {"csrf_token": "any", "new_status": "resolved"}
    for path in (f"{ECO}/exceptions/{exception_id}/status", f"{ECO}/exceptions/check"):
        refused = app.post(path, data=form)
        assert refused.status_code == 403 and "lacks exception:write" in refused.text


def test_the_data_home_of_staff_shows_quality_and_exceptions(app: TestClient) -> None:
    add_exception(app)
    login(app, "velora")
    upload(app, GOOD)
    login(app, "viewer")
    page = app.get(f"{ECO}/data").text
    assert 'data-provider="velora"' in page and 'id="exceptions-link"' in page
    assert "1 open" in page and "current rows of every provider" in page


def test_the_overview_links_the_pages(app: TestClient) -> None:
    login(app, "velora")
    page = app.get("/integrate").text
    for path in ("data", "agreements", "accesses", "integrate/summary"):
        assert f'href="{ECO}/{path}"' in page or f'hx-get="{ECO}/{path}"' in page, path
    assert f'href="{ECO}/exceptions"' not in page
    summary = app.get(f"{ECO}/integrate/summary").text
    assert "Agreements in force" in summary and "Open exceptions" not in summary
    login(app, "analyst")
    assert f'href="{ECO}/exceptions"' in app.get("/integrate?ecosystem=manufacturer").text
    assert "Open exceptions" in app.get(f"{ECO}/integrate/summary").text


# --- views ------------------------------------------------------------------------------------


def test_upload_errors_place_rows_and_records() -> None:
    errors = views.upload_errors(
        [
            {"row": 4, "column": "quantity", "detail": "not a number"},
            {"pointer": "#/records/2/item", "detail": "no item 'x'"},
            {"pointer": "#/file", "detail": "not a workbook"},
        ]
    )
    assert [(e["row"], e["record"], e["column"]) for e in errors] == [
        (4, None, "quantity"),
        (None, 3, "item"),
        (None, None, None),
    ]


def test_the_sharing_form_makes_an_enforceable_policy() -> None:
    form = views.ShareForm(
        recipient="kinsei", dataset="forecasts", purpose="planning", time="week", item="family",
        delete_after_days="30",
    )  # fmt: skip
    document = views.odrl_policy(form, valid_until=date(2099, 1, 1))
    agreement = policy.parse_odrl(
        document, key="k", provider="velora", recipients=["kinsei"], dataset="forecasts"
    )
    assert agreement.purposes == ("planning",) and agreement.delete_after_days == 30
    assert agreement.grain == policy.Grain(time="week", item="family", place="site")
    assert agreement.valid_until is not None and agreement.valid_until.year == 2099
    assert views.grain_text(dict(agreement.grain.axes())) == "weekly, item family"
    assert views.agreement_key(
        "velora", "forecasts", "planning", ["velora-forecasts-planning"]
    ) == ("velora-forecasts-planning-2")
