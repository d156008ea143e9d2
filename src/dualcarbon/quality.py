"""Data-quality notes of an inventory: what a verifier should look at before trusting a figure.

Pure: emission rows (with their trace) and the activities' evidence references in, a
``summary.json`` ``data_quality`` record out (the run's own warnings stay in ``warnings``).
Shares are of the location-based total, in which every activity counts once (the market-based
rows restate Scope 2 electricity) and biogenic CO2 not at all.

* region fallback: the factor's region (``region_used``) is coarser than the row's region
  (facility region → grid → country → GLOBAL; DESIGN.md "region");
* factor year: the factor's year (``year_used``) differs from the activity's year;
* tiers (IPCC 2006 Vol. 2 Ch. 2 §2.3.1): Tier 1 = IPCC default factors, Tier 2 = country- or
  region-specific published factors, Tier 3 = facility-specific data (measured carbon content,
  clinker oxides, organic carbon, the project's own factors); refrigerant and other gas masses
  weighted by GWP directly form a class of their own;
* evidence: activity records that name no ``evidence`` document, which a verifier samples records
  against (ISO 14064-3:2019, evidence gathering);
* Scope 2 instruments: the share of purchased electricity covered by contractual instruments
  (GHG Protocol Scope 2 Guidance §6.11), the rest taking the grid average (§6.11.3).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.sums import exact_sum, total

MWH_PER_GJ = 1 / 3.6
TIER1_SETS = ["ipcc2006"]
MEASURED_IDS = ["row:carbon_content", "row:measured"]  # an EF computed from the row's own analysis
TIERS = ["1", "2", "3", "gas_mass"]


def counted(emissions: pl.DataFrame) -> pl.DataFrame:
    """Rows of the location-based total (biogenic CO2 is reported outside the scopes)."""
    method = pl.col("scope2_method")
    return emissions.filter(~pl.col("biogenic") & (method.is_null() | (method == "location")))


def tier() -> pl.Expr:
    """The data tier of an emission row, from the factors its trace names (see the module docstring)."""
    ids, sets = pl.col("factor_ids").fill_null(""), pl.col("factor_sets").fill_null("")
    measured = pl.any_horizontal([ids.str.contains(i, literal=True) for i in MEASURED_IDS])
    return (
        pl.when(measured | ids.str.starts_with("facility:") | sets.is_in(["row", "project"]))
        .then(pl.lit("3"))
        .when(sets == "gwp")
        .then(pl.lit("gas_mass"))
        .when(sets.is_in(TIER1_SETS))
        .then(pl.lit("1"))
        .otherwise(pl.lit("2"))
    )


def _records(frame: pl.DataFrame) -> pl.Expr:
    """Activity records behind a set of emission rows (a calculation group stands for ``_n`` rows)."""
    return (pl.col("_n").sum() if "_n" in frame.columns else pl.len()).cast(pl.Int64).alias("records")


def _by(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """CO2e and activity records by ``keys``, largest first (a calculation group stands for ``_n`` records)."""
    n = pl.col("_n") if "_n" in rows.columns else pl.lit(1, pl.Int64)
    first = pl.col("_idx").is_first_distinct()  # an activity's gases count as one record
    return (
        rows.group_by(keys, maintain_order=True)
        .agg(exact_sum("co2e_t"), n.filter(first).sum().cast(pl.Int64).alias("records"))
        .sort(["co2e_t", *keys], descending=[True] + [False] * len(keys), nulls_last=False)
    )


def _share(co2e_t: float, total_t: float) -> float | None:
    return co2e_t / total_t if total_t else None


def region_fallbacks(rows: pl.DataFrame, total_t: float) -> list[dict]:
    """Rows whose factor comes from a coarser region than their own, by activity and region pair."""
    keys = ["key", "region", "region_used", "factor_sets"]
    out = _by(rows.filter(pl.col("region_used").is_not_null() & (pl.col("region_used") != pl.col("region"))), keys)
    return [
        {
            "key": r["key"],
            "region": r["region"],
            "region_used": r["region_used"],
            "factor_set": r["factor_sets"],
            "records": r["records"],
            "co2e_t": r["co2e_t"],
            "share": _share(r["co2e_t"], total_t),
        }
        for r in out.iter_rows(named=True)
    ]


def factor_years(rows: pl.DataFrame, total_t: float) -> list[dict]:
    """Rows whose factor is of another year than the activity (earlier or later), by activity and year pair."""
    keys = ["key", "year", "year_used", "factor_sets"]
    out = _by(rows.filter(pl.col("year_used").is_not_null() & (pl.col("year_used") != pl.col("year"))), keys)
    return [
        {
            "key": r["key"],
            "year": r["year"],
            "year_used": r["year_used"],
            "factor_set": r["factor_sets"],
            "records": r["records"],
            "co2e_t": r["co2e_t"],
            "share": _share(r["co2e_t"], total_t),
        }
        for r in out.iter_rows(named=True)
    ]


def tier_shares(rows: pl.DataFrame, total_t: float) -> list[dict]:
    """CO2e and its share of the location-based total by data tier, every tier listed."""
    by = rows.with_columns(tier().alias("tier")).group_by("tier", maintain_order=True).agg(exact_sum("co2e_t"))
    co2e = dict(by.iter_rows())
    return [{"tier": t, "co2e_t": co2e.get(t, 0.0), "share": _share(co2e.get(t, 0.0), total_t)} for t in TIERS]


def evidence_gaps(rows: pl.DataFrame, evidence: pl.DataFrame, total_t: float) -> dict:
    """Activity records without an ``evidence`` reference, and their share of the total.

    ``evidence``: the activities' ``_idx``, ``evidence`` (and ``_n`` for calculation groups)."""
    blank = pl.col("evidence").is_null() | (pl.col("evidence").str.strip_chars() == "")
    missing = evidence.filter(blank)
    co2e_t = total(rows.join(missing.select("_idx"), on="_idx", how="semi")["co2e_t"])
    total_records = int(evidence.select(_records(evidence)).item())
    records = int(missing.select(_records(missing)).item())
    return {"records": records, "total_records": total_records, "co2e_t": co2e_t, "share": _share(co2e_t, total_t)}


def scope2_coverage(emissions: pl.DataFrame) -> dict | None:
    """Purchased electricity (MWh) and the part covered by contractual instruments, per instrument.

    Covered MWh are read from the trace of the instrument rows (``parameters`` "MWh=…", written by
    ``methods.electricity``) and given to the kWh; None when the inventory has no purchased electricity."""
    elec = emissions.filter((pl.col("kind") == "electricity") & (pl.col("scope2_method") == "location"))
    if elec.is_empty():
        return None
    mwh = float(
        elec.unique(subset=["_idx"], maintain_order=True).select(exact_sum("quantity_base") * MWH_PER_GJ).item() or 0.0
    )
    contractual = emissions.filter(pl.col("factor_ids").fill_null("").str.starts_with("credits:"))
    by_instrument = (
        contractual.with_columns(
            pl.col("factor_ids").str.strip_prefix("credits:").alias("id"),
            pl.col("parameters").str.extract(r"MWh=([0-9.eE+-]+)", 1).cast(pl.Float64).alias("mwh"),
        )
        .group_by("id", pl.col("factor_sets").alias("type"), maintain_order=True)
        .agg(exact_sum("mwh").round(3))
        .sort("id")
    )  # (the trace states each row's MWh to 1e-6: sums are given to the kWh)
    covered = total(by_instrument["mwh"])
    return {
        "mwh": mwh,
        "covered_mwh": covered,
        "share": covered / mwh if mwh else None,
        "instruments": by_instrument.to_dicts(),
    }


def assess(emissions: pl.DataFrame, evidence: pl.DataFrame | None) -> dict:
    """The ``data_quality`` record of ``summary.json``: region fallbacks, factor years, tier shares, records without evidence and Scope 2 instrument coverage.

    ``evidence`` (``_idx``, ``evidence``, ``_n``) is None where records were summed into calculation
    groups (ledgers), which keep no evidence references: ``evidence`` is then null in the record.
    """
    narrow = [
        "_idx",
        "_n",
        "key",
        "kind",
        "region",
        "region_used",
        "year",
        "year_used",
        "scope2_method",
        "biogenic",
        "co2e_t",
        "quantity_base",
        "factor_ids",
        "factor_sets",
        "parameters",
    ]
    emissions = emissions.select([c for c in narrow if c in emissions.columns])  # filters copy no other text
    rows = counted(emissions)
    total_t = total(rows["co2e_t"])
    return {
        "total_location_t": total_t,
        "region_fallbacks": region_fallbacks(rows, total_t),
        "factor_years": factor_years(rows, total_t),
        "tiers": tier_shares(rows, total_t),
        "evidence": evidence_gaps(rows, evidence, total_t) if evidence is not None else None,
        "scope2_coverage": scope2_coverage(emissions),
    }
