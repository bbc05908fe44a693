"""Decision rights: the catalogue, validation with JSON pointers, the RACI matrix and diffs."""

from __future__ import annotations

import pytest

from podium.govern.rights import (
    CATALOGUE,
    STRATEGIC_TYPES,
    DecisionRightSpec,
    PathStep,
    default_spec,
    diff,
    pointer,
    raci_matrix,
    validate_right,
)

ACTORS = {"oem", "castco", "alloy"}
FORUMS = {"steering", "standup", "jbr"}


def right(**changes: object) -> DecisionRightSpec:
    data: dict[str, object] = {
        "decision_type": "capacity_allocation",
        "title": "Capacity allocation",
        "strategic": False,
        "raci": {"person:Ana": "R", "actor:oem": "A", "actor:castco": "C"},
        "path": [
            {"level": "operational", "owner": "actor:oem", "forum": "standup", "sla_hours": 24},
            {"level": "tactical", "owner": "actor:oem", "forum": "jbr", "sla_hours": 72},
        ],
    }
    data.update(changes)
    return DecisionRightSpec.model_validate(data)


def pointers(spec: DecisionRightSpec) -> list[str]:
    return [e["pointer"] for e in validate_right(spec, actors=ACTORS, forums=FORUMS)]


def test_the_catalogue_names_the_strategic_types_of_the_issue() -> None:
    assert {
        "customer_impact_risk", "intellectual_property", "strategic_investment",
        "major_service_failure", "data_access",
    } == STRATEGIC_TYPES  # fmt: skip
    assert {"capacity_allocation", "routine_coordination", "platform_terms"} <= set(CATALOGUE)
    for entry in CATALOGUE.values():
        levels = [s.level for s in entry.path]
        assert levels == sorted(levels, key=["operational", "tactical", "strategic"].index)
        if entry.strategic:
            assert levels[-1] == "strategic"


@pytest.mark.parametrize("decision_type", sorted(CATALOGUE))
def test_every_default_right_is_valid(decision_type: str) -> None:
    spec = default_spec(
        decision_type,
        accountable="actor:oem",
        responsible="person:Ana",
        partners=["actor:castco"],
        forum_keys={"steering_committee": "steering", "operational_standup": "standup"},
    )
    assert validate_right(spec, actors=ACTORS) == []
    assert spec.raci["actor:oem"] == "A" and spec.raci["person:Ana"] == "R"
    assert all(step.owner == "actor:oem" for step in spec.path)


def test_a_valid_right_has_no_errors() -> None:
    assert pointers(right()) == []


def test_raci_needs_exactly_one_accountable_and_a_responsible() -> None:
    assert pointers(right(raci={"actor:oem": "A", "actor:castco": "A"})) == ["/raci", "/raci"]
    errors = validate_right(right(raci={"actor:oem": "C"}))
    assert [e["detail"] for e in errors] == [
        "name exactly one accountable party (A); found none",
        "name at least one responsible party (R)",
    ]


def test_bad_parties_and_letters_are_pointed_at() -> None:
    spec = right(raci={"actor:oem": "A", "person:Ana": "R", "actor:ghost": "I", "bob": "C",
                       "person:Eve": "X"})  # fmt: skip
    assert pointers(spec) == ["/raci/actor:ghost", "/raci/bob", "/raci/person:Eve"]


def test_pointer_escapes_slash_and_tilde() -> None:
    """RFC 6901 section 3: '~' is written '~0' and '/' is written '~1'."""
    assert pointer("raci", "person:a/b~c") == "/raci/person:a~1b~0c"


def test_levels_must_climb_and_slas_be_positive() -> None:
    path = [
        {"level": "tactical", "owner": "actor:oem", "forum": "jbr", "sla_hours": 0},
        {"level": "operational", "owner": "actor:nobody", "forum": "nowhere", "sla_hours": 4},
        {"level": "board", "owner": "actor:oem", "sla_hours": float("nan")},
    ]
    assert pointers(right(path=path)) == [
        "/path/0/sla_hours",
        "/path/1/level",
        "/path/1/owner",
        "/path/1/forum",
        "/path/2/level",
        "/path/2/sla_hours",
    ]
    assert pointers(right(path=[])) == ["/path"]


def test_a_strategic_right_must_reach_the_strategic_level() -> None:
    spec = right(decision_type="customer_impact_risk", strategic=True)
    assert validate_right(spec, actors=ACTORS, forums=FORUMS) == [
        {"pointer": "/path", "detail": "a strategic right's path must end at the strategic level"}
    ]
    demoted = right(decision_type="data_access", strategic=False)
    assert pointers(demoted) == ["/strategic"]


def test_forum_keys_are_checked_only_when_known() -> None:
    spec = right(
        path=[{"level": "operational", "owner": "actor:oem", "forum": "x", "sla_hours": 1}]
    )
    assert validate_right(spec) == []
    assert pointers(spec) == ["/path/0/forum"]


def test_raci_matrix_lays_types_by_parties() -> None:
    other = right(
        decision_type="data_access",
        title="Data access",
        raci={"actor:oem": "A", "actor:alloy": "R", "person:Bo": "I"},
    )
    matrix = raci_matrix([right(), other])
    assert matrix.parties == ("actor:alloy", "actor:castco", "actor:oem", "person:Ana", "person:Bo")
    assert [row.letters for row in matrix.rows] == [
        ("", "C", "A", "R", ""),
        ("R", "", "A", "", "I"),
    ]
    assert matrix.rows[0].top_level == "tactical"
    table = matrix.table()
    assert table[1]["actor:alloy"] == "R" and table[1]["person:Ana"] == ""
    assert table[0]["path"] == (
        "operational: standup (24 h, actor:oem) > tactical: jbr (72 h, actor:oem)"
    )


def test_diff_lists_each_changed_field() -> None:
    old = right()
    new = right(
        title="Capacity allocation (weekly)",
        raci={"person:Ana": "R", "actor:oem": "A", "actor:alloy": "I"},
        path=[PathStep(level="operational", owner="actor:oem", forum="standup", sla_hours=12)],
    )
    assert diff(old, new) == [
        {"pointer": "/path/0/sla_hours", "before": 24.0, "after": 12.0},
        {"pointer": "/path/1/forum", "before": "jbr", "after": None},
        {"pointer": "/path/1/level", "before": "tactical", "after": None},
        {"pointer": "/path/1/owner", "before": "actor:oem", "after": None},
        {"pointer": "/path/1/sla_hours", "before": 72.0, "after": None},
        {"pointer": "/raci/actor:alloy", "before": None, "after": "I"},
        {"pointer": "/raci/actor:castco", "before": "C", "after": None},
        {
            "pointer": "/title",
            "before": "Capacity allocation",
            "after": "Capacity allocation (weekly)",
        },
    ]
    assert diff(old, old) == []
    assert {"pointer": "/strategic", "before": None, "after": False} in diff(None, old)
