"""Territorial targets: intensity targets (CO2e per GDP, per person) with a GDP projection, absolute caps,
a period of several years projected from its last year, and one set of targets per subject.
Expected values are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from pydantic import ValidationError

from dualcarbon.errors import InputError
from dualcarbon.model import Settings, Targets
from dualcarbon.pathway import compute, projection, targets
from dualcarbon.pathway.measures import Measure

GDP_2024 = 100e8  # 100 亿元, in currency units


def emission_rows(by_year: dict[int, float]) -> pl.DataFrame:
    """Engine-like emission rows: one coal source, t CO2e in each year."""
    n = len(by_year)
    return pl.DataFrame(
        {
            "key": ["fuel/raw_coal"] * n,
            "scope": ["1"] * n,
            "category": ["1.stationary"] * n,
            "facility": [""] * n,
            "co2e_t": list(by_year.values()),
            "biogenic": [False] * n,
            "scope2_method": pl.Series([None] * n, dtype=pl.String),
            "year": pl.Series(list(by_year), dtype=pl.Int32),
        }
    )


def settings(start: str, end: str, targets_: dict, pathway: dict, **extra) -> Settings:
    return Settings.model_validate(
        {
            "organization": {"name": "区", "kind": "territory"},
            "territory": {"gdp": 100.0, "gdp_unit": "亿元", "gdp_price_year": 2020, "population": 1_000_000},
            "period": {"start": dt.date.fromisoformat(start), "end": dt.date.fromisoformat(end)},
            "targets": targets_,
            "pathway": {"discount_rate": 0.0, **pathway},
            **extra,
        }
    )


CHEAP = Measure("cheap", "便宜", "cheap", "fuel/raw_coal", share=0.3, cost_per_t=20.0)
DEAR = Measure("dear", "昂贵", "dear", "fuel/raw_coal", share=0.1, cost_per_t=30.0)


def test_gdp_projection_grows_after_the_last_known_year_and_interpolates_between():
    known = {2020: 100.0, 2022: 121.0}
    out = projection.extend(known, {2023: 0.05, 2025: 0.0}, [2020, 2021, 2022, 2023, 2024, 2025])
    # 2021: constant growth between 100 and 121 is 10 %: 110; 2023: 121 · 1.05; 2024: · 1.05; 2025: rate 0
    assert out == pytest.approx({2020: 100, 2021: 110, 2022: 121, 2023: 127.05, 2024: 133.4025, 2025: 133.4025})
    assert projection.extend(known, None, [2022, 2023]) == {2022: 121.0}  # no growth: nothing after 2022
    assert projection.extend({}, 0.05, [2024]) == {}


def test_intensity_capped_pathway_solved_by_hand():
    # Inventory 2024: 1000 t; BAU +10 %/yr: 1100 (2025), 1210 (2026). GDP 100 亿元 in 2024, +2 %/yr:
    # 102 (2025), 104.04 (2026). Target: CO2e/GDP in 2025 (and after) 20 % below 2024's:
    # E(y) ≤ 0.8 · 1000 · GDP(y)/GDP(2024): 816 t in 2025, 832.32 t in 2026, so 284 t and 377.68 t to abate.
    # cheap (30 % of coal, 20/t) abates 330 and 363 t; dear (10 %, 30/t) 110 and 121 t.
    # 2025 needs cheap (dear alone: 110 < 284); 2026 needs both (363 < 377.68 ≤ 484): the least cost
    # is cheap from 2025 and dear from 2026: 20 · (330 + 363) + 30 · 121 = 13,860 + 3,630 = 17,490.
    # (dear from 2025 too would add 30 · 110 = 3,300.)
    s = settings(
        "2024-01-01",
        "2024-12-31",
        {"base_year": 2024, "intensity": [{"year": 2025, "percent": 20, "per": "gdp"}]},
        {"start_year": 2025, "end_year": 2026, "growth": {"default": 0.10}, "gdp_growth": 0.02},
    )
    result = compute.compute(emission_rows({2024: 1000.0}), s, [CHEAP, DEAR], denominators={"gdp": {2024: GDP_2024}})
    plan = result.plan
    assert plan.status == "optimal"
    chosen = dict(plan.measures.filter(pl.col("chosen")).select("id", "start_year").rows())
    assert chosen == {"cheap": 2025, "dear": 2026}
    assert plan.cost_discounted == pytest.approx(17_490.0)
    table = {r["year"]: r for r in plan.table.to_dicts()}
    assert table[2025]["target_t"] == pytest.approx(816.0) and table[2026]["target_t"] == pytest.approx(832.32)
    assert table[2025]["target_kind"] == table[2026]["target_kind"] == "intensity"
    assert table[2025]["emissions_t"] == pytest.approx(770.0) and table[2026]["emissions_t"] == pytest.approx(726.0)
    # the intensity columns: GDP in 万元 (102 亿元 = 1,020,000 万元), t CO2e per 万元 and the target,
    # 0.8 · 1000 t / 1,000,000 万元 = 0.0008 t/万元
    assert table[2025]["gdp_10k"] == pytest.approx(1_020_000.0)
    assert table[2025]["intensity_t_per_10k"] == pytest.approx(770.0 / 1_020_000.0)
    assert table[2026]["intensity_target_t_per_10k"] == pytest.approx(0.0008)
    summary = result.summary()["targets"]["intensity"]
    assert summary == [
        {
            "kind": "intensity",
            "year": 2025,
            "percent": 20,
            "base_year": 2024,
            "per": "gdp",
            "covers": None,
            "target": pytest.approx(0.0008),
            "unit": "t CO2e/10k CNY",
        }
    ]


def test_absolute_cap_and_per_capita_target():
    # Cap 2026: ≤ 900 t (BAU 1210 → 310 t to abate: cheap alone, 363 t, from 2026: 20 · 363 = 7,260).
    # Per capita: population 1,000,000 in 2024, +0 %/yr, -5 % vs 2024 from 2025: ≤ 950 t, so cheap
    # is needed from 2025 (1100 − 950 = 150 ≤ 330): 20 · (330 + 363) = 13,860.
    s = settings(
        "2024-01-01",
        "2024-12-31",
        {"caps": [{"year": 2026, "t": 900}]},
        {"start_year": 2025, "end_year": 2026, "growth": {"default": 0.10}},
    )
    plan = compute.compute(emission_rows({2024: 1000.0}), s, [CHEAP, DEAR]).plan
    assert dict(plan.measures.filter(pl.col("chosen")).select("id", "start_year").rows()) == {"cheap": 2026}
    assert plan.cost_discounted == pytest.approx(7_260.0)
    assert plan.table.filter(pl.col("year") == 2026)["target_t"].item() == pytest.approx(900.0)
    assert plan.table["target_kind"].to_list() == [None, "cap"]
    s = settings(
        "2024-01-01",
        "2024-12-31",
        {"intensity": [{"year": 2025, "percent": 5, "per": "capita"}]},
        {"start_year": 2025, "end_year": 2026, "growth": {"default": 0.10}, "population_growth": 0.0},
    )
    plan = compute.compute(emission_rows({2024: 1000.0}), s, [CHEAP, DEAR], denominators={"capita": {2024: 1e6}}).plan
    assert plan.cost_discounted == pytest.approx(13_860.0)
    assert plan.table["per_capita_target_t"].to_list() == pytest.approx([0.00095, 0.00095])


def test_a_period_of_several_years_is_projected_from_its_last_year_with_earlier_base_years():
    # 2020: 1000 t, 2021: 1100 t; GDP 100 → 125 亿元 (indicators). Projection from 2021 (not the sum of
    # the two years). Target 2022: CO2e/GDP −20 % vs 2020, GDP +0 % after 2021:
    # E(2022) ≤ 0.8 · 1000 · 125/100 = 1000 t; BAU 2022 = 1100 (growth 0): 100 t to abate: cheap (330 t).
    s = settings(
        "2020-01-01",
        "2021-12-31",
        {"base_year": 2020, "intensity": [{"year": 2022, "percent": 20}]},
        {"end_year": 2022, "gdp_growth": 0.0},
    )
    result = compute.compute(
        emission_rows({2020: 1000.0, 2021: 1100.0}),
        s,
        [CHEAP],
        denominators={"gdp": {2020: 100e8, 2021: 125e8}},
    )
    assert result.inventory_year == 2021 and result.base_t == pytest.approx(1000.0)
    assert result.known_t == {2020: pytest.approx(1000.0), 2021: pytest.approx(1100.0)}
    table = result.plan.table.to_dicts()
    assert [r["year"] for r in table] == [2022]
    assert table[0]["bau_t"] == pytest.approx(1100.0) and table[0]["target_t"] == pytest.approx(1000.0)
    assert result.plan.measures["chosen"].to_list() == [True]


@pytest.mark.parametrize(
    ("targets_", "pathway", "denominators", "key", "expected"),
    [
        (
            {"intensity": [{"year": 2026, "percent": 18}]},
            {},
            {"gdp": {2024: GDP_2024}},
            "pathway.gdp_growth",
            "gdp_growth",
        ),
        (
            {"intensity": [{"year": 2026, "percent": 18}]},
            {"gdp_growth": 0.05},
            {},
            "targets.intensity",
            "[territory] gdp",
        ),
        (
            {"intensity": [{"year": 2026, "percent": 18, "base_year": 2022}]},
            {"gdp_growth": 0.05},
            {"gdp": {2024: GDP_2024}},
            "targets.intensity",
            "2022 are unknown",
        ),
        (
            {"intensity": [{"year": 2026, "percent": 5}]},
            {"gdp_growth": -1.5},
            {"gdp": {2024: 1.0}},
            "pathway.gdp_growth",
            "above -1",
        ),
    ],
)
def test_what_an_intensity_target_needs_is_named(targets_, pathway, denominators, key, expected):
    s = settings("2024-01-01", "2024-12-31", targets_, {"end_year": 2027, **pathway})
    with pytest.raises(InputError) as info:
        compute.compute(emission_rows({2024: 1000.0}), s, [], denominators=denominators)
    assert any(p.column == key and expected in p.expected for p in info.value.problems), str(info.value)


def test_intensity_target_must_follow_its_base_year():
    with pytest.raises(ValidationError, match="not after its base year"):
        Targets.model_validate({"intensity": [{"year": 2020, "percent": 18, "base_year": 2020}]})
    with pytest.raises(ValueError, match="not after its base year 2025"):
        targets.resolve(Targets.model_validate({"base_year": 2025, "intensity": [{"year": 2025, "percent": 5}]}), 2025)


NEUTRALITY = {"standard": "PAS2060", "subject": "territory", "base_year": 2024}


def test_the_neutrality_plan_takes_the_cuts_of_targets():
    s = settings(
        "2024-01-01",
        "2024-12-31",
        {"base_year": 2024, "cuts": [{"year": 2035, "percent": 25}, {"year": 2050, "percent": 80}]},
        {},
        neutrality=NEUTRALITY,
    )
    assert [(t.year, t.reduction_percent) for t in s.neutrality.reduction_targets] == [(2035, 25), (2050, 80)]


def test_the_same_targets_twice_are_one_set_and_different_ones_are_refused():
    same = {
        **NEUTRALITY,
        "reduction_targets": [{"year": 2050, "reduction_percent": 80}, {"year": 2035, "reduction_percent": 25}],
    }
    cuts = {"base_year": 2024, "cuts": [{"year": 2035, "percent": 25}, {"year": 2050, "percent": 80}]}
    assert settings("2024-01-01", "2024-12-31", cuts, {}, neutrality=same).neutrality.reduction_targets
    other = {**NEUTRALITY, "reduction_targets": [{"year": 2035, "reduction_percent": 30}]}
    with pytest.raises(ValidationError) as info:
        settings("2024-01-01", "2024-12-31", cuts, {}, neutrality=other)
    text = str(info.value)
    assert "neutrality.reduction_targets (2035: -30 %)" in text and "targets.cuts (2035: -25 %, 2050: -80 %)" in text


def test_regression_targets_counted_from_different_base_years_are_refused_naming_both_keys():
    # Before, the plan's -30 % by 2035 from 2020 and the pathway's cuts from 2024 were two silent sets.
    cuts = {"base_year": 2024, "cuts": [{"year": 2035, "percent": 25}]}
    apart = {**NEUTRALITY, "base_year": 2020, "reduction_targets": [{"year": 2035, "reduction_percent": 30}]}
    with pytest.raises(ValidationError) as info:
        settings("2024-01-01", "2024-12-31", cuts, {}, neutrality=apart)
    assert "neutrality.base_year 2020" in str(info.value) and "targets.base_year 2024" in str(info.value)
    # [targets] without a base year counts from the inventory year: the same refusal
    with pytest.raises(ValidationError, match="targets.base_year 2024"):
        settings("2024-01-01", "2024-12-31", {"template": "china"}, {}, neutrality=apart)


def test_the_pathway_takes_the_plans_targets_and_net_zero_year_and_refuses_another_neutral_year():
    plan = {
        **NEUTRALITY,
        "net_zero_year": 2055,
        "reduction_targets": [{"year": 2030, "reduction_percent": 20}, {"year": 2050, "reduction_percent": 80}],
    }
    s = settings("2024-01-01", "2024-12-31", {"base_year": 2024}, {}, neutrality=plan)
    assert [(c.year, c.percent, c.against) for c in s.targets.cuts] == [(2030, 20, "base"), (2050, 80, "base")]
    assert s.targets.neutral_year == 2055
    goal = targets.resolve(s.targets, 2024)
    assert [(c.year, c.percent) for c in goal.cuts] == [(2030, 20), (2050, 80)] and goal.neutral_year == 2055
    # the china template's neutral year (2060) against the plan's 2055: refused, both keys named
    with pytest.raises(ValidationError) as info:
        settings("2024-01-01", "2024-12-31", {"template": "china"}, {}, neutrality=plan)
    assert "neutrality.net_zero_year 2055 and targets.neutral_year 2060 (template china)" in str(info.value)


TERRITORY_TOML = """\
[organization]
name = "某区（示例）"
kind = "territory"
country = "CN"
sector = "1.A.4.b"

[territory]
admin_code = "110115"
population = 2000000
gdp = 1100.0
gdp_unit = "亿元"
gdp_price_year = 2020

[period]
start = 2020-01-01
end = 2021-12-31

[method]
factor_sets = ["gbt32150", "ipcc2006"]

[targets]
base_year = 2020
intensity = [{ year = 2025, percent = 18, per = "gdp" }]

[pathway]
end_year = 2026
discount_rate = 0.0
gdp_growth = 0.05
"""


def test_end_to_end_a_territory_with_an_intensity_target(tmp_path):
    import json

    from dualcarbon.project import job

    root = tmp_path / "district"
    root.mkdir()
    (root / "dualcarbon.toml").write_text(TERRITORY_TOML, encoding="utf-8")
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit\nA1,2020-06-30,原煤,1000,t\nA2,2021-06-30,原煤,1100,t\n", encoding="utf-8"
    )
    (root / "indicators.csv").write_text("indicator,year,value,unit\ngdp,2020,1000,亿元\n", encoding="utf-8")
    (root / "measures.csv").write_text(
        "id,name_zh,name_en,applies_to,share,cost_per_t\nCOAL,煤改气,Coal to gas,fuel/raw_coal,40%,50\n",
        encoding="utf-8",
    )
    result = job.pathway(root, tmp_path / "out", lang="en")
    plan = result.pathway
    # GDP 1000 亿元 (2020, indicators.csv), 1100 (2021, [territory]), +5 %/yr; E(2020) from the inventory's 2020 rows;
    # 2025: E ≤ 0.82 · E(2020) · 1100 · 1.05^4 / 1000, BAU flat at E(2021) = 1.1 · E(2020)
    e2020, e2021 = result.pathway.known_t[2020], result.pathway.known_t[2021]
    assert e2021 == pytest.approx(1.1 * e2020)
    cap = 0.82 * e2020 * 1.1 * 1.05**4
    row = plan.plan.table.filter(pl.col("year") == 2025).to_dicts()[0]
    assert row["target_t"] == pytest.approx(cap) and row["bau_t"] == pytest.approx(e2021)
    assert row["emissions_t"] <= cap * (1 + 1e-9) and row["abatement_t"] > 0
    record = json.loads((tmp_path / "out" / "pathway.json").read_text(encoding="utf-8"))
    assert record["targets"]["intensity"][0]["target"] == pytest.approx(0.82 * e2020 / 1000e4)
    assert record["inventory_by_year"] == [
        {"year": 2020, "emissions_t": pytest.approx(e2020)},
        {"year": 2021, "emissions_t": pytest.approx(e2021)},
    ]
    history = record["charts"]["trajectory"]["data"][0]
    assert (history["name"], history["x"]) == ("Inventory", [2020, 2021])
    names = [trace["name"] for trace in record["charts"]["intensity"]["data"]]
    assert names == ["Business as usual", "Emissions with the measures", "Intensity target"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Emission intensity against the target" in html and "CO2e per unit of GDP 18 % below 2020" in html
    csv = pl.read_csv(tmp_path / "out" / "pathway.csv")
    assert {"gdp_10k", "intensity_t_per_10k", "intensity_target_t_per_10k"} <= set(csv.columns)


def test_regression_a_period_of_several_years_is_not_summed_into_one_base_year():
    # Before: a period of 2020-2021 was projected from 2020 with the two years' emissions summed
    # (1000 + 1100 = 2100 t a year of BAU). Now: from 2021, 1100 t; a cut of 10 % vs 2021 in 2022 caps
    # 990 t (before: 1890 t).
    s = Settings.model_validate(
        {
            "organization": {"name": "区"},
            "period": {"start": dt.date(2020, 1, 1), "end": dt.date(2021, 12, 31)},
            "targets": {"base_year": 2021, "cuts": [{"year": 2022, "percent": 10}]},
            "pathway": {"end_year": 2022, "discount_rate": 0.0},
        }
    )
    plan = compute.compute(emission_rows({2020: 1000.0, 2021: 1100.0}), s, [CHEAP]).plan
    row = plan.table.filter(pl.col("year") == 2022).to_dicts()[0]
    assert row["bau_t"] == pytest.approx(1100.0) and row["target_t"] == pytest.approx(990.0)


def test_regression_an_intensity_target_without_measures_reports_its_shortfall(tmp_path):
    # Before: with no measures.csv and no neutral year the model has no columns; HiGHS answered
    # "model empty" and the pathway printed "Pathway 2022-2026: modelempty" with no shortfall, though
    # BAU (flat at E(2021) = 1.1 · E(2020)) misses the cap 0.82 · E(2020) · 1.1 · 1.05^4 = 1.0964 · E(2020) in
    # 2025 (in 2026 the cap, 1.1512 · E(2020), is above BAU).
    import json

    from dualcarbon.project import job

    root = tmp_path / "district"
    root.mkdir()
    (root / "dualcarbon.toml").write_text(TERRITORY_TOML, encoding="utf-8")
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit\nA1,2020-06-30,原煤,1000,t\nA2,2021-06-30,原煤,1100,t\n", encoding="utf-8"
    )
    (root / "indicators.csv").write_text("indicator,year,value,unit\ngdp,2020,1000,亿元\n", encoding="utf-8")
    job.pathway(root, tmp_path / "out", lang="en")
    record = json.loads((tmp_path / "out" / "pathway.json").read_text(encoding="utf-8"))
    assert record["status"] == "infeasible"
    assert [s["year"] for s in record["shortfalls"]] == [2025]
    e2020 = record["inventory_by_year"][0]["emissions_t"]
    assert record["shortfalls"][0]["missing_t"] == pytest.approx(1.1 * e2020 - 0.82 * e2020 * 1.1 * 1.05**4)
    # and with a lax target the empty model is simply met
    lax = TERRITORY_TOML.replace("percent = 18", "percent = 1")
    (root / "dualcarbon.toml").write_text(lax, encoding="utf-8")
    job.pathway(root, tmp_path / "out2", lang="en")
    record = json.loads((tmp_path / "out2" / "pathway.json").read_text(encoding="utf-8"))
    assert (record["status"], record["shortfalls"]) == ("optimal", [])


def test_regression_the_pathway_peak_is_the_base_year_when_emissions_only_fall_after_it():
    # 2024 (inventory and base year): 100 t, then -10 % a year: 90 t (2025), 81 t (2026). The peak is
    # 2024 at 100 t. Before the fix pathway.json said 2025 at 90 t (the pathway's years only).
    s = settings("2024-01-01", "2024-12-31", {"base_year": 2024}, {"end_year": 2026, "growth": {"default": -0.1}})
    result = compute.compute(emission_rows({2024: 100.0}), s, [])
    peak = result.summary()["pathway_peak"]
    assert (peak["year"], peak["emissions_t"], peak["reached"]) == (2024, pytest.approx(100.0), True)
    assert result.summary()["bau_peak"]["year"] == 2024
