"""``dualcarbon run`` with the inventory's uncertainty: opt-in by ``--uncertainty N`` or ``[method] uncertainty``,
summary.json ``uncertainty``, the report's section in both languages, bad input refused."""

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from tests.projects import assert_input_error, write_settings

# IPCC 2006 Vol. 2 Ch. 1 Table 1.2: gas/diesel oil NCV 43.0 TJ/Gg, 95 % interval 41.4-43.3 (the library's
# ipcc2006 row): U = max(43.3 - 43.0, 43.0 - 41.4)/43.0 = 1.6/43
DIESEL_NCV_U = 1.6 / 43.0
ACTIVITIES = """id,facility,date,activity,quantity,unit,uncertainty
D1,Depot,2024-03-31,fuel/diesel,120,t,5%
D2,Depot,2024-06-30,fuel/diesel,80,t,0.05
"""


def _project(root: Path, extra: str = "", activities: str = ACTIVITIES) -> Path:
    write_settings(root, sets=["ipcc2006"], sector="1.A.2", extra=extra)
    (root / "activities.csv").write_text(activities, encoding="utf-8")
    return root


def _run(root: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en", *args])
    assert result.exit_code == 0, result.output
    return json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))


def test_off_by_default(tmp_path: Path) -> None:
    summary = _run(_project(tmp_path / "p"))
    assert summary["uncertainty"] is None
    report = (tmp_path / "p" / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="uncertainty"' not in report


def test_the_flag_gives_approach_1_and_2_of_the_total(tmp_path: Path) -> None:
    summary = _run(_project(tmp_path / "p"), "--uncertainty", "4000")
    u = summary["uncertainty"]
    total = summary["totals"]["total_location"]
    assert u["iterations"] == 4000 and u["seed"] == 1 and u["unit"] == "t CO2e"
    assert u["central_t"] == pytest.approx(total, rel=1e-12)
    # every row of the two records (CO2, CH4, N2O) is Q × NCV × EF: one activity class (fuel/diesel, ±5 %)
    # and the one uncertain factor (the NCV), all of the total depending on both → Eq. 3.1
    assert u["approach1"]["u"] == pytest.approx(math.hypot(0.05, DIESEL_NCV_U), rel=1e-9)
    assert u["approach1"]["valid"]
    assert u["coverage"]["factor_share"] == pytest.approx(1.0) and u["coverage"]["activity_share"] == pytest.approx(1.0)
    # Approach 2 draws the skewed NCV range as a lognormal fitted to it (1.96 σ = ln(43.3/41.4)/2), where
    # Approach 1 takes its larger side: the Monte Carlo interval is the narrower, as computed
    half = (u["p97_5"] - u["p2_5"]) / 2 / total
    assert half == pytest.approx(math.hypot(0.05, math.log(43.3 / 41.4) / 2), rel=0.05)
    assert half < u["approach1"]["u"]
    assert abs(u["mean"] - total) < 0.01 * total
    assert sum(u["histogram"]["counts"]) == 4000
    assert u["market"]["central_t"] == pytest.approx(summary["totals"]["total_market"], rel=1e-12)
    report = (tmp_path / "p" / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="uncertainty"' in report and 'id="chart-uncertainty"' in report
    assert "Approach 2" in report


def test_the_settings_key_seed_and_default_activity_uncertainty(tmp_path: Path) -> None:
    plain = ACTIVITIES.replace(",uncertainty", "").replace(",5%", "").replace(",0.05", "")
    extra = "uncertainty = 500\nuncertainty_seed = 9\nactivity_uncertainty = 0.05"
    a = _run(_project(tmp_path / "a", extra, plain))["uncertainty"]
    b = _run(_project(tmp_path / "b", "uncertainty_seed = 9", ACTIVITIES), "--uncertainty", "500")["uncertainty"]
    assert a["iterations"] == 500 and a["seed"] == 9
    assert a["approach1"] == b["approach1"]
    assert a["p2_5"] == b["p2_5"] and a["histogram"] == b["histogram"]  # the same seed, the same draws
    # --uncertainty 0 turns a project's setting off
    assert _run(tmp_path / "a", "--uncertainty", "0")["uncertainty"] is None


def test_the_report_section_in_chinese(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "zh", "--uncertainty", "300"])
    assert result.exit_code == 0, result.output
    report = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "不确定性" in report and "蒙特卡洛" in report


def test_a_bad_uncertainty_cell_and_a_misspelt_key_are_refused(tmp_path: Path) -> None:
    bad = ACTIVITIES.replace(",5%", ",five")
    assert_input_error(_project(tmp_path / "a", activities=bad), ["activities.csv", "row 2", "uncertainty"])
    above = ACTIVITIES.replace(",5%", ",150%")
    assert_input_error(_project(tmp_path / "b", activities=above), ["activities.csv", "row 2", "uncertainty"])
    assert_input_error(_project(tmp_path / "c", "uncertainty_iterations = 100"), ["uncertainty_iterations"])


def test_a_parquet_ledger_summed_into_groups_gives_the_same_uncertainty(tmp_path: Path) -> None:
    # a ledger's rows are summed into calculation groups across facilities (collapse.py); the stated
    # uncertainty is part of a group's key, so grouped and row-by-row runs meet the same sources
    import datetime as dt

    import polars as pl

    from dualcarbon.project import job

    root = tmp_path / "ledger"
    write_settings(root, sets=["ipcc2006"], sector="1.A.2", extra="activity_uncertainty = 0.02")
    pl.DataFrame(
        {
            "id": ["D1", "D2", "D3", "G1"],
            "facility": ["A", "B", "B", "A"],
            "date": [dt.date(2024, 3, 31)] * 4,
            "activity": ["fuel/diesel", "fuel/diesel", "fuel/diesel", "fuel/gasoline"],
            "quantity": [120.0, 80.0, 50.0, 10.0],
            "unit": ["t"] * 4,
            "uncertainty": [0.05, 0.05, None, 0.1],
        }
    ).write_parquet(root / "activities.parquet")
    rows = job.run(root, write=False, grouped=False, uncertainty=3000)
    groups = job.run(root, write=False, grouped=True, uncertainty=3000)
    assert groups.project.activities.height < rows.project.activities.height  # D1 and D2 are one group
    a, b = rows.inventory.summary["uncertainty"], groups.inventory.summary["uncertainty"]
    assert a["coverage"]["activity_classes"] == 3  # diesel ±5 %, diesel ±2 % (the default), gasoline ±10 %
    assert b["approach1"]["u"] == pytest.approx(a["approach1"]["u"], rel=1e-12)
    assert b["p2_5"] == pytest.approx(a["p2_5"], rel=1e-12) and b["p97_5"] == pytest.approx(a["p97_5"], rel=1e-12)
