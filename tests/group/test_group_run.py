"""``dualcarbon run GROUP`` (docs/groups.md): the group's files read and checked, entities read from prior runs'
out/ folders or run, the consolidation written (summary.json ``group``, group.csv, inventory.csv, report.html).

The entities of the small groups here are prior runs (summary.json written by hand from the figures of
test_consolidate.py), so that the totals are the hand computation's; the bundled dairy-group example runs its
three entity projects."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app

from .test_consolidate import SUMMARIES

RUNNER = CliRunner()
GROUP_TOML = """[organization]
name = "某集团"
name_en = "A group"
boundary = "{boundary}"

[period]
start = 2024-01-01
end = 2024-12-31

[report]
lang = "en"

[[group.entities]]
id = "A"
name_zh = "电厂"
name_en = "Power plant"
path = "A/out"
equity_share = 0.8
operational_control = true
financial_control = true

[[group.entities]]
id = "B"
name_zh = "工厂"
name_en = "Factory"
path = "B/out"
equity_share = {b_equity}
operational_control = true
financial_control = "joint"

[[group.entities]]
id = "C"
name_zh = "物流"
path = "C/out"
equity_share = 0.3
operational_control = false
financial_control = false
"""
TRANSFERS = (
    "id,seller,buyer,kind,quantity,unit,co2e_t,co2e_market_t,category,note\nT1,A,B,electricity,2500,MWh,1800,1500,,\n"
)


def make_group(tmp_path: Path, boundary: str = "equity_share", transfers: str = TRANSFERS, b_equity="0.6") -> Path:
    root = tmp_path / "group"
    for entity, summary in SUMMARIES.items():
        out = root / entity / "out"
        out.mkdir(parents=True)
        record = {
            "schema": "dualcarbon.summary/1",
            "period": {"start": "2024-01-01", "end": "2024-12-31"},
            "gwp_set": "AR5",
            "factor_sets": [{"dataset": "ipcc2006", "version": "2006", "sha256": "0" * 64}],
            **summary,
        }
        (out / "summary.json").write_text(json.dumps(record), encoding="utf-8")
    (root / "dualcarbon.toml").write_text(GROUP_TOML.format(boundary=boundary, b_equity=b_equity), encoding="utf-8")
    if transfers is not None:
        (root / "intragroup.csv").write_text(transfers, encoding="utf-8")
    return root


def run(root: Path, *args: str):
    return RUNNER.invoke(app, ["run", str(root), *args])


def test_equity_share_run_writes_the_hand_computed_consolidation(tmp_path):
    """test_consolidate's hand computation through the CLI: 12,480 t location-based, 12,360 t market-based."""
    root = make_group(tmp_path)
    result = run(root)
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["schema"] == "dualcarbon.summary/1" and summary["organization"]["boundary"] == "equity_share"
    assert math.isclose(summary["totals"]["total_location"], 12_480.0)
    assert math.isclose(summary["totals"]["total_market"], 12_360.0)
    assert summary["totals"] == summary["group"]["totals"]
    assert [e["share"] for e in summary["group"]["entities"]] == [0.8, 0.6, 0.3]
    assert "Power plant" in result.output and "1,080.000 t CO2e" in result.output
    rows = list(csv.DictReader((root / "out" / "group.csv").open(encoding="utf-8")))
    assert [r["line"] for r in rows] == ["entity", "entity", "entity", "elimination", "total"]
    # group.csv adds up: the entities' contributions and the elimination give the total row
    for column in ("scope1_t", "scope2_location_t", "scope2_market_t", "scope3_t", "total_location_t"):
        assert math.isclose(sum(float(r[column]) for r in rows[:-1]), float(rows[-1][column]), abs_tol=1e-9)
    assert float(rows[3]["scope2_location_t"]) == -1_080.0 and float(rows[3]["scope2_market_t"]) == -900.0
    inventory = list(csv.DictReader((root / "out" / "inventory.csv").open(encoding="utf-8")))
    location = sum(float(r["co2e_t"]) for r in inventory if r["scope2_method"] != "market")
    assert math.isclose(location, 12_480.0)
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "Group consolidation" in html and "1,080" in html and "<script" not in html


@pytest.mark.parametrize(
    ("boundary", "total_location"), [("financial_control", 13_020.0), ("operational_control", 14_700.0)]
)
def test_the_organizations_boundary_picks_the_approach(tmp_path, boundary, total_location):
    root = make_group(tmp_path, boundary)
    result = run(root, "--lang", "zh")
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert math.isclose(summary["totals"]["total_location"], total_location)
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "集团合并" in html and "集团内部交易抵销" in html


def test_a_group_without_intragroup_csv_eliminates_nothing(tmp_path):
    root = make_group(tmp_path, transfers=None)
    assert run(root).exit_code == 0
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["group"]["eliminations"] == []
    assert math.isclose(summary["totals"]["total_location"], 12_480.0 + 1_080.0)


def problems_of(result) -> str:
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


def test_bad_transfers_are_named_by_row_and_column_and_nothing_is_written(tmp_path):
    bad = (
        "id,seller,buyer,kind,quantity,unit,co2e_t,category\n"
        "T1,A,X,electricity,2500,MWh,1800,\n"
        "T2,B,B,heat,10,GJ,1,\n"
        "T3,A,B,gas,10,t,1,\n"
        "T4,C,B,services,-5,t km,-1,\n"
        "T4,C,B,electricity,5,MWh,1,3.1\n"
    )
    root = make_group(tmp_path, transfers=bad)
    text = problems_of(run(root))
    assert "intragroup.csv, row 2, column buyer: 'X': expected the id of an entity of [group] (A, B, C)" in text
    assert "row 3, column buyer: 'B': seller and buyer are the same entity" in text
    assert "row 4, column kind: 'gas': expected one of electricity, heat, steam, cooling, goods, services" in text
    assert "row 5, column quantity: '-5': expected a quantity > 0" in text
    assert "row 5, column co2e_t: '-1': expected a value >= 0" in text
    assert "row 5, column category: expected the buyer's Scope 3 category" in text
    assert "row 6, column id: 'T4': duplicate id (first used at intragroup.csv row 5)" in text
    assert "row 6, column category: '3.1': electricity, heat, steam and cooling" in text
    assert not (root / "out").exists()


def test_an_unknown_column_and_a_missing_one(tmp_path):
    root = make_group(tmp_path, transfers="id,seller,buyer,kind,quantity,unit,co2e,note\nT1,A,B,heat,1,GJ,1,\n")
    text = problems_of(run(root))
    assert "intragroup.csv, row 1, column co2e_t: required column is missing" in text
    assert "intragroup.csv, row 1, column co2e: unknown column; did you mean 'co2e_t'?" in text


def test_an_elimination_larger_than_what_the_buyer_counts_is_refused(tmp_path):
    root = make_group(tmp_path, transfers=TRANSFERS.replace(",1800,1500,", ",3500,1500,"))
    text = problems_of(run(root))
    assert "intragroup.csv, row 2, column co2e_t: '3500': the transfers to B remove 3,500.000 t CO2e" in text
    assert not (root / "out").exists()


def test_settings_problems_name_the_entity_by_its_number(tmp_path):
    root = make_group(tmp_path, b_equity="1.5")
    text = problems_of(run(root))
    assert "dualcarbon.toml, column group.entities.2.equity_share: '1.5'" in text
    root = make_group(tmp_path / "other")
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace('path = "C/out"', 'path = "nowhere"')
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    text = problems_of(run(root))
    assert (
        "dualcarbon.toml, column group.entities.3.path: 'nowhere': expected a folder with the entity's project" in text
    )


def test_an_entity_of_another_period_is_refused(tmp_path):
    root = make_group(tmp_path)
    path = root / "C" / "out" / "summary.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["period"] = {"start": "2023-01-01", "end": "2023-12-31"}
    path.write_text(json.dumps(record), encoding="utf-8")
    text = problems_of(run(root))
    assert "group.entities.3.path: 'C/out': the entity's period 2023-01-01 – 2023-12-31 differs" in text
    assert not (root / "out").exists()


def test_a_stored_project_cannot_start_from_a_group_example():
    """A group's entities are project folders of their own: the API and the dashboard offer the other examples
    (before, creating a stored project from dairy-group took its [group] settings as a project's, which they are not)."""
    from pydantic import ValidationError

    from dualcarbon.api.schemas import ProjectCreate
    from dualcarbon.project import examples

    assert "dairy-group" in examples.names() and "dairy-group" not in examples.projects()
    assert ProjectCreate(name="p", example="dairy").example == "dairy"
    with pytest.raises(ValidationError, match="expected a bundled example"):
        ProjectCreate(name="p", example="dairy-group")


def test_options_a_group_does_not_take_are_refused(tmp_path):
    """--pdf, --pathway, --uncertainty … belong to an entity's run: refused with exit 2, nothing written."""
    root = make_group(tmp_path)
    text = problems_of(run(root, "--pdf", "--uncertainty", "100"))
    assert "--pdf: not for a group project" in text and "--uncertainty: not for a group project" in text
    assert not (root / "out").exists()


ENTITY_TOML = """[organization]
name = "物流"
[period]
start = 2024-01-01
end = 2024-12-31
[method]
factor_sets = ["ipcc2006"]
"""


def test_validate_checks_the_group_and_its_entity_projects(tmp_path):
    """``validate GROUP``: the group's files and each entity project's; an entity's problems name its file by
    its path in the group, in ``validate`` and in ``run`` alike."""
    root = make_group(tmp_path)
    result = RUNNER.invoke(app, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert "The group is valid: 3 entities; intra-group transfers: 1." in result.output
    (root / "C" / "dualcarbon.toml").write_text(ENTITY_TOML, encoding="utf-8")
    (root / "C" / "activities.csv").write_text(
        "id,facility,date,activity,quantity,unit\nC-1,车队,2024-03-31,diesel,12,万千瓦\n", encoding="utf-8"
    )
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace('path = "C/out"', 'path = "C"')
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    for command in ("validate", "run"):
        text = problems_of(RUNNER.invoke(app, [command, str(root)]))
        assert "C/activities.csv, row 2, column unit: '万千瓦'" in text, command
    assert not (root / "out").exists()
