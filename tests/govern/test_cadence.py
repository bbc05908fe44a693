"""Forum cadences: RRULE expansion against RFC 5545's worked examples, DST, words, the .ics
export read back with icalendar, and the ordering of agendas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from podium.govern.cadence import (
    AgendaCandidate,
    ForumSpec,
    Member,
    build_agenda,
    describe_cadence,
    describe_rule,
    next_occurrences,
    synchronised,
    to_ics,
    validate_forum,
)

NEW_YORK = ZoneInfo("America/New_York")


def forum(**changes: object) -> ForumSpec:
    data: dict[str, object] = {
        "key": "steering",
        "name": "Steering committee",
        "kind": "steering_committee",
        "rrule": "FREQ=MONTHLY;BYDAY=1FR",
        "starts_at": datetime(2026, 1, 2, 9, 0),
        "timezone": "Europe/Berlin",
        "duration_minutes": 90,
        "members": [{"party": "person:Ana Ruiz", "role": "chair"}, {"party": "actor:castco"}],
    }
    data.update(changes)
    return ForumSpec.model_validate(data)


def ny(*days: tuple[int, int], year: int = 1997) -> list[datetime]:
    return [datetime(year, m, d, 9, 0, tzinfo=NEW_YORK).astimezone(UTC) for m, d in days]


def test_monthly_on_the_first_friday_rfc5545() -> None:
    """RFC 5545 section 3.8.5.3, "Monthly on the first Friday for 10 occurrences":
    DTSTART;TZID=America/New_York:19970905T090000, RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR gives
    Sep 5, Oct 3 (EDT), Nov 7, Dec 5 1997, Jan 2, Feb 6, Mar 6, Apr 3 1998 (EST), May 1, Jun 5
    1998 (EDT), always 09:00 local time."""
    spec = forum(
        rrule="FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
        starts_at=datetime(1997, 9, 5, 9, 0, tzinfo=NEW_YORK),
        timezone="America/New_York",
    )
    expected = ny((9, 5), (10, 3), (11, 7), (12, 5)) + ny(
        (1, 2), (2, 6), (3, 6), (4, 3), (5, 1), (6, 5), year=1998
    )
    found = next_occurrences(spec, datetime(1997, 9, 1, tzinfo=UTC), 20)
    assert found == expected
    assert [f.hour for f in found] == [13, 13, 14, 14, 14, 14, 14, 14, 13, 13]  # EDT, EST, EDT


def test_every_other_week_on_tuesday_and_thursday_rfc5545() -> None:
    """RFC 5545 section 3.8.5.3, "Every other week on Tuesday and Thursday, for 8 occurrences":
    DTSTART;TZID=America/New_York:19970902T090000,
    RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH gives Sep 2, 4, 16, 18, 30 and
    Oct 2, 14, 16 1997."""
    spec = forum(
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
        starts_at=datetime(1997, 9, 2, 9, 0),
        timezone="America/New_York",
    )
    days = [(9, 2), (9, 4), (9, 16), (9, 18), (9, 30), (10, 2), (10, 14), (10, 16)]
    assert next_occurrences(spec, datetime(1997, 1, 1, tzinfo=UTC), 50) == ny(*days)


def test_until_in_utc_across_the_dst_change_rfc5545() -> None:
    """RFC 5545 section 3.8.5.3, "Every other week on Monday, Wednesday, and Friday until
    December 24, 1997": RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR
    from 19970901T090000 New York gives Sep 1,3,5,15,17,19,29, Oct 1,3,13,15,17 (EDT),
    Oct 27,29,31, Nov 10,12,14,24,26,28, Dec 8,10,12,22 (EST)."""
    spec = forum(
        rrule="FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
        starts_at=datetime(1997, 9, 1, 9, 0),
        timezone="America/New_York",
    )
    days = [(9, 1), (9, 3), (9, 5), (9, 15), (9, 17), (9, 19), (9, 29), (10, 1), (10, 3),
            (10, 13), (10, 15), (10, 17), (10, 27), (10, 29), (10, 31), (11, 10), (11, 12),
            (11, 14), (11, 24), (11, 26), (11, 28), (12, 8), (12, 10), (12, 12),
            (12, 22)]  # fmt: skip
    assert next_occurrences(spec, datetime(1997, 1, 1, tzinfo=UTC), 100) == ny(*days)


def test_a_weekly_meeting_keeps_its_local_time_over_the_spring_change() -> None:
    """Europe/Berlin moves to CEST on 2026-03-29: 09:00 is 08:00 UTC before, 07:00 UTC after."""
    spec = forum(rrule="FREQ=WEEKLY;BYDAY=MO", starts_at=datetime(2026, 3, 16, 9, 0))
    assert next_occurrences(spec, datetime(2026, 3, 16, 8, 0, tzinfo=UTC), 3) == [
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        datetime(2026, 4, 6, 7, 0, tzinfo=UTC),
    ]


def test_the_start_moves_to_the_first_occurrence() -> None:
    """2026-01-01 is a Thursday; the first Friday of January 2026 is the 2nd (09:00 CET is
    08:00 UTC)."""
    synced = synchronised(forum(starts_at=datetime(2026, 1, 1, 9, 0)))
    assert synced.starts_at == datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    assert synced.level == "strategic"
    assert next_occurrences(synced, datetime(2026, 1, 2, 8, 0, tzinfo=UTC), 1) == [
        datetime(2026, 2, 6, 8, 0, tzinfo=UTC)
    ]


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"kind": "tea_party"}, "/kind"),
        ({"level": "board"}, "/level"),
        ({"duration_minutes": 0}, "/duration_minutes"),
        ({"rrule": "FREQ=HOURLY"}, "/rrule"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "/rrule"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20270101T000000"}, "/rrule"),
        ({"rrule": "FREQ=WEEKLY;COUNT=1;BYDAY=MO", "starts_at": datetime(2026, 1, 1, 9)}, None),
        ({"rrule": "FREQ=DAILY;UNTIL=20200101T000000Z"}, "/rrule"),
        ({"timezone": "Mars/Olympus"}, "/timezone"),
        ({"members": [{"party": "bob"}]}, "/members/0/party"),
        ({"members": [{"party": "actor:ghost"}]}, "/members/0/party"),
        ({"members": [{"party": "actor:castco", "role": "king"}]}, "/members/0/role"),
        ({"members": [{"party": "actor:castco"}, {"party": "actor:castco"}]}, "/members"),
    ],
)
def test_bad_forums_are_pointed_at(changes: dict[str, object], where: str | None) -> None:
    errors = validate_forum(forum(**changes), actors={"castco", "oem"})
    assert [e["pointer"] for e in errors] == ([where] if where else [])


def test_rules_in_words() -> None:
    assert describe_rule("FREQ=MONTHLY;BYDAY=1FR") == "every month on the first Friday"
    assert describe_rule("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH") == (
        "every 2 weeks on Tuesday and Thursday"
    )
    assert describe_rule("FREQ=MONTHLY;BYDAY=-1MO;COUNT=3") == (
        "every month on the last Monday, 3 times"
    )
    assert describe_rule("FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20271231T000000Z;BYSETPOS=1") == (
        "every month on day 15, until 2027-12-31 (BYSETPOS=1)"
    )
    assert describe_cadence(forum()) == "every month on the first Friday at 09:00 (Europe/Berlin)"


def test_the_calendar_reads_back_and_expands_to_the_same_meetings() -> None:
    spec = synchronised(forum(location="Room 4"))
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    data = to_ics([spec], scope="small", stamp=stamp)
    assert to_ics([spec], scope="small", stamp=stamp) == data  # stable
    calendar = icalendar.Calendar.from_ical(data)
    events: list[Any] = calendar.walk("VEVENT")
    (event,) = events
    assert str(event["uid"]) == "forum-steering.small@podium"
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtstart") == datetime(2026, 1, 2, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert event.decoded("duration") == timedelta(minutes=90)
    assert str(event["location"]) == "Room 4"
    attendees = event["attendee"]
    assert [a.params["CN"] for a in attendees] == ["person:Ana Ruiz", "actor:castco"]
    assert attendees[0].params["ROLE"] == "CHAIR"
    assert "actor:castco (member)" in str(event["description"])
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Berlin"
    rule = event["rrule"].to_ical().decode()
    ics_series: Any = rrulestr(rule, dtstart=event.decoded("dtstart"))
    after = datetime(2026, 1, 1, tzinfo=UTC)
    assert [d.astimezone(UTC) for d in ics_series[:12]] == next_occurrences(spec, after, 12)


def test_single_occurrences_get_their_own_uids() -> None:
    spec = synchronised(forum())
    starts = next_occurrences(spec, datetime(2026, 1, 1, tzinfo=UTC), 2)
    data = to_ics([spec], scope="s", stamp=starts[0], occurrences={"steering": starts})
    events: list[Any] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        "20260102T080000Z-forum-steering.s@podium",
        "20260206T080000Z-forum-steering.s@podium",
    ]
    assert all("rrule" not in e for e in events)


# --- agenda ---------------------------------------------------------------------------------------

NOW = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)


def item(kind: str, ref: str, severity: str, hours_ago: float, **extra: object) -> AgendaCandidate:
    return AgendaCandidate(
        kind=kind,
        ref=ref,
        title=f"{kind} {ref}",
        severity=severity,
        opened_at=NOW - timedelta(hours=hours_ago),
        **extra,  # type: ignore[arg-type]
    )


def test_strategic_and_critical_first_then_severity_then_age() -> None:
    escalations = [
        item("escalation", "1", "medium", 10, level="tactical"),
        item("escalation", "2", "low", 5, strategic=True, level="strategic"),
        item("escalation", "3", "high", 50, level="tactical", due_at=NOW - timedelta(hours=2)),
        item("escalation", "4", "critical", 1, level="tactical", due_at=NOW + timedelta(hours=6)),
        item("escalation", "5", "medium", 30, level="tactical"),
    ]
    exceptions = [item("exception", "9", "high", 70), item("exception", "8", "low", 100)]
    kpis = [item("kpi", "otif", "medium", 20)]
    agenda = build_agenda(escalations, exceptions, kpis, "tactical", now=NOW)
    assert [(i.candidate.kind, i.candidate.ref) for i in agenda] == [
        ("escalation", "4"),  # critical
        ("escalation", "2"),  # strategic (low)
        ("exception", "9"),  # high, 70 h
        ("escalation", "3"),  # high, 50 h
        ("escalation", "5"),  # medium, 30 h
        ("kpi", "otif"),  # medium, 20 h
        ("escalation", "1"),  # medium, 10 h
    ]
    reasons = {i.candidate.ref: i.reason for i in agenda}
    assert reasons["3"] == (
        "escalation at the tactical level, routed to this forum; SLA passed 2 h ago; high; "
        "open 50 h"
    )
    assert reasons["4"].endswith("SLA due in 6 h; critical; open 1 h")
    assert "strategic decision type" in reasons["2"]
    assert reasons["9"] == (
        "high data exception (tactical forums review high-severity ones); open 70 h"
    )
    assert agenda[0].to_json()["age_hours"] == 1.0


def test_a_strategic_forum_gets_no_raw_exceptions() -> None:
    exceptions = [item("exception", "9", "critical", 70)]
    assert build_agenda([], exceptions, [], "strategic", now=NOW) == []
    assert len(build_agenda([], exceptions, [], "operational", now=NOW)) == 1


def test_members_are_parsed() -> None:
    assert forum().members[0] == Member(party="person:Ana Ruiz", role="chair")
