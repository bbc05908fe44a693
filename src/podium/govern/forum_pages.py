"""Console pages of decision rights and forums: the RACI matrix (with each right's history and,
for ``govern:write``, its edit form), the forums with their cadence, next meetings, agenda and
calendar, and a meeting's page where its minutes and decisions are recorded.

Thin over :mod:`podium.govern.forum_service`; forms post with the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from pydantic import ValidationError
from starlette.responses import Response

from podium.core.auth import Permission
from podium.core.db import utcnow
from podium.core.deps import RequestId, require, require_any
from podium.core.errors import Invalid
from podium.govern import cadence, forum_service, trail
from podium.govern.console import GovernPage, page_for
from podium.govern.models import Meeting
from podium.govern.rights import CATALOGUE, LEVELS, ROLE_WORDS, DecisionRightSpec, PathStep
from podium.web.forms import check_csrf

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
Csrf = Annotated[str | None, Form(alias="csrf_token")]


ReadPage = Annotated[GovernPage, Depends(page_for(require(Permission.GOVERN_READ), "govern"))]
WritePage = Annotated[GovernPage, Depends(page_for(require(Permission.GOVERN_WRITE), "govern"))]
ForumPage = Annotated[
    GovernPage,
    Depends(page_for(require_any(Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART), "govern")),
]


# --- decision rights ------------------------------------------------------------------------------


def _rights_context(page: GovernPage, selected: str | None, version: int | None) -> dict[str, Any]:
    rows = forum_service.list_rights(**page.where)
    chosen = None
    if selected:
        right = forum_service.get_right(**page.where, decision_type=selected, version=version)
        versions = forum_service.history(**page.where, decision_type=selected)
        chosen = {"row": right, "spec": forum_service.spec_of(right), "versions": versions}
    return {
        "matrix": forum_service.matrix(rows),
        "rows": rows,
        "chosen": chosen,
        "missing": [k for k in CATALOGUE if k not in {r.decision_type for r in rows}],
        "role_words": ROLE_WORDS,
        "levels": LEVELS,
    }


@router.get("/ecosystems/{name}/govern/rights")
def rights_page(
    page: ReadPage, type: str | None = None, version: int | None = None, saved: str = ""
) -> Response:
    """Show the RACI matrix: decision types by parties, each type's levels and forums."""
    return page.render(
        "rights.html", saved=saved, errors=[], form=None, **_rights_context(page, type, version)
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _form_spec(decision_type: str, title: str, strategic: str, raci: str, path: str) -> Any:
    """A right from the form's text: ``party = R`` lines and ``level | owner | forum | hours``."""
    letters = {}
    for line in _lines(raci):
        party, _, letter = line.rpartition("=")
        letters[party.strip()] = letter.strip().upper()
    steps = []
    for number, line in enumerate(_lines(path), 1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            detail = f"line {number}: write level | owner | forum | SLA hours"
            raise Invalid(detail, [{"pointer": "/path", "detail": detail}])
        try:
            hours = float(parts[3])
        except ValueError:
            detail = f"line {number}: {parts[3]!r} is no number of hours"
            raise Invalid(
                detail, [{"pointer": f"/path/{number - 1}/sla_hours", "detail": detail}]
            ) from None
        steps.append(
            PathStep(level=parts[0], owner=parts[1], forum=parts[2] or None, sla_hours=hours)
        )
    return DecisionRightSpec(
        decision_type=decision_type,
        title=title.strip() or decision_type,
        strategic=bool(strategic),
        raci=letters,
        path=steps,
    )


@router.post("/ecosystems/{name}/govern/rights/{decision_type}")
def save_right(
    page: WritePage,
    request_id: RequestId,
    decision_type: str,
    title: Field = "",
    strategic: Field = "",
    raci: Field = "",
    path: Field = "",
    note: Field = "",
    csrf: Csrf = None,
) -> Response:
    """Save the edited right as its next version, or show the form again with what is wrong."""
    check_csrf(page.request, csrf)
    try:
        spec = _form_spec(decision_type, title, strategic, raci, path)
        forum_service.save_right(
            **page.where,
            principal=page.principal,
            request_id=request_id,
            spec=spec,
            note=note.strip() or None,
        )
    except Invalid as error:
        form = {
            "title": title,
            "strategic": bool(strategic),
            "raci": raci,
            "path": path,
            "note": note,
        }
        context = _rights_context(page, None, None)
        return page.render(
            "rights.html",
            status_code=422,
            saved="",
            form=form,
            edit_type=decision_type,
            errors=error.errors or [{"pointer": "", "detail": error.detail}],
            **context,
        )
    return page.redirect(f"/rights?type={quote(decision_type)}&saved={quote(decision_type)}")


@router.post("/ecosystems/{name}/govern/rights-defaults")
def init_defaults(page: WritePage, request_id: RequestId, csrf: Csrf = None) -> Response:
    """Give the catalogue's types without a right their default rights (and missing forums)."""
    check_csrf(page.request, csrf)
    forum_service.init_defaults(**page.where, principal=page.principal, request_id=request_id)
    return page.redirect("/rights?saved=defaults")


# --- forums ---------------------------------------------------------------------------------------


def _forum_rows(page: GovernPage) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {"forum": f, **forum_service.details(f, now, 3)}
        for f in forum_service.list_forums(**page.where, principal=page.principal)
    ]


@router.get("/ecosystems/{name}/govern/forums")
def forums_page(page: ForumPage, forum: str | None = None, saved: str = "") -> Response:
    """Show the forums: cadence in words, next meetings, the selected forum's agenda."""
    rows = _forum_rows(page)
    selected = forum or (rows[0]["forum"].key if rows else None)
    agenda, meetings = None, []
    if selected:
        agenda = forum_service.agenda(**page.where, forum_key=selected, principal=page.principal)
        meetings = forum_service.list_meetings(
            **page.where, forum_key=selected, principal=page.principal
        )
    return page.render(
        "forums.html",
        rows=rows,
        selected=selected,
        agenda=agenda,
        meetings=meetings,
        saved=saved,
        errors=[],
        form={},
        kinds=cadence.FORUM_KINDS,
    )


@router.post("/ecosystems/{name}/govern/forums")
def create_forum(
    page: WritePage,
    request_id: RequestId,
    key: Field = "",
    name_of_forum: Annotated[str, Form(alias="forum_name")] = "",
    kind: Field = "",
    rrule: Field = "",
    starts_at: Field = "",
    timezone: Field = "UTC",
    duration_minutes: Field = "60",
    members: Field = "",
    csrf: Csrf = None,
) -> Response:
    """Create a forum from the form, or show the form again with what is wrong."""
    check_csrf(page.request, csrf)
    form = {"key": key, "forum_name": name_of_forum, "kind": kind, "rrule": rrule,
            "starts_at": starts_at, "timezone": timezone, "duration_minutes": duration_minutes,
            "members": members}  # fmt: skip
    try:
        spec = _forum_form(form)
        forum_service.create_forum(
            **page.where, principal=page.principal, request_id=request_id, spec=spec
        )
    except Invalid as error:
        return page.render(
            "forums.html",
            status_code=422,
            rows=_forum_rows(page),
            selected=None,
            agenda=None,
            meetings=[],
            saved="",
            form=form,
            kinds=cadence.FORUM_KINDS,
            errors=error.errors or [{"pointer": "", "detail": error.detail}],
        )
    return page.redirect(f"/forums?forum={quote(key)}&saved={quote(key)}")


def _forum_form(form: dict[str, str]) -> cadence.ForumSpec:
    members = []
    for line in _lines(form["members"]):
        party, _, role = line.partition("=")
        members.append({"party": party.strip(), "role": role.strip() or "member"})
    document = {**form, "name": form["forum_name"] or form["key"], "members": members}
    document.pop("forum_name")
    try:
        return cadence.ForumSpec.model_validate(document)
    except ValidationError as error:
        errors = [
            {"pointer": "/" + "/".join(str(p) for p in e["loc"]), "detail": e["msg"]}
            for e in error.errors()
        ]
        raise Invalid("the forum is not valid", errors) from None


# --- meetings -------------------------------------------------------------------------------------


def _visible_items(page: GovernPage, meeting: Meeting | None) -> list[dict[str, Any]]:
    """The frozen agenda items the caller may see (a partner: those involving it)."""
    if meeting is None:
        return []
    return [i for i in meeting.agenda if trail.involves(page.principal, i.get("parties", []))]


@router.get("/ecosystems/{name}/govern/forums/{key}/meeting")
def meeting_page(page: ForumPage, key: str, id: int | None = None, saved: str = "") -> Response:
    """Show a prepared meeting's frozen agenda and, for ``govern:write``, the minutes form."""
    forum = forum_service.get_forum(**page.where, key=key, principal=page.principal)
    meetings = forum_service.list_meetings(**page.where, forum_key=key, principal=page.principal)
    waiting = [m for m in meetings if m.minutes is None]
    meeting = (
        next((m for m in meetings if m.id == id), None)
        if id
        else (waiting[-1] if waiting else None)
    )
    decisions = forum_service.list_decisions(**page.where, principal=page.principal, forum_key=key)
    return page.render(
        "meeting.html",
        forum=forum,
        meeting=meeting,
        meetings=meetings,
        saved=saved,
        errors=[],
        decisions=[d for d in decisions if meeting is not None and d.meeting_id == meeting.id],
        items=_visible_items(page, meeting),
        types=list(CATALOGUE),
        slots=range(3),
    )


@router.post("/ecosystems/{name}/govern/forums/{key}/meeting")
def prepare_meeting(
    page: WritePage, request_id: RequestId, key: str, csrf: Csrf = None
) -> Response:
    """Freeze the agenda of the forum's next meeting."""
    check_csrf(page.request, csrf)
    meeting = forum_service.prepare_meeting(
        **page.where, principal=page.principal, request_id=request_id, forum_key=key
    )
    return page.redirect(f"/forums/{quote(key)}/meeting?id={meeting.id}")


@router.post("/ecosystems/{name}/govern/forums/{key}/meetings/{meeting_id}/minutes")
def record_minutes(
    page: WritePage,
    request_id: RequestId,
    key: str,
    meeting_id: int,
    minutes: Field = "",
    attendees: Field = "",
    decision_title: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    decision_text: Annotated[list[str], Form()] = [],  # noqa: B006
    decision_type: Annotated[list[str], Form()] = [],  # noqa: B006
    link: Annotated[list[str], Form(description="slot:escalation id")] = [],  # noqa: B006
    csrf: Csrf = None,
) -> Response:
    """Record the minutes and the decisions filled in (blank slots are skipped)."""
    check_csrf(page.request, csrf)
    decisions = _form_decisions(decision_title, decision_text, decision_type, link)
    try:
        forum_service.record_minutes(
            **page.where, principal=page.principal, request_id=request_id, forum_key=key,
            meeting_id=meeting_id, attendees=_lines(attendees), minutes=minutes,
            decisions=decisions,
        )  # fmt: skip
    except Invalid as error:
        forum = forum_service.get_forum(**page.where, key=key)
        meeting = forum_service.get_meeting(**page.where, forum_key=key, meeting_id=meeting_id)
        return page.render(
            "meeting.html", status_code=422, forum=forum, meeting=meeting, meetings=[meeting],
            saved="", decisions=[], types=list(CATALOGUE), slots=range(3),
            items=_visible_items(page, meeting),
            errors=error.errors or [{"pointer": "", "detail": error.detail}],
        )  # fmt: skip
    return page.redirect(f"/forums/{quote(key)}/meeting?id={meeting_id}&saved=minutes")


def _form_decisions(
    titles: list[str], texts: list[str], types: list[str], links: list[str]
) -> list[dict[str, Any]]:
    """The filled decision slots of the minutes form; ``links`` are ``slot:escalation id``."""
    decisions: list[dict[str, Any]] = []
    for slot, (title, text) in enumerate(zip(titles, texts, strict=False)):
        if not title.strip() and not text.strip():
            continue
        chosen = [ref for at, _, ref in (v.partition(":") for v in links) if at == str(slot)]
        decisions.append({
            "title": title, "text": text,
            "decision_type": (types[slot] if slot < len(types) else "") or None,
            "links": [{"kind": "escalation", "id": ref} for ref in chosen],
        })  # fmt: skip
    return decisions
