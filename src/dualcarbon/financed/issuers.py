"""Issuers inventoried in dualcarbon: a holding whose ``issuer_project`` names another dualcarbon project (its
folder, whose ``out/summary.json`` is read, or that ``summary.json`` itself) takes the counterparty's emissions
from that inventory's totals instead of figures copied by hand (docs/financed.md, "Issuers inventoried in
dualcarbon").

    scope1 = totals.scope1, scope2 = totals.scope2_location or scope2_market ([financed] issuer_scope2),
    scope3 = totals.scope3, year = the inventory period's last year
    emissions_basis = reported_verified when the inventory was verified by a third party
                      (neutrality.verification.type = "third_party"), else reported

which PCAF Part A (2nd ed., 2022) scores as option 1a (verified emissions, score 1) or 1b (unverified
emissions reported by the company, score 2) in the score tables of §5.1–5.3. An issuer path is relative to
the portfolio's folder; on a server it must stay inside it (a project there is one tenant's folder).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from dualcarbon.errors import Msg, Problem, msg

SUMMARY_SCHEMA = "dualcarbon.summary/1"
#: holdings.csv columns an issuer project fills; a holding that names one leaves them blank.
FILLED = ("scope1", "scope2", "scope3", "emissions_basis")


def summary_path(root: Path, issuer: str) -> Path:
    """The ``summary.json`` an ``issuer_project`` value names: a project folder's ``out/summary.json`` or the file."""
    path = Path(root) / issuer
    return path / "out" / "summary.json" if path.is_dir() else path


def _read(root: Path, issuer: str, inside_only: bool) -> tuple[dict | None, Msg | None]:
    """(the issuer's figures, None) or (None, the message of what is wrong)."""
    if Path(issuer).is_absolute():
        return None, msg("financed.problem.issuer_relative")
    path = summary_path(root, issuer)
    if inside_only and not path.resolve().is_relative_to(Path(root).resolve()):
        return None, msg("financed.problem.issuer_outside")
    if not path.is_file():
        return None, msg("financed.problem.issuer_missing", path=str(Path(issuer) / "out" / "summary.json"))
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        totals = summary["totals"]
        figures: dict[str, float | int | str] = {
            "scope1": float(totals["scope1"]),
            "scope2_location": float(totals["scope2_location"]),
            "scope2_market": float(totals["scope2_market"]),
            "scope3": float(totals["scope3"]),
            "year": int(str(summary["period"]["end"])[:4]),
        }
        if summary.get("schema") != SUMMARY_SCHEMA:
            raise ValueError(summary.get("schema"))
    except (OSError, ValueError, KeyError, TypeError):
        return None, msg("financed.problem.issuer_summary", schema=SUMMARY_SCHEMA)
    verification = ((summary.get("neutrality") or {}).get("verification") or {}).get("type")
    figures["emissions_basis"] = "reported_verified" if verification == "third_party" else "reported"
    return figures, None


def join(
    holdings: pl.DataFrame, root: Path, name: str, scope2: str = "location", inside_only: bool = False
) -> tuple[pl.DataFrame, list[Problem]]:
    """The holdings with the Scope 1, 2 and 3, basis and year of each ``issuer_project`` filled from its inventory
    (``scope2``: ``location`` or ``market``); problems name holdings.csv's row, the column and what was expected."""
    problems: list[Problem] = []
    issuers = holdings["issuer_project"].drop_nulls().unique().sort().to_list()
    if not issuers:
        return holdings, problems
    found: list[dict] = []
    for issuer in issuers:  # one file per issuer, not per holding
        figures, problem = _read(root, issuer, inside_only)
        if problem is not None:
            rows = holdings.filter(pl.col("issuer_project") == issuer).head(200)
            problems += [Problem(name, r, "issuer_project", issuer, problem) for r in rows["_row"]]
            continue
        assert figures is not None
        found.append({"issuer_project": issuer, **figures})
    if not found:
        return holdings, problems
    issuer_frame = pl.DataFrame(found).select(
        "issuer_project",
        pl.col("scope1").alias("_i_scope1"),
        pl.col(f"scope2_{scope2}").alias("_i_scope2"),
        pl.col("scope3").alias("_i_scope3"),
        pl.col("emissions_basis").alias("_i_basis"),
        pl.col("year").cast(pl.Int64).alias("_i_year"),
    )
    joined = holdings.join(issuer_frame, on="issuer_project", how="left")
    other_year = joined.filter(pl.col("_i_year").is_not_null() & pl.col("year").is_not_null())
    other_year = other_year.filter(pl.col("year") != pl.col("_i_year"))
    for r in other_year.head(200).iter_rows(named=True):
        problems.append(
            Problem(name, r["_row"], "year", str(r["year"]), msg("financed.problem.issuer_year", year=r["_i_year"]))
        )
    issued = pl.col("_i_scope1").is_not_null()
    filled = joined.with_columns(
        pl.when(issued).then(pl.col("_i_scope1")).otherwise(pl.col("scope1")).alias("scope1"),
        pl.when(issued).then(pl.col("_i_scope2")).otherwise(pl.col("scope2")).alias("scope2"),
        pl.when(issued).then(pl.col("_i_scope3")).otherwise(pl.col("scope3")).alias("scope3"),
        pl.when(issued).then(pl.col("_i_basis")).otherwise(pl.col("emissions_basis")).alias("emissions_basis"),
        pl.coalesce("year", "_i_year").alias("year"),
    )
    return filled.select(holdings.columns), problems
