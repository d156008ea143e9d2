"""A deliberately simple reference for purchased electricity, one row at a time in plain Python.

It re-implements, from their documentation rather than from the engine's code, the rules the
optimised path must follow:

* factor resolution (``factors/resolve.py`` docstring): the first factor set (in the project's
  order) with a factor anywhere on the row's region chain supplies every gas it publishes; per
  gas the winner is the nearest region on the chain, then the same year, then the latest
  earlier year, then the nearest later year;
* location-based Scope 2 = MWh × grid factor (GHG Protocol Scope 2 Guidance §6.4);
* market-based (``methods/electricity.py`` docstring): retired certificates of the reporting
  period, laid end to end against their facility's monthly consumption in calendar order, then
  certificates naming no facility against the whole organisation's remaining consumption; the
  rows of a month share that month's coverage pro rata; covered MWh emit at the certificate's
  factor (0 for GECs) and the rest at the residual-type factor where the row's region has one
  (China: the MEE/NBS national factor excluding market-traded non-fossil electricity) of the row's
  year or the latest earlier year, else at the grid factor.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

GJ_PER_MWH = 3.6


def grid_factors(library, sets: list[str], key: str = "electricity/grid") -> list[dict]:
    f = library.factors.filter(
        (pl.col("key") == key)
        & (pl.col("parameter") == "ef")
        & pl.col("value_norm").is_not_null()
        & pl.col("factor_set").is_in(sets)
        & (pl.col("denominator_dim") == "energy")
    )
    return f.select("factor_set", "region", "year", "gas", "value_norm", "factor_id").to_dicts()


def _year_rank(factor_year: int | None, year: int) -> int:
    if factor_year is None:
        return 1
    d = factor_year - year
    return 0 if d == 0 else (1 - d if d < 0 else 1000 + d)


def kg_per_gj(row_region: str, year: int, library, sets: list[str], factors: list[dict]) -> dict[str, float]:
    """Gas → kg per GJ for one row (empty when nothing on the chain)."""
    chain = library.region_chain(row_region)
    for factor_set in sets:
        mine = [f for f in factors if f["factor_set"] == factor_set and f["region"] in chain]
        if not mine:
            continue
        out = {}
        for gas in {f["gas"] for f in mine}:
            best = min(
                (f for f in mine if f["gas"] == gas),
                key=lambda f: (chain.index(f["region"]), _year_rank(f["year"], year), f["factor_id"]),
            )
            out[gas] = best["value_norm"]
        return out
    return {}


def electricity(rows: list[dict], certificates: list[dict], library, sets: list[str], gwp: dict[str, float]) -> dict:
    """Location- and market-based t CO2e in total and per facility.

    ``rows``: facility, region, month (1-12), year, mwh. ``certificates``: facility (or None), mwh,
    vintage, all retired GECs of the reporting period whose market covers the facility. The period
    spans several years, so a certificate covers consumption of its vintage year only (Scope 2
    Quality Criteria, Table 7.1): the facility's own certificates first, then the organisation-wide ones.
    """
    factors = grid_factors(library, sets)
    residual = [f for f in grid_factors(library, sets, "electricity/grid_ex_market_nonfossil") if f["gas"] == "CO2"]
    for r in rows:
        per_gj = kg_per_gj(r["region"], r["year"], library, sets, factors)
        r["loc"] = sum(r["mwh"] * GJ_PER_MWH * v / 1000 * gwp[g] for g, v in per_gj.items())
        r["open"] = r["mwh"]
        chain = library.region_chain(r["region"])
        mine = [f for f in residual if f["region"] in chain and (f["year"] is None or f["year"] <= r["year"])]
        best = min(mine, key=lambda f: (chain.index(f["region"]), _year_rank(f["year"], r["year"])), default=None)
        r["uncovered_per_mwh"] = best["value_norm"] * GJ_PER_MWH / 1000 if best else None

    def lay(rows_of: list[dict], certs: list[dict]) -> None:
        supply = sum(c["mwh"] for c in certs)
        months = sorted({(r["year"], r["month"]) for r in rows_of})
        for ym in months:
            month_rows = [r for r in rows_of if (r["year"], r["month"]) == ym]
            need = sum(r["open"] for r in month_rows)
            used = min(need, supply)
            supply -= used
            for r in month_rows:
                if need > 0:
                    r["open"] -= used * r["open"] / need

    by_facility = defaultdict(list)
    for r in rows:
        by_facility[r["facility"]].append(r)
    for facility, certs in _group(certificates).items():
        if facility is not None:
            for year in sorted({c["vintage"] for c in certs}):
                of_year = [c for c in certs if c["vintage"] == year]
                lay([r for r in by_facility.get(facility, []) if r["year"] == year], of_year)
    pooled = _group(certificates).get(None, [])
    for year in sorted({c["vintage"] for c in pooled}):
        lay([r for r in rows if r["year"] == year], [c for c in pooled if c["vintage"] == year])
    total_loc = total_mkt = 0.0
    per_facility: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        share = r["open"] / r["mwh"] if r["mwh"] else 0.0  # GECs: 0 kg/kWh for covered MWh
        mkt = r["loc"] * share if r["uncovered_per_mwh"] is None else r["open"] * r["uncovered_per_mwh"]
        total_loc += r["loc"]
        total_mkt += mkt
        per_facility[r["facility"]][0] += r["loc"]
        per_facility[r["facility"]][1] += mkt
    return {"location": total_loc, "market": total_mkt, "facilities": dict(per_facility)}


def _group(certificates: list[dict]) -> dict:
    out = defaultdict(list)
    for c in certificates:
        out[c["facility"]].append(c)
    return out
