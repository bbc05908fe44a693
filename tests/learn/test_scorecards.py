"""Scorecards: the formula language refuses what it does not have, weights renormalise, standings
and trends follow from the numbers."""

from __future__ import annotations

import math
from typing import Any

import pytest

from podium.learn.formulas import FormulaError, evaluate, parse_formula
from podium.learn.scorecards import (
    Definition,
    DefinitionError,
    definition_errors,
    parse_definition,
    score,
    trend,
)


def _definition(*criteria: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"key": "partners", "title": "Partners", "criteria": list(criteria), **extra}


# --- the formula language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("100 * value", 0.93, 93.0),
        ("-value + 2 ** 3", 1.0, 7.0),
        ("clip(100 * (value - 60) / (7 - 60), 0, 100)", 33.5, 50.0),
        ("100 * (value >= 0.95)", 0.97, 100.0),
        ("100 * (0.9 <= value < 0.95)", 0.95, 0.0),
        ("min(100, max(0, 120 - value))", 5.0, 100.0),
        ("100 - 100 * abs(value)", -0.25, 75.0),
        ("(value != 0) * 10", 0.0, 0.0),
    ],
)
def test_formulas_evaluate_as_arithmetic(text: str, value: float, expected: float) -> None:
    """Each allowed construct computes what arithmetic says (worked by hand)."""
    assert evaluate(parse_formula(text), value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("os", "names other than 'value' are not allowed ('os')"),
        ("__import__('os').system('ls')", "may be called (\"__import__('os').system\")"),
        ("open('x')", "only min, max, abs and clip may be called ('open')"),
        ("value.real", "attributes are not allowed ('value.real')"),
        ("value[0]", "subscripts are not allowed"),
        ("'100'", "only numbers are allowed as constants"),
        ("True * 100", "only numbers are allowed as constants ('True')"),
        ("value and 1", "'and'/'or' are not allowed"),
        ("100 if value else 0", "'if ... else' is not allowed"),
        ("lambda: 1", "lambdas are not allowed"),
        ("value // 2", "the operator in 'value // 2' is not allowed"),
        ("value % 2", "is not allowed"),
        ("not value", "only unary minus is allowed"),
        ("value in (1, 2)", "only <, <=, >, >=, == and != compare"),
        ("clip(value, 0)", "clip takes 3 arguments, not 2"),
        ("min(value)", "min takes at least 2 arguments, not 1"),
        ("abs(x=value)", "abs takes plain arguments"),
        ("(v := 3)", "assignments are not allowed"),
        ("100 *", "not a formula at the end: invalid syntax"),
        ("100 * * 2", "not a formula at column 7"),
        ("", "write a formula"),
        ("x" * 600, "at most 500 characters"),
        ("-" * 60 + "value", "nests deeper than"),
    ],
)
def test_formulas_refuse_anything_else_and_say_what(text: str, message: str) -> None:
    """The refusal names the offending token, so an analyst can fix the formula."""
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("100 / value", 0.0, "division by zero at value 0"),
        ("10 ** 10 ** 10 * value", 1.0, "cannot evaluate"),
        ("value ** 0.5", -4.0, "cannot evaluate"),
    ],
)
def test_formulas_that_fail_on_a_value_say_so(text: str, value: float, message: str) -> None:
    """Numbers are floats: a huge power overflows at once instead of hanging."""
    with pytest.raises(FormulaError) as caught:
        evaluate(parse_formula(text), value)
    assert message in str(caught.value)


# --- definitions --------------------------------------------------------------------------------


def test_bad_formulas_are_refused_with_a_pointer_to_the_criterion() -> None:
    """Every defect comes back at once, each at its JSON pointer."""
    errors = definition_errors(
        _definition(
            {"kpi": "otif", "weight": 1},
            {"kpi": "forecast_wape", "weight": 1},
            {"kpi": "data_quality", "weight": 1, "formula": "os.getcwd()"},
            {"kpi": "recovery_time_days", "weight": 1, "formula": "os"},
        )
    )
    assert {"pointer": "/criteria/3/formula", "detail": "names other than 'value' are not "
            "allowed ('os')"} in errors  # fmt: skip
    assert any(e["pointer"] == "/criteria/2/formula" for e in errors)
    assert len(errors) == 2


@pytest.mark.parametrize(
    ("criterion", "pointer", "message"),
    [
        ({"kpi": "otiff", "weight": 1}, "/criteria/0/kpi", "unknown KPI 'otiff'"),
        ({"kpi": "otif", "weight": 0}, "/criteria/0/weight", "greater than 0"),
        ({"kpi": "otif", "weight": -2}, "/criteria/0/weight", "greater than 0"),
        ({"kpi": "otif", "weight": "nan"}, "/criteria/0/weight", "finite"),
        ({"kpi": "otif"}, "/criteria/0/weight", "Field required"),
        ({"kpi": "otif", "weight": 1, "colour": "red"}, "/criteria/0/colour", "not permitted"),
        ({"kpi": "recovery_time_days", "weight": 1}, "/criteria/0", "give best and worst"),
        ({"kpi": "recovery_time_days", "weight": 1, "best": 7}, "/criteria/0", "both best"),
        ({"kpi": "otif", "weight": 1, "best": 1, "worst": 1}, "/criteria/0", "must differ"),
    ],
)
def test_criteria_are_checked(criterion: dict[str, Any], pointer: str, message: str) -> None:
    """A criterion names a known KPI, a positive weight and a formula or bounds."""
    errors = definition_errors(_definition(criterion))
    assert any(e["pointer"] == pointer and message in e["detail"] for e in errors), errors


def test_standings_must_descend_and_duplicates_are_refused() -> None:
    """Standings thresholds descend; a KPI is scored once."""
    errors = definition_errors(
        _definition(
            {"kpi": "otif", "weight": 1},
            {"kpi": "otif", "weight": 2},
            standings={"excellent": 70, "good": 70, "watch": 50},
        )
    )
    pointers = {e["pointer"]: e["detail"] for e in errors}
    assert "thresholds must descend" in pointers["/standings"]
    errors = definition_errors(
        _definition({"kpi": "otif", "weight": 1}, {"kpi": "otif", "weight": 2})
    )
    assert errors == [{"pointer": "/criteria/1/kpi", "detail": "otif is already criterion 0"}]
    with pytest.raises(DefinitionError, match=r"^/criteria/1/kpi: otif is already"):
        parse_definition(_definition({"kpi": "otif", "weight": 1}, {"kpi": "otif", "weight": 2}))


def test_empty_and_malformed_definitions_are_refused() -> None:
    """No criteria, a bad key or not an object at all."""
    pointers = {e["pointer"] for e in definition_errors(_definition(key="Bad Key"))}
    assert pointers == {"/criteria", "/key"}
    assert definition_errors([1, 2])[0]["pointer"] == "/"


@pytest.mark.parametrize(
    ("criterion", "value", "expected"),
    [
        ({"kpi": "otif"}, 0.92, 92.0),
        ({"kpi": "otif"}, 1.2, 100.0),  # clipped to 0..100
        ({"kpi": "forecast_wape"}, 0.3, 70.0),
        ({"kpi": "forecast_wape"}, 1.5, 0.0),
        ({"kpi": "forecast_bias"}, -0.12, 88.0),
        ({"kpi": "recovery_time_days", "best": 7, "worst": 35}, 14.0, 75.0),
        ({"kpi": "recovery_time_days", "best": 7, "worst": 35}, 3.0, 100.0),
        ({"kpi": "recovery_time_days", "best": 7, "worst": 35}, 50.0, 0.0),
        ({"kpi": "initiative_value", "best": 1e6, "worst": 0}, 250_000.0, 25.0),
    ],
)
def test_default_formulas_follow_the_direction(
    criterion: dict[str, Any], value: float, expected: float
) -> None:
    """Higher share: 100 x value; lower share: 100 - 100 x value; zero: 100 - 100|value|;
    bounds: linear from worst (0) to best (100). Worked by hand."""
    definition = parse_definition(_definition({**criterion, "weight": 1}))
    card = score(definition, {criterion["kpi"]: value})
    assert card.criteria[0].score == pytest.approx(expected)


# --- scoring ------------------------------------------------------------------------------------


def _default() -> Definition:
    return parse_definition(
        _definition(
            {"kpi": "otif", "weight": 40},
            {"kpi": "forecast_wape", "weight": 20},
            {"kpi": "recovery_time_days", "weight": 20, "best": 7, "worst": 35},
            {"kpi": "data_quality", "weight": 20},
        )
    )


def test_the_total_is_the_weighted_mean() -> None:
    """Weighted arithmetic mean of criterion scores with weights normalised to 1 (the
    weighted-sum model of multi-criteria decision analysis; Triantaphyllou, *Multi-criteria
    Decision Making Methods*, 2000, ch. 2). By hand: 0.4 x 90 + 0.2 x 80 + 0.2 x 75 + 0.2 x 95
    = 36 + 16 + 15 + 19 = 86 -> excellent."""
    card = score(
        _default(),
        {"otif": 0.9, "forecast_wape": 0.2, "recovery_time_days": 14.0, "data_quality": 0.95},
    )
    assert card.total == pytest.approx(86.0)
    assert card.standing == "excellent"
    assert card.coverage == pytest.approx(1.0)
    assert [c.weight for c in card.criteria] == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert sum(c.contribution or 0 for c in card.criteria) == pytest.approx(86.0)


def test_missing_values_are_left_out_and_the_weights_renormalised() -> None:
    """Without recovery time and data quality, OTIF and WAPE carry 0.4/0.6 and 0.2/0.6 of the
    total: 2/3 x 90 + 1/3 x 60 = 80 (good); coverage 0.6."""
    card = score(_default(), {"otif": 0.9, "forecast_wape": 0.4, "recovery_time_days": None})
    assert card.total == pytest.approx(80.0)
    assert card.standing == "good"
    assert card.coverage == pytest.approx(0.6)
    assert card.missing == ("recovery_time_days", "data_quality")
    effective = [c.effective_weight for c in card.criteria]
    assert effective[:2] == pytest.approx([2 / 3, 1 / 3])
    assert effective[2:] == [None, None]
    assert card.criteria[3].note == "no value in the period: left out"


def test_no_value_at_all_is_no_score_never_100() -> None:
    """An empty period gives no total and no standing."""
    card = score(_default(), {})
    assert card.total is None and card.standing is None and card.coverage == 0.0


def test_a_formula_that_fails_on_a_value_is_left_out_with_the_reason() -> None:
    """100 / value at 0 is a division by zero: the criterion is left out, not 0 or 100."""
    definition = parse_definition(
        _definition(
            {"kpi": "recovery_time_days", "weight": 1, "formula": "100 / value"},
            {"kpi": "otif", "weight": 1},
        )
    )
    card = score(definition, {"recovery_time_days": 0.0, "otif": 0.6})
    assert card.total == pytest.approx(60.0)
    assert "division by zero" in (card.criteria[0].note or "")


@pytest.mark.parametrize(
    ("total", "standing"),
    [(85.0, "excellent"), (84.99, "good"), (70.0, "good"), (69.9, "watch"), (50.0, "watch"),
     (49.9, "poor"), (0.0, "poor")],
)  # fmt: skip
def test_standings_at_their_thresholds(total: float, standing: str) -> None:
    """Each threshold is the least total of its standing."""
    assert _default().standings.of(total) == standing


def test_custom_standings() -> None:
    """Configurable thresholds: with good from 60, a 65 is good."""
    definition = parse_definition(
        _definition(
            {"kpi": "otif", "weight": 1}, standings={"excellent": 90, "good": 60, "watch": 40}
        )
    )
    assert score(definition, {"otif": 0.65}).standing == "good"


# --- trend --------------------------------------------------------------------------------------


def test_trend_is_the_least_squares_slope() -> None:
    """OLS slope b = S_xy / S_xx (Montgomery & Runger, *Applied Statistics and Probability for
    Engineers*, ch. 11). Totals 60, 66, 69, 75 at x = 0..3: mean x 1.5, mean y 67.5, S_xy =
    (-1.5)(-7.5) + (-0.5)(-1.5) + (0.5)(1.5) + (1.5)(7.5) = 24, S_xx = 5, slope 4.8."""
    found = trend([60.0, 66.0, 69.0, 75.0])
    assert found.slope == pytest.approx(4.8)
    assert found.change == pytest.approx(6.0)
    assert found.direction == "improving"


def test_trend_skips_gaps_and_needs_two_points() -> None:
    """Periods without a total are skipped; one total is no trend."""
    assert trend([80.0, None, 70.0]).slope == pytest.approx(-5.0)
    assert trend([80.0, None, 70.0]).direction == "declining"
    assert trend([70.0, 70.5]).direction == "stable"
    assert trend([None, 70.0]).direction == "insufficient data"
    assert trend([]).slope is None
    assert not math.isnan(trend([1.0, 1.0]).slope or 0.0)
