"""Console pages of Learn: the dashboard of a period and a partner's scorecard.

The dashboard (``/ecosystems/{name}/learn``) shows what the executive review shows
(:func:`podium.learn.report_service.gather`) with interactive ECharts: headline KPIs with their
target status, KPI trends, partner scorecards, segments with recommendations, the exposure, the
initiatives and the learning log, a form to add a review (``learn:write``) and the report's
download links. A partner sees its own KPIs and scorecard, no segments and no exposure. The
drill-down page of a partner (``/ecosystems/{name}/learn/partners/{actor}``) shows its criteria,
scores, trend and the evidence behind each number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, get_request_id, require
from podium.core.errors import PodiumError
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.learn import log_service, scorecard_service
from podium.learn.dashboard import chart_data, evidence_links, kpi_cards, period_choices
from podium.learn.frames import KPIS
from podium.learn.periods import Period
from podium.learn.report_data import format_value
from podium.learn.report_service import default_period, gather, report_period
from podium.learn.schemas import ENTRY_KINDS, LINK_KINDS, ReviewIn
from podium.web import render
from podium.web.forms import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
REVIEWS_SHOWN = 30


@dataclass(frozen=True)
class LearnPage:
    """One request to a Learn page: the caller and the ecosystem it may see."""

    request: Request
    session: Session
    principal: Principal
    ecosystem: eco.Ecosystem

    @property
    def base(self) -> str:
        """The dashboard's path, e.g. ``/ecosystems/manufacturer/learn``."""
        return f"/ecosystems/{quote(self.ecosystem.name, safe='')}/learn"

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> Response:
        """Render ``learn/<template>`` with the ecosystem, what the caller may do and the token."""
        common: dict[str, Any] = {
            "nav": "learn",
            "ecosystem": self.ecosystem,
            "ecosystems": eco_service.list_ecosystems(
                session=self.session, principal=self.principal
            ),
            "base": self.base,
            "api": f"/api/v1/ecosystems/{quote(self.ecosystem.name, safe='')}",
            "can_write": self.principal.can(Permission.LEARN_WRITE),
            "csrf_token": csrf_token(self.request),
        }
        return render(
            self.request, f"learn/{template}", self.principal, status_code=status_code,
            **{**common, **context},
        )  # fmt: skip


def _page_for(permission: Permission) -> Any:
    def load(
        request: Request,
        name: str,
        session: SessionDep,
        principal: Principal = Depends(require(permission)),
    ) -> LearnPage:
        found = eco_service.get_ecosystem(session=session, name=name, principal=principal)
        return LearnPage(request, session, principal, found)

    return load


ReadPage = Annotated[LearnPage, Depends(_page_for(Permission.LEARN_READ))]
WritePage = Annotated[LearnPage, Depends(_page_for(Permission.LEARN_WRITE))]


def _chosen(text: str | None) -> tuple[Period, str | None]:
    """The period asked for, or the default with the reason the text was refused."""
    try:
        return report_period(text), None
    except PodiumError as error:
        return report_period(None), error.detail


def _dashboard(
    page: LearnPage, period: str | None, *, status_code: int = 200, **context: Any
) -> Response:
    chosen, problem = _chosen(period)
    data = gather(session=page.session, ecosystem=page.ecosystem, period=chosen,
                  principal=page.principal)  # fmt: skip
    reviews = log_service.list_reviews(
        session=page.session, ecosystem=page.ecosystem, principal=page.principal
    )[:REVIEWS_SHOWN]
    log = [(r, log_service.visible_entries(r, page.principal)) for r in reviews]
    initiatives = log_service.list_initiatives(
        session=page.session, ecosystem=page.ecosystem, principal=page.principal
    )
    context.setdefault("form", {"kind": "period", "period": chosen.label})
    return page.render(
        "dashboard.html",
        status_code=status_code,
        report=data,
        period=chosen,
        period_problem=problem,
        choices=period_choices(chosen, default_period()),
        cards=kpi_cards(data),
        rows=kpi_cards(data, [line.key for line in data.kpis]),
        charts=chart_data(data),
        reviews=log,
        initiatives=initiatives,
        entry_kinds=ENTRY_KINDS,
        link_kinds=LINK_KINDS,
        **context,
    )


@router.get("/ecosystems/{name}/learn")
def dashboard(page: ReadPage, period: str | None = None) -> Response:
    """The Learn dashboard of a period: KPIs, scorecards, segments, initiatives, reviews."""
    return _dashboard(page, period)


def _review(form: dict[str, str]) -> ReviewIn:
    """The review the form describes (one entry; partners and links comma-separated)."""
    partners = [p.strip() for p in form["partners"].split(",") if p.strip()]
    links = []
    for text in (t.strip() for t in form["links"].split(",") if t.strip()):
        kind, _, ident = text.partition(":")
        links.append({"kind": kind.strip(), "id": ident.strip()})
    incident = form["kind"] == "incident"
    return ReviewIn.model_validate(
        {
            "kind": form["kind"],
            "period": None if incident else form["period"] or None,
            "incident": form["incident"] or None if incident else None,
            "title": form["title"],
            "entries": [{"kind": form["entry_kind"], "text": form["text"],
                         "partners": partners, "links": links}],
        }
    )  # fmt: skip


@router.post("/ecosystems/{name}/learn/reviews")
def add_review(
    page: WritePage,
    csrf: Annotated[str, Form(alias="csrf_token")] = "",
    title: Field = "",
    text: Field = "",
    kind: Field = "period",
    period: Field = "",
    incident: Field = "",
    entry_kind: Field = "value_created",
    partners: Field = "",
    links: Field = "",
) -> Response:
    """Record a review (one lesson) from the dashboard's form, then show the learning log."""
    check_csrf(page.request, csrf)
    form = {"kind": kind, "period": period.strip(), "incident": incident.strip(),
            "title": title.strip(), "entry_kind": entry_kind, "text": text.strip(),
            "partners": partners, "links": links}  # fmt: skip
    shown = period.strip() if kind == "period" else None
    try:
        stored = log_service.create_review(
            session=page.session, ecosystem=page.ecosystem, data=_review(form),
            principal=page.principal, request_id=get_request_id(page.request),
        )  # fmt: skip
    except ValidationError as error:
        problems = [f"{'/'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}"
                    for e in error.errors(include_url=False)]  # fmt: skip
        return _dashboard(page, shown, status_code=422, form=form,
                          refused="The review is not valid.", problems=problems)  # fmt: skip
    except PodiumError as error:
        problems = [str(e.get("detail", "")) for e in error.errors]
        return _dashboard(page, shown, status_code=error.status, form=form,
                          refused=error.detail, problems=problems)  # fmt: skip
    query = f"?period={quote(stored.period)}" if stored.period else ""
    return RedirectResponse(f"{page.base}{query}#learning-log", status_code=303)


@router.get("/ecosystems/{name}/learn/partners/{actor}")
def partner_page(page: ReadPage, actor: str, period: str | None = None) -> Response:
    """A partner's scorecard: criteria, values and scores, trend, and the evidence behind."""
    chosen, problem = _chosen(period)
    (card,) = scorecard_service.scorecards(
        session=page.session, ecosystem=page.ecosystem, period=chosen,
        principal=page.principal, partner=actor,
    )  # fmt: skip
    history = {
        "periods": [h["period"] for h in card.history],
        "totals": [None if h["total"] is None else round(h["total"], 2) for h in card.history],
    }
    values = {
        key: format_value(value, KPIS[key].unit, KPIS[key].better, page.ecosystem.currency or "")
        for key, value in card.values.items()
    }
    return page.render(
        "partner.html",
        card=card,
        values=values,
        period=chosen,
        period_problem=problem,
        choices=period_choices(chosen, default_period()),
        evidence=evidence_links(card.evidence, page.ecosystem.name),
        history=history,
    )
