"""Certification through the service on SQLite and PostgreSQL: schemes, certify and revoke,
partner visibility, eligibility by region and level, expiry exceptions (idempotent) and the
all-or-nothing import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core.audit import AuditEntry
from podium.core.auth import Principal, Role
from podium.core.errors import Conflict, Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import certification_service as service
from podium.govern.models import Certification
from podium.integrate import exception_service
from tests.factories import small_spec

ANALYST = Principal(user_id=1, username="ana", role=Role.ANALYST)
ON = date(2026, 6, 1)


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    found = eco_service.import_spec(session=session, spec=small_spec())
    service.create_scheme(
        session=session,
        ecosystem=found,
        principal=ANALYST,
        request_id="t",
        key="cast",
        name="Casting quality",
        process="casting",
        levels=["basic", "advanced"],
        validity_days=365,
    )
    return found


def certify(
    session: Session, ecosystem: eco.Ecosystem, actor: str, **changes: object
) -> Certification:
    args: dict[str, object] = {"scheme": "cast", "level": "basic", "issued_on": date(2026, 1, 1)}
    args.update(changes)
    return service.certify(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        actor=actor,
        **args,  # type: ignore[arg-type]
    )


def test_certify_defaults_expiry_to_the_scheme_validity(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    row = certify(session, ecosystem, "castco")
    assert row.expires_on == date(2027, 1, 1)  # 2026-01-01 + 365 days
    audit = session.scalars(
        select(AuditEntry.filter).where(AuditEntry.dataset == "govern.certification")
    ).all()
    assert [a["transition"] for a in audit] == ["certified"]


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"actor": "nobody"}, "/actor"),
        ({"site": "alloy-plant"}, "/site"),
        ({"level": "expert"}, "/level"),
        ({"expires_on": date(2025, 1, 1)}, "/expires_on"),
    ],
)
def test_bad_certifications_are_refused(
    session: Session, ecosystem: eco.Ecosystem, changes: dict[str, object], pointer: str
) -> None:
    changes = dict(changes)  # the parameters are shared by both databases' runs
    actor = str(changes.pop("actor", "castco"))
    with pytest.raises(Invalid) as caught:
        certify(session, ecosystem, actor, **changes)
    assert caught.value.errors[0]["pointer"] == pointer


def test_schemes_refuse_bad_levels_and_deleting_a_used_scheme(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    with pytest.raises(Invalid, match="levels"):
        service.create_scheme(
            session=session,
            ecosystem=ecosystem,
            principal=ANALYST,
            request_id="t",
            key="x",
            name="X",
            process="p",
            levels=["a", "a"],
        )
    with pytest.raises(Conflict):
        service.create_scheme(
            session=session,
            ecosystem=ecosystem,
            principal=ANALYST,
            request_id="t",
            key="cast",
            name="X",
            process="p",
            levels=["a"],
        )
    certify(session, ecosystem, "castco", level="advanced")
    with pytest.raises(Invalid, match="advanced"):
        service.update_scheme(
            session=session,
            ecosystem=ecosystem,
            principal=ANALYST,
            request_id="t",
            key="cast",
            name="C",
            process="casting",
            levels=["basic"],
            validity_days=365,
        )
    with pytest.raises(Conflict):
        service.delete_scheme(
            session=session, ecosystem=ecosystem, principal=ANALYST, request_id="t", key="cast"
        )


def test_partners_list_only_their_own(session: Session, ecosystem: eco.Ecosystem) -> None:
    certify(session, ecosystem, "castco")
    certify(session, ecosystem, "alloy")
    castco = Principal(
        user_id=5,
        username="cc",
        role=Role.PARTNER_USER,
        partner_ecosystem_id=ecosystem.id,
        partner_actor="castco",
    )
    mine = service.list_certifications(
        session=session, ecosystem=ecosystem, principal=castco, on=ON
    )
    assert [(c.row.actor, c.status) for c in mine] == [("castco", "valid")]
    everyone = service.list_certifications(
        session=session, ecosystem=ecosystem, principal=ANALYST, on=ON
    )
    assert sorted(c.row.actor for c in everyone) == ["alloy", "castco"]


def test_eligible_by_region_and_level(session: Session, ecosystem: eco.Ecosystem) -> None:
    certify(session, ecosystem, "castco", level="advanced")
    certify(session, ecosystem, "alloy")
    revoked = certify(session, ecosystem, "oem", level="advanced")
    service.revoke(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        certification_id=revoked.id,
        reason="audit failed",
    )
    found = service.eligible(
        session=session, ecosystem=ecosystem, process="casting", region="EU-East", on=ON
    )
    assert [(e.actor, e.site, e.level) for e in found] == [
        ("alloy", "alloy-plant", "basic"),
        ("castco", "cast-plant", "advanced"),
    ]
    top = service.eligible(
        session=session, ecosystem=ecosystem, process="casting", min_level="advanced", on=ON
    )
    assert [e.actor for e in top] == ["castco"]
    assert (
        service.eligible(
            session=session, ecosystem=ecosystem, process="casting", region="EU-West", on=ON
        )
        == []
    )


def test_expiry_exceptions_are_raised_once_per_certification(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    certify(session, ecosystem, "castco", expires_on=date(2026, 6, 10))
    certify(session, ecosystem, "alloy", expires_on=date(2026, 5, 1))
    certify(session, ecosystem, "oem")
    new = service.raise_expiry_exceptions(
        session=session, ecosystem=ecosystem, on=ON, warning_days=30
    )
    assert new == 2
    assert (
        service.raise_expiry_exceptions(
            session=session, ecosystem=ecosystem, on=ON, warning_days=30
        )
        == 0
    )
    found = exception_service.listing(session=session, ecosystem=ecosystem)
    assert sorted((e.rule, e.owner, e.severity) for e in found) == [
        ("certification_expired", "alloy", "high"),
        ("certification_expiring", "castco", "low"),
    ]


def test_import_is_all_or_nothing_with_row_and_column(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    good = (
        "scheme,actor,site,level,issued_on,expires_on\ncast,castco,cast-plant,basic,2026-01-01,\n"
    )
    bad = good + "cast,alloy,,expert,2026-01-01,\nnone,alloy,,basic,2026-01-01,\n"
    with pytest.raises(Invalid) as caught:
        service.import_certifications(
            session=session,
            ecosystem=ecosystem,
            principal=ANALYST,
            request_id="t",
            filename="c.csv",
            content=bad.encode(),
        )
    assert [(e["row"], e["column"]) for e in caught.value.errors] == [(3, "level"), (4, "scheme")]
    assert session.scalar(select(func.count(Certification.id))) == 0
    stored = service.import_certifications(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        filename="c.csv",
        content=good.encode(),
    )
    assert [(c.actor, c.site, c.expires_on) for c in stored] == [
        ("castco", "cast-plant", date(2027, 1, 1))
    ]


def test_trainings_are_recorded_and_listed(session: Session, ecosystem: eco.Ecosystem) -> None:
    service.record_training(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        actor="castco",
        person="Jan Nowak",
        course="Porosity control",
        completed_on=date(2026, 2, 3),
        scheme="cast",
        hours=8,
    )
    with pytest.raises(Invalid, match="actor"):
        service.record_training(
            session=session,
            ecosystem=ecosystem,
            principal=ANALYST,
            request_id="t",
            actor="nobody",
            person="X",
            course="Y",
            completed_on=ON,
        )
    (row,) = service.list_trainings(session=session, ecosystem=ecosystem, principal=ANALYST)
    assert (row.person, row.hours) == ("Jan Nowak", 8)
