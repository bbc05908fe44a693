"""ODRL 2.2 reading and writing: an enforceable policy to and from a SharingAgreement.

References: W3C ODRL Information Model 2.2 (IM) and ODRL Vocabulary & Expression 2.2, W3C
Recommendations of 15 February 2018; the Catena-X ODRL profile (``https://w3id.org/catenax/policy/``,
catenax-eV/cx-odrl-profile; standard CX-0152). The domain (agreements, grants, enforcement) is
:mod:`podium.integrate.policy`, which re-exports :func:`parse_odrl` and :func:`to_odrl`; this
module holds the JSON-LD side. A policy is imported only if all of it is enforced exactly;
anything else is refused with a JSON pointer, never taken as satisfied:

- one permission (IM §2.6.1) to ``use`` or ``read``; parties, target and action may be shared
  at the policy level (IM §2.1). No prohibition (IM §2.6.2): Podium cannot watch what a
  recipient does with what it may read, and under default deny a prohibition to read only
  restates what the permission leaves out;
- the constraints of a rule are a conjunction (IM §2.5), so ``and`` is flattened and repeated
  constraints on one operand intersect. ``or``, ``xone`` and ``andSequence`` (IM §2.5.2) are
  refused: a grant is one product purposes x window x filters x fields x grain, and a
  disjunction across operands is no product; over one operand ``or`` is exactly ``isAnyOf``
  (supported), and ``xone``/``andSequence`` need members evaluated in turn at access time;
- a profile other than Podium's or Catena-X's is refused: its terms (IM §2.1, §3) are unknown;
- the one duty (IM §2.6.3-2.6.5, as ``duty`` or ``obligation``) is ``delete`` with
  ``elapsedTime lteq P<n>D`` (or ``P<n>W``): the recipient deletes its copies within n days.

Left operands: ``purpose`` and ``cx-policy:UsagePurpose`` (eq/isAnyOf); ``recipient``
(eq/isAnyOf, narrows the assignees); ``dateTime`` (gteq/gt from, lt/lteq until; an xsd:date means
the whole day, no time zone means UTC); ``cx-policy:FrameworkAgreement`` and
``cx-policy:ContractReference`` (eq; kept as terms, not enforced); Podium's ``podium:field``
(permitted fields), ``podium:{time,item,place}Granularity`` (eq) and ``podium:<field>`` filters
(eq/isAnyOf). Pointers into an expanded JSON-LD document refer to its compacted form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from podium.integrate.policy import (
    _GRAINS,
    _RESERVED,
    CX,
    ODRL,
    ODRL_CONTEXT,
    PODIUM,
    PODIUM_PROFILE,
    TERMS,
    Grain,
    PolicyError,
    SharingAgreement,
    _aware,
    _error,
    _is_name,
    _strings,
    _unique,
)

_URN = "urn:podium:"
_NAMESPACES = {"odrl": ODRL, "cx-policy": CX, "podium": PODIUM}
_LISTS = {"permission", "prohibition", "obligation", "duty", "constraint", "and", "or", "xone"}
_LISTS |= {"andSequence"}
_IRI_KEYS = {"@type", "action", "leftOperand", "operator", "profile"}
_POLICY_KEYS = {"@type", "uid", "profile", "conflict", "assigner", "assignee", "target"}
_POLICY_KEYS |= {"action", "permission", "prohibition", "obligation"}
_RULE_KEYS = {"@type", "uid", "action", "constraint", "duty", "assigner", "assignee", "target"}
_ATOM_KEYS = {"@type", "uid", "leftOperand", "operator", "rightOperand", "dataType"}
_SLOTS = {"purpose": "purposes", "cx-policy:UsagePurpose": "purposes", "recipient": "recipients"}
_SLOTS |= {"podium:field": "fields", "dateTime": "window", TERMS[0]: TERMS[0], TERMS[1]: TERMS[1]}
_SLOTS |= {f"podium:{axis}Granularity": axis for axis in _GRAINS}
_DURATION = re.compile(r"P(?:(\d+)W|(\d+)D)")


# --- reading ODRL --------------------------------------------------------------------------------


@dataclass
class _Draft:
    """What a policy says so far, and what is wrong with it."""

    errors: list[dict[str, str]] = field(default_factory=list)
    sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)

    def error(self, pointer: str, detail: str) -> None:
        self.errors.append(_error(pointer, detail))

    def narrow(self, slot: str, values: tuple[str, ...], pointer: str) -> None:
        """Conjunction: keep the values every constraint on ``slot`` allows."""
        kept = _unique(v for v in self.sets.get(slot, values) if v in values)
        if not kept:
            self.error(pointer, f"no value satisfies every constraint on {slot}")
        self.sets[slot], self.where[slot] = kept, pointer

    def fix(self, slot: str, value: Any, pointer: str) -> None:
        if self.fixed.setdefault(slot, value) != value:
            self.error(pointer, f"{value!r} contradicts {self.fixed[slot]!r} given before")


def parse_odrl(
    document: Any,
    *,
    key: str | None = None,
    provider: str | None = None,
    recipients: Sequence[str] = (),
    dataset: str | None = None,
) -> SharingAgreement:
    """Read an ODRL policy (compact or expanded JSON-LD) that Podium can enforce exactly.

    The keyword arguments supply what the document leaves out (uid, assigner, assignee, target);
    a value given both ways must agree. Raises :class:`PolicyError` listing every problem.
    """
    draft = _Draft()
    policy = _policy_node(document, draft)
    if policy is None:
        raise PolicyError(draft.errors)
    rule_ptr, rule = _read_policy(policy, draft)
    given: dict[str, Sequence[str | None]] = {
        "uid": [key],
        "assigner": [provider],
        "target": [dataset],
        "assignee": recipients,
    }
    named: dict[str, tuple[str, ...]] = {}
    for name, values in given.items():
        sources = [(f"#/{name}", policy.get(name))]
        sources += [(f"{rule_ptr}/{name}", rule.get(name))] if rule and name != "uid" else []
        before = len(draft.errors)
        found = _parties(draft, sources, [v for v in values if v is not None], name == "assignee")
        if name == "assignee" and "recipients" in draft.sets:  # the recipient constraint
            if found:
                draft.narrow("recipients", found, draft.where["recipients"])
            found = draft.sets["recipients"]
        if not found and len(draft.errors) == before:
            draft.error(f"#/{name}", "missing: name it in the policy or as an argument")
        named[name] = found
    refused = any(e["pointer"].startswith(f"{rule_ptr}/constraint") for e in draft.errors)
    if rule is not None and "purposes" not in draft.sets and not refused:
        draft.error(f"{rule_ptr}/constraint", "name the purpose: purpose or cx-policy:UsagePurpose")
    if draft.errors:
        raise PolicyError(draft.errors)
    return _build(draft, named)


def _policy_node(document: Any, draft: _Draft) -> dict[str, Any] | None:
    """The policy as compact JSON with terms resolved (expanded JSON-LD is one node in a list)."""
    if isinstance(document, list) and len(document) == 1:
        document = document[0]
    if not isinstance(document, dict):
        draft.error("#", "a policy is one JSON object (or one expanded JSON-LD node)")
        return None
    prefixes = dict(_NAMESPACES)
    context = document.get("@context")
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            prefixes |= {k: v for k, v in entry.items() if isinstance(v, str)}
    node: dict[str, Any] = _normalise(document, prefixes)
    return node


def _normalise(node: Any, prefixes: dict[str, str]) -> Any:
    """Compact a node: terms for IRIs, values for value objects, single values unwrapped."""
    if isinstance(node, list):
        return [_normalise(item, prefixes) for item in node]
    if not isinstance(node, dict) or "@value" in node:
        return node["@value"] if isinstance(node, dict) else node
    if set(node) == {"@id"}:
        return _term(str(node["@id"]), prefixes)
    out: dict[str, Any] = {}
    for key, value in node.items():
        name = "uid" if key == "@id" else key if key.startswith("@") else _term(key, prefixes)
        value = _normalise(value, prefixes)
        if isinstance(value, list) and len(value) == 1 and name not in _LISTS:
            value = value[0]
        if name in _IRI_KEYS:
            value = [_term(v, prefixes) if isinstance(v, str) else v for v in _listed(value)]
            value = value[0] if len(value) == 1 else value
        if key != "@context":
            out[name] = value
    return out


def _term(value: str, prefixes: dict[str, str]) -> str:
    """Return an IRI or compact IRI as a bare ODRL term, ``cx-policy:X`` or ``podium:X``."""
    prefix, colon, rest = value.partition(":")
    if colon and prefix in prefixes and not rest.startswith("//"):
        value = prefixes[prefix] + rest
    for short, namespace in _NAMESPACES.items():
        if value.startswith(namespace):
            return ("" if short == "odrl" else short + ":") + value.removeprefix(namespace)
    return value


def _listed(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _items(value: Any, pointer: str) -> list[tuple[str, Any]]:
    if isinstance(value, list):
        return [(f"{pointer}/{i}", item) for i, item in enumerate(value)]
    return [] if value is None else [(pointer, value)]


def _known(node: dict[str, Any], pointer: str, allowed: set[str], draft: _Draft) -> None:
    for key in [k for k in node if k not in allowed]:
        token = key.replace("~", "~0").replace("/", "~1")
        draft.error(f"{pointer}/{token}", f"unsupported property {key!r}")


def _read_policy(policy: dict[str, Any], draft: _Draft) -> tuple[str, dict[str, Any] | None]:
    """Check the policy node and read its one permission; return the permission and pointer."""
    _known(policy, "#", _POLICY_KEYS, draft)
    if policy.get("@type") not in ("Policy", "Set", "Offer", "Agreement"):
        draft.error("#/@type", "a Policy, Set, Offer or Agreement")
    for pointer, profile in _items(policy.get("profile"), "#/profile"):
        if isinstance(profile, str) and profile.startswith("cx-policy:profile"):
            draft.fix("profile", profile, pointer)
        elif profile != PODIUM_PROFILE:
            draft.error(pointer, f"unknown ODRL profile {profile!r}")
    if "prohibition" in policy:
        draft.error("#/prohibition", "prohibitions are not enforced: narrow the permission")
    for where, duty in _items(policy.get("obligation"), "#/obligation"):
        _read_duty(duty, where, draft)
    if "action" in policy:  # shared by the rules (a compact policy)
        _action(policy, "#", ("use", "read"), draft)
    rules = _items(policy.get("permission"), "#/permission")
    if len(rules) != 1 or not isinstance(rules[0][1], dict):
        draft.error("#/permission", "exactly one permission (a JSON object)")
        return "#/permission", None
    pointer, rule = rules[0]
    _known(rule, pointer, _RULE_KEYS, draft)
    if "action" in rule or "action" not in policy:
        _action(rule, pointer, ("use", "read"), draft)
    for where, atom in _atoms(rule, pointer, draft):
        _apply(atom, where, draft)
    for where, duty in _items(rule.get("duty"), f"{pointer}/duty"):
        _read_duty(duty, where, draft)
    return pointer, rule


def _action(rule: dict[str, Any], pointer: str, allowed: tuple[str, ...], draft: _Draft) -> bool:
    if (action := rule.get("action")) in allowed:
        return True
    detail = "action refinements are not supported" if isinstance(action, dict) else ""
    draft.error(f"{pointer}/action", detail or f"{action!r} is not one of {allowed}")
    return False


def _atoms(rule: dict[str, Any], pointer: str, draft: _Draft) -> list[tuple[str, dict[str, Any]]]:
    """The atomic constraints of a rule, ``and`` flattened; other logical constraints refused."""
    found: list[tuple[str, dict[str, Any]]] = []
    pending = _items(rule.get("constraint"), f"{pointer}/constraint")
    while pending:
        where, item = pending.pop(0)
        logical = (
            [op for op in ("or", "xone", "andSequence") if op in item]
            if isinstance(item, dict)
            else []
        )
        if not isinstance(item, dict):
            draft.error(where, "a constraint is a JSON object")
        elif logical:
            draft.error(f"{where}/{logical[0]}", f"{logical[0]!r} is not enforced: use isAnyOf")
        elif "and" in item:
            _known(item, where, {"@type", "uid", "and"}, draft)
            pending = _items(item["and"], f"{where}/and") + pending
        else:
            _known(item, where, _ATOM_KEYS, draft)
            found.append((where, item))
    return found


def _read_duty(duty: Any, pointer: str, draft: _Draft) -> None:
    """Read a ``delete`` duty with ``elapsedTime lteq P<n>D`` (or ``P<n>W``)."""
    if not isinstance(duty, dict):
        draft.error(pointer, "a duty is a JSON object")
        return
    _known(duty, pointer, {"@type", "uid", "action", "constraint"}, draft)
    if not _action(duty, pointer, ("delete",), draft):
        return
    if not (atoms := _atoms(duty, pointer, draft)):
        draft.error(pointer, "a delete duty with elapsedTime lteq a duration, e.g. P30D")
    for where, atom in atoms:
        value = atom.get("rightOperand")
        match = _DURATION.fullmatch(value) if isinstance(value, str) else None
        if atom.get("leftOperand") != "elapsedTime":
            draft.error(f"{where}/leftOperand", "a delete duty takes only elapsedTime")
        elif atom.get("operator") != "lteq":
            draft.error(f"{where}/operator", "elapsedTime takes lteq")
        elif match is None:
            draft.error(f"{where}/rightOperand", "an ISO 8601 duration in days or weeks")
        else:
            days = int(match[1]) * 7 if match[1] else int(match[2])
            draft.fixed["delete"] = min(days, draft.fixed.get("delete", days))


def _apply(atom: dict[str, Any], pointer: str, draft: _Draft) -> None:
    """Add one atomic constraint to the draft, or say why it cannot be enforced."""
    left, op, value = atom.get("leftOperand"), atom.get("operator"), atom.get("rightOperand")
    name = left.removeprefix("podium:") if isinstance(left, str) else ""
    slot = _SLOTS.get(left, "") if isinstance(left, str) else ""
    if not slot and left != name and _is_name(name) and name not in _RESERVED:
        slot = f"filter:{name}"
    single = slot in _GRAINS or slot in TERMS
    allowed: tuple[str, ...] = ("eq",) if single else ("eq", "isAnyOf")
    allowed = ("gteq", "gt", "lt", "lteq") if slot == "window" else allowed
    values = _listed(value)
    if not slot:
        draft.error(f"{pointer}/leftOperand", f"unknown leftOperand {left!r}: not enforced")
    elif op not in allowed:
        draft.error(f"{pointer}/operator", f"{op!r} is not supported for {left}: {allowed}")
    elif slot == "window":
        _date_time(draft, str(op), value, f"{pointer}/rightOperand")
    elif not _strings(values) or (op == "eq" and len(values) != 1):
        draft.error(f"{pointer}/rightOperand", "eq takes one non-empty string, isAnyOf some")
    elif slot == "fields" and not all(map(_is_name, values)):
        draft.error(f"{pointer}/rightOperand", "field names are identifiers")
    elif slot in _GRAINS and values[0] not in _GRAINS[slot]:
        draft.error(f"{pointer}/rightOperand", f"one of {', '.join(_GRAINS[slot])}")
    elif single:
        draft.fix(slot, values[0], f"{pointer}/rightOperand")
    else:
        draft.narrow(slot, tuple(values), f"{pointer}/rightOperand")


def _date_time(draft: _Draft, op: str, value: Any, pointer: str) -> None:
    """``gteq``/``gt`` bound the window from below, ``lt``/``lteq`` from above (exclusive end)."""
    try:
        moment = _aware(datetime.fromisoformat(value))
        if op in ("gt", "lteq"):  # the next instant after value (the next day after a date)
            moment += timedelta(days=1) if len(value) == 10 else timedelta(microseconds=1)
    except (TypeError, ValueError, OverflowError):
        draft.error(pointer, f"{value!r} is not an xsd:dateTime or xsd:date")
        return
    slot, pick = ("from", max) if op in ("gt", "gteq") else ("until", min)
    draft.fixed[slot] = pick(moment, draft.fixed.get(slot, moment))
    start, end = draft.fixed.get("from"), draft.fixed.get("until")
    if start is not None and end is not None and start >= end:
        draft.error(pointer, "the validity window is empty")


def _key_of(value: Any) -> str | None:
    """The Podium key an IRI (string, or node with only ``@id``/``uid``) stands for."""
    if isinstance(value, dict) and set(value) <= {"uid", "@type"}:
        value = value.get("uid")
    if not isinstance(value, str) or not value:
        return None
    for kind in ("agreement:", "actor:", "dataset:"):
        if value.startswith(_URN + kind):
            return value.removeprefix(_URN + kind)
    return value.removeprefix(_URN) if value.startswith((_URN + "role:", _URN + "kind:")) else value


def _parties(
    draft: _Draft, sources: list[tuple[str, Any]], given: Sequence[str], many: bool
) -> tuple[str, ...]:
    """The keys named at ``sources`` and by argument, which must agree (as sets)."""
    named: list[tuple[str, tuple[str, ...]]] = [("", tuple(given))] if given else []
    for pointer, raw in sources:
        items = _items(raw, pointer)
        keys = tuple(k for _, item in items if (k := _key_of(item)))
        if len(keys) != len(items) or (len(keys) > 1 and not many):
            draft.error(pointer, "IRIs (strings or {'@id': ...})" if many else "one IRI")
        elif keys:
            named.append((pointer, keys))
    for pointer, keys in named[1:]:
        if set(keys) != set(named[0][1]):
            draft.error(pointer, f"{list(keys)} disagrees with {list(named[0][1])}")
    return named[0][1] if named else ()


def _build(draft: _Draft, named: dict[str, tuple[str, ...]]) -> SharingAgreement:
    fixed, sets = draft.fixed, draft.sets
    return SharingAgreement(
        key=named["uid"][0],
        provider=named["assigner"][0],
        recipients=named["assignee"],
        dataset=named["target"][0],
        purposes=sets["purposes"],
        fields=sets.get("fields", ()),
        filters={s.removeprefix("filter:"): v for s, v in sets.items() if s.startswith("filter:")},
        grain=Grain(*(fixed.get(axis, default) for axis, default in Grain().axes())),
        valid_from=fixed.get("from"),
        valid_until=fixed.get("until"),
        delete_after_days=fixed.get("delete"),
        terms={name: fixed[name] for name in TERMS if name in fixed},
    )


# --- writing ODRL --------------------------------------------------------------------------------


def _party_iri(key: str) -> str:
    return _URN + key if key.startswith(("role:", "kind:")) else f"{_URN}actor:{key}"


def _constraint(left: str, values: Sequence[Any], op: str = "") -> dict[str, Any]:
    op = op or ("eq" if len(values) == 1 else "isAnyOf")
    value = values[0] if op != "isAnyOf" else list(values)
    return {"leftOperand": left, "operator": op, "rightOperand": value}


def to_odrl(agreement: SharingAgreement) -> dict[str, Any]:
    """Write the agreement as compact ODRL JSON-LD (an ``Agreement``); ``parse_odrl`` reads it."""
    a = agreement
    purpose = "cx-policy:UsagePurpose" if "profile" in a.terms else "purpose"
    constraints = [_constraint(purpose, a.purposes)]
    constraints += [_constraint(t, [a.terms[t]]) for t in TERMS[:2] if t in a.terms]
    constraints += [_constraint("podium:field", a.fields)] if a.fields else []
    constraints += [_constraint(f"podium:{name}", v) for name, v in a.filters.items()]
    defaults = dict(Grain().axes())
    constraints += [
        _constraint(f"podium:{axis}Granularity", [v])
        for axis, v in a.grain.axes()
        if v != defaults[axis]
    ]
    for op, moment in (("gteq", a.valid_from), ("lt", a.valid_until)):
        if moment is not None:
            value = {"@value": moment.isoformat(), "@type": "xsd:dateTime"}
            constraints.append(_constraint("dateTime", [value], op))
    permission: dict[str, Any] = {"action": "use", "constraint": constraints}
    if a.delete_after_days is not None:
        elapsed = {"@value": f"P{a.delete_after_days}D", "@type": "xsd:duration"}
        limit = _constraint("elapsedTime", [elapsed], "lteq")
        permission["duty"] = [{"action": "delete", "constraint": [limit]}]
    profile = [PODIUM_PROFILE, *([a.terms["profile"]] if "profile" in a.terms else [])]
    return {
        "@context": [ODRL_CONTEXT, {"podium": PODIUM, "cx-policy": CX}],
        "@type": "Agreement",
        "uid": f"{_URN}agreement:{a.key}",
        "profile": profile if len(profile) > 1 else profile[0],
        "assigner": _party_iri(a.provider),
        "assignee": [_party_iri(r) for r in a.recipients],
        "target": f"{_URN}dataset:{a.dataset}",
        "permission": [permission],
    }
