"""Align console pages: the contract explorer, the misalignment list and coalition cost sharing.

- ``/align/contracts`` (``align:read``): terms sliders, demand, the profit split along the
  contract's free parameter with the deal zone shaded (:mod:`podium.align.explorer`).
- ``/ecosystems/{name}/align/misalignments`` (``align:read``): each partner's declared
  incentives against what the ecosystem needs from it, with the mechanisms proposed.
- ``/ecosystems/{name}/align/sharing`` (``align:read``): who pays what under each sharing rule
  and the core check, for the ecosystem's sample game (the industrial park's substation) or a
  game pasted into the form (POST, evaluated and not stored).

Thin over :mod:`podium.align.service` and the pure modules; partners are refused (403).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.align import comparison, explorer, service
from podium.align.demand import InputError
from podium.align.games import GameError, game_from_mapping
from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, require
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from podium.web import render
from podium.web.forms import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.ALIGN_READ))]

SAMPLE_GAMES = {"industrial_park": "industrial_park_substation.yaml"}
"""Ecosystem name -> the sample cost-sharing game shown for it (in ``podium/samples``)."""
DEFAULTS = {
    "type": "buyback", "price": "10", "cost": "1", "salvage": "0",
    "demand": "normal:1000:300", "wholesale": "5", "buyback": "3", "share": "0.45",
    "flexibility": "0.2", "rebate": "", "threshold": "", "reservation": "",
}  # fmt: skip
"""The explorer's starting point: the issue's buyback example."""
NUMBERS = ("price", "cost", "salvage")
TERMS = ("wholesale", "buyback", "share", "flexibility", "rebate", "threshold", "reservation")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    template: str,
    *,
    ecosystem: eco.Ecosystem | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    service.check_staff(principal)
    return render(
        request,
        f"align/{template}",
        principal,
        status_code=status_code,
        nav="align",
        ecosystem=ecosystem,
        ecosystems=eco_service.list_ecosystems(session=session, principal=principal),
        base=f"/ecosystems/{quote(ecosystem.name, safe='')}" if ecosystem else "",
        csrf_token=csrf_token(request),
        **context,
    )


def _number(form: dict[str, str], name: str) -> float | None:
    text = form[name].strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(name, f"{text!r} is not a number") from None


@router.get("/align/contracts")
def contracts_page(request: Request, session: SessionDep, principal: Reader) -> Response:
    """The contract explorer: terms, demand, the profit split and the deal zone."""
    form = {k: str(request.query_params.get(k, default)) for k, default in DEFAULTS.items()}
    context: dict[str, Any] = {"form": form, "types": explorer.TYPES, "terms": explorer.TERMS}
    try:
        numbers = {n: _number(form, n) for n in NUMBERS}
        if numbers["price"] is None or numbers["cost"] is None:
            raise InputError("price" if numbers["price"] is None else "cost", "is required")
        context["found"] = explorer.explore(
            form["type"], price=numbers["price"], cost=numbers["cost"],
            salvage=numbers["salvage"] or 0.0, demand=form["demand"],
            terms={n: _number(form, n) for n in TERMS},
        )  # fmt: skip
    except InputError as error:
        context["error"] = {"field": error.field.split(".")[0], "message": error.message}
    status = 422 if "error" in context else 200
    return _page(request, session, principal, "contracts.html", status_code=status, **context)


@router.get("/ecosystems/{name}/align/misalignments")
def misalignments_page(
    request: Request, name: str, session: SessionDep, principal: Reader
) -> Response:
    """Each partner's incentives against what the ecosystem needs from it, most severe first."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.misalignments(session=session, ecosystem=ecosystem, principal=principal)
    rows = service.list_agreements(session=session, ecosystem=ecosystem)
    return _page(
        request, session, principal, "misalignments.html", ecosystem=ecosystem, found=found,
        agreements=[service.agreement_dict(r) for r in rows],
    )  # fmt: skip


def _sample_text(ecosystem: eco.Ecosystem) -> str | None:
    file = SAMPLE_GAMES.get(ecosystem.name)
    if file is None:
        return None
    return (Path(SAMPLES["industrial_park"]).parent / file).read_text(encoding="utf-8")


def _sharing(
    request: Request,
    session: Session,
    principal: Principal,
    ecosystem: eco.Ecosystem,
    text: str | None,
    *,
    sample: bool,
) -> Response:
    context: dict[str, Any] = {"text": text or "", "sample": sample}
    if text:
        try:
            data = yaml.safe_load(text)
            context["found"] = comparison.compare(game_from_mapping(data))
        except yaml.YAMLError as error:
            context["error"] = f"not valid YAML: {error}"
        except GameError as error:
            context["error"] = f"{error.pointer}: {error.detail}"
    status = 422 if "error" in context else 200
    return _page(
        request, session, principal, "sharing.html", ecosystem=ecosystem, status_code=status,
        currency=ecosystem.currency, **context,
    )  # fmt: skip


@router.get("/ecosystems/{name}/align/sharing")
def sharing_page(request: Request, name: str, session: SessionDep, principal: Reader) -> Response:
    """Who pays what under each sharing rule, and whether anyone would be better off leaving."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    text = _sample_text(ecosystem)
    return _sharing(request, session, principal, ecosystem, text, sample=text is not None)


@router.post("/ecosystems/{name}/align/sharing")
def sharing_submit(
    request: Request,
    name: str,
    session: SessionDep,
    principal: Reader,
    game: Annotated[str, Form()] = "",
    csrf: Annotated[str | None, Form(alias="csrf_token")] = None,
) -> Response:
    """Evaluate a game pasted as YAML (nothing is stored)."""
    check_csrf(request, csrf)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return _sharing(request, session, principal, ecosystem, game.strip() or None, sample=False)
