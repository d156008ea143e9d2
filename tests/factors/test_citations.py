"""Citations shown to users name the publication only; how far a value was checked is a separate,
catalogued `check` (issue 15, points 1-3; data/SOURCES.md, "Citations and checks")."""

from __future__ import annotations

import csv
import re

import polars as pl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.factors.library import CHECK_CODES, DATA, FactorLibrary
from dualcarbon.i18n import translator
from dualcarbon.model import DEFAULT_FACTOR_SETS

# How a number reached us never appears in what a user reads: repositories (owner/name@commit), commit
# hashes, tool ids, addresses of copies, file names of copies, the tools and copies by name, "UNVERIFIED".
LEAKS = re.compile(
    r"[\w.-]+/[\w.-]+@[0-9a-f]{7,}|@[0-9a-f]{7,}|\b[0-9a-f]{32,}\b|code-index|file ids?\b|https?://|www\.|"
    r"\.(com|org|net|cn)/|github|book118|wenku|bzmfxz|doc88|docin|renrendoc|scribd|\.xlsx|\.json|\.kt\b|"
    r"repositor|commit\b|sha256|bonsai|AMEE|mamhoff|CityCatalyst|UNVERIFIED|search tool|stored source|helper",
    re.IGNORECASE,
)
SHOWN = ["citation", "notes", "check", "version", "table", "name"]


@pytest.fixture(scope="module")
def library():
    return FactorLibrary.load()


def test_no_bundled_citation_names_a_copy_or_a_tool(library):
    bundled = library.factors.filter(pl.col("factor_set") != "project")
    assert bundled.height > 30_000
    for column in SHOWN:
        values = bundled[column].drop_nulls().unique()
        leaks = values.filter(values.str.contains(LEAKS.pattern))
        assert leaks.len() == 0, (column, leaks.head(3).to_list())


def test_gwp_and_forest_parameter_files_carry_no_transcription_origin():
    with DATA.joinpath("gwp", "ipcc_gwp.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(not LEAKS.search(r[c] or "") for r in rows for c in ("version", "table", "source_ref", "notes"))
    assert {r["check"] for r in rows} <= set(CHECK_CODES)
    from dualcarbon.neutrality.sinks import parameter_table

    forest = parameter_table()
    for column in ("source", "table", "reference_id", "note"):
        assert not forest[column].drop_nulls().str.contains(LEAKS.pattern).any(), column


def test_every_bundled_value_says_how_far_it_was_checked_in_both_languages(library):
    bundled = library.factors.filter(pl.col("factor_set") != "project")
    assert bundled["check"].null_count() == 0
    assert set(bundled["check"].unique().to_list()) <= set(CHECK_CODES)
    zh, en = translator("zh"), translator("en")
    for code in CHECK_CODES:
        assert zh(f"cite.check.{code}") != f"cite.check.{code}" and en(f"cite.check.{code}") != f"cite.check.{code}"
        if code not in ("checked", "definition"):
            assert zh(f"cite.check.{code}").startswith("未经原文核对：")
            assert en(f"cite.check.{code}").startswith("not checked against the original: ")


def one(library, **where) -> dict:
    rows = library.factors.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert rows.height >= 1, where
    return rows.row(0, named=True)


def test_china_grid_cites_the_notice_number_and_table(library):
    # 生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》（公告2024年第33号，2024年12月20日）
    # 表1: national average 0.5366 kg CO2/kWh, equal to the figure in a press report of the notice.
    row = one(library, factor_set="cn_mee_grid", key="electricity/grid", region="CN", year=2022)
    assert row["value"] == 0.5366
    assert row["citation"] == (
        "生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》（公告2024年第33号，2024年12月20日）; "
        "表1 全国电力平均二氧化碳排放因子"
    )
    assert row["check"] == "agrees"
    # the 2021 notice's number as the 2022 notice cites it: 公告2024年第12号 (2024年4月12日)
    row = one(library, factor_set="cn_mee_grid", key="electricity/grid", region="CN", year=2021)
    assert row["value"] == 0.5568 and "公告2024年第12号" in row["citation"]


def test_epa_and_ipcc_cite_the_publication_and_table(library):
    # US EPA GHG Emission Factors Hub 2025, Table 1: natural gas 53.06 kg CO2/mmBtu.
    row = one(library, factor_set="us_epa_hub", key="fuel/natural_gas", gas="CO2", unit_denominator="mmBtu")
    assert row["value"] == 53.06
    assert row["citation"].startswith("US EPA, GHG Emission Factors Hub 2025 (last modified 15 January 2025)")
    assert row["citation"].endswith("Table 1 Stationary Combustion") and row["check"] == "publisher_file"
    # IPCC 2006 Vol. 2 Ch. 1 Table 1.2: natural gas NCV 48.0 TJ/Gg.
    row = one(library, factor_set="ipcc2006", key="fuel/natural_gas", parameter="ncv")
    assert row["value"] == 48
    assert row["citation"].startswith("IPCC, 2006 IPCC Guidelines for National GHG Inventories (IPCC Emission Factor")
    assert row["citation"].endswith("IPCC 2006 V2 Ch1 Table 1.2")


def test_cement_sets_are_named_for_what_they_hold(library):
    # issue 15 point 3: the set shipped as "GB/T 32151.8 defaults" holds CSI and IPCC values.
    cement = library.sets["gbt32151_8"]
    assert "CSI" in cement.name_en and "IPCC 2006" in cement.name_en and not cement.name_en.startswith("GB/T")
    assert "CSI" in cement.name_zh and "IPCC" in cement.name_zh
    csi = one(library, factor_set="gbt32151_8", parameter="ef", key="process/cement_clinker")
    # CSI Cement CO2 and Energy Protocol v3.0 (2011), Internet Manual, method B1: 525 kg CO2/t clinker.
    assert csi["value"] == 525 and csi["check"] == "checked" and "Cement CO2 and Energy Protocol" in csi["citation"]


def test_untraced_chinese_fuel_table_no_longer_claims_gbt32150_and_comes_after_ipcc(library):
    fuel = library.factors.filter(pl.col("factor_set") == "gbt32150")
    assert fuel.height == 60 and set(fuel["check"].to_list()) == {"untraced"}
    assert not fuel["citation"].str.contains("32150").any()
    assert "GB/T 32150" not in library.sets["gbt32150"].name_en + library.sets["gbt32150"].name_zh
    cn = DEFAULT_FACTOR_SETS["CN"]
    assert cn.index("ipcc2006") < cn.index("gbt32150")


def test_natural_gas_by_volume_takes_the_ipcc_factor_and_the_volumetric_ncv(run_project):
    # Chinese default precedence: IPCC 2006 Vol. 2 Ch. 2 Table 2.3 CO2 56 100 kg/TJ (the national default
    # where IPCC applies); IPCC gives NCV per mass only, so the volumetric NCV 389.31 GJ/10^4 Nm3 comes from
    # the Chinese common fuel table. 1 × 10^4 Nm3 → 389.31 GJ × 56.1 kg/GJ = 21.840 t CO2 (was 21.62 with the
    # Chinese table's carbon content 15.3 t C/TJ and oxidation 0.99).
    run = run_project(
        "id,facility,date,activity,quantity,unit,region\nA1,plant,2024-03-31,天然气,1,万立方米,CN",
        sets=DEFAULT_FACTOR_SETS["CN"],
    )
    co2 = run.co2e_rows(gas="CO2")
    assert co2["mass_t"].sum() == pytest.approx(389.31 * 56.1e-3, rel=1e-9)
    assert "ipcc2006:" in co2["factor_ids"][0] and "gbt32150:" in co2["factor_ids"][0]


def test_factors_show_prints_the_check_beside_the_citation():
    args = ["factors", "show", "电力", "--region", "CN", "--year", "2022", "--lang", "zh"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "来源：生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》" in result.output
    assert "核对情况：未经原文核对：与另一份出版物所列数值一致" in result.output
    assert not LEAKS.search(result.output)
