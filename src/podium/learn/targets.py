"""KPI targets and their breaches: set and list targets, check a period against them, raise a
breach as a data exception (rule ``kpi_breach``) for governance to route, and list the breached
KPIs a forum should review.

Thresholds are in the KPI's unit. For a KPI where higher is better a value at or below
``breach`` is a breach and one at or below ``warning`` a warning (so ``breach <= warning <=
target``); where lower is better the other way round (``target <= warning <= breach``). For a KPI
whose best value is zero (forecast bias) ``warning`` and ``breach`` bound the distance from the
target, ``|value - target|`` (``0 <= warning <= breach``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern.cadence import EXCEPTION_SEVERITIES, AgendaCandidate
from podium.govern.models import Forum
from podium.govern.parties import actor_party
from podium.integrate import exception_service
from podium.integrate.exceptions import Finding, Severity
from podium.integrate.models import DataException
from podium.learn import frames, service
from podium.learn.models import KpiTarget
from podium.learn.periods import Period

ECOSYSTEM = "ecosystem"
"""The scope of a target on the whole ecosystem's value (else a partner actor key)."""
RULE = "kpi_breach"
STATUSES = ("ok", "warning", "breach", "no_data")


@dataclass(frozen=True)
class TargetCheck:
    """A target checked against a period's value: ``status`` is ok, warning, breach or
    no_data; ``severity`` is set for a breach (how far past the breach threshold)."""

    target: KpiTarget
    period: str
    value: float | None
    basis: int
    status: str
    severity: Severity | None = None

    @property
    def key(self) -> str:
        """The breach's identity: ``kpi:scope:period``."""
        return f"{self.target.kpi}:{self.target.scope}:{self.period}"


def _invalid(pointer: str, detail: str) -> Invalid:
    return Invalid(detail, [{"pointer": pointer, "detail": detail}])


def _actors(session: Session, ecosystem: eco.Ecosystem) -> dict[str, str]:
    """Actor keys of the ecosystem with their ecosystem role."""
    query = select(eco.Actor.key, eco.Actor.ecosystem_role).where(
        eco.Actor.ecosystem_id == ecosystem.id
    )
    return {key: role for key, role in session.execute(query)}


def check_thresholds(better: str, target: float, warning: float | None, breach: float) -> None:
    """Refuse thresholds that do not lie on the bad side of the target, in order."""
    warn = warning if warning is not None else breach
    if better == "higher" and not breach <= warn <= target:
        raise _invalid("/breach", "where higher is better: breach <= warning <= target")
    if better == "lower" and not target <= warn <= breach:
        raise _invalid("/breach", "where lower is better: target <= warning <= breach")
    if better == "zero" and not 0 <= warn <= breach:
        raise _invalid("/breach", "for a KPI best at zero: 0 <= warning <= breach (distances)")


def set_target(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    kpi: str,
    scope: str,
    target: float,
    breach: float,
    warning: float | None = None,
    note: str | None = None,
    principal: Principal | None = None,
    request_id: str = "cli",
) -> KpiTarget:
    """Create or change the target of ``kpi`` for ``scope`` (``ecosystem`` or a partner actor)."""
    spec = frames.KPIS.get(kpi)
    if spec is None:
        raise _invalid("/kpi", f"no KPI {kpi!r} (known: {', '.join(frames.KPIS)})")
    if scope != ECOSYSTEM and scope not in _actors(session, ecosystem):
        raise _invalid("/scope", f"scope must be 'ecosystem' or an actor key, not {scope!r}")
    check_thresholds(spec.better, target, warning, breach)
    found = session.scalar(
        select(KpiTarget).where(
            KpiTarget.ecosystem_id == ecosystem.id, KpiTarget.kpi == kpi, KpiTarget.scope == scope
        )
    )
    before = _snapshot(found) if found else None
    if found is None:
        found = KpiTarget(ecosystem_id=ecosystem.id, kpi=kpi, scope=scope, better=spec.better)
        session.add(found)
    found.target, found.warning, found.breach, found.note = target, warning, breach, note
    found.updated_by = principal.username if principal else audit.SYSTEM_USERNAME
    session.flush()
    _audit(session, ecosystem, principal, request_id, found, before)
    return found


def _snapshot(found: KpiTarget) -> dict[str, float | str | None]:
    return {"target": found.target, "warning": found.warning, "breach": found.breach}


def _audit(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    found: KpiTarget,
    before: dict[str, float | str | None] | None,
) -> None:
    audit.record(
        session=session, request_id=request_id, principal=principal, action="write",
        ecosystem_id=ecosystem.id, dataset="learn.target", provider=None, agreement=None,
        filter={"id": str(found.id), "kpi": found.kpi, "scope": found.scope,
                "before": before, "after": _snapshot(found)},
        row_count=1,
    )  # fmt: skip


def list_targets(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal | None = None
) -> list[KpiTarget]:
    """The targets, by KPI and scope; a partner sees the ecosystem's and its own."""
    query = select(KpiTarget).where(KpiTarget.ecosystem_id == ecosystem.id)
    actor = service.actor_of(principal)
    if actor is not None:
        query = query.where(KpiTarget.scope.in_((ECOSYSTEM, actor)))
    return list(session.scalars(query.order_by(KpiTarget.kpi, KpiTarget.scope)))


def delete_target(
    *, session: Session, ecosystem: eco.Ecosystem, kpi: str, scope: str,
    principal: Principal | None = None, request_id: str = "cli",
) -> None:  # fmt: skip
    """Remove the target of ``kpi`` for ``scope``."""
    found = session.scalar(
        select(KpiTarget).where(
            KpiTarget.ecosystem_id == ecosystem.id, KpiTarget.kpi == kpi, KpiTarget.scope == scope
        )
    )
    if found is None:
        raise NotFound(f"no target of {kpi} for {scope}")
    audit.record(
        session=session, request_id=request_id, principal=principal, action="delete",
        ecosystem_id=ecosystem.id, dataset="learn.target", provider=None, agreement=None,
        filter={"id": str(found.id), "kpi": kpi, "scope": scope, "before": _snapshot(found)},
        row_count=1,
    )  # fmt: skip
    session.delete(found)
    session.flush()


def judge(target: KpiTarget, value: float | None) -> tuple[str, Severity | None]:
    """Status of ``value`` against ``target`` and, for a breach, its severity: medium just past
    the breach threshold, high from a quarter of the target-to-breach gap beyond it, critical
    from a whole gap beyond it."""
    if value is None:
        return "no_data", None
    if target.better == "zero":
        bad, warn, breach = abs(value - target.target), target.warning, target.breach
        gap = breach
    else:
        sign = 1.0 if target.better == "lower" else -1.0
        bad, breach = sign * value, sign * target.breach
        warn = None if target.warning is None else sign * target.warning
        gap = abs(target.breach - target.target)
    if bad >= breach:
        over = (bad - breach) / (gap or abs(target.breach) or 1.0)
        return "breach", "critical" if over >= 1 else "high" if over >= 0.25 else "medium"
    if warn is not None and bad >= warn:
        return "warning", None
    return "ok", None


def evaluate(
    *, session: Session, ecosystem: eco.Ecosystem, period: Period,
    principal: Principal | None = None,
) -> list[TargetCheck]:  # fmt: skip
    """Check every target against ``period``'s KPIs (a partner: only the targets of its own
    numbers, not the ecosystem's, whose value it may not see)."""
    targets = list_targets(session=session, ecosystem=ecosystem, principal=principal)
    staff = service.actor_of(principal) is None
    whole = [t for t in targets if t.scope == ECOSYSTEM and staff]
    partners = [t for t in targets if t.scope != ECOSYSTEM]
    found: list[TargetCheck] = []
    for chosen, by in ((whole, ()), (partners, ("provider",))):
        keys = sorted({t.kpi for t in chosen})
        if not keys:
            continue
        results = service.compute(
            session=session, ecosystem=ecosystem, period=period, keys=keys, by=by
        )
        for target in chosen:
            frame = results[target.kpi]
            if by:
                frame = frame.filter(frame["provider"] == target.scope)
            value = frame["value"][0] if frame.height else None
            basis = int(frame["basis"][0]) if frame.height else 0
            status, severity = judge(target, value)
            found.append(TargetCheck(target, period.label, value, basis, status, severity))
    return found


def orchestrator(session: Session, ecosystem: eco.Ecosystem) -> str:
    """The orchestrator's actor key (the ecosystem's name when it has none)."""
    roles = _actors(session, ecosystem)
    return next((key for key, role in roles.items() if role == "orchestrator"), ecosystem.name)


def check_targets(
    *, session: Session, ecosystem: eco.Ecosystem, period: Period, now: datetime | None = None
) -> list[TargetCheck]:
    """Check the targets against ``period`` and store each breach once as a data exception
    (rule ``kpi_breach``, key ``kpi:scope:period``) owned by the partner or the orchestrator.

    Only a period that has ended by ``now`` is checked: a part of a period is no verdict.
    """
    today = (now or utcnow()).date()
    if period.end > today:
        detail = f"{period.label} is not over until {period.end}; check a complete period"
        raise _invalid("/period", detail)
    checks = evaluate(session=session, ecosystem=ecosystem, period=period)
    owner = orchestrator(session, ecosystem)
    findings = [_finding(c, owner) for c in checks if c.status == "breach"]
    exception_service.store(session=session, ecosystem=ecosystem, findings=findings)
    return checks


def _describe(check: TargetCheck) -> str:
    t, spec = check.target, frames.KPIS[check.target.kpi]
    who = "the ecosystem" if t.scope == ECOSYSTEM else t.scope
    return (
        f"{spec.title} of {who} in {check.period} was {check.value:.4g} {spec.unit} "
        f"(target {t.target:g}, breach threshold {t.breach:g}; {check.basis} unit(s) of basis)."
    )


def _finding(check: TargetCheck, orchestrator_key: str) -> Finding:
    t = check.target
    return Finding(
        rule=RULE,
        severity=check.severity or "medium",
        owner=orchestrator_key if t.scope == ECOSYSTEM else t.scope,
        subject=f"{frames.KPIS[t.kpi].title} ({t.scope}, {check.period})",
        detail=_describe(check),
        key=check.key,
    )


def kpis_due(
    *, session: Session, ecosystem: eco.Ecosystem, forum: Forum, occurrence: datetime | None
) -> list[AgendaCandidate]:
    """Breached KPIs of the latest complete period (a quarter for strategic forums, else a
    month), as agenda candidates (kind ``kpi``). Complete means ended by today, even for a
    meeting further ahead: a period still running is no verdict. A breach already stored as an
    open high or critical exception comes to operational and tactical forums as that exception,
    so it is not repeated."""
    today = utcnow().date()
    day = min((occurrence or utcnow()).date(), today)
    period = service.latest_complete("quarter" if forum.level == "strategic" else "month", day)
    checks = [
        c for c in evaluate(session=session, ecosystem=ecosystem, period=period)
        if c.status == "breach"
    ]  # fmt: skip
    shown = _shown_as_exceptions(session, ecosystem) if forum.level != "strategic" else set()
    return [_candidate(c, period.end) for c in checks if c.key not in shown]


def _shown_as_exceptions(session: Session, ecosystem: eco.Ecosystem) -> set[str]:
    query = select(DataException.key).where(
        DataException.ecosystem_id == ecosystem.id,
        DataException.rule == RULE,
        DataException.status == "open",
        DataException.severity.in_(EXCEPTION_SEVERITIES),
    )
    return set(session.scalars(query))


def _candidate(check: TargetCheck, end: date) -> AgendaCandidate:
    t = check.target
    return AgendaCandidate(
        kind="kpi",
        ref=check.key,
        title=f"{frames.KPIS[t.kpi].title} breached ({t.scope}, {check.period})",
        severity=check.severity or "medium",
        opened_at=datetime.combine(end, time(), tzinfo=UTC),
        parties=() if t.scope == ECOSYSTEM else (actor_party(t.scope),),
    )


def breaches(checks: Sequence[TargetCheck]) -> list[TargetCheck]:
    """The breached ones of ``checks``."""
    return [c for c in checks if c.status == "breach"]
