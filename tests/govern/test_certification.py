"""Certification status, level order, eligibility and expiry (pure), and the table reader."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from podium.core.errors import Invalid
from podium.govern import certification, certification_table
from podium.govern.certification import Held

LEVELS = ("bronze", "silver", "gold")
ON = date(2026, 6, 1)
ACTORS = {"castco": "EU-East", "alloy": "EU-East", "velo": "EU-West", "nosite": "EU-West"}
SITES = {
    "cast-1": ("castco", "EU-East"),
    "cast-2": ("castco", "EU-West"),
    "alloy-1": ("alloy", None),  # in its actor's region
    "velo-1": ("velo", "EU-West"),
}


def held(id: int, actor: str, level: str = "silver", **changes: object) -> Held:
    fields: dict[str, object] = {
        "id": id, "scheme": "clean", "process": "cleanroom", "levels": LEVELS, "actor": actor,
        "site": None, "level": level, "issued_on": date(2026, 1, 1),
        "expires_on": date(2026, 12, 31), "revoked": False,
    }  # fmt: skip
    fields.update(changes)
    return Held(**fields)  # type: ignore[arg-type]


def test_status_by_date_and_warning_window() -> None:
    cert = held(1, "castco", expires_on=date(2026, 6, 30))
    assert certification.status(cert, date(2025, 12, 31)) == "pending"
    assert certification.status(cert, date(2026, 5, 30), 30) == "valid"  # 31 days left
    assert certification.status(cert, date(2026, 5, 31), 30) == "expiring"  # 30 days left
    assert certification.status(cert, date(2026, 6, 30), 30) == "expiring"  # last valid day
    assert certification.status(cert, date(2026, 7, 1), 30) == "expired"
    assert certification.status(held(2, "castco", revoked=True), ON) == "revoked"


def test_a_higher_level_satisfies_a_lower_requirement() -> None:
    assert certification.satisfies(LEVELS, "gold", "bronze")
    assert certification.satisfies(LEVELS, "silver", "silver")
    assert not certification.satisfies(LEVELS, "bronze", "silver")
    assert not certification.satisfies(LEVELS, "gold", "platinum")
    assert certification.satisfies(LEVELS, "bronze", None)


def run(certs: list[Held], **query: object) -> list[tuple[str, str | None, str]]:
    found = certification.eligible(
        certs, query.pop("process", "cleanroom"), on=query.pop("on", ON),  # type: ignore[arg-type]
        actor_regions=ACTORS, site_actors=SITES, **query,  # type: ignore[arg-type]
    )  # fmt: skip
    return [(e.actor, e.site, e.level) for e in found]


def test_eligibility_by_process_level_and_validity() -> None:
    certs = [
        held(1, "castco", "gold"),
        held(2, "alloy", "bronze"),
        held(3, "velo", "gold", expires_on=date(2026, 5, 31)),  # expired on ON
        held(4, "nosite", "gold", revoked=True),
        held(5, "alloy", "gold", process="welding"),
    ]
    assert run(certs) == [("alloy", None, "bronze"), ("castco", None, "gold")]
    assert run(certs, min_level="silver") == [("castco", None, "gold")]
    assert run(certs, process="welding") == [("alloy", None, "gold")]
    assert run(certs, on=date(2026, 5, 1)) == [
        ("alloy", None, "bronze"), ("castco", None, "gold"), ("velo", None, "gold"),
    ]  # fmt: skip


def test_eligibility_by_region_lists_the_sites_there() -> None:
    certs = [held(1, "castco"), held(2, "alloy"), held(3, "nosite"), held(4, "velo", site="velo-1")]
    assert run(certs, region="EU-West") == [
        ("castco", "cast-2", "silver"), ("nosite", None, "silver"), ("velo", "velo-1", "silver"),
    ]  # fmt: skip
    assert run(certs, region="EU-East") == [
        ("alloy", "alloy-1", "silver"), ("castco", "cast-1", "silver"),
    ]  # fmt: skip


def test_the_best_certification_wins_per_partner() -> None:
    certs = [held(1, "castco", "bronze"), held(2, "castco", "gold"), held(3, "castco", "silver")]
    (best,) = certification.eligible(
        certs, "cleanroom", on=ON, actor_regions=ACTORS, site_actors=SITES
    )
    assert (best.level, best.certification_id) == ("gold", 2)


def test_an_unknown_min_level_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        run([held(1, "castco")], min_level="platinum")
    assert caught.value.errors[0]["pointer"] == "/min_level"


def test_expiring_and_expired_but_not_renewed_or_revoked() -> None:
    certs = [
        held(1, "castco", expires_on=date(2026, 6, 5)),  # 4 days left
        held(2, "alloy", expires_on=date(2026, 5, 20)),  # expired 12 days ago
        held(3, "velo", expires_on=date(2026, 6, 10)),  # renewed by 4
        held(4, "velo", issued_on=date(2026, 6, 11), expires_on=date(2027, 6, 10)),
        held(5, "nosite", expires_on=date(2026, 6, 2), revoked=True),
        held(6, "castco", site="cast-1", expires_on=date(2026, 8, 1)),  # 61 days left
    ]
    found = certification.expiring(certs, ON, 30)
    assert [(f.held.id, f.status, f.days_left) for f in found] == [
        (2, "expired", -12), (1, "expiring", 4),
    ]  # fmt: skip
    assert [certification.expiry_severity(f) for f in found] == ["high", "medium"]


def test_table_reads_csv_and_xlsx_dates() -> None:
    text = "scheme,actor,site,level,issued_on,expires_on\nclean,castco,,gold,2026-01-05,\n"
    (row,) = certification_table.read_certifications("c.csv", text.encode())
    assert (row.number, row.actor, row.site, row.issued_on, row.expires_on) == (
        2, "castco", None, date(2026, 1, 5), None,
    )  # fmt: skip
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["scheme", "actor", "level", "issued_on"])
    sheet.append(["clean", "alloy", "bronze", datetime(2026, 2, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    (row,) = certification_table.read_certifications("c.xlsx", buffer.getvalue())
    assert (row.actor, row.issued_on) == ("alloy", date(2026, 2, 1))


def test_table_errors_name_row_and_column() -> None:
    text = "scheme,actor,level,issued_on,colour\nclean,castco,gold,2026-01-05,red\n"
    with pytest.raises(certification_table.TableError) as caught:
        certification_table.read_certifications("c.csv", text.encode())
    assert caught.value.errors[0] == {
        "row": 1, "column": "colour", "detail": caught.value.errors[0]["detail"],
    }  # fmt: skip
    text = "scheme,actor,level,issued_on\nclean,,gold,2026-13-05\n\nclean,x,gold,2026-01-01\n"
    with pytest.raises(certification_table.TableError) as caught:
        certification_table.read_certifications("c.csv", text.encode())
    assert [(e["row"], e["column"]) for e in caught.value.errors] == [
        (2, "actor"), (2, "issued_on"),
    ]  # fmt: skip
    with pytest.raises(certification_table.TableError):
        certification_table.read_certifications("c.txt", b"x")
