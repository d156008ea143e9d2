"""Disclosure exports filled from known runs: the cement-plant example (neutrality: removals, credits,
base year) and the dairy example (Scope 3 categories 3.1 and 3.4, no neutrality). Every expected value is
read from the run's own summary.json, the figure the export must carry unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.disclosure.fill import Revenue, RunState, fill
from dualcarbon.disclosure.frameworks import STATUSES, framework, framework_ids
from dualcarbon.errors import InputError
from dualcarbon.project.disclosure import write_export

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples"
WIDE = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("disclosure")
    made = {}
    for name in ("cement-plant", "dairy"):
        folder = root / name
        shutil.copytree(EXAMPLES / name, folder, ignore=shutil.ignore_patterns("out"))
        result = CliRunner().invoke(app, ["run", str(folder), "--lang", "en"], env=WIDE)
        assert result.exit_code == 0, result.output
        made[name] = folder
    return made


def _summary(folder: Path) -> dict:
    return json.loads((folder / "out" / "summary.json").read_text(encoding="utf-8"))


def _by_fill(disclosure, name: str):
    return [f for f in disclosure.fields if f.spec.fill == name]


def test_every_framework_loads_with_both_languages_and_a_checked_status():
    assert framework_ids() == ["cdp", "cn-exchange", "esrs-e1", "ifrs-s2"]
    for framework_id in framework_ids():
        fw = framework(framework_id)
        assert fw.fields and fw.name_en and fw.name_zh and fw.publication
        for spec in fw.fields:
            assert spec.question_en and spec.question_zh and spec.section
            assert spec.status in STATUSES
    # the exchanges' article numbers were not read: no field of theirs claims one
    assert all(spec.code == "" for spec in framework("cn-exchange").fields)


def test_esrs_e1_from_the_cement_run(runs):
    summary = _summary(runs["cement-plant"])
    totals, balance = summary["totals"], summary["neutrality"]["balance"]
    disclosure = fill(framework("esrs-e1"), summary, Revenue(1.2e9, "CNY"))
    value = {f.spec.fill: f for f in disclosure.fields if f.filled}
    for key in ("scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market"):
        assert value[key].value == totals[key] and value[key].unit == "t CO2e"
        assert value[key].source == f"summary.json totals.{key}"
    assert value["removals"].value == balance["removals"]  # 1,157.79 t (README)
    assert value["credits"].value == balance["credits"]  # 67,000 t applied (README)
    assert value["base_year"].value == "2020" and value["base_year_emissions"].value == balance["base_year_emissions"]
    assert value["scope3_categories"].value == "3.1"
    # E1-6 §53: total GHG emissions per net revenue (AR 53), here per million CNY
    assert value["ghg_intensity_revenue_location"].value == pytest.approx(totals["total_location"] / 1200)
    assert value["ghg_intensity_revenue_market"].unit == "t CO2e / million CNY"
    assert value["electricity_mwh"].value == summary["data_quality"]["scope2_coverage"]["mwh"]
    missing = {f.spec.fill: f for f in disclosure.missing}
    assert missing["scope1_ets_share"].missing == "no_ets"
    assert missing["energy_total"].missing == "no_energy"
    assert not disclosure.state.locked


def test_without_revenue_the_intensity_is_missing_and_says_why(runs):
    disclosure = fill(framework("esrs-e1"), _summary(runs["cement-plant"]))
    for f in _by_fill(disclosure, "ghg_intensity_revenue_location"):
        assert not f.filled and f.missing == "no_revenue" and f.value is None


def test_cdp_from_the_dairy_run(runs):
    summary = _summary(runs["dairy"])
    by_category = {r["category"]: r["co2e_t"] for r in summary["by_category"] if r["scope"] == "3"}
    assert set(by_category) == {"3.1", "3.4"}
    disclosure = fill(framework("cdp"), summary)
    value = {f.spec.fill: f for f in disclosure.fields if f.filled}
    assert value["scope1"].value == summary["totals"]["scope1"]
    assert value["scope3"].value == summary["totals"]["scope3"]
    assert value["scope3_category_1"].value == by_category["3.1"]
    assert value["scope3_category_4"].value == by_category["3.4"]
    eleven = next(f for f in disclosure.fields if f.spec.fill == "scope3_category_11")
    assert eleven.missing == "no_scope3_category" and eleven.missing_fields == {"category": 11}
    missing = {f.spec.fill: f.missing for f in disclosure.missing}
    assert missing["revenue"] == "no_revenue" and missing["verification"] == "not_locked"
    assert missing["base_year_emissions"] == "no_base_year_emissions"  # dairy has no [neutrality]
    assert value["base_year"].value == "2022"  # [output] base_year
    assert len(disclosure.filled) + len(disclosure.missing) == len(framework("cdp").fields)


def test_scope2_market_missing_when_the_run_computed_location_only(runs):
    summary = _summary(runs["dairy"]) | {"scope2_headline": "location"}
    disclosure = fill(framework("ifrs-s2"), summary)
    assert {f.missing for f in _by_fill(disclosure, "scope2_market")} == {"no_market"}


def test_a_locked_and_signed_run_is_verified_and_a_broken_signature_is_not(runs):
    summary = _summary(runs["dairy"])
    lock = {"report_number": "DC-2024-001", "locked_at": "2025-03-01"}
    signed = {"name": "Li Wei", "organisation": "CQC", "date": "2025-03-10", "valid": True}
    assert RunState.of(summary) == RunState()
    state = RunState.of(summary | {"lock": lock | {"signature": signed}})
    assert state.locked and state.verified and state.report_number == "DC-2024-001"
    verification = _by_fill(
        fill(framework("cn-exchange"), summary | {"lock": lock | {"signature": signed}}), "verification"
    )
    assert verification[0].value == "Li Wei, CQC, 2025-03-10"
    broken = summary | {"lock": lock | {"signature": signed | {"valid": False}}}
    assert not RunState.of(broken).verified
    assert _by_fill(fill(framework("cn-exchange"), broken), "verification")[0].missing == "not_verified"
    assert (
        _by_fill(fill(framework("cn-exchange"), summary | {"lock": lock}), "verification")[0].missing == "not_verified"
    )


def test_cli_writes_the_workbook_into_the_runs_manifest(runs):
    folder = runs["cement-plant"]
    summary = _summary(folder)
    result = CliRunner().invoke(
        app,
        ["disclose", str(folder), "--framework", "esrs-e1", "--lang", "zh", "--revenue", "1.2e9", "--currency", "cny"],
        env=WIDE,
    )
    assert result.exit_code == 0, result.output
    path = folder / "out" / "disclosure-esrs-e1-zh.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["封面", "字段", "缺少"]
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=2, values_only=True)}
    assert cover["锁定"].startswith("未锁定") and cover["核查"] == "未核查"
    fields = list(book["字段"].iter_rows(min_row=2, values_only=True))
    scope1 = next(row for row in fields if row[0] == "E1-6 §44(a)")
    assert scope1[2] == summary["totals"]["scope1"] and scope1[4] == "summary.json totals.scope1"
    missing = {row[0]: row[2] for row in book["缺少"].iter_rows(min_row=2, values_only=True)}
    assert "碳排放权交易" in missing["E1-6 §48(b)"]
    manifest = json.loads((folder / "out" / "dualcarbon-manifest.json").read_text(encoding="utf-8"))
    assert "disclosure-esrs-e1-zh.xlsx" in {entry["name"] for entry in manifest["files"]}
    # the next run supersedes the export: it is dualcarbon's, so the run removes it
    rerun = CliRunner().invoke(app, ["run", str(folder), "--lang", "en"], env=WIDE)
    assert rerun.exit_code == 0, rerun.output
    assert not path.exists()


@pytest.mark.parametrize(
    "options",
    [
        ["--framework", "gri"],
        ["--framework", "cdp", "--revenue", "-5", "--currency", "CNY"],
        ["--framework", "cdp", "--revenue", "1000"],
        ["--framework", "cdp", "--currency", "CNY"],
    ],
)
def test_bad_options_exit_2_and_write_nothing(runs, options):
    folder = runs["dairy"]
    before = sorted(p.name for p in (folder / "out").iterdir())
    result = CliRunner().invoke(app, ["disclose", str(folder), "--lang", "en", *options], env=WIDE)
    assert result.exit_code == 2, result.output
    assert "--framework" in result.output or "--revenue" in result.output
    assert sorted(p.name for p in (folder / "out").iterdir()) == before


def test_no_run_is_an_input_error(tmp_path):
    result = CliRunner().invoke(app, ["disclose", str(tmp_path), "--framework", "cdp", "--lang", "en"], env=WIDE)
    assert result.exit_code == 2 and "summary.json" in result.output


def test_a_file_dualcarbon_did_not_write_is_never_replaced(runs):
    out = runs["dairy"] / "out"
    mine = out / "disclosure-cdp-en.xlsx"
    mine.write_bytes(b"the user's own workbook")
    try:
        with pytest.raises(InputError):
            write_export(out, mine.name, b"export")
        assert mine.read_bytes() == b"the user's own workbook"
    finally:
        mine.unlink()


def test_the_report_lists_each_framework_filled_and_missing(runs):
    import re

    folder = runs["dairy"]
    summary = _summary(folder)
    html = (folder / "out" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="disclosure">') :]
    section = section[: section.index("</section>")]
    assert "NOT LOCKED" in section and "Not verified" in section
    for framework_id in framework_ids():
        disclosure = fill(framework(framework_id), summary)
        row = re.search(rf'<tr data-framework="{framework_id}">(.*?)</tr>', section, re.S)
        assert row, framework_id
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert cells[1] == f"{len(disclosure.filled)} / {len(disclosure.fields)}"
        assert cells[2] == str(len(disclosure.missing))
    assert "no Scope 3 category 11 in this run&#39;s inventory" in section
    assert '<a href="#disclosure">' in html  # in the contents


def test_breakdowns_name_their_categories_in_the_workbooks_language(runs):
    import io

    from dualcarbon.i18n import translator
    from dualcarbon.report.disclosure import workbook_bytes

    summary = _summary(runs["dairy"])
    disclosure = fill(framework("cn-exchange"), summary)
    by_source = _by_fill(disclosure, "by_source_type")[0]
    assert dict(by_source.parts)["3.4"] == next(r["co2e_t"] for r in summary["by_category"] if r["category"] == "3.4")
    for lang, name in (("zh", "上游运输和配送："), ("en", "Upstream transportation and distribution: ")):
        book = load_workbook(io.BytesIO(workbook_bytes(disclosure, summary, "0" * 64, lang, translator(lang), "run")))
        values = [row[2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
        assert any(isinstance(v, str) and name in v for v in values), values


def test_a_state_kept_beside_the_outputs_overrides_the_summarys(runs):
    summary = _summary(runs["dairy"])
    signed = RunState(locked=True, report_number="N-1", verified_by="Li Wei", signature_valid=True)
    disclosure = fill(framework("cdp"), summary, state=signed)
    assert disclosure.state == signed
    assert _by_fill(disclosure, "verification")[0].value == "Li Wei"
