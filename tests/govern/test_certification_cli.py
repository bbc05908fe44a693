"""``podium govern certifications revoke`` on a SQLite file: a certification revoked once stays on
record as revoked; a viewer, a second revoke and an unknown id are refused."""

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
    """--database of a SQLite file with the sample, an analyst and a viewer."""
    option = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role in (("ana", "analyst"), ("vic", "viewer")):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        assert runner.invoke(app, args).exit_code == 0
    return option


def certifications(db: list[str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*db, "govern", "certifications", *args])
    return result.exit_code, text(result.output)


def test_revoke_a_certification(db: list[str]) -> None:
    code, _ = certifications(db, "scheme-add", "manufacturer", "esd", "esd-handling",
                             "--level", "basic", "--level", "expert", "--user", "ana")  # fmt: skip
    assert code == 0
    code, added = certifications(db, "add", "manufacturer", "esd", "velora", "expert",
                                 "--user", "ana")  # fmt: skip
    assert code == 0 and "Certified velora in esd at expert" in added
    code, denied = certifications(db, "revoke", "manufacturer", "1", "--user", "vic")
    assert code == 1 and "lacks govern:write" in denied
    code, revoked = certifications(db, "revoke", "manufacturer", "1", "--user", "ana",
                                   "--reason", "failed audit")  # fmt: skip
    assert (code, revoked) == (0, "Revoked certification 1 (velora, expert).")
    code, listed = certifications(db, "list", "manufacturer", "--user", "ana")
    assert code == 0 and "revoked" in listed
    code, again = certifications(db, "revoke", "manufacturer", "1", "--user", "ana")
    assert (code, again) == (1, "Conflict: certification 1 is already revoked")
    code, missing = certifications(db, "revoke", "manufacturer", "7", "--user", "ana")
    assert code == 1 and "certification 7 not found" in missing
    helped = runner.invoke(app, ["govern", "certifications", "revoke", "--help"])
    assert "Example: podium govern certifications revoke" in text(helped.output)
