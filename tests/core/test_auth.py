"""Users, passwords and tokens: argon2 hashes, hashed tokens, partner binding, default deny."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import (
    ROLE_PERMISSIONS,
    ApiToken,
    Permission,
    Role,
    add_user,
    authenticate,
    issue_token,
    principal_of,
    user_for_token,
)
from podium.core.errors import Conflict, Invalid


def test_passwords_are_argon2_hashed_and_checked(session: Session) -> None:
    user = add_user(session=session, username="ana", password="s3cret-enough", role=Role.ANALYST)
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret" not in user.password_hash
    assert authenticate(session=session, username="ana", password="s3cret-enough") is user
    assert authenticate(session=session, username="ana", password="wrong-password") is None
    assert authenticate(session=session, username="nobody", password="s3cret-enough") is None


def test_tokens_are_stored_as_digests(session: Session) -> None:
    user = add_user(session=session, username="bot", password="long enough", role=Role.VIEWER)
    token = issue_token(session=session, user=user)
    stored = session.scalars(select(ApiToken.digest)).all()
    assert token not in stored and len(stored) == 1
    assert user_for_token(session=session, token=token) is user
    assert user_for_token(session=session, token=token + "x") is None
    user.active = False
    assert user_for_token(session=session, token=token) is None


def test_partner_roles_are_bound_to_one_actor(session: Session) -> None:
    with pytest.raises(Invalid):
        add_user(session=session, username="p", password="long enough", role=Role.PARTNER_USER)
    with pytest.raises(Invalid):
        add_user(
            session=session,
            username="a",
            password="long enough",
            role=Role.ADMIN,
            partner_ecosystem_id=1,
            partner_actor="x",
        )
    add_user(session=session, username="v", password="long enough", role=Role.VIEWER)
    with pytest.raises(Conflict):
        add_user(session=session, username="v", password="long enough", role=Role.VIEWER)


def test_roles_grant_least_privilege() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    for role in (Role.VIEWER, Role.PARTNER_ADMIN, Role.PARTNER_USER):
        assert Permission.ECOSYSTEM_WRITE not in ROLE_PERMISSIONS[role]
        assert Permission.USER_ADMIN not in ROLE_PERMISSIONS[role]
    assert Permission.ECOSYSTEM_ADMIN not in ROLE_PERMISSIONS[Role.ANALYST]


def test_principal_of_a_partner(session: Session) -> None:
    from podium.ecosystem.service import import_spec
    from tests.factories import small_spec

    eco = import_spec(session=session, spec=small_spec())
    user = add_user(
        session=session,
        username="p",
        password="long enough",
        role=Role.PARTNER_ADMIN,
        partner_ecosystem_id=eco.id,
        partner_actor="castco",
    )
    principal = principal_of(user)
    assert principal.is_partner and principal.partner_actor == "castco"
    assert principal.can(Permission.ECOSYSTEM_READ)
    assert not principal.can(Permission.ECOSYSTEM_WRITE)
