"""What the Integrate pages show, shaped from plain values (no database, no web framework).

The page module loads submissions, agreements, audit entries and exceptions through the
services; these functions turn them into rows of display text for the templates, build the
ODRL policy the agreement form describes, and place upload errors on their row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

from pydantic import BaseModel

from podium.integrate import policy
from podium.integrate.datasets import DATASETS
from podium.integrate.quality import Quality

DASH = "\u2013"
PURPOSES: tuple[tuple[str, str], ...] = (
    ("planning", "Planning"),
    ("replenishment", "Replenishment"),
    ("capacity_planning", "Capacity planning"),
    ("risk_monitoring", "Risk monitoring"),
    ("quality_assurance", "Quality assurance"),
    ("sustainability_reporting", "Sustainability reporting"),
)
"""Purposes the agreement form offers (an agreement may name any; reads must name one)."""
GRAINS: dict[str, tuple[tuple[str, str], ...]] = {
    "time": (("raw", "As recorded"), ("day", "Daily"), ("week", "Weekly"), ("month", "Monthly")),
    "item": (("item", "Item"), ("family", "Item family")),
    "place": (("site", "Site"), ("region", "Region")),
}
"""Granularity choices per axis: (value, label), the finest first."""
GROUPS = {"role:orchestrator": "The orchestrator", "role:partner": "Every partner"}
STATUS_ACTIONS = {
    "open": (("acknowledged", "Acknowledge"), ("resolved", "Resolve")),
    "acknowledged": (("resolved", "Resolve"), ("open", "Reopen")),
    "resolved": (("open", "Reopen"),),
}
"""The status changes an exception in each status offers: (new status, button label)."""
_RECORD = re.compile(r"#/records/(\d+)(?:/([^/]+))?")


def title_of(dataset: str) -> str:
    """Return a dataset's title (``epcis_events`` and unknown names as they are)."""
    spec = DATASETS.get(dataset)
    if spec is not None:
        return spec.title
    return "EPCIS events" if dataset == "epcis_events" else dataset


def when(moment: datetime | None) -> str:
    """Format a time in UTC for a table (a naive time is taken as UTC, as SQLite gives it)."""
    if moment is None:
        return DASH
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.strftime("%d %b %Y %H:%M UTC")


def cell(value: Any) -> str:
    """Format one value of a partner-data row: numbers with separators, lists joined."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value) or DASH
    return str(value)


def table_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the columns of read rows in first-seen order, the provider first."""
    names = dict.fromkeys(key for row in rows for key in row)
    return ["provider", *(n for n in names if n != "provider")] if names else []


def table_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[list[str]]:
    """Return each row's cells as display text, in ``columns`` order."""
    return [[cell(row.get(c)) for c in columns] for row in rows]


def party(key: str, names: Mapping[str, str]) -> str:
    """Name a recipient or provider: an actor by name, ``role:`` and ``kind:`` groups in words."""
    if key in GROUPS:
        return GROUPS[key]
    group, _, value = key.partition(":")
    if group in ("role", "kind") and value:
        return f"Every {value.replace('_', ' ')}"
    return names.get(key, key)


def grain_text(granularity: Mapping[str, str]) -> str:
    """Describe a granularity: ``as recorded`` or, e.g., ``weekly, item family, region``."""
    default = policy.Grain()
    parts = [
        dict(GRAINS[axis])[value].lower()
        for axis, value in granularity.items()
        if axis in GRAINS and value != getattr(default, axis)
    ]
    return ", ".join(parts) if parts else "as recorded"


def validity_text(valid_from: datetime | None, valid_until: datetime | None) -> str:
    """Describe a validity window: ``from .. until ..``, open ends left out."""
    parts = []
    if valid_from is not None:
        parts.append(f"from {valid_from:%d %b %Y}")
    if valid_until is not None:
        parts.append(f"until {valid_until:%d %b %Y}")
    return " ".join(parts) if parts else "open-ended"


def agreement_view(
    agreement: policy.SharingAgreement,
    *,
    in_force: bool,
    revoked_at: datetime | None,
    names: Mapping[str, str],
) -> dict[str, Any]:
    """Return what the agreements table shows of one agreement."""
    status = "revoked" if revoked_at is not None else ("in force" if in_force else "not in force")
    return {
        "key": agreement.key,
        "provider": agreement.provider,
        "provider_name": party(agreement.provider, names),
        "recipients": [party(r, names) for r in agreement.recipients],
        "dataset": agreement.dataset,
        "dataset_title": title_of(agreement.dataset),
        "purposes": [p.replace("_", " ") for p in agreement.purposes],
        "fields": ", ".join(agreement.fields) if agreement.fields else "all fields",
        "filters": "; ".join(f"{k} = {', '.join(v)}" for k, v in agreement.filters.items()),
        "grain": grain_text(dict(agreement.grain.axes())),
        "validity": validity_text(agreement.valid_from, agreement.valid_until),
        "delete_after_days": agreement.delete_after_days,
        "status": status,
        "revoked": revoked_at is not None,
        "revoked_at": when(revoked_at) if revoked_at is not None else None,
    }


class ShareForm(BaseModel):
    """The fields of the sharing form (text as posted; the agreement checks them)."""

    recipient: str = ""
    dataset: str = ""
    purpose: str = ""
    time: str = "raw"
    item: str = "item"
    place: str = "site"
    valid_until: str = ""
    delete_after_days: str = ""
    csrf_token: str | None = None


def odrl_policy(form: ShareForm, *, valid_until: date | None = None) -> dict[str, Any]:
    """Return the ODRL Agreement the sharing form describes (parties and target given apart).

    The purpose is required; granularity coarser than raw on any axis, a validity end (exclusive,
    midnight UTC) and a deletion duty (``delete_after_days``, whole days) are added if given.
    """
    constraints: list[dict[str, Any]] = [
        {"leftOperand": "purpose", "operator": "eq", "rightOperand": form.purpose.strip()}
    ]
    default = policy.Grain()
    for axis in GRAINS:
        value = getattr(form, axis)
        if value != getattr(default, axis):
            left = f"podium:{axis}Granularity"
            constraints.append({"leftOperand": left, "operator": "eq", "rightOperand": value})
    if valid_until is not None:
        end = datetime.combine(valid_until, time(), tzinfo=UTC)
        moment = {"@value": end.isoformat(), "@type": "xsd:dateTime"}
        constraints.append({"leftOperand": "dateTime", "operator": "lt", "rightOperand": moment})
    permission: dict[str, Any] = {"action": "use", "constraint": constraints}
    days = form.delete_after_days.strip()
    if days.isdigit():
        elapsed = {"@value": f"P{int(days)}D", "@type": "xsd:duration"}
        limit = {"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": elapsed}
        permission["duty"] = [{"action": "delete", "constraint": [limit]}]
    return {"@context": policy.ODRL_CONTEXT, "@type": "Agreement", "permission": [permission]}


def agreement_key(provider: str, dataset: str, purpose: str, taken: Iterable[str]) -> str:
    """Return a new agreement key such as ``velora-forecasts-planning`` (``-2`` if taken)."""
    base = re.sub(r"[^a-z0-9]+", "-", f"{provider}-{dataset}-{purpose}".lower()).strip("-")
    used, key, n = set(taken), base, 1
    while key in used:
        n += 1
        key = f"{base}-{n}"
    return key


def upload_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the errors of a refused upload as rows: the file's row, the column, the problem.

    Validation names the row as the file numbers it; a reference the ecosystem lacks names the
    record (the n-th data row, blank rows not counted), which the table shows instead.
    """
    found = []
    for error in errors:
        row, record, column = error.get("row"), None, error.get("column")
        matched = _RECORD.fullmatch(str(error.get("pointer") or ""))
        if row is None and matched is not None:
            record, column = int(matched.group(1)) + 1, matched.group(2)
        found.append(
            {"row": row, "record": record, "column": column, "detail": str(error["detail"])}
        )
    return found


def quality_view(found: Quality | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return a quality as a mapping for the templates (None stays None)."""
    if found is None:
        return None
    data = asdict(found) if isinstance(found, Quality) else dict(found)
    return {**data, "on_time_text": _on_time(data.get("on_time"))}


def _on_time(value: bool | None) -> str:
    return DASH if value is None else ("on time" if value else "late")


def quality_rows(found: Mapping[str, Quality], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Return each partner's quality, the worst score first (no score last)."""
    rows = [
        {"provider": key, "name": names.get(key, key), **(quality_view(q) or {})}
        for key, q in found.items()
    ]
    rows.sort(key=lambda r: (r["score"] is None, r["score"] or 0.0, r["name"]))
    return rows


class Submission(Protocol):
    """The fields of a stored submission the views read."""

    id: int
    provider: str
    dataset: str
    source: str
    submitted_at: datetime
    record_count: int
    quality: dict[str, Any]


def submission_view(found: Submission, names: Mapping[str, str]) -> dict[str, Any]:
    """Return what a submissions table shows of one submission."""
    return {
        "id": found.id,
        "provider": found.provider,
        "provider_name": names.get(found.provider, found.provider),
        "dataset": found.dataset,
        "dataset_title": title_of(found.dataset),
        "source": found.source,
        "when": when(found.submitted_at),
        "records": found.record_count,
        "quality": quality_view(found.quality or None),
    }


def dataset_rows(
    counts: Mapping[str, int], latest: Mapping[str, Submission | None], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Return one row per dataset: its rows stored, the latest submission and its quality."""
    rows = []
    for name, spec in DATASETS.items():
        last = latest.get(name)
        rows.append(
            {
                "name": name,
                "title": spec.title,
                "rows": counts.get(name, 0),
                "required": list(spec.required),
                "optional": list(spec.optional),
                "last": submission_view(last, names) if last is not None else None,
            }
        )
    return rows


class Entry(Protocol):
    """The fields of an audit entry the views read."""

    seq: int
    at: datetime
    username: str
    partner_actor: str | None
    action: str
    dataset: str
    provider: str | None
    agreement: str | None
    filter: dict[str, Any]
    row_count: int


def access_view(entry: Entry, names: Mapping[str, str]) -> dict[str, Any]:
    """Return what the accesses table shows of one audit entry."""
    purpose = (entry.filter or {}).get("purpose")
    return {
        "seq": entry.seq,
        "when": when(entry.at),
        "username": entry.username,
        "actor": names.get(entry.partner_actor, entry.partner_actor)
        if entry.partner_actor
        else None,
        "action": entry.action,
        "dataset_title": title_of(entry.dataset),
        "provider": names.get(entry.provider, entry.provider) if entry.provider else DASH,
        "agreement": entry.agreement,
        "purpose": purpose.replace("_", " ") if isinstance(purpose, str) else DASH,
        "rows": entry.row_count,
    }


def source_rows(
    sources: Sequence[Mapping[str, Any]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Return where the rows of a read came from: provider by name, agreement, granularity."""
    return [
        {
            **source,
            "name": names.get(source["provider"], source["provider"]),
            "grain": grain_text(source["granularity"]),
        }
        for source in sources
    ]


def recipient_choices(
    actors: Iterable[str], names: Mapping[str, str], *, acting: str | None, partner: bool
) -> list[tuple[str, str]]:
    """Return the recipients the sharing form offers: the groups, then actors by name."""
    own_group = "role:partner" if partner else "role:orchestrator"
    groups = [(key, label) for key, label in GROUPS.items() if key != own_group]
    named = sorted(((k, names.get(k, k)) for k in set(actors) - {acting}), key=lambda kv: kv[1])
    return groups + named


class Raised(Protocol):
    """The fields of a stored exception the views read."""

    id: int
    rule: str
    severity: str
    owner: str
    subject: str
    detail: str
    status: str
    created_at: datetime


def exception_rows(
    found: Sequence[Raised], names: Mapping[str, str], status: str
) -> dict[str, Any]:
    """Return the exceptions table (those of ``status``, or all) and the count per status."""
    counts: dict[str, int] = {}
    rows = []
    for item in found:
        counts[item.status] = counts.get(item.status, 0) + 1
        if status and item.status != status:
            continue
        rows.append(
            {
                "item": item,
                "owner_name": names.get(item.owner, item.owner),
                "raised": when(item.created_at),
                "actions": STATUS_ACTIONS.get(item.status, ()),
            }
        )
    return {"exceptions": rows, "status": status, "counts": counts, "total": len(found)}


def purposes_of(
    found: Iterable[tuple[policy.SharingAgreement, bool]], dataset: str, acting: str | None
) -> list[str]:
    """Return the purposes of the agreements in force that share ``dataset`` from others."""
    return sorted(
        {
            purpose
            for agreement, in_force in found
            if in_force and agreement.dataset == dataset and agreement.provider != acting
            for purpose in agreement.purposes
        }
    )
