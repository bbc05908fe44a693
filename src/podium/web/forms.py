"""What every console form shares: the session's CSRF token and its check."""

from __future__ import annotations

import secrets

from fastapi import Request

from podium.core.errors import Forbidden

CSRF_KEY = "csrf"


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    """Refuse a console form whose token is not this session's (a cross-site post)."""
    expected = request.session.get(CSRF_KEY)
    if not isinstance(expected, str) or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden("the form is stale or came from another site: reload the page")
