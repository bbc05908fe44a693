"""Podium's settings, read from the environment (prefix ``PODIUM_``) and passed explicitly."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """Return the SQLite file under the user's data directory."""
    folder = Path(user_data_dir("podium", appauthor=False))
    return f"sqlite:///{folder / 'podium.db'}"


class Settings(BaseSettings):
    """Everything Podium reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="PODIUM_", env_file=None, extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description="signs console session cookies; set it to keep sessions across restarts",
    )
    session_max_age_s: int = 8 * 3600
    secure_cookies: bool = Field(
        default=False, description="mark session cookies Secure (set when served over HTTPS)"
    )
    max_upload_bytes: int = 200 * 1024 * 1024
    max_submission_bytes: int = Field(
        default=32 * 1024 * 1024,
        description="largest partner-data or EPCIS request body, bytes (larger: 413)",
    )
    epcis_schema_path: Path | None = Field(
        default=None,
        description="the official EPCIS 2.0 JSON Schema; when set, every capture is also "
        "checked against it",
    )
    frozen_horizon_days: int = Field(
        default=14, description="days ahead in which a forecast change raises an exception"
    )
    forecast_swing_threshold: float = Field(
        default=0.2, description="relative forecast change that raises an exception"
    )
    escalation_sweep_s: float = Field(
        default=60.0,
        description="seconds between sweeps that escalate overdue escalations (0: no sweeper)",
    )
    certification_warning_days: int = Field(
        default=30, description="days before expiry at which a certification raises an exception"
    )
    page_size_default: int = 100
    page_size_max: int = 1000


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
