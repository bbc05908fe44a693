"""Platform assessments in the store (SQLite, and PostgreSQL when configured): versions, the
audit trail, every defect named by its pointer, and the terms change over the stored map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import podium
from podium.core.audit import AuditEntry
from podium.core.auth import Principal, Role
from podium.core.errors import Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import platform
from podium.govern import platform_service as service
from podium.govern.models import PlatformAssessment
from podium.samples import SAMPLES

SPEC = podium.load(SAMPLES["manufacturer"])
ANA = Principal(user_id=7, username="ana", role=Role.ANALYST)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANSWERS = {
    "terms_change": {"score": 3, "note": "90 days' notice"},
    "data_migration": {"score": 4, "note": "no export of MES history"},
    "backup_options": {"score": 2},
    "customer_relationship": {"score": 0},
    "service_levels": {"score": None, "note": "asking legal"},
}


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    return eco_service.import_spec(session=session, spec=SPEC)


def save(session: Session, ecosystem: eco.Ecosystem, **changes: Any) -> service.AssessmentView:
    arguments: dict[str, Any] = {
        "platform": "nimbus", "category": "cloud", "answers": ANSWERS, "now": T0,
    } | changes  # fmt: skip
    return service.save_assessment(
        session=session, ecosystem=ecosystem, principal=ANA, request_id="req-1", **arguments
    )


def test_saving_scores_and_audits(session: Session, ecosystem: eco.Ecosystem) -> None:
    """Weights 1.5, 1.5, 1.5, 1.5 answered (coverage 0.6); 100 * 1.5 * (3+4+2+0) / (4 * 6)."""
    view = save(session, ecosystem)
    assert view.version == 1 and view.current and view.assessed_by == "ana"
    assert view.result.index == pytest.approx(56.25)
    assert view.result.band == "moderate"
    assert view.result.coverage == pytest.approx(0.6)
    assert "service_levels" in view.result.missing
    stored = session.get(PlatformAssessment, view.id)
    assert stored is not None
    assert stored.answers["service_levels"] == {"score": None, "note": "asking legal"}
    assert stored.answers["backup_options"] == {"score": 2, "note": ""}
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.dataset == "govern.platform"
    assert entry.filter["transition"] == "assessed" and entry.filter["platform"] == "nimbus"
    assert entry.filter["version"] == 1 and entry.username == "ana"


def test_a_new_version_leaves_the_older_readable(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    save(session, ecosystem)
    later = save(
        session,
        ecosystem,
        answers={**ANSWERS, "data_migration": {"score": 1, "note": "export tested"}},
        now=T0 + timedelta(days=30),
    )
    assert later.version == 2
    found = service.get_assessment(session=session, ecosystem=ecosystem, platform="nimbus")
    assert found.current is not None and found.current.id == later.id
    assert [(v.version, v.current) for v in found.history] == [(2, True), (1, False)]
    newer, older = (v.result.index for v in found.history)
    assert newer is not None and older is not None and newer < older
    rows = session.scalars(
        select(PlatformAssessment.current).where(PlatformAssessment.platform == "nimbus")
    ).all()
    assert sorted(rows) == [False, True]


def test_listing_shows_every_platform_partner(session: Session, ecosystem: eco.Ecosystem) -> None:
    save(session, ecosystem)
    views = {v.actor: v for v in service.list_assessments(session=session, ecosystem=ecosystem)}
    platform_kinds = {
        a.id
        for a in SPEC.actors
        if a.kind in service.PLATFORM_KINDS and a.ecosystem_role != "orchestrator"
    }
    assert set(views) == platform_kinds
    assert views["nimbus"].current is not None and views["nimbus"].current.result.index
    assert views["meridian"].current is None  # not assessed
    # Any actor may be assessed, and is then listed too.
    save(session, ecosystem, platform="velora", category="procurement_network")
    listed = [v.actor for v in service.list_assessments(session=session, ecosystem=ecosystem)]
    assert "velora" in listed


def test_every_defect_is_named_by_its_pointer(session: Session, ecosystem: eco.Ecosystem) -> None:
    with pytest.raises(Invalid) as caught:
        save(
            session,
            ecosystem,
            platform="nobody",
            category="crypto",
            answers={"data_migration": {"score": 7}, "mood": {"score": 1}},
        )
    pointers = [e["pointer"] for e in caught.value.errors]
    assert pointers == [
        "#/platform",
        "#/category",
        "#/answers/mood",
        "#/answers/data_migration/score",
    ]
    assert caught.value.status == 422 and "nobody" in caught.value.detail
    assert session.scalars(select(PlatformAssessment)).all() == []  # nothing stored


def test_reading_an_unknown_actor_is_not_found(session: Session, ecosystem: eco.Ecosystem) -> None:
    with pytest.raises(NotFound):
        service.get_assessment(session=session, ecosystem=ecosystem, platform="nobody")
    with pytest.raises(NotFound):
        service.terms_change(session=session, ecosystem=ecosystem, platform="nobody", days=3)


def test_terms_change_over_the_stored_map(session: Session, ecosystem: eco.Ecosystem) -> None:
    """The stored ecosystem gives what the spec gives (the map round-trips through the store)."""
    stored = service.terms_change(
        session=session, ecosystem=ecosystem, platform="nimbus", days=14, capacity_share=0.5
    )
    direct = platform.terms_change(SPEC, "nimbus", days=14, capacity_share=0.5)
    assert stored.performance_impact == pytest.approx(direct.performance_impact)
    assert stored.tts_days == pytest.approx(direct.tts_days)
    assert stored.performance_impact > 0
    exposure = service.exposure(session=session, ecosystem=ecosystem, platform="nimbus")
    assert set(exposure.down_with) == {"hartwell-stuttgart", "hartwell-gyor", "hartwell-queretaro"}


@pytest.mark.parametrize(
    ("days", "share", "pointers"),
    [(0, 0.0, ["#/days"]), (4000, 0.0, ["#/days"]), (3, -0.1, ["#/capacity_share"]),
     (-1, 2.0, ["#/days", "#/capacity_share"])],
)  # fmt: skip
def test_bad_scenarios_name_their_field(
    session: Session, ecosystem: eco.Ecosystem, days: float, share: float, pointers: list[str]
) -> None:
    with pytest.raises(Invalid) as caught:
        service.terms_change(
            session=session, ecosystem=ecosystem, platform="nimbus", days=days, capacity_share=share
        )
    assert [e["pointer"] for e in caught.value.errors] == pointers
