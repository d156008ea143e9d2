"""Factor search for people (issue 15, point 17): what fits comes first (the project's country and
region, the page's language, then the set precedence), Chinese names for every row, filters and
paging; the CLI ranks as the API does."""

from __future__ import annotations

import tomllib

import polars as pl
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.factors import search
from dualcarbon.model import Settings
from dualcarbon.project.examples import FOLDER


def test_a_chinese_page_puts_chinese_factors_first_and_an_english_one_the_library_order(library):
    zh = search.search(library, search.Filters("天然气"), search.Fit.of(None, "zh"), 0, 500)
    # zh's home is CN: GB/T 32150's Chinese defaults (region CN, named '天然气 natural gas') first
    assert zh.rows["region"][0] == "CN" and zh.rows["factor_set"][0] == "gbt32150"
    regions = zh.rows["region"].to_list()
    assert regions.index("GLOBAL") > max(i for i, r in enumerate(regions) if r == "CN")
    en = search.search(library, search.Filters("天然气"), search.Fit.of(None, "en"), 0, 500)
    assert en.total == zh.total and set(en.rows["factor_id"]) == set(zh.rows["factor_id"])
    assert en.rows["factor_set"][0] == "ipcc2006"  # no home country: the manifest's set order


def test_a_projects_region_and_its_fallback_chain_come_first_then_its_country(library):
    # the dairy example is in Heilongjiang (CN-HL): the Northeast grid (CN-NECG), then CN, then other grids
    with FOLDER.joinpath("dairy", "dualcarbon.toml").open("rb") as fh:
        settings = Settings.model_validate(tomllib.load(fh))
    fit = search.Fit.of(settings, "zh")
    found = search.search(library, search.Filters("electricity/grid", year=2022), fit, 0, 500)
    grid = found.rows.filter(pl.col("key") == "electricity/grid")["region"].to_list()
    assert grid[:2] == ["CN-NECG", "CN"] and set(grid[2:]) <= {r for r in grid if r.startswith("CN-")}
    # a US project: eGRID and the EPA Hub before the Chinese sets
    us = search.Fit(country="US", region="US-CAMX", lang="en", precedence=("project", "us_epa_hub", "egrid"))
    found = search.search(library, search.Filters("electricity/grid"), us, 0, 5)
    assert found.rows["region"][0] == "US-CAMX"


def test_set_precedence_orders_factors_of_equal_fit(library):
    fit = search.Fit(country=None, lang=None, precedence=("us_epa_hub", "ipcc2006"))
    found = search.search(library, search.Filters("diesel"), fit, 0, 1000)
    sets = found.rows["factor_set"].to_list()
    assert sets[0] == "us_epa_hub" and sets.index("ipcc2006") > max(i for i, s in enumerate(sets) if s == "us_epa_hub")


def test_filters_and_paging(library):
    filters = search.Filters("", sets=("cn_mee_grid",), region="cn-ncg", gas="co2", year=2022)  # any case
    found = search.search(library, filters, search.Fit.of(None, "zh"), 0, 500)
    assert found.total == found.rows.height > 0
    assert set(found.rows["factor_set"]) == {"cn_mee_grid"} and set(found.rows["year"]) == {2022}
    assert set(found.rows["gas"]) == {"CO2"}
    # the North China grid and the provinces within it (Beijing, Hebei …), nothing else
    assert "CN-NCG" in set(found.rows["region"]) and set(found.rows["region"]) <= {
        "CN-NCG",
        "CN-BJ",
        "CN-TJ",
        "CN-HE",
        "CN-SX",
        "CN-SD",
        "CN-NM",
    }
    everything = search.search(library, search.Filters("gas"), search.Fit.of(None, "zh"), 0, 10_000)
    pages = [search.search(library, search.Filters("gas"), search.Fit.of(None, "zh"), o, 40) for o in (0, 40, 80)]
    assert all(p.total == everything.total for p in pages)
    assert sum((p.rows["factor_id"].to_list() for p in pages), []) == everything.rows["factor_id"].to_list()[:120]


def test_every_factor_row_has_a_chinese_name(library):
    found = search.search(library, search.Filters("", sets=tuple(library.sets)), search.Fit(), 0, 100_000)
    assert found.total == library.factors.height
    missing = found.rows.filter(pl.col("name_zh").is_null() | (pl.col("name_zh") == ""))
    assert missing.height == 0, missing.select("factor_set", "key").unique().head(20)
    # the source's own Chinese name where the catalogue has none; the catalogue's where it has one
    named = dict(zip(found.rows["key"], found.rows["name_zh"], strict=True))
    assert named["fuel/anthracite"] == "无烟煤" and named["fuel/aviation_gasoline"] == "航空汽油"
    assert named["uk/fuels/gaseous_fuels/butane"] == "燃料"  # the nearest named parent, uk/fuels


def test_the_cli_ranks_and_pages_as_the_api(library, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["factors", "search", "天然气", "--lang", "zh", "--limit", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    expected = search.search(library, search.Filters("天然气"), search.Fit.of(None, "zh"), 0, 3)
    lines = [line for line in result.output.splitlines() if "fuel/" in line]
    assert [line.split("│")[1].strip() for line in lines] == expected.rows["key"].to_list()
    assert "天然气" in lines[0] and "gbt32150" in lines[0]
    assert f"共 {expected.total} 条" in result.output
    bad = runner.invoke(app, ["factors", "search", "--set", "nope"])
    assert bad.exit_code == 2 and "--set" in bad.output
    assert runner.invoke(app, ["factors", "search"]).exit_code == 2
