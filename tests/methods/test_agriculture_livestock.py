"""Livestock methods (IPCC 2006 Vol. 4 Ch. 10, Tier 1) against hand computations from the cited tables.

Values are those of the bundled ``ipcc2006_afolu_defaults.csv`` (SOURCES.md §6a), named with their table:
Table 10.11 Asia: dairy 68, other cattle 47 kg CH4/head/yr; Table 10.10 developing countries: swine 1;
Table 10.14 Asia at 12 °C: dairy cows 10, other cattle 1, swine 2 kg CH4/head/yr; Table 10.15 developing,
cool (<15 °C): sheep 0.10; Table 10.19 Asia Nrate: dairy 0.47, other cattle 0.34 kg N/1000 kg/day;
Table 10.21 EF3 solid storage 0.005, liquid/slurry without crust 0; Table 10.22 FracGasMS dairy cow solid
storage 30 %, other cattle solid storage 45 %, swine liquid/slurry 48 %; Table 11.3 EF4 0.01, EF5 0.0075.
"""

from __future__ import annotations

import pytest
from projects import assert_input_error, write_settings

from dualcarbon import engine
from dualcarbon.project.load import load

HEADER = "id,facility,date,activity,quantity,unit,manure_system,animal_mass_kg"
HERD = (
    f"{HEADER}\n"
    "E1,牧场,2024-12-31,奶牛肠道发酵,1800,头,,\n"
    "E2,牧场,2024-12-31,其他牛肠道发酵,600,头,,\n"
    "E3,牧场,2024-12-31,livestock/enteric/swine,3000,head,,\n"
    "M1,牧场,2024-12-31,奶牛粪便管理,1800,头,固体储存,600\n"
    "M2,牧场,2024-12-31,livestock/manure/other_cattle,600,头,solid_storage,400\n"
    "M3,牧场,2024-12-31,生猪粪便管理,3000,头,液体/浆状储存,60\n"
)
N2O = 44 / 28
T12 = "mean_temperature_c = 12"


def test_enteric_and_manure_ch4_for_a_herd_in_china_at_12c(run_project):
    run = run_project(HERD, sets=["ipcc2006"], extra_toml=T12)
    # Eq. 10.19: CH4 = N × EF / 1000 t
    assert run.mass("CH4", id="E1") == pytest.approx(1800 * 68 / 1000)
    assert run.mass("CH4", id="E2") == pytest.approx(600 * 47 / 1000)
    assert run.mass("CH4", id="E3") == pytest.approx(3000 * 1 / 1000)
    # Eq. 10.22 with Table 10.14, Asia, 12 °C
    assert run.mass("CH4", id="M1") == pytest.approx(1800 * 10 / 1000)
    assert run.mass("CH4", id="M2") == pytest.approx(600 * 1 / 1000)
    assert run.mass("CH4", id="M3") == pytest.approx(3000 * 2 / 1000)
    e1 = run.co2e_rows(id="E1").row(0, named=True)
    assert "Eq. 10.19" in e1["formula"]
    assert "Table 10.11, IPCC:Asia" in e1["parameters"] and "edition 2006" in e1["parameters"]
    assert e1["factor_ids"].startswith("ipcc2006:afolu.")
    m1 = run.co2e_rows(id="M1", gas="CH4").row(0, named=True)
    assert "Table 10.14" in m1["parameters"] and "annual_avg_temp_C=12" in m1["parameters"]
    # CH4 × GWP (AR5 28): the herd's CH4 in CO2e
    ch4 = (1800 * 68 + 600 * 47 + 3000 + 1800 * 10 + 600 + 6000) / 1000
    assert run.co2e(gas="CH4") == pytest.approx(ch4 * 28)


def test_temperature_columns_round_and_clip():
    from dualcarbon.methods.agri_params import climate_condition, temperature_condition

    assert temperature_condition(12.4) == "annual_avg_temp_C=12"
    assert temperature_condition(12.5) == "annual_avg_temp_C=13"
    assert temperature_condition(3.0) == "annual_avg_temp_C=<=10"
    assert temperature_condition(31.0) == "annual_avg_temp_C=>=28"
    assert [climate_condition(t) for t in (14.9, 15, 25, 25.1)] == [
        "climate=cool",
        "climate=temperate",
        "climate=temperate",
        "climate=warm",
    ]


def test_sheep_manure_ch4_uses_the_climate_table(run_project):
    # Table 10.15, developing countries, cool (<15 °C): sheep 0.10 kg CH4/head/yr
    rows = f"{HEADER}\nS1,,2024-12-31,绵羊粪便管理,1000,头,solid_storage,45\n"
    run = run_project(rows, sets=["ipcc2006"], extra_toml=T12)
    assert run.mass("CH4", id="S1") == pytest.approx(1000 * 0.10 / 1000)
    assert "climate=cool" in run.co2e_rows(id="S1", gas="CH4")["parameters"][0]


def test_manure_n2o_direct_and_indirect(run_project):
    run = run_project(HERD, sets=["ipcc2006"], extra_toml=T12)
    # Eq. 10.30: Nex = Nrate × TAM/1000 × 365; Eq. 10.25: N2O = N × Nex × EF3 × 44/28
    nex_dairy = 0.47 * 600 / 1000 * 365
    nex_other = 0.34 * 400 / 1000 * 365
    direct = run.co2e_rows(gas="N2O").filter(run.co2e_rows(gas="N2O")["ipcc_category"].is_null())
    indirect = run.co2e_rows(gas="N2O", ipcc_category="3.C.6")
    by_id = dict(zip(direct["id"], direct["mass_t"], strict=True))
    assert by_id["M1"] == pytest.approx(1800 * nex_dairy * 0.005 * N2O / 1000)
    assert by_id["M2"] == pytest.approx(600 * nex_other * 0.005 * N2O / 1000)
    assert by_id["M3"] == 0  # liquid/slurry without crust: EF3 = 0
    # Eq. 10.26/10.27: N2O_G = N × Nex × FracGasMS × EF4 × 44/28 (leaching: no default FracLeachMS bundled)
    ind = dict(zip(indirect["id"], indirect["mass_t"], strict=True))
    assert ind["M1"] == pytest.approx(1800 * nex_dairy * 0.30 * 0.01 * N2O / 1000)
    assert ind["M2"] == pytest.approx(600 * nex_other * 0.45 * 0.01 * N2O / 1000)
    assert ind["M3"] == pytest.approx(3000 * (0.40 * 60 / 1000 * 365) * 0.48 * 0.01 * N2O / 1000)
    m1 = indirect.filter(indirect["id"] == "M1").row(0, named=True)
    assert "Table 10.22" in m1["parameters"] and "Table 11.3" in m1["parameters"]
    assert "leaching not estimated" in m1["parameters"]
    assert "Eq. 10.26" in m1["formula"]
    # the summary holds both N2O rows of a manure row
    assert run.summary["totals"]["scope1"] == pytest.approx(run.co2e(), rel=1e-9)


def test_manure_leaching_with_a_project_frac_leachms(tmp_path, library):
    root = write_settings(tmp_path / "p", sets=["ipcc2006"], extra=T12)
    (root / "activities.csv").write_text(f"{HEADER}\nM1,,2024-12-31,奶牛粪便管理,100,头,solid_storage,500\n")
    (root / "factors").mkdir()
    (root / "factors" / "farm.csv").write_text(
        "dataset,parameter,activity_id,region,gas,value,unit_numerator,unit_denominator,source_ref\n"
        "farm,frac_leachms,manure/frac_leachms,CN,N2O,0.1,,,farm survey (illustrative)\n",
        encoding="utf-8",
    )
    project = load(root)
    rows = engine.compute(project.activities, project.library, project.settings).emissions
    indirect = rows.filter(rows["ipcc_category"] == "3.C.6").row(0, named=True)
    nex = 0.47 * 500 / 1000 * 365
    # Eq. 10.26–10.29: N × Nex × (FracGasMS × EF4 + FracLeachMS × EF5) × 44/28
    assert indirect["mass_t"] == pytest.approx(100 * nex * (0.30 * 0.01 + 0.1 * 0.0075) * N2O / 1000)
    assert "FracLeachMS=0.1" in indirect["parameters"] and "edition project" in indirect["parameters"]


def test_2019_edition_changes_the_enteric_factor_and_the_trace(run_project):
    rows = f"{HEADER},productivity\nE1,,2024-12-31,奶牛肠道发酵,100,头,,,\nE2,,2024-12-31,奶牛肠道发酵,100,头,,,high\n"
    old = run_project(rows, sets=["ipcc2006"], extra_toml=T12)
    new = run_project(rows, sets=["ipcc2006"], extra_toml=T12 + "\nipcc_edition = '2019'")
    # 2006 Table 10.11 Asia 68; 2019 Refinement Table 10.11 Asia: average row 78, high productivity 96
    assert old.mass("CH4", id="E1") == pytest.approx(6.8)
    assert old.mass("CH4", id="E2") == pytest.approx(6.8)  # no classes in the 2006 table
    assert new.mass("CH4", id="E1") == pytest.approx(7.8)
    assert new.mass("CH4", id="E2") == pytest.approx(9.6)
    trace = new.co2e_rows(id="E1")["parameters"][0]
    assert "IPCC 2019R V4 Ch10 Table 10.11" in trace and "edition 2019" in trace
    assert "edition 2006" in old.co2e_rows(id="E1")["parameters"][0]


def test_missing_temperature_names_row_and_column(tmp_path):
    root = write_settings(tmp_path / "p", sets=["ipcc2006"])
    (root / "activities.csv").write_text(
        f"{HEADER}\nE1,,2024-12-31,奶牛肠道发酵,10,头,,\nM1,,2024-12-31,奶牛粪便管理,10,头,solid_storage,600\n"
    )
    assert_input_error(root, ["activities.csv", "row 3", "mean_temperature_c", "Tables 10.14/10.15"])


def test_unknown_manure_system_and_missing_mass_name_row_and_column(tmp_path):
    root = write_settings(tmp_path / "p", sets=["ipcc2006"], extra=T12)
    (root / "activities.csv").write_text(
        f"{HEADER}\nM1,,2024-12-31,奶牛粪便管理,10,头,open heap,600\nM2,,2024-12-31,奶牛粪便管理,10,头,solid_storage,\n"
    )
    assert_input_error(
        root, ["row 2", "manure_system", "open heap", "Table 10.21", "row 3", "animal_mass_kg", "Eq. 10.30"]
    )


def test_no_frac_gasms_for_the_system_is_an_error_naming_the_parameter(tmp_path):
    # Table 10.22 has no dairy-cow column for composting: the project must give FracGasMS.
    root = write_settings(tmp_path / "p", sets=["ipcc2006"], extra=T12)
    (root / "activities.csv").write_text(f"{HEADER}\nM1,,2024-12-31,奶牛粪便管理,10,头,composting_in_vessel,600\n")
    assert_input_error(root, ["row 2", "manure_system", "manure/frac_gasms/dairy_cow/composting_in_vessel"])


def test_head_units_parse(library):
    from dualcarbon import units

    for text in ("头", "head", "只", "羽", "万头"):
        assert units.dimension_of(text, library.ureg) == "count"
    assert units.convert(1, "万头", "count", library.ureg) == pytest.approx(1e4)
    assert units.convert(1, "t N", "kg", library.ureg) == pytest.approx(1000)


def test_dairy_example_cows_are_the_largest_source(tmp_path):
    """The bundled dairy example end to end: its herd by hand, and agriculture its largest category."""
    import csv
    import json

    from typer.testing import CliRunner

    from dualcarbon.cli import app

    root = tmp_path / "dairy"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    result = runner.invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((root / "activities.csv").open(encoding="utf-8")))
    head = {r["id"]: float(r["quantity"]) for r in rows if r["unit"] == "头"}
    tam = {r["id"]: float(r["animal_mass_kg"]) for r in rows if r["animal_mass_kg"]}
    n_applied_kg = sum(float(r["quantity"]) for r in rows if r["unit"] == "t N") * 1000
    ch4, n2o = 28, 265  # AR5 GWP100 (IPCC AR5 WG1 Table 8.A.1)
    # enteric: Table 10.11 Asia 68 / 47; manure CH4: Table 10.14 Asia, 4 °C (≤10 column) 9 / 1
    enteric = (head["DY-0076"] * 68 + head["DY-0077"] * 47) / 1000 * ch4
    manure_ch4 = ((head["DY-0078"] + head["DY-0079"]) * 9 + head["DY-0080"] * 1) / 1000 * ch4
    # manure N2O: Nex = Nrate (Table 10.19 Asia: dairy 0.47, other cattle 0.34) × TAM/1000 × 365
    n_ex = {
        i: head[i] * nrate * tam[i] / 1000 * 365
        for i, nrate in (("DY-0078", 0.47), ("DY-0079", 0.47), ("DY-0080", 0.34))
    }
    # EF3 (Table 10.21): liquid/slurry without crust 0, solid storage 0.005; FracGasMS (Table 10.22): dairy
    # liquid/slurry 40 %, dairy solid storage 30 %, other cattle solid storage 45 %; EF4 0.01
    manure_n2o = (
        (
            (n_ex["DY-0079"] + n_ex["DY-0080"]) * 0.005
            + (n_ex["DY-0078"] * 0.40 + n_ex["DY-0079"] * 0.30 + n_ex["DY-0080"] * 0.45) * 0.01
        )
        * 44
        / 28
        / 1000
        * n2o
    )
    # synthetic N: EF1 0.01 + FracGASF 0.10 × EF4 0.01 + FracLEACH 0.30 × EF5 0.0075 (Tables 11.1, 11.3)
    soils = n_applied_kg * (0.01 + 0.10 * 0.01 + 0.30 * 0.0075) * 44 / 28 / 1000 * n2o
    by_category = {(c["scope"], c["category"]): c["co2e_t"] for c in summary["by_category"]}
    assert by_category[("1", "1.agriculture")] == pytest.approx(enteric + manure_ch4 + manure_n2o + soils, rel=1e-9)
    # the cows' enteric fermentation alone outweighs any other category, electricity included
    others = [v for k, v in by_category.items() if k != ("1", "1.agriculture")]
    assert enteric > max(others)


def test_market_swine_fall_back_to_swine_where_the_region_has_no_rows(run_project):
    # Table 10.14 lists market/breeding swine for developed regions only; Asia has "swine" (12 °C: 2)
    rows = f"{HEADER}\nP1,,2024-12-31,育肥猪粪便管理,1000,头,pit_storage,60\n"
    run = run_project(rows, sets=["ipcc2006"], extra_toml=T12)
    assert run.mass("CH4", id="P1") == pytest.approx(1000 * 2 / 1000)
    trace = run.co2e_rows(id="P1", gas="CH4")["parameters"][0]
    assert "IPCC:Asia" in trace and "annual_avg_temp_C=12" in trace


def test_bad_productivity_names_row_and_column(tmp_path):
    root = write_settings(tmp_path / "p", sets=["ipcc2006"], extra=T12)
    (root / "activities.csv").write_text(f"{HEADER},productivity\nE1,,2024-12-31,奶牛肠道发酵,10,头,,,medium\n")
    assert_input_error(root, ["row 2", "productivity", "medium", "high or low"])
