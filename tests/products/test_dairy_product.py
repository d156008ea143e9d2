"""The dairy rules (methods/dairy_product.py) against hand computations from the cited rules, and the milk
example's farm and plant figures against the `dairy` example and the project's own agriculture methods.

FPCM: IDF Bulletin 479/2015, FPCM = milk × (0.1226 × fat % + 0.0776 × true protein % + 0.2534).
Allocation: IDF Bulletin 479/2015 pp. 34–36, AF_milk = 1 − 6.04 × BMR, BMR = kg live weight / kg FPCM,
with the bulletin's own figures: a typical BMR of 0.02 gives 88 % to milk, its worked example
1 − 6.04 × 0.024 = 0.86 (both read second-hand, see the module's docstring).
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from dualcarbon import engine
from dualcarbon.methods import dairy_product as dp
from dualcarbon.project.load import load

EXAMPLES = Path(str(resources.files("dualcarbon").joinpath("examples")))
MILK = EXAMPLES / "milk"
DAIRY = EXAMPLES / "dairy"


def exchanges(root: Path) -> list[dict[str, str]]:
    with (root / "exchanges.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rows_of(root: Path, process: str, type_: str | None = None) -> list[dict[str, str]]:
    return [r for r in exchanges(root) if r["process"] == process and (type_ is None or r["type"] == type_)]


# --- the rules --------------------------------------------------------------------------------------------


def test_fpcm_of_milk_at_the_reference_composition_is_about_itself():
    # 4.0 % fat, 3.3 % protein is the composition FPCM corrects to: 0.1226×4.0 + 0.0776×3.3 + 0.2534
    # = 0.4904 + 0.25608 + 0.2534 = 0.99988 kg FPCM per kg (the fitted constants round to 1 within 0.012 %)
    assert dp.fpcm_factor(4.0, 3.3) == pytest.approx(0.99988, rel=1e-12)
    assert dp.fpcm_kg(1000.0, 4.0, 3.3) == pytest.approx(999.88, rel=1e-12)


def test_fpcm_of_the_example_farm_by_hand():
    # 57,000 t at 3.8 % fat and 3.2 % protein: 0.1226×3.8 = 0.46588; 0.0776×3.2 = 0.24832;
    # 0.46588 + 0.24832 + 0.2534 = 0.9676; 57,000,000 × 0.9676 = 55,153,200 kg FPCM
    assert dp.fpcm_kg(57_000_000.0, 3.8, 3.2) == pytest.approx(55_153_200.0, rel=1e-12)
    # richer milk counts for more than its mass: 5.0 % fat, 3.6 % protein
    # 0.613 + 0.27936 + 0.2534 = 1.14576
    assert dp.fpcm_kg(1.0, 5.0, 3.6) == pytest.approx(1.14576, rel=1e-12)


def test_allocation_the_bulletins_own_figures():
    # typical BMR 0.02: 1 − 6.04 × 0.02 = 1 − 0.1208 = 0.8792 ("88 % to milk, 12 % to meat")
    assert dp.milk_allocation_factor(20.0, 1000.0) == pytest.approx(0.8792, rel=1e-12)
    assert round(dp.milk_allocation_factor(20.0, 1000.0), 2) == 0.88
    # worked example: 1 − 6.04 × 0.024 = 1 − 0.14496 = 0.85504 ("0.86")
    assert dp.milk_allocation_factor(24.0, 1000.0) == pytest.approx(0.85504, rel=1e-12)
    assert round(dp.milk_allocation_factor(24.0, 1000.0), 2) == 0.86
    # no animals sold: milk carries the whole farm
    assert dp.milk_allocation_factor(0.0, 1000.0) == 1.0


def test_allocation_of_the_example_farm_by_hand():
    # live weight sold: 1,800 cull cows × 600 kg + 2,700 bull calves × 45 kg = 1,080,000 + 121,500 = 1,201,500 kg
    # BMR = 1,201,500 / 55,153,200 = 0.0217847740...; AF_milk = 1 − 6.04 × 0.0217847740 = 0.8684199648
    bmr = 1_201_500.0 / 55_153_200.0
    assert dp.beef_to_milk_ratio(1_201_500.0, 55_153_200.0) == pytest.approx(0.021784774047562, rel=1e-12)
    assert dp.milk_allocation_factor(1_201_500.0, 55_153_200.0) == pytest.approx(1 - 6.04 * bmr, rel=1e-15)
    assert dp.milk_allocation_factor(1_201_500.0, 55_153_200.0) == pytest.approx(0.8684199648, rel=1e-9)


@pytest.mark.parametrize(
    ("meat", "milk", "fragment"),
    [(-1.0, 1000.0, "must not be negative"), (10.0, 0.0, "must be positive"), (200.0, 1000.0, "leaves milk no share")],
)
def test_allocation_refuses_what_the_rule_does_not_cover(meat, milk, fragment):
    with pytest.raises(ValueError, match=fragment):
        dp.milk_allocation_factor(meat, milk)


@pytest.mark.parametrize(("fat", "protein"), [(0.0, 3.2), (3.8, -1.0), (120.0, 3.2)])
def test_fpcm_refuses_compositions_that_are_not_percentages(fat, protein):
    with pytest.raises(ValueError, match="percentages"):
        dp.fpcm_factor(fat, protein)


# --- the milk example's farm: FPCM and allocation as the rules give them -----------------------------------


def test_milk_example_farm_products_and_shares_follow_the_rules():
    production = {r["input"]: r for r in rows_of(MILK, "dairy-farm", "production")}
    assert set(production) == {"raw-milk", "cull-cattle"}
    fpcm = dp.fpcm_kg(57_000_000.0, 3.8, 3.2)  # the dairy example's [output] raw_milk 2024 = 57,000 t
    meat = 1800 * 600.0 + 2700 * 45.0
    assert float(production["raw-milk"]["amount"]) == pytest.approx(fpcm, rel=1e-9)
    assert float(production["cull-cattle"]["amount"]) == pytest.approx(meat, rel=1e-9)
    af = dp.milk_allocation_factor(meat, fpcm)
    assert float(production["raw-milk"]["allocation"]) == pytest.approx(af, rel=1e-9)
    assert float(production["cull-cattle"]["allocation"]) == pytest.approx(1 - af, rel=1e-8)
    assert sum(float(r["allocation"]) for r in production.values()) == pytest.approx(1.0, abs=1e-9)


def test_dairy_example_output_is_the_milk_examples_raw_milk():
    # one story: the farm's raw milk in the milk example is the dairy example's 2024 output
    text = (DAIRY / "dualcarbon.toml").read_text(encoding="utf-8")
    assert "quantity = { 2022 = 54000, 2024 = 57000 }" in text
    assert "quantity = { 2022 = 112000, 2024 = 120000 }" in text


@pytest.fixture(scope="module")
def dairy_emissions() -> pl.DataFrame:
    """The dairy example's emission rows, as the engine computes them with the bundled IPCC parameters."""
    project = load(DAIRY)
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    return result.emissions


def test_milk_example_herd_flows_are_the_agriculture_methods_results(dairy_emissions):
    farm = dairy_emissions.filter(pl.col("facility") == "牧场")
    flows = dp.herd_flows_kg(farm)
    # by hand from the engine's factors: enteric 6,000 × 68 + 4,800 × 47 = 633,600 kg CH4 (Table 10.11, Asia);
    # manure CH4 (4,000 + 2,000) × 9 + 4,800 × 1 = 58,800 kg (Table 10.14, Asia, <= 10 °C)
    assert flows["enteric:CH4_biogenic"] == pytest.approx(633_600.0, rel=1e-12)
    assert flows["manure:CH4_biogenic"] == pytest.approx(58_800.0, rel=1e-12)
    # soils: 360,000 kg N × (EF1 0.01 + FracGASF 0.1 × EF4 0.01 + FracLEACH 0.3 × EF5 0.0075) × 44/28
    assert flows["soils:N2O"] == pytest.approx(360_000 * (0.01 + 0.1 * 0.01 + 0.3 * 0.0075) * 44 / 28, rel=1e-12)
    biosphere = rows_of(MILK, "dairy-farm", "biosphere")
    written = [(r["input"], float(r["amount"])) for r in biosphere]
    expected = [
        ("CH4_biogenic", flows["enteric:CH4_biogenic"]),
        ("CH4_biogenic", flows["manure:CH4_biogenic"]),
        ("N2O", flows["manure:N2O"]),
        ("N2O", flows["soils:N2O"]),
    ]
    assert [f for f, _ in written] == [f for f, _ in expected]
    for (_, got), (_, want) in zip(written, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-6)
    # no herd gas is left out of the product system
    assert set(flows) == {"enteric:CH4_biogenic", "manure:CH4_biogenic", "manure:N2O", "soils:N2O"}


def _activity_total(facility: str, activity: str) -> float:
    acts = pl.read_csv(DAIRY / "activities.csv", infer_schema=False)
    picked = acts.filter((pl.col("facility") == facility) & (pl.col("activity") == activity))
    return picked["quantity"].cast(pl.Float64).sum()


def _amount(process: str, key: str) -> tuple[float, str]:
    (row,) = [r for r in rows_of(MILK, process) if r["input"] == key]
    return float(row["amount"]), row["unit"]


def test_milk_example_farm_and_plant_energy_are_the_dairy_examples():
    # farm, a year: electricity in 万 kWh, diesel in t, concentrate feed in 万元
    assert _amount("dairy-farm", "electricity/grid") == (
        pytest.approx(_activity_total("牧场", "外购电力") * 1e4),
        "kWh",
    )
    assert _amount("dairy-farm", "fuel/diesel") == (pytest.approx(_activity_total("牧场", "柴油")), "t")
    assert _amount("dairy-farm", "spend/naics/311119") == (
        pytest.approx(_activity_total("牧场", "spend/naics/311119") * 1e4),
        "元",
    )
    # plant, a litre: the year's total over 120,000 t of products (dairy example [output]) × 1.032 kg/L
    per_litre = 1.032 / 120_000_000.0
    plant = {
        ("milk-plant", "electricity/grid"): _activity_total("乳品加工厂", "外购电力") * 1e4,  # kWh
        ("milk-plant", "fuel/natural_gas"): _activity_total("乳品加工厂", "天然气") * 1e4,  # m3
        ("packaging", "spend/naics/326160"): _activity_total("乳品加工厂", "spend/naics/326160") * 1e4,  # 元
        ("packaging", "spend/naics/322211"): _activity_total("乳品加工厂", "spend/naics/322211") * 1e4,  # 元
        ("cold-chain", "freight/road/truck"): _activity_total("物流", "公路货运"),  # t·km
    }
    for (process, key), year_total in plant.items():
        got, _unit = _amount(process, key)
        assert got == pytest.approx(year_total * per_litre, rel=1e-9), (process, key)
    # raw milk per litre: 1.032 kg/L × FPCM factor 0.9676 / (1 − 1 % losses)
    assert _amount("milk-plant", "raw-milk")[0] == pytest.approx(1.032 * 0.9676 / 0.99, rel=1e-9)


def test_every_exchange_row_names_its_source():
    for root in (MILK, EXAMPLES / "cement-product"):
        for n, row in enumerate(exchanges(root), start=2):
            assert row["source"].strip(), f"{root.name}/exchanges.csv row {n} has no source"
