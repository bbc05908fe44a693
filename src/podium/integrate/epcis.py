"""GS1 EPCIS 2.0 documents and queries: validate captured JSON(-LD), read events, match queries.

:func:`parse_document` validates against :mod:`podium.integrate.epcis_schema` (a hand-written
mirror of the official JSON Schema, faster and at least as strict) and reads the events queries
filter on; :func:`load_schema_check` compiles the official schema itself, for operators who want
it too. Queries are the SimpleEventQuery (EPCIS 2.0 section 8.2.7.1) through the REST binding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from podium.integrate.epcis_schema import (
    BIZ_STEPS,
    DISPOSITIONS,
    EVENT_TYPES,
    MAX_ERRORS,
    VOCABULARIES,
    Error,
    escape,
    is_uri,
    parse_time,
    problem,
    validate,
)

__all__ = [
    "BIZ_STEPS",
    "DEFAULT_CONTEXT",
    "DISPOSITIONS",
    "EVENT_TYPES",
    "MAX_ERRORS",
    "PAGING",
    "VOCABULARIES",
    "EpcisDocument",
    "EpcisError",
    "EpcisEvent",
    "EventQuery",
    "load_schema_check",
    "matches",
    "parse_document",
    "parse_query",
    "query_document",
]

DEFAULT_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

# A standard value's three spellings: bare word, CBV URN, GS1 Web URI (CBV 2.0).
_BIZ_STEP_FORMS = {
    form: w
    for w in BIZ_STEPS
    for form in (w, f"urn:epcglobal:cbv:bizstep:{w}", f"https://ref.gs1.org/cbv/BizStep-{w}")
}
_DISPOSITION_FORMS = {
    form: w
    for w in DISPOSITIONS
    for form in (w, f"urn:epcglobal:cbv:disp:{w}", f"https://ref.gs1.org/cbv/Disp-{w}")
}


class EpcisError(Exception):
    """A refused document or query; ``errors`` lists each problem."""

    def __init__(self, errors: list[Error]) -> None:
        self.errors = errors
        first = errors[0] if errors else {"pointer": "#", "detail": "invalid"}
        super().__init__(f"{len(errors)} error(s), first {first['pointer']}: {first['detail']}")


@dataclass(frozen=True, slots=True)
class EpcisEvent:
    """An accepted event: the fields queries filter on, and the event as submitted."""

    event_id: str | None
    event_type: str
    event_time: datetime
    event_time_zone_offset: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    epcs: tuple[str, ...]
    body: dict[str, Any]


@dataclass(frozen=True)
class EpcisDocument:
    """An accepted ``EPCISDocument`` or ``EPCISQueryDocument`` and its events."""

    kind: Literal["document", "query"]
    context: Any
    events: list[EpcisEvent]


# --- documents ---------------------------------------------------------------------------------


def parse_document(document: Any) -> EpcisDocument:
    """Validate an EPCIS 2.0 JSON(-LD) document and return its events.

    Takes an ``EPCISDocument`` (capture) or an ``EPCISQueryDocument`` (events under
    ``epcisBody.queryResults.resultsBody.eventList``) holding events of the five standard types,
    each checked against EPCIS 2.0 section 7.4 as its JSON binding (the official schema) states it.
    Raises :class:`EpcisError` listing every problem found, at most ``MAX_ERRORS``, each with an
    RFC 6901 pointer into ``document``.
    """
    kind, accepted, errors = validate(document)
    if errors or kind is None:
        raise EpcisError(errors[:MAX_ERRORS])
    events = [_read(body, when) for body, when in accepted]
    return EpcisDocument(kind=kind, context=document["@context"], events=events)


def _read(body: dict[str, Any], when: datetime) -> EpcisEvent:
    """Read an accepted event: its fields as queries filter on them, CBV values as bare words."""
    place, location = body.get("readPoint"), body.get("bizLocation")
    step: Any = body.get("bizStep")
    disposition: Any = body.get("disposition")
    return EpcisEvent(
        event_id=body.get("eventID"),
        event_type=body["type"],
        event_time=when,
        event_time_zone_offset=body["eventTimeZoneOffset"],
        action=body.get("action"),
        biz_step=_BIZ_STEP_FORMS.get(step, step),
        disposition=_DISPOSITION_FORMS.get(disposition, disposition),
        read_point=None if place is None else place["id"],
        biz_location=None if location is None else location["id"],
        epcs=_named_epcs(body),
        body=body,
    )


_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


def _named_epcs(body: dict[str, Any]) -> tuple[str, ...]:
    """Every EPC, parent ID and EPC class the event names, each once, in order of appearance."""
    found: list[str] = [body["parentID"]] if "parentID" in body else []
    for key in _EPC_LISTS:
        found.extend(body.get(key, ()))
    for key in _QUANTITY_LISTS:
        found.extend(q["epcClass"] for q in body.get(key, ()))
    return tuple(dict.fromkeys(found)) if len(found) > 1 else tuple(found)


def load_schema_check(path: str | Path) -> Callable[[Any], list[Error]]:
    """Compile the official JSON Schema with ``fastjsonschema``.

    The returned function gives the errors (pointer, detail) of a document, ``[]`` when valid;
    ``fastjsonschema`` stops at the first problem, so there is at most one.
    """
    import fastjsonschema

    validate = fastjsonschema.compile(json.loads(Path(path).read_text(encoding="utf-8")))

    def check(document: Any) -> list[Error]:
        try:
            validate(document)
        except fastjsonschema.JsonSchemaValueException as error:
            return [problem(_pointer_of(error.name or "data"), error.message)]
        return []

    return check


def _pointer_of(name: str) -> str:
    """Turn a fastjsonschema path (``data.epcisBody.eventList[3].action``) into a pointer.

    Its member names are the schema's own (a member the schema does not define is reported at
    its parent), so none holds a dot or a bracket.
    """
    found = re.findall(r"\.([^.\[]+)|\[([0-9]+)\]", name.removeprefix("data"))
    return "#" + "".join(f"/{escape(key or index)}" for key, index in found)


# --- queries: SimpleEventQuery (EPCIS 2.0 section 8.2.7.1) through the REST binding -----------


@dataclass(frozen=True)
class EventQuery:
    """The common SimpleEventQuery restrictions; an empty one matches every event.

    ``biz_steps`` and ``dispositions`` are normalised to bare CBV words on construction, so each
    spelling of a standard value matches; times must be timezone-aware.
    """

    event_types: tuple[str, ...] = ()
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    biz_steps: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    epcs: tuple[str, ...] = ()
    biz_locations: tuple[str, ...] = ()
    read_points: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for when in (self.ge_event_time, self.lt_event_time):
            if when is not None and when.utcoffset() is None:
                raise ValueError("query times must be timezone-aware")
        for name, forms in (("biz_steps", _BIZ_STEP_FORMS), ("dispositions", _DISPOSITION_FORMS)):
            object.__setattr__(self, name, tuple(forms.get(v, v) for v in getattr(self, name)))


def _known_or_uri(known: Container[str]) -> Callable[[str], bool]:
    return lambda value: value in known or is_uri(value)


_QUERY_LISTS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "eventType": ("event_types", _known_or_uri(EVENT_TYPES)),  # a URI names an extension type
    "EQ_bizStep": ("biz_steps", _known_or_uri(_BIZ_STEP_FORMS)),
    "EQ_disposition": ("dispositions", _known_or_uri(_DISPOSITION_FORMS)),
    "MATCH_epc": ("epcs", is_uri),
    "MATCH_anyEPC": ("epcs", is_uri),
    "EQ_bizLocation": ("biz_locations", is_uri),
    "EQ_readPoint": ("read_points", is_uri),
}
_QUERY_TIMES = {"GE_eventTime": "ge_event_time", "LT_eventTime": "lt_event_time"}
PAGING = frozenset({"perPage", "nextPageToken"})


def parse_query(params: Mapping[str, Sequence[str]]) -> EventQuery:
    """Read the GS1 REST binding's common query parameters into an :class:`EventQuery`.

    Values may be repeated or pipe-separated (the binding's ``pipeDelimited`` style; commas too
    for ``eventType``); ``MATCH_epc`` and ``MATCH_anyEPC`` both fill ``epcs``. Paging parameters
    are the caller's; any other parameter, a bad value, or a time without its offset raises
    :class:`EpcisError` with pointer ``#/query/<name>``.
    """
    errors: list[Error] = []
    found: dict[str, Any] = {}
    for name, given in params.items():
        values = [given] if isinstance(given, str) else list(given)
        p = f"#/query/{escape(name)}"
        if name in _QUERY_TIMES:
            found[_QUERY_TIMES[name]] = _query_time(values, p, errors)
        elif name in _QUERY_LISTS:
            key, valid = _QUERY_LISTS[name]
            items = [
                x.strip()
                for v in values
                for x in re.split("[|,]" if key == "event_types" else "[|]", v)
            ]
            errors.extend(problem(p, f"{x!r} is not a valid value") for x in items if not valid(x))
            found[key] = (*found.get(key, ()), *dict.fromkeys(items))
        elif name not in PAGING:
            errors.append(problem(p, "is not a supported query parameter"))
    if errors:
        raise EpcisError(errors)
    return EventQuery(**found)


def _query_time(values: list[str], p: str, errors: list[Error]) -> datetime | None:
    if len(values) != 1:
        errors.append(problem(p, "must be given once"))
        return None
    text = values[0].strip()
    if len(text) > 6 and text[-6] == " ":  # the offset's "+", left unescaped, read as a space
        text = f"{text[:-6]}+{text[-5:]}"
    when = parse_time(text)
    if when is None:
        errors.append(problem(p, "must be an RFC 3339 date-time with a time zone"))
    return when


def matches(event: EpcisEvent, query: EventQuery) -> bool:
    """Whether ``event`` meets every restriction of ``query`` (section 8.2.7.1; EPCs exactly)."""
    q = query
    return (
        (not q.event_types or event.event_type in q.event_types)
        and (q.ge_event_time is None or event.event_time >= q.ge_event_time)
        and (q.lt_event_time is None or event.event_time < q.lt_event_time)
        and (not q.biz_steps or event.biz_step in q.biz_steps)
        and (not q.dispositions or event.disposition in q.dispositions)
        and (not q.epcs or not set(q.epcs).isdisjoint(event.epcs))
        and (not q.biz_locations or event.biz_location in q.biz_locations)
        and (not q.read_points or event.read_point in q.read_points)
    )


def query_document(
    events: Sequence[Mapping[str, Any]], *, context: Any = None, created: datetime
) -> dict[str, Any]:
    """Build the ``EPCISQueryDocument`` answering a SimpleEventQuery around stored event bodies.

    ``created`` must be timezone-aware; ``context`` defaults to the EPCIS 2.0 context.
    """
    if created.utcoffset() is None:
        raise ValueError("created must be timezone-aware")
    stamp = created.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    bodies = [e if isinstance(e, dict) else dict(e) for e in events]
    results = {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": bodies}}
    return {
        "@context": DEFAULT_CONTEXT if context is None else context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": stamp,
        "epcisBody": {"queryResults": results},
    }
