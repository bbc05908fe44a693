"""``podium govern rights`` and ``podium govern forums`` on a SQLite file: defaults, a right set
from YAML with its history and export, a forum added with its agenda, calendar and minutes."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
import yaml
from typer.testing import CliRunner

from podium.cli import app
from podium.samples import SAMPLES

runner = CliRunner()


def text(output: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    option = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role, actor in (("ana", "analyst", None), ("kin", "partner_user", "kinsei")):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        if actor:
            args += ["--ecosystem", "manufacturer", "--actor", actor]
        assert runner.invoke(app, args).exit_code == 0
    return option


def run(db: list[str], *args: str) -> str:
    result = runner.invoke(app, [*db, "govern", *args])
    assert result.exit_code == 0, result.output
    return text(result.output)


def test_rights_init_set_history_and_export(db: list[str], tmp_path: Path) -> None:
    assert "Created 9 decision right(s)" in run(
        db, "rights", "init", "manufacturer", "--user", "ana"
    )
    listed = run(db, "rights", "list", "manufacturer", "--user", "ana")
    assert "data_access *" in listed and "strategic" in listed
    shown = runner.invoke(app, [*db, "govern", "rights", "show", "manufacturer", "data_access",
                                "--user", "ana"])  # fmt: skip
    document = yaml.safe_load(shown.output.split("\n", 1)[1])
    document["raci"]["actor:kinsei"] = "I"
    source = tmp_path / "data_access.yaml"
    source.write_text(yaml.safe_dump(document))
    saved = run(
        db, "rights", "set", "manufacturer", str(source), "--user", "ana", "--note", "tell kinsei"
    )
    assert "data_access: version 2 is current" in saved
    history = run(db, "rights", "history", "manufacturer", "data_access", "--user", "ana")
    assert "/raci/actor:kinsei: C -> I" in history and "tell kinsei" in history
    out = tmp_path / "raci.csv"
    run(db, "rights", "export", "manufacturer", str(out), "--user", "ana")
    assert out.read_text().splitlines()[0].startswith("decision_type,title,strategic,path,")
    document["raci"]["actor:nobody"] = "C"
    source.write_text(yaml.safe_dump(document))
    refused = runner.invoke(app, [*db, "govern", "rights", "set", "manufacturer", str(source),
                                  "--user", "ana"])  # fmt: skip
    assert refused.exit_code == 1 and "not valid" in text(refused.output)
    denied = runner.invoke(app, [*db, "govern", "rights", "list", "manufacturer", "--user", "kin"])
    assert denied.exit_code == 1 and "lacks govern:read" in text(denied.output)


def test_forums_add_agenda_ics_and_minutes(db: list[str], tmp_path: Path) -> None:
    added = run(db, "forums", "add", "manufacturer", "weekly", "--user", "ana",
                "--kind", "operational_standup", "--rrule", "FREQ=WEEKLY;BYDAY=TU",
                "--starts", "2026-03-03T09:00", "--timezone", "Europe/Berlin",
                "--member", "person:ana=chair", "--member", "actor:kinsei")  # fmt: skip
    assert "every week on Tuesday at 09:00 (Europe/Berlin)" in added
    assert "weekly" in run(db, "forums", "list", "manufacturer", "--user", "kin")
    prepared = run(db, "forums", "agenda", "manufacturer", "weekly", "--user", "ana", "--prepare")
    assert "Prepared as meeting 1." in prepared
    calendar = tmp_path / "forums.ics"
    run(db, "forums", "ics", "manufacturer", str(calendar), "--user", "kin")
    (event,) = icalendar.Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "weekly"
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text(yaml.safe_dump({
        "attendees": ["person:ana", "actor:kinsei"], "minutes": "Short call.",
        "decisions": [{"title": "Keep the cadence", "text": "Weekly it stays."}],
    }))  # fmt: skip
    recorded = run(db, "forums", "minutes", "manufacturer", "weekly", str(minutes), "--user", "ana")
    assert "Recorded the minutes of meeting 1 with 1 decision(s)." in recorded
    bad = runner.invoke(app, [*db, "govern", "forums", "add", "manufacturer", "x", "--user", "ana",
                              "--kind", "operational_standup", "--rrule", "FREQ=WEEKLY",
                              "--starts", "tomorrow"])  # fmt: skip
    assert bad.exit_code == 1 and "/starts_at" in text(bad.output)


def add_weekly(db: list[str], tmp_path: Path) -> None:
    """A weekly forum (ana chairs, kinsei sits in) whose first meeting decided one thing."""
    run(db, "forums", "add", "manufacturer", "weekly", "--user", "ana",
        "--kind", "operational_standup", "--rrule", "FREQ=WEEKLY;BYDAY=TU",
        "--starts", "2026-03-03T09:00", "--member", "person:ana=chair",
        "--member", "actor:kinsei")  # fmt: skip
    run(db, "forums", "agenda", "manufacturer", "weekly", "--user", "ana", "--prepare")
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text(yaml.safe_dump({
        "attendees": ["person:ana"], "minutes": "Short call.",
        "decisions": [{"title": "Keep it", "text": "Weekly.", "links": [{"kind": "kpi",
                                                                          "id": "otif"}]}],
    }))  # fmt: skip
    run(db, "forums", "minutes", "manufacturer", "weekly", str(minutes), "--user", "ana")


def test_forums_decisions_lists_the_recorded_decisions(db: list[str], tmp_path: Path) -> None:
    assert "Decisions" in run(db, "forums", "decisions", "manufacturer", "--user", "ana")
    add_weekly(db, tmp_path)
    listed = run(db, "forums", "decisions", "manufacturer", "--user", "kin")
    for shown in ("id", "forum", "title", "decided_at", "links", "1", "weekly", "Keep it"):
        assert shown in listed
    assert "kpi:otif" in listed
    only = run(db, "forums", "decisions", "manufacturer", "--forum", "weekly", "--user", "ana")
    assert "Keep it" in only
    missing = runner.invoke(app, [*db, "govern", "forums", "decisions", "manufacturer",
                                  "--forum", "nope", "--user", "ana"])  # fmt: skip
    assert missing.exit_code == 1 and "no forum 'nope'" in text(missing.output)
    helped = runner.invoke(app, ["govern", "forums", "decisions", "--help"])
    assert "Example: podium govern forums decisions" in text(helped.output)


def test_forums_deactivate(db: list[str], tmp_path: Path) -> None:
    run(db, "rights", "init", "manufacturer", "--user", "ana")
    add_weekly(db, tmp_path)
    denied = runner.invoke(app, [*db, "govern", "forums", "deactivate", "manufacturer", "weekly",
                                 "--user", "kin"])  # fmt: skip
    assert denied.exit_code == 1 and "lacks govern:write" in text(denied.output)
    routed = runner.invoke(app, [*db, "govern", "forums", "deactivate", "manufacturer",
                                 "operational-standup", "--user", "ana"])  # fmt: skip
    assert routed.exit_code == 1 and "decision rights route to" in text(routed.output)
    done = run(db, "forums", "deactivate", "manufacturer", "weekly", "--user", "ana")
    assert "Forum weekly is inactive." in done
    assert "weekly" not in run(db, "forums", "list", "manufacturer", "--user", "ana")
    assert "weekly" in run(db, "forums", "decisions", "manufacturer", "--user", "ana")
    helped = runner.invoke(app, ["govern", "forums", "deactivate", "--help"])
    assert "Example: podium govern forums deactivate" in text(helped.output)
