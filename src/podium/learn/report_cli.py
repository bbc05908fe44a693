"""``podium report``: write the executive ecosystem review of a period as HTML or PDF.

Acts as a stored user (``--user``) with ``learn:read``; a partner user gets its own numbers only
(no segments, no exposure). The format follows the file's suffix (``.html`` or ``.pdf``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from podium.core.auth import Permission, get_user, principal_of
from podium.core.clikit import cli_session, console
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import service as eco_service
from podium.learn import report_service
from podium.learn.periods import Period, parse_period
from podium.learn.report import render_html, render_pdf

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def _period(text: str | None) -> Period:
    if text is None:
        return report_service.default_period()
    try:
        return parse_period(text)
    except ValueError as error:
        raise Invalid(str(error), [{"pointer": "--period", "detail": str(error)}]) from None


def _format(out: Path) -> str:
    found = FORMATS.get(out.suffix.lower())
    if found is None:
        raise typer.BadParameter("the file must end in .html or .pdf", param_hint="--out")
    return found


def report(
    user: Annotated[str, typer.Option("--user", help="Act as this stored user.")],
    ecosystem: Annotated[
        str | None, typer.Argument(help="The stored ecosystem (default: the only one).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="report.html or report.pdf")] = Path(
        "report.html"
    ),
    period: Annotated[
        str | None,
        typer.Option(help="2026, 2026-Q3, 2026-09 or 2026-W36 (default: the last quarter)."),
    ] = None,
) -> None:
    """Write the executive ecosystem review of a period: KPIs and their trends, scorecards,
    exposure, segments with recommendations, initiatives and the learning log.

    Example: podium report manufacturer --period 2026-Q3 --out report.pdf --user ana
    """
    kind = _format(out)
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    )
    with cli_session() as session, progress:
        principal = principal_of(get_user(session=session, username=user))
        if not principal.can(Permission.LEARN_READ):
            raise Forbidden(f"your role ({principal.role.value}) lacks learn:read")
        name = ecosystem or eco_service.only_ecosystem(session=session).name
        found = eco_service.get_ecosystem(session=session, name=name, principal=principal)
        chosen = _period(period)
        task = progress.add_task(f"Gathering {chosen.label}", total=len(report_service.STEPS) + 1)

        def advance(step: str) -> None:
            progress.update(task, advance=1, description=f"Gathered {step}")

        data = report_service.gather(
            session=session, ecosystem=found, period=chosen, principal=principal, progress=advance
        )
        progress.update(task, description=f"Rendering {kind.upper()}")
        content = render_pdf(data) if kind == "pdf" else render_html(data).encode()
        progress.update(task, advance=1, description="Done")
    out.write_bytes(content)
    size = len(content) / 1024
    console.print(f"Wrote the review of {found.name}, {chosen.label} to {out} ({size:,.0f} KiB)")
