"""Plant intensity: t CO2e per unit of product (t clinker, t cement, MWh, t milk) from ``[output]``.

    intensity(y) = E_covered(y) / Q(y)

E_covered: the inventory's CO2e of the sources a product's ``covers`` selector names, in its
``scopes`` (Scope 2 by its ``scope2`` method; biogenic CO2 excluded, as the inventory counts), in year
y; Q: the quantity made in year y. The base year's intensity is shown beside it for comparison:
its emissions from the inventory when it holds that year, else from the product's ``emissions_t``.
For cement the usual indicators are gross CO2 per tonne of clinker and per tonne of cementitious
product (WBCSD CSI, The Cement CO2 and Energy Protocol, Version 3.0, May 2011, ch. 6 "Performance
Indicators"; the numerator accounted as GB/T 32151.8-2015 and the inventory do): a product's
``covers`` and ``scopes`` say which emissions its indicator counts.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dualcarbon.model import OutputProduct, Settings
from dualcarbon.pathway import sources as src


def inventory_years(period) -> list[int]:
    """Every year of a period of whole calendar years, else the period's first year (as the pathway)."""
    whole = period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(period.end.year, 12, 31)
    return list(range(period.start.year, period.end.year + 1)) if whole else [period.start.year]


def base_year(settings: Settings) -> int | None:
    """The year intensities are compared with: ``[output] base_year``, else ``[neutrality]``'s, else
    ``[targets]``'s."""
    if settings.output is not None and settings.output.base_year is not None:
        return settings.output.base_year
    for block in (settings.neutrality, settings.targets):
        if block is not None and block.base_year is not None:
            return block.base_year
    return None


def quantity(product: OutputProduct, year: int, last_year: int) -> float | None:
    """The quantity made in ``year``: a plain number is the period's (its last year's)."""
    if isinstance(product.quantity, dict):
        value = product.quantity.get(year)
        return None if value is None else float(value)
    return float(product.quantity) if year == last_year else None


def covered_t(emissions: pl.DataFrame, product: OutputProduct, lines: pl.DataFrame | None = None) -> float:
    """CO2e of one year's emission rows that ``product`` counts (t).

    ``lines``: the inventory's CO2e by facility and line when the emission rows are calculation groups
    (a typed ledger), whose rows may span facilities; a selector of facilities, categories and scopes
    only is then counted on those lines, as the inventory's ``by_facility`` is."""
    terms = src.parse(product.covers) if product.covers else []
    by_lines = all(t.column in ("facility", "category", "scope", "all") and not t.prefix for t in terms)
    if lines is not None and by_lines and any(t.column == "facility" for t in terms):
        counted = pl.col("scope2_method").is_null() | (pl.col("scope2_method") == product.scope2)
        chosen = lines.filter(counted & pl.col("scope").is_in(list(product.scopes)))
        return float(chosen.filter(src.mask(product.covers))["co2e_t"].sum())
    sources = src.base_sources(emissions, product.scopes, product.scope2)
    return float(sources.filter(src.mask(product.covers))["co2e_t"].sum())


def _point(year: int, q: float | None, e: float | None) -> dict:
    return {
        "year": year,
        "quantity": q,
        "emissions_t": e,
        "intensity_t": None if q is None or e is None else e / q,
    }


def summarize(emissions: pl.DataFrame, settings: Settings, lines: pl.DataFrame | None = None) -> dict | None:
    """summary.json ``intensity`` (null without ``[output]``): per product the year's quantity,
    covered emissions and intensity (t CO2e per unit), the base year's, and the change in per cent.
    ``lines``: facility lines of a grouped run (``covered_t``), used for a period of one year."""
    if settings.output is None:
        return None
    years = inventory_years(settings.period)
    year, base = years[-1], base_year(settings)
    several = len(years) > 1 and "year" in emissions.columns

    def of_year(y: int, product: OutputProduct) -> float | None:
        if y in years:
            rows = emissions.filter(pl.col("year") == y) if several else emissions
            return covered_t(rows, product, None if several else lines)
        value = product.emissions_t.get(y)
        return None if value is None else float(value)

    products = []
    for p in settings.output.products:
        now = _point(year, quantity(p, year, year), of_year(year, p))
        then = None if base is None or base == year else _point(base, quantity(p, base, year), of_year(base, p))
        change = None
        if then is not None and then["intensity_t"] and now["intensity_t"] is not None:
            change = 100 * (now["intensity_t"] / then["intensity_t"] - 1)
        products.append(
            {
                "id": p.id,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "unit": p.unit,
                "covers": p.covers,
                "scopes": list(p.scopes),
                "scope2": p.scope2,
                **{k: now[k] for k in ("quantity", "emissions_t", "intensity_t")},
                "base": then,
                "change_percent": change,
            }
        )
    return {"year": year, "base_year": base, "unit": "t CO2e", "products": products}
