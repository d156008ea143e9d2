"""Units users actually type, Chinese included, on one pint registry.

Every quantity is brought to a base unit per dimension (``BASE_UNITS``) once per distinct unit
text: ``conversion_table`` returns one multiplier per unit, which the engine joins onto the
rows, so pint is never called per row.

Conventions (cited where a convention is a published figure):

* 吨标准煤 / tce = 29.3076 GJ and 千克标准煤 = 0.0293076 GJ (GB/T 2589-2020 §3.6: 1 kgce =
  29 307.6 kJ).
* therm = 100 000 Btu and MMBtu = 10^6 Btu, as in the US EPA GHG Emission Factors Hub.
* 亩 = 1/15 ha (the municipal mu, 市亩); 公顷 = ha.
* Nm3 / 标方 / 标准立方米 are volumes (m3 at standard conditions): factor tables state the
  reference conditions, the unit does not change the dimension.
* gallon = US liquid gallon; ton / short ton = 2000 lb; 公吨 = t.
* Currencies are not converted here (exchange rates depend on the year, see
  ``methods.scope3``): 元, 万元 and 亿元 are CNY with a multiplier; "USD (2022)" carries a
  price year read by ``price_year``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

import pint
import polars as pl

#: Base unit per dimension; every activity quantity is stored in these.
BASE_UNITS: dict[str, str] = {
    "energy": "GJ",
    "mass": "t",
    "volume": "m3",
    "area": "ha",
    "distance": "km",
    "freight": "t*km",
    "passenger_distance": "passenger*km",
    "count": "count",
    "currency:CNY": "CNY",
    "currency:USD": "USD",
    "currency:EUR": "EUR",
    "currency:GBP": "GBP",
}

_DEFINITIONS = """
passenger = [passenger] = pax
tonne_coal_equivalent = 29.3076 * gigajoule = tce
kilogram_coal_equivalent = 0.001 * tonne_coal_equivalent = kgce
million_btu = 1e6 * Btu = MMBtu = mmBtu
normal_cubic_meter = meter ** 3 = Nm3
standard_cubic_foot = foot ** 3 = scf
thousand_cubic_feet = 1000 * foot ** 3 = Mcf
mu = hectare / 15
"""

# Lower-cased, NFKC-normalised unit texts → pint expressions. Chinese units first.
_ALIASES: dict[str, str] = {
    # energy
    "千瓦时": "kWh",
    "千瓦·时": "kWh",
    "千瓦小时": "kWh",
    "度": "kWh",
    "kwh": "kWh",
    "kw·h": "kWh",
    "kw-h": "kWh",
    "万千瓦时": "1e4 * kWh",
    "万度": "1e4 * kWh",
    "兆瓦时": "MWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "亿千瓦时": "1e8 * kWh",
    "gj": "GJ",
    "吉焦": "GJ",
    "tj": "TJ",
    "太焦": "TJ",
    "mj": "MJ",
    "兆焦": "MJ",
    "百万千焦": "GJ",
    "kj": "kJ",
    "mmbtu": "MMBtu",
    "million btu": "MMBtu",
    "btu": "Btu",
    "therm": "1e5 * Btu",
    "therms": "1e5 * Btu",
    "thm": "1e5 * Btu",
    "dth": "1e6 * Btu",
    "dekatherm": "1e6 * Btu",
    "tce": "tce",
    "吨标准煤": "tce",
    "吨标煤": "tce",
    "万吨标准煤": "1e4 * tce",
    "kgce": "kgce",
    "千克标准煤": "kgce",
    "公斤标准煤": "kgce",
    "toe": "toe",
    "吨标准油": "toe",
    # mass
    "t": "t",
    "tonne": "t",
    "tonnes": "t",
    "metric ton": "t",
    "吨": "t",
    "公吨": "t",
    "kt": "kt",
    "千吨": "kt",
    "万吨": "1e4 * t",
    "mt": "Mt",
    "百万吨": "Mt",
    "gg": "Gg",
    "kg": "kg",
    "千克": "kg",
    "公斤": "kg",
    "g": "g",
    "克": "g",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "磅": "lb",
    "short ton": "short_ton",
    "short tons": "short_ton",
    "ton": "short_ton",
    "tons": "short_ton",
    "long ton": "long_ton",
    # volume
    "m3": "m**3",
    "立方米": "m**3",
    "方": "m**3",
    "cubic metres": "m**3",
    "cubic meters": "m**3",
    "nm3": "Nm3",
    "标方": "Nm3",
    "标准立方米": "Nm3",
    "万立方米": "1e4 * m**3",
    "万方": "1e4 * m**3",
    "万nm3": "1e4 * Nm3",
    "10^4 nm3": "1e4 * Nm3",
    "10^4 m3": "1e4 * m**3",
    "亿立方米": "1e8 * m**3",
    "l": "L",
    "litre": "L",
    "litres": "L",
    "liter": "L",
    "liters": "L",
    "升": "L",
    "公升": "L",
    "kl": "kL",
    "千升": "kL",
    "million litres": "1e6 * L",
    "gallon": "gallon",
    "gallons": "gallon",
    "gal": "gallon",
    "us gallon": "gallon",
    "加仑": "gallon",
    "scf": "scf",
    "ccf": "100 * scf",
    "mcf": "Mcf",
    "mmscf": "1e6 * scf",
    "barrel": "oil_barrel",
    "bbl": "oil_barrel",
    # area
    "ha": "ha",
    "hectare": "ha",
    "hectares": "ha",
    "公顷": "ha",
    "亩": "mu",
    "mu": "mu",
    "万亩": "1e4 * mu",
    "m2": "m**2",
    "平方米": "m**2",
    "km2": "km**2",
    "平方公里": "km**2",
    # distance
    "km": "km",
    "公里": "km",
    "千米": "km",
    "m": "m",
    "米": "m",
    "mile": "mile",
    "miles": "mile",
    "英里": "mile",
    "vehicle-mile": "mile",
    "vehicle-miles": "mile",
    "vehicle.km": "km",
    "vehicle-km": "km",
    "车公里": "km",
    # freight
    "t·km": "t*km",
    "t.km": "t*km",
    "t-km": "t*km",
    "tkm": "t*km",
    "tonne.km": "t*km",
    "tonne-km": "t*km",
    "tonne·km": "t*km",
    "吨公里": "t*km",
    "吨·公里": "t*km",
    "吨千米": "t*km",
    "万吨公里": "1e4 * t*km",
    "short ton-mile": "short_ton*mile",
    "ton-mile": "short_ton*mile",
    "ton-miles": "short_ton*mile",
    # passenger distance
    "passenger·km": "passenger*km",
    "passenger.km": "passenger*km",
    "passenger-km": "passenger*km",
    "pkm": "passenger*km",
    "p·km": "passenger*km",
    "人公里": "passenger*km",
    "人·公里": "passenger*km",
    "人千米": "passenger*km",
    "passenger-mile": "passenger*mile",
    "passenger-miles": "passenger*mile",
    "passenger mile": "passenger*mile",
    "人英里": "passenger*mile",
    # count
    "count": "count",
    "个": "count",
    "台": "count",
    "件": "count",
    "次": "count",
    "unit": "count",
    "units": "count",
    "piece": "count",
    "pieces": "count",
    "pcs": "count",
    # people served (domestic wastewater, IPCC 2006 Vol. 5 Eq. 6.3): a count
    "人": "count",
    "人口": "count",
    "person": "count",
    "persons": "count",
    "people": "count",
    "capita": "count",
    "万人": "1e4 * count",
    # animals (average annual population, IPCC 2006 Vol. 4 Eq. 10.19/10.22)
    "头": "count",
    "只": "count",
    "羽": "count",
    "head": "count",
    "heads": "count",
    "万头": "1e4 * count",
    "万只": "1e4 * count",
    "万羽": "1e4 * count",
    # nitrogen applied to soils, as N (IPCC 2006 Vol. 4 Eq. 11.1): a mass
    "kg n": "kg",
    "t n": "t",
    "千克氮": "kg",
    "公斤氮": "kg",
    "吨氮": "t",
    "纯氮吨": "t",
}

# Currency texts → (ISO code, multiplier).
_CURRENCIES: dict[str, tuple[str, float]] = {
    "元": ("CNY", 1.0),
    "人民币": ("CNY", 1.0),
    "cny": ("CNY", 1.0),
    "rmb": ("CNY", 1.0),
    "人民币元": ("CNY", 1.0),
    "千元": ("CNY", 1e3),
    "万元": ("CNY", 1e4),
    "百万元": ("CNY", 1e6),
    "亿元": ("CNY", 1e8),
    "usd": ("USD", 1.0),
    "$": ("USD", 1.0),
    "us$": ("USD", 1.0),
    "美元": ("USD", 1.0),
    "千美元": ("USD", 1e3),
    "万美元": ("USD", 1e4),
    "thousand usd": ("USD", 1e3),
    "million usd": ("USD", 1e6),
    "kusd": ("USD", 1e3),
    "eur": ("EUR", 1.0),
    "€": ("EUR", 1.0),
    "欧元": ("EUR", 1.0),
    "gbp": ("GBP", 1.0),
    "£": ("GBP", 1.0),
    "英镑": ("GBP", 1.0),
}

_DIMENSIONS: dict[str, str] = {
    "energy": "[mass] * [length] ** 2 / [time] ** 2",
    "mass": "[mass]",
    "volume": "[length] ** 3",
    "area": "[length] ** 2",
    "distance": "[length]",
    "freight": "[mass] * [length]",
    "passenger_distance": "[passenger] * [length]",
    "count": "",
}
_QUALIFIER = re.compile(r"\s*[(（][^)）]*[)）]\s*")
_GAS_UNIT = re.compile(r"^\s*(tonnes?|kg|mg|Gg|Mt|kt|lbs?|g|t|千克|公斤|吨|克)\s*([A-Za-z][A-Za-z0-9\-]*)?\s*$")


#: Energy units of electricity: a fuel measured in these is almost always a mix-up with power.
ELECTRICAL_ENERGY = frozenset({"kWh", "1e4 * kWh", "MWh", "GWh", "1e8 * kWh"})


def is_electrical(text: str) -> bool:
    """True for kWh, 度, 万千瓦时, MWh and the like."""
    cleaned = _clean(text)
    return _ALIASES.get(cleaned.lower(), cleaned) in ELECTRICAL_ENERGY


def make_registry() -> pint.UnitRegistry:
    """A pint registry with the project's extra units (tce, MMBtu, Nm3, scf, mu, passenger …).

    pint's parsed default definitions are cached in the user's cache folder (~/.cache/pint,
    keyed by the definitions' content), which saves about 0.3 s a run; without a writable cache
    folder the definitions are parsed each time.
    """
    try:
        ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=":auto:")
    except Exception:  # noqa: BLE001 - an unusable cache folder only costs time
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    return ureg


def _clean(text: str) -> str:
    """NFKC (full-width → ASCII, ³ → 3), qualifiers such as '(Gross CV)' and '(2022)' removed."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = _QUALIFIER.sub(" ", text).strip()
    return re.sub(r"\s+", " ", text)


def _currency(text: str) -> tuple[str, float] | None:
    return _CURRENCIES.get(_clean(text).lower())


@lru_cache(maxsize=4096)
def _quantity(text: str, ureg: pint.UnitRegistry) -> pint.Quantity:
    """Parse a unit text into a pint quantity (magnitude = multiplier of the unit); memoised, as
    the factor library and the conversion tables ask for the same few texts again and again
    (callers only read the quantity)."""
    cleaned = _clean(text)
    if not cleaned:
        raise ValueError("an empty unit")
    expr = _ALIASES.get(cleaned.lower())
    if expr is None:
        expr = _ALIASES.get(cleaned.lower().replace(" ", ""))
    if expr is None:
        expr = re.sub(r"(?<=[A-Za-z])([23])\b", r"**\1", cleaned)  # m3 → m**3, km2 → km**2
    try:
        q = ureg.parse_expression(expr)
    except Exception as exc:  # pint raises several types for unparseable text
        gas_unit = _GAS_UNIT.match(cleaned)
        if gas_unit and gas_unit.group(2):  # 'kg CH4' as a denominator is a mass of that gas
            return _quantity(gas_unit.group(1), ureg)
        raise ValueError(f"unknown unit '{text}'") from exc
    if not isinstance(q, pint.Quantity):
        q = ureg.Quantity(float(q), "count")
    return q


def dimension_of(text: str, ureg: pint.UnitRegistry) -> str:
    """Dimension name of a unit text: energy, mass, …, or ``currency:CNY``; ValueError if unknown."""
    cur = _currency(text)
    if cur:
        return f"currency:{cur[0]}"
    q = _quantity(text, ureg)
    name = dimension_name(q, ureg)
    if name not in _DIMENSIONS:
        raise ValueError(f"'{text}' has dimension {name}, which is none of {', '.join(_DIMENSIONS)}")
    return name


def convert(value: float, from_unit: str, to_unit: str, ureg: pint.UnitRegistry) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (same dimension, same currency)."""
    a, b = _currency(from_unit), _currency(to_unit)
    if a or b:
        if not (a and b) or a[0] != b[0]:
            raise ValueError(f"cannot convert '{from_unit}' to '{to_unit}' (currencies convert by year-specific rates)")
        return value * a[1] / b[1]
    src, dst = _quantity(from_unit, ureg), _quantity(to_unit, ureg)
    try:
        return float((value * src).to(dst.units).magnitude / dst.magnitude)
    except pint.DimensionalityError as exc:
        raise ValueError(
            f"cannot convert '{from_unit}' ({dimension_name(src, ureg)}) to '{to_unit}' ({dimension_name(dst, ureg)})"
        ) from exc


def dimension_name(q: pint.Quantity, ureg: pint.UnitRegistry) -> str:
    """Our name for a quantity's dimensionality (energy, mass …), or pint's own text."""
    for name, spec in _DIMENSIONS.items():
        if (q.dimensionality == ureg.get_dimensionality(spec)) if spec else not q.dimensionality:
            return name
    return str(q.dimensionality)


@lru_cache(maxsize=1)
def known_unit_texts() -> tuple[str, ...]:
    """Unit texts the registry accepts by name, for 'did you mean' suggestions."""
    return tuple(sorted({*_ALIASES, *_CURRENCIES}))


def suggest(text: str) -> str:
    """'; did you mean …?' for a mistyped unit, or ''."""
    close = suggestion(text)
    return f"; did you mean '{close}'?" if close else ""


def suggestion(text: str) -> str | None:
    """The known unit a mistyped one was probably meant to be, or None."""
    cleaned = _clean(text).lower()
    # A Chinese energy unit missing 时 ('万千瓦' for '万千瓦时') is a common slip: prefer prefixes.
    starts = [u for u in known_unit_texts() if u.startswith(cleaned) and len(u) <= len(cleaned) + 2]
    close = starts or difflib.get_close_matches(cleaned, known_unit_texts(), n=1, cutoff=0.6)
    return close[0] if close else None


def conversion_table(unit_texts: list[str], ureg: pint.UnitRegistry) -> pl.DataFrame:
    """One row per distinct unit text: ``unit``, ``dimension``, ``to_base`` and ``error``."""
    rows: list[tuple[str, str | None, float | None, str | None]] = []
    for text in unit_texts:
        try:
            dim = dimension_of(text, ureg)
            rows.append((text, dim, convert(1.0, text, BASE_UNITS[dim], ureg), None))
        except ValueError:
            rows.append((text, None, None, f"unknown unit '{text}'{suggest(text)}"))
    schema = {"unit": pl.String, "dimension": pl.String, "to_base": pl.Float64, "error": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def split_gas_unit(text: str) -> tuple[str, str | None]:
    """('kg', 'CO2e') from 'kg CO2e'; ('t', 'C') from 'tC'; ('kg', None) from 'kg'."""
    cleaned = _clean(text)
    match = _GAS_UNIT.match(cleaned)
    if not match:
        raise ValueError(f"expected a mass unit with an optional gas, such as 'kg CO2e' or 'tC', not '{text}'")
    unit, gas = match.group(1), match.group(2)
    return unit, gas or None


def price_year(text: str) -> int | None:
    """Price year of a currency denominator: 2022 from 'USD (2022)'."""
    match = re.search(r"[(（]\s*(\d{4})\s*[)）]", str(text))
    return int(match.group(1)) if match else None
