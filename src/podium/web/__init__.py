"""The console shell: Jinja2 templates, the page layout, login and the discipline overviews.

Every console page renders through :func:`render`, which adds the signed-in user and the
navigation to the template context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from podium.core.auth import Principal

TEMPLATE_DIR = Path(__file__).parent / "templates"
DASH = "\u2013"  # what an empty cell shows

NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("map", "Map", "Who is in the network and where are we exposed?"),
    ("align", "Align", "Do incentives reward what the ecosystem needs?"),
    ("govern", "Govern", "Who decides, and who oversees?"),
    ("integrate", "Integrate", "How does data flow between partners?"),
    ("learn", "Learn", "Is the ecosystem getting better?"),
    ("design", "Design", "Which partners make our products?"),
)
"""(path, label, question) of each discipline's overview page, in menu order."""


def number(value: float | int | None, digits: int = 0) -> str:
    """Format a number with thousands separators; ``None`` shows as an en dash."""
    if value is None:
        return DASH
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 0) -> str:
    """Format a 0..1 fraction as a percentage; ``None`` shows as an en dash."""
    if value is None:
        return DASH
    return f"{100 * value:.{digits}f}%"


def humanize(value: str | None) -> str:
    """Turn an enum value such as ``contract_manufacturer`` into ``Contract manufacturer``."""
    if not value:
        return DASH
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
templates.env.filters.update(number=number, percent=percent, humanize=humanize)
templates.env.globals["navigation"] = NAVIGATION


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render a console template with the signed-in user and navigation in its context."""
    return templates.TemplateResponse(
        request,
        template,
        {"principal": principal, **context},
        status_code=status_code,
    )
