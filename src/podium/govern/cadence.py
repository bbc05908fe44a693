"""Forums and their cadences: the kinds of forum, the recurrence rule (iCalendar RRULE, RFC 5545)
of each, its occurrences in the forum's own time zone, a calendar (.ics) to subscribe to, and the
agenda of the next meeting built from what is open.

Occurrences keep their wall-clock time across daylight-saving changes: the rule is expanded from
the start in the forum's IANA time zone and each occurrence converted to UTC afterwards. The
stored start is always the rule's first occurrence (the service moves it there), as RFC 5545
section 3.8.5.3 asks, so dateutil and calendar programs agree on the series.

Pure: plain values and pydantic models in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from dateutil.rrule import rrule, rrulestr
from pydantic import BaseModel, ConfigDict, Field

from podium.govern.parties import parse_party
from podium.govern.rights import LEVELS, pointer


@dataclass(frozen=True)
class ForumKind:
    """A kind of forum: its title, the level it decides at, and a typical cadence."""

    title: str
    level: str
    rrule: str
    duration_minutes: int


FORUM_KINDS: dict[str, ForumKind] = {
    "steering_committee": ForumKind(
        "Steering committee", "strategic", "FREQ=MONTHLY;BYDAY=1FR", 120
    ),
    "coalition_board": ForumKind(
        "Coalition board", "strategic", "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", 180
    ),
    "joint_business_review": ForumKind(
        "Joint business review", "tactical", "FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE", 120
    ),
    "supplier_risk_review": ForumKind(
        "Supplier risk review", "tactical", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", 60
    ),
    "operational_standup": ForumKind(
        "Operational stand-up", "operational", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 15
    ),
}  # fmt: skip
"""Forum kinds by key, with the level each decides at by default."""
MEMBER_ROLES = ("chair", "member", "secretary")
MIN_FREQUENCY = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


class Member(BaseModel):
    """A member of a forum: a party and its role there."""

    model_config = ConfigDict(extra="forbid")

    party: str
    role: str = "member"


class ForumSpec(BaseModel):
    """A forum as written. A ``starts_at`` without an offset is read in the forum's time zone."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")
    name: str = Field(min_length=1, max_length=200)
    kind: str
    level: str | None = Field(default=None, description="default: the kind's level")
    rrule: str = Field(description="iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=1FR")
    starts_at: datetime
    duration_minutes: int = 60
    timezone: str = "UTC"
    location: str | None = None
    members: list[Member] = Field(default_factory=list)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from exc


def rule_text(text: str) -> str:
    """The rule without an ``RRULE:`` prefix or surrounding space."""
    text = text.strip()
    return text[6:] if text.upper().startswith("RRULE:") else text


def parse_rule(text: str, start: datetime) -> rrule:
    """Parse an RRULE against a start (aware, in the forum's zone); raise ``ValueError``.

    Only one rule, at most daily: a forum that meets hourly is a typo.
    """
    body = rule_text(text)
    if not body or "\n" in body or ":" in body:
        raise ValueError("give one RRULE such as FREQ=WEEKLY;BYDAY=TU")
    parts = dict(p.partition("=")[::2] for p in body.upper().split(";"))
    if parts.get("FREQ") not in MIN_FREQUENCY:
        raise ValueError(f"FREQ must be one of {', '.join(MIN_FREQUENCY)}")
    if "UNTIL" in parts and not parts["UNTIL"].endswith("Z") and len(parts["UNTIL"]) > 8:
        raise ValueError("UNTIL must be in UTC (end with Z), as RFC 5545 asks with a TZID start")
    try:
        found = rrulestr(body, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a valid RRULE: {exc}") from exc
    if not isinstance(found, rrule):
        raise ValueError("give one RRULE, not a set")
    return found


def _local_start(forum: ForumSpec) -> datetime:
    """The start as wall-clock time in the forum's zone (an offset-less start is already so)."""
    zone = _zone(forum.timezone)
    if forum.starts_at.tzinfo is None:
        return forum.starts_at.replace(tzinfo=zone)
    return forum.starts_at.astimezone(zone)


def validate_forum(
    forum: ForumSpec, *, actors: Iterable[str] | None = None
) -> list[dict[str, str]]:
    """Return what is wrong with a forum, each error with a JSON pointer (empty: valid)."""
    errors: list[dict[str, str]] = []
    if forum.kind not in FORUM_KINDS:
        errors.append({"pointer": "/kind", "detail": f"one of {', '.join(FORUM_KINDS)}"})
    if forum.level is not None and forum.level not in LEVELS:
        errors.append({"pointer": "/level", "detail": f"one of {', '.join(LEVELS)}"})
    if not 1 <= forum.duration_minutes <= 24 * 60:
        errors.append({"pointer": "/duration_minutes", "detail": "from 1 to 1440 minutes"})
    try:
        rule = parse_rule(forum.rrule, _local_start(forum))
        if rule.after(_local_start(forum), inc=True) is None:
            errors.append({"pointer": "/rrule", "detail": "the rule has no occurrence"})
    except ValueError as exc:
        where = "/timezone" if "time zone" in str(exc) else "/rrule"
        errors.append({"pointer": where, "detail": str(exc)})
    known = set(actors) if actors is not None else None
    for i, member in enumerate(forum.members):
        where = pointer("members", i)
        try:
            party = parse_party(member.party)
        except ValueError as exc:
            errors.append({"pointer": where + "/party", "detail": str(exc)})
            continue
        if known is not None and party.kind == "actor" and party.name not in known:
            errors.append({"pointer": where + "/party", "detail": f"no actor {party.name!r}"})
        if member.role not in MEMBER_ROLES:
            errors.append({"pointer": where + "/role", "detail": f"one of {MEMBER_ROLES}"})
    if len({m.party for m in forum.members}) != len(forum.members):
        errors.append({"pointer": "/members", "detail": "name each party once"})
    return errors


def synchronised(forum: ForumSpec) -> ForumSpec:
    """The forum with its level filled in, its rule tidied and its start moved to the rule's
    first occurrence (in UTC). Call on a valid forum only."""
    local = _local_start(forum)
    first = parse_rule(forum.rrule, local).after(local, inc=True)
    assert first is not None  # validate_forum refused a rule without occurrences
    return forum.model_copy(
        update={
            "level": forum.level or FORUM_KINDS[forum.kind].level,
            "rrule": rule_text(forum.rrule).upper(),
            "starts_at": first.astimezone(UTC),
        }
    )


def next_occurrences(forum: ForumSpec, after: datetime, count: int = 1) -> list[datetime]:
    """The next ``count`` starts of the forum strictly after ``after``, in UTC.

    Expanded in the forum's zone, so a 09:00 meeting stays at 09:00 local time across DST.
    """
    local = _local_start(forum)
    rule = parse_rule(forum.rrule, local)
    found = rule.xafter(after.astimezone(local.tzinfo), count=count, inc=False)
    return [moment.astimezone(UTC) for moment in found]


ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
        "SA": "Saturday", "SU": "Sunday"}  # fmt: skip
UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def _day_words(code: str) -> str:
    number, name = code[:-2], DAYS.get(code[-2:], code[-2:])
    if not number:
        return name
    ordinal = ORDINALS.get(int(number), f"{number}.")
    return f"the {ordinal} {name}"


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_rule(text: str) -> str:
    """Say a rule in words, e.g. ``FREQ=MONTHLY;BYDAY=1FR`` -> ``every month on the first Friday``.

    Parts the words do not cover are added as written, so nothing is hidden.

    Examples
    --------
    >>> describe_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
    'every 2 weeks on Tuesday'
    """
    parts = dict(p.partition("=")[::2] for p in rule_text(text).upper().split(";") if p)
    unit = UNITS.get(parts.pop("FREQ", ""), "?")
    interval = int(parts.pop("INTERVAL", "1") or 1)
    words = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    if days := parts.pop("BYDAY", ""):
        words += " on " + _and([_day_words(d) for d in days.split(",")])
    if month_days := parts.pop("BYMONTHDAY", ""):
        words += " on day " + _and(month_days.split(","))
    if count := parts.pop("COUNT", ""):
        words += f", {count} times"
    if until := parts.pop("UNTIL", ""):
        words += f", until {until[:4]}-{until[4:6]}-{until[6:8]}"
    if parts:
        words += " (" + ";".join(f"{k}={v}" for k, v in parts.items()) + ")"
    return words


def describe_cadence(forum: ForumSpec) -> str:
    """The rule in words with the local time and zone, e.g. ``every week on Monday at 09:00
    (Europe/Berlin)``."""
    local = _local_start(forum)
    return f"{describe_rule(forum.rrule)} at {local:%H:%M} ({forum.timezone})"


def _attendee(member: Member) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress("urn:podium:" + quote(member.party, safe=":"))
    address.params["CN"] = icalendar.vText(member.party)
    address.params["ROLE"] = icalendar.vText(
        "CHAIR" if member.role == "chair" else "REQ-PARTICIPANT"
    )
    return address


def _event(forum: ForumSpec, uid: str, stamp: datetime, start: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("summary", forum.name)
    event.add("dtstart", start.astimezone(_zone(forum.timezone)))
    event.add("duration", timedelta(minutes=forum.duration_minutes))
    if forum.location:
        event.add("location", forum.location)
    lines = [f"{FORUM_KINDS.get(forum.kind, ForumKind(forum.kind, '', '', 0)).title}, "
             f"{forum.level or ''} level. Members:"]  # fmt: skip
    lines += [f"- {m.party} ({m.role})" for m in forum.members]
    event.add("description", "\n".join(lines))
    for member in forum.members:
        event.add("attendee", _attendee(member), encode=False)
    return event


def to_ics(
    forums: Sequence[ForumSpec],
    *,
    scope: str,
    stamp: datetime,
    occurrences: Mapping[str, Sequence[datetime]] | None = None,
) -> bytes:
    """An iCalendar file of the forums: one recurring VEVENT (RRULE, DTSTART with TZID, DURATION,
    attendees) per forum, UID ``forum-<key>.<scope>@podium`` so a re-import updates it.

    ``occurrences`` (forum key -> starts) lists single meetings instead of the series for the
    forums it names, each with its own UID.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Podium//Govern forums//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Podium forums: {scope}")
    for forum in forums:
        uid = f"forum-{forum.key}.{scope}@podium"
        chosen = (occurrences or {}).get(forum.key)
        if chosen is None:
            event = _event(forum, uid, stamp, forum.starts_at)
            event.add("rrule", icalendar.vRecur.from_ical(rule_text(forum.rrule)))
            calendar.add_component(event)
            continue
        for start in chosen:
            single = f"{start.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uid}"
            calendar.add_component(_event(forum, single, stamp, start))
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- agenda ---------------------------------------------------------------------------------------

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
EXCEPTION_SEVERITIES = ("critical", "high")
"""Data exceptions of these severities go on operational and tactical agendas."""


@dataclass(frozen=True)
class AgendaCandidate:
    """Something that may go on an agenda: an open escalation, data exception or due KPI."""

    kind: str
    ref: str
    title: str
    severity: str
    opened_at: datetime
    strategic: bool = False
    level: str | None = None
    due_at: datetime | None = None
    parties: tuple[str, ...] = ()
    routed: bool = True


@dataclass(frozen=True)
class AgendaItem:
    """An agenda item: what, why it is here (``reason``) and how old it is (hours)."""

    candidate: AgendaCandidate
    reason: str
    age_hours: float

    def to_json(self) -> dict[str, Any]:
        """The item as JSON-ready values (times as ISO 8601), for the frozen agenda."""
        c = self.candidate
        return {
            "kind": c.kind, "ref": c.ref, "title": c.title, "severity": c.severity,
            "strategic": c.strategic, "level": c.level, "parties": list(c.parties),
            "opened_at": c.opened_at.isoformat(),
            "due_at": c.due_at.isoformat() if c.due_at else None,
            "age_hours": round(self.age_hours, 1), "reason": self.reason,
        }  # fmt: skip


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _reason(c: AgendaCandidate, forum_level: str, now: datetime) -> str:
    age = f"open {_hours(now - c.opened_at):.0f} h"
    if c.kind == "escalation":
        if c.routed:
            why = [f"escalation at the {c.level or forum_level} level, routed to this forum"]
            why += ["strategic decision type"] if c.strategic else []
        else:
            why = [f"strategic decision type, followed here while the {c.level} level handles it"]
        if c.due_at is not None:
            left = _hours(c.due_at - now)
            why.append(f"SLA passed {-left:.0f} h ago" if left < 0 else f"SLA due in {left:.0f} h")
        else:
            why.append("SLA breached at the top of its path")
        return "; ".join([*why, c.severity, age])
    if c.kind == "exception":
        return (
            f"{c.severity} data exception ({forum_level} forums review high-severity ones); {age}"
        )
    return f"KPI due for review; {age}"


def _rank(c: AgendaCandidate) -> tuple[int, int, datetime, str, str]:
    first = 0 if c.strategic or c.severity == "critical" else 1
    return (first, SEVERITY_RANK.get(c.severity, 4), c.opened_at, c.kind, c.ref)


def build_agenda(
    escalations: Iterable[AgendaCandidate],
    exceptions: Iterable[AgendaCandidate],
    kpis_due: Iterable[AgendaCandidate],
    forum_level: str,
    *,
    now: datetime,
) -> list[AgendaItem]:
    """Order what a forum should discuss: strategic or critical items first, then by severity,
    then oldest first; each with the reason it is on the agenda.

    Data exceptions come to operational and tactical forums only, and only the high and critical
    ones (a strategic forum sees them once they are escalated).
    """
    chosen = list(escalations) + list(kpis_due)
    if forum_level != "strategic":
        chosen += [e for e in exceptions if e.severity in EXCEPTION_SEVERITIES]
    return [
        AgendaItem(c, _reason(c, forum_level, now), max(0.0, _hours(now - c.opened_at)))
        for c in sorted(chosen, key=_rank)
    ]
