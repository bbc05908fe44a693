"""YAML and JSON, the authoring formats ("ecosystem as code").

Reading is fast (libyaml's ``CSafeLoader`` when available, ``json`` for JSON); line numbers are only
computed when there is a problem to report, by composing the text again into YAML nodes (JSON is
YAML). Problems name the file, the line and the field path, e.g. ``line 57`` and
``links[3].source``. The YAML loader follows YAML 1.2 for booleans (only ``true``/``false``, so a
country code ``NO`` stays a string) and keeps dates as text.

Writing puts sections in a fixed order and fields in model order with defaults left out, so that the
output diffs well and ``dump(load(dump(x))) == dump(x)``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from podium.ecosystem.spec import ENTITY_SECTIONS, EcosystemSpec
from podium.ecosystem.validation import Loc, Locator, Problem, SpecError, parse_spec

try:
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

HEADER_FIELDS = ("schema_version", "name", "title", "description", "currency")
SECTION_ORDER = (*HEADER_FIELDS, *ENTITY_SECTIONS)
"""Top-level keys of a document, in the order the writers use."""

_BOM = b"\xef\xbb\xbf"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_SKIPPED_TAGS = (_BOOL_TAG, "tag:yaml.org,2002:timestamp")


# --- text ----------------------------------------------------------------------------------------


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 bytes (an optional byte-order mark is dropped); raise a located SpecError."""
    skip = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = data.count(b"\n", 0, offset) + 1
        message = (
            f"not UTF-8 text: byte 0x{data[offset]:02x} at byte offset {offset} cannot be decoded"
            " (save the file as UTF-8)"
        )
        raise SpecError([Problem(message, source=source, where=f"line {line}")]) from None


def loc_text(loc: Loc) -> str:
    """Return a document path as text: ``("links", 3, "source")`` -> ``links[3].source``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# --- YAML loading --------------------------------------------------------------------------------


class _Loader(_BaseLoader):
    """Safe loader with YAML 1.2 booleans, dates kept as text, and duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key_node.value!r}",
                    key_node.start_mark,
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _SKIPPED_TAGS]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(  # YAML 1.2 also reads 1e+20 (no dot) as a float, as JSON writes it
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _syntax_problem(exc: yaml.YAMLError, source: str) -> Problem:
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        problem += f" ({context} at line {context_mark.line + 1})"
    return Problem(f"YAML syntax error: {problem}", source=source, where=where)


def _not_a_mapping(document: Any, source: str) -> SpecError:
    got = "nothing" if document is None else f"a {type(document).__name__}"
    message = f"the document must be a mapping of sections (name, actors, sites, ...); got {got}"
    return SpecError([Problem(message, source=source, where="line 1")])


def _node_locator(text: str, *, columns: bool) -> Locator:
    """Return a locator that finds the line of a document path, composing ``text`` on first use."""
    cache: list[yaml.Node | None] = []

    def locate(loc: Loc) -> tuple[str, str]:
        if not cache:
            try:
                cache.append(yaml.compose(text.replace("\t", " "), Loader=_Loader))
            except yaml.YAMLError:
                cache.append(None)
        node = _find_node(cache[0], loc)
        if node is None:
            return "", loc_text(loc)
        mark = node.start_mark
        where = f"line {mark.line + 1}" + (f", column {mark.column + 1}" if columns else "")
        return where, loc_text(loc)

    return locate


def _find_node(root: yaml.Node | None, loc: Loc) -> yaml.Node | None:
    """Return the deepest node on ``loc`` (the parent when the path ends in a missing field)."""
    node = root
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node = child
    return node


def load_yaml_document(data: bytes | str, *, source: str = "") -> tuple[dict[str, Any], Locator]:
    """Parse YAML into a document dict and a locator for its paths (format problems raise)."""
    text = decode_text(data, source) if isinstance(data, bytes) else data
    try:
        document = yaml.load(text, Loader=_Loader)  # a safe loader
    except yaml.YAMLError as exc:
        raise SpecError([_syntax_problem(exc, source)]) from None
    if not isinstance(document, dict):
        raise _not_a_mapping(document, source)
    return document, _node_locator(text, columns=False)


def load_json_document(data: bytes | str, *, source: str = "") -> tuple[dict[str, Any], Locator]:
    """Parse JSON into a document dict and a locator for its paths (format problems raise)."""
    text = decode_text(data, source) if isinstance(data, bytes) else data
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise SpecError([Problem(f"JSON syntax error: {exc.msg}", source, where)]) from None
    if not isinstance(document, dict):
        raise _not_a_mapping(document, source)
    return document, _node_locator(text, columns=True)


def loads_yaml(data: bytes | str, *, source: str = "") -> EcosystemSpec:
    """Parse and validate YAML text or bytes; ``source`` names it in problems."""
    document, locate = load_yaml_document(data, source=source)
    return parse_spec(document, source=source, locate=locate)


def loads_json(data: bytes | str, *, source: str = "") -> EcosystemSpec:
    """Parse and validate JSON text or bytes; ``source`` names it in problems."""
    document, locate = load_json_document(data, source=source)
    return parse_spec(document, source=source, locate=locate)


def read_yaml(path: Path) -> EcosystemSpec:
    """Read and validate a YAML ecosystem file."""
    return loads_yaml(Path(path).read_bytes(), source=str(path))


def read_json(path: Path) -> EcosystemSpec:
    """Read and validate a JSON ecosystem file."""
    return loads_json(Path(path).read_bytes(), source=str(path))


# --- writing -------------------------------------------------------------------------------------


class _Dumper(_BaseDumper):
    """Block style, except short lists of scalars in flow style; multi-line text as ``|``."""


def _represent_list(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(v, str | int | float | bool) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def spec_document(spec: EcosystemSpec) -> dict[str, Any]:
    """Return the spec as a document: sections in :data:`SECTION_ORDER`, defaults left out."""
    document = spec.to_document()
    return {key: document[key] for key in SECTION_ORDER if key in document}


COMPACT_ABOVE = 10_000
"""Above this many entities, :func:`dump_yaml` writes one entity per line (see there)."""


def dump_yaml(spec: EcosystemSpec) -> str:
    """Return the spec as YAML text: the header fields, then each section after a blank line.

    Entities are written in block style, one field per line. A large ecosystem (more than
    :data:`COMPACT_ABOVE` entities, e.g. a generated one) is written compactly instead, one entity
    per line as a flow mapping: still YAML, still one diff line per changed entity, and about
    twenty times faster to write.
    """
    document = spec_document(spec)
    header = {key: document[key] for key in HEADER_FIELDS if key in document}
    sections = {k: v for k, v in document.items() if k not in HEADER_FIELDS}
    if sum(len(v) for v in sections.values()) > COMPACT_ABOVE:
        return "\n".join(
            [_dump_block(header), *(_compact_section(k, v) for k, v in sections.items())]
        )
    return "\n".join(
        _dump_block(block) for block in [header, *({k: v} for k, v in sections.items())]
    )


def _compact_section(name: str, entities: list[dict[str, Any]]) -> str:
    """A section with one JSON object (a YAML flow mapping) per entity and line."""
    lines = [f"{name}:", *(f"  - {json.dumps(e, ensure_ascii=False)}" for e in entities)]
    return "\n".join(lines) + "\n"


def _dump_block(block: dict[str, Any]) -> str:
    return yaml.dump(
        block,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def dump_json(spec: EcosystemSpec) -> str:
    """Return the spec as indented JSON text."""
    return json.dumps(spec_document(spec), indent=2, ensure_ascii=False) + "\n"
