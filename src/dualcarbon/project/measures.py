"""``measures.csv`` (or .xlsx/.parquet): abatement and removal measures for the pathway (docs/pathway.md).

Every problem is reported with file, row, column, the value found and what was expected; the
records are built only when the whole file is valid.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.pathway import sources as src
from dualcarbon.pathway.measures import Measure
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

NAME = "measures"
COLUMNS = [
    "id",
    "name_zh",
    "name_en",
    "kind",
    "applies_to",
    "share",
    "potential_t",
    "capex",
    "opex",
    "savings",
    "cost_per_t",
    "lifetime_years",
    "start_year",
    "ramp_up_years",
    "excludes",
    "partial",
    "latest_start_year",
    "max_build_per_year",
    "capacity_kw",
    "allowance_lost_t",
    "source",
    "note",
]
NUMBERS = [
    "share",
    "potential_t",
    "capex",
    "opex",
    "savings",
    "cost_per_t",
    "lifetime_years",
    "start_year",
    "ramp_up_years",
    "latest_start_year",
    "max_build_per_year",
    "capacity_kw",
    "allowance_lost_t",
]
TRUE, FALSE = {"true", "yes", "y", "1", "是", "t"}, {"false", "no", "n", "0", "否", "f"}


def find(root: Path) -> Path | None:
    """The project's measures table, if any."""
    paths = [p for p in sorted(root.glob(f"{NAME}.*")) if p.suffix.lower() in (".csv", ".tsv", ".xlsx", ".parquet")]
    return paths[0] if paths else None


def load_measures(path: Path, limits: ReadLimits = reader.DEFAULT_LIMITS) -> tuple[list[Measure], list[Problem]]:
    """(measures, problems) of one measures table, read within ``limits``."""
    name = path.name
    ragged: list[Problem] = []  # rows with more fields than the header: reported, the others checked
    try:
        m = reader.read_table(path, display_name=name, limits=limits, problems=ragged)
    except Exception as exc:  # InputError from the reader carries its own problems
        return [], list(
            getattr(exc, "problems", [Problem(name, None, None, None, msg("problem.unreadable", why=str(exc)))])
        )
    problems = ragged + [
        Problem(name, 1, col, None, msg("problem.required_column")) for col in ("id",) if col not in m.columns
    ]
    if not {"share", "potential_t"} & set(m.columns):
        problems.append(Problem(name, 1, "share", None, msg("problem.share_column")))
    unknown = [c for c in m.columns if not c.startswith("_") and c not in COLUMNS]
    problems += [
        Problem(name, 1, c, None, msg("problem.unknown_column_of", choices=", ".join(COLUMNS))) for c in unknown
    ]
    if len(problems) > len(ragged):  # a header problem: the rows cannot be checked
        return [], problems
    for col in COLUMNS:
        if col not in m.columns:
            m = m.with_columns(pl.lit(None, pl.String).alias(col))
    m = m.with_columns(
        *[reader.parse_number(pl.col(c)).alias(f"_{c}") for c in NUMBERS],
        pl.col("kind").str.to_lowercase().fill_null("abatement").alias("_kind"),
        pl.col("partial").str.to_lowercase().alias("_partial"),
    )

    def where(mask: pl.Expr, column: str, expected: str) -> None:
        for row in m.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    removal = pl.col("_kind") == "removal"
    where(pl.col("id").is_null(), "id", msg("problem.id_required"))
    where(pl.col("id").is_duplicated() & pl.col("id").is_not_null(), "id", msg("problem.measure_twice"))
    where(pl.col("name_zh").is_null() & pl.col("name_en").is_null(), "name_en", msg("problem.name_required"))
    where(~pl.col("_kind").is_in(["abatement", "removal"]), "kind", msg("problem.measure_kind"))
    for col in NUMBERS:
        where(pl.col(col).is_not_null() & pl.col(f"_{col}").is_null(), col, msg("problem.number"))
    where(
        ~removal & pl.col("applies_to").is_null(),
        "applies_to",
        msg("problem.applies_to_required"),
    )
    where(
        ~removal & pl.col("_share").is_null() & pl.col("_potential_t").is_null(),
        "share",
        msg("problem.share_or_potential"),
    )
    where(
        pl.col("_share").is_not_null() & pl.col("_potential_t").is_not_null(),
        "potential_t",
        msg("problem.share_and_potential"),
    )
    where(removal & pl.col("_potential_t").is_null(), "potential_t", msg("problem.removal_potential"))
    where(removal & pl.col("_share").is_not_null(), "share", msg("problem.removal_share"))
    where(
        (pl.col("_share") <= 0) | (pl.col("_share") > 1),
        "share",
        msg("problem.share_range"),
    )
    where(pl.col("_potential_t") <= 0, "potential_t", msg("problem.potential_positive"))
    for col in ("capex", "savings"):
        where(pl.col(f"_{col}") < 0, col, msg("problem.cost_negative"))
    for col in ("capacity_kw", "allowance_lost_t"):
        where(pl.col(f"_{col}") < 0, col, msg("problem.non_negative"))
    for col, low in (("lifetime_years", 1), ("ramp_up_years", 1)):
        where((pl.col(f"_{col}") < low) | (pl.col(f"_{col}") % 1 != 0), col, msg("problem.whole_years", low=low))
    where(
        (pl.col("_start_year") < 1900) | (pl.col("_start_year") > 2200) | (pl.col("_start_year") % 1 != 0),
        "start_year",
        msg("problem.year_measure"),
    )
    where(
        (pl.col("_latest_start_year") < 1900)
        | (pl.col("_latest_start_year") > 2200)
        | (pl.col("_latest_start_year") % 1 != 0),
        "latest_start_year",
        msg("plan.problem.latest_start_year"),
    )
    where(
        pl.col("_latest_start_year") < pl.col("_start_year"),
        "latest_start_year",
        msg("plan.problem.latest_before_start"),
    )
    where(
        (pl.col("_max_build_per_year") <= 0) | (pl.col("_max_build_per_year") > 1),
        "max_build_per_year",
        msg("plan.problem.max_build_range"),
    )
    where(
        (pl.col("_max_build_per_year") < 1) & ~pl.col("_partial").is_in(sorted(TRUE)).fill_null(False),
        "max_build_per_year",
        msg("plan.problem.max_build_partial"),
    )
    where(
        pl.col("_partial").is_not_null() & ~pl.col("_partial").is_in(sorted(TRUE | FALSE)),
        "partial",
        msg("problem.true_false"),
    )
    ids = set(m["id"].drop_nulls().to_list())
    for row in m.filter(pl.col("applies_to").is_not_null()).iter_rows(named=True):
        try:
            src.parse(row["applies_to"])
        except ValueError as exc:
            problems.append(Problem(name, row["_row"], "applies_to", row["applies_to"], _selector_msg(exc)))
    for row in m.filter(pl.col("excludes").is_not_null()).iter_rows(named=True):
        for other in _split(row["excludes"]):
            if other == row["id"]:
                problems.append(Problem(name, row["_row"], "excludes", row["excludes"], msg("problem.exclude_self")))
            elif other not in ids:
                problems.append(Problem(name, row["_row"], "excludes", other, msg("problem.exclude_unknown")))
    if problems:
        return [], sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
    out = []
    for r in m.iter_rows(named=True):
        removal_row = r["_kind"] == "removal"
        out.append(
            Measure(
                id=r["id"],
                name_zh=r["name_zh"] or "",
                name_en=r["name_en"] or "",
                applies_to=None if removal_row else r["applies_to"],
                kind=r["_kind"],
                share=r["_share"],
                potential_t=r["_potential_t"],
                capex=r["_capex"] or 0.0,
                opex=r["_opex"] or 0.0,
                savings=r["_savings"] or 0.0,
                cost_per_t=r["_cost_per_t"] or 0.0,
                lifetime_years=int(r["_lifetime_years"] or 20),
                start_year=_int(r["_start_year"]),
                ramp_up_years=int(r["_ramp_up_years"] or 1),
                excludes=tuple(_split(r["excludes"])),
                partial=(r["_partial"] in TRUE),
                latest_start_year=_int(r["_latest_start_year"]),
                max_build_per_year=r["_max_build_per_year"],
                capacity_kw=r["_capacity_kw"],
                allowance_lost_t=r["_allowance_lost_t"] or 0.0,
                source=r["source"] or "",
                row=r["_row"],
            )
        )
    return out, []


def _selector_msg(exc: ValueError) -> str:
    """The problem of an ``applies_to`` selector: the catalogue message ``sources.parse`` raised, if any."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ";").replace(",", ";").split(";") if p.strip()]


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)
