"""Formula injection (OWASP "CSV Injection"): text cells of every CSV a run writes cannot start a
formula in a spreadsheet, while summary.json and emissions.parquet keep the values as given."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.project.spreadsheet import TRIGGERS, neutralise, restore

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples"
HOSTILE_IDS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(A1)", "\t=1+2", "\r=1+3", "'=quoted", "''x", "-5.0"]
HOSTILE_FACILITY = '=HYPERLINK("http://127.0.0.1/x","一号熟料线")'
HOSTILE_NOTE = "=cmd|' /C calc'!A0"
HOSTILE_MEASURE = "-2+3 余热发电"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_spreadsheet_safe(path: Path) -> int:
    """Every cell of ``path`` that starts like a formula is a number in an all-numeric column;
    returns how many cells were checked."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    numeric = {
        i for i in range(len(header)) if all(_is_number(r[i]) for r in body if r[i] != "") and any(r[i] for r in body)
    }
    for n, row in enumerate(body, start=2):
        for i, cell in enumerate(row):
            if cell[:1] and cell[0] in TRIGGERS:
                assert i in numeric and _is_number(cell), f"{path.name} row {n}, column {header[i]}: {cell!r}"
    return sum(len(r) for r in body)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cement plant with ids, a facility, notes and a measure's names a spreadsheet would run."""
    root = tmp_path_factory.mktemp("hostile") / "cement-plant"
    shutil.copytree(EXAMPLES / "cement-plant", root)
    acts = pl.read_csv(root / "activities.csv", infer_schema=False)
    ids = [HOSTILE_IDS[i] if i < len(HOSTILE_IDS) else v for i, v in enumerate(acts["id"])]
    acts = acts.with_columns(
        pl.Series("id", ids),
        pl.when(pl.col("facility") == "一号熟料线")
        .then(pl.lit(HOSTILE_FACILITY))
        .otherwise("facility")
        .alias("facility"),
        pl.lit(HOSTILE_NOTE).alias("note"),
    )
    acts.write_csv(root / "activities.csv")
    measures = pl.read_csv(root / "measures.csv", infer_schema=False)
    measures.with_columns(pl.lit(HOSTILE_MEASURE).alias("name_zh"), pl.lit("@" + "WHR").alias("name_en")).write_csv(
        root / "measures.csv"
    )
    return root


def test_every_csv_of_a_run_is_spreadsheet_safe(hostile: Path) -> None:
    result = CliRunner().invoke(app, ["pathway", str(hostile), "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = hostile / "out"
    written = sorted(p.name for p in out.glob("*.csv"))
    assert {"emissions.csv", "inventory.csv", "neutrality.csv", "pathway.csv", "measures_plan.csv"} <= set(written)
    for name in written:
        assert assert_spreadsheet_safe(out / name) > 0
    emissions = pl.read_csv(out / "emissions.csv", infer_schema=False)
    # the hostile ids are there, quoted, and read back exactly
    ids = emissions["id"].to_list()
    assert "'=1+1" in ids and "'=1+2" in ids  # the reader strips the tab in front of '=1+2'
    assert "''=quoted" in ids and "'''x" in ids and "'-5.0" in ids
    assert {v.strip() for v in HOSTILE_IDS} <= set(restore(emissions)["id"].to_list())
    assert f"'{HOSTILE_FACILITY}" in pl.read_csv(out / "inventory.csv", infer_schema=False)["facility"].to_list()
    plan = pl.read_csv(out / "measures_plan.csv", infer_schema=False)
    assert any(str(v).startswith("'") for row in plan.rows() for v in row if v), plan
    # numbers stay numbers
    assert emissions["co2e_t"].cast(pl.Float64).sum() > 0
    # summary.json is faithful
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert HOSTILE_FACILITY in {f["facility"] for f in summary["by_facility"]}


def test_parquet_is_faithful(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(hostile), "--out", str(out), "--emissions", "parquet"])
    assert result.exit_code == 0, result.output
    assert not (out / "emissions.csv").exists()
    table = pl.read_parquet(out / "emissions.parquet")
    assert {v.strip() for v in HOSTILE_IDS} <= set(table["id"].to_list())
    assert HOSTILE_FACILITY in table["facility"].to_list()


def test_neutralise_and_restore_are_inverse() -> None:
    values = [*HOSTILE_IDS, "plain", "'plain", "'", "", None, "=", "''", "'''=", "中文", "-"]
    frame = pl.DataFrame({"text": values, "co2e_t": [-5.0] * len(values)})
    safe = neutralise(frame)
    assert safe["co2e_t"].to_list() == [-5.0] * len(values)
    for cell in safe["text"].to_list():
        assert not cell or cell[0] not in TRIGGERS
    assert restore(safe)["text"].to_list() == values
