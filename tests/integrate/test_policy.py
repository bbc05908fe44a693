"""Data-sharing agreements: ODRL import/export (Catena-X example, refusals, round trip), grants
(default deny) and their in-memory application (filters, fields, aggregation)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.integrate.policy import (
    Grain,
    Grant,
    PolicyError,
    SharingAgreement,
    apply_grant,
    coarsen,
    grants_for,
    parse_odrl,
    to_odrl,
)
from podium.integrate.shape import Shape
from tests.conftest import reference_path

ODRL = "http://www.w3.org/ns/odrl/2/"
PARTIES: dict[str, Any] = {
    "provider": "acme",
    "recipients": ["beta"],
    "dataset": "forecasts",
    "key": "cx-1",
}
CX_TERMS = {
    "cx-policy:FrameworkAgreement": "DataExchangeGovernance:1.0",
    "cx-policy:ContractReference": "x12345",
    "profile": "cx-policy:profile2405",
}


def catenax(expanded: bool = False) -> Any:
    name = "catenax-example_usage_policy" + ("_expanded" if expanded else "") + ".json"
    return json.loads(reference_path("odrl", name).read_text())


def refused(document: Any, **kwargs: Any) -> list[dict[str, str]]:
    with pytest.raises(PolicyError) as caught:
        parse_odrl(document, **kwargs)
    assert caught.value.errors and str(caught.value)
    return caught.value.errors


def pointers(document: Any, **kwargs: Any) -> list[str]:
    return [e["pointer"] for e in refused(document, **kwargs)]


def policy(*constraints: Any, **extra: Any) -> dict[str, Any]:
    """A compact Podium policy with every party named and the given constraints."""
    return {
        "@context": [
            "http://www.w3.org/ns/odrl.jsonld",
            {"podium": "https://podium.example/odrl/"},
        ],
        "@type": "Agreement",
        "uid": "urn:podium:agreement:a1",
        "assigner": "urn:podium:actor:acme",
        "assignee": ["urn:podium:actor:beta", "urn:podium:role:orchestrator"],
        "target": "urn:podium:dataset:forecasts",
        "permission": [{"action": "use", "constraint": list(constraints), **extra}],
    }


def atom(left: str, op: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": op, "rightOperand": right}


PLANNING = atom("purpose", "eq", "planning")


# --- the Catena-X example ------------------------------------------------------------------------


@pytest.mark.parametrize("expanded", [False, True])
def test_catenax_example_parses(expanded: bool) -> None:
    agreement = parse_odrl(catenax(expanded), **PARTIES)
    assert agreement == SharingAgreement(
        key="cx-1",
        provider="acme",
        recipients=("beta",),
        dataset="forecasts",
        purposes=("cx.core.industrycore:1",),
        terms=CX_TERMS,
    )
    assert agreement.grain.is_raw and agreement.fields == () and agreement.filters == {}


def test_catenax_example_needs_the_parties_it_leaves_out() -> None:
    found = pointers(catenax())
    assert found == ["#/uid", "#/assigner", "#/target", "#/assignee"]


@pytest.mark.parametrize(
    ("expanded", "left", "pointer"),
    [
        (False, "cx-policy:Membership", "#/permission/0/constraint/and/1/leftOperand"),
        (False, "odrl:spatial", "#/permission/0/constraint/and/1/leftOperand"),
        (True, f"{ODRL}spatial", "#/permission/0/constraint/0/and/1/leftOperand"),
        (True, "https://w3id.org/catenax/policy/Membership", None),
    ],
)
def test_unknown_left_operand_is_refused(expanded: bool, left: str, pointer: str | None) -> None:
    document = catenax(expanded)
    if expanded:
        members = document[0][f"{ODRL}permission"][0][f"{ODRL}constraint"][0][f"{ODRL}and"]
        members[1][f"{ODRL}leftOperand"] = [{"@id": left}]
    else:
        document["permission"][0]["constraint"]["and"][1]["leftOperand"] = left
    errors = refused(document, **PARTIES)
    assert [e["pointer"] for e in errors] == [
        pointer or "#/permission/0/constraint/0/and/1/leftOperand"
    ]
    assert "leftOperand" in errors[0]["detail"]


@pytest.mark.parametrize("operator", ["neq", "isNoneOf", "isAllOf", "hasPart", "lt", "bogus"])
def test_unsupported_operator_is_refused(operator: str) -> None:
    document = catenax()
    document["permission"][0]["constraint"]["and"][2]["operator"] = operator
    assert pointers(document, **PARTIES) == ["#/permission/0/constraint/and/2/operator"]


def test_missing_purpose_is_refused() -> None:
    document = catenax()
    del document["permission"][0]["constraint"]["and"][2]
    errors = refused(document, **PARTIES)
    assert [e["pointer"] for e in errors] == ["#/permission/0/constraint"]
    assert "purpose" in errors[0]["detail"]


def test_every_problem_is_listed() -> None:
    document = catenax()
    members = document["permission"][0]["constraint"]["and"]
    members[0]["leftOperand"] = "cx-policy:Membership"
    members[1]["operator"] = "isA"
    document["profile"] = "cx-policy:unknown"
    assert sorted(pointers(document, **PARTIES)) == [
        "#/permission/0/constraint/and/0/leftOperand",
        "#/permission/0/constraint/and/1/operator",
        "#/profile",
    ]


# --- reading Podium's profile --------------------------------------------------------------------


def test_podium_profile_policy_parses() -> None:
    document = policy(
        {
            "and": [
                atom("odrl:purpose", "isAnyOf", ["planning", "risk-monitoring"]),
                {"and": [atom("podium:field", "isAnyOf", ["period", "item", "quantity"])]},
            ]
        },
        atom("podium:item", "isAnyOf", ["part-a", "part-b"]),
        atom("https://podium.example/odrl/site", "eq", "s1"),
        atom("podium:timeGranularity", "eq", "week"),
        atom("podium:placeGranularity", "eq", "region"),
        atom(f"{ODRL}dateTime", "gteq", {"@value": "2026-01-01T00:00:00Z", "@type": "xsd:date"}),
        atom("dateTime", "lt", "2027-01-01T00:00:00+00:00"),
        duty=[{"action": "delete", "constraint": [atom("elapsedTime", "lteq", "P30D")]}],
    )
    assert parse_odrl(document) == SharingAgreement(
        key="a1",
        provider="acme",
        recipients=("beta", "role:orchestrator"),
        dataset="forecasts",
        purposes=("planning", "risk-monitoring"),
        fields=("period", "item", "quantity"),
        filters={"item": ("part-a", "part-b"), "site": ("s1",)},
        grain=Grain(time="week", place="region"),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=datetime(2027, 1, 1, tzinfo=UTC),
        delete_after_days=30,
    )


def test_repeated_constraints_intersect() -> None:
    document = policy(
        atom("purpose", "isAnyOf", ["planning", "risk-monitoring"]),
        atom("cx-policy:UsagePurpose", "eq", "planning"),
        atom("podium:item", "isAnyOf", ["a", "b", "c"]),
        atom("podium:item", "isAnyOf", ["c", "b"]),
        atom("dateTime", "gteq", "2026-01-01T00:00:00Z"),
        atom("dateTime", "gteq", "2026-02-01T00:00:00Z"),
        atom("dateTime", "lt", "2026-09-01T00:00:00Z"),
        atom("dateTime", "lteq", "2026-06-30"),
    )
    agreement = parse_odrl(document)
    assert agreement.purposes == ("planning",) and agreement.filters == {"item": ("b", "c")}
    assert agreement.valid_from == datetime(2026, 2, 1, tzinfo=UTC)
    assert agreement.valid_until == datetime(2026, 7, 1, tzinfo=UTC)  # lteq a date: all of it


@pytest.mark.parametrize(
    ("op", "value", "attribute", "expected"),
    [
        ("gteq", "2026-03-01", "valid_from", datetime(2026, 3, 1, tzinfo=UTC)),
        ("gt", "2026-03-01", "valid_from", datetime(2026, 3, 2, tzinfo=UTC)),
        ("gt", "2026-03-01T10:00:00", "valid_from", datetime(2026, 3, 1, 10, 0, 0, 1, UTC)),
        ("lt", "2026-03-01T12:00:00+02:00", "valid_until", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("lteq", "2026-03-01T10:00:00Z", "valid_until", datetime(2026, 3, 1, 10, 0, 0, 1, UTC)),
    ],
)
def test_date_time_bounds(op: str, value: str, attribute: str, expected: datetime) -> None:
    agreement = parse_odrl(policy(PLANNING, atom("dateTime", op, value)))
    assert getattr(agreement, attribute) == expected


@pytest.mark.parametrize(
    ("constraints", "pointer"),
    [
        ([atom("dateTime", "gteq", "next tuesday")], "#/permission/0/constraint/1/rightOperand"),
        ([atom("dateTime", "lt", 20260101)], "#/permission/0/constraint/1/rightOperand"),
        ([atom("dateTime", "eq", "2026-01-01")], "#/permission/0/constraint/1/operator"),
        (
            [atom("dateTime", "gteq", "2026-05-01"), atom("dateTime", "lt", "2026-05-01")],
            "#/permission/0/constraint/2/rightOperand",
        ),
        ([atom("purpose", "eq", "risk")], "#/permission/0/constraint/1/rightOperand"),
        ([atom("purpose", "eq", ["a", "b"])], "#/permission/0/constraint/1/rightOperand"),
        ([atom("podium:item", "isAnyOf", [])], "#/permission/0/constraint/1/rightOperand"),
        ([atom("podium:item", "isNoneOf", ["a"])], "#/permission/0/constraint/1/operator"),
        ([atom("podium:field", "isAnyOf", ["a b"])], "#/permission/0/constraint/1/rightOperand"),
        (
            [atom("podium:timeGranularity", "eq", "year")],
            "#/permission/0/constraint/1/rightOperand",
        ),
        (
            [atom("podium:timeGranularity", "isAnyOf", ["week"])],
            "#/permission/0/constraint/1/operator",
        ),
        ([atom("podium:profile", "eq", "x")], "#/permission/0/constraint/1/leftOperand"),
        ([atom("elapsedTime", "lteq", "P1D")], "#/permission/0/constraint/1/leftOperand"),
        ([atom("count", "lteq", 5)], "#/permission/0/constraint/1/leftOperand"),
        (
            [{"leftOperand": "purpose", "operator": "eq"}],
            "#/permission/0/constraint/1/rightOperand",
        ),
        ([{**PLANNING, "unit": "x"}], "#/permission/0/constraint/1/unit"),
        (["purpose"], "#/permission/0/constraint/1"),
    ],
)
def test_constraints_refused(constraints: list[Any], pointer: str) -> None:
    assert pointers(policy(PLANNING, *constraints)) == [pointer]


@pytest.mark.parametrize("logical", ["or", "xone", "andSequence"])
def test_logical_constraints_other_than_and_are_refused(logical: str) -> None:
    document = policy({logical: [PLANNING, atom("purpose", "eq", "risk")]})
    errors = refused(document)
    assert [e["pointer"] for e in errors] == [f"#/permission/0/constraint/0/{logical}"]
    assert "isAnyOf" in errors[0]["detail"]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"prohibition": [{"action": "distribute"}]}, "#/prohibition"),
        ({"inheritFrom": "urn:x"}, "#/inheritFrom"),
        ({"@type": "Ticket"}, "#/@type"),
        ({"profile": "https://example.com/profile"}, "#/profile"),
        ({"permission": []}, "#/permission"),
        ({"uid": ["urn:a", "urn:b"]}, "#/uid"),
        ({"assigner": "urn:podium:actor:zeta"}, "#/assigner"),
        ({"target": "urn:podium:dataset:capacity"}, "#/target"),
        ({"assignee": "urn:podium:actor:beta"}, "#/assignee"),
    ],
)
def test_policy_level_problems(change: dict[str, Any], pointer: str) -> None:
    document = {**policy(PLANNING), **change}
    kwargs: dict[str, Any] = {"provider": "acme", "dataset": "forecasts"}
    kwargs |= {"recipients": ["beta", "role:orchestrator"]}
    assert pointers(document, **kwargs) == [pointer]


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        ({"action": "distribute"}, "#/permission/0/action"),
        ({"action": {"rdf:value": {"@id": "odrl:use"}, "refinement": []}}, "#/permission/0/action"),
        ({"assignee": "urn:podium:actor:gamma"}, "#/permission/0/assignee"),
        ({"duty": [{"action": "compensate"}]}, "#/permission/0/duty/0/action"),
        ({"duty": [{"action": "delete"}]}, "#/permission/0/duty/0"),
        (
            {"duty": {"action": "delete", "constraint": atom("elapsedTime", "lteq", "P1M")}},
            "#/permission/0/duty/constraint/rightOperand",
        ),
        (
            {"duty": [{"action": "delete", "constraint": [atom("elapsedTime", "eq", "P1D")]}]},
            "#/permission/0/duty/0/constraint/0/operator",
        ),
    ],
)
def test_rule_level_problems(rule: dict[str, Any], pointer: str) -> None:
    document = policy(PLANNING)
    document["permission"][0] |= rule
    assert pointers(document) == [pointer]


def test_policy_level_action_and_obligation() -> None:
    document = policy(PLANNING, action="read")
    del document["permission"][0]["action"]
    document |= {"action": "use", "obligation": [{"action": "delete", "constraint": []}]}
    assert pointers(document) == ["#/obligation/0"]
    document["obligation"][0]["constraint"] = [atom("elapsedTime", "lteq", "P7D")]
    assert parse_odrl(document).delete_after_days == 7
    document["action"] = "distribute"
    assert pointers(document) == ["#/action"]


def test_read_action_and_week_durations() -> None:
    document = policy(PLANNING, action="read")
    document["permission"][0]["duty"] = {
        "action": "odrl:delete",
        "constraint": {"and": [atom("elapsedTime", "lteq", {"@value": "P2W"})]},
    }
    assert parse_odrl(document).delete_after_days == 14


def test_keywords_and_document_must_agree() -> None:
    document = policy(PLANNING)
    agreement = parse_odrl(
        document,
        key="a1",
        provider="acme",
        dataset="forecasts",
        recipients=["role:orchestrator", "beta"],
    )
    assert agreement.key == "a1" and agreement.recipients == ("role:orchestrator", "beta")
    assert pointers(document, key="a2", provider="zeta") == ["#/uid", "#/assigner"]
    assert pointers(document, recipients=["beta"]) == ["#/assignee"]


def test_recipient_constraint_narrows_the_assignees() -> None:
    document = policy(PLANNING, atom("recipient", "eq", "beta"))
    assert parse_odrl(document).recipients == ("beta",)
    document["assignee"] = "urn:podium:actor:gamma"
    assert pointers(document) == ["#/permission/0/constraint/1/rightOperand"]
    del document["assignee"]
    assert parse_odrl(document).recipients == ("beta",)


@pytest.mark.parametrize("document", [None, "policy", 3, [], [{}, {}]])
def test_not_a_policy(document: Any) -> None:
    assert pointers(document) == ["#"]


# --- the agreement itself and the round trip -----------------------------------------------------


def test_agreement_refuses_what_it_cannot_enforce() -> None:
    base: dict[str, Any] = {
        "key": "a",
        "provider": "p",
        "recipients": ("r",),
        "dataset": "forecasts",
        "purposes": ("planning",),
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"purposes": ()}, "#/purposes"),
        ({"recipients": ()}, "#/recipients"),
        ({"key": ""}, "#/key"),
        ({"fields": ("bad field",)}, "#/fields"),
        ({"filters": {"item": ()}}, "#/filters/item"),
        ({"filters": {"timeGranularity": ("x",)}}, "#/filters/timeGranularity"),
        ({"delete_after_days": -1}, "#/delete_after_days"),
        ({"terms": {"cx-policy:Membership": "active"}}, "#/terms/cx-policy:Membership"),
        ({"terms": {"profile": "https://example.com/p"}}, "#/terms/profile"),
        (
            {"valid_from": datetime(2026, 2, 1), "valid_until": datetime(2026, 1, 1)},
            "#/valid_until",
        ),
    ]
    for change, pointer in cases:
        with pytest.raises(PolicyError) as caught:
            SharingAgreement(**(base | change))
        assert [e["pointer"] for e in caught.value.errors] == [pointer], change
    with pytest.raises(PolicyError):
        Grain(time="year")


def test_agreement_normalises() -> None:
    agreement = SharingAgreement(
        key="a",
        provider="p",
        recipients=("r", "r"),
        dataset="forecasts",
        purposes=("planning",),
        valid_from=datetime(2026, 1, 1, 5, tzinfo=timezone(timedelta(hours=5))),
        valid_until=datetime(2026, 2, 1),
    )
    assert agreement.recipients == ("r",)
    assert agreement.valid_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert agreement.valid_until is not None and agreement.valid_until.tzinfo is UTC


def test_grain() -> None:
    assert Grain().is_raw and not Grain(time="day").is_raw and not Grain(item="family").is_raw
    fine, coarse = (
        Grain(time="month", item="item", place="region"),
        Grain(time="week", item="family"),
    )
    assert fine.coarsest(coarse) == Grain(time="month", item="family", place="region")
    assert Grain().coarsest(Grain()) == Grain()


def test_to_odrl_is_an_odrl_agreement() -> None:
    agreement = parse_odrl(catenax(), **PARTIES)
    document = to_odrl(agreement)
    assert document["@context"] == [
        "http://www.w3.org/ns/odrl.jsonld",
        {"podium": "https://podium.example/odrl/", "cx-policy": "https://w3id.org/catenax/policy/"},
    ]
    assert document["@type"] == "Agreement" and document["uid"] == "urn:podium:agreement:cx-1"
    assert document["assigner"] == "urn:podium:actor:acme"
    assert document["assignee"] == ["urn:podium:actor:beta"]
    assert document["profile"] == ["podium:profile", "cx-policy:profile2405"]
    lefts = [c["leftOperand"] for c in document["permission"][0]["constraint"]]
    assert lefts == ["cx-policy:UsagePurpose", *list(CX_TERMS)[:2]]
    assert parse_odrl(json.loads(json.dumps(document))) == agreement


KEYS = st.from_regex(r"[a-z][a-z0-9_.:-]{0,10}", fullmatch=True)
NAMES = st.from_regex(r"[a-z_][a-zA-Z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: (
        n not in {"field", "profile", "timeGranularity", "itemGranularity", "placeGranularity"}
    )
)
VALUES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=10)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)
MOMENTS = st.datetimes(datetime(1971, 1, 1), datetime(2100, 1, 1), timezones=ZONES)


def _tuple(values: st.SearchStrategy[str], min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(values, min_size=min_size, max_size=3, unique=True).map(tuple)


@st.composite
def agreements(draw: st.DrawFn) -> SharingAgreement:
    start, end = draw(st.none() | MOMENTS), draw(st.none() | MOMENTS)
    if start is not None and end is not None and start >= end:
        end = start + timedelta(days=1)
    terms = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "cx-policy:FrameworkAgreement": VALUES,
                "cx-policy:ContractReference": VALUES,
                "profile": st.sampled_from(["cx-policy:profile2405", "cx-policy:profile2509"]),
            },
        )
    )
    groups = KEYS.map(lambda k: f"role:{k}") | KEYS.map(lambda k: f"kind:{k}")
    return SharingAgreement(
        key=draw(KEYS),
        provider=draw(KEYS | groups),
        recipients=draw(_tuple(KEYS | groups | st.just("urn:podium:role:x"), 1)),
        dataset=draw(KEYS),
        purposes=draw(_tuple(VALUES, 1)),
        fields=draw(_tuple(NAMES)),
        filters=draw(st.dictionaries(NAMES, _tuple(VALUES, 1), max_size=3)),
        grain=Grain(
            draw(st.sampled_from(["raw", "day", "week", "month"])),
            draw(st.sampled_from(["item", "family"])),
            draw(st.sampled_from(["site", "region"])),
        ),
        valid_from=start,
        valid_until=end,
        delete_after_days=draw(st.none() | st.integers(0, 3650)),
        terms=terms,
    )


@settings(max_examples=300)
@given(agreements())
def test_round_trip(agreement: SharingAgreement) -> None:
    document = json.loads(json.dumps(to_odrl(agreement)))
    assert parse_odrl(document) == agreement
    same = parse_odrl(
        document,
        key=agreement.key,
        provider=agreement.provider,
        recipients=agreement.recipients,
        dataset=agreement.dataset,
    )
    assert same == agreement


# --- grants --------------------------------------------------------------------------------------

JAN, JUL = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
SHARED = [
    SharingAgreement(
        key="to-oem",
        provider="supplier",
        recipients=("oem",),
        dataset="forecasts",
        purposes=("planning",),
        fields=("period", "quantity"),
        filters={"item": ("part-a",)},
        valid_from=JAN,
        valid_until=JUL,
    ),
    SharingAgreement(
        key="to-staff",
        provider="supplier",
        recipients=("role:orchestrator",),
        dataset="forecasts",
        purposes=("risk-monitoring", "planning"),
        grain=Grain(time="week"),
    ),
    SharingAgreement(
        key="to-carriers",
        provider="maker",
        recipients=("kind:logistics",),
        dataset="inventory",
        purposes=("planning",),
    ),
]
MARCH = datetime(2026, 3, 1, tzinfo=UTC)


def grants(reader: str | None, groups: Iterable[str] = (), **kwargs: Any) -> list[Grant]:
    query: dict[str, Any] = {"dataset": "forecasts", "purpose": "planning", "at": MARCH}
    query |= {"providers": ["supplier", "maker", "oem"]} | kwargs
    return grants_for(SHARED, reader=reader, reader_groups=frozenset(groups), **query)


def test_own_data_is_raw_and_unrestricted() -> None:
    assert grants("maker") == [Grant("maker", None, None, {}, Grain())]
    own = grants("oem")
    assert own[-1] == Grant("oem", None, None, {}, Grain())


def test_agreement_gives_its_grant() -> None:
    found = grants("oem", {"kind:customer", "role:partner"})
    assert found[0] == Grant(
        "supplier", "to-oem", frozenset({"period", "quantity"}), {"item": ("part-a",)}, Grain()
    )
    assert [g.provider for g in found] == ["supplier", "oem"]


@pytest.mark.parametrize(
    "query",
    [
        {"at": JUL},  # valid_until is exclusive
        {"at": JUL + timedelta(days=30)},
        {"at": JAN - timedelta(microseconds=1)},
        {"purpose": "risk-monitoring"},
        {"purpose": ""},
        {"dataset": "capacity"},
        {"providers": ["maker"]},
    ],
)
def test_no_agreement_in_force_gives_nothing(query: dict[str, Any]) -> None:
    assert [g for g in grants("oem", **query) if g.agreement] == []


def test_window_edges() -> None:
    last = JUL - timedelta(microseconds=1)
    assert [g.agreement for g in grants("oem", at=last)][:1] == ["to-oem"]
    assert [g.agreement for g in grants("oem", at=JAN)][:1] == ["to-oem"]
    naive = datetime(2026, 6, 30, 23, 59)  # taken as UTC
    assert [g.agreement for g in grants("oem", at=naive)][:1] == ["to-oem"]


def test_unknown_reader_gets_nothing() -> None:
    assert grants("stranger", {"role:partner"}) == []
    assert grants(None, set()) == []


def test_recipients_by_group() -> None:
    staff = grants(None, {"role:orchestrator", "lead"}, purpose="risk-monitoring")
    assert staff == [Grant("supplier", "to-staff", None, {}, Grain(time="week"))]
    both = grants("oem", {"role:orchestrator"})
    assert [g.agreement for g in both] == ["to-oem", "to-staff", None]
    carrier = grants("truckco", {"kind:logistics"}, dataset="inventory")
    assert carrier == [Grant("maker", "to-carriers", None, {}, Grain())]


# --- applying a grant ----------------------------------------------------------------------------

SHAPE = Shape("period", "item", "site", dimensions=("unit",), measures=("quantity", "value"))
FAMILY = {"part-a": "brakes", "part-b": "brakes"}
REGION = {"s1": "eu", "s2": "eu", "s3": "asia"}


def row(
    day: date, item: str, site: str, quantity: float, value: float | None = 1.0
) -> dict[str, Any]:
    return {
        "period": day,
        "item": item,
        "site": site,
        "unit": "pcs",
        "quantity": quantity,
        "value": value,
        "note": "free text",
    }


ROWS = [
    row(date(2026, 11, 23), "part-a", "s1", 10),  # Monday
    row(date(2026, 11, 25), "part-a", "s1", 5),  # Wednesday, same ISO week
    row(date(2026, 11, 29), "part-b", "s2", 7),  # Sunday, same ISO week
    row(date(2026, 11, 30), "part-a", "s1", 1, None),  # Monday, next week
    row(date(2026, 12, 2), "part-c", "s3", 2),
    row(date(2026, 12, 3), "part-c", "s9", 4),  # a site of no known region
]


def test_coarsen_known_dates() -> None:
    wednesday = date(2026, 11, 25)
    assert wednesday.weekday() == 2
    assert coarsen(wednesday, "raw") == coarsen(wednesday, "day") == wednesday
    assert coarsen(wednesday, "week") == date(2026, 11, 23)
    assert coarsen(date(2026, 11, 29), "week") == date(2026, 11, 23)
    assert coarsen(date(2026, 11, 30), "week") == date(2026, 11, 30)
    assert coarsen(date(2027, 1, 1), "week") == date(2026, 12, 28)
    assert coarsen(wednesday, "month") == date(2026, 11, 1)
    assert coarsen(datetime(2026, 11, 25, 18, 30), "day") == wednesday
    with pytest.raises(ValueError):
        coarsen(wednesday, "year")


def apply(grant: Grant, rows: list[dict[str, Any]] = ROWS) -> list[dict[str, Any]]:
    return apply_grant(rows, grant, SHAPE, family_of=FAMILY, region_of=REGION)


def test_raw_grant_keeps_permitted_fields_and_filters() -> None:
    grant = Grant("p", "a", frozenset({"period", "quantity"}), {"item": ("part-a",)}, Grain())
    assert apply(grant) == [
        {"period": date(2026, 11, 23), "quantity": 10},
        {"period": date(2026, 11, 25), "quantity": 5},
        {"period": date(2026, 11, 30), "quantity": 1},
    ]
    assert apply(Grant("p", None, None, {}, Grain())) == ROWS


def test_filters() -> None:
    def kept(filters: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
        found = apply(Grant("p", "a", None, filters, Grain()))
        return [(r["item"], r["site"]) for r in found]

    assert kept({"site": ("s2", "s3")}) == [("part-b", "s2"), ("part-c", "s3")]
    assert kept({"region": ("eu",)}) == [("part-a", "s1")] * 2 + [
        ("part-b", "s2"),
        ("part-a", "s1"),
    ]
    assert kept({"region": ("unknown",)}) == [("part-c", "s9")]
    assert kept({"family": ("part-c",), "site": ("s3",)}) == [("part-c", "s3")]
    assert kept({"unit": ("pcs",), "period": ("2026-12-02",)}) == [("part-c", "s3")]
    assert kept({"colour": ("red",)}) == []  # a filter on no field lets nothing through


def test_week_aggregation() -> None:
    grant = Grant("p", "a", None, {"item": ("part-a", "part-b")}, Grain(time="week"))
    assert apply(grant) == [
        {
            "period": date(2026, 11, 23),
            "item": "part-a",
            "site": "s1",
            "unit": "pcs",
            "quantity": 15,
            "value": 2.0,
            "rows": 2,
        },
        {
            "period": date(2026, 11, 23),
            "item": "part-b",
            "site": "s2",
            "unit": "pcs",
            "quantity": 7,
            "value": 1.0,
            "rows": 1,
        },
        {
            "period": date(2026, 11, 30),
            "item": "part-a",
            "site": "s1",
            "unit": "pcs",
            "quantity": 1,
            "value": None,
            "rows": 1,
        },
    ]


def test_month_family_region_aggregation() -> None:
    fields = frozenset({"period", "item", "site", "quantity", "note"})
    grant = Grant("p", "a", fields, {}, Grain(time="month", item="family", place="region"))
    assert apply(grant) == [
        {"period": date(2026, 11, 1), "item": "brakes", "site": "eu", "quantity": 23, "rows": 4},
        {"period": date(2026, 12, 1), "item": "part-c", "site": "asia", "quantity": 2, "rows": 1},
        {
            "period": date(2026, 12, 1),
            "item": "part-c",
            "site": "unknown",
            "quantity": 4,
            "rows": 1,
        },
    ]


def test_aggregates_add_up_to_the_raw_rows() -> None:
    """Closed form: the sums of the n-th row are n and the rows counts add up to the total."""
    rows = [
        row(date(2026, 1, 1) + timedelta(days=n), f"i{n % 7}", f"s{n % 3}", n) for n in range(100)
    ]
    for grain in (Grain(time="week"), Grain(time="month", item="family", place="region")):
        out = apply(Grant("p", "a", None, {}, grain), rows)
        assert sum(r["quantity"] for r in out) == 100 * 99 // 2
        assert sum(r["rows"] for r in out) == 100 and sum(r["value"] for r in out) == 100
    only_time = apply(
        Grant("p", "a", frozenset({"period", "quantity"}), {}, Grain(time="month")), rows
    )
    assert [(r["period"], r["rows"]) for r in only_time] == [
        (date(2026, 1, 1), 31),
        (date(2026, 2, 1), 28),
        (date(2026, 3, 1), 31),
        (date(2026, 4, 1), 10),
    ]
    assert only_time[0]["quantity"] == 30 * 31 // 2 and set(only_time[0]) == {
        "period",
        "quantity",
        "rows",
    }


ROW_STRATEGY = st.builds(
    row,
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    st.sampled_from(["part-a", "part-b", "part-c"]),
    st.sampled_from(["s1", "s2", "s3", "s9"]),
    st.integers(0, 1000),
    st.none() | st.integers(-5, 5),
)
GRAINS = st.builds(
    Grain,
    st.sampled_from(["raw", "day", "week", "month"]),
    st.sampled_from(["item", "family"]),
    st.sampled_from(["site", "region"]),
)
FIELDS = st.none() | st.frozensets(
    st.sampled_from(["period", "item", "site", "unit", "quantity", "value"])
)


@settings(max_examples=200)
@given(st.lists(ROW_STRATEGY, max_size=40), GRAINS, FIELDS)
def test_aggregated_rows_are_exactly_the_groups(
    rows: list[dict[str, Any]], grain: Grain, fields: frozenset[str] | None
) -> None:
    out = apply(Grant("p", "a", fields, {}, grain), rows)
    if grain.is_raw:
        assert len(out) == len(rows)
        return
    keys = [f for f in SHAPE.grouping if fields is None or f in fields]
    measures = [m for m in SHAPE.measures if fields is None or m in fields]

    def group(r: dict[str, Any]) -> tuple[Any, ...]:
        coarse = {
            "period": coarsen(r["period"], grain.time),
            "item": FAMILY.get(r["item"], r["item"]) if grain.item == "family" else r["item"],
            "site": REGION.get(r["site"], "unknown") if grain.place == "region" else r["site"],
            "unit": r["unit"],
        }
        return tuple(coarse[k] for k in keys)

    counts = Counter(group(r) for r in rows)
    assert len(out) == len(counts) and sum(r["rows"] for r in out) == len(rows)
    for o in out:
        assert set(o) == {*keys, *measures, "rows"}
        members = [r for r in rows if group(r) == tuple(o[k] for k in keys)]
        assert o["rows"] == counts[tuple(o[k] for k in keys)] == len(members) >= 1
        for m in measures:
            present = [r[m] for r in members if r[m] is not None]
            assert o[m] == (sum(present) if present else None)
