"""Units as users type them, conversions to base units, and round trips (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualcarbon import units


@pytest.fixture(scope="module")
def ureg():
    return units.make_registry()


@pytest.mark.parametrize(
    ("text", "dimension", "to_base"),
    [
        ("千瓦时", "energy", 0.0036),
        ("度", "energy", 0.0036),
        ("万千瓦时", "energy", 36.0),
        ("兆瓦时", "energy", 3.6),
        ("MWh", "energy", 3.6),
        ("GJ", "energy", 1.0),
        ("TJ", "energy", 1000.0),
        # GB/T 2589-2020 §3.6: 1 kgce = 29 307.6 kJ.
        ("吨标准煤", "energy", 29.3076),
        ("tce", "energy", 29.3076),
        ("千克标准煤", "energy", 0.0293076),
        # International Table Btu (1 055.056 J); EPA Hub: 1 therm = 100 000 Btu.
        ("MMBtu", "energy", 1.055056),
        ("mmBtu", "energy", 1.055056),
        ("therm", "energy", 0.1055056),
        ("吨", "mass", 1.0),
        ("千克", "mass", 0.001),
        ("公斤", "mass", 0.001),
        ("万吨", "mass", 1e4),
        ("short ton", "mass", 0.90718474),
        ("Gg", "mass", 1000.0),
        ("立方米", "volume", 1.0),
        ("万立方米", "volume", 1e4),
        ("Nm3", "volume", 1.0),
        ("10^4 Nm3", "volume", 1e4),
        ("升", "volume", 0.001),
        ("gallon", "volume", 0.003785411784),
        ("scf", "volume", 0.028316846592),
        ("亩", "area", 1 / 15),
        ("公顷", "area", 1.0),
        ("公里", "distance", 1.0),
        ("mile", "distance", 1.609344),
        ("t·km", "freight", 1.0),
        ("吨公里", "freight", 1.0),
        ("tonne.km", "freight", 1.0),
        ("short ton-mile", "freight", 0.90718474 * 1.609344),
        ("passenger·km", "passenger_distance", 1.0),
        ("人公里", "passenger_distance", 1.0),
        ("passenger-mile", "passenger_distance", 1.609344),
        ("元", "currency:CNY", 1.0),
        ("万元", "currency:CNY", 1e4),
        ("亿元", "currency:CNY", 1e8),
        ("USD", "currency:USD", 1.0),
        ("美元", "currency:USD", 1.0),
        ("ｋＷｈ", "energy", 0.0036),
        ("m³", "volume", 1.0),  # full-width letters, superscript
    ],
)
def test_units_users_type(ureg, text, dimension, to_base):
    assert units.dimension_of(text, ureg) == dimension
    assert units.convert(1.0, text, units.BASE_UNITS[dimension], ureg) == pytest.approx(to_base, rel=1e-12)


def test_unknown_unit_suggests_the_closest(ureg):
    table = units.conversion_table(["万千瓦", "kWh"], ureg)
    error = table.filter(table["unit"] == "万千瓦")["error"][0]
    assert "unknown unit '万千瓦'" in error and "万千瓦时" in error
    assert table.filter(table["unit"] == "kWh")["error"][0] is None


def test_dimension_mismatch_is_an_error(ureg):
    with pytest.raises(ValueError, match="cannot convert"):
        units.convert(1.0, "kWh", "t", ureg)
    with pytest.raises(ValueError, match="currencies"):
        units.convert(1.0, "元", "USD", ureg)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kg CO2e", ("kg", "CO2e")),
        ("g CH4", ("g", "CH4")),
        ("lb N2O", ("lb", "N2O")),
        ("tC", ("t", "C")),
        ("kg", ("kg", None)),
        ("tonne CO2", ("tonne", "CO2")),
    ],
)
def test_split_gas_unit(text, expected):
    assert units.split_gas_unit(text) == expected


def test_price_year():
    assert units.price_year("USD (2022)") == 2022
    assert units.price_year("USD") is None


def test_electrical_units_are_recognised():
    assert units.is_electrical("kWh") and units.is_electrical("万千瓦时") and units.is_electrical("度")
    assert not units.is_electrical("GJ") and not units.is_electrical("tce")


ROUND_TRIP_UREG = units.make_registry()
SAME_DIMENSION = [
    ["千瓦时", "万千瓦时", "GJ", "TJ", "MMBtu", "therm", "吨标准煤", "千克标准煤", "MWh"],
    ["吨", "千克", "万吨", "short ton", "lb", "Gg"],
    ["立方米", "万立方米", "Nm3", "升", "gallon", "scf", "Mcf"],
    ["亩", "公顷", "m2", "km2"],
    ["t·km", "吨公里", "short ton-mile"],
    ["passenger·km", "passenger-mile", "人公里"],
    ["元", "万元", "亿元"],
]


@given(
    group=st.sampled_from(SAME_DIMENSION),
    data=st.data(),
    value=st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False),
)
def test_conversions_round_trip(group, data, value):
    ureg = ROUND_TRIP_UREG
    a = data.draw(st.sampled_from(group))
    b = data.draw(st.sampled_from(group))
    there = units.convert(value, a, b, ureg)
    back = units.convert(there, b, a, ureg)
    assert math.isclose(back, value, rel_tol=1e-12)
