"""Selective depth: the segment and recommendation of a relationship follow from its inputs, by
the rule table of :mod:`podium.learn.segments`, with reasons in words and numbers."""

from __future__ import annotations

import pytest

from podium.learn.segments import (
    Relationship,
    Thresholds,
    alignment_level,
    criticality_level,
    decide,
    performance_level,
    recommend,
    recommend_all,
    rei_ranks,
)

T = Thresholds()


@pytest.mark.parametrize(
    ("rel", "segment", "action"),
    [
        # critical (SPOF or REI >= 0.5)
        (Relationship("a", rei=0.9, score=80, alignment=0.8), "strategic", "deepen"),
        (Relationship("a", rei=0.1, spof_for=("pump",), score=72), "strategic", "deepen"),
        (Relationship("a", rei=0.6), "strategic", "maintain"),
        (Relationship("a", rei=0.82, spof_for=("e-axle",), score=58), "at risk", "redesign"),
        (Relationship("a", rei=0.5, score=30), "at risk", "redesign"),
        (Relationship("a", rei=0.9, score=95, alignment=0.2), "at risk", "redesign"),
        (Relationship("a", rei=0.9, score=95, alignment=0.5), "strategic", "deepen"),
        # moderate (0.1 <= REI < 0.5)
        (Relationship("a", rei=0.3, score=90, alignment=0.9), "preferred", "deepen"),
        (Relationship("a", rei=0.3, score=90), "preferred", "maintain"),
        (Relationship("a", rei=0.3, score=75, alignment=0.9), "preferred", "maintain"),
        (Relationship("a", rei=0.3, score=60), "transactional", "maintain"),
        (Relationship("a", rei=0.3, score=40), "at risk", "redesign"),
        (Relationship("a", rei=0.3, score=90, alignment=0.1), "at risk", "redesign"),
        # low (REI < 0.1)
        (Relationship("a", rei=0.0, score=40), "at risk", "exit"),
        (Relationship("a", rei=0.05, score=60), "transactional", "maintain"),
        (Relationship("a", rei=0.05, score=88, alignment=0.75), "preferred", "deepen"),
        (Relationship("a", rei=0.05, score=88, alignment=0.1), "transactional", "maintain"),
        # unknown criticality (no stress test)
        (Relationship("a", score=40), "at risk", "redesign"),
        (Relationship("a", score=80), "preferred", "maintain"),
        (Relationship("a"), "transactional", "maintain"),
    ],
)
def test_recommendations_follow_the_rule_table(
    rel: Relationship, segment: str, action: str
) -> None:
    """Each row of the module's rule table, with inputs on both sides of its thresholds."""
    found = recommend(rel)
    assert (found.segment, found.action) == (segment, action)


@pytest.mark.parametrize(
    ("rei", "spof", "level"),
    [(0.5, (), "critical"), (0.4999, (), "moderate"), (0.1, (), "moderate"), (0.0999, (), "low"),
     (None, (), "unknown"), (None, ("pump",), "critical"), (0.0, ("pump",), "critical")],
)  # fmt: skip
def test_criticality_levels(rei: float | None, spof: tuple[str, ...], level: str) -> None:
    """A single point of failure is critical whatever its REI."""
    assert criticality_level(Relationship("a", rei=rei, spof_for=spof), T) == level


def test_performance_and_alignment_levels_at_their_thresholds() -> None:
    """Each threshold is the least value of its level."""
    assert [performance_level(s, T) for s in (70, 69.9, 50, 49.9, None)] == [
        "strong", "watch", "watch", "poor", "unknown"
    ]  # fmt: skip
    assert [alignment_level(a, T) for a in (0.7, 0.69, 0.4, 0.39, None)] == [
        "aligned", "partial", "partial", "misaligned", "unknown"
    ]  # fmt: skip


def test_thresholds_are_parameters() -> None:
    """Raising the critical REI to 0.9 makes an REI of 0.82 moderate: at watch (58) it is then
    transactional, not at risk."""
    strict = Thresholds(critical_rei=0.9)
    rel = Relationship("a", rei=0.82, score=58)
    assert recommend(rel).segment == "at risk"
    assert recommend(rel, thresholds=strict).segment == "transactional"
    with pytest.raises(ValueError, match="REI thresholds"):
        Thresholds(critical_rei=0.05)
    with pytest.raises(ValueError, match="score thresholds"):
        Thresholds(poor_score=80)
    with pytest.raises(ValueError, match="alignment thresholds"):
        Thresholds(misaligned=0.9)


def test_reasons_carry_words_and_numbers() -> None:
    """The example of the issue, word for word."""
    rel = Relationship("gearco", rei=0.82, spof_for=("e-axle",), score=58, standing="watch")
    found = recommend(rel, rei_rank=(1, 10))
    assert found.summary == (
        "critical: REI 0.82 (top 10%), single point of failure for e-axle; "
        "scorecard 58 (watch) -> redesign"
    )
    assert found.reasons[2] == "alignment not assessed"
    assert "redesign" in found.reasons[3]


def test_unknowns_are_said_not_guessed() -> None:
    """Without a stress test or a scorecard the reasons say so; extra notes are kept."""
    found = recommend(Relationship("a", notes=("no stress test stored",)))
    assert found.reasons[0] == "unknown: no stress-test result"
    assert found.reasons[1] == "scorecard: no total (no KPI value in the period)"
    assert found.reasons[-1] == "no stress test stored"
    aligned = recommend(Relationship("a", rei=0.3, score=90, alignment=0.9))
    assert aligned.summary.endswith("alignment 0.90 (aligned) -> deepen")


def test_rei_ranks_and_order() -> None:
    """Ranks count from the most exposed; ties share a rank; unranked partners have none."""
    rels = [
        Relationship("a", rei=0.2),
        Relationship("b", rei=1.0),
        Relationship("c", rei=0.2),
        Relationship("d"),
    ]
    assert rei_ranks(rels) == {"b": (1, 3), "a": (2, 3), "c": (2, 3)}
    found = recommend_all(rels)
    assert [r.partner for r in found] == ["b", "a", "c", "d"]
    assert found[0].summary.startswith("critical: REI 1.00 (top 33%)")


def test_decide_covers_every_combination() -> None:
    """Every combination of levels has exactly one segment and action among the known ones."""
    for c in ("critical", "moderate", "low", "unknown"):
        for p in ("strong", "watch", "poor", "unknown"):
            for a in ("aligned", "partial", "misaligned", "unknown"):
                segment, action = decide(c, p, a, excellent=True)
                assert segment in ("strategic", "preferred", "transactional", "at risk")
                assert action in ("deepen", "maintain", "redesign", "exit")
                assert (action == "exit") == (c == "low" and p == "poor")
