"""Alembic environment: migrates the database named in the Alembic config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

import podium.align.models
import podium.core.audit
import podium.core.auth
import podium.ecosystem.models
import podium.govern.models
import podium.integrate.models
import podium.learn.models
import podium.learn.scorecard_models
import podium.mapping.models  # noqa: F401  (registers the tables)
from podium.core.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the migrations without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the configured database."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
