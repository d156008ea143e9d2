"""Purchased heat and steam (GHG Protocol Scope 2; Chinese enterprise guidelines' default)."""

from __future__ import annotations

import pytest

from dualcarbon.i18n import translator
from dualcarbon.model import DEFAULT_FACTOR_SETS

HEADER = "id,facility,date,activity,quantity,unit,region"


def test_china_purchased_heat_takes_the_guidelines_default(run_project):
    # 国家发展改革委办公厅《公共建筑运营单位（企业）温室气体排放核算方法和报告指南（试行）》（2015）: the
    # factor of purchased steam and hot water "现可采用0.11tCO2/GJ" (附录表3). Before, no Chinese heat factor
    # was bundled and a Chinese project buying heat stopped with exit 2.
    rows = f"{HEADER}\nH1,plant,2024-01-31,外购蒸汽,1000,GJ,CN-HE\nH2,plant,2024-02-29,外购热力,2.5,TJ,CN-HE"
    run = run_project(rows, sets=["gbt32150", "cn_mee_grid", "cn_guidelines", "ipcc2006"])
    assert run.co2e() == pytest.approx((1000 + 2500) * 0.11, rel=1e-12)
    assert run.co2e_rows()["gas"].unique().to_list() == ["CO2"]
    assert run.co2e_rows()["region_used"].unique().to_list() == ["CN"]
    assert run.summary["totals"]["scope2_location"] == pytest.approx(385.0, rel=1e-12)


def test_china_default_factor_sets_include_the_heat_default():
    assert "cn_guidelines" in DEFAULT_FACTOR_SETS["CN"]


def test_heat_factor_row_cites_the_guideline_and_says_it_is_unchecked(library):
    rows = library.show("heat/purchased", region="CN")
    row = rows.filter(rows["factor_set"] == "cn_guidelines")
    assert row.height == 1 and row["value"][0] == 0.11
    assert "公共建筑运营单位" in row["source_ref"][0] and "github" not in row["source_ref"][0].lower()
    # the check is a catalogued code (factors.library.CHECK_CODES) whose text says 未经原文核对 and why
    assert row["check"][0] == "transcribed"
    assert translator("zh")(f"cite.check.{row['check'][0]}").startswith("未经原文核对")
