"""Users, roles, permissions and API tokens.

Roles at the orchestrator: ``admin``, ``analyst``, ``viewer``; at a partner: ``partner_admin`` and
``partner_user``, each bound to one partner actor of one ecosystem. Permissions are data: each role
grants a set of ``area:action`` strings; anything not granted is denied. Partners get no
``analysis:*`` permission: an analysis of the whole network reveals all of it. ``data:read`` lets a
caller ask for partner data; what it then sees is decided row by row by the data-sharing agreements
(:mod:`podium.integrate.policy`). Partners submit data (``data:submit``) for their own actor, the
orchestrator's admins and analysts for the orchestrator actor. Governance: ``govern:read`` sees the
whole of it (decision rights, forums, every escalation and dispute, platform dependency) and is the
orchestrator's; ``govern:write`` edits it; ``govern:take_part`` raises escalations and disputes and
responds to those that involve the caller (a partner sees only those naming its actor). Learn:
``learn:read`` sees KPIs, scorecards, segments, reviews and reports (a partner: only its own
numbers); ``learn:write`` sets targets and scorecard definitions and records initiatives and
reviews. Align: ``align:read`` evaluates contracts, cost-sharing games and the misalignment checks;
``align:write`` declares the commercial agreements and incentives they read. Partners get
neither: commercial terms and their assessment are the orchestrator's.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from podium.core.db import Base, utcnow
from podium.core.errors import Conflict, Invalid, NotFound


class Role(StrEnum):
    """What a user is to Podium."""

    ADMIN = "admin"
    ANALYST = "analyst"
    VIEWER = "viewer"
    PARTNER_ADMIN = "partner_admin"
    PARTNER_USER = "partner_user"


class Permission(StrEnum):
    """One thing a route may require."""

    ECOSYSTEM_READ = "ecosystem:read"
    ECOSYSTEM_WRITE = "ecosystem:write"
    ECOSYSTEM_ADMIN = "ecosystem:admin"
    USER_ADMIN = "user:admin"
    CONSOLE = "console:use"
    ANALYSIS_READ = "analysis:read"
    ANALYSIS_RUN = "analysis:run"
    DATA_SUBMIT = "data:submit"
    DATA_READ = "data:read"
    AGREEMENT_READ = "agreement:read"
    AGREEMENT_WRITE = "agreement:write"
    AUDIT_READ = "audit:read"
    EXCEPTION_READ = "exception:read"
    EXCEPTION_WRITE = "exception:write"
    GOVERN_READ = "govern:read"
    GOVERN_WRITE = "govern:write"
    GOVERN_TAKE_PART = "govern:take_part"
    LEARN_READ = "learn:read"
    LEARN_WRITE = "learn:write"
    ALIGN_READ = "align:read"
    ALIGN_WRITE = "align:write"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset(
        {
            Permission.ECOSYSTEM_READ,
            Permission.ECOSYSTEM_WRITE,
            Permission.CONSOLE,
            Permission.ANALYSIS_READ,
            Permission.ANALYSIS_RUN,
            Permission.DATA_READ,
            Permission.AGREEMENT_READ,
            Permission.AUDIT_READ,
            Permission.EXCEPTION_READ,
            Permission.EXCEPTION_WRITE,
            Permission.DATA_SUBMIT,
            Permission.GOVERN_READ,
            Permission.GOVERN_WRITE,
            Permission.GOVERN_TAKE_PART,
            Permission.LEARN_READ,
            Permission.LEARN_WRITE,
            Permission.ALIGN_READ,
            Permission.ALIGN_WRITE,
        }
    ),
    Role.VIEWER: frozenset(
        {
            Permission.ECOSYSTEM_READ,
            Permission.CONSOLE,
            Permission.ANALYSIS_READ,
            Permission.DATA_READ,
            Permission.AGREEMENT_READ,
            Permission.EXCEPTION_READ,
            Permission.GOVERN_READ,
            Permission.LEARN_READ,
            Permission.ALIGN_READ,
        }
    ),
    Role.PARTNER_ADMIN: frozenset(
        {
            Permission.ECOSYSTEM_READ,
            Permission.CONSOLE,
            Permission.DATA_SUBMIT,
            Permission.DATA_READ,
            Permission.AGREEMENT_READ,
            Permission.AGREEMENT_WRITE,
            Permission.AUDIT_READ,
            Permission.GOVERN_TAKE_PART,
            Permission.LEARN_READ,
        }
    ),
    Role.PARTNER_USER: frozenset(
        {
            Permission.ECOSYSTEM_READ,
            Permission.CONSOLE,
            Permission.DATA_SUBMIT,
            Permission.DATA_READ,
            Permission.AGREEMENT_READ,
            Permission.GOVERN_TAKE_PART,
            Permission.LEARN_READ,
        }
    ),
}
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})

_hasher = PasswordHasher()


class User(Base):
    """A person who signs in to the console or calls the API."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(40))
    partner_ecosystem_id: Mapped[int | None] = mapped_column(
        ForeignKey("ecosystems.id", ondelete="CASCADE")
    )
    partner_actor: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: int
    username: str
    role: Role
    partner_ecosystem_id: int | None = None
    partner_actor: str | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        """The permissions the caller's role grants."""
        return ROLE_PERMISSIONS[self.role]

    @property
    def is_partner(self) -> bool:
        """Whether the caller acts for a partner (and so sees only its own part)."""
        return self.role in PARTNER_ROLES

    def can(self, permission: Permission) -> bool:
        """Whether the caller's role grants ``permission``."""
        return permission in self.permissions


def principal_of(user: User) -> Principal:
    """Return the principal a stored user acts as."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        partner_ecosystem_id=user.partner_ecosystem_id,
        partner_actor=user.partner_actor,
    )


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    """Return the stored form of an API token (tokens are random, so SHA-256 suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    partner_ecosystem_id: int | None = None,
    partner_actor: str | None = None,
) -> User:
    """Create a user; partner roles must name their ecosystem and actor."""
    if len(password) < 8:
        raise Invalid("password: use at least 8 characters")
    if (role in PARTNER_ROLES) != (partner_actor is not None and partner_ecosystem_id is not None):
        raise Invalid("partner roles, and only they, are bound to one partner actor")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role.value,
        partner_ecosystem_id=partner_ecosystem_id,
        partner_actor=partner_actor,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """Return the active user whose password matches, else None (no hint which part failed)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher.hash(password)  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def issue_token(*, session: Session, user: User, name: str = "api") -> str:
    """Create an API token for ``user`` and return it; it is shown only this once."""
    token = "pdm_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, digest=token_digest(token)))
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> User | None:
    """Return the active user a bearer token belongs to, else None."""
    row = session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


def get_user(*, session: Session, username: str) -> User:
    """Return a user by name or raise NotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user
