"""Parties of governance: who holds a decision right, sits in a forum or owns an escalation.

A party is written ``actor:<key>`` (an organisation of the ecosystem, by its actor key) or
``person:<name>`` (a named person, usually at the orchestrator). The strings are stored as they are
written, so a RACI matrix, a forum's members and an escalation's owner read the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("actor", "person")


@dataclass(frozen=True)
class Party:
    """One party: ``kind`` is ``actor`` or ``person``; ``name`` the actor key or person name."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def parse_party(text: str) -> Party:
    """Parse ``actor:<key>`` or ``person:<name>``; raise ``ValueError`` saying what is wrong.

    Examples
    --------
    >>> parse_party("actor:kinsei")
    Party(kind='actor', name='kinsei')
    >>> parse_party("person:Ana Ruiz").name
    'Ana Ruiz'
    """
    kind, sep, name = text.partition(":")
    if not sep or kind not in KINDS:
        raise ValueError(f"{text!r} is not a party: write actor:<key> or person:<name>")
    if not name.strip() or name != name.strip():
        raise ValueError(f"{text!r} names nobody: give a name after {kind}:")
    return Party(kind, name)


def unknown_actors(parties: Iterable[str], actors: Iterable[str]) -> list[str]:
    """Return the parties that name an actor not among ``actors`` (in the order given)."""
    known = set(actors)
    return [
        p for p in parties if (party := parse_party(p)).kind == "actor" and party.name not in known
    ]


def actor_party(actor: str) -> str:
    """Return the party string of an actor key."""
    return str(Party("actor", actor))


def person_party(name: str) -> str:
    """Return the party string of a person."""
    return str(Party("person", name))
