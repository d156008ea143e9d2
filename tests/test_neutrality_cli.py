"""End to end: ``dualcarbon run`` assesses the cement example's neutrality claim (summary.json,
out/neutrality.csv, report in zh and en); bad credits.csv, sinks.csv or [neutrality] input is
exit 2 with a message naming file, row, column and what was expected, and nothing is written.

The cement example's credits (src/dualcarbon/examples/cement-plant/credits.csv): CCER 12,000 t
(removal), CCER 30,000 t, VCS 25,000 t count; CEA 5,000 t (an allowance, ISO 14068-1 11.3) and
GS 8,000 t (issued, not retired, 11.1) are left out. Its stands: 1,157.79138816 t CO2 (by hand
in tests/neutrality/test_sinks.py).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from projects import assert_input_error, write_settings
from typer.testing import CliRunner

from dualcarbon.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "examples" / "cement-plant"
TOML = (EXAMPLE / "dualcarbon.toml").read_text(encoding="utf-8")
CREDITS = (EXAMPLE / "credits.csv").read_text(encoding="utf-8")
SINKS = (EXAMPLE / "sinks.csv").read_text(encoding="utf-8")
REMOVALS_T = 719.03183616 + 438.759552
FAILED = {"ISO-PLAN-02", "ISO-CR-01", "ISO-CR-06", "ISO-BAL-01"}


@pytest.fixture(scope="module")
def cement(tmp_path_factory) -> dict[str, Path]:
    """The cement example run in English and in Chinese."""
    runs = {}
    for lang in ("en", "zh"):
        root = tmp_path_factory.mktemp(lang) / "cement"
        shutil.copytree(EXAMPLE, root)
        result = CliRunner().invoke(app, ["run", str(root), "--lang", lang])
        assert result.exit_code == 0, result.output
        (root / "cli.txt").write_text(result.output, encoding="utf-8")
        runs[lang] = root
    return runs


def test_summary_neutrality_of_the_cement_example(cement):
    summary = json.loads((cement["en"] / "out" / "summary.json").read_text(encoding="utf-8"))
    n = summary["neutrality"]
    assert (n["standard"], n["subject"], n["status"]) == ("ISO14068-1", "organization", "not achieved")
    b = n["balance"]
    assert b["emissions"] == pytest.approx(summary["totals"]["total_market"], rel=1e-12)  # S1 + market S2 + S3
    assert b["reductions"] == pytest.approx(1_486_000.0 - summary["totals"]["total_market"], rel=1e-12)
    assert b["removals"] == pytest.approx(REMOVALS_T, rel=1e-9)
    assert b["credits"] == 12_000 + 30_000 + 25_000 and b["credits_excluded"] == 5_000 + 8_000
    assert b["net"] == pytest.approx(b["emissions"] - REMOVALS_T - 67_000, rel=1e-12)
    assert len(n["checks"]) == 25 and n["counts"] == {"passed": 20, "failed": 4, "not applicable": 1}
    assert {c["id"] for c in n["checks"] if c["status"] == "failed"} == FAILED
    assert all(c["reason_zh"] and c["reason_en"] and c["clause"] for c in n["checks"])
    assert n["claim"] is None and {m["check"] for m in n["missing"]} == FAILED - {"ISO-PLAN-02"}
    excluded = {c["id"]: c["excluded_by"] for c in n["credits"] if c["excluded_by"]}
    assert excluded == {"CEA-2024-04": "ISO-CR-06", "GS-2023-CS05": "ISO-CR-01"}


def test_neutrality_csv_holds_every_check(cement):
    summary = json.loads((cement["en"] / "out" / "summary.json").read_text(encoding="utf-8"))
    with (cement["en"] / "out" / "neutrality.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "id",
        "clause",
        "clause_zh",
        "clause_status",
        "severity",
        "status",
        "reason_zh",
        "reason_en",
    ]
    assert [(r["id"], r["status"], r["reason_en"]) for r in rows] == [
        (c["id"], c["status"], c["reason_en"]) for c in summary["neutrality"]["checks"]
    ]


def test_cli_prints_every_check_and_its_reason(cement):
    summary = json.loads((cement["en"] / "out" / "summary.json").read_text(encoding="utf-8"))
    output = " ".join((cement["en"] / "cli.txt").read_text(encoding="utf-8").split())
    assert "Carbon neutrality not achieved" in output and "20 passed, 4 failed, 1 not applicable" in output
    for c in summary["neutrality"]["checks"]:
        assert c["id"] in output
    zh = " ".join((cement["zh"] / "cli.txt").read_text(encoding="utf-8").split())
    assert "未实现碳中和" in zh and "符合 20 项，不符合 4 项，不适用 1 项" in zh


@pytest.mark.parametrize(
    "lang,texts",
    [
        (
            "en",
            [
                "Carbon neutrality",
                "No carbon-neutrality claim may be made",
                "What is missing",
                "GS-2023-CS05",
                "Tier 1 default",
                "Verification and sign-off",
                "ISO 14068-1:2023, 11.1",
            ],
        ),
        (
            "zh",
            [
                "碳中和评价",
                "依据本标准，本期间不得作出碳中和声明",
                "尚缺事项",
                "未注销的碳信用",
                "Tier 1 缺省值",
                "核查与签署",
                "ISO 14068-1:2023 11.1（仅限已签发并已注销的碳信用）",
            ],
        ),
    ],
)
def test_report_section_in_both_languages(cement, lang, texts):
    html = (cement[lang] / "out" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="neutrality"') :]
    for text in texts:
        assert text in section, text
    assert 'id="chart-waterfall"' in section and section.count("<svg ") == 1
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)  # self-contained


def test_achieved_claim_wording_in_the_report(tmp_path):
    # A small office: 10 万千瓦时 of grid power in Hebei offset by 100 t of CCER. The claim counts market-based
    # Scope 2: power without certificates takes the national factor excluding market-traded non-fossil
    # electricity (MEE/NBS 2023 factors, Table 4: 0.6096 kg/kWh → 60.96 t), not Hebei's grid average (0.6516).
    root = write_settings(
        tmp_path / "office",
        sets=["cn_mee_grid"],
        name="某办公室",
        extra="""
[neutrality]
base_year = 2020
base_year_emissions = 80.0
boundary = "一栋办公楼"
plan = "plan.md"
commitment_date = 2023-01-01
net_zero_year = 2050
offset_strategy = "CCER"
reduction_targets = [{ year = 2030, reduction_percent = 50 }, { year = 2050, reduction_percent = 90 }]
exclusions = [{ category = "1", reason = "无直接排放" }, { category = "3", reason = "无" }, { category = "4", reason = "无" },
              { category = "5", reason = "无" }, { category = "6", reason = "无" }]
claim_date = 2025-04-01
verification_type = "self_declared"
""",
    )
    (root / "plan.md").write_text("plan", encoding="utf-8")
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit,region\nE1,2024-06-30,外购电力,10,万千瓦时,CN-HE\n", encoding="utf-8"
    )
    (root / "credits.csv").write_text(
        "id,type,quantity,unit,vintage,registry,serial_start,serial_end,project_type,removal,retired_on,beneficiary,status\n"
        "C1,CCER,100,tCO2e,2023,CCER registry,A-001,A-100,并网风电,false,2025-03-01,某办公室,retired\n",
        encoding="utf-8",
    )
    for lang, text in (
        ("en", "is carbon neutral for the period 2024-01-01 to 2024-12-31 in accordance with ISO 14068-1:2023"),
        ("zh", "某办公室在 2024-01-01 至 2024-12-31 期间实现碳中和，符合 ISO 14068-1:2023"),
    ):
        result = CliRunner().invoke(app, ["run", str(root), "--lang", lang])
        assert result.exit_code == 0, result.output
        assert text in (root / "out" / "report.html").read_text(encoding="utf-8")
    n = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["neutrality"]
    assert n["status"] == "achieved" and n["balance"]["emissions"] == pytest.approx(60.96, rel=1e-9)


def project(
    tmp_path: Path,
    toml: str = TOML,
    credits: str = CREDITS,
    sinks: str | None = SINKS,
    extra: dict[str, str] | None = None,
) -> Path:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    (root / "credits.csv").write_text(credits, encoding="utf-8")
    if sinks is None:
        (root / "sinks.csv").unlink()
    else:
        (root / "sinks.csv").write_text(sinks, encoding="utf-8")
    for name, text in (extra or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


CCER_ROW = "CCER-2024-PV02,CCER,30000,tCO2e"
SINK_HEAD = SINKS.splitlines()[0]


CASES = {
    "removal not a boolean": dict(
        credits=CREDITS.replace(",并网光伏发电,false,", ",并网光伏发电,maybe,"),
        expect=["credits.csv", "row 4", "removal", "expected true"],
    ),
    "retirement date": dict(
        credits=CREDITS.replace("2025-04-10", "2025-13-45"),
        expect=["credits.csv", "row 4", "retired_on", "expected a date"],
    ),
    "credit status": dict(
        credits=CREDITS.replace("冀东某水泥有限公司,issued", "冀东某水泥有限公司,sold"),
        expect=["credits.csv", "row 7", "status", "expected a status"],
    ),
    "credit in MWh": dict(
        credits=CREDITS.replace(CCER_ROW, "CCER-2024-PV02,CCER,30000,MWh"),
        expect=["credits.csv", "row 4", "unit", "t CO2e"],
    ),
    "negative area": dict(
        sinks=f"{SINK_HEAD}\nSK-02,afforestation,-300,亩,杨树,2016,,,,,,,,,\n",
        expect=["sinks.csv", "row 2", "area", "> 0"],
    ),
    "unknown species": dict(
        sinks=f"{SINK_HEAD}\nSK-02,afforestation,300,亩,银杏,2016,,,,,,,,,\n",
        expect=["sinks.csv", "row 2", "species_group", "unknown species group"],
    ),
    "no default growth": dict(
        sinks=f"{SINK_HEAD}\nSK-01,afforestation,1200,亩,刺槐,2019,,0.62,,,,,,x,\n",
        expect=["sinks.csv", "row 2", "volume_growth_m3_per_ha_yr", "no bundled default"],
    ),
    "area unit": dict(
        sinks=f"{SINK_HEAD}\nSK-02,afforestation,300,吨,杨树,2016,,,,,,,,,\n",
        expect=["sinks.csv", "row 2", "unit", "area unit"],
    ),
    "unknown sinks column": dict(
        sinks="id,type,aera,unit,species_group,planting_year\nA,afforestation,3,亩,杨树,2016\n",
        expect=["sinks.csv", "aera", "did you mean 'area'"],
    ),
    "unknown standard": dict(
        toml=TOML.replace('standard = "ISO14068-1"', 'standard = "ISO14064"'),
        expect=["dualcarbon.toml", "neutrality.standard", "ISO14064", "expected one of", "PAS2060"],
    ),
    "unknown subject": dict(
        toml=TOML.replace('subject = "organization"', 'subject = "city"'),
        expect=["dualcarbon.toml", "neutrality.subject"],
    ),
    "misspelt key": dict(
        toml=TOML.replace("base_year = 2020", "base_yeer = 2020"),
        expect=["dualcarbon.toml", "neutrality.base_yeer", "unknown key"],
    ),
    "base year after the period": dict(
        toml=TOML.replace("base_year = 2020", "base_year = 2030"),
        expect=["dualcarbon.toml", "neutrality.base_year 2030 is after the period"],
    ),
    "target above 100 %": dict(
        toml=TOML.replace("reduction_percent = 20", "reduction_percent = 150"),
        expect=["dualcarbon.toml", "neutrality.reduction_targets.0.reduction_percent"],
    ),
    "base-year summary missing": dict(
        toml=TOML.replace("base_year_emissions = 1486000.0", 'base_year_summary = "2020/out/summary.json"'),
        expect=["dualcarbon.toml", "neutrality.base_year_summary", "2020/out/summary.json", "file not found"],
    ),
    "base-year summary not a summary": dict(
        toml=TOML.replace("base_year_emissions = 1486000.0", 'base_year_summary = "other.json"'),
        extra={"other.json": '{"hello": 1}'},
        expect=["dualcarbon.toml", "neutrality.base_year_summary", "expected the summary.json"],
    ),
    "earlier claim without neutrality": dict(
        toml=TOML.replace("[neutrality]", '[neutrality]\nprevious_claims = ["old.json"]'),
        extra={"old.json": json.dumps({"schema": "dualcarbon.summary/1", "totals": {}, "neutrality": None})},
        expect=["dualcarbon.toml", "neutrality.previous_claims", "no neutrality section"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_neutrality_input_exit_2_names_place_writes_nothing(tmp_path, case):
    spec = dict(CASES[case])
    expect = spec.pop("expect")
    assert_input_error(project(tmp_path, **spec), expect)


def test_base_year_from_an_earlier_summary(tmp_path):
    # base_year_summary: the 2020 total (market-based) of an earlier run is the base; its AR4 GWPs
    # differ from this period's AR5, so ISO-BASE-02 asks for a recalculation.
    earlier = {
        "schema": "dualcarbon.summary/1",
        "period": {"start": "2020-01-01", "end": "2020-12-31"},
        "gwp_set": "AR4",
        "organization": {"boundary": "operational_control"},
        "totals": {"total_market": 1_500_000.0},
    }
    toml = TOML.replace("base_year_emissions = 1486000.0", 'base_year_summary = "2020/summary.json"')
    root = project(tmp_path, toml=toml)
    (root / "2020").mkdir()
    (root / "2020" / "summary.json").write_text(json.dumps(earlier), encoding="utf-8")
    assert CliRunner().invoke(app, ["run", str(root), "--lang", "en"]).exit_code == 0
    n = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["neutrality"]
    assert n["balance"]["base_year_emissions"] == 1_500_000.0
    base2 = next(c for c in n["checks"] if c["id"] == "ISO-BASE-02")
    assert base2["status"] == "failed" and "AR4" in base2["reason_en"]


def test_earlier_claim_credits_are_not_used_again(tmp_path):
    # previous_claims: the 2023 claim retired VCS-EX-2022-0000000001..0000010000; this claim's
    # VCS batch overlaps it, so ISO-CR-04 leaves it out (25,000 t fewer credits).
    old = {
        "schema": "dualcarbon.summary/1",
        "totals": {},
        "neutrality": {
            "credits": [
                {
                    "id": "VCS-OLD",
                    "registry": "Verra Registry",
                    "serial_start": "VCS-EX-2022-0000000001",
                    "serial_end": "VCS-EX-2022-0000010000",
                }
            ]
        },
    }
    toml = TOML.replace("[neutrality]", '[neutrality]\nprevious_claims = ["2023.json"]')
    root = project(tmp_path, toml=toml, extra={"2023.json": json.dumps(old)})
    assert CliRunner().invoke(app, ["run", str(root), "--lang", "en"]).exit_code == 0
    n = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["neutrality"]
    assert n["balance"]["credits"] == 42_000.0
    cr04 = next(c for c in n["checks"] if c["id"] == "ISO-CR-04")
    assert cr04["status"] == "failed" and "VCS-OLD" in cr04["reason_en"]


def test_without_neutrality_table_nothing_is_assessed(tmp_path):
    toml = TOML[: TOML.index("# 碳中和评价")]
    root = project(tmp_path, toml=toml)
    assert CliRunner().invoke(app, ["run", str(root)]).exit_code == 0
    assert json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["neutrality"] is None
    assert not (root / "out" / "neutrality.csv").exists()
