"""``credits.csv``: Scope 2 contractual instruments and retired carbon credits (DESIGN.md).

One row per instrument or credit batch. An id may appear once. Scope 2 instruments whose serial
ranges overlap in one registry are errors (GHG Protocol Scope 2 Quality Criterion 2, "convey
claims uniquely"); carbon credits claimed twice are a failed check of the neutrality assessment
(ISO 14068-1:2023 11.3 g), double counting), which names them and leaves them out of the balance.
Every row is also returned typed (``neutrality.records.CREDIT_SCHEMA``) for that assessment.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon import units
from dualcarbon.errors import Problem, msg
from dualcarbon.methods.electricity import SCOPE2_TYPES
from dualcarbon.neutrality import serials
from dualcarbon.neutrality.records import CREDIT_SCHEMA, CREDIT_STATUS, empty
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

CREDIT_TYPES = {"CCER", "CEA", "VCS", "GS", "CDM"}
COLUMNS = [
    "id",
    "type",
    "quantity",
    "unit",
    "factor",
    "facility",
    "region",
    "vintage",
    "registry",
    "serial_start",
    "serial_end",
    "project_type",
    "removal",
    "retired_on",
    "beneficiary",
    "status",
    "project_id",
    "project_url",
    "permanence_evidence",
]
#: Texts of the ``removal`` column: removal credit (true) or avoidance/reduction credit (false).
REMOVAL_WORDS = {
    "true": True,
    "yes": True,
    "1": True,
    "removal": True,
    "是": True,
    "清除": True,
    "false": False,
    "no": False,
    "0": False,
    "avoidance": False,
    "reduction": False,
    "否": False,
    "减排": False,
}


def _empty_instruments() -> pl.DataFrame:
    from dualcarbon.engine import electricity_instrument_schema

    return pl.DataFrame(schema=electricity_instrument_schema())


def load_credits(
    root: Path, ureg, limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[pl.DataFrame, pl.DataFrame, list[Problem]]:
    """(Scope 2 instruments for the engine, every row typed as ``CREDIT_SCHEMA``, problems)
    from the optional credits file, read within ``limits``."""
    paths = [p for p in sorted(root.glob("credits.*")) if p.suffix.lower() in (".csv", ".tsv", ".xlsx", ".parquet")]
    if not paths:
        return _empty_instruments(), empty(CREDIT_SCHEMA), []
    path = paths[0]
    name = path.name
    ragged: list[Problem] = []  # rows with more fields than the header: reported, the others checked
    try:
        c = reader.read_table(path, display_name=name, limits=limits, problems=ragged)
    except Exception as exc:  # InputError from the reader carries its own problems
        return (
            _empty_instruments(),
            empty(CREDIT_SCHEMA),
            list(getattr(exc, "problems", [Problem(name, None, None, None, msg("problem.unreadable", why=str(exc)))])),
        )
    problems = ragged + [
        Problem(name, 1, col, None, msg("problem.required_column"))
        for col in ("id", "type", "quantity", "unit")
        if col not in c.columns
    ]
    if len(problems) > len(ragged):  # a header problem: the rows cannot be checked
        return _empty_instruments(), empty(CREDIT_SCHEMA), problems
    for col in COLUMNS:
        if col not in c.columns:
            c = c.with_columns(pl.lit(None, pl.String).alias(col))
    c = c.with_columns(
        pl.lit(name).alias("_file"),
        reader.parse_number(pl.col("quantity")).alias("_q"),
        reader.parse_number(pl.col("factor")).alias("_factor"),
        pl.col("vintage").str.extract(r"(\d{4})").cast(pl.Int32).alias("_vintage"),
        reader.parse_date(pl.col("retired_on")).alias("_retired_on"),
        pl.col("removal")
        .str.to_lowercase()
        .replace_strict(REMOVAL_WORDS, default=None, return_dtype=pl.Boolean)
        .alias("_removal"),
        pl.col("status").str.to_lowercase().alias("_status"),
    )

    def where(mask: pl.Expr, column: str, expected: str) -> None:  # a msg(...)
        for row in c.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    types = SCOPE2_TYPES | CREDIT_TYPES
    where(pl.col("id").is_null(), "id", msg("problem.id_required"))
    where(
        pl.col("id").is_duplicated() & pl.col("id").is_not_null(),
        "id",
        msg("problem.credit_twice"),
    )
    where(~pl.col("type").is_in(list(types)), "type", msg("problem.one_of", choices=", ".join(sorted(types))))
    where(pl.col("_q").is_null(), "quantity", msg("problem.number"))
    where(pl.col("_q") <= 0, "quantity", msg("problem.positive_quantity"))
    where(pl.col("vintage").is_not_null() & pl.col("_vintage").is_null(), "vintage", msg("problem.year"))
    where(
        (pl.col("type") == "supplier_factor") & pl.col("_factor").is_null(),
        "factor",
        msg("problem.supplier_factor_required"),
    )
    where(pl.col("factor").is_not_null() & pl.col("_factor").is_null(), "factor", msg("problem.factor_number"))

    credit = pl.col("type").is_in(list(CREDIT_TYPES))
    where(
        credit & pl.col("retired_on").is_not_null() & pl.col("_retired_on").is_null(),
        "retired_on",
        msg("problem.date_retired"),
    )
    where(
        credit & pl.col("removal").is_not_null() & pl.col("_removal").is_null(),
        "removal",
        msg("problem.removal"),
    )
    where(
        credit & pl.col("_status").is_not_null() & ~pl.col("_status").is_in(list(CREDIT_STATUS)),
        "status",
        msg("problem.credit_status", choices=", ".join(sorted(CREDIT_STATUS))),
    )

    # Scope 2 certificates: overlapping serial ranges in one registry = the same MWh used twice
    kinds = dict(c.select("id", "type").iter_rows())
    for row in serials.overlaps(c).iter_rows(named=True):
        if kinds[row["id"]] in SCOPE2_TYPES or kinds[row["id_b"]] in SCOPE2_TYPES:
            problems.append(
                Problem(
                    name,
                    row["_row_b"],
                    "serial_start",
                    row["serial_start_b"],
                    msg("problem.serial_overlap", row=row["_row"], id=row["id"]),
                )
            )

    conv = units.conversion_table(c["unit"].drop_nulls().unique().to_list(), ureg)
    c = c.join(conv, on="unit", how="left")
    scope2 = pl.col("type").is_in(list(SCOPE2_TYPES))
    where(
        scope2 & (pl.col("dimension") != "energy"),
        "unit",
        msg("problem.instrument_unit"),
    )
    where(
        ~scope2
        & ~pl.col("unit")
        .fill_null("")
        .str.to_lowercase()
        .str.replace_all(r"[\s·.]", "")
        .is_in(["tco2e", "tco2", "tonneco2e", "tco2eq", "吨二氧化碳当量", "吨"]),
        "unit",
        msg("problem.credit_unit"),
    )
    if problems:
        return _empty_instruments(), empty(CREDIT_SCHEMA), problems
    instruments = c.filter(scope2).select(
        pl.col("id"),
        pl.col("type"),
        (pl.col("_q") * pl.col("to_base") / 3.6).alias("mwh"),
        pl.col("_factor").alias("factor_kg_per_kwh"),
        pl.col("facility"),
        pl.col("region").str.to_uppercase(),
        pl.col("_vintage").alias("vintage"),
        pl.col("status").str.to_lowercase(),
    )
    typed = c.select(
        pl.col("_row"),
        pl.col("id"),
        pl.when(scope2).then(pl.lit("instrument")).otherwise(pl.lit("credit")).alias("kind"),
        pl.col("type"),
        pl.when(scope2).then(None).otherwise(pl.col("_q")).alias("quantity_t"),
        pl.when(scope2).then(pl.col("_q") * pl.col("to_base") / 3.6).alias("mwh"),
        pl.col("facility"),
        pl.col("region").str.to_uppercase(),
        pl.col("_vintage").alias("vintage"),
        pl.col("registry"),
        pl.col("serial_start"),
        pl.col("serial_end"),
        pl.col("project_type"),
        pl.col("project_id"),
        pl.col("project_url"),
        pl.col("_removal").alias("removal"),
        pl.col("_retired_on").alias("retired_on"),
        pl.col("beneficiary"),
        pl.col("_status").alias("status"),
        pl.col("permanence_evidence"),
    )
    return instruments, typed.cast(pl.Schema(CREDIT_SCHEMA)), []
