"""Run the CLI with ``python -m podium``."""

from podium.cli import app

app(prog_name="podium")
