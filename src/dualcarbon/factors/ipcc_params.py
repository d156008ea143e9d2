"""IPCC default parameters (agriculture and waste) picked for a subject: edition, region, condition.

The IPCC 2006 Guidelines Vol. 4 (AFOLU) and Vol. 5 (Waste) tables hold parameters, not simple
emission factors: k and MCF of a landfill, Nex of a cow, EF3 of a manure system. Each is keyed by
``activity_id`` (``waste/k/food_waste_sewage_sludge``), a region named as the table names it
(``IPCC:Asia``, ``IPCC:Eastern Asia``, ``IPCC:Developing countries``, ``GLOBAL``) and sometimes a
``condition`` (climate zone, temperature). Selection order:

1. the project's own ``factors/*.csv`` (factor set ``project``), whatever the edition;
2. the chosen edition (``[method] ipcc_edition``): the 2006 Guidelines, or the 2019 Refinement
   falling back to 2006 where the Refinement has no value (the trace names the edition used);
3. the nearest region: the project's own region codes, then the IPCC regions of the country in
   ``data/ipcc_regions.csv`` in rank order, then ``GLOBAL``;
4. the condition asked for, if any; an unconditioned row otherwise.

Values are returned as published, with their units: each method checks the unit it expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dualcarbon.factors.library import DATA, PROJECT_SET, FactorLibrary

EDITION_2019 = "2019 Refinement"


@dataclass(frozen=True)
class Param:
    """One published parameter with what a verifier needs to find it again."""

    activity_id: str
    value: float
    unit_numerator: str
    unit_denominator: str
    factor_id: str
    factor_set: str
    table: str
    edition: str  # "2006" | "2019" | "project"
    region: str
    condition: str | None
    check: str | None

    @property
    def unit(self) -> str:
        return f"{self.unit_numerator}/{self.unit_denominator}" if self.unit_denominator else self.unit_numerator


class ParameterMissing(LookupError):
    """No parameter for a key in the subject's region chain: the message says what to add."""


def ipcc_region_chain(country: str) -> list[str]:
    """IPCC regions of a country, nearest first (``data/ipcc_regions.csv``), ending in GLOBAL."""
    with DATA.joinpath("ipcc_regions.csv").open("rb") as fh:
        table = pl.read_csv(fh.read(), infer_schema=False)
    rows = table.filter(pl.col("country") == country).sort(pl.col("rank").cast(pl.Int32))
    return [*rows["ipcc_region"].to_list(), "GLOBAL"]


class IpccParameters:
    """Parameter look-up over the library's factor rows for one project (its sets, edition, region)."""

    def __init__(self, library: FactorLibrary, sets: list[str], edition: str, country: str, regions: list[str]):
        self.edition = edition
        self.sets = sets
        self.chain = [*dict.fromkeys([*regions, *library.region_chain(regions[0] if regions else country)])]
        self.chain = [r for r in self.chain if r != "GLOBAL"] + ipcc_region_chain(country)
        rank = {s: i for i, s in enumerate(sets)}
        frame = library.factors.filter(pl.col("factor_set").is_in(sets) & pl.col("value").is_not_null())
        self._rows = frame.select(
            "key",
            "parameter",
            "gas",
            "value",
            "unit_numerator",
            "unit_denominator",
            "factor_id",
            "factor_set",
            "table",
            "version",
            "region",
            "condition",
            "check",
        ).with_columns(pl.col("factor_set").replace_strict(rank, default=len(sets)).alias("_set_rank"))

    def get(self, key: str, condition: str | None = None, gas: str | None = None) -> Param | None:
        """The parameter for ``key`` (and ``condition``, ``gas``), or None when the chain has none."""
        rows = self._rows.filter(pl.col("key") == key)
        if gas is not None:
            rows = rows.filter(pl.col("gas").is_null() | (pl.col("gas") == gas))
        if rows.height == 0:
            return None
        region_rank = {r: i for i, r in enumerate(self.chain)}
        rows = rows.with_columns(
            pl.col("region").replace_strict(region_rank, default=None).alias("_region_rank"),
            _edition(pl.col("factor_set"), pl.col("version")).alias("_edition"),
        ).filter(pl.col("_region_rank").is_not_null())
        if condition is not None:
            rows = rows.filter(pl.col("condition") == condition)
        else:
            unconditioned = rows.filter(pl.col("condition").is_null())
            rows = unconditioned if unconditioned.height else rows
        editions = ["project", self.edition, "2006"] if self.edition == "2019" else ["project", "2006"]
        rows = rows.filter(pl.col("_edition").is_in(editions)).with_columns(
            pl.col("_edition").replace_strict({e: i for i, e in enumerate(editions)}).alias("_edition_rank")
        )
        if rows.height == 0:
            return None
        best = rows.sort("_set_rank", "_edition_rank", "_region_rank", "factor_id").row(0, named=True)
        return Param(
            activity_id=key,
            value=float(best["value"]),
            unit_numerator=(best["unit_numerator"] or "").strip(),
            unit_denominator=(best["unit_denominator"] or "").strip(),
            factor_id=best["factor_id"],
            factor_set=best["factor_set"],
            table=best["table"] or "",
            edition=best["_edition"],
            region=best["region"],
            condition=best["condition"],
            check=best["check"],
        )

    def require(self, key: str, condition: str | None = None, gas: str | None = None) -> Param:
        """``get``, or ParameterMissing naming the key, condition and regions searched."""
        found = self.get(key, condition, gas)
        if found is None:
            where = f" ({condition})" if condition else ""
            raise ParameterMissing(
                f"no IPCC {self.edition} parameter {key}{where} for regions {', '.join(self.chain)} in factor sets "
                f"{', '.join(self.sets)}; add it to the project's factors/*.csv"
            )
        return found

    def conditions(self, key: str) -> list[str]:
        """The conditions published for ``key`` (to name the choices in an error)."""
        return sorted(self._rows.filter(pl.col("key") == key)["condition"].drop_nulls().unique().to_list())


def _edition(factor_set: pl.Expr, version: pl.Expr) -> pl.Expr:
    return (
        pl.when(factor_set == PROJECT_SET)
        .then(pl.lit("project"))
        .when(version.str.contains(EDITION_2019, literal=True))
        .then(pl.lit("2019"))
        .otherwise(pl.lit("2006"))
    )
