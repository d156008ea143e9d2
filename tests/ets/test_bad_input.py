"""Bad ETS input: each gives exit 2 on the CLI with the file, row, column and what was expected, and
writes nothing (tests/projects.py, assert_input_error)."""

from __future__ import annotations

import pytest
from projects import assert_input_error

from .plant import ACTIVITIES, GENERATION, UNITS, plant

CASES = {
    "fuel class": (
        {"units": UNITS.replace("coal_conventional_gt300", "coal")},
        ["units.csv, row 2, column fuel_class: 'coal': expected one of coal_conventional_gt300"],
    ),
    "capacity": (
        {"units": UNITS.replace(",600,", ",-600,")},
        ["units.csv, row 2, column capacity_mw: '-600': expected the unit's capacity in MW, > 0"],
    ),
    "cooling and chp": (
        {"units": UNITS.replace("water,false", "wind,maybe")},
        [
            "units.csv, row 2, column cooling: 'wind': expected one of water, air",
            "units.csv, row 2, column chp: 'maybe': expected true or false",
        ],
    ),
    "unit twice": (
        {"units": UNITS + "U1,plant,gas,200,water,true\n"},
        ["units.csv, row 3, column id: 'U1': this unit id is already given in an earlier row"],
    ),
    "unknown unit": (
        {"generation": GENERATION.replace("U1,2023-01", "U9,2023-01")},
        ["generation.csv, row 2, column unit: 'U9': expected a unit id of units.csv (U1)"],
    ),
    "month outside the period": (
        {"generation": GENERATION.replace("2023-01", "2024-01")},
        ["generation.csv, row 2, column month: '2024-01': expected a month as YYYY-MM within the period 2023-01-01"],
    ),
    "month twice": (
        {"generation": GENERATION + "U1,2023-01,1,1,0,0,,\n"},
        ["generation.csv, row 3, column month: '2023-01': this unit and month are already given in row 2"],
    ),
    "negative generation and a heat ratio above 1": (
        {"generation": GENERATION.replace("U1,2023-01,3000", "U1,2023-01,-3000").replace("0.8,\n", "0.8,1.5\n")},
        [
            "generation.csv, row 2, column generation_mwh: '-3000': expected a value >= 0",
            "generation.csv, row 2, column heat_ratio: '1.5': expected a fraction between 0 and 1",
        ],
    ),
    "unknown column": (
        {"generation": GENERATION.replace("load_factor", "load_facter")},
        ["generation.csv, row 1, column load_facter: unknown column; did you mean 'load_factor'?"],
    ),
    "generation.csv missing": (
        {"generation": None},
        ["generation.csv: units.csv is given: generation.csv, the units' months, is required too"],
    ),
    "measured not true or false": (
        {"activities": ACTIVITIES.replace(",true\n", ",maybe\n")},
        ["activities.csv, row 2, column measured: 'maybe': expected true or false"],
    ),
    "measured without a carbon content": (
        {"activities": ACTIVITIES.replace("0.027,tC/GJ,true", ",,true")},
        ["activities.csv, row 2, column carbon_content: measured is true: expected the measured carbon_content"],
    ),
    "coal without an NCV": (
        {"activities": ACTIVITIES.replace(",20,GJ/t,", ",,,")},
        [
            "activities.csv, row 2, column ncv: the guideline (2022) has no default NCV for 原煤: "
            "expected the measured ncv"
        ],
    ),
    "coal in a volume": (
        {"activities": ACTIVITIES.replace(",1000,t,20,GJ/t,", ",1000,m3,20,GJ/m3,")},
        ["activities.csv, row 2, column unit: 'm3': the guideline counts 原煤 in t"],
    ),
    "a fuel without defaults": (
        {"activities": ACTIVITIES.replace("原煤,1000,t,20,GJ/t,0.027,tC/GJ,true", "柴油,10,t,,,,,")},
        ["activities.csv, row 2, column activity: '柴油': the ETS rule data has no defaults for 柴油"],
    ),
    "unknown guideline": (
        {"ets": 'guideline = "2030"'},
        ["dualcarbon.toml, column ets.guideline: '2030': expected one of 2021, 2022"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_ets_input_exit_2_names_place_writes_nothing(tmp_path, case):
    arguments, expect = CASES[case]
    assert_input_error(plant(tmp_path, **arguments), expect)


def test_unknown_ets_key_is_an_error(tmp_path):
    assert_input_error(plant(tmp_path, ets="guidline = '2022'"), ["ets.guidline"])


def test_generation_without_units(tmp_path):
    root = plant(tmp_path)
    (root / "units.csv").unlink()
    assert_input_error(root, ["generation.csv: generation.csv needs units.csv"])


def test_ets_settings_without_units(tmp_path):
    """[ets] in dualcarbon.toml says the project is a plant: without units.csv the run stops, not ignores it."""
    root = plant(tmp_path)
    (root / "units.csv").unlink()
    (root / "generation.csv").unlink()
    assert_input_error(root, ["units.csv: dualcarbon.toml has [ets]: units.csv and generation.csv"])
