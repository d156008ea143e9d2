"""A product footprint shaped like footprint.json (issue 17) and the settings of its carbon-neutral claim,
for the product neutrality, report and dashboard tests. Figures are made up but consistent:
1 L packaged milk, 0.45 kg fossil CO2 + 0.025 kg biogenic CH4 × 28 (AR5) + 0.000377358 kg N2O × 265 (AR5)
= 0.45 + 0.70 + 0.1 = 1.25 kg CO2e per litre; 2,000,000 L sold in 2024; base year 2020: 1.40 kg CO2e per litre.
"""

from __future__ import annotations

from claims import ORG, PERIOD, claim, credit, frame

from dualcarbon.model import Settings
from dualcarbon.neutrality.product import assess_product
from dualcarbon.neutrality.records import CREDIT_SCHEMA, Evidence

N2O_KG = 0.1 / 265


def footprint(**changes) -> dict:
    fp = {
        "schema": "dualcarbon.footprint/1",
        "reference": "milk-retail",
        "functional_unit": "1 L packaged milk",
        "boundary": "cradle-to-grave",
        "gwp_set": "AR5",
        "unit": "kg CO2e",
        "footprint_kg_co2e": 1.25,
        "products": [
            {
                "id": "milk-retail",
                "name": "盒装牛奶",
                "name_en": "Packaged milk",
                "unit": "L",
                "functional_unit": "1 L packaged milk",
                "footprint_kg_co2e": 1.25,
                "uncertainty": None,
            },
        ],
        "by_stage": [
            {"stage": "farm", "kg_co2e": 1.0, "share": 0.8},
            {"stage": "processing", "kg_co2e": 0.15, "share": 0.12},
            {"stage": "retail", "kg_co2e": 0.1, "share": 0.08},
        ],
        "by_process": [
            {"process": "farm", "name": "牧场", "name_en": "Farm", "stage": "farm", "kg_co2e": 1.0, "share": 0.8},
            {
                "process": "dairy",
                "name": "乳品厂",
                "name_en": "Dairy",
                "stage": "processing",
                "kg_co2e": 0.15,
                "share": 0.12,
            },
            {
                "process": "milk-retail",
                "name": "零售",
                "name_en": "Retail",
                "stage": "retail",
                "kg_co2e": 0.1,
                "share": 0.08,
            },
        ],
        "by_flow": [
            {"flow": "CO2", "mass_kg": 0.45, "kg_co2e": 0.45},
            {"flow": "CH4_biogenic", "mass_kg": 0.025, "kg_co2e": 0.70},
            {"flow": "N2O", "mass_kg": N2O_KG, "kg_co2e": 0.1},
            {"flow": "CO2_biogenic", "mass_kg": -0.05, "kg_co2e": 0.0},
        ],
        "biogenic": {"co2_emissions_kg": 0.02, "co2_removals_kg": 0.05},
        "uncertainty": {
            "iterations": 1000,
            "seed": 1,
            "mean": 1.26,
            "median": 1.25,
            "p2_5": 1.05,
            "p97_5": 1.49,
            "histogram": {
                "edges": [0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35, 1.4, 1.45, 1.5, 1.55],
                "counts": [8, 17, 45, 96, 150, 184, 178, 140, 95, 52, 25, 10],
            },
        },
        "factor_sets": [],
        "neutrality": None,
    }
    return fp | changes


def product_settings(**changes) -> Settings:
    n = claim(subject="product", base_year_emissions=None, base_year_gwp=None, exclusions=[], **changes)
    return Settings(organization=ORG, period=PERIOD, neutrality=n)


def credits(*rows):
    return frame(list(rows), CREDIT_SCHEMA)


DOCS = Evidence(documents={"plan": True, "qes": True})
BIG = credit(quantity_t=2600.0, serial_end="CCER-X-002600")


def assessed(**changes) -> dict:
    """The footprint with its neutrality assessment (achieved: 2,500 t offset by 2,600 t retired)."""
    fp = footprint(**changes)
    a = assess_product(
        fp, product_settings(), units_sold=2_000_000.0, base_footprint_kg_co2e=1.40, credits=credits(BIG), evidence=DOCS
    )
    return fp | {"neutrality": a.as_dict()}
