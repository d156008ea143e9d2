"""Plant intensity (summary.json ``intensity``): t CO2e per unit of product from ``[output]``, by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from pydantic import ValidationError

from dualcarbon import intensity
from dualcarbon.model import Settings


def rows() -> pl.DataFrame:
    """2024: kiln calcination 800 t and kiln coal 200 t (Scope 1, facility kiln), grid electricity of the
    mill 100 t location-based / 60 t market-based (Scope 2), and 50 t of biogenic CO2 (not counted)."""
    return pl.DataFrame(
        {
            "key": ["process/cement_clinker", "fuel/raw_coal", "electricity/grid", "electricity/grid", "fuel/wood"],
            "scope": ["1", "1", "2", "2", "1"],
            "category": ["1.process", "1.stationary", "2.electricity", "2.electricity", "1.stationary"],
            "facility": ["kiln", "kiln", "mill", "mill", "kiln"],
            "co2e_t": [800.0, 200.0, 100.0, 60.0, 50.0],
            "biogenic": [False, False, False, False, True],
            "scope2_method": [None, None, "location", "market", None],
            "year": pl.Series([2024] * 5, dtype=pl.Int32),
        }
    )


def settings(output: dict, **extra) -> Settings:
    return Settings.model_validate(
        {
            "organization": {"name": "水泥厂"},
            "period": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)},
            "output": output,
            **extra,
        }
    )


PRODUCTS = [
    # the kiln's Scope 1 per t clinker: 2024 1,000 t / 1,000 t = 1.0; 2020 (base): 1,045 t / 1,100 t = 0.95;
    # change 1.0 / 0.95 - 1 = +5.263 %
    {
        "id": "clinker",
        "name_zh": "熟料",
        "unit": "t",
        "quantity": {2020: 1100, 2024: 1000},
        "covers": "facility:kiln",
        "scopes": ["1"],
        "emissions_t": {2020: 1045},
    },
    # Scopes 1 and 2 (market) per t cement: (1,000 + 60) / 1,600 = 0.6625; no 2020 quantity: no base
    {"id": "cement", "unit": "t", "quantity": 1600, "scope2": "market"},
    # grid electricity (location) per MWh of something: 100 t / 250 MWh = 0.4
    {"id": "power", "unit": "MWh", "quantity": 250, "covers": "electricity/grid", "scopes": ["2"]},
]


def test_intensity_by_hand_with_the_base_year():
    out = intensity.summarize(rows(), settings({"base_year": 2020, "products": PRODUCTS}))
    assert out["year"] == 2024 and out["base_year"] == 2020 and out["unit"] == "t CO2e"
    clinker, cement, power = out["products"]
    assert (clinker["emissions_t"], clinker["quantity"], clinker["intensity_t"]) == (1000.0, 1000.0, 1.0)
    assert clinker["base"] == {"year": 2020, "quantity": 1100.0, "emissions_t": 1045.0, "intensity_t": 0.95}
    assert clinker["change_percent"] == pytest.approx(100 * (1.0 / 0.95 - 1))
    assert cement["intensity_t"] == pytest.approx(0.6625) and cement["emissions_t"] == 1060.0
    assert cement["base"]["intensity_t"] is None and cement["change_percent"] is None
    assert power["intensity_t"] == pytest.approx(0.4) and power["unit"] == "MWh"


def test_the_base_year_defaults_to_the_neutrality_plans_and_no_output_gives_null():
    s = settings({"products": PRODUCTS[:1]}, neutrality={"base_year": 2020})
    assert intensity.summarize(rows(), s)["base_year"] == 2020
    s = Settings.model_validate(
        {"organization": {"name": "厂"}, "period": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)}}
    )
    assert intensity.summarize(rows(), s) is None


@pytest.mark.parametrize(
    ("product", "words"),
    [
        ({"id": "a", "unit": "t", "quantity": 0}, "quantity above 0"),
        ({"id": "a", "unit": "t", "quantity": 5, "covers": "facilty:kiln"}, "facilty"),
        ({"id": "a", "quantity": 5}, "unit"),
    ],
)
def test_bad_output_settings_are_named(product, words):
    with pytest.raises(ValidationError) as info:
        settings({"products": [product]})
    assert "output" in str(info.value) and words in str(info.value)


def test_the_cement_and_dairy_examples_report_their_intensity(tmp_path):
    import csv
    import json

    from typer.testing import CliRunner

    from dualcarbon.cli import app

    runner = CliRunner()
    for example, lang in (("cement-plant", "en"), ("dairy", "zh")):
        root = tmp_path / example
        assert runner.invoke(app, ["init", str(root), "--example", example]).exit_code == 0
        result = runner.invoke(app, ["run", str(root), "--lang", lang])
        assert result.exit_code == 0, result.output
        block = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["intensity"]
        rows = list(csv.DictReader((root / "out" / "emissions.csv").open(encoding="utf-8")))

        def counted(facility: str | None, scopes: set[str], rows: list[dict] = rows) -> float:
            """CO2e of the emission rows a product counts, summed by hand (Scope 2 location-based)."""
            return sum(
                float(r["co2e_t"])
                for r in rows
                if r["scope"] in scopes
                and (facility is None or r["facility"] == facility)
                and r["biogenic"].lower() != "true"
                and r["scope2_method"] in ("", "location")
            )

        products = {p["id"]: p for p in block["products"]}
        if example == "cement-plant":
            # clinker: the kiln line's Scope 1 (about 1,314,349 t) / 1,547,999 t = 0.8491 t CO2e/t clinker;
            # 2020: 1,341,000 / 1,560,000 = 0.8596; cement: all Scope 1 / 2,100,000 t = 0.6276
            assert block["base_year"] == 2020
            clinker, cement = products["clinker"], products["cement"]
            assert clinker["intensity_t"] == pytest.approx(counted("一号熟料线", {"1"}) / 1_547_999, rel=1e-9)
            assert clinker["intensity_t"] == pytest.approx(0.8491, abs=5e-5)
            assert clinker["base"]["intensity_t"] == pytest.approx(1_341_000 / 1_560_000)
            assert cement["intensity_t"] == pytest.approx(counted(None, {"1"}) / 2_100_000, rel=1e-9)
            assert "Intensity per unit of product" in result.output and "0.8491 t CO2e/t" in result.output
            html = (root / "out" / "report.html").read_text(encoding="utf-8")
            assert 'id="plant-intensity"' in html and "0.8596 t CO2e/t" in html and "-1.2 %" in html
        else:
            # raw milk: the farm's Scopes 1 and 2 (about 28,685 t) / 57,000 t = 0.5032 t CO2e/t milk
            # (0.5028 while the untraced Chinese fuel table came before IPCC 2006 for the farm's diesel and gas)
            milk = products["raw_milk"]
            assert milk["intensity_t"] == pytest.approx(counted("牧场", {"1", "2"}) / 57_000, rel=1e-9)
            assert milk["intensity_t"] == pytest.approx(0.5032, abs=5e-5)
            assert block["base_year"] == 2022 and milk["base"]["intensity_t"] == pytest.approx(28_900 / 54_000)
            assert "单位产品排放强度" in result.output
