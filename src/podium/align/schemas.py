"""Request bodies of Align: a declared commercial agreement, and how a bad one is refused.

:func:`parse_agreements` checks a list of agreements and raises :class:`~podium.core.errors.Invalid`
with every defect at its JSON pointer (``/agreements/2/metrics/0``), so the API, the CLI and the
console name the offending field the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from podium.align.incentives import CONTRACT_TYPES, METRICS
from podium.core.errors import Invalid


class AgreementIn(BaseModel):
    """A commercial agreement with a partner (``key`` defaults to the partner's key).

    ``terms`` holds the contract's numbers in the ecosystem's currency per unit (``wholesale``,
    ``buyback``, ``share`` ...) and, where known, the newsvendor inputs ``price``, ``cost``,
    ``salvage`` and ``demand`` (a demand specification such as ``"normal:1000:300"``).
    ``volume_commitment``: units per year the buyer commits to.
    """

    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(default=None, min_length=1, max_length=200)
    partner: str = Field(min_length=1, max_length=200)
    contract_type: str
    metrics: list[str] = Field(default_factory=list)
    terms: dict[str, Any] = Field(default_factory=dict)
    term_months: int | None = Field(default=None, gt=0, le=1200)
    volume_commitment: float | None = Field(default=None, ge=0)
    data_access: bool = False
    preferred: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("contract_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in CONTRACT_TYPES:
            raise ValueError(f"use one of {', '.join(CONTRACT_TYPES)}")
        return value

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str]) -> list[str]:
        for metric in value:
            if metric not in METRICS:
                raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _window(self) -> AgreementIn:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to: must not be before valid_from")
        if self.key is None:
            self.key = self.partner
        return self

    @property
    def agreement_key(self) -> str:
        """The agreement's key (the partner's when none was given)."""
        return self.key or self.partner


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a field, escaping ``~`` and ``/`` in keys."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def at(where: str | None, index: int, *parts: str | int) -> str:
    """The pointer of a field of the ``index``-th agreement under ``/where`` (None: a single
    agreement, at the root)."""
    return pointer(*parts) if where is None else pointer(where, index, *parts)


def parse_agreements(raw: Any, where: str | None = "agreements") -> list[AgreementIn]:
    """Return the agreements checked; refuse every defect at its pointer under ``/where``."""
    if isinstance(raw, Mapping) and where is not None and where in raw:
        raw = raw[where]
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        detail = "give a list of agreements"
        raise Invalid(detail, [{"pointer": pointer(where or ""), "detail": detail}])
    found, errors = [], []
    keys: dict[str, int] = {}
    for i, entry in enumerate(raw):
        try:
            agreement = AgreementIn.model_validate(entry)
        except ValidationError as exc:
            errors += [_error(where, i, e) for e in exc.errors()]
            continue
        if agreement.agreement_key in keys:
            detail = (
                f"key {agreement.agreement_key!r} repeats agreement {keys[agreement.agreement_key]}"
            )
            errors.append({"pointer": at(where, i, "key"), "detail": detail})
        keys[agreement.agreement_key] = i
        found.append(agreement)
    if errors:
        raise Invalid("the agreements are not valid", errors)
    return found


def _error(where: str | None, index: int, error: Mapping[str, Any]) -> dict[str, str]:
    location = [str(part) for part in error.get("loc", ())]
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if message.startswith("valid_to:"):
        location, message = ["valid_to"], message.removeprefix("valid_to: ")
    return {"pointer": at(where, index, *location), "detail": message}
