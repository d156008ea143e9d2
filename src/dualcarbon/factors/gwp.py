"""Global warming potentials (100-year) for the AR4, AR5 and AR6 sets.

Values come from the maintained package ``globalwarmingpotentials`` (openclimatedata, CC0),
the same table that ``shared/data/gwp/ipcc_gwp.csv`` was built from: AR4 and AR5 as in the
GHG Protocol "Global Warming Potential Values" (Feb 2016); AR6 from IPCC AR6 WGI Chapter 7,
Supplementary Table 7.SM.7. Refrigerant blends are weighted by mass fraction (ANSI/ASHRAE
Standard 34 compositions in ``data/refrigerant_blends.csv``), as the US EPA Hub 2025
Table 12 does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources

import globalwarmingpotentials

GWP_SETS = {"AR4": "AR4GWP100", "AR5": "AR5GWP100", "AR6": "AR6GWP100"}

# Second-hand figures that disagree with the shipped AR6 value are surfaced, never silently used: the
# engine's warning ar6_sf6_gwp (locales: warning.ar6_sf6_gwp).


def _data_rows(name: str) -> list[dict[str, str]]:
    with resources.files("dualcarbon.factors").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class GwpTable:
    """The GWP100 values of one IPCC assessment report, keyed by our gas ids (``HFC-134a``)."""

    gwp_set: str
    values: dict[str, float] = field(repr=False)
    source: str = ""

    def __getitem__(self, gas: str) -> float:
        return self.values[gas]

    def get(self, gas: str) -> float | None:
        return self.values.get(gas)


def gas_aliases() -> dict[str, str]:
    """Lower-case alias → gas id (``carbon dioxide`` → ``CO2``), from ``data/gases.csv``."""
    out: dict[str, str] = {}
    for row in _data_rows("gases.csv"):
        out[row["gas"].lower()] = row["gas"]
        for alias in filter(None, row["aliases"].split("|")):
            out[alias.strip().lower()] = row["gas"]
    return out


def load_gwp(gwp_set: str) -> GwpTable:
    """GWP100 table for ``AR4``, ``AR5`` or ``AR6``, including refrigerant blends."""
    if gwp_set not in GWP_SETS:
        raise ValueError(f"GWP set {gwp_set!r} is not one of {', '.join(GWP_SETS)}")
    column = GWP_SETS[gwp_set]
    species = globalwarmingpotentials.data[column]
    values: dict[str, float] = {"CO2": 1.0, "CO2e": 1.0}
    for row in _data_rows("gases.csv"):
        if row["species"] and species.get(row["species"]) is not None:
            values[row["gas"]] = float(species[row["species"]])
    blends: dict[str, float] = {}
    for row in _data_rows("refrigerant_blends.csv"):
        component = values.get(row["component"])
        if component is None:
            blends[row["blend"]] = float("nan")
        else:
            blends[row["blend"]] = blends.get(row["blend"], 0.0) + float(row["mass_fraction"]) * component
    values.update({k: v for k, v in blends.items() if v == v})
    source = (
        f"globalwarmingpotentials {globalwarmingpotentials.__version__}, column {column}"
        " (AR4/AR5: GHG Protocol GWP values, Feb 2016; AR6: IPCC AR6 WGI Table 7.SM.7)"
    )
    return GwpTable(gwp_set, values, source)


def blend_components() -> dict[str, list[tuple[str, float]]]:
    """Blend → [(component gas, mass fraction)], ANSI/ASHRAE Standard 34."""
    out: dict[str, list[tuple[str, float]]] = {}
    for row in _data_rows("refrigerant_blends.csv"):
        out.setdefault(row["blend"], []).append((row["component"], float(row["mass_fraction"])))
    return out
