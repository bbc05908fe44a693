"""CSV and XLSX uploads of partner datasets, located errors, and table exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.integrate.datasets import DATASETS, DatasetError, to_row, validate_records
from podium.integrate.tables import read_upload, validate_upload, write_table

from .test_datasets import EXAMPLES

FORECAST_HEADER = "item,location,period_start,bucket,quantity,horizon_days,comment"


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(*sheets: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for number, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"sheet{number}")
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload_errors(filename: str, content: bytes, dataset: str, **kw: Any) -> list[dict[str, Any]]:
    with pytest.raises(DatasetError) as caught:
        validate_upload(filename, content, dataset, **kw)
    return caught.value.errors


# --- reading CSV --------------------------------------------------------------------------------


def test_csv_rows_become_records_with_empty_cells_absent() -> None:
    content = csv_bytes(
        FORECAST_HEADER,
        "part-a,s1,2026-11-23,week,120,28,promo",
        "part-b,s1,2026-11-23,week,7.5,,",
        bom=True,
    )
    assert read_upload("f.csv", content, "forecasts") == [
        {
            "item": "part-a", "location": "s1", "period_start": "2026-11-23", "bucket": "week",
            "quantity": 120.0, "horizon_days": 28, "comment": "promo",
        },
        {
            "item": "part-b", "location": "s1", "period_start": "2026-11-23", "bucket": "week",
            "quantity": 7.5,
        },
    ]  # fmt: skip
    records = validate_upload("f.csv", content, "forecasts")
    assert [to_row(r)["horizon_days"] for r in records] == [28, None]


def test_columns_in_any_order_and_optional_columns_left_out() -> None:
    content = csv_bytes("quantity,bucket,period_start,location,item", "5,day,2026-11-24,s1,x")
    (record,) = validate_upload("F.CSV", content, "forecasts")
    assert to_row(record)["period_start"] == date(2026, 11, 24)


def test_errors_name_the_row_the_user_sees() -> None:
    content = csv_bytes(
        FORECAST_HEADER,
        "part-a,s1,2026-11-23,week,120,,",
        "",  # an empty line: row 3, skipped
        'part-b,s1,2026-11-24,week,1,,"two',
        'lines"',
        "part-c,s1,2026-11-23,week,-5,1.5,",
        "part-a,s1,2026-11-23,week,3,,",
    )
    assert upload_errors("f.csv", content, "forecasts") == [
        {"row": 4, "column": "period_start", "detail": "a week starts on a Monday "
         "(2026-11-24 is a Tuesday)"},
        {"row": 6, "column": "quantity",
         "detail": "Input should be greater than or equal to 0 (got -5.0)"},
        {"row": 6, "column": "horizon_days",
         "detail": "Input should be a valid integer (got '1.5')"},
        {"row": 7, "column": None, "detail": "same key (item, location, period_start, bucket) "
         "as row 2: a batch gives each key once"},
    ]  # fmt: skip


def test_text_that_is_not_a_number_is_reported_as_given() -> None:
    content = csv_bytes(FORECAST_HEADER, "part-a,s1,2026-11-23,week,lots,,")
    assert upload_errors("f.csv", content, "forecasts") == [
        {"row": 2, "column": "quantity", "detail": "Input should be a valid number (got 'lots')"}
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "item,location,period_start,bucket,quantity,colour",
            [{"row": 1, "column": "colour", "detail": "unknown column (expected: item, location, "
              "period_start, bucket, quantity, horizon_days, comment)"}],
        ),
        (
            "item,location,period_start,bucket",
            [{"row": 1, "column": "quantity", "detail": "missing required column"}],
        ),
        (
            "item,location,period_start,bucket,quantity,item",
            [{"row": 1, "column": "item", "detail": "duplicate column"}],
        ),
        (
            "item,location,period_start,bucket,quantity,",
            [{"row": 1, "column": None, "detail": "column 6 has values but no header"}],
        ),
    ],
)  # fmt: skip
def test_header_problems_are_on_row_1(header: str, expected: list[dict[str, Any]]) -> None:
    content = csv_bytes(header, ",".join("x" for _ in header.split(",")))
    with pytest.raises(DatasetError) as caught:
        read_upload("f.csv", content, "forecasts")
    assert caught.value.errors == expected


def test_values_beyond_the_header_are_refused() -> None:
    content = csv_bytes("item,location,period_start,bucket,quantity", "a,s1,2026-11-23,day,1,9")
    assert upload_errors("f.csv", content, "forecasts") == [
        {"row": 1, "column": None, "detail": "column 6 has values but no header"}
    ]


def test_a_header_only_file_has_no_records() -> None:
    assert validate_upload("f.csv", csv_bytes(FORECAST_HEADER), "forecasts") == []


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("f.csv", b"", {"row": 1, "column": None, "detail": "no header row of field names"}),
        ("f.csv", b"item\n\xff\n", {"row": 2, "column": None,
                                    "detail": "not UTF-8 text (byte 0xff); save it as UTF-8"}),
        ("f.txt", b"item\n", {"pointer": "#/file",
                              "detail": "unknown file type '.txt' (expected .csv or .xlsx)"}),
        ("f.xlsx", b"not a zip", None),
    ],
)  # fmt: skip
def test_unreadable_files(filename: str, content: bytes, expected: dict[str, Any] | None) -> None:
    (error,) = upload_errors(filename, content, "forecasts")
    if expected is None:
        assert error["pointer"] == "#/file"
        assert error["detail"].startswith("not a readable XLSX workbook")
    else:
        assert error == expected


def test_files_over_the_limit_are_refused_naming_it() -> None:
    content = csv_bytes(FORECAST_HEADER, "part-a,s1,2026-11-23,week,1,,")
    assert upload_errors("f.csv", content, "forecasts", max_bytes=len(content) - 1) == [
        {"pointer": "#/file", "detail": f"the file is over the limit of {len(content) - 1:,} bytes"}
    ]
    assert len(validate_upload("f.csv", content, "forecasts", len(content))) == 1


def test_unknown_dataset() -> None:
    (error,) = upload_errors("f.csv", csv_bytes("a"), "weather")
    assert error["pointer"] == "#/dataset"


def test_list_cells_and_their_entries() -> None:
    header = "subject,started_at,affected_items"
    content = csv_bytes(header, 's1,2026-03-02T08:00:00Z,"part-a; part-b;"')
    (record,) = validate_upload("d.csv", content, "disruptions")
    assert to_row(record)["affected_items"] == ["part-a", "part-b"]
    bad = csv_bytes(header, 's1,2026-03-02T08:00:00Z,"part-a;bad item"')
    (error,) = upload_errors("d.csv", bad, "disruptions")
    assert error["row"] == 2 and error["column"] == "affected_items"
    assert error["detail"].startswith("entry 2: String should match pattern")


# --- reading XLSX -------------------------------------------------------------------------------


def test_xlsx_first_sheet_with_typed_cells() -> None:
    rows: list[list[Any]] = [
        FORECAST_HEADER.split(","),
        [1001, "s1", datetime(2026, 11, 23), "week", 120, 28.0, None],
        [None] * 7,
        ["part-b", "s1", date(2026, 11, 30), "week", 2.5, None, " text "],
    ]
    other: list[list[Any]] = [["anything"], [1]]
    content = xlsx_bytes(rows, other)
    records = validate_upload("f.xlsx", content, "forecasts")
    assert [to_row(r) for r in records] == [
        {
            "item": "1001", "location": "s1", "period_start": date(2026, 11, 23),
            "bucket": "week", "quantity": 120.0, "horizon_days": 28, "comment": None,
        },
        {
            "item": "part-b", "location": "s1", "period_start": date(2026, 11, 30),
            "bucket": "week", "quantity": 2.5, "horizon_days": None,
            "comment": "text",
        },
    ]  # fmt: skip


def test_xlsx_errors_name_sheet_rows() -> None:
    rows: list[list[Any]] = [
        FORECAST_HEADER.split(","),
        ["part-a", "s1", datetime(2026, 11, 23, 9, 30), "week", 1, None, None],
        [None] * 7,
        ["part-a", "s1", datetime(2026, 11, 23), "week", "many", None, None],
    ]
    assert upload_errors("f.xlsx", xlsx_bytes(rows), "forecasts") == [
        {"row": 2, "column": "period_start", "detail": "expected a date without a time "
         "(got datetime.datetime(2026, 11, 23, 9, 30))"},
        {"row": 4, "column": "quantity", "detail": "Input should be a valid number (got 'many')"},
    ]  # fmt: skip


def test_xlsx_times_need_an_offset() -> None:
    header = ["subject", "category", "severity", "source", "observed_at"]
    naive: list[list[Any]] = [header, ["acme", "cyber", 3, "feed", datetime(2026, 3, 2, 8)]]
    (error,) = upload_errors("r.xlsx", xlsx_bytes(naive), "risk_signals")
    assert error["row"] == 2 and error["column"] == "observed_at"
    assert "timezone" in error["detail"]
    text: list[list[Any]] = [header, ["acme", "cyber", 3, "feed", "2026-03-02T08:00:00+01:00"]]
    (record,) = validate_upload("r.xlsx", xlsx_bytes(text), "risk_signals")
    assert to_row(record)["observed_at"] == datetime(2026, 3, 2, 7, tzinfo=UTC)


# --- writing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_exports_read_back(dataset: str, fmt: Any) -> None:
    rows = [to_row(r) for r in validate_records(dataset, [EXAMPLES[dataset]])]
    columns = list(DATASETS[dataset].model.model_fields)
    content = write_table(rows, columns, fmt)
    assert [to_row(r) for r in validate_upload(f"x.{fmt}", content, dataset)] == rows


def test_csv_export_text() -> None:
    rows = [
        {"a": 1.0, "b": date(2026, 1, 5), "c": ["x", "y"], "d": None},
        {"a": 2.5, "b": datetime(2026, 1, 5, 8, tzinfo=UTC), "c": [], "d": {"k": 1}},
    ]
    content = write_table(rows, ["a", "b", "c", "d", "missing"], "csv")
    assert content.decode() == (
        'a,b,c,d,missing\n1,2026-01-05,x;y,,\n2.5,2026-01-05T08:00:00+00:00,,"{""k"": 1}",\n'
    )


def test_xlsx_export_cells() -> None:
    rows = [{"t": "=SUM(A1)", "w": datetime(2026, 1, 5, 8, tzinfo=UTC), "n": 3, "x": "a\x01b"}]
    content = write_table(rows, ["t", "w", "n", "x"], "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "data"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["t", "w", "n", "x"], ["=SUM(A1)", "2026-01-05T08:00:00+00:00", 3, "ab"]]
    assert sheet["A2"].data_type == "s"  # text, not a formula


def test_unknown_export_format() -> None:
    with pytest.raises(ValueError, match="unknown table format"):
        write_table([], ["a"], "pdf")


_keys = st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True)
_text = st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_keys, st.floats(0, 1e9), st.integers(0, 10**6), st.none() | _text),
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from(["csv", "xlsx"]),
)
def test_forecast_round_trip(entries: list[tuple[str, float, int, str | None]], fmt: Any) -> None:
    records = [
        {"item": item, "location": "s1", "period_start": "2026-11-01", "bucket": "month",
         "quantity": quantity, "horizon_days": horizon, "comment": comment}
        for item, quantity, horizon, comment in entries
    ]  # fmt: skip
    rows = [to_row(r) for r in validate_records("forecasts", records)]
    columns = list(DATASETS["forecasts"].model.model_fields)
    content = write_table(rows, columns, fmt)
    back = [to_row(r) for r in validate_upload(f"f.{fmt}", content, "forecasts")]
    for row in rows:  # an empty text is an empty cell: it reads back as absent
        row["comment"] = row["comment"] or None
    if fmt == "xlsx":  # XLSX keeps numbers to 15-16 significant digits, as Excel does
        for row, read in zip(rows, back, strict=True):
            assert read.pop("quantity") == pytest.approx(row.pop("quantity"), rel=1e-15)
    assert back == rows


def test_csv_written_is_standard_csv() -> None:
    rows = [{"comment": 'a, "quoted"\nline'}]
    content = write_table(rows, ["comment"], "csv")
    assert list(csv.reader(io.StringIO(content.decode(), newline=""))) == [
        ["comment"],
        ['a, "quoted"\nline'],
    ]
