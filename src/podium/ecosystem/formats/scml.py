"""Willems (2008) supply chains: the CSV export of SCML (Supply Chain Markup Language).

The file starts with a ``/chain`` row (after an optional UTF-8 byte-order mark), then a row of
XPath-like headers (``/arcs/arc/@from``, ``/stages/stage/@stageName`` ...), then rows that each
carry an arc, a stage, or both. The mapping to an ecosystem:

- each stage becomes a site (id = stage name) that produces one item (id = stage name);
- ``Part`` stages belong each to their own supplier actor (``supplier-<stage>``), all other stages
  to one orchestrator actor ``<chain name>-company`` (a manufacturer);
- site kind by classification: Part/Manuf -> plant, Dist -> distribution_centre, Trans -> hub,
  Retail -> store;
- stages with ``avgDemand`` > 0 make products (``demand_per_day`` = avgDemand,
  ``demand_std_per_day`` = stDevDemand, units/day); the others make parts; ``unit_cost`` =
  stageCost (currency/unit);
- each arc ``from -> to`` becomes a ``supplies`` link (id ``<from>-><to>``, item = the from-stage's
  item, ``lead_time_days`` = the from-stage's stageTime, days) and a BOM line (one unit of the
  from-item per unit of the to-item, at the to-stage);
- everything else (stageClassification, stageTime, stDevStageTime, the stage-time distribution as
  ``stageTimeDistribution: [{p, v}, ...]``, relDepth, xPos, yPos) goes to the site's
  ``attributes``, and maxServiceTime and serviceLevel to the item's, under their SCML names.

Reference: S. P. Willems, "Real-world multiechelon supply chains used for inventory optimization",
M&SOM 10(1):19-23, 2008.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podium.ecosystem.formats.yaml_json import decode_text, loc_text
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import Loc, Locator, Problem, SpecError, parse_spec

SITE_KINDS = {
    "part": "plant",
    "parts": "plant",
    "manuf": "plant",
    "dist": "distribution_centre",
    "trans": "hub",
    "retail": "store",
}
"""Site kind by stage classification (lower case; chain 19 writes ``Parts``)."""
SUPPLIER_CLASSES = {"part", "parts"}
NON_NEGATIVE = ("stageCost", "stageTime", "avgDemand", "stDevDemand", "stDevStageTime")
SITE_ATTRIBUTES = ("stageClassification", "stageTime", "stDevStageTime", "relDepth", "xPos", "yPos")
ITEM_ATTRIBUTES = ("maxServiceTime", "serviceLevel")
_TEXT_COLUMNS = {"stageName", "stageClassification"}
_DISTRIBUTION = re.compile(r"^StageTime_(\d+)_([pv])$")


def is_scml(path: Path) -> bool:
    """Return whether a file looks like a Willems SCML CSV (its first line starts with /chain)."""
    with Path(path).open("rb") as handle:
        head = handle.read(64)
    return head.removeprefix(b"\xef\xbb\xbf").startswith(b"/chain")


def chain_name(path: Path) -> str:
    """Return the ecosystem name for a chain file: ``01.csv`` -> ``willems-01``."""
    stem = re.sub(r"[\s/]+", "-", Path(path).stem).strip("-") or "chain"
    return f"willems-{stem}" if stem.isdigit() else stem


@dataclass
class _Stage:
    name: str
    line: int
    classification: str
    values: dict[str, Any]  # SCML attribute name -> number (or text for unknown columns)
    distribution: list[dict[str, float]]


@dataclass
class _Chain:
    """What the rows hold, and the problems found while reading them."""

    source: str
    stages: dict[str, _Stage] = field(default_factory=dict)
    arcs: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, line: int, column: str = "") -> None:
        self.problems.append(Problem(message, self.source, f"line {line}", column))


# --- rows ----------------------------------------------------------------------------------------


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Map the SCML attribute name (``from``, ``stageName`` ...) to its column index."""
    return {
        h.rsplit("@", 1)[-1].strip(): i
        for i, h in enumerate(header)
        if h.startswith(("/arcs/", "/stages/"))
    }


def _read_arc(chain: _Chain, row: dict[str, str], line: int) -> None:
    source, target = row.get("from", ""), row.get("to", "")
    if not (source or target):
        return
    if not (source and target):
        chain.problem("an arc needs both from and to", line, "to" if source else "from")
    elif source == target:
        chain.problem(f"an arc from stage {source!r} to itself", line, "to")
    else:
        chain.arcs.append((source, target, line))


def _stage_values(chain: _Chain, row: dict[str, str], line: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, text in row.items():
        if not text or column in _TEXT_COLUMNS or column in ("from", "to"):
            continue
        try:
            values[column] = _number(text)
        except ValueError:
            chain.problem(f"not a number (got {text!r})", line, column)
            continue
        if column in NON_NEGATIVE and values[column] < 0:
            chain.problem(f"must be >= 0 (got {text})", line, column)
    return values


def _distribution(chain: _Chain, values: dict[str, Any], line: int) -> list[dict[str, float]]:
    """Pop ``StageTime_k_p``/``_v`` from ``values`` into ``[{p, v}, ...]`` ordered by k."""
    points: dict[int, dict[str, float]] = {}
    for column in [c for c in values if _DISTRIBUTION.match(c)]:
        match = _DISTRIBUTION.match(column)
        assert match is not None
        points.setdefault(int(match[1]), {})[match[2]] = values.pop(column)
    for k, point in sorted(points.items()):
        if len(point) != 2:
            missing = "v" if "p" in point else "p"
            chain.problem("a stage-time point needs both p and v", line, f"StageTime_{k}_{missing}")
    return [{"p": pt["p"], "v": pt["v"]} for _, pt in sorted(points.items()) if len(pt) == 2]


def _read_stage(chain: _Chain, row: dict[str, str], line: int) -> None:
    name = row.get("stageName", "")
    if not name:
        if any(text for col, text in row.items() if col not in ("from", "to")):
            chain.problem("stage values without a stageName", line, "stageName")
        return
    if name in chain.stages:
        chain.problem(
            f"duplicate stage {name!r} (first at line {chain.stages[name].line})", line, "stageName"
        )
        return
    classification = row.get("stageClassification", "")
    if classification.lower() not in SITE_KINDS:
        expected = "Part, Manuf, Dist, Trans, Retail"
        chain.problem(
            f"unknown stage classification {classification!r} (expected {expected})",
            line,
            "stageClassification",
        )
    values = _stage_values(chain, row, line)
    distribution = _distribution(chain, values, line)
    chain.stages[name] = _Stage(name, line, classification, values, distribution)


def _read_rows(text: str, source: str) -> _Chain:
    chain = _Chain(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    first = next(reader, [])
    if not first or not first[0].startswith("/chain"):
        raise SpecError(
            [Problem("not an SCML chain: the first line must start with /chain", source, "line 1")]
        )
    columns = _columns(next(reader, []))
    missing = [c for c in ("from", "to", "stageName", "stageClassification") if c not in columns]
    if missing:
        raise SpecError([Problem(f"missing column @{c}", source, "line 2", c) for c in missing])
    try:
        for cells in reader:
            line = reader.line_num
            row = {col: cells[i].strip() for col, i in columns.items() if i < len(cells)}
            _read_arc(chain, row, line)
            _read_stage(chain, row, line)
    except csv.Error as exc:
        raise SpecError([Problem(f"CSV error: {exc}", source, f"line {reader.line_num}")]) from None
    for source_stage, target_stage, line in chain.arcs:
        for column, stage in (("from", source_stage), ("to", target_stage)):
            if stage not in chain.stages:
                chain.problem(f"unknown stage {stage!r}", line, column)
    return chain


# --- document ------------------------------------------------------------------------------------


@dataclass
class _Builder:
    """The document being built, with the line each entity came from (to locate problems)."""

    document: dict[str, Any]
    lines: dict[str, list[int]] = field(default_factory=dict)

    def add(self, section: str, entity: dict[str, Any], line: int) -> None:
        self.document.setdefault(section, []).append(entity)
        self.lines.setdefault(section, []).append(line)

    def locate(self, loc: Loc) -> tuple[str, str]:
        """Map ``("links", 3, ...)`` to the line of the row that made links[3]."""
        lines = self.lines.get(str(loc[0]), []) if loc else []
        if len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(lines):
            return f"line {lines[loc[1]]}", loc_text(loc)
        return "", loc_text(loc)


def _stage_entities(stage: _Stage, orchestrator: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the site and the item of one stage."""
    values = stage.values
    supplier = stage.classification.lower() in SUPPLIER_CLASSES
    site_attributes: dict[str, Any] = {"stageClassification": stage.classification}
    site_attributes |= {k: values[k] for k in SITE_ATTRIBUTES if k in values}
    if stage.distribution:
        site_attributes["stageTimeDistribution"] = stage.distribution
    known = {*SITE_ATTRIBUTES, *ITEM_ATTRIBUTES, "stageCost", "avgDemand", "stDevDemand"}
    site_attributes |= {k: v for k, v in values.items() if k not in known}
    site = {
        "id": stage.name,
        "actor": f"supplier-{stage.name}" if supplier else orchestrator,
        "name": stage.name,
        "kind": SITE_KINDS.get(stage.classification.lower(), "plant"),
        "produces": [stage.name],
        "attributes": site_attributes,
    }
    item: dict[str, Any] = {"id": stage.name, "name": stage.name, "kind": "part"}
    if "stageCost" in values:
        item["unit_cost"] = values["stageCost"]
    item_attributes = {k: values[k] for k in ITEM_ATTRIBUTES if k in values}
    if values.get("avgDemand", 0) > 0:
        item |= {"kind": "product", "demand_per_day": values["avgDemand"]}
        if "stDevDemand" in values:
            item["demand_std_per_day"] = values["stDevDemand"]
    else:
        item_attributes |= {k: values[k] for k in ("avgDemand", "stDevDemand") if k in values}
    item["attributes"] = item_attributes
    return site, item


def _document(chain: _Chain, name: str, file_name: str) -> tuple[dict[str, Any], Locator]:
    """Build the ecosystem document of a chain (actors, sites, items, links, BOM)."""
    build = _Builder(
        {
            "name": name,
            "title": f"Willems (2008) chain {Path(file_name).stem}",
            "description": f"Imported from {file_name}: a real multi-echelon supply chain "
            "published by Willems (2008), M&SOM 10(1):19-23.",
        }
    )
    orchestrator = f"{name}-company"
    company = {"id": orchestrator, "name": f"{name} company", "kind": "manufacturer"}
    build.add("actors", company | {"ecosystem_role": "orchestrator"}, 1)
    for stage in chain.stages.values():
        site, item = _stage_entities(stage, orchestrator)
        if site["actor"] != orchestrator:
            supplier = {
                "id": site["actor"],
                "name": f"Supplier of {stage.name}",
                "kind": "supplier",
            }
            build.add("actors", supplier | {"ecosystem_role": "partner"}, stage.line)
        build.add("sites", site, stage.line)
        build.add("items", item, stage.line)
    for source, target, line in chain.arcs:
        link = {"id": f"{source}->{target}", "kind": "supplies", "source": source, "target": target}
        link["item"] = source
        if "stageTime" in chain.stages[source].values:
            link["lead_time_days"] = chain.stages[source].values["stageTime"]
        build.add("links", link, line)
        build.add("bom", {"parent": target, "child": source, "quantity": 1.0, "site": target}, line)
    return build.document, build.locate


def loads_scml(data: bytes | str, *, source: str = "", name: str = "chain") -> EcosystemSpec:
    """Parse and validate an SCML chain from text or bytes; ``name`` names the ecosystem."""
    document, locate = load_scml_document(data, source=source, name=name)
    return parse_spec(document, source=source, locate=locate)


def load_scml_document(
    data: bytes | str, *, source: str = "", name: str = "chain"
) -> tuple[dict[str, Any], Locator]:
    """Read an SCML chain into a document and a locator (problems in the rows raise SpecError)."""
    text = decode_text(data, source) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    chain = _read_rows(text, source)
    if chain.problems:
        raise SpecError(chain.problems)
    return _document(chain, name, Path(source).name or "an SCML file")


def read_scml(path: Path) -> EcosystemSpec:
    """Read and validate a Willems SCML chain file; the ecosystem is named after the file."""
    path = Path(path)
    return loads_scml(path.read_bytes(), source=str(path), name=chain_name(path))
