"""The partner datasets: models, registry, batch validation with pointers, references, rows."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.integrate import datasets
from podium.integrate.datasets import (
    DATASETS,
    MAX_ERRORS,
    DatasetError,
    check_references,
    pointer_of,
    to_row,
    validate_records,
)
from podium.integrate.tables import column_kinds

EXAMPLES: dict[str, dict[str, Any]] = {
    "forecasts": {
        "item": "part-a", "location": "s1", "period_start": "2026-11-23", "bucket": "week",
        "quantity": 120, "horizon_days": 28, "comment": "promo",
    },
    "capacity": {
        "item": "part-a", "site": "s1", "period_start": "2026-11-01", "bucket": "month",
        "actual": 900.0, "maximum": 1000.0, "agreed": 800.0,
    },
    "inventory": {"site": "s1", "item": "part-a", "as_of": "2026-03-02", "on_hand": 40.5},
    "deliveries": {
        "order_id": "PO-1", "line": 2, "item": "part-a", "ship_to": "s1",
        "promised_date": "2026-03-02", "promised_quantity": 100,
        "delivered_date": "2026-03-04", "delivered_quantity": 80,
    },
    "risk_signals": {
        "subject": "acme", "category": "natural_hazard", "severity": 4, "source": "feed-x",
        "observed_at": "2026-03-02T08:00:00+02:00", "description": "flood warning",
    },
    "disruptions": {
        "subject": "s1", "started_at": "2026-03-02T08:00:00Z",
        "recovered_at": "2026-03-20T00:00:00Z", "affected_items": ["part-a", "part-b"],
    },
}  # fmt: skip
"""One valid record of each dataset (as JSON gives it)."""


def forecast(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLES["forecasts"], **changes}


def errors_of(dataset: str, records: list[Any]) -> list[dict[str, Any]]:
    with pytest.raises(DatasetError) as caught:
        validate_records(dataset, records)
    return caught.value.errors


# --- registry ----------------------------------------------------------------------------------


def test_registry_names_and_cadences() -> None:
    cadences = {name: spec.cadence_days for name, spec in DATASETS.items()}
    assert cadences == {
        "forecasts": 7, "capacity": 7, "inventory": 1, "deliveries": 1,
        "risk_signals": None, "disruptions": None,
    }  # fmt: skip
    assert DATASETS["forecasts"].key == ("item", "location", "period_start", "bucket")
    assert DATASETS["forecasts"].shape.measures == ("quantity",)
    assert DATASETS["forecasts"].shape.grouping == ("period_start", "item", "location", "bucket")


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_spec_names_fields_of_its_model(name: str) -> None:
    spec = DATASETS[name]
    fields = set(spec.model.model_fields)
    shape = spec.shape
    named = {shape.time_field, shape.item_field, shape.place_field} - {None}
    assert named | set(shape.dimensions) | set(shape.measures) | set(spec.key) <= fields
    assert set(spec.references) <= fields
    assert set(spec.required) | set(spec.optional) == fields
    assert all(column_kinds(name)[m] == "number" for m in shape.measures)
    assert spec.name == name and spec.title


def test_event_datasets_have_no_measures() -> None:
    assert DATASETS["risk_signals"].shape.measures == ()
    assert DATASETS["disruptions"].shape.measures == ()
    assert DATASETS["disruptions"].references["affected_items"] == "item"


def test_models_forbid_extra_fields_and_describe_every_field() -> None:
    for spec in DATASETS.values():
        assert spec.model.model_config["extra"] == "forbid"
        assert spec.model.model_config["strict"] is True
        assert all(info.description for info in spec.model.model_fields.values())


# --- valid records -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_valid_record_of_each_dataset(name: str) -> None:
    (record,) = validate_records(name, [EXAMPLES[name]])
    row = to_row(record)
    assert list(row) == list(DATASETS[name].model.model_fields)


def test_forecast_row_holds_plain_values() -> None:
    (record,) = validate_records("forecasts", [forecast()])
    assert to_row(record) == {
        "item": "part-a", "location": "s1", "period_start": date(2026, 11, 23), "bucket": "week",
        "quantity": 120.0, "horizon_days": 28, "comment": "promo",
    }  # fmt: skip


def test_defaults_apply() -> None:
    (inventory,) = validate_records("inventory", [EXAMPLES["inventory"]])
    assert to_row(inventory)["in_transit"] == 0.0
    assert to_row(inventory)["days_of_supply"] is None
    (delivery,) = validate_records("deliveries", [{**EXAMPLES["deliveries"], "line": 1}])
    minimal = {"order_id": "PO-9", "item": "x", "promised_date": "2026-01-01"}
    (line_one,) = validate_records("deliveries", [{**minimal, "promised_quantity": 1}])
    assert to_row(line_one)["line"] == 1 and to_row(line_one)["ship_to"] is None
    assert to_row(delivery)["line"] == 1


def test_times_are_stored_in_utc() -> None:
    (signal,) = validate_records("risk_signals", [EXAMPLES["risk_signals"]])
    observed = to_row(signal)["observed_at"]
    assert observed == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert observed.utcoffset() == timedelta(0)


def test_python_values_are_accepted() -> None:
    offset = timezone(timedelta(hours=-5))
    record = {
        **EXAMPLES["disruptions"],
        "started_at": datetime(2026, 3, 2, 8, tzinfo=offset),
        "recovered_at": None,
    }
    (found,) = validate_records("disruptions", [record])
    assert to_row(found)["started_at"] == datetime(2026, 3, 2, 13, tzinfo=UTC)
    (day,) = validate_records("forecasts", [forecast(period_start=date(2026, 11, 23))])
    assert to_row(day)["period_start"] == date(2026, 11, 23)


def test_capacity_by_group_without_item() -> None:
    group = {**EXAMPLES["capacity"], "capacity_group": "line-3"}
    del group["item"]
    (record,) = validate_records("capacity", [group])
    assert to_row(record)["item"] is None and to_row(record)["capacity_group"] == "line-3"


def test_text_is_stripped() -> None:
    (record,) = validate_records("forecasts", [forecast(item="  part-a ")])
    assert to_row(record)["item"] == "part-a"


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dataset", "changes", "pointer", "words"),
    [
        ("forecasts", {"quantity": -1}, "#/records/0/quantity", "greater than or equal to 0"),
        ("forecasts", {"quantity": "5"}, "#/records/0/quantity", "valid number"),
        ("forecasts", {"quantity": True}, "#/records/0/quantity", "valid number"),
        ("forecasts", {"quantity": float("nan")}, "#/records/0/quantity", "finite"),
        ("forecasts", {"horizon_days": 1.5}, "#/records/0/horizon_days", "valid integer"),
        ("forecasts", {"horizon_days": -1}, "#/records/0/horizon_days", "greater than"),
        ("forecasts", {"bucket": "year"}, "#/records/0/bucket", "'day', 'week' or 'month'"),
        ("forecasts", {"period_start": "2026-11-24"}, "#/records/0/period_start", "Monday"),
        ("forecasts", {"period_start": 20261123}, "#/records/0/period_start", "YYYY-MM-DD"),
        ("forecasts", {"period_start": "20261123"}, "#/records/0/period_start", "YYYY-MM-DD"),
        ("forecasts", {"period_start": "2026-02-30"}, "#/records/0/period_start", "calendar"),
        ("forecasts", {"item": 7}, "#/records/0/item", "valid string"),
        ("forecasts", {"item": "part a"}, "#/records/0/item", "pattern"),
        ("forecasts", {"colour": "red"}, "#/records/0/colour", "unknown field"),
        ("capacity", {"period_start": "2026-11-02"}, "#/records/0/period_start", "1st"),
        ("capacity", {"item": None}, "#/records/0/item", "capacity_group"),
        ("capacity", {"maximum": 800.0}, "#/records/0/maximum", "below actual 900"),
        ("capacity", {"agreed": -1}, "#/records/0/agreed", "greater than or equal"),
        ("inventory", {"in_transit": -2}, "#/records/0/in_transit", "greater than or equal"),
        ("deliveries", {"promised_quantity": 0}, "#/records/0/promised_quantity", "greater"),
        ("deliveries", {"line": 0}, "#/records/0/line", "greater than or equal to 1"),
        ("deliveries", {"delivered_quantity": None}, "#/records/0/delivered_quantity", "required"),
        ("risk_signals", {"category": "aliens"}, "#/records/0/category", "financial"),
        ("risk_signals", {"severity": 6}, "#/records/0/severity", "less than or equal to 5"),
        ("risk_signals", {"observed_at": "2026-03-02T08:00:00"}, "#/records/0/observed_at",
         "timezone"),
        ("risk_signals", {"observed_at": 1_700_000_000}, "#/records/0/observed_at", "ISO 8601"),
        ("disruptions", {"recovered_at": "2026-03-01T00:00:00Z"}, "#/records/0/recovered_at",
         "after started_at"),
        ("disruptions", {"affected_items": ["ok", ""]}, "#/records/0/affected_items/1", "least"),
    ],
)  # fmt: skip
def test_each_defect_is_located(
    dataset: str, changes: dict[str, Any], pointer: str, words: str
) -> None:
    (error,) = errors_of(dataset, [{**EXAMPLES[dataset], **changes}])
    assert error["pointer"] == pointer
    assert words in error["detail"]


def test_missing_field() -> None:
    record = forecast()
    del record["quantity"]
    assert errors_of("forecasts", [record]) == [
        {"pointer": "#/records/0/quantity", "detail": "required"}
    ]


def test_every_error_of_every_record_is_reported_in_order() -> None:
    records = [forecast(), forecast(quantity=-1, bucket="year"), "not a record", forecast()]
    errors = errors_of("forecasts", records)
    assert [e["pointer"] for e in errors] == [
        "#/records/1/bucket",
        "#/records/1/quantity",
        "#/records/2",
        "#/records/3",
    ]
    assert "same key (item, location, period_start, bucket) as record 0" in errors[-1]["detail"]


def test_duplicate_key_is_reported_on_the_later_record() -> None:
    records = [forecast(), forecast(location="s2"), forecast(quantity=5)]
    assert errors_of("forecasts", records) == [
        {
            "pointer": "#/records/2",
            "detail": "same key (item, location, period_start, bucket) as record 0: "
            "a batch gives each key once",
        }
    ]


def test_duplicate_instants_in_other_offsets_are_the_same_key() -> None:
    first = EXAMPLES["disruptions"]
    second = {**first, "started_at": "2026-03-02T10:00:00+02:00", "recovered_at": None}
    assert [e["pointer"] for e in errors_of("disruptions", [first, second])] == ["#/records/1"]


def test_unknown_dataset() -> None:
    assert errors_of("weather", []) == [
        {
            "pointer": "#/dataset",
            "detail": "no dataset 'weather' (known: forecasts, capacity, inventory, deliveries, "
            "risk_signals, disruptions)",
        }
    ]


def test_errors_are_capped_with_a_count_of_the_rest() -> None:
    records = [forecast(period_start=f"bad-{i}") for i in range(MAX_ERRORS + 250)]
    errors = errors_of("forecasts", records)
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1] == {"pointer": "#/records", "detail": "and 250 more error(s)"}


def test_pointer_base_can_be_changed() -> None:
    with pytest.raises(DatasetError) as caught:
        validate_records("forecasts", [forecast(quantity=-1)], pointer="#/batches/2/records")
    assert caught.value.errors[0]["pointer"] == "#/batches/2/records/0/quantity"


def test_pointer_escapes_tilde_and_slash() -> None:
    assert pointer_of("#/records", (3, "a/b~c")) == "#/records/3/a~1b~0c"
    (error,) = errors_of("forecasts", [{**forecast(), "a/b": 1}])
    assert error["pointer"] == "#/records/0/a~1b"


def test_an_empty_batch_is_valid() -> None:
    assert validate_records("forecasts", []) == []


# --- references --------------------------------------------------------------------------------


def test_references_name_unknown_keys() -> None:
    records = validate_records(
        "forecasts", [forecast(), forecast(item="ghost", location="nowhere")]
    )
    errors = check_references("forecasts", records, items={"part-a"}, sites={"s1"}, actors=())
    assert errors == [
        {"pointer": "#/records/1/item", "detail": "no item 'ghost' in this ecosystem"},
        {"pointer": "#/records/1/location", "detail": "no site 'nowhere' in this ecosystem"},
    ]


def test_actor_or_site_and_lists() -> None:
    records = validate_records(
        "disruptions",
        [EXAMPLES["disruptions"], {**EXAMPLES["disruptions"], "subject": "acme"}],
    )
    errors = check_references(
        "disruptions", records, items={"part-a"}, sites={"s1"}, actors={"acme"}
    )
    assert errors == [
        {"pointer": "#/records/0/affected_items/1", "detail": "no item 'part-b' in this ecosystem"},
        {"pointer": "#/records/1/affected_items/1", "detail": "no item 'part-b' in this ecosystem"},
    ]
    (signal,) = validate_records("risk_signals", [EXAMPLES["risk_signals"]])
    errors = check_references("risk_signals", [signal], items=(), sites={"s1"}, actors=())
    assert errors == [
        {"pointer": "#/records/0/subject", "detail": "no actor or site 'acme' in this ecosystem"}
    ]


def test_optional_references_may_be_absent() -> None:
    record = {**EXAMPLES["deliveries"], "ship_to": None}
    records = validate_records("deliveries", [record])
    assert check_references("deliveries", records, items={"part-a"}, sites=(), actors=()) == []


# --- properties --------------------------------------------------------------------------------

_quantities = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=3)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_quantities, min_size=1, max_size=20))
def test_a_negative_quantity_is_never_accepted(quantities: list[Any]) -> None:
    base = date(2026, 1, 5)
    records = [
        forecast(period_start=(base + timedelta(weeks=i)).isoformat(), quantity=q)
        for i, q in enumerate(quantities)
    ]
    try:
        accepted = validate_records("forecasts", records)
    except DatasetError as error:
        bad = {int(e["pointer"].split("/")[2]) for e in error.errors}
        for index, quantity in enumerate(quantities):
            is_number = isinstance(quantity, int | float)
            if not is_number or quantity < 0 or quantity != quantity or abs(quantity) == 1e999:
                assert index in bad
        return
    assert all(to_row(r)["quantity"] >= 0 for r in accepted)


_field_values = st.one_of(
    st.none(), st.integers(-5, 5), st.text(max_size=4), st.sampled_from(["week", "2026-01-05"])
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.just(EXAMPLES["forecasts"]),
            st.dictionaries(st.sampled_from([*EXAMPLES["forecasts"], "x"]), _field_values),
            st.integers(),
        ),
        max_size=12,
    )
)
def test_every_error_points_at_an_existing_record(records: list[Any]) -> None:
    try:
        validate_records("forecasts", records)
    except DatasetError as error:
        for entry in error.errors:
            parts = entry["pointer"].split("/")
            assert parts[:2] == ["#", "records"]
            assert 0 <= int(parts[2]) < len(records)
            if len(parts) > 3:
                assert parts[3] in set(EXAMPLES["forecasts"]) | {"x"}


# --- speed -------------------------------------------------------------------------------------


def test_batches_validate_fast() -> None:
    """10,000 forecasts (ten service batches) validate well under a second (~400k/s here)."""
    base = date(2026, 1, 5)
    records = [
        forecast(
            item=f"part-{i % 100}", period_start=(base + timedelta(weeks=i // 100)).isoformat()
        )
        for i in range(10_000)
    ]
    start = time.perf_counter()
    for batch in range(0, len(records), 1_000):
        assert len(validate_records("forecasts", records[batch : batch + 1_000])) == 1_000
    assert time.perf_counter() - start < 1.0


def test_module_is_pure() -> None:
    source = datasets.__file__
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    for banned in ("sqlalchemy", "fastapi", "starlette", "podium.core.db", "podium.web"):
        assert f"import {banned}" not in text and f"from {banned}" not in text
