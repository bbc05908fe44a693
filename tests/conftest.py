"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when configured), sessions
wrapped in a SAVEPOINT, an app with a real HTTP client, and users of each role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from podium.app import create_app
from podium.core.auth import Role, add_user, issue_token
from podium.core.db import Base, make_engine, upgrade_database
from podium.core.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = REPO_ROOT.parent / "shared" / "reference"
POSTGRES_URL = os.environ.get("PODIUM_TEST_POSTGRES_URL")
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def reference_path(*parts: str) -> Path:
    """Return a path under ../shared/reference, skipping the test when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path}")
    return path


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database: a SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'podium.db'}"
    else:
        if not POSTGRES_URL:
            pytest.skip("PODIUM_TEST_POSTGRES_URL is not set")
        url = POSTGRES_URL
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine over the test database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become SAVEPOINTs)."""
    with engine.connect() as connection:
        transaction = connection.begin()
        db = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db
        finally:
            db.close()
            transaction.rollback()


def wipe(engine: Engine) -> None:
    """Delete every row (for tests that commit through the app)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings over the test database."""
    return Settings(database_url=database_url, secret_key="test-secret-key", escalation_sweep_s=0)


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """An HTTP client for the app; the database is emptied afterwards."""
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
    wipe(engine)


TokenFor = Callable[..., dict[str, str]]


@pytest.fixture
def token_for(client: TestClient) -> TokenFor:
    """Return a function that creates a user of a role and gives its bearer-token headers."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    counter = iter(range(10_000))

    def make(
        role: Role, *, ecosystem_id: int | None = None, actor: str | None = None
    ) -> dict[str, str]:
        with factory() as db:
            user = add_user(
                session=db,
                username=f"{role.value}-{next(counter)}",
                password="correct horse battery",
                role=role,
                partner_ecosystem_id=ecosystem_id,
                partner_actor=actor,
            )
            token = issue_token(session=db, user=user)
            db.commit()
        return {"Authorization": f"Bearer {token}"}

    return make
