"""Console pages of platform dependency: each platform partner's index with its reasons, what
depends on it, the terms-change scenario, and the assessment form.

``/ecosystems/{name}/platforms`` (``govern:read``) shows every platform partner;
``.../platforms/{actor}/terms-change`` (an htmx form, ``govern:read``: it only computes) answers
with the impact; ``.../platforms/{actor}/assess`` (``govern:write``) is the questionnaire.
Thin over :mod:`podium.govern.platform_service`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from podium.core.auth import Permission, Principal
from podium.core.deps import RequestId, SessionDep, require
from podium.core.errors import Invalid, PodiumError
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import platform as dependency
from podium.govern import platform_service as service
from podium.web import render
from podium.web.forms import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.GOVERN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.GOVERN_WRITE))]
Csrf = Annotated[str | None, Form(alias="csrf_token")]


async def _form(request: Request) -> FormData:
    """The posted form (read once; its fields are named per question)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(_form)]


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    ecosystem: eco.Ecosystem,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return render(
        request,
        f"govern/{template}",
        principal,
        status_code=status_code,
        nav="govern",
        ecosystem=ecosystem,
        ecosystems=eco_service.list_ecosystems(session=session, principal=principal),
        base=f"/ecosystems/{quote(ecosystem.name, safe='')}",
        csrf_token=csrf_token(request),
        **context,
    )


@router.get("/ecosystems/{name}/platforms")
def platforms_page(request: Request, name: str, session: SessionDep, principal: Reader) -> Response:
    """Show each platform partner: index, band, reasons, what depends on it, terms change."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    views = service.list_assessments(session=session, ecosystem=ecosystem)
    exposed = service.exposures(
        session=session, ecosystem=ecosystem, platforms=[v.actor for v in views]
    )
    return _page(
        request,
        session,
        principal,
        ecosystem,
        "platforms.html",
        platforms=[(view, exposed[view.actor]) for view in views],
        can_assess=principal.can(Permission.GOVERN_WRITE),
        questions={q.key: q for q in dependency.QUESTIONS},
    )


@router.post("/ecosystems/{name}/platforms/{actor}/terms-change")
def terms_change_page(
    request: Request,
    name: str,
    actor: str,
    session: SessionDep,
    principal: Reader,
    csrf: Csrf = None,
    days: Annotated[str, Form()] = "14",
    capacity_share: Annotated[str, Form()] = "0",
) -> Response:
    """Answer the terms-change form with the impact (an htmx fragment)."""
    check_csrf(request, csrf or request.headers.get("x-csrf-token"))
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    context: dict[str, Any] = {"actor": actor}
    try:
        context["impact"] = service.terms_change(
            session=session,
            ecosystem=ecosystem,
            platform=actor,
            days=_number(days, "days"),
            capacity_share=_number(capacity_share, "capacity_share", scale=0.01),
        )
    except PodiumError as exc:
        context["error"] = exc.detail
    status = 422 if "error" in context else 200
    return _page(
        request, session, principal, ecosystem, "_terms_change.html", status_code=status, **context
    )


def _number(text: str, field: str, *, scale: float = 1.0) -> float:
    """A number from a form field (``scale`` turns a percentage into a share)."""
    try:
        return float(text.strip()) * scale
    except ValueError:
        raise Invalid(f"{field}: {text!r} is not a number") from None


@router.get("/ecosystems/{name}/platforms/{actor}/assess")
def assess_page(
    request: Request, name: str, actor: str, session: SessionDep, principal: Writer
) -> Response:
    """Show the questionnaire, filled in with the current answers."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    view = service.get_assessment(session=session, ecosystem=ecosystem, platform=actor)
    current = view.current
    return _form_page(
        request,
        session,
        principal,
        ecosystem,
        view,
        category=current.category if current else _default_category(view.kind),
        answers=current.answers if current else {},
    )


def _default_category(kind: str) -> str:
    return "logistics_platform" if kind == "logistics" else "cloud"


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    ecosystem: eco.Ecosystem,
    view: service.PlatformView,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return _page(
        request,
        session,
        principal,
        ecosystem,
        "platform_assess.html",
        status_code=status_code,
        platform=view,
        questions=dependency.QUESTIONS,
        categories=dependency.CATEGORIES,
        **context,
    )


def _answers(form: FormData) -> dict[str, dict[str, Any]]:
    """The answers of the form: ``score_<key>`` (blank: unanswered) and ``note_<key>``."""
    answers: dict[str, dict[str, Any]] = {}
    for question in dependency.QUESTIONS:
        raw = str(form.get(f"score_{question.key}") or "").strip()
        score: Any = int(raw) if raw.lstrip("-").isdigit() else (raw or None)
        answers[question.key] = {
            "score": score,
            "note": str(form.get(f"note_{question.key}") or ""),
        }
    return answers


@router.post("/ecosystems/{name}/platforms/{actor}/assess")
def assess_submit(
    request: Request,
    name: str,
    actor: str,
    session: SessionDep,
    principal: Writer,
    request_id: RequestId,
    form: PostedForm,
) -> Response:
    """Store the answers as a new version and go back to the platforms page."""
    check_csrf(request, str(form.get("csrf_token") or "") or None)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    view = service.get_assessment(session=session, ecosystem=ecosystem, platform=actor)
    answers, category = _answers(form), str(form.get("category") or "")
    try:
        service.save_assessment(
            session=session,
            ecosystem=ecosystem,
            principal=principal,
            request_id=request_id,
            platform=actor,
            category=category,
            answers=answers,
        )
    except Invalid as exc:
        errors = {str(e["pointer"]): str(e["detail"]) for e in exc.errors}
        return _form_page(
            request,
            session,
            principal,
            ecosystem,
            view,
            status_code=422,
            category=category,
            answers=answers,
            errors=errors,
            message=exc.detail,
        )
    target = f"/ecosystems/{quote(ecosystem.name, safe='')}/platforms#platform-{quote(actor)}"
    return RedirectResponse(target, status_code=303)
