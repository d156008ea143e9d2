"""``holdings.csv``: a fund's or a loan book's positions (DESIGN.md, "Power units under the China ETS and
financed emissions"; docs/financed.md).

One row per holding: ``id``, ``asset_class``, ``counterparty``, ``outstanding`` (the amount invested or lent,
in the file's currency and units, not millions), ``currency``, the attribution denominator of its asset
class (``evic``, ``total_equity_debt``, ``property_value`` at origination, ``ppp_gdp``), ``revenue`` (for
WACI), the counterparty's ``scope1``, ``scope2``, ``scope3`` (t CO2e), ``lulucf`` (a sovereign's net LULUCF
emissions, t CO2e, optional), ``emissions_basis``, ``data_quality`` (1–5, overrides the derived score),
``sector``, ``year``, ``issuer_project`` (another dualcarbon project whose inventory gives the counterparty's
emissions, ``financed.issuers``). Every problem names file, row, column, value and what was expected, all of them
collected before anything is computed.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

ASSET_CLASSES = (
    "listed_equity",
    "corporate_bond",
    "business_loan",
    "unlisted_equity",
    "project_finance",
    "commercial_real_estate",
    "mortgage",
    "motor_vehicle_loan",
    "sovereign_debt",
)
BASES = ("reported_verified", "reported", "physical", "economic", "sector_average")
#: The attribution denominators each asset class accepts, first choice first (PCAF Part A 2nd ed. §5.1–5.7).
DENOMINATORS: dict[str, tuple[str, ...]] = {
    "listed_equity": ("evic",),
    "corporate_bond": ("evic",),
    "business_loan": ("evic", "total_equity_debt"),
    "unlisted_equity": ("evic", "total_equity_debt"),
    "project_finance": ("total_equity_debt",),
    "commercial_real_estate": ("property_value",),
    "mortgage": ("property_value",),
    "motor_vehicle_loan": ("property_value",),
    "sovereign_debt": ("ppp_gdp",),
}
REQUIRED = ["id", "asset_class", "outstanding"]
AMOUNTS = ["outstanding", "evic", "total_equity_debt", "property_value", "revenue", "ppp_gdp"]
EMISSIONS = ["scope1", "scope2", "scope3"]
OPTIONAL = [
    "counterparty",
    "currency",
    "evic",
    "total_equity_debt",
    "property_value",
    "revenue",
    "scope1",
    "scope2",
    "scope3",
    "lulucf",
    "ppp_gdp",
    "emissions_basis",
    "data_quality",
    "sector",
    "year",
    "issuer_project",
    "note",
]

#: The typed frame of holdings, one schema for every reader of it.
SCHEMA = {
    "_row": pl.Int64,
    "id": pl.String,
    "asset_class": pl.String,
    "counterparty": pl.String,
    "outstanding": pl.Float64,
    "currency": pl.String,
    "evic": pl.Float64,
    "total_equity_debt": pl.Float64,
    "property_value": pl.Float64,
    "revenue": pl.Float64,
    "scope1": pl.Float64,
    "scope2": pl.Float64,
    "scope3": pl.Float64,
    "lulucf": pl.Float64,
    "ppp_gdp": pl.Float64,
    "emissions_basis": pl.String,
    "data_quality": pl.Int64,
    "sector": pl.String,
    "year": pl.Int64,
    "issuer_project": pl.String,
}

DATA = resources.files("dualcarbon.financed").joinpath("data")


@cache
def sectors() -> pl.DataFrame:
    """The sector table (``financed/data/sectors.csv``): id, zh and en names, the year PCAF phases its Scope 3 in."""
    with DATA.joinpath("sectors.csv").open("rb") as fh:
        return pl.read_csv(fh, schema_overrides={"scope3_from": pl.Int64})


def sector_names() -> dict[str, str]:
    """Every accepted spelling of a sector (id, Chinese, English, lower case) → its id."""
    names: dict[str, str] = {}
    for row in sectors().iter_rows(named=True):
        for spelling in (row["sector"], row["name_zh"], row["name_en"]):
            names[str(spelling).lower()] = row["sector"]
    return names


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def find(root: Path) -> Path | None:
    """The project's holdings file (``holdings.csv``, ``.xlsx`` …), or None."""
    paths = [p for p in sorted(Path(root).glob("holdings.*")) if p.suffix.lower() in reader.SUFFIXES]
    return paths[0] if paths else None


def load_holdings(
    path: Path, display_name: str | None = None, limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[pl.DataFrame, list[Problem]]:
    """(the holdings typed as ``SCHEMA``, sectors as ids; problems). Nothing is returned typed while a problem remains."""
    name = display_name or Path(path).name
    ragged: list[Problem] = []
    try:
        h = reader.read_table(Path(path), display_name=name, limits=limits, problems=ragged)
    except Exception as exc:  # InputError from the reader carries its own problems
        return empty(), list(
            getattr(exc, "problems", [Problem(name, None, None, None, msg("problem.unreadable", why=str(exc)))])
        )
    problems = ragged + reader.header_problems(name, h.columns, REQUIRED, REQUIRED + OPTIONAL)
    if len(problems) > len(ragged):  # a header problem: the rows cannot be checked
        return empty(), problems
    h = h.with_columns([pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in h.columns])

    def where(mask: pl.Expr, column: str, expected) -> None:  # noqa: ANN001 - a Msg or text
        for row in h.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    numbers = [*AMOUNTS, *EMISSIONS, "lulucf"]
    names = sector_names()
    h = h.with_columns(
        *[reader.parse_number(pl.col(c)).alias(f"_{c}") for c in numbers],
        pl.col("data_quality").str.extract(r"^([1-5])$").cast(pl.Int64).alias("_data_quality"),
        pl.col("year").str.extract(r"^(\d{4})$").cast(pl.Int64).alias("_year"),
        pl.col("sector").str.to_lowercase().replace_strict(names, default=None).alias("_sector"),
        pl.col("asset_class").str.to_lowercase().alias("asset_class"),
        pl.col("emissions_basis").str.to_lowercase().alias("emissions_basis"),
    )
    where(pl.col("id").is_null(), "id", msg("problem.id_required"))
    where(pl.col("id").is_duplicated() & pl.col("id").is_not_null(), "id", msg("financed.problem.id_twice"))
    where(
        ~pl.col("asset_class").is_in(list(ASSET_CLASSES)),
        "asset_class",
        msg("problem.one_of", choices=", ".join(ASSET_CLASSES)),
    )
    for c in numbers:
        where(pl.col(c).is_not_null() & pl.col(f"_{c}").is_null(), c, msg("problem.number"))
    where(pl.col("_outstanding").is_null() & pl.col("outstanding").is_null(), "outstanding", msg("problem.number"))
    where(pl.col("_outstanding") < 0, "outstanding", msg("financed.problem.not_negative"))
    for c in ["evic", "total_equity_debt", "property_value", "revenue", "ppp_gdp"]:
        where(pl.col(f"_{c}") <= 0, c, msg("financed.problem.positive"))
    for c in EMISSIONS:
        where(pl.col(f"_{c}") < 0, c, msg("financed.problem.not_negative"))
    where(
        pl.col("emissions_basis").is_not_null() & ~pl.col("emissions_basis").is_in(list(BASES)),
        "emissions_basis",
        msg("problem.one_of", choices=", ".join(BASES)),
    )
    where(
        pl.col("data_quality").is_not_null() & pl.col("_data_quality").is_null(),
        "data_quality",
        msg("financed.problem.score"),
    )
    where(pl.col("year").is_not_null() & pl.col("_year").is_null(), "year", msg("financed.problem.year"))
    where(
        pl.col("sector").is_not_null() & pl.col("_sector").is_null(),
        "sector",
        msg("problem.one_of", choices=", ".join(sectors()["sector"].to_list())),
    )
    for asset_class, denominators in DENOMINATORS.items():
        where(
            (pl.col("asset_class") == asset_class)
            & pl.all_horizontal([pl.col(f"_{d}").is_null() & pl.col(d).is_null() for d in denominators]),
            denominators[0],
            msg("financed.problem.denominator", asset_class=asset_class, columns=" / ".join(denominators)),
        )
    where(
        (pl.col("asset_class") != "sovereign_debt") & pl.col("lulucf").is_not_null(),
        "lulucf",
        msg("financed.problem.lulucf_sovereign"),
    )
    # An issuer inventoried in dualcarbon gives its own figures and basis (financed.issuers): none typed beside it.
    issuer = pl.col("issuer_project").is_not_null()
    for c in ("scope1", "scope2", "scope3", "emissions_basis"):
        where(issuer & pl.col(c).is_not_null(), c, msg("financed.problem.issuer_given"))
    # Scope 1 and 2 are what PCAF always asks; blank means unknown, not zero: only a sector-average estimate
    # (PCAF option 3a, the sector's emissions per revenue times the counterparty's revenue) may leave them blank.
    estimated = pl.col("emissions_basis") == "sector_average"
    for c in ("scope1", "scope2"):
        where(
            pl.col(c).is_null() & ~estimated & ~issuer & pl.col("asset_class").is_in(list(ASSET_CLASSES)),
            c,
            msg("financed.problem.scope"),
        )
    blank = pl.col("scope1").is_null() & pl.col("scope2").is_null() & estimated
    where(blank & pl.col("_revenue").is_null(), "revenue", msg("financed.problem.estimate_revenue"))
    where(blank & pl.col("_sector").is_null(), "sector", msg("financed.problem.estimate_sector"))
    currencies = h["currency"].drop_nulls().unique().to_list()
    if len(currencies) > 1:
        first = h.filter(pl.col("currency").is_not_null())["currency"][0]
        where(
            pl.col("currency").is_not_null() & (pl.col("currency") != first),
            "currency",
            msg("financed.problem.one_currency", currency=first),
        )
    if problems:
        return empty(), problems
    typed = h.select(
        "_row",
        "id",
        "asset_class",
        "counterparty",
        *[pl.col(f"_{c}").alias(c) for c in ["outstanding"]],
        "currency",
        *[pl.col(f"_{c}").alias(c) for c in ["evic", "total_equity_debt", "property_value", "revenue"]],
        *[pl.col(f"_{c}").alias(c) for c in [*EMISSIONS, "lulucf", "ppp_gdp"]],
        pl.col("emissions_basis").fill_null("reported"),
        pl.col("_data_quality").alias("data_quality"),
        pl.col("_sector").alias("sector"),
        pl.col("_year").alias("year"),
        "issuer_project",
    )
    return typed.cast(pl.Schema(SCHEMA)).select(list(SCHEMA)), problems


BENCHMARK_REQUIRED = ["counterparty", "weight", "revenue", "sector"]
BENCHMARK_OPTIONAL = ["scope1", "scope2", "emissions_basis", "note"]
BENCHMARK_SCHEMA = {
    "_row": pl.Int64,
    "counterparty": pl.String,
    "weight": pl.Float64,
    "revenue": pl.Float64,
    "scope1": pl.Float64,
    "scope2": pl.Float64,
    "emissions_basis": pl.String,
    "sector": pl.String,
}


def load_benchmark(
    path: Path, display_name: str | None = None, limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[pl.DataFrame, list[Problem]]:
    """The benchmark index's constituents (``counterparty, weight, revenue, scope1, scope2, emissions_basis,
    sector``): weights as fractions or percentages (normalised to sum 1), Scope 1+2 blank only for a
    ``sector_average`` estimate."""
    name = display_name or Path(path).name
    ragged: list[Problem] = []
    try:
        b = reader.read_table(Path(path), display_name=name, limits=limits, problems=ragged)
    except Exception as exc:
        return pl.DataFrame(schema=BENCHMARK_SCHEMA), list(
            getattr(exc, "problems", [Problem(name, None, None, None, msg("problem.unreadable", why=str(exc)))])
        )
    known = BENCHMARK_REQUIRED + BENCHMARK_OPTIONAL
    problems = ragged + reader.header_problems(name, b.columns, BENCHMARK_REQUIRED, known)
    if len(problems) > len(ragged):
        return pl.DataFrame(schema=BENCHMARK_SCHEMA), problems
    b = b.with_columns([pl.lit(None, pl.String).alias(c) for c in BENCHMARK_OPTIONAL if c not in b.columns])
    b = b.with_columns(
        *[reader.parse_number(pl.col(c)).alias(f"_{c}") for c in ["weight", "revenue", "scope1", "scope2"]],
        pl.col("sector").str.to_lowercase().replace_strict(sector_names(), default=None).alias("_sector"),
        pl.col("emissions_basis").str.to_lowercase().fill_null("reported").alias("emissions_basis"),
    )

    def where(mask: pl.Expr, column: str, expected) -> None:  # noqa: ANN001 - a Msg or text
        for row in b.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    where(pl.col("counterparty").is_null(), "counterparty", msg("problem.id_required"))
    for c in ["weight", "revenue", "scope1", "scope2"]:
        where(pl.col(c).is_not_null() & pl.col(f"_{c}").is_null(), c, msg("problem.number"))
    where(pl.col("weight").is_null(), "weight", msg("problem.number"))
    where(pl.col("_weight") < 0, "weight", msg("financed.problem.not_negative"))
    where(pl.col("revenue").is_null() | (pl.col("_revenue") <= 0), "revenue", msg("financed.problem.positive"))
    where(
        pl.col("_sector").is_null(), "sector", msg("problem.one_of", choices=", ".join(sectors()["sector"].to_list()))
    )
    where(
        ~pl.col("emissions_basis").is_in(list(BASES)),
        "emissions_basis",
        msg("problem.one_of", choices=", ".join(BASES)),
    )
    estimated = pl.col("emissions_basis") == "sector_average"
    for c in ("scope1", "scope2"):
        where(pl.col(c).is_null() & ~estimated, c, msg("financed.problem.scope"))
        where(pl.col(f"_{c}") < 0, c, msg("financed.problem.not_negative"))
    if not problems and not b["_weight"].sum() > 0:
        problems.append(Problem(name, None, "weight", None, msg("financed.problem.weights")))
    if problems:
        return pl.DataFrame(schema=BENCHMARK_SCHEMA), problems
    typed = b.select(
        "_row",
        "counterparty",
        (pl.col("_weight") / pl.col("_weight").sum()).alias("weight"),
        pl.col("_revenue").alias("revenue"),
        pl.col("_scope1").alias("scope1"),
        pl.col("_scope2").alias("scope2"),
        "emissions_basis",
        pl.col("_sector").alias("sector"),
    )
    return typed.cast(pl.Schema(BENCHMARK_SCHEMA)), problems
