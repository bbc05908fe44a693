"""What the Learn commands share: the acting user and ecosystem, and the reporting period."""

from __future__ import annotations

from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal, get_user, principal_of
from podium.core.db import utcnow
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.learn import service
from podium.learn.periods import Period, parse_period

DASH = "\u2013"
"""What a table shows for no value."""


def open_ecosystem(
    session: Session, username: str, name: str, need: Permission
) -> tuple[Principal, eco.Ecosystem]:
    """Return the user and the ecosystem as it may see it; refuse users without ``need``."""
    principal = principal_of(get_user(session=session, username=username))
    if not principal.can(need):
        raise Forbidden(f"your role ({principal.role.value}) lacks {need.value}")
    return principal, eco_service.get_ecosystem(session=session, name=name, principal=principal)


def period_of_option(text: str | None) -> Period:
    """The ``--period`` given, or the last complete quarter."""
    if text is None:
        return service.latest_complete("quarter", utcnow().date())
    try:
        return parse_period(text)
    except ValueError as error:
        raise Invalid(str(error), [{"pointer": "--period", "detail": str(error)}]) from None
