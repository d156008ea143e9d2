"""IPCC agriculture parameters for a project's rows: one look-up per distinct request, never per row.

The methods of ``livestock`` and ``soils`` ask for parameters by IPCC table key (IPCC 2006 Vol. 4
tables as bundled in ``ipcc2006_afolu_defaults.csv``) for each distinct (region, animal, condition …);
this module keeps one ``IpccParameters`` per region and picks, among several candidate keys and
conditions, the parameter of the nearest edition and region. The mapping of our animal, manure
system and water regime ids to those keys is data (``livestock.csv``, ``manure_systems.csv``,
``manure_n_loss.csv``, ``rice_water_regimes.csv``).
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache

import polars as pl

from dualcarbon.errors import Problem
from dualcarbon.factors.ipcc_params import IpccParameters, Param
from dualcarbon.factors.library import DATA, FactorLibrary
from dualcarbon.model import Settings

EDITION_RANK = {"project": 0, "2019": 1, "2006": 2}


@cache
def table(name: str) -> pl.DataFrame:
    """A mapping file of ``factors/data`` (all text columns)."""
    with DATA.joinpath(name).open("rb") as fh:
        return pl.read_csv(fh.read(), infer_schema=False)


def manure_system_aliases() -> dict[str, str]:
    """Lower-cased system ids, Chinese and English names and aliases → system id (Table 10.21 systems)."""
    out: dict[str, str] = {}
    for row in table("manure_systems.csv").iter_rows(named=True):
        for text in [row["system"], row["name_en"], row["name_zh"], *(row["aliases"] or "").split("|")]:
            if text:
                out[unicodedata.normalize("NFKC", text).strip().lower()] = row["system"]  # as the reader does
    return out


def temperature_condition(mean_temperature_c: float) -> str:
    """Column of IPCC 2006 Vol. 4 Table 10.14 for a mean annual temperature (whole °C, ≤10 … ≥28)."""
    whole = math.floor(mean_temperature_c + 0.5)
    if whole <= 10:
        return "annual_avg_temp_C=<=10"
    if whole >= 28:
        return "annual_avg_temp_C=>=28"
    return f"annual_avg_temp_C={whole}"


def climate_condition(mean_temperature_c: float) -> str:
    """Climate column of IPCC 2006 Vol. 4 Table 10.15: cool < 15 °C, temperate 15–25 °C, warm > 25 °C."""
    if mean_temperature_c < 15:
        return "climate=cool"
    if mean_temperature_c <= 25:
        return "climate=temperate"
    return "climate=warm"


class AgriParameters:
    """IPCC parameters of one project (edition, factor sets, country), by region of the rows."""

    def __init__(self, library: FactorLibrary, settings: Settings):
        self.library = library
        self.sets = settings.factor_sets()
        self.edition = settings.method.ipcc_edition
        self.country = settings.organization.country
        self._by_region: dict[str, IpccParameters] = {}

    def of(self, region: str) -> IpccParameters:
        if region not in self._by_region:
            self._by_region[region] = IpccParameters(self.library, self.sets, self.edition, self.country, [region])
        return self._by_region[region]

    def pick(
        self,
        region: str,
        keys: list[str],
        condition: str | None = None,
        productivity: str | None = None,
    ) -> Param | None:
        """The parameter of the nearest edition, then region, among ``keys``.

        ``condition`` is matched exactly (a Table 10.14 temperature, a Table 10.15 climate). Without
        it, tables that publish productivity classes (2019 Refinement Tables 10.10/10.11) give the
        class named by ``productivity`` ("high" | "low"), or else their average (class-less) row.
        """
        params = self.of(region)
        found: list[Param] = []
        for key in keys:
            if condition is not None:
                tries: list[str | None] = [condition]
            else:
                published = params.conditions(key)
                if productivity:
                    tries = [c for c in published if f"productivity={productivity}" in c]
                else:
                    tries = [c for c in published if "productivity=" not in c and not c.startswith("efdb_record=")]
                tries.append(None)
            for cond in tries:
                param = params.get(key, cond)
                if param is not None:
                    found.append(param)
        if not found:
            return None
        chain = {r: i for i, r in enumerate(params.chain)}
        return min(found, key=lambda p: (EDITION_RANK.get(p.edition, 3), chain.get(p.region, len(chain))))

    def conditions(self, region: str, keys: list[str]) -> list[str]:
        """Conditions published for any of ``keys`` (to tell whether a table is by temperature or climate)."""
        params = self.of(region)
        return sorted({c for key in keys for c in params.conditions(key)})


def cite(symbol: str, param: Param, unit: str | None = None) -> str:
    """``EF=68 kg CH4/head/yr (IPCC 2006 V4 Ch10 Table 10.11, IPCC:Asia, edition 2006)`` for the trace."""
    value = f"{param.value:.6g}"
    shown = unit if unit is not None else param.unit
    where = f"{param.table}, {param.region}" + (f", {param.condition}" if param.condition else "")
    return f"{symbol}={value}{' ' + shown if shown else ''} ({where}, edition {param.edition})"


def row_problems(rows: pl.DataFrame, column: str, value_column: str | None, expected: str) -> list[Problem]:
    """A problem per row (capped), naming its file, row and ``column``."""
    return [
        Problem(r["_file"], r["_row"], column, r[value_column] if value_column else r["activity"], expected)
        for r in rows.head(200).iter_rows(named=True)
    ]


def lookup(requests: pl.DataFrame, solve) -> pl.DataFrame:
    """``solve(request) -> dict | str`` per distinct request: parameter columns, or the reason none was found."""
    out = []
    for req in requests.iter_rows(named=True):
        got = solve(req)
        out.append({**req, **({"_error": got} if isinstance(got, str) else {**got, "_error": None})})
    if not out:
        return requests.with_columns(pl.lit(None, pl.String).alias("_error"))
    frame = pl.DataFrame(out, infer_schema_length=None)
    return frame.with_columns(
        [pl.col(c).cast(t) for c, t in requests.schema.items()] + [pl.col("_error").cast(pl.String)]
    )
