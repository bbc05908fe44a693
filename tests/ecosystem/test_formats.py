"""Round trips and located problems for the YAML, JSON, CSV and XLSX formats."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from podium.ecosystem.formats import (
    CSV,
    GRAPHML,
    JSON,
    SCML,
    XLSX,
    YAML,
    detect_format,
    read_path,
    write_path,
)
from podium.ecosystem.formats.sheets import SHEETS
from podium.ecosystem.formats.yaml_json import (
    SECTION_ORDER,
    dump_json,
    dump_yaml,
    loads_json,
    loads_yaml,
)
from podium.ecosystem.spec import ENTITY_SECTIONS, EcosystemSpec
from podium.ecosystem.validation import Problem, SpecError

from .conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "docs" / "examples" / "ecosystem-example.yaml"
DOC = REPO_ROOT / "docs" / "ecosystem-format.md"

SMALL_YAML = """\
schema_version: '1'
name: small
actors:
- id: acme
  name: Acme
  kind: manufacturer
- id: bolt
  name: Bolt
  kind: supplier
sites:
- id: plant
  actor: acme
  name: Plant
items:
- id: screw
  name: Screw
- id: widget
  name: Widget
  kind: product
links:
- id: l1
  kind: supplies
  source: bolt
  target: plant
  item: screw
  capacity_per_day: 10
bom:
- parent: widget
  child: screw
"""


def only_problem(exc: pytest.ExceptionInfo[SpecError]) -> Problem:
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


def line_of(text: str, pattern: str) -> int:
    """Return the 1-based line number of the first line matching ``pattern``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line))


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name"),
    [(YAML, "eco.yaml"), (JSON, "eco.json"), (CSV, "eco-folder"), (XLSX, "eco.xlsx")],
)
def test_round_trip_is_lossless(full_spec: EcosystemSpec, tmp_path: Path, fmt: str, name: str):
    path = tmp_path / name
    write_path(full_spec, path, format=fmt)
    assert detect_format(path) == fmt
    assert read_path(path) == full_spec


def test_yaml_dump_is_stable_and_ordered(full_spec: EcosystemSpec):
    text = dump_yaml(full_spec)
    assert dump_yaml(loads_yaml(text)) == text
    keys = [line.split(":")[0] for line in text.splitlines() if re.match(r"^\w+:", line)]
    assert keys == list(SECTION_ORDER)
    assert "ecosystem_role: participant" not in text  # defaults are left out
    assert "country: 'NO'" in text  # quoted, so it stays a country code


def test_large_ecosystems_are_written_one_entity_per_line(
    full_spec: EcosystemSpec, monkeypatch: pytest.MonkeyPatch
):
    """Above the compact threshold each entity is one line, and the file reads back the same."""
    from podium.ecosystem.formats import yaml_json

    monkeypatch.setattr(yaml_json, "COMPACT_ABOVE", 0)
    full_spec.items[0].attributes["huge"] = 1e20  # JSON writes 1e+20: YAML 1.2 reads a float
    text = dump_yaml(full_spec)
    entities = sum(len(getattr(full_spec, section)) for section in ENTITY_SECTIONS)
    assert sum(line.startswith("  - {") for line in text.splitlines()) == entities
    assert loads_yaml(text) == full_spec


def test_json_dump_is_stable_and_ordered(full_spec: EcosystemSpec):
    text = dump_json(full_spec)
    assert list(json.loads(text)) == list(SECTION_ORDER)
    assert dump_json(loads_json(text)) == text


def test_fields_in_model_order(full_spec: EcosystemSpec):
    document = json.loads(dump_json(full_spec))
    link = document["links"][0]
    assert list(link) == [f for f in type(full_spec.links[0]).model_fields if f in link]


def test_yaml_one_dot_one_booleans_stay_text():
    text = SMALL_YAML.replace("  name: Bolt\n", "  name: Bolt\n  country: NO\n")
    assert loads_yaml(text).actors[1].country == "NO"


def test_read_path_reports_progress(tmp_path: Path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    steps: list[tuple[str, int, int]] = []
    read_path(path, progress=lambda step, done, total: steps.append((step, done, total)))
    assert steps == [("read", 0, 1), ("read", 1, 1), ("validate", 0, 1), ("validate", 1, 1)]


def test_detect_format(tmp_path: Path, willems: Path):
    assert detect_format(willems / "01.csv") == SCML
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SpecError, match="folder of tables"):
        detect_format(plain)
    with pytest.raises(SpecError, match="no such file"):
        detect_format(tmp_path / "missing.yaml")


def test_graphml_opens_with_networkx(full_spec: EcosystemSpec, tmp_path: Path):
    path = tmp_path / "eco.graphml"
    write_path(full_spec, path)
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.number_of_nodes() == len(full_spec.actors) + len(full_spec.sites)
    assert graph.number_of_edges() == len(full_spec.links)
    assert graph.nodes["acme-plant"]["node_type"] == "site"
    assert graph.nodes["acme-plant"]["actor"] == "acme"
    assert graph.nodes["tube-mill"]["produces"] == "tube;bar"
    assert json.loads(graph.nodes["acme"]["attributes"]) == {"duns": "123456789", "tier": 0}
    tubes = graph.edges["tube-mill", "frame-plant", "tubes"]
    assert tubes["capacity_per_day"] == 200.0 and tubes["alternates"] == "alt-mill;altco"
    assert "share" not in graph.edges["hub", "acme-plant", "freight"]  # None is dropped


def test_example_parses_and_matches_the_docs():
    spec = read_path(EXAMPLE)
    assert {a.kind.value for a in spec.actors} >= {
        "manufacturer",
        "supplier",
        "logistics",
        "utility",
    }
    assert any(link.alternates for link in spec.links)
    assert spec.bom and spec.inventory and spec.value_flows
    block = DOC.read_text(encoding="utf-8").split("```yaml\n# Velo Works", 1)[1].split("```")[0]
    assert loads_yaml("# Velo Works" + block) == spec


# --- YAML / JSON problems ------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_actor_in_a_link(tmp_path: Path):
    text = SMALL_YAML.replace("source: bolt", "source: ghost")
    path = write(tmp_path, "eco.yaml", text)
    with pytest.raises(SpecError) as exc:
        read_path(path)
    problem = only_problem(exc)
    assert problem.source == str(path)
    assert problem.where == f"line {line_of(text, 'source: ghost')}"
    assert problem.field == "links[0].source"
    assert "unknown actor or site 'ghost'" in problem.message
    assert str(path) in str(exc.value) and "links[0].source" in str(exc.value)


def test_negative_capacity(tmp_path: Path):
    text = SMALL_YAML.replace("capacity_per_day: 10", "capacity_per_day: -5")
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = only_problem(exc)
    assert problem.where == f"line {line_of(text, 'capacity_per_day')}"
    assert problem.field == "links[0].capacity_per_day"
    assert "greater than or equal to 0" in problem.message


def test_bom_cycle(tmp_path: Path):
    text = SMALL_YAML + "- parent: screw\n  child: widget\n"
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = only_problem(exc)
    assert problem.message == "BOM cycle: widget -> screw -> widget"
    assert (problem.where, problem.field) == (
        f"line {line_of(text, 'child: widget')}",
        "bom[1].child",
    )


def test_wrong_type(tmp_path: Path):
    text = SMALL_YAML.replace("  kind: product\n", "  kind: product\n  demand_per_day: lots\n")
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = only_problem(exc)
    assert problem.where == f"line {line_of(text, 'demand_per_day')}"
    assert problem.field == "items[1].demand_per_day"
    assert "number" in problem.message and "'lots'" in problem.message


def test_duplicate_id(tmp_path: Path):
    text = SMALL_YAML.replace("- id: bolt", "- id: acme")
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = next(p for p in exc.value.problems if "duplicate" in p.message)
    assert problem.where == "line 7" and problem.field == "actors[1].id"


def test_unknown_field(tmp_path: Path):
    text = SMALL_YAML.replace("  name: Plant\n", "  name: Plant\n  colour: red\n")
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = only_problem(exc)
    assert (problem.message, problem.field) == ("unknown field", "sites[0].colour")


def test_bad_encoding(tmp_path: Path):
    data = SMALL_YAML.replace("name: Bolt", "name: Bølt").encode("latin-1")
    path = tmp_path / "eco.yaml"
    path.write_bytes(data)
    with pytest.raises(SpecError) as exc:
        read_path(path)
    problem = only_problem(exc)
    assert problem.source == str(path) and "not UTF-8" in problem.message
    offset = data.index("ø".encode("latin-1"))
    assert f"byte 0xf8 at byte offset {offset}" in problem.message
    assert problem.where == f"line {line_of(SMALL_YAML, 'name: Bolt')}"


def test_yaml_syntax_error(tmp_path: Path):
    text = SMALL_YAML.replace("  name: Plant\n", "  name: [Plant\n")
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = only_problem(exc)
    assert "YAML syntax error" in problem.message
    assert re.fullmatch(r"line \d+, column \d+", problem.where)


def test_yaml_duplicate_key(tmp_path: Path):
    text = SMALL_YAML.replace("  name: Plant\n", "  name: Plant\n  name: Works\n")
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.yaml", text))
    problem = only_problem(exc)
    assert "duplicate key 'name'" in problem.message
    assert problem.where.startswith(f"line {line_of(text, 'name: Works')},")


def test_document_not_a_mapping(tmp_path: Path):
    with pytest.raises(SpecError, match="must be a mapping"):
        read_path(write(tmp_path, "eco.yaml", "- a\n- b\n"))


def test_json_problems_are_located(tmp_path: Path):
    document = loads_yaml(SMALL_YAML).to_document()
    document["links"][0]["target"] = "nowhere"
    text = json.dumps(document, indent=2)
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.json", text))
    problem = only_problem(exc)
    assert problem.where.startswith(f"line {line_of(text, 'nowhere')}, column ")
    assert problem.field == "links[0].target"


def test_json_syntax_error(tmp_path: Path):
    with pytest.raises(SpecError) as exc:
        read_path(write(tmp_path, "eco.json", '{"name": "x",\n  "actors": [}\n'))
    problem = only_problem(exc)
    assert "JSON syntax error" in problem.message and problem.where == "line 2, column 14"


# --- CSV / XLSX problems -------------------------------------------------------------------------


def edit_csv(path: Path, edit: Callable[[list[list[str]]], object]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_csv_missing_column(full_spec: EcosystemSpec, tmp_path: Path):
    folder = tmp_path / "eco"
    write_path(full_spec, folder, format=CSV)
    edit_csv(folder / "links.csv", lambda rows: [row.pop(2) for row in rows])  # source
    with pytest.raises(SpecError) as exc:
        read_path(folder)
    problem = only_problem(exc)
    assert (problem.source, problem.where, problem.field) == (
        str(folder),
        "links.csv line 1",
        "source",
    )
    assert "missing required column 'source'" in problem.message


def test_csv_unknown_column_and_bad_number(full_spec: EcosystemSpec, tmp_path: Path):
    folder = tmp_path / "eco"
    write_path(full_spec, folder, format=CSV)

    def edit(rows: list[list[str]]) -> None:
        rows[0].append("colour")
        rows[3][rows[0].index("capacity_per_day")] = "plenty"

    edit_csv(folder / "links.csv", edit)
    with pytest.raises(SpecError) as exc:
        read_path(folder)
    found = {(p.where, p.field): p.message for p in exc.value.problems}
    assert found[("links.csv line 1", "colour")] == "unknown column"
    assert found[("links.csv line 4", "capacity_per_day")] == "not a number (got 'plenty')"
    assert len(found) == 2


def test_csv_reference_problem_names_file_and_line(full_spec: EcosystemSpec, tmp_path: Path):
    folder = tmp_path / "eco"
    write_path(full_spec, folder, format=CSV)
    edit_csv(folder / "links.csv", lambda rows: rows[2].__setitem__(3, "ghost"))  # target
    with pytest.raises(SpecError) as exc:
        read_path(folder)
    problem = only_problem(exc)
    assert (problem.where, problem.field) == ("links.csv line 3", "target")
    assert f"{folder}, links.csv line 3: target: unknown actor or site 'ghost'" == str(problem)


def test_csv_without_ecosystem_sheet_takes_the_folder_name(tmp_path: Path):
    folder = tmp_path / "my eco"
    folder.mkdir()
    (folder / "actors.csv").write_text("id,name,kind\nacme,Acme,manufacturer\n", encoding="utf-8")
    spec = read_path(folder)
    assert spec.name == "my-eco" and spec.actors[0].id == "acme"


def test_csv_unknown_file_and_key(full_spec: EcosystemSpec, tmp_path: Path):
    folder = tmp_path / "eco"
    write_path(full_spec, folder, format=CSV)
    (folder / "link.csv").write_text("id\n", encoding="utf-8")
    with (folder / "ecosystem.csv").open("a", encoding="utf-8") as handle:
        handle.write("owner,me\n")
    with pytest.raises(SpecError) as exc:
        read_path(folder)
    found = {(Path(p.source).name, p.where, p.field) for p in exc.value.problems}
    # line 8: the description above it spans two lines
    assert found == {("link.csv", "", ""), ("eco", "ecosystem.csv line 8", "key")}


def test_xlsx_missing_column_and_unknown_sheet(full_spec: EcosystemSpec, tmp_path: Path):
    path = tmp_path / "eco.xlsx"
    write_path(full_spec, path)
    workbook = openpyxl.load_workbook(path)
    workbook["bom"].delete_cols(2)  # child
    workbook.create_sheet("notes")
    workbook.save(path)
    with pytest.raises(SpecError) as exc:
        read_path(path)
    found = [(p.where, p.field, p.message) for p in exc.value.problems]
    assert found == [
        ("sheet notes", "", f"unknown sheet (expected {', '.join(SHEETS)})"),
        ("sheet bom, row 1", "child", "missing required column 'child'"),
    ]


def test_xlsx_problem_names_sheet_and_row(full_spec: EcosystemSpec, tmp_path: Path):
    path = tmp_path / "eco.xlsx"
    write_path(full_spec, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["items"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("unit_cost") + 1, value="cheap")
    sheet.cell(row=4, column=header.index("critical") + 1, value="maybe")
    workbook.save(path)
    with pytest.raises(SpecError) as exc:
        read_path(path)
    found = {(p.where, p.field): p.message for p in exc.value.problems}
    assert found == {
        ("sheet items, row 3", "unit_cost"): "not a number (got 'cheap')",
        ("sheet items, row 4", "critical"): "not true or false (got 'maybe')",
    }


def test_cannot_write_scml(full_spec: EcosystemSpec, tmp_path: Path):
    with pytest.raises(SpecError, match="cannot write"):
        write_path(full_spec, tmp_path / "x.csv", format=SCML)
    with pytest.raises(SpecError, match="cannot read"):
        read_path(tmp_path / "x.graphml", format=GRAPHML)
