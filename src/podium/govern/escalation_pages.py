"""Console pages of governance: escalations.

The list (filtered by level, status and overdue) with the form to raise one, and the page of one
escalation with its history and the forms its caller may use (acknowledge, respond, escalate,
resolve, reopen). Partners see only the escalations that involve their actor. Thin over
:mod:`podium.govern.escalation_service`; forms post with the session cookie and its CSRF token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from podium.core.auth import Permission
from podium.core.db import utcnow
from podium.core.deps import RequestId, require, require_any
from podium.core.errors import PodiumError
from podium.ecosystem import models as eco
from podium.govern import escalation, trail
from podium.govern import escalation_service as service
from podium.govern.console import GovernPage, page_for
from podium.govern.escalation_store import steps_of
from podium.govern.models import Escalation
from podium.web import DASH
from podium.web.forms import check_csrf

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str | None, Form(alias="csrf_token")]
Field = Annotated[str, Form()]
ACTION_FIELDS = {
    "acknowledge": "note",
    "respond": "text",
    "escalate": "reason",
    "resolve": "resolution",
    "reopen": "reason",
}


ViewPage = Annotated[
    GovernPage,
    Depends(
        page_for(require_any(Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART), "escalations")
    ),
]
TakePartPage = Annotated[
    GovernPage, Depends(page_for(require(Permission.GOVERN_TAKE_PART), "escalations"))
]


def _row(item: Escalation, now: datetime) -> dict[str, Any]:
    """What the list shows of an escalation: the item, its clock as text, its flags."""
    overdue = escalation.is_overdue(item.status, item.due_at, now)
    risky = escalation.at_risk(level_started_at=item.level_started_at, due_at=item.due_at, now=now)
    if escalation.is_breached(item.status, item.due_at):
        clock = "breached at the top of its path"
    elif item.due_at is None or item.status not in escalation.ACTIVE:
        clock = DASH
    else:
        clock = f"due {escalation.stamp(item.due_at)}"
    return {"item": item, "clock": clock, "overdue": overdue, "at_risk": risky}


def _list_page(page: GovernPage, *, status_code: int = 200, **context: Any) -> Response:
    query = page.request.query_params
    status = query.get("status") if query.get("status") in escalation.STATUSES else None
    level = query.get("level") if query.get("level") in escalation.LEVELS else None
    overdue = query.get("overdue") == "1"
    now = utcnow()
    found = service.list_escalations(
        **page.who, status=status, level=level, overdue_only=overdue, now=now
    )
    actors = page.session.scalars(
        select(eco.Actor.key)
        .where(eco.Actor.ecosystem_id == page.ecosystem.id)
        .order_by(eco.Actor.key)
    )
    return page.render(
        "escalations.html",
        status_code=status_code,
        rows=[_row(item, now) for item in found],
        filters={"status": status, "level": level, "overdue": overdue},
        statuses=escalation.STATUSES,
        levels=escalation.LEVELS,
        severities=escalation.SEVERITIES,
        categories=service.routed_categories(session=page.session, ecosystem_id=page.ecosystem.id),
        actors=list(actors),
        form=context.pop("form", {}),
        **context,
    )


@router.get("/ecosystems/{name}/escalations")
def escalations_page(page: ViewPage) -> Response:
    """List the escalations the caller may see, with filters and the form to raise one."""
    return _list_page(page)


@router.post("/ecosystems/{name}/escalations")
def raise_escalation(
    page: TakePartPage,
    request_id: RequestId,
    title: Field = "",
    detail: Field = "",
    category: Field = "",
    severity: Field = "medium",
    customer_impact: Field = "",
    parties: Field = "",
    csrf: Csrf = None,
) -> Response:
    """Raise an escalation from the form; say what is wrong, or show the new escalation."""
    check_csrf(page.request, csrf)
    form = {
        "title": title,
        "detail": detail,
        "category": category,
        "severity": severity,
        "customer_impact": bool(customer_impact),
        "parties": parties,
    }
    named = [p.strip() for p in parties.replace("\n", ",").split(",") if p.strip()]
    try:
        item = service.raise_escalation(
            **page.who,
            request_id=request_id,
            title=title,
            detail=detail,
            category=category,
            severity=severity,
            customer_impact=bool(customer_impact),
            parties=[p if ":" in p else f"actor:{p}" for p in named],
            source="partner" if page.principal.is_partner else "person",
        )
    except PodiumError as error:
        problems = [e["detail"] for e in error.errors] or [error.detail]
        return _list_page(page, status_code=error.status, form=form, refused=problems)
    return RedirectResponse(f"{page.base}/{item.id}", status_code=303)


def _detail_page(
    page: GovernPage, item: Escalation, *, status_code: int = 200, **context: Any
) -> Response:
    me = trail.party_of(page.principal)
    writer = page.principal.can(Permission.GOVERN_WRITE)
    taker = page.principal.can(Permission.GOVERN_TAKE_PART)
    top = _at_top(page, item)
    actions = [
        action
        for action in escalation.ACTIONS
        if taker
        and escalation.may(action, writer=writer, caller=me, owner=item.owner, involved=True)
        and _allowed(item, action, at_top=top)
    ]
    history = service.events(session=page.session, item=item)
    return page.render(
        "escalation.html",
        status_code=status_code,
        row=_row(item, utcnow()),
        item=item,
        events=history,
        actions=actions,
        fields=ACTION_FIELDS,
        **context,
    )


def _allowed(item: Escalation, action: str, *, at_top: bool) -> bool:
    try:
        escalation.next_status(item.status, action, at_top=at_top)
    except escalation.TransitionError:
        return False
    return True


def _at_top(page: GovernPage, item: Escalation) -> bool:
    """Whether the escalation is at the top of its path (then it cannot be escalated)."""
    try:
        steps = steps_of(session=page.session, item=item)
    except PodiumError:  # its decision right is gone: let the action say so
        return False
    return item.level_index + 1 >= len(steps)


@router.get("/ecosystems/{name}/escalations/{escalation_id}")
def escalation_page(page: ViewPage, escalation_id: int) -> Response:
    """Show one escalation: where it stands, its history and the forms the caller may use."""
    item = service.get(**page.who, escalation_id=escalation_id)
    return _detail_page(page, item)


@router.post("/ecosystems/{name}/escalations/{escalation_id}/{action}")
def act(
    page: TakePartPage,
    request_id: RequestId,
    escalation_id: int,
    action: str,
    text: Field = "",
    csrf: Csrf = None,
) -> Response:
    """Take an action on an escalation from its page; say why it was refused, if it was."""
    check_csrf(page.request, csrf)
    item = service.get(**page.who, escalation_id=escalation_id)
    if action not in ACTION_FIELDS:
        return _detail_page(page, item, status_code=404, refused=[f"no action {action!r}"])
    handler = getattr(service, action)
    try:
        handler(
            **page.who,
            request_id=request_id,
            escalation_id=escalation_id,
            **{ACTION_FIELDS[action]: text},
        )
    except PodiumError as error:
        problems = [e["detail"] for e in error.errors] or [error.detail]
        return _detail_page(page, item, status_code=error.status, refused=problems)
    return RedirectResponse(f"{page.base}/{item.id}", status_code=303)
