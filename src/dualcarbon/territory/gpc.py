"""A territory's rows classified by IPCC 2006 category and GPC city scope and reporting line.

Global Protocol for Community-Scale Greenhouse Gas Emission Inventories (GPC, WRI/C40/ICLEI,
v1.1 2021): scope 1 is emitted inside the administrative boundary, scope 2 comes from the use of
grid-supplied electricity, heat, steam or cooling, scope 3 is emitted outside the boundary because
of activities inside it (Ch. 3). Each sub-sector × scope is a reporting line with a reference
number (I.1.1 … V.3), BASIC or BASIC+ or neither (Ch. 4). The two bundled tables are data:
``gpc_lines.csv`` (the lines) and ``gpc_mapping.csv`` (IPCC category code, longest prefix, → GPC
sub-sector and the sector of the Chinese provincial inventory guideline).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.factors.library import DATA

#: kinds whose rows are grid-supplied energy (GPC scope 2)
GRID_KINDS = ("electricity", "heat")
#: the line of spend-based rows without a gpc column: other scope 3 (GPC Ch. 4)
SUPPLY_CHAIN_LINE = "VI.1"
IPCC_CODE = re.compile(r"^[1-5](\.[A-H](\.[0-9]{1,2}(\.[a-z](\.[ivx]+)?)?)?)?$")
# the gpc column: a reference number (I.4.4, IV.1), a sub-sector (II.4) or a sub-sector with a scope (II.4:3)
GPC_FORM = re.compile(r"^(?P<code>(?:I|II|III|IV|V|VI)\.[1-8](?:\.[1-4])?)(?::(?P<scope>[123]))?$")


@cache
def lines() -> pl.DataFrame:
    """The GPC reporting lines (``gpc_lines.csv``): ref, subsector, scope, in_basic, in_basic_plus, names."""
    with DATA.joinpath("gpc_lines.csv").open("rb") as fh:
        return pl.read_csv(fh.read(), schema_overrides={"scope": pl.String})


INTENSITY_BASIS = "basic_plus"  # a territory's intensities and pathway count the GPC BASIC+ lines


def basis_lines(basis: str = INTENSITY_BASIS) -> list[str]:
    """The GPC lines a total counts: ``basic`` or ``basic_plus`` (GPC v1.1 Ch. 4, reporting levels)."""
    return lines().filter(pl.col(f"in_{basis}"))["ref"].to_list()


def counted_rows(emissions: pl.DataFrame) -> pl.DataFrame:
    """A territory's emission rows on the lines its intensities, pathway and claim count (BASIC+):
    energy generation supplied to the grid (I.4.4) counts where the energy is used, not twice."""
    return emissions.filter(pl.col("gpc").is_in(basis_lines()))


@cache
def mapping() -> pl.DataFrame:
    """IPCC 2006 category code → GPC sub-sector and Chinese guideline sector (``gpc_mapping.csv``)."""
    with DATA.joinpath("gpc_mapping.csv").open("rb") as fh:
        return pl.read_csv(fh.read(), infer_schema=False)


@cache
def _mapping_rows() -> dict[str, dict]:
    return {r["ipcc_category"]: r for r in mapping().iter_rows(named=True)}


def subsector_of(code: str | None) -> dict | None:
    """The mapping row of an IPCC code: the longest ``ipcc_category`` that is the code or a prefix of it
    at a dot (``1.A.4.b.i`` → ``1.A.4.b``), or None."""
    if not code:
        return None
    rows = _mapping_rows()
    parts = code.split(".")
    for n in range(len(parts), 0, -1):
        row = rows.get(".".join(parts[:n]))
        if row is not None:
            return row
    return None


def line_for(subsector: str, scope: str, line_scope1: str | None = None) -> str | None:
    """The reference number of a sub-sector's line for a scope (the default line, or ``line_scope1``
    for scope 1 when the category names one, e.g. I.4.4 for public electricity and heat)."""
    if scope == "1" and line_scope1:
        return line_scope1
    found = lines().filter((pl.col("subsector") == subsector) & (pl.col("scope") == scope) & pl.col("default"))["ref"]
    return found[0] if found.len() else None


def parse_override(text: str) -> tuple[str | None, str | None, str | None]:
    """A ``gpc`` cell → (reference number or None, sub-sector or None, error or None).

    Forms: a reference number (``I.4.4``, ``III.1.3``, ``IV.1``) fixes line and scope; a sub-sector
    (``II.4``) keeps the row's scope; ``II.4:3`` gives sub-sector and scope."""
    m = GPC_FORM.match(text.strip())
    table = lines()
    if m is None:
        return None, None, "expected a GPC reference number (I.4.4), a sub-sector (II.4) or a sub-sector:scope (II.4:3)"
    code, scope = m.group("code"), m.group("scope")
    refs = set(table["ref"].to_list())
    subsectors = set(table["subsector"].to_list())
    if scope is None and code in refs:
        return code, None, None
    if code not in subsectors:
        return (
            None,
            None,
            f"'{code}' is not a GPC sub-sector or reference number (I.1 … I.8, II.1 … II.5, III.1 … III.4, IV.1, IV.2, V.1 … V.3)",
        )
    if scope is None:
        return None, code, None
    ref = line_for(code, scope)
    if ref is None:
        have = ", ".join(sorted(table.filter(pl.col("subsector") == code)["scope"].unique().to_list()))
        return None, None, f"GPC sub-sector {code} has no scope {scope} line (its scopes: {have})"
    return ref, None, None


def classify(activities: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    """A territory's validated activity rows with ``sector`` and ``category`` = the IPCC code, ``scope``
    = the GPC city scope and ``gpc`` = the GPC reference number of its line; ``gpc_given`` marks rows
    whose line the ``gpc`` column fixed (their gases stay on it whatever their own IPCC category).

    Scope: grid-supplied electricity and heat 2, spend-based (supply-chain) rows 3 on line VI.1,
    everything else 1, unless the ``gpc`` column says otherwise (GPC Ch. 3). Problems name the file,
    row and column (``sector`` or ``gpc``)."""
    problems: list[Problem] = []
    a = activities
    if "gpc" not in a.columns:
        a = a.with_columns(pl.lit(None, pl.String).alias("gpc"))
    codes = a["sector"].unique().to_list()
    known = {c: subsector_of(c) for c in codes if c and IPCC_CODE.match(c)}
    bad_sector = [c for c in codes if known.get(c) is None]
    if bad_sector:
        for row in a.filter(pl.col("sector").is_in(bad_sector)).head(500).iter_rows(named=True):
            problems.append(
                Problem(
                    row["_file"],
                    row["_row"],
                    "sector",
                    row["sector"],
                    msg("problem.ipcc_sector"),
                )
            )
    overrides = {t: parse_override(t) for t in a["gpc"].drop_nulls().unique().to_list()}
    for row in a.filter(pl.col("gpc").is_in([t for t, v in overrides.items() if v[2]])).head(500).iter_rows(named=True):
        problems.append(Problem(row["_file"], row["_row"], "gpc", row["gpc"], overrides[row["gpc"]][2] or ""))
    if problems:
        return a, problems
    table = lines()
    scope_of_ref = dict(zip(table["ref"], table["scope"], strict=True))
    sub_of_code = {c: r["gpc_subsector"] for c, r in known.items() if r}
    line1_of_code = {c: r["gpc_line_scope1"] for c, r in known.items() if r and r["gpc_line_scope1"]}
    given_ref = {t: v[0] for t, v in overrides.items() if v[0]}
    given_sub = {t: v[1] for t, v in overrides.items() if v[1]}
    grid = pl.col("kind").is_in(list(GRID_KINDS))
    # spend-based (EEIO) factors are supply-chain emissions outside the boundary: other scope 3 (VI.1)
    a = a.with_columns(
        pl.coalesce(
            pl.col("gpc").replace_strict(given_ref, default=None, return_dtype=pl.String),
            pl.when(pl.col("kind") == "spend").then(pl.lit(SUPPLY_CHAIN_LINE)),
        ).alias("_ref"),
        pl.coalesce(
            pl.col("gpc").replace_strict(given_sub, default=None, return_dtype=pl.String),
            pl.col("sector").replace_strict(sub_of_code, default=None, return_dtype=pl.String),
        ).alias("_sub"),
    )
    a = a.with_columns(
        pl.coalesce(
            pl.col("_ref").replace_strict(scope_of_ref, default=None, return_dtype=pl.String),
            pl.when(grid).then(pl.lit("2")).otherwise(pl.lit("1")),
        ).alias("scope"),
        pl.col("sector").alias("category"),
        pl.col("gpc").is_not_null().alias("gpc_given"),
    )
    # the line: the given reference number, else the sub-sector's line for the row's scope
    pairs = a.filter(pl.col("_ref").is_null()).select("_sub", "scope", "sector").unique()
    found = {
        (r["_sub"], r["scope"], r["sector"]): line_for(r["_sub"], r["scope"], line1_of_code.get(r["sector"]))
        for r in pairs.iter_rows(named=True)
    }
    missing = {k for k, v in found.items() if v is None}
    if missing:
        lacking = pl.DataFrame(
            list(missing), schema={"_sub": pl.String, "scope": pl.String, "sector": pl.String}, orient="row"
        )
        for row in a.join(lacking, on=["_sub", "scope", "sector"], how="semi").head(500).iter_rows(named=True):
            problems.append(
                Problem(
                    row["_file"],
                    row["_row"],
                    "gpc" if row["gpc"] else "sector",
                    row["gpc"] or row["sector"],
                    msg("problem.gpc_scope_line", subsector=row["_sub"], scope=row["scope"]),
                )
            )
        return a, problems
    keyed = pl.DataFrame(
        [(s, sc, sec, ref) for (s, sc, sec), ref in found.items()],
        schema={"_sub": pl.String, "scope": pl.String, "sector": pl.String, "_line": pl.String},
        orient="row",
    )
    a = a.join(keyed, on=["_sub", "scope", "sector"], how="left", nulls_equal=True).with_columns(
        pl.coalesce(pl.col("_ref"), pl.col("_line")).alias("gpc")
    )
    return a.drop("_ref", "_sub", "_line"), []


def emission_lines(emissions: pl.DataFrame) -> pl.DataFrame:
    """Emission rows with ``gpc`` re-derived for gases that fall in another IPCC category than their
    row (``ipcc_category``, e.g. indirect N2O of manure management → 3.C.6 → V.3), unless the row's
    ``gpc`` column fixed the line. ``category`` is already that code (``engine``)."""
    if "gpc" not in emissions.columns:
        return emissions
    moved = pl.col("ipcc_category").is_not_null() & ~pl.col("gpc_given").fill_null(False)
    pairs = emissions.filter(moved).select("category", "scope").unique()
    if pairs.height == 0:
        return emissions
    refs = {}
    for r in pairs.iter_rows(named=True):
        row = subsector_of(r["category"])
        refs[(r["category"], r["scope"])] = (
            line_for(row["gpc_subsector"], r["scope"], row["gpc_line_scope1"]) if row else None
        )
    keyed = pl.DataFrame(
        [(c, s, ref) for (c, s), ref in refs.items()],
        schema={"category": pl.String, "scope": pl.String, "_moved": pl.String},
        orient="row",
    )
    return (
        emissions.join(keyed, on=["category", "scope"], how="left", nulls_equal=True)
        .with_columns(pl.when(moved).then(pl.coalesce("_moved", "gpc")).otherwise(pl.col("gpc")).alias("gpc"))
        .drop("_moved")
    )
