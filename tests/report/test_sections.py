"""The verifier's sections of the report on the bundled cement example (zh and en): contents,
organisation and boundary, methods and factor citations per category, data quality; the pathway
slot and the print layout on the made-up summary of test_html."""

from __future__ import annotations

import copy
import re
import shutil
from importlib import resources

import pytest
from markupsafe import escape

from dualcarbon.i18n import translator
from dualcarbon.project import job
from dualcarbon.report import render_report
from dualcarbon.report.sections import category_rows, formula_text

from .test_html import BY_SOURCE, FACTORS, INVENTORY, SUMMARY


@pytest.fixture(scope="module")
def cement(tmp_path_factory) -> job.JobResult:
    root = tmp_path_factory.mktemp("cement") / "p"
    with resources.as_file(resources.files("dualcarbon").joinpath("examples", "cement-plant")) as src:
        shutil.copytree(src, root)
    return job.run(root, write=False)


def report_of(result: job.JobResult, lang: str) -> str:
    inv = result.inventory
    return render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, lang)


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request, cement) -> tuple[str, str]:
    return request.param, report_of(cement, request.param)


def block(html: str, category: str) -> str:
    start = html.index(f'<div class="method-block" id="method-{category}">')
    return html[start : html.index("</div>", start)]


def test_contents_lists_every_section_in_document_order(report):
    _, html = report
    nav = html[html.index('<nav id="contents"') : html.index("</nav>")]
    listed = re.findall(r'<a href="#([\w-]+)">', nav)
    sections = re.findall(r'<section id="([\w-]+)">', html)
    assert listed == sections
    assert sections[:2] == ["organization", "key-figures"]
    assert {"categories", "methods", "data-quality", "neutrality"} <= set(sections) and "pathway" not in sections


def test_organization_and_boundary(report, cement):
    lang, html = report
    section = html[
        html.index('<section id="organization">') : html.index("</section>", html.index('id="organization"'))
    ]
    summary = cement.inventory.summary
    assert "冀东某水泥有限公司" in section and "CN-NCG" in section and "1.A.2" in section
    assert ("运营控制权法" if lang == "zh" else "Operational control") in section
    assert "project → gbt32151_8 → cn_mee_grid → ipcc2006 → gbt32150 → useeio" in section
    assert len(summary["factor_sets"]) == 5
    for fs in summary["factor_sets"]:
        assert fs["sha256"] in section and str(escape(fs["version"])) in section


def test_every_category_with_emissions_has_its_methods_and_factor_citations(report, cement):
    lang, html = report
    t = translator(lang)
    summary = cement.inventory.summary
    factors = {f["factor_id"]: f for f in cement.inventory.factor_sources.to_dicts()}
    categories = {c["category"] for c in summary["by_category"] if c["co2e_t"] > 0}
    assert categories == {"1.mobile", "1.process", "1.stationary", "2.electricity", "3.1"}
    for category in categories:
        text = block(html, category)
        methods = [m for m in summary["by_method"] if m["category"] == category]
        assert methods
        for m in methods:
            assert str(escape(formula_text(m["formula"], lang))) in text, (category, m["formula"])
            for factor_id in m["factor_ids"]:
                assert factor_id in text, (category, factor_id)
                if factor_id in factors:  # a library factor: its citation, in full, and beside it its check
                    assert str(escape(factors[factor_id]["citation"])) in text, (category, factor_id)
                    check = factors[factor_id]["check"]
                    assert check and str(escape(t(f"cite.check.{check}"))) in text, (category, factor_id)
    # the standard and clause as the trace states them
    equation = "IPCC 2006 第2卷第2章式2.1" if lang == "zh" else "IPCC 2006 Vol. 2 Ch. 2 Eq. 2.1"
    assert "GB/T 32151.8-2015" in block(html, "1.process") and equation in block(html, "1.stationary")
    scope2 = "《温室气体核算体系：范围二指南》§6.4" if lang == "zh" else "GHG Protocol Scope 2 Guidance §6.4"
    assert scope2 in block(html, "2.electricity")


def test_gwp_values_applied_are_listed(report, cement):
    _, html = report
    section = html[html.index('<section id="methods">') : html.index('<div class="method-block"')]
    gwp = cement.inventory.summary["gwp_values"]
    assert gwp["CH4"] == 28.0 and gwp["N2O"] == 265.0  # IPCC AR5 WG1 Table 8.A.1
    code = '<span class="code" translate="no">'
    assert f"{code}CH4</span> 28" in section and f"{code}N2O</span> 265" in section


def test_own_data_is_explained(report):
    lang, html = report
    process = block(html, "1.process")
    assert "row:measured" in process and "facility:clinker_oxides" in process
    assert ("化验值" if lang == "zh" else "analysis given in the activity record") in process
    assert "credits:GEC-2024-001" in block(html, "2.electricity")


def test_data_quality_section(report, cement):
    lang, html = report
    section = html[html.index('<section id="data-quality">') : html.index('<section id="neutrality">')]
    dq = cement.inventory.summary["data_quality"]
    tier1 = next(r for r in dq["tiers"] if r["tier"] == "1")
    assert f"{tier1['share'] * 100:.1f} %" in section and tier1["share"] > 0.3  # raw coal on IPCC defaults
    cov = dq["scope2_coverage"]
    assert cov["covered_mwh"] == pytest.approx(20000.0) and f"{cov['share'] * 100:.1f} %" in section
    assert "GEC-2024-001" in section
    for r in dq["region_fallbacks"] + dq["factor_years"]:
        assert r["key"] in section
    assert dq["evidence"]["records"] == dq["evidence"]["total_records"] == 88  # the example names no evidence
    assert (
        "88 条活动数据记录中有 88 条未注明证据文件" if lang == "zh" else "88 of 88 activity records name no evidence"
    ) in section
    assert (
        "采用 US 的因子作为替代" if lang == "zh" else "factors of US are used as a proxy"
    ) in section  # the run's warning


def test_category_rows_put_both_scope2_methods_side_by_side():
    rows = category_rows(
        SUMMARY["by_category"], {"1.stationary": "", "1.process": "", "2.electricity": "", "2.heat": ""}
    )
    by = {(r["scope"], r["category"], r["total"]): (r["location_t"], r["market_t"]) for r in rows}
    assert by[("2", "2.electricity", False)] == (55123.4, 53000.0)
    assert by[("2", "2.heat", False)] == (5000.0, 5000.0)  # method "both": in both columns
    assert by[("2", "", True)] == (60123.4, 58000.0)  # = totals.scope2_location / scope2_market
    assert by[("1", "", True)] == (812345.6, 812345.6)
    assert [r["category"] for r in rows if r["scope"] == "1"] == ["1.stationary", "1.process", ""]


def test_pathway_section_only_when_given(tmp_path):
    from typer.testing import CliRunner

    from dualcarbon.cli import app
    from dualcarbon.project import job

    plain = render_report(copy.deepcopy(SUMMARY), INVENTORY, BY_SOURCE, FACTORS, "en")
    assert 'id="pathway"' not in plain and "#pathway" not in plain
    root = tmp_path / "cement"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "cement-plant"]).exit_code == 0
    result = job.pathway(root, write=False)
    inv = result.inventory
    html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, "en", pathway=result.pathway)
    assert '<a href="#pathway">Targets and least-cost pathway</a>' in html
    section = html[html.index('<section id="pathway">') :]
    assert "<h2>Targets and least-cost pathway</h2>" in section
    assert 'id="chart-pathway"' in section and 'id="chart-macc"' in section
    assert '<td class="num">2060</td>' in section.replace("<td>2060</td>", '<td class="num">2060</td>')
    assert html.index('<section id="pathway">') > html.index('<section id="data-quality">')


def test_print_layout_opens_details_and_sizes_the_page(cement):
    inv = cement.inventory
    screen = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, "zh")
    printed = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, "zh", print_layout=True)
    assert "<details open>" in printed and "<details open>" not in screen
    assert "max-width: 182mm" in printed and "max-width: 182mm" not in screen
    assert "@page { size: A4" in screen  # printing the HTML from a browser gives the same pages


def test_old_summaries_without_the_new_records_still_render():
    html = render_report(copy.deepcopy(SUMMARY), INVENTORY, BY_SOURCE, FACTORS, "zh")
    assert "IPCC 2006 GL Vol. 3 Ch. 2 §2.2.1.1" in html  # the flat factor list instead of per-category blocks
    assert 'id="data-quality"' in html and "绿证批次 G1 未被采用" in html
