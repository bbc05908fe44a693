"""Console pages of governance: disputes (the list, one dispute's timeline, its forms).

Thin over :mod:`podium.govern.dispute_service`, like the API routes: the same permissions, and a
partner sees and answers only disputes that involve it. Forms post back and redirect; a refusal
shows on the page with what was wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path
from starlette.responses import Response

from podium.core.auth import Permission
from podium.core.db import utcnow
from podium.core.deps import require, require_any
from podium.core.errors import PodiumError
from podium.govern import dispute_service as service
from podium.govern import disputes
from podium.govern.console import GovernPage, page_for
from podium.web.forms import check_csrf

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
DisputeId = Annotated[int, Path(ge=1, le=2**31 - 1)]


ReadPage = Annotated[
    GovernPage, Depends(page_for(require_any(Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART)))
]
PartyPage = Annotated[GovernPage, Depends(page_for(require(Permission.GOVERN_TAKE_PART)))]
WritePage = Annotated[GovernPage, Depends(page_for(require(Permission.GOVERN_WRITE)))]


def refusal(error: PodiumError) -> dict[str, Any]:
    """What a page shows for a refused form: the message and each problem."""
    problems = [str(e.get("detail", "")) for e in error.errors]
    return {"refused": error.detail, "problems": problems}


def _disputes_page(page: GovernPage, *, status_code: int = 200, **context: Any) -> Response:
    now = utcnow()
    rows = [
        {
            "d": d,
            "step": d.mechanism[d.step_index]["step"],
            "due": service.utc(d.due_at),
            "overdue": disputes.is_overdue(d.status, service.utc(d.due_at), now),
        }
        for d in service.list_disputes(**page.who)
    ]
    can_open = page.principal.can(Permission.GOVERN_TAKE_PART)
    party = service.acting_party(**page.who) if can_open else None
    return page.render(
        "disputes.html",
        status_code=status_code,
        rows=rows,
        can_open=can_open,
        party=party,
        subjects=disputes.SUBJECTS,
        **context,
    )


@router.get("/ecosystems/{name}/disputes")
def disputes_page(page: ReadPage) -> Response:
    """List the disputes the caller may see, and (for parties) open one."""
    return _disputes_page(page)


@router.post("/ecosystems/{name}/disputes")
def open_dispute(
    page: PartyPage,
    csrf: Annotated[str, Form(alias="csrf_token")],
    title: Field,
    subject: Field,
    parties: Field,
    subject_ref: Annotated[str, Form()] = "",
) -> Response:
    """Open a dispute with the parties named (actor keys, comma-separated)."""
    check_csrf(page.request, csrf)
    named = [p.strip() for p in parties.split(",") if p.strip()]
    named = [p if ":" in p else f"actor:{p}" for p in named]
    try:
        found = service.open_dispute(
            **page.who,
            request_id=page.request_id,
            title=title,
            subject=subject,
            subject_ref=subject_ref,
            parties=named,
        )
    except PodiumError as error:
        return _disputes_page(page, status_code=error.status, **refusal(error))
    return page.redirect(f"/disputes/{found.id}")


def _dispute_page(
    page: GovernPage, dispute_id: int, *, status_code: int = 200, **context: Any
) -> Response:
    dispute = service.get(**page.who, dispute_id=dispute_id)
    entries = service.entries(session=page.session, dispute=dispute)
    return page.render(
        "dispute.html",
        status_code=status_code,
        dispute=dispute,
        step=dispute.mechanism[dispute.step_index]["step"],
        due=service.utc(dispute.due_at),
        timeline=service.timeline(dispute=dispute, found=entries),
        entries=[(e, service.utc(e.at)) for e in entries],
        actions=service.allowed_actions(**page.who, dispute=dispute),
        link_kinds=("audit", "record", "delivery", "agreement"),
        **context,
    )


@router.get("/ecosystems/{name}/disputes/{dispute_id}")
def dispute_page(page: ReadPage, dispute_id: DisputeId) -> Response:
    """One dispute: its steps with deadlines, its entries, and what the caller may do."""
    return _dispute_page(page, dispute_id)


def _act(page: GovernPage, dispute_id: int, csrf: str, act: Callable[[], object]) -> Response:
    check_csrf(page.request, csrf)
    try:
        act()
    except PodiumError as error:
        return _dispute_page(page, dispute_id, status_code=error.status, **refusal(error))
    return page.redirect(f"/disputes/{dispute_id}")


@router.post("/ecosystems/{name}/disputes/{dispute_id}/entries")
def add_entry(
    page: PartyPage,
    dispute_id: DisputeId,
    csrf: Annotated[str, Form(alias="csrf_token")],
    kind: Field,
    text: Annotated[str, Form()] = "",
    link_kind: Annotated[str, Form()] = "",
    link_id: Annotated[str, Form()] = "",
) -> Response:
    """Add evidence (with one link), a statement or a settlement proposal."""
    links = [{"kind": link_kind, "id": link_id}] if link_id.strip() else []
    return _act(
        page,
        dispute_id,
        csrf,
        lambda: service.add_entry(
            **page.who,
            request_id=page.request_id,
            dispute_id=dispute_id,
            kind=kind,
            text=text,
            links=links,
        ),
    )


@router.post("/ecosystems/{name}/disputes/{dispute_id}/accept")
def accept(
    page: PartyPage, dispute_id: DisputeId, csrf: Annotated[str, Form(alias="csrf_token")]
) -> Response:
    """Accept the settlement another party proposed last."""
    return _act(
        page,
        dispute_id,
        csrf,
        lambda: service.accept(
            **page.who,
            request_id=page.request_id,
            dispute_id=dispute_id,
        ),
    )


@router.post("/ecosystems/{name}/disputes/{dispute_id}/withdraw")
def withdraw(
    page: PartyPage,
    dispute_id: DisputeId,
    csrf: Annotated[str, Form(alias="csrf_token")],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw a dispute the caller's party raised."""
    return _act(
        page,
        dispute_id,
        csrf,
        lambda: service.withdraw(
            **page.who,
            request_id=page.request_id,
            dispute_id=dispute_id,
            reason=reason,
        ),
    )


@router.post("/ecosystems/{name}/disputes/{dispute_id}/advance")
def advance(
    page: WritePage,
    dispute_id: DisputeId,
    csrf: Annotated[str, Form(alias="csrf_token")],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Move the dispute to its mechanism's next step."""
    return _act(
        page,
        dispute_id,
        csrf,
        lambda: service.advance(
            **page.who,
            request_id=page.request_id,
            dispute_id=dispute_id,
            reason=reason,
        ),
    )


@router.post("/ecosystems/{name}/disputes/{dispute_id}/resolve")
def resolve(
    page: WritePage,
    dispute_id: DisputeId,
    csrf: Annotated[str, Form(alias="csrf_token")],
    outcome: Annotated[str, Form()] = "",
    resolution: Annotated[str, Form()] = "decision",
) -> Response:
    """Record the dispute's outcome."""
    return _act(
        page,
        dispute_id,
        csrf,
        lambda: service.resolve(
            **page.who,
            request_id=page.request_id,
            dispute_id=dispute_id,
            outcome=outcome,
            resolution=resolution,
        ),
    )
