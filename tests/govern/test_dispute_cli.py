"""``podium govern disputes`` on a SQLite file: a party proposes a settlement, the other party
accepts it (the proposer cannot), and the dispute is resolved by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.samples import SAMPLES

runner = CliRunner()


def text(output: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """--database of a SQLite file with the sample and a partner user of kinsei and of velora."""
    option = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, actor in (("kin", "kinsei"), ("vel", "velora")):
        args = [*option, "user", "add", user, "--role", "partner_user", "--password",
                "long enough pw", "--ecosystem", "manufacturer", "--actor", actor]  # fmt: skip
        assert runner.invoke(app, args).exit_code == 0
    return option


def disputes(db: list[str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*db, "govern", "disputes", *args])
    return result.exit_code, text(result.output)


def test_the_other_party_accepts_a_settlement(db: list[str]) -> None:
    code, opened = disputes(db, "open", "manufacturer", "Tooling cost", "--user", "kin",
                            "--subject", "cost_allocation", "--party", "actor:velora")  # fmt: skip
    assert code == 0 and "Opened dispute 1" in opened
    assert disputes(db, "accept", "manufacturer", "1", "--user", "vel") == (
        1,
        "Conflict: no settlement has been proposed",
    )
    code, _ = disputes(db, "evidence", "manufacturer", "1", "Split the tooling 60/40",
                       "--kind", "proposal", "--user", "kin")  # fmt: skip
    assert code == 0
    code, own = disputes(db, "accept", "manufacturer", "1", "--user", "kin")
    assert code == 1 and "the latest proposal is your own" in own
    code, accepted = disputes(db, "accept", "manufacturer", "1", "--user", "vel")
    assert (code, accepted) == (0, "Dispute 1 is resolved: Split the tooling 60/40")
    code, shown = disputes(db, "show", "manufacturer", "1", "--user", "kin")
    assert code == 0 and "resolved" in shown and "Outcome: Split the tooling 60/40" in shown
    code, missing = disputes(db, "accept", "manufacturer", "9", "--user", "vel")
    assert code == 1 and "Not found" in missing


def test_accept_has_an_example() -> None:
    helped = runner.invoke(app, ["govern", "disputes", "accept", "--help"])
    assert helped.exit_code == 0 and "Example: podium govern disputes accept" in text(helped.output)
