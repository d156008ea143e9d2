"""Malformed projects: each gives exit 2, a message naming the place, and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from projects import assert_input_error
from typer.testing import CliRunner

from dualcarbon.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "examples" / "dairy"
HEADER = "id,facility,date,activity,quantity,unit,region"
GOOD = "A1,plant,2024-03-31,天然气,10,万立方米,CN-HL"


def project(
    tmp_path: Path,
    activities: str | bytes | None = None,
    toml: str | None = None,
    credits: str | None = None,
    extra: dict[str, str] | None = None,
) -> Path:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "credits.csv").unlink()
    if activities is not None:
        path = root / "activities.csv"
        path.write_bytes(activities if isinstance(activities, bytes) else activities.encode("utf-8"))
    if toml is not None:
        (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    if credits is not None:
        (root / "credits.csv").write_text(credits, encoding="utf-8")
    for name, text in (extra or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


TOML = (EXAMPLE / "dualcarbon.toml").read_text(encoding="utf-8")
CREDITS_HEADER = "id,type,quantity,unit,factor,facility,region,vintage,registry,serial_start,serial_end,status"

CASES = {
    "unknown activity": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,天然汽,10,万立方米,CN-HL\n",
        expect=["activities.csv", "row 2", "activity", "unknown activity"],
    ),
    "wrong dimension": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,柴油,10,kWh,CN-HL\n",
        expect=["row 2", "unit", "is energy but fuel/diesel needs mass or volume"],
    ),
    "negative quantity": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,天然气,-5,万立方米,CN-HL\n", expect=["row 2", "quantity", ">= 0"]
    ),
    "non-numeric quantity": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,天然气,ten,万立方米,CN-HL\n",
        expect=["row 2", "quantity", "expected a number"],
    ),
    "missing date": dict(
        activities=f"{HEADER}\nA1,plant,,天然气,10,万立方米,CN-HL\n", expect=["row 2", "date", "required"]
    ),
    "bad date": dict(
        activities=f"{HEADER}\nA1,plant,2024-13-45,天然气,10,万立方米,CN-HL\n",
        expect=["row 2", "date", "expected a date"],
    ),
    "date outside period": dict(
        activities=f"{HEADER}\nA1,plant,2023-12-31,天然气,10,万立方米,CN-HL\n",
        expect=["row 2", "date", "outside the reporting period"],
    ),
    "period end before start": dict(
        activities="id,date,period_start,period_end,activity,quantity,unit\nA1,,2024-05-01,2024-04-01,天然气,1,万立方米\n",
        expect=["row 2", "period_end", "before"],
    ),
    "duplicate ids": dict(
        activities=f"{HEADER}\n{GOOD}\nA1,plant,2024-04-30,天然气,10,万立方米,CN-HL\n",
        expect=["row 3", "id", "duplicate id", "row 2"],
    ),
    "missing id": dict(
        activities=f"{HEADER}\n,plant,2024-04-30,天然气,10,万立方米,CN-HL\n", expect=["row 2", "id", "required"]
    ),
    "unknown region": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,天然气,10,万立方米,CN-XX\n",
        expect=["row 2", "region", "unknown region"],
    ),
    "missing required column": dict(
        activities="id,facility,date,activity,quantity\nA1,plant,2024-03-31,天然气,10\n",
        expect=["activities.csv", "unit", "required column is missing"],
    ),
    "empty file": dict(activities=b"", expect=["activities.csv"]),
    "header only": dict(activities=f"{HEADER}\n", expect=["activities.csv", "no data rows"]),
    "wrong encoding": dict(
        activities=b"id,date,activity,quantity,unit\nA1,2024-03-31,\xff\xfe\xfa\xfb\xff,1,t\n",
        expect=["activities.csv"],
    ),
    "unknown unit": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,外购电力,10,万千瓦,CN-HL\n", expect=["row 2", "unit", "万千瓦时"]
    ),
    "currency for a fuel": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,柴油,10,元,CN-HL\n", expect=["row 2", "unit", "fuel/diesel needs"]
    ),
    "oxidation above one": dict(
        activities=f"{HEADER},oxidation\nA1,plant,2024-03-31,天然气,10,万立方米,CN-HL,1.5\n",
        expect=["row 2", "oxidation", "fraction"],
    ),
    "ncv unit of wrong dimension": dict(
        activities=f"{HEADER},ncv,ncv_unit\nA1,plant,2024-03-31,原煤,10,吨,CN-HL,20,GJ/m3\n",
        expect=["row 2", "ncv_unit"],
    ),
    "unknown refrigerant": dict(
        activities=f"{HEADER}\nA1,plant,2024-03-31,refrigerant/R-999Z,3,kg,CN-HL\n",
        expect=["row 2", "activity", "unknown refrigerant"],
    ),
    "invalid scope override": dict(
        activities=f"{HEADER},scope\nA1,plant,2024-03-31,天然气,10,万立方米,CN-HL,4\n",
        expect=["row 2", "scope", "expected 1, 2 or 3"],
    ),
    "unknown column": dict(
        activities=f"id,facility,date,activity,quantity,unit,regoin\n{GOOD}\n",
        expect=["activities.csv", "regoin", "did you mean 'region'"],
    ),
    "credit used twice": dict(
        credits=f"{CREDITS_HEADER}\nG1,GEC,100,MWh,,,CN,2024,GEC,,,retired\nG1,GEC,100,MWh,,,CN,2024,GEC,,,retired\n",
        expect=["credits.csv", "row 3", "id", "used once"],
    ),
    "overlapping serials": dict(
        credits=f"{CREDITS_HEADER}\nG1,GEC,100,MWh,,,CN,2024,GEC,GEC001000,GEC001099,retired\n"
        "G2,GEC,100,MWh,,,CN,2024,GEC,GEC001050,GEC001149,retired\n",
        expect=["credits.csv", "row 3", "serial_start", "overlaps row 2"],
    ),
    "supplier factor without factor": dict(
        credits=f"{CREDITS_HEADER}\nS1,supplier_factor,100,MWh,,,CN,2024,,,,retired\n",
        expect=["credits.csv", "row 2", "factor"],
    ),
    "unknown credit type": dict(
        credits=f"{CREDITS_HEADER}\nX1,GREEN,100,MWh,,,CN,2024,,,,retired\n", expect=["credits.csv", "row 2", "type"]
    ),
    "unknown toml key": dict(
        toml=TOML.replace("[report]", '[report]\nlangauge = "zh"'),
        expect=["dualcarbon.toml", "report.langauge", "unknown key"],
    ),
    "invalid toml": dict(toml="[organization\nname = 1", expect=["dualcarbon.toml", "not valid TOML"]),
    "bad gwp set": dict(toml=TOML.replace('gwp = "AR5"', 'gwp = "AR3"'), expect=["dualcarbon.toml", "method.gwp"]),
    "unknown factor set": dict(toml=TOML.replace('"gbt32150",', '"gbt99999",'), expect=["dualcarbon.toml", "gbt99999"]),
    "missing organization name": dict(
        toml=TOML.replace('name = "黑土地某乳业有限公司"', ""),
        expect=["dualcarbon.toml", "organization.name", "required"],
    ),
    "bad project factor file": dict(
        extra={"factors/own.csv": "activity_id,value\nheat/purchased,0.1\n"},
        expect=["own.csv", "parameter", "required column is missing"],
    ),
    # Hostile and careless files (issue 13; docs/file-formats.md, "Limits" and "Encodings"): refused
    # before they are read, on the CLI and, through tests/api/test_uploads.py, in the API alike.
    "too many columns": dict(
        activities=",".join(f"c{i}" for i in range(600)) + "\n" + ",".join("1" for _ in range(600)) + "\n",
        expect=["activities.csv", "row 1", "600 columns: at most 500 are read", "[input] max_columns"],
    ),
    "too long a cell": dict(
        activities=f"{HEADER},note\n{GOOD},{'注' * 10_001}\n",
        expect=["activities.csv", "row 2", "column note", "10,001 characters: at most 10,000"],
    ),
    "ambiguous encoding": dict(
        activities="id,facility,date,activity,quantity,unit\nA1,天,2024-03-31,diesel,1,t\n".encode("gb18030"),
        expect=["activities.csv", "row 2", "the encoding is ambiguous", "'A1,天,", "'A1,Ìì,", "[input] encoding"],
    ),
    "wide own factor file": dict(
        extra={"factors/own.csv": ",".join(f"c{i}" for i in range(501)) + "\n"},
        expect=["own.csv", "row 1", "501 columns: at most 500 are read"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exit_2_names_place_writes_nothing(tmp_path, case):
    spec = dict(CASES[case])
    expect = spec.pop("expect")
    assert_input_error(project(tmp_path, **spec), expect)


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    rows = (
        f"{HEADER}\nA1,plant,2024-03-31,天然汽,10,万立方米,CN-HL\nA2,plant,2024-03-31,天然气,x,万立方米,CN-HL\n"
        "A3,plant,2024-03-31,柴油,10,kWh,CN-HL\n"
    )
    root = project(tmp_path, activities=rows)
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 2
    for row in ("row 2", "row 3", "row 4"):
        assert row in result.output


def test_no_activities_file(tmp_path):
    root = project(tmp_path)
    (root / "activities.csv").unlink()
    result = CliRunner().invoke(app, ["run", str(root)])
    assert result.exit_code == 2 and "activities" in result.output


def test_failed_run_keeps_previous_outputs(tmp_path):
    root = project(tmp_path)
    assert CliRunner().invoke(app, ["run", str(root)]).exit_code == 0
    before = (root / "out" / "summary.json").read_bytes()
    (root / "activities.csv").write_text(f"{HEADER}\nA1,plant,2024-03-31,天然汽,10,万立方米,CN-HL\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["run", str(root)]).exit_code == 2
    assert (root / "out" / "summary.json").read_bytes() == before
