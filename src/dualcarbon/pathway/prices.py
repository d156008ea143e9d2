"""Carbon price trajectories for the pathway: the bundled series (``data/carbon_prices.csv``) and a price a year.

A series is a set of (year, price) points, each with its basis, status and source. The pathway needs a price
in every one of its years: linear between two given years, the first price before the first year, and after
the last year the last price compounded by ``[pathway] carbon_price_growth`` (0 unless given: the price held
flat; docs/pathway.md, "Carbon prices and fiscal support"). A price in another currency than the pathway's is
converted at ``carbon_price_fx`` (pathway currency per unit of the series' currency).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dualcarbon.pathway.fiscal import STATUSES as STATUSES  # a price is cited as an instrument is

BUNDLED = resources.files("dualcarbon.pathway").joinpath("data", "carbon_prices.csv")


@dataclass(frozen=True)
class PricePoint:
    """The price of one year in its series' currency per t CO2, and where it comes from."""

    year: int
    price: float
    status: str = "unconfirmed"
    source: str = ""
    basis: str = ""
    source_zh: str = ""  # the source in Chinese (bundled series); a user's file has one language

    def source_in(self, lang: str) -> str:
        return (self.source_zh if lang == "zh" else "") or self.source


@dataclass(frozen=True)
class PriceSeries:
    """A carbon price series: a bundled one (``cea``, ``eu-ets``), a user's file, or given in dualcarbon.toml."""

    name: str
    currency: str
    points: tuple[PricePoint, ...]

    def known(self) -> dict[int, float]:
        return {p.year: p.price for p in self.points}


@cache
def bundled() -> dict[str, PriceSeries]:
    """The series shipped with dualcarbon, by name."""
    rows: dict[str, list[dict[str, str]]] = {}
    with BUNDLED.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["series"], []).append(row)
    return {
        name: PriceSeries(
            name,
            found[0]["currency"],
            tuple(
                PricePoint(int(r["year"]), float(r["price"]), r["status"], r["source"], r["basis"], r["source_zh"])
                for r in sorted(found, key=lambda r: int(r["year"]))
            ),
        )
        for name, found in rows.items()
    }


def rate_in(growth: float | dict[int, float], year: int) -> float:
    """The growth rate of ``year``: a constant, or a step schedule {year: rate} (each from its year on; the
    first also before it), as ``[pathway] growth``."""
    if not isinstance(growth, dict):
        return float(growth)
    steps = sorted(growth.items())
    current = steps[0][1]
    for y, r in steps:
        if y <= year:
            current = r
    return float(current)


def trajectory(
    known: dict[int, float], years: list[int], growth: float | dict[int, float] = 0.0, fx: float = 1.0
) -> dict[int, float]:
    """The price of each of ``years`` (pathway currency per t CO2): linear between known years, the first
    known price before them, the last compounded by ``growth`` after them; times ``fx``."""
    if not known:
        return {y: 0.0 for y in years}
    points = sorted(known.items())
    first_year, first = points[0]
    last_year, last = points[-1]
    out: dict[int, float] = {}
    value = last
    for y in range(min([*years, first_year]), max([*years, last_year]) + 1):
        if y <= first_year:
            price = first
        elif y in known:
            price = known[y]
        elif y < last_year:
            (y0, v0), (y1, v1) = next((a, b) for a, b in zip(points, points[1:], strict=False) if a[0] < y < b[0])
            price = v0 + (v1 - v0) * (y - y0) / (y1 - y0)
        else:
            value *= 1 + rate_in(growth, y)
            price = value
        out[y] = price * fx
    return {y: out[y] for y in years}
