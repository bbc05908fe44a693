"""Learn service: the KPI engine's frames from the database, the KPIs of a period and their
trend. Targets and breaches are in :mod:`podium.learn.targets`; initiatives and reviews in
:mod:`podium.learn.log_service`.

A partner caller sees only its own actor's rows, so its KPIs are its own numbers. What each
frame holds is documented in :mod:`podium.learn.loading`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.integrate import models as im
from podium.learn import frames as contract
from podium.learn import loading
from podium.learn.models import FinanceInput
from podium.learn.periods import Period, period_of

STRUCTURE_LIMIT = 20_000
"""Largest number of links for which risk visibility is computed on the fly (no stored run)."""


def actor_of(principal: Principal | None) -> str | None:
    """The actor whose rows a caller may see: its own for a partner, None (all) for staff."""
    if principal is not None and principal.is_partner:
        return principal.partner_actor or ""
    return None


def frames(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    principal: Principal | None = None,
) -> dict[str, pl.DataFrame]:
    """Load the input frames of ``period`` (see :mod:`podium.learn.loading`)."""
    actor = actor_of(principal)
    forecasts = loading.forecasts(session, ecosystem, period, actor)
    return {
        "deliveries": loading.deliveries(session, ecosystem, period.start, period.end, actor),
        "forecasts": forecasts,
        "actuals": loading.actuals(session, ecosystem, period, forecasts),
        "disruptions": loading.disruptions(session, ecosystem, period, actor),
        "responses": loading.responses(session, ecosystem, period, actor),
        "initiatives": loading.initiatives(session, ecosystem, period, actor),
        "submissions": loading.submissions(session, ecosystem, period, actor),
        "inventory": loading.inventory(session, ecosystem, period, actor),
    }


def check_keys(keys: Sequence[str] | None, pointer: str = "/keys") -> list[str]:
    """Return the KPI keys asked for (all of the catalogue for None); refuse unknown ones."""
    if keys is None:
        return list(contract.KPIS)
    unknown = [key for key in keys if key not in contract.KPIS]
    if unknown:
        detail = f"unknown KPI(s) {', '.join(unknown)} (known: {', '.join(contract.KPIS)})"
        raise Invalid(detail, [{"pointer": pointer, "detail": detail}])
    return list(dict.fromkeys(keys))


def compute(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    keys: Sequence[str] | None = None,
    by: Sequence[str] = ("provider",),
    principal: Principal | None = None,
) -> dict[str, pl.DataFrame]:
    """Compute the KPIs ``keys`` (all by default) of ``period``, grouped by ``by``.

    Each frame has the columns ``[*by, "value", "basis"]`` (see :mod:`podium.learn.kpis`). Lines
    are judged as of today: in a period still running, those promised later are not due yet.
    A grouping a named KPI does not support is refused at ``/by``; with no ``keys``, the KPIs
    that do not support it are left out. The delivery and forecast KPIs are computed together,
    in one pass over their frames.
    """
    from podium.learn import kpis

    wanted = check_keys(keys)
    inputs = frames(session=session, ecosystem=ecosystem, period=period, principal=principal)
    extras = Extras(session, ecosystem, period, principal, inputs)
    together = _together(kpis, inputs, wanted, period, tuple(by), keys is None)
    found = {}
    for key in wanted:
        if key in together:
            found[key] = together[key]
            continue
        options = {name: extras.get(name) for name in kpis.OPTIONS.get(key, ())}
        try:
            found[key] = kpis.compute(key, inputs, period=period, by=tuple(by), **options)
        except ValueError as error:
            if keys is None:
                continue
            raise Invalid(str(error), [{"pointer": "/by", "detail": str(error)}]) from error
    return found


def _together(
    kpis: Any,
    inputs: dict[str, pl.DataFrame],
    wanted: Sequence[str],
    period: Period,
    by: tuple[str, ...],
    lenient: bool,
) -> dict[str, pl.DataFrame]:
    """The wanted delivery and forecast KPIs, each group in one pass (``lenient``: a grouping
    they do not support leaves them out instead of refusing)."""
    delivery = [k for k in wanted if k in kpis.DELIVERY_KPIS]
    forecast = [k for k in wanted if k in kpis.FORECAST_KPIS]
    passes = [
        lambda: (
            kpis.delivery_kpis(
                inputs["deliveries"], period=period, by=by, as_of=utcnow().date(), kpis=delivery
            )
            if delivery
            else {}
        ),
        lambda: (
            kpis.forecast_kpis(
                inputs["forecasts"], inputs["actuals"], period=period, by=by, kpis=forecast
            )
            if forecast
            else {}
        ),
    ]
    found: dict[str, pl.DataFrame] = {}
    for one_pass in passes:
        try:
            found |= one_pass()
        except ValueError as error:
            if not lenient:
                raise Invalid(str(error), [{"pointer": "/by", "detail": str(error)}]) from error
    return found


class Extras:
    """The inputs of KPIs beyond the frames (:data:`podium.learn.kpis.OPTIONS`), loaded when a
    KPI asks for them by name."""

    def __init__(
        self,
        session: Session,
        ecosystem: eco.Ecosystem,
        period: Period,
        principal: Principal | None,
        inputs: dict[str, pl.DataFrame],
    ) -> None:
        self.session, self.ecosystem, self.period = session, ecosystem, period
        self.actor = actor_of(principal)
        self.inputs = inputs
        self.cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        """Return the extra input ``name``; an unknown name is a programming error."""
        if name not in self.cache:
            loader = getattr(self, f"_{name}", None)
            if loader is None:
                raise TypeError(f"no extra KPI input {name!r}")
            self.cache[name] = loader()
        return self.cache[name]

    def _expected(self) -> pl.DataFrame:
        found = expected_submitters(
            session=self.session, ecosystem=self.ecosystem, actor=self.actor
        )
        rows = [(p, dataset) for dataset, providers in found.items() for p in providers]
        return pl.DataFrame(rows, schema={"provider": pl.Utf8, "dataset": pl.Utf8}, orient="row")

    def _daily_demand(self) -> pl.DataFrame:
        return daily_demand(session=self.session, ecosystem=self.ecosystem, period=self.period)

    def _finance(self) -> FinanceInput | None:
        return self.session.scalar(
            select(FinanceInput).where(
                FinanceInput.ecosystem_id == self.ecosystem.id,
                FinanceInput.period == self.period.label,
            )
        )

    def _dso_days(self) -> float | None:
        found = self.get("finance")
        return found.dso_days if found else None

    def _dpo_days(self) -> float | None:
        found = self.get("finance")
        return found.dpo_days if found else None

    def _share(self) -> float | None:
        return None if self.actor is not None else risk_visibility(self.session, self.ecosystem)

    def _avoided(self) -> float | None:
        return None  # no stored analysis gives the value of mitigations yet


def daily_demand(*, session: Session, ecosystem: eco.Ecosystem, period: Period) -> pl.DataFrame:
    """Mean daily demand per item (units/day): the promised quantity of every provider's order
    lines due in the period over its days; an item without lines takes the ecosystem's
    ``demand_per_day``. Columns ``item``, ``quantity``."""
    lines = loading.deliveries(session, ecosystem, period.start, period.end, None)
    ordered = lines.group_by("item").agg(pl.col("promised_quantity").sum() / period.days)
    stated = session.execute(
        select(eco.Item.key, eco.Item.demand_per_day).where(
            eco.Item.ecosystem_id == ecosystem.id, eco.Item.demand_per_day.is_not(None)
        )
    ).all()
    schema = {"item": pl.Utf8, "quantity": pl.Float64}
    known = pl.DataFrame([tuple(row) for row in stated], schema=schema, orient="row")
    ordered = ordered.rename({"promised_quantity": "quantity"}).cast(schema)  # type: ignore[arg-type]
    return pl.concat([ordered, known.join(ordered, on="item", how="anti")]).sort("item")


def expected_submitters(
    *, session: Session, ecosystem: eco.Ecosystem, actor: str | None = None
) -> dict[str, list[str]]:
    """Per dataset, the partners expected to submit it: those with a data-sharing agreement for
    it (not revoked) or any submission of it (the orchestrator's own actors left out)."""
    a, s = im.SharingAgreementRow, im.Submission
    agreed = select(a.provider, a.dataset).where(
        a.ecosystem_id == ecosystem.id, a.revoked_at.is_(None)
    )
    sent = select(s.provider, s.dataset).where(s.ecosystem_id == ecosystem.id).distinct()
    orchestrators = set(
        session.scalars(
            select(eco.Actor.key).where(
                eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.ecosystem_role == "orchestrator"
            )
        )
    )
    found: dict[str, set[str]] = {}
    for provider, dataset in [*session.execute(agreed), *session.execute(sent)]:
        if provider not in orchestrators and (actor is None or provider == actor):
            found.setdefault(dataset, set()).add(provider)
    return {dataset: sorted(found[dataset]) for dataset in sorted(found)}


def risk_visibility(session: Session, ecosystem: eco.Ecosystem) -> float | None:
    """The share (0..1) of tier-1 spend visible to tier 2: from the newest finished structure
    run, else computed on the stored ecosystem when it is small (None otherwise)."""
    from podium.mapping import service as mapping

    run = mapping.latest_run(session=session, ecosystem=ecosystem, kind="structure")
    if run is not None and run.results is not None:
        value = run.results.get("visibility", {}).get("spend_share_tier_2")
        return None if value is None else float(value)
    links = session.scalar(
        select(func.count()).select_from(eco.Link).where(eco.Link.ecosystem_id == ecosystem.id)
    )
    if not links or links > STRUCTURE_LIMIT:
        return None
    from podium.ecosystem.service import export_spec
    from podium.mapping.structure import analyze_structure

    found = analyze_structure(export_spec(session=session, ecosystem=ecosystem))
    value = found.visibility.get("spend_share_tier_2")
    return None if value is None else float(value)


def latest_complete(kind: str, today: date) -> Period:
    """The last period of ``kind`` that ended on or before ``today``."""
    return period_of(period_of(today, kind).start - timedelta(days=1), kind)


def kpi_series(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    key: str,
    periods: Sequence[Period],
    by: Sequence[str] = (),
    principal: Principal | None = None,
) -> pl.DataFrame:
    """The KPI ``key`` over ``periods`` (oldest first): columns ``period``, ``*by``, ``value``,
    ``basis``; a period without data has a null value."""
    (key,) = check_keys([key], "/key")
    parts = []
    for period in periods:
        found = compute(
            session=session, ecosystem=ecosystem, period=period, keys=[key], by=by,
            principal=principal,
        )[key]  # fmt: skip
        parts.append(found.select(pl.lit(period.label).alias("period"), pl.all()))
    if not parts:
        return pl.DataFrame(schema={"period": pl.Utf8, "value": pl.Float64, "basis": pl.Int64})
    return pl.concat(parts, how="diagonal_relaxed")


def table_rows(results: dict[str, pl.DataFrame], by: Sequence[str]) -> list[dict[str, Any]]:
    """The KPI results as one row per KPI and group: ``kpi``, ``title``, ``unit``, ``*by``,
    ``value``, ``basis`` (the layout of the API, CSV and XLSX tables)."""
    rows: list[dict[str, Any]] = []
    for key, frame in results.items():
        spec = contract.KPIS[key]
        for row in frame.iter_rows(named=True):
            groups = {name: row.get(name) for name in by}
            rows.append(
                {"kpi": key, "title": spec.title, "unit": spec.unit, **groups,
                 "value": row["value"], "basis": row["basis"]}
            )  # fmt: skip
    return rows


def set_finance(
    *, session: Session, ecosystem: eco.Ecosystem, period: Period, dso_days: float, dpo_days: float
) -> FinanceInput:
    """Record a period's days sales outstanding and days payables outstanding (days, >= 0)."""
    for name, value in (("dso_days", dso_days), ("dpo_days", dpo_days)):
        if not 0 <= value <= 3650:
            detail = "days between 0 and 3650"
            raise Invalid(f"{name}: {detail}", [{"pointer": f"/{name}", "detail": detail}])
    found = session.scalar(
        select(FinanceInput).where(
            FinanceInput.ecosystem_id == ecosystem.id, FinanceInput.period == period.label
        )
    )
    if found is None:
        found = FinanceInput(ecosystem_id=ecosystem.id, period=period.label)
        session.add(found)
    found.dso_days, found.dpo_days = dso_days, dpo_days
    session.flush()
    return found
