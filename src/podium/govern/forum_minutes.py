"""The minutes of a meeting as written: decisions and their links, checked before anything is
stored (so minutes are recorded whole or not at all), every error with a JSON pointer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.govern.models import Dispute, Escalation
from podium.govern.parties import parse_party
from podium.govern.rights import CATALOGUE, pointer
from podium.govern.rights_service import list_rights
from podium.integrate.models import DataException


class DecisionLink(BaseModel):
    """What a decision decided: an escalation, a data exception, a dispute or a KPI."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    kind: Literal["escalation", "exception", "dispute", "kpi"]
    id: str = Field(min_length=1, max_length=200)


class DecisionDraft(BaseModel):
    """A decision as recorded in minutes."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)
    decision_type: str | None = None
    links: list[DecisionLink] = Field(default_factory=list)


def parse_drafts(raw: Sequence[Mapping[str, Any] | DecisionDraft]) -> list[DecisionDraft]:
    """Parse decisions as given (dicts or drafts); refuse naming each bad field."""
    drafts, errors = [], []
    for i, entry in enumerate(raw):
        try:
            drafts.append(DecisionDraft.model_validate(entry))
        except ValidationError as exc:
            errors += [
                {"pointer": pointer("decisions", i, *e["loc"]), "detail": e["msg"]}
                for e in exc.errors()
            ]
    if errors:
        raise Invalid("the decisions are not valid", errors)
    return drafts


def _link_error(
    session: Session, ecosystem: eco.Ecosystem, link: DecisionLink, seen: set[str]
) -> str | None:
    """Why a link cannot be recorded, or None."""
    if link.kind == "kpi":
        return None
    if not link.id.isdigit() or int(link.id) > 2**31 - 1:
        return f"give the {link.kind}'s number"
    model: Any = {"escalation": Escalation, "exception": DataException, "dispute": Dispute}
    found = session.get(model[link.kind], int(link.id))
    if found is None or found.ecosystem_id != ecosystem.id:
        return f"no {link.kind} {link.id} in this ecosystem"
    if link.kind == "escalation":
        if found.status == "resolved":
            return f"escalation {link.id} is resolved already"
        if link.id in seen:
            return f"escalation {link.id} is decided by another decision of these minutes"
        seen.add(link.id)
    return None


def check_minutes(
    session: Session,
    ecosystem: eco.Ecosystem,
    attendees: Sequence[str],
    minutes: str,
    drafts: Sequence[DecisionDraft],
) -> None:
    errors: list[dict[str, str]] = []
    if not minutes.strip():
        errors.append({"pointer": "/minutes", "detail": "write what was discussed"})
    for i, party in enumerate(attendees):
        try:
            parse_party(party)
        except ValueError as exc:
            errors.append({"pointer": pointer("attendees", i), "detail": str(exc)})
    types = set(CATALOGUE) | {
        r.decision_type for r in list_rights(session=session, ecosystem=ecosystem)
    }
    seen: set[str] = set()
    for i, draft in enumerate(drafts):
        if draft.decision_type is not None and draft.decision_type not in types:
            detail = f"no decision type {draft.decision_type!r}"
            errors.append({"pointer": pointer("decisions", i, "decision_type"), "detail": detail})
        for j, link in enumerate(draft.links):
            if (problem := _link_error(session, ecosystem, link, seen)) is not None:
                where = pointer("decisions", i, "links", j, "id")
                errors.append({"pointer": where, "detail": problem})
    if errors:
        raise Invalid("the minutes are not valid; nothing was recorded", errors)
