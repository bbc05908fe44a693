"""The GS1 EPCIS 2.0 JSON Schema mirrored by hand: shapes, word lists, field checks, the walk.

Plain dict checks restate the official schema (``EPCIS-JSON-Schema.json``, the JSON binding of
EPCIS 2.0: events per section 7.4, vocabularies per CBV 2.0 section 7), several times faster than
the compiled schema and at least as strict. What it lets through unjudged (extension members,
URI-named, with any value; further members of ``readPoint``, ``bizLocation``, ``epcisBody``)
passes likewise. Where its formats are loose this is stricter: a URI is an RFC 3986 URI with a
letters-and-digits scheme (what RFC 3986 and ``fastjsonschema`` both accept), a date-time an RFC
3339 ``date-time`` with ``:`` in its offset and no leap second; only the five standard event
types are taken. :func:`validate` walks a document; :mod:`podium.integrate.epcis` reads it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

Error = dict[str, str]
Check = Callable[[Any, str, list[Error]], None]
DocumentKind = Literal["document", "query"]
Accepted = tuple[dict[str, Any], datetime]  # an event that passed, its eventTime in UTC

MAX_ERRORS = 100


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Standard vocabularies (CBV 2.0 section 7), as enumerated in the official schema.
BIZ_STEPS = _words(
    "accepting arriving assembling collecting commissioning consigning creating_class_instance "
    "cycle_counting decommissioning departing destroying disassembling dispensing encoding "
    "entering_exiting holding inspecting installing killing loading other packing picking "
    "receiving removing repackaging repairing replacing reserving retail_selling shipping "
    "staging_outbound stock_taking stocking storing transporting unloading unpacking "
    "void_shipping sensor_reporting sampling"
)
DISPOSITIONS = _words(
    "active container_closed damaged destroyed dispensed disposed encoded expired in_progress "
    "in_transit inactive no_pedigree_match non_sellable_other partially_dispensed recalled "
    "reserved retail_sold returned sellable_accessible sellable_not_accessible stolen unknown "
    "available completeness_verified completeness_inferred conformant container_open "
    "mismatch_instance mismatch_class mismatch_quantity needs_replacement non_conformant "
    "unavailable"
)
VOCABULARIES = {
    "bizStep": BIZ_STEPS,
    "disposition": DISPOSITIONS,
    "bizTransaction-type": _words(
        "bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt"
    ),
    "source-dest-type": frozenset({"owning_party", "possessing_party", "location"}),
    "component": _words(
        "x y z axial_distance azimuth height spherical_radius polar_angle elevation_angle "
        "easting northing latitude longitude altitude"
    ),
    "measurementType": _words(
        "AbsoluteHumidity AbsorbedDose AbsorbedDoseRate Acceleration Radioactivity Altitude "
        "AmountOfSubstance AmountOfSubstancePerUnitVolume Angle AngularAcceleration "
        "AngularMomentum AngularVelocity Area Capacitance Conductance Conductivity Count Density "
        "Dimensionless DoseEquivalent DoseEquivalentRate DynamicViscosity ElectricCharge "
        "ElectricCurrent ElectricCurrentDensity ElectricFieldStrength Energy Exposure Force "
        "Frequency Illuminance Inductance Irradiance KinematicViscosity Length LinearMomentum "
        "Luminance LuminousFlux LuminousIntensity MagneticFlux MagneticFluxDensity "
        "MagneticVectorPotential Mass MassConcentration MassFlowRate MassPerAreaTime "
        "MemoryCapacity MolalityOfSolute MolarEnergy MolarMass MolarVolume Power Pressure "
        "RadiantFlux RadiantIntensity RelativeHumidity Resistance Resistivity SolidAngle "
        "SpecificVolume Speed SurfaceDensity SurfaceTension Temperature Time Torque Voltage "
        "Volume VolumeFlowRate VolumeFraction VolumetricFlux Wavenumber"
    ),
    "sensorAlertType": frozenset({"ALARM_CONDITION", "ERROR_CONDITION"}),
    "error-reason": frozenset({"did_not_occur", "incorrect_data"}),
}
# Custom values must stay out of the standard namespaces (vocab-other-uri, vocab-nonGS1WebVoc-uri).
_CBV_NS = ("urn:epcglobal:cbv", "http://ns.gs1.org/cbv/", "https://ns.gs1.org/cbv/")
_WEBVOC_NS = tuple(f"http{s}://{w}gs1.org/voc/" for s in ("", "s") for w in ("", "www."))


def _uri_check() -> Callable[[str], bool]:
    """RFC 3986 ``URI`` (appendix A) with a letters-and-digits scheme and something after it.

    Character classes take the common shapes (URNs, ``http(s)://host/path``) fast; the full
    grammar, with percent-encoding, user info, ports and IP literals, takes the rest.
    """
    chars, pct = r"A-Za-z0-9\-._~!$&'()*+,;=", "%[0-9A-Fa-f]{2}"
    common = re.compile(
        rf"[A-Za-z][A-Za-z0-9]*:(?://[{chars}]*(?::[0-9]*)?(?:/[{chars}:@/]*)?|(?!//)[{chars}:@/]+)"
        rf"(?:\?[{chars}:@/?]*)?(?:#[{chars}:@/?]*)?"
    ).fullmatch
    pchar, h16 = f"(?:[{chars}:@]++|{pct})", "[0-9A-Fa-f]{1,4}"
    dec = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ls32 = rf"(?:{h16}:{h16}|{dec}(?:\.{dec}){{3}})"
    ipv6 = "|".join(
        [f"(?:{h16}:){{6}}{ls32}", f"::(?:{h16}:){{5}}{ls32}"]
        + [f"(?:(?:{h16}:){{0,{n - 1}}}{h16})?::(?:{h16}:){{{4 - n}}}{ls32}" for n in (1, 2, 3)]
        + [f"(?:(?:{h16}:){{0,3}}{h16})?::{ls32}", f"(?:(?:{h16}:){{0,4}}{h16})?::{h16}"]
        + [f"(?:(?:{h16}:){{0,5}}{h16})?::"]
    )
    host = rf"(?:\[(?:{ipv6}|v[0-9A-Fa-f]+\.[{chars}:]+)\]|(?:[{chars}]++|{pct})*+)"
    authority = rf"(?:(?:[{chars}:]++|{pct})*+@)?{host}(?::[0-9]*)?"
    segments = rf"(?:/{pchar}*+)*+"
    path = rf"(?://{authority}{segments}|/(?:{pchar}++{segments})?|{pchar}++{segments})?"
    tail = rf"(?:{pchar}|[/?]++)*+"
    full = re.compile(rf"[A-Za-z][A-Za-z0-9]*:(?=.){path}(?:\?{tail})?(?:#{tail})?").fullmatch
    return lambda text: common(text) is not None or full(text) is not None


is_uri = _uri_check()
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
).fullmatch


def parse_time(text: str) -> datetime | None:
    """Read an RFC 3339 ``date-time`` (section 5.6) in UTC; None when it is not one."""
    if not _TIME(text):
        return None
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):  # 30 February; a year beyond 1..9999 once in UTC
        return None


# --- checks mirroring the schema's definitions; each appends {pointer, detail} errors ---------


def problem(pointer: str, detail: str) -> Error:
    return {"pointer": pointer, "detail": detail}


def escape(key: object) -> str:
    """Escape a member name for an RFC 6901 pointer."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _is(test: Callable[[Any], object], what: str) -> Check:
    def check(v: Any, p: str, errors: list[Error]) -> None:
        if not test(v):
            errors.append(problem(p, f"must be {what}"))

    return check


def _uri(v: Any, p: str, errors: list[Error]) -> None:
    if not isinstance(v, str) or not is_uri(v):
        errors.append(problem(p, "must be a URI (RFC 3986)"))


def _nothing(v: Any, p: str, errors: list[Error]) -> None:
    """A member checked elsewhere."""


def _is_number(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, int) and not isinstance(v, bool)


def _pattern(regex: str, what: str) -> Check:
    match = re.compile(regex).fullmatch
    return _is(lambda v: isinstance(v, str) and match(v), what)


def _vocab(name: str, blocked: tuple[str, ...] = _CBV_NS) -> Check:
    """A standard word of vocabulary ``name``, or a URI outside the GS1 namespaces."""
    words = VOCABULARIES[name]
    return _is(
        lambda v: isinstance(v, str) and (v in words or (is_uri(v) and not v.startswith(blocked))),
        f"a standard {name} or a URI outside the GS1 namespaces",
    )


def _canonical(v: Any) -> Any:
    """A hashable form, equal for JSON-equal values (``uniqueItems``)."""
    if isinstance(v, dict):
        return frozenset((k, _canonical(x)) for k, x in v.items())
    if isinstance(v, list):
        return tuple(_canonical(x) for x in v)
    return (bool, v) if isinstance(v, bool) else v


def _array(item: Check, *, unique: bool = False, least: int = 0) -> Check:
    def check(v: Any, p: str, errors: list[Error]) -> None:
        if not isinstance(v, list):
            errors.append(problem(p, "must be an array"))
            return
        if len(v) < least:
            errors.append(problem(p, f"must have at least {least} item(s)"))
        for i, x in enumerate(v):
            item(x, f"{p}/{i}", errors)
        if unique and len(v) != len({_canonical(x) for x in v}):
            errors.append(problem(p, "must not repeat an item"))

    return check


_ANY, _URI_NAMED, _CLOSED = "any", "uri", "closed"


def _members(
    props: dict[str, Check], required: Sequence[str] = (), extra: str = _URI_NAMED
) -> Check:
    """An object: known members checked; others free (_ANY), URI-named (_URI_NAMED) or refused.

    URI-named members are JSON-LD extensions (the schema's ``propertyNames``): any value goes.
    """

    def check(v: Any, p: str, errors: list[Error]) -> None:
        if not isinstance(v, dict):
            errors.append(problem(p, "must be an object"))
            return
        for k, x in v.items():
            known = props.get(k)
            if known is not None:
                known(x, f"{p}/{k}", errors)
            elif extra != _ANY and (extra == _CLOSED or not (isinstance(k, str) and is_uri(k))):
                errors.append(problem(f"{p}/{escape(k)}", "is not an allowed member"))
        errors.extend(problem(f"{p}/{k}", "is required") for k in required if k not in v)

    return check


def _is_context(v: Any, top: bool = True) -> bool:
    """``@context``: a URI, an object, or an array of distinct URIs and objects."""
    if top and isinstance(v, list):
        return all(_is_context(x, False) for x in v) and len(v) == len(set(map(_canonical, v)))
    return isinstance(v, dict) or (isinstance(v, str) and is_uri(v))


def _is_persistent(v: Any) -> bool:
    return not isinstance(v, dict) or "set" in v or "unset" in v


def _both(first: Check, second: Check) -> Check:
    def check(v: Any, p: str, errors: list[Error]) -> None:
        first(v, p, errors)
        second(v, p, errors)

    return check


_string, _number = _is(lambda v: isinstance(v, str), "a string"), _is(_is_number, "a number")
_time = _is(lambda v: isinstance(v, str) and parse_time(v), "an RFC 3339 date-time with offset")
_context = _is(_is_context, "a URI, an object, or an array of distinct ones (JSON-LD)")
_uris, _epcs = _array(_uri), _array(_uri, unique=True)
_place = _members({"id": _uri}, ("id",), _ANY)
_uom = _pattern("[A-Z0-9]{2,3}", "a UN/ECE unit code")
_quantity = _members({"epcClass": _uri, "quantity": _number, "uom": _uom}, ("epcClass",), _CLOSED)
_quantities = _array(_quantity)
_bt_type = _vocab("bizTransaction-type")
_bt = _members({"type": _bt_type, "bizTransaction": _uri}, ("bizTransaction",), _CLOSED)
_party = _vocab("source-dest-type")
_SENSOR_URIS = ("deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules")
_MORE_URIS = ("microorganism", "chemicalSubstance", "coordinateReferenceSystem", "uriValue")
_NUMBERS = ("value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue")
_sensor_report = _members(
    {k: _uri for k in (*_SENSOR_URIS, *_MORE_URIS)}
    | {k: _number for k in _NUMBERS}
    | {"type": _vocab("measurementType", _WEBVOC_NS), "time": _time, "uom": _string}
    | {"exception": _vocab("sensorAlertType", _WEBVOC_NS), "component": _vocab("component")}
    | {"stringValue": _string, "booleanValue": _is(lambda v: isinstance(v, bool), "a boolean")}
    | {"hexBinaryValue": _pattern("[A-Fa-f0-9]+", "hexadecimal")},
    ("type",),
)
_sensor_metadata = _members(
    {k: _uri for k in _SENSOR_URIS} | {k: _time for k in ("time", "startTime", "endTime")}
)
_sensor_element = _members(
    {"sensorMetadata": _sensor_metadata, "sensorReport": _array(_sensor_report, least=1)},
    ("sensorReport",),
)
_dispositions = _array(_vocab("disposition"), unique=True, least=1)
_persistent = _both(
    _members({"set": _dispositions, "unset": _dispositions}, extra=_CLOSED),
    _is(_is_persistent, "an object with set or unset"),
)
_reason = _vocab("error-reason")
_error_declaration = _members(
    {"declarationTime": _time, "reason": _reason, "correctiveEventIDs": _uris}, ("declarationTime",)
)
_offset = _pattern(r"[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00)", "an offset from -13:59 to +14:00")
_certification = _is(
    lambda v: all(isinstance(x, str) and is_uri(x) for x in (v if isinstance(v, list) else [v])),
    "a URI or an array of URIs",
)
_source = _members({"type": _party, "source": _uri}, ("type", "source"), _CLOSED)
_destination = _members({"type": _party, "destination": _uri}, ("type", "destination"), _CLOSED)
_EVENT: dict[str, Check] = {"@context": _context, "type": _nothing, "eventID": _uri}
_EVENT |= {"eventTime": _time, "recordTime": _time, "eventTimeZoneOffset": _offset}
_EVENT |= {"certificationInfo": _certification, "errorDeclaration": _error_declaration}
_EVENT |= {"readPoint": _place, "bizLocation": _place, "sensorElementList": _array(_sensor_element)}
_EVENT |= {"bizStep": _vocab("bizStep"), "disposition": _vocab("disposition")}
_EVENT |= {"bizTransactionList": _array(_bt), "sourceList": _array(_source)}
_EVENT |= {"destinationList": _array(_destination)}
"""Members of every event type: EPCISEvent's (EPCIS 2.0 section 7.4.1) and the shared why/where."""
_action = _pattern("ADD|OBSERVE|DELETE", "ADD, OBSERVE or DELETE")
_OBJECT = {"action": _action, "epcList": _epcs, "quantityList": _quantities}
_CHILDREN = {"action": _action, "parentID": _uri, "childEPCs": _uris}
_CHILDREN |= {"childQuantityList": _quantities}
_TRANSACTION = {"action": _action, "parentID": _uri, "epcList": _uris, "quantityList": _quantities}
_TRANSACTION |= {"bizTransactionList": _array(_bt, least=1)}
_TRANSFORMATION = {"inputEPCList": _epcs, "outputEPCList": _epcs, "transformationID": _uri}
_TRANSFORMATION |= {"inputQuantityList": _quantities, "outputQuantityList": _quantities}
_ILMD = {"persistentDisposition": _persistent, "ilmd": _members({})}


def _filled(event: dict[str, Any], key: str) -> bool:
    value = event.get(key)
    return isinstance(value, list) and len(value) > 0


def _object_rule(event: dict[str, Any]) -> str | None:
    """ObjectEvent: what it names; ILMD only where objects are commissioned (action ADD)."""
    if "ilmd" in event and event.get("action") != "ADD":
        return "ilmd is allowed only with action ADD"
    if "epcList" in event or _filled(event, "quantityList"):
        return None
    if _filled(event, "sensorElementList") and "readPoint" in event:
        return None
    return "needs epcList, a non-empty quantityList, or sensorElementList with readPoint"


def _children_rule(event: dict[str, Any]) -> str | None:
    """AggregationEvent, AssociationEvent: the children, unless action DELETE."""
    if _filled(event, "childEPCs") or _filled(event, "childQuantityList"):
        return None
    return None if event.get("action") == "DELETE" else "needs childEPCs or childQuantityList"


def _transaction_rule(event: dict[str, Any]) -> str | None:
    """TransactionEvent: what it names, unless action DELETE."""
    if "epcList" in event or _filled(event, "quantityList") or event.get("action") == "DELETE":
        return None
    return "needs epcList or a non-empty quantityList"


def _transformation_rule(event: dict[str, Any]) -> str | None:
    """TransformationEvent: inputs and outputs, or either with a transformationID."""
    inputs = _filled(event, "inputEPCList") or _filled(event, "inputQuantityList")
    outputs = _filled(event, "outputEPCList") or _filled(event, "outputQuantityList")
    if (inputs and outputs) or ((inputs or outputs) and "transformationID" in event):
        return None
    return "needs inputs and outputs, or either with transformationID"


def _event_type(props: dict[str, Check], *required: str) -> Check:
    return _members(_EVENT | props, ("eventTime", "eventTimeZoneOffset", *required))


_EVENTS: dict[str, tuple[Check, Callable[[dict[str, Any]], str | None]]] = {
    "ObjectEvent": (_event_type(_OBJECT | _ILMD, "action"), _object_rule),
    "AggregationEvent": (_event_type(_CHILDREN, "action"), _children_rule),
    "TransactionEvent": (
        _event_type(_TRANSACTION, "action", "bizTransactionList"),
        _transaction_rule,
    ),
    "TransformationEvent": (_event_type(_TRANSFORMATION | _ILMD), _transformation_rule),
    "AssociationEvent": (_event_type(_CHILDREN, "action", "parentID"), _children_rule),
}
"""Each event type's members and rules (EPCIS 2.0 section 7.4 and the schema's anyOf clauses)."""
EVENT_TYPES = tuple(_EVENTS)  # the five standard types, in section 7.4's order
_value = _is(lambda v: _is_number(v) or isinstance(v, str | dict), "a number, string or object")
_attribute = _members({"id": _uri, "attribute": _value}, ("id",), _ANY)
_element = _members(
    {"id": _uri, "attributes": _array(_attribute), "children": _uris}, ("id",), _ANY
)
_vocabulary = _members({"type": _uri, "vocabularyElementList": _array(_element)}, ("type",), _ANY)
_master_data = _members({"vocabularyList": _array(_vocabulary)}, extra=_ANY)
_results = _members({"eventList": _nothing, "vocabularyList": _array(_vocabulary)}, ("eventList",))
_query_results = _members(
    {"queryName": _string, "subscriptionID": _string, "resultsBody": _results},
    ("queryName", "resultsBody"),
)
_version = _pattern(r"[0-9]+(?:\.[0-9]+)*", "a version such as 2.0")
_HEAD: dict[str, Check] = {"@context": _context, "id": _uri, "type": _nothing}
_HEAD |= {"schemaVersion": _version, "creationDate": _time}
_DOCUMENT = _HEAD | {k: _string for k in ("instanceIdentifier", "sender", "receiver")}
_DOCUMENT |= {"epcisHeader": _members({"epcisMasterData": _master_data})}
_DOCUMENT |= {"epcisBody": _members({"eventList": _nothing}, ("eventList",), _ANY)}
_QUERY_DOCUMENT = _HEAD | {
    "epcisBody": _members({"queryResults": _query_results}, ("queryResults",))
}
_DOCUMENTS: dict[str, tuple[DocumentKind, tuple[str, ...], Check]] = {
    "EPCISDocument": (
        "document",
        ("epcisBody", "eventList"),
        _members(_DOCUMENT, ("@context", "schemaVersion", "creationDate", "epcisBody")),
    ),
    "EPCISQueryDocument": (
        "query",
        ("epcisBody", "queryResults", "resultsBody", "eventList"),
        _members(_QUERY_DOCUMENT, ("@context", "epcisBody")),
    ),
}


# --- the walk: the document, then each event ---------------------------------------------------


def validate(document: Any) -> tuple[DocumentKind | None, list[Accepted], list[Error]]:
    """Check an ``EPCISDocument`` or ``EPCISQueryDocument`` and each of its events.

    Returns its kind (None when it is neither), the events that passed, and the problems, each
    with an RFC 6901 pointer into ``document``; the walk stops at ``MAX_ERRORS`` problems.
    """
    kind = document.get("type") if isinstance(document, dict) else None
    spec = _DOCUMENTS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        where = "#/type" if isinstance(document, dict) else "#"
        return None, [], [problem(where, "must be an EPCISDocument or an EPCISQueryDocument")]
    name, path, check = spec
    errors: list[Error] = []
    check(document, "#", errors)
    return name, _events(document, path, errors), errors


def _events(document: dict[str, Any], path: tuple[str, ...], errors: list[Error]) -> list[Accepted]:
    parent: Any = document
    for key in path[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict) or path[-1] not in parent:
        return []  # reported as a missing member
    pointer, items = "#/" + "/".join(path), parent[path[-1]]
    if not isinstance(items, list):
        errors.append(problem(pointer, "must be an array"))
        return []
    accepted = []
    for i, item in enumerate(items):
        when = _event(item, f"{pointer}/{i}", errors)
        if when is not None:
            accepted.append((item, when))
        elif len(errors) >= MAX_ERRORS:
            break
    return accepted


def _event(body: Any, p: str, errors: list[Error]) -> datetime | None:
    """Check one event against its type's members and rules; its time, or None when refused."""
    kind = body.get("type") if isinstance(body, dict) else None
    if not isinstance(kind, str) or kind not in _EVENTS:
        where = f"{p}/type" if isinstance(body, dict) else p
        errors.append(problem(where, "must be one of " + ", ".join(EVENT_TYPES)))
        return None
    before = len(errors)
    check, rule = _EVENTS[kind]
    check(body, p, errors)
    if (refused := rule(body)) is not None:
        errors.append(problem(p, refused))
    return parse_time(body["eventTime"]) if len(errors) == before else None
