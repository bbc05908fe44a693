"""Certification of partners: status on a date, ordered levels, eligibility and expiry.

A scheme certifies one *process* (cleanroom assembly, hazardous-goods transport ...) at levels
ordered lowest first (``["bronze", "silver", "gold"]``): a higher level satisfies a requirement
for a lower one. A certification holds for an actor as a whole (``site`` None: all its sites) or
for one site, from ``issued_on`` through ``expires_on`` (both inclusive). On a date it is:

- ``revoked``: withdrawn by the issuer, whatever its dates;
- ``pending``: not issued yet (``on < issued_on``);
- ``expired``: ``on > expires_on``;
- ``expiring``: valid, with at most ``warning_days`` days left (``expires_on - on``);
- ``valid``: otherwise.

Valid and expiring certifications count as certified. Regions come from the ecosystem's actors
and sites, passed in as plain mappings; a site without a region is in its actor's region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from podium.core.errors import Invalid
from podium.integrate.exceptions import Severity

STATUSES = ("valid", "expiring", "expired", "revoked", "pending")
CERTIFIED = ("valid", "expiring")
DEFAULT_WARNING_DAYS = 30


@dataclass(frozen=True)
class Held:
    """One certification as the rules see it (the scheme's process and levels included)."""

    id: int
    scheme: str
    process: str
    levels: tuple[str, ...]
    actor: str
    site: str | None
    level: str
    issued_on: date
    expires_on: date
    revoked: bool = False


def status(held: Held, on: date, warning_days: int = DEFAULT_WARNING_DAYS) -> str:
    """The certification's status on ``on`` (module notes).

    Examples
    --------
    >>> cert = Held(1, "iso", "assembly", ("basic",), "acme", None, "basic",
    ...             date(2026, 1, 1), date(2026, 12, 31))
    >>> [status(cert, d, 30) for d in (date(2026, 6, 1), date(2026, 12, 1), date(2027, 1, 1))]
    ['valid', 'expiring', 'expired']
    """
    if held.revoked:
        return "revoked"
    if on < held.issued_on:
        return "pending"
    if on > held.expires_on:
        return "expired"
    return "expiring" if (held.expires_on - on).days <= warning_days else "valid"


def rank(levels: Sequence[str], level: str) -> int:
    """The level's position in the scheme (0 lowest); raise ValueError for an unknown level."""
    try:
        return list(levels).index(level)
    except ValueError:
        raise ValueError(f"{level!r} is not a level of this scheme ({', '.join(levels)})") from None


def satisfies(levels: Sequence[str], held: str, required: str | None) -> bool:
    """Whether holding ``held`` meets a requirement of ``required`` (None: any level).

    A requirement the scheme does not know is not met.

    Examples
    --------
    >>> satisfies(["bronze", "silver", "gold"], "gold", "silver")
    True
    >>> satisfies(["bronze", "silver", "gold"], "bronze", "silver")
    False
    """
    if required is None:
        return True
    if required not in levels:
        return False
    return rank(levels, held) >= rank(levels, required)


@dataclass(frozen=True)
class Eligible:
    """A partner (and site, when the certification or the region query narrows to one) that is
    certified for a process: the best certification that makes it so."""

    actor: str
    site: str | None
    region: str | None
    scheme: str
    level: str
    expires_on: date
    certification_id: int


def eligible(
    certifications: Iterable[Held],
    process: str,
    region: str | None = None,
    min_level: str | None = None,
    on: date | None = None,
    *,
    actor_regions: Mapping[str, str | None],
    site_actors: Mapping[str, tuple[str, str | None]],
) -> list[Eligible]:
    """Which partners (and sites) are certified for ``process`` on ``on``, in ``region``.

    ``actor_regions`` maps actor key to region; ``site_actors`` maps site key to
    ``(actor key, region)``. An actor-wide certification covers each of the actor's sites; with
    a region it lists the actor's sites in that region, or the actor itself when it has no sites
    and sits in the region. ``min_level`` keeps certifications at that level or above, by each
    scheme's order; it must be a level of some scheme of the process. Where several
    certifications qualify the same (actor, site), the highest level wins, then the latest expiry.
    ``on`` is required in practice (the service passes today); a missing date is refused.
    """
    if on is None:
        raise Invalid("on: give the date to check", [{"pointer": "/on", "detail": "required"}])
    found = [c for c in certifications if c.process == process]
    if min_level is not None and found and not any(min_level in c.levels for c in found):
        known = sorted({level for c in found for level in c.levels})
        detail = f"no scheme for {process} has level {min_level!r} (known: {', '.join(known)})"
        raise Invalid(f"min_level: {detail}", [{"pointer": "/min_level", "detail": detail}])
    sites_of: dict[str, list[str]] = {}
    for site_key, (owner, _) in site_actors.items():
        sites_of.setdefault(owner, []).append(site_key)
    best: dict[tuple[str, str | None], tuple[tuple[int, date], Eligible]] = {}
    for held in found:
        if status(held, on) not in CERTIFIED or not satisfies(held.levels, held.level, min_level):
            continue
        for site, place in _places(held, region, actor_regions, site_actors, sites_of):
            entry = Eligible(
                held.actor, site, place, held.scheme, held.level, held.expires_on, held.id
            )
            score = (rank(held.levels, held.level), held.expires_on)
            key = (held.actor, site)
            if key not in best or score > best[key][0]:
                best[key] = (score, entry)
    return sorted((e for _, e in best.values()), key=lambda e: (e.actor, e.site or ""))


def _places(
    held: Held,
    region: str | None,
    actor_regions: Mapping[str, str | None],
    site_actors: Mapping[str, tuple[str, str | None]],
    sites_of: Mapping[str, list[str]],
) -> list[tuple[str | None, str | None]]:
    """The (site, region) pairs a certification covers, kept to ``region`` when one is asked."""
    home = actor_regions.get(held.actor)
    if held.site is not None:
        site_region = site_actors.get(held.site, (held.actor, None))[1] or home
        covered: list[tuple[str | None, str | None]] = [(held.site, site_region)]
    elif region is None:
        covered = [(None, home)]
    elif sites_of.get(held.actor):
        covered = [(s, site_actors[s][1] or home) for s in sorted(sites_of[held.actor])]
    else:
        covered = [(None, home)]
    return [(site, place) for site, place in covered if region is None or place == region]


@dataclass(frozen=True)
class ExpiryFinding:
    """A certification that has expired or will within the warning window (days)."""

    held: Held
    status: str
    days_left: int


def expiring(
    certifications: Iterable[Held], on: date, warning_days: int = DEFAULT_WARNING_DAYS
) -> list[ExpiryFinding]:
    """The certifications expiring within ``warning_days`` of ``on``, or expired by then.

    Revoked certifications are left out, and so is one that a later certification of the same
    scheme, actor and site renews (one that is certified on ``on`` and expires later): a partner
    that renewed in time is not chased. ``days_left`` is ``expires_on - on`` (negative once
    expired). Ordered by ``days_left``, soonest first.
    """
    if warning_days < 0:
        raise Invalid("warning_days: must not be negative")
    held = list(certifications)
    found = []
    for cert in held:
        state = status(cert, on, warning_days)
        if state not in ("expiring", "expired") or _renewed(cert, held, on):
            continue
        found.append(ExpiryFinding(cert, state, (cert.expires_on - on).days))
    return sorted(found, key=lambda f: (f.days_left, f.held.actor, f.held.id))


def _renewed(cert: Held, others: Sequence[Held], on: date) -> bool:
    """Whether another certification of the same scheme, actor and site takes over: not revoked,
    expiring later, and either certified on ``on`` or issued by the day after ``cert`` ends."""
    return any(
        other.id != cert.id
        and not other.revoked
        and (other.scheme, other.actor, other.site) == (cert.scheme, cert.actor, cert.site)
        and other.expires_on > cert.expires_on
        and (
            status(other, on, 0) in CERTIFIED
            or other.issued_on <= cert.expires_on + timedelta(days=1)
        )
        for other in others
    )


def expiry_severity(finding: ExpiryFinding) -> Severity:
    """How urgent an expiry is: expired high, 7 days or fewer left medium, else low."""
    if finding.status == "expired":
        return "high"
    return "medium" if finding.days_left <= 7 else "low"
