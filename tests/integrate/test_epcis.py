"""The EPCIS 2.0 module against the official GS1 JSON Schema and the GS1 examples.

The fast path must accept every GS1 example and refuse whatever the official schema refuses:
broken variants of the examples and a hypothesis search over mutations check the second.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
from hypothesis import event as hypothesis_event
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.integrate import epcis
from tests.conftest import REFERENCE, reference_path

EXAMPLE_NAMES = sorted(p.name for p in (REFERENCE / "epcis2" / "examples").glob("*.jsonld"))
OBJECT = "Example_9.6.1-ObjectEvent.jsonld"
AGGREGATION = "Example_9.6.3-AggregationEvent.jsonld"
TRANSFORMATION = "Example_9.6.4-TransformationEvent.jsonld"
ASSOCIATION = "AssociationEvent_AssociationEvent-a.jsonld"
TRANSACTION = "Example-TransactionEvents-2020_07_03y.jsonld"
QUERY = "EPCISQueryDocument.jsonld"
CREATED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DELETE = object()
Official = Callable[[Any], Any]


def _load(name: str) -> dict[str, Any]:
    return json.loads(reference_path("epcis2", "examples", name).read_text(encoding="utf-8"))


def _event_list(document: dict[str, Any]) -> list[dict[str, Any]]:
    body = document["epcisBody"]
    if document["type"] == "EPCISQueryDocument":
        return body["queryResults"]["resultsBody"]["eventList"]
    return body["eventList"]


def _refuses(official: Official, document: Any) -> bool:
    try:
        official(document)
    except fastjsonschema.JsonSchemaValueException:
        return True
    return False


def _pointers(document: Any) -> list[str]:
    with pytest.raises(epcis.EpcisError) as refused:
        epcis.parse_document(document)
    return [error["pointer"] for error in refused.value.errors]


@pytest.fixture(scope="module")
def schema_path() -> Path:
    return reference_path("epcis2", "schema", "EPCIS-JSON-Schema.json")


@pytest.fixture(scope="module")
def schema(schema_path: Path) -> dict[str, Any]:
    return json.loads(schema_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def official(schema: dict[str, Any]) -> Official:
    """The official schema compiled by fastjsonschema (which checks uri and date-time)."""
    return fastjsonschema.compile(schema)


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def examples() -> list[dict[str, Any]]:
    return [_load(name) for name in EXAMPLE_NAMES]


@pytest.fixture(scope="module")
def events(examples: list[dict[str, Any]]) -> list[epcis.EpcisEvent]:
    return [event for doc in examples for event in epcis.parse_document(doc).events]


# --- the GS1 examples ---------------------------------------------------------------------------


def test_all_47_examples_are_present() -> None:
    assert len(list(reference_path("epcis2", "examples").glob("*.jsonld"))) == 47


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_is_accepted_and_round_trips(
    name: str, official: Official, validator: jsonschema.Draft7Validator
) -> None:
    document = _load(name)
    official(document)
    assert list(validator.iter_errors(document)) == []
    parsed = epcis.parse_document(document)
    submitted = _event_list(document)
    assert parsed.kind == ("query" if name == QUERY else "document")
    assert parsed.context == document["@context"]
    assert len(parsed.events) == len(submitted) > 0
    assert [event.body for event in parsed.events] == submitted
    answer = epcis.query_document(
        [event.body for event in parsed.events], context=parsed.context, created=CREATED
    )
    official(answer)
    assert json.loads(json.dumps(answer)) == answer
    assert _event_list(answer) == json.loads(json.dumps(submitted))
    assert [e.body for e in epcis.parse_document(answer).events] == submitted


def test_object_event_fields_are_read() -> None:
    first, second = epcis.parse_document(_load(OBJECT)).events
    assert first.event_type == "ObjectEvent"
    assert first.event_id is not None and first.event_id.startswith("ni:///sha-256;df7bb3c3")
    assert first.event_time == datetime(2005, 4, 4, 2, 33, 31, 116000, tzinfo=UTC)
    assert first.event_time_zone_offset == "-06:00"
    assert (first.action, first.biz_step, first.disposition) == (
        "OBSERVE",
        "shipping",
        "in_transit",
    )
    assert first.read_point == "urn:epc:id:sgln:0614141.07346.1234"
    assert first.biz_location is None
    assert first.epcs == (
        "urn:epc:id:sgtin:0614141.107346.2017",
        "urn:epc:id:sgtin:0614141.107346.2018",
    )
    assert second.biz_location == "urn:epc:id:sgln:0012345.11111.0"


def test_epcs_cover_parent_children_inputs_outputs_and_classes() -> None:
    (aggregation,) = epcis.parse_document(_load(AGGREGATION)).events
    body = aggregation.body
    assert aggregation.epcs[0] == body["parentID"]
    assert set(body["childEPCs"]) <= set(aggregation.epcs)
    assert aggregation.action == body["action"]
    (transformation,) = epcis.parse_document(_load(TRANSFORMATION)).events
    body = transformation.body
    named = [*body.get("inputEPCList", []), *body.get("outputEPCList", [])]
    named += [
        q["epcClass"] for k in ("inputQuantityList", "outputQuantityList") for q in body.get(k, [])
    ]
    assert set(transformation.epcs) == set(named)
    assert transformation.action is None


def test_web_uri_cbv_values_are_normalised() -> None:
    document = _load(OBJECT)
    event = _event_list(document)[0]
    event["bizStep"] = "https://ref.gs1.org/cbv/BizStep-receiving"
    event["disposition"] = "https://ref.gs1.org/cbv/Disp-in_progress"
    parsed = epcis.parse_document(document).events[0]
    assert (parsed.biz_step, parsed.disposition) == ("receiving", "in_progress")
    event["bizStep"] = "https://example.org/bizstep/counting_sheep"
    assert epcis.parse_document(document).events[0].biz_step == event["bizStep"]


# --- broken variants: refused by the fast path at the right place, and by the schema -----------

E = "epcisBody/eventList/0"
AT = f"#/{E}"
EPC, LOT = "urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:class:lgtin:4012345.012345.998877"


def _case(path: str, value: Any, pointer: str | None = None, name: str = OBJECT) -> Any:
    """A broken variant: ``value`` put at ``path`` (or the member deleted) in example ``name``."""
    return pytest.param(name, path, value, pointer or f"#/{path}", id=f"{path}={value!r:.30}")


BROKEN = [
    _case(f"{E}/eventTime", DELETE),
    _case(f"{E}/action", "MOVE"),
    _case(f"{E}/action", DELETE),
    _case(f"{E}/eventTimeZoneOffset", "+25:00"),
    _case(f"{E}/eventTimeZoneOffset", "+14:30"),
    _case(f"{E}/eventTimeZoneOffset", DELETE),
    _case(f"{E}/eventTime", "2005-04-03T20:33:31.116"),
    _case(f"{E}/eventTime", "2005-02-30T20:33:31Z"),
    _case(f"{E}/eventTime", 1112560411),
    _case(f"{E}/epcList", EPC),
    _case(f"{E}/epcList/0", "not a uri"),
    _case(f"{E}/epcList/1", EPC, f"{AT}/epcList"),
    _case(f"{E}/type", "ShippingEvent"),
    _case(f"{E}/eventID", "event 1"),
    _case(f"{E}/bizStep", "teleporting"),
    _case(f"{E}/bizStep", "urn:epcglobal:cbv:bizstep:shipping"),
    _case(f"{E}/disposition", 7),
    _case(f"{E}/readPoint", {}, f"{AT}/readPoint/id"),
    _case(f"{E}/readPoint", "urn:epc:id:sgln:0614141.07346.1234"),
    _case(f"{E}/myField", "an extension member without a namespace"),
    _case(f"{E}/ilmd", {"ex:lot": "A1"}, AT),
    _case(f"{E}/childEPCs", [EPC]),
    _case(f"{E}/quantityList", [{"quantity": 2}], f"{AT}/quantityList/0/epcClass"),
    _case(
        f"{E}/quantityList", [{"epcClass": LOT, "quantity": "2"}], f"{AT}/quantityList/0/quantity"
    ),
    _case(f"{E}/quantityList", [{"epcClass": LOT, "uom": "kg"}], f"{AT}/quantityList/0/uom"),
    _case(
        f"{E}/errorDeclaration",
        {"reason": "incorrect_data"},
        f"{AT}/errorDeclaration/declarationTime",
    ),
    _case(
        f"{E}/sensorElementList", [{"sensorReport": []}], f"{AT}/sensorElementList/0/sensorReport"
    ),
    _case(f"{E}/bizTransactionList/0/bizTransaction", DELETE),
    _case(f"{E}/bizTransactionList/0/type", "purchase order"),
    _case(E, "an event"),
    _case("creationDate", "yesterday"),
    _case("schemaVersion", 2.0),
    _case("@context", DELETE),
    _case("@context", ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"] * 2),
    _case("epcisBody/eventList", {"0": {}}),
    _case("epcisBody/eventList", DELETE),
    _case("type", "EPCISDoc"),
    _case("sender", ["urn:epc:id:sgln:0353579.00001.0"]),
    _case(f"{E}/childEPCs", [], AT, ASSOCIATION),
    _case(f"{E}/parentID", DELETE, name=ASSOCIATION),
    _case(f"{E}/childQuantityList/0/quantity", True, name=AGGREGATION),
    _case(f"{E}/bizTransactionList", [], name=TRANSACTION),
    _case(f"{E}/action", "ADD", name=TRANSFORMATION),
    _case(f"{E}/outputEPCList", DELETE, AT, TRANSFORMATION),
    _case("epcisBody/queryResults/queryName", DELETE, name=QUERY),
]


def _broken(name: str, path: str, value: Any) -> dict[str, Any]:
    document = _load(name)
    *steps, last = [int(step) if step.isdigit() else step for step in path.split("/")]
    parent: Any = document
    for step in steps:
        parent = parent[step]
    if value is DELETE:
        del parent[last]
    else:
        parent[last] = value
    return document


@pytest.mark.parametrize(("name", "path", "value", "pointer"), BROKEN)
def test_broken_variant_is_refused_where_it_is_broken(
    name: str, path: str, value: Any, pointer: str, official: Official
) -> None:
    document = _broken(name, path, value)
    assert _refuses(official, document)
    assert pointer in _pointers(document)


def test_every_problem_is_listed_up_to_the_cap() -> None:
    document = _load(OBJECT)
    first, second = _event_list(document)
    first["action"], first["eventTimeZoneOffset"] = "MOVE", "+25:00"
    second["eventTime"] = "noon"
    assert _pointers(document) == [
        f"{AT}/action",
        f"{AT}/eventTimeZoneOffset",
        "#/epcisBody/eventList/1/eventTime",
    ]
    _event_list(document)[:] = [dict(first) for _ in range(250)]
    assert len(_pointers(document)) == epcis.MAX_ERRORS


@pytest.mark.parametrize("document", [None, [], "EPCISDocument", {"epcisBody": {}}])
def test_what_is_not_a_document_is_refused(document: Any) -> None:
    assert _pointers(document) in (["#"], ["#/type"])


@pytest.mark.parametrize(
    ("uri", "valid"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", True),
        ("https://id.gs1.org/01/09520123456788/21/A%2F1?linkType=all#top", True),
        ("http://user@example.org:8080/p;x=1/q", True),
        ("http://[2001:db8::7]/readers/1", True),
        ("ni:///sha-256;df7bb3c352fef055578554f09f5e2aa4?ver=CBV2.0", True),
        ("urn:", False),
        ("shipping", False),
        ("urn:epc:id:sgtin:0614141 107346", False),
        ("x:%zz", False),
        ("http://a:b:c/", False),
        ("urn:epc:ïd", False),
        ("http://[::zz]/", False),
    ],
)
def test_uris_follow_rfc_3986(uri: str, valid: bool, official: Official) -> None:
    document = _broken(OBJECT, f"{E}/eventID", uri)
    if valid:
        official(document)
        assert epcis.parse_document(document).events[0].event_id == uri
    else:
        assert _pointers(document) == [f"{AT}/eventID"]


def test_cbv_vocabularies_match_the_schema(schema: dict[str, Any]) -> None:
    for name, words in epcis.VOCABULARIES.items():
        assert words == set(schema["definitions"][name]["anyOf"][1]["enum"]), name


@pytest.mark.parametrize(
    ("name", "member"),
    [
        (OBJECT, "parentID"),
        (AGGREGATION, "ilmd"),
        (AGGREGATION, "persistentDisposition"),
        (TRANSACTION, "inputEPCList"),
        (TRANSFORMATION, "epcList"),
        (ASSOCIATION, "transformationID"),
    ],
)
def test_members_of_other_event_types_are_refused(
    name: str, member: str, official: Official
) -> None:
    document = _broken(name, f"{E}/{member}", {"ex:x": EPC})
    assert _refuses(official, document)
    assert f"{AT}/{member}" in _pointers(document)


# --- whatever the official schema refuses, the fast path refuses -------------------------------

VALUES: list[Any] = [
    None, True, 0, 1.5, "", "x", "ADD", "MOVE", "DELETE", "OBSERVE", "urn:", "urn:x", "ex:y",
    "http://ex.com/ a", "2020-01-01T00:00:00", "2020-01-01T00:00:00Z", "2020-02-30T00:00:00Z",
    "2020-01-01T10:00:00+0200", "2020-01-01t10:00:00z", "+25:00", "+14:00", "+14:30", "-00:00",
    "shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping",
    "https://ns.gs1.org/cbv/x", "in_transit", "Temperature", "https://gs1.org/voc/x", "KGM", "kg",
    "f0", "zz", "2.0", "x:%zz", "a_b:c", [], [1], ["urn:a:b"], ["urn:a:b", "urn:a:b"], ["x"], {},
    {"id": "urn:a:b"}, {"id": "x"}, {"set": ["in_transit"]}, {"unset": []},
    {"bizTransaction": "urn:a:b"}, {"type": "location", "source": "urn:a:b"},
    [{"epcClass": "urn:a:b", "quantity": 1}], [{"epcClass": "urn:a:b", "quantity": True}],
    [{"sensorReport": [{"type": "Temperature"}]}], [{"sensorReport": []}], "ObjectEvent",
    "TransformationEvent", ["urn:a:b", {"ex": "http://example.com/"}], {"ex:k": 1},
]  # fmt: skip
KEYS = [
    "foo", "ex:foo", "ilmd", "action", "quantity", "uom", "id", "type", "set", "@context",
    "epcList", "parentID", "transformationID", "readPoint", "sensorElementList", "eventID",
    "persistentDisposition", "bizStep", "reason", "childEPCs", "quantityList", "inputEPCList",
    "eventTime", "certificationInfo", "errorDeclaration", "sensorMetadata", "epcisHeader",
]  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path below ``node``, depth first."""
    if isinstance(node, dict):
        items: list[tuple[Any, Any]] = list(node.items())
    else:
        items = list(enumerate(node)) if isinstance(node, list) else []
    found = [prefix] if prefix else []
    for key, value in items:
        found += _paths(value, (*prefix, key))
    return found


def _mutate(document: dict[str, Any], op: str, where: int, value: Any, key: str) -> None:
    """Delete, replace, or add to (a member or an item) the node at path number ``where``."""
    paths = _paths(document)
    path = paths[where % len(paths)]
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    node = parent[path[-1]]
    if op == "delete":
        del parent[path[-1]]
    elif op == "add" and isinstance(node, dict):
        node[key] = copy.deepcopy(value)
    elif op == "add" and isinstance(node, list):
        node.append(copy.deepcopy(value))
    else:
        parent[path[-1]] = copy.deepcopy(value)


MUTATION = st.tuples(
    st.sampled_from(["delete", "replace", "add"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(VALUES),
    st.sampled_from(KEYS),
)


@settings(max_examples=1000, deadline=None)
@given(
    which=st.integers(min_value=0, max_value=1_000),
    mutations=st.lists(MUTATION, min_size=1, max_size=3),
)
def test_what_the_schema_refuses_the_fast_path_refuses(
    examples: list[dict[str, Any]],
    official: Official,
    which: int,
    mutations: list[tuple[str, int, Any, str]],
) -> None:
    document = copy.deepcopy(examples[which % len(examples)])
    for mutation in mutations:
        _mutate(document, *mutation)
    refused = _refuses(official, document)
    hypothesis_event("refused by the schema" if refused else "accepted by the schema")
    if refused:
        with pytest.raises(epcis.EpcisError):
            epcis.parse_document(document)


# --- the official schema as a fallback ----------------------------------------------------------


def test_load_schema_check_agrees_with_jsonschema(
    schema_path: Path, validator: jsonschema.Draft7Validator
) -> None:
    check = epcis.load_schema_check(schema_path)
    documents = [_load(name) for name in (OBJECT, QUERY)]
    documents += [_broken(*case.values[:3]) for case in BROKEN[:6]]
    documents += [_broken(OBJECT, "epcisBody/eventList", {})]
    for document in documents:
        errors = check(document)
        assert bool(errors) == bool(list(validator.iter_errors(document)))
        assert all(error["pointer"].startswith("#") and error["detail"] for error in errors)
    action = _broken(OBJECT, f"{E}/action", "MOVE")
    assert check(action)[0]["pointer"] == f"{AT}/action"


# --- queries ---------------------------------------------------------------------------------


def test_parse_query_reads_repeated_and_separated_values() -> None:
    query = epcis.parse_query(
        {
            "eventType": ["ObjectEvent|AggregationEvent", "TransformationEvent,AssociationEvent"],
            "GE_eventTime": ["2005-04-03T20:33:31.116-06:00"],
            "LT_eventTime": ["2005-04-05T00:00:00 02:00"],  # '+' left unescaped in the URL
            "EQ_bizStep": [
                "urn:epcglobal:cbv:bizstep:shipping|https://ref.gs1.org/cbv/BizStep-receiving"
            ],
            "EQ_disposition": "in_transit",
            "MATCH_epc": ["urn:epc:id:sgtin:0614141.107346.2017"],
            "MATCH_anyEPC": ["urn:epc:id:sscc:0614141.1234567890"],
            "EQ_bizLocation": ["urn:epc:id:sgln:0012345.11111.0"],
            "EQ_readPoint": [
                "urn:epc:id:sgln:0012345.11111.400",
                "urn:epc:id:sgln:0614141.07346.1234",
            ],
            "perPage": ["10"],
            "nextPageToken": ["abc"],
        }
    )
    assert query.event_types == (
        "ObjectEvent",
        "AggregationEvent",
        "TransformationEvent",
        "AssociationEvent",
    )
    assert query.ge_event_time == datetime(2005, 4, 4, 2, 33, 31, 116000, tzinfo=UTC)
    assert query.lt_event_time == datetime(2005, 4, 4, 22, 0, tzinfo=UTC)
    assert query.biz_steps == ("shipping", "receiving")
    assert query.dispositions == ("in_transit",)
    assert query.epcs == (
        "urn:epc:id:sgtin:0614141.107346.2017",
        "urn:epc:id:sscc:0614141.1234567890",
    )
    assert query.biz_locations == ("urn:epc:id:sgln:0012345.11111.0",)
    assert len(query.read_points) == 2
    assert epcis.parse_query({}) == epcis.EventQuery()


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"GE_eventTime": ["yesterday"]}, "#/query/GE_eventTime"),
        ({"LT_eventTime": ["2005-04-03T20:33:31"]}, "#/query/LT_eventTime"),
        (
            {"GE_eventTime": ["2005-04-03T20:33:31Z", "2005-04-04T20:33:31Z"]},
            "#/query/GE_eventTime",
        ),
        ({"EQ_foo": ["x"]}, "#/query/EQ_foo"),
        ({"GE_recordTime": ["2005-04-03T20:33:31Z"]}, "#/query/GE_recordTime"),
        ({"eventType": ["Shipping"]}, "#/query/eventType"),
        ({"EQ_bizStep": ["teleporting"]}, "#/query/EQ_bizStep"),
        ({"EQ_readPoint": ["not a uri"]}, "#/query/EQ_readPoint"),
        ({"MATCH_epc": [""]}, "#/query/MATCH_epc"),
    ],
)
def test_parse_query_refuses_bad_parameters(params: dict[str, list[str]], pointer: str) -> None:
    with pytest.raises(epcis.EpcisError) as refused:
        epcis.parse_query(params)
    assert [error["pointer"] for error in refused.value.errors] == [pointer]


def test_parse_query_lists_every_bad_parameter() -> None:
    with pytest.raises(epcis.EpcisError) as refused:
        epcis.parse_query({"EQ_foo": ["x"], "GE_eventTime": ["soon"], "eventType": ["Object"]})
    assert len(refused.value.errors) == 3


def _selected(events: list[epcis.EpcisEvent], **fields: Any) -> list[epcis.EpcisEvent]:
    query = epcis.EventQuery(**fields)
    return [event for event in events if epcis.matches(event, query)]


def test_matches_by_type_and_time_window(events: list[epcis.EpcisEvent]) -> None:
    assert _selected(events) == events
    objects = _selected(events, event_types=("ObjectEvent",))
    assert objects and objects == [e for e in events if e.body["type"] == "ObjectEvent"]
    pivot = sorted(e.event_time for e in events)[len(events) // 2]
    later = _selected(events, ge_event_time=pivot)
    earlier = _selected(events, lt_event_time=pivot)
    assert later and earlier and len(later) + len(earlier) == len(events)
    assert all(e.event_time >= pivot for e in later)
    local = pivot.astimezone(timezone(timedelta(hours=-6)))
    assert _selected(
        events, ge_event_time=local, lt_event_time=local + timedelta(microseconds=1)
    ) == [e for e in events if e.event_time == pivot]


@pytest.mark.parametrize(
    "spelling",
    ["shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping"],
)
def test_matches_a_biz_step_in_each_spelling(events: list[epcis.EpcisEvent], spelling: str) -> None:
    query = epcis.parse_query({"EQ_bizStep": [spelling]})
    found = [e for e in events if epcis.matches(e, query)]
    assert found == [e for e in events if e.body.get("bizStep") == "shipping"]
    assert found == _selected(events, biz_steps=(spelling,))
    assert len(found) == 7


def test_matches_by_epc_location_disposition_and_all_at_once(
    events: list[epcis.EpcisEvent],
) -> None:
    epc = "urn:epc:id:sgtin:0614141.107346.2018"
    by_epc = _selected(events, epcs=(epc, "urn:epc:id:sgtin:9.9.9"))
    assert by_epc and all(epc in e.epcs for e in by_epc)
    assert len(by_epc) == sum(epc in json.dumps(e.body) for e in events)
    (parent,) = epcis.parse_document(_load(AGGREGATION)).events
    assert parent in _selected(events, epcs=(parent.body["parentID"],))
    place = "urn:epc:id:sgln:0012345.11111.0"
    at_place = _selected(events, biz_locations=(place,))
    assert at_place == [e for e in events if e.body.get("bizLocation", {}).get("id") == place]
    both = _selected(events, epcs=(epc,), biz_locations=(place,), dispositions=("in_progress",))
    assert both == [e for e in by_epc if e in at_place and e.disposition == "in_progress"]
    assert both
    reader = "urn:epc:id:sgln:0012345.11111.400"
    assert _selected(events, read_points=(reader,)) == [e for e in events if e.read_point == reader]


def test_event_query_needs_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        epcis.EventQuery(ge_event_time=datetime(2024, 1, 1))


def test_query_document_shape(official: Official) -> None:
    body = {"type": "ObjectEvent", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:1.2.3"]}
    body |= {"eventTime": "2024-05-01T10:00:00Z", "eventTimeZoneOffset": "+00:00"}
    created = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    answer = epcis.query_document([body], created=created)
    official(answer)
    assert answer["@context"] == epcis.DEFAULT_CONTEXT
    assert (answer["type"], answer["schemaVersion"]) == ("EPCISQueryDocument", "2.0")
    assert answer["creationDate"] == "2024-05-01T12:00:00.000Z"
    results = answer["epcisBody"]["queryResults"]
    assert results["queryName"] == "SimpleEventQuery"
    assert results["resultsBody"]["eventList"][0] is body
    assert epcis.query_document([], created=CREATED)["epcisBody"]["queryResults"][
        "resultsBody"
    ] == {"eventList": []}
    with pytest.raises(ValueError, match="timezone-aware"):
        epcis.query_document([body], created=datetime(2024, 5, 1))


def test_module_is_pure() -> None:
    source = Path(epcis.__file__).read_text(encoding="utf-8")
    for forbidden in (
        "sqlalchemy",
        "fastapi",
        "starlette",
        "podium.core.db",
        "podium.web",
        "shared/",
    ):
        assert forbidden not in source
