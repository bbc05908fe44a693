"""The Alembic migrations build exactly the schema the models declare, and can be undone."""

from __future__ import annotations

from alembic import command

from podium.core.db import alembic_config


def test_migrations_match_the_models(database_url: str) -> None:
    """`alembic check` finds nothing to autogenerate: every model change has its migration."""
    command.check(alembic_config(database_url))


def test_downgrade_and_upgrade_again(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/down.db"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
