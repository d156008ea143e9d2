"""``instruments.csv`` (fiscal instruments) and a carbon price file (``prices.csv``) for the pathway
(docs/pathway.md, "Carbon prices and fiscal support").

Every problem is reported with file, row, column, the value found and what was expected; the records are
built only when the whole file is valid.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.pathway import fiscal, prices
from dualcarbon.pathway import sources as src
from dualcarbon.pathway.measures import Measure
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

NAME = "instruments"
COLUMNS = [
    "id",
    "name_zh",
    "name_en",
    "kind",
    "measures",
    "applies_to",
    "tiers",
    "output",
    "output_unit",
    "rate",
    "amount",
    "cap",
    "loan_share",
    "loan_years",
    "from_year",
    "to_year",
    "document",
    "article",
    "status",
    "note",
]
NUMBERS = ["output", "rate", "amount", "cap", "loan_share", "loan_years", "from_year", "to_year"]
REQUIRED = ["id", "kind", "document", "article", "status"]
PRICE_COLUMNS = ["year", "price", "currency", "status", "source", "basis", "note"]


def find(root: Path, name: str | None = None) -> Path | None:
    """The project's instruments table: ``name`` when given (it must exist), else ``instruments.*`` if any."""
    if name is not None:
        return root / name
    paths = [p for p in sorted(root.glob(f"{NAME}.*")) if p.suffix.lower() in (".csv", ".tsv", ".xlsx", ".parquet")]
    return paths[0] if paths else None


def _read(path: Path, limits: ReadLimits) -> tuple[pl.DataFrame | None, list[Problem]]:
    ragged: list[Problem] = []
    if not path.is_file():
        return None, [Problem(path.name, None, None, None, msg("fiscal.problem.missing_file"))]
    try:
        return reader.read_table(path, display_name=path.name, limits=limits, problems=ragged), ragged
    except Exception as exc:  # InputError from the reader carries its own problems
        problems = getattr(exc, "problems", [Problem(path.name, None, None, None, msg("problem.unreadable", why=exc))])
        return None, list(problems)


def load_instruments(
    path: Path, measures: list[Measure], limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[list[fiscal.Instrument], list[Problem]]:
    """(instruments, problems) of one instruments table; ``measures`` are the project's (ids it may name)."""
    name = path.name
    m, problems = _read(path, limits)
    if m is None:
        return [], problems
    header = [Problem(name, 1, c, None, msg("problem.required_column")) for c in REQUIRED if c not in m.columns]
    unknown = [c for c in m.columns if not c.startswith("_") and c not in COLUMNS]
    header += [Problem(name, 1, c, None, msg("problem.unknown_column_of", choices=", ".join(COLUMNS))) for c in unknown]
    if header:
        return [], problems + header
    for col in COLUMNS:
        if col not in m.columns:
            m = m.with_columns(pl.lit(None, pl.String).alias(col))
    m = m.with_columns(
        *[reader.parse_number(pl.col(c)).alias(f"_{c}") for c in NUMBERS],
        pl.col("kind").str.strip_chars().str.to_lowercase().alias("_kind"),
        pl.col("status").str.strip_chars().str.to_lowercase().alias("_status"),
    )

    def where(mask: pl.Expr, column: str, expected) -> None:
        for row in m.filter(mask.fill_null(False)).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    kind = pl.col("_kind")
    where(pl.col("id").is_null(), "id", msg("problem.id_required"))
    where(pl.col("id").is_duplicated() & pl.col("id").is_not_null(), "id", msg("fiscal.problem.twice"))
    where(~kind.is_in(fiscal.KINDS), "kind", msg("problem.one_of", choices=", ".join(fiscal.KINDS)))
    where(
        ~pl.col("_status").is_in(fiscal.STATUSES), "status", msg("problem.one_of", choices=", ".join(fiscal.STATUSES))
    )
    for col in ("document", "article"):
        where(pl.col(col).is_null(), col, msg(f"fiscal.problem.{col}"))
    for col in NUMBERS:
        where(pl.col(col).is_not_null() & pl.col(f"_{col}").is_null(), col, msg("problem.number"))
    for need in ("rate", "amount"):
        kinds = [k for k, v in fiscal.NEEDS.items() if v == need]
        where(kind.is_in(kinds) & pl.col(f"_{need}").is_null(), need, msg(f"fiscal.problem.{need}_required"))
    shares = ["capital_share", "tax_credit"]
    where(kind.is_in(shares) & ((pl.col("_rate") <= 0) | (pl.col("_rate") > 1)), "rate", msg("fiscal.problem.share"))
    where(
        (kind == "interest") & ((pl.col("_rate") <= 0) | (pl.col("_rate") >= 1)), "rate", msg("fiscal.problem.points")
    )
    where(pl.col("_amount") < 0, "amount", msg("problem.non_negative"))
    where(pl.col("_cap") < 0, "cap", msg("problem.non_negative"))
    where((pl.col("_loan_share") <= 0) | (pl.col("_loan_share") > 1), "loan_share", msg("fiscal.problem.share"))
    where(
        (pl.col("_loan_years") < 1) | (pl.col("_loan_years") % 1 != 0), "loan_years", msg("problem.whole_years", low=1)
    )
    for col in ("from_year", "to_year"):
        where(
            (pl.col(f"_{col}") < 1900) | (pl.col(f"_{col}") > 2200) | (pl.col(f"_{col}") % 1 != 0),
            col,
            msg("problem.year_measure"),
        )
    where(pl.col("_to_year") < pl.col("_from_year"), "to_year", msg("fiscal.problem.to_before_from"))
    levy = kind.is_in(fiscal.LEVIES)
    where(levy & pl.col("applies_to").is_null(), "applies_to", msg("fiscal.problem.levy_applies_to"))
    where(~levy & pl.col("applies_to").is_not_null(), "applies_to", msg("fiscal.problem.support_applies_to"))
    where(levy & pl.col("measures").is_not_null(), "measures", msg("fiscal.problem.levy_measures"))
    tiered = kind == "levy_tiered"
    where(tiered & pl.col("tiers").is_null(), "tiers", msg("fiscal.problem.tiers"))
    where(tiered & pl.col("output").is_null(), "output", msg("fiscal.problem.output"))
    where(tiered & (pl.col("_output") <= 0), "output", msg("fiscal.problem.output"))
    where(~tiered & pl.col("tiers").is_not_null(), "tiers", msg("fiscal.problem.tiers_only"))
    where(~tiered & pl.col("output").is_not_null(), "output", msg("fiscal.problem.tiers_only"))
    where(tiered & pl.col("amount").is_not_null(), "amount", msg("fiscal.problem.tiers_amount"))
    tiers: dict[int, tuple[tuple[float, float], ...]] = {}
    for row in m.filter(tiered & pl.col("tiers").is_not_null()).iter_rows(named=True):
        try:
            tiers[row["_row"]] = fiscal.parse_tiers(row["tiers"])
        except ValueError:
            problems.append(Problem(name, row["_row"], "tiers", row["tiers"], msg("fiscal.problem.tiers")))
    by_id = {x.id: x for x in measures}
    for row in m.filter(pl.col("applies_to").is_not_null()).iter_rows(named=True):
        try:
            src.parse(row["applies_to"])
        except ValueError as exc:
            text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            problems.append(Problem(name, row["_row"], "applies_to", row["applies_to"], text))
    for row in m.filter(~levy).iter_rows(named=True):
        named = _split(row["measures"])
        for other in named:
            if other not in by_id:
                choices = ", ".join(by_id) or "–"
                problems.append(
                    Problem(
                        name, row["_row"], "measures", other, msg("fiscal.problem.unknown_measure", choices=choices)
                    )
                )
        if row["_kind"] == "capital_per_kw":
            lacking = [i for i in (named or by_id) if i in by_id and by_id[i].capacity_kw is None]
            if lacking:
                problems.append(
                    Problem(
                        name,
                        row["_row"],
                        "measures",
                        row["measures"],
                        msg("fiscal.problem.capacity_kw", measures=", ".join(lacking)),
                    )
                )
    if problems:
        return [], sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
    out = []
    for r in m.iter_rows(named=True):
        out.append(
            fiscal.Instrument(
                id=r["id"],
                kind=r["_kind"],
                name_zh=r["name_zh"] or "",
                name_en=r["name_en"] or "",
                measures=tuple(_split(r["measures"])),
                applies_to=r["applies_to"],
                tiers=tiers.get(r["_row"], ()),
                output=r["_output"],
                output_unit=r["output_unit"] or "",
                rate=r["_rate"],
                amount=r["_amount"],
                cap=r["_cap"],
                loan_share=r["_loan_share"] if r["_loan_share"] is not None else 1.0,
                loan_years=int(r["_loan_years"] or 5),
                from_year=None if r["_from_year"] is None else int(r["_from_year"]),
                to_year=None if r["_to_year"] is None else int(r["_to_year"]),
                document=r["document"],
                article=r["article"],
                status=r["_status"],
                note=r["note"] or "",
                row=r["_row"],
            )
        )
    return out, []


def load_prices(
    path: Path, limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[prices.PriceSeries | None, list[Problem]]:
    """A user's carbon price file: ``year``, ``price`` (per t CO2), optional ``currency`` (one for the file),
    ``status`` (read, second-hand, unconfirmed, assumption; default unconfirmed), ``source``, ``basis``, ``note``."""
    name = path.name
    m, problems = _read(path, limits)
    if m is None:
        return None, problems
    header = [
        Problem(name, 1, c, None, msg("problem.required_column")) for c in ("year", "price") if c not in m.columns
    ]
    unknown = [c for c in m.columns if not c.startswith("_") and c not in PRICE_COLUMNS]
    header += [
        Problem(name, 1, c, None, msg("problem.unknown_column_of", choices=", ".join(PRICE_COLUMNS))) for c in unknown
    ]
    if header:
        return None, problems + header
    for col in PRICE_COLUMNS:
        if col not in m.columns:
            m = m.with_columns(pl.lit(None, pl.String).alias(col))
    m = m.with_columns(
        reader.parse_number(pl.col("year")).alias("_year"),
        reader.parse_number(pl.col("price")).alias("_price"),
        pl.col("status").str.strip_chars().str.to_lowercase().fill_null("unconfirmed").alias("_status"),
    )
    for row in m.iter_rows(named=True):
        y, p = row["_year"], row["_price"]
        if y is None or y % 1 != 0 or not 1900 <= y <= 2200:
            problems.append(Problem(name, row["_row"], "year", row["year"], msg("problem.year_measure")))
        if p is None or p < 0:
            problems.append(Problem(name, row["_row"], "price", row["price"], msg("fiscal.problem.price")))
        if row["_status"] not in prices.STATUSES:
            choices = ", ".join(prices.STATUSES)
            problems.append(Problem(name, row["_row"], "status", row["status"], msg("problem.one_of", choices=choices)))
    for row in m.filter(pl.col("_year").is_duplicated() & pl.col("_year").is_not_null()).iter_rows(named=True):
        problems.append(Problem(name, row["_row"], "year", row["year"], msg("fiscal.problem.year_twice")))
    currencies = sorted(set(m["currency"].drop_nulls().str.strip_chars().to_list()))
    if len(currencies) > 1:
        problems.append(Problem(name, None, "currency", ", ".join(currencies), msg("fiscal.problem.one_currency")))
    if m.height == 0:
        problems.append(Problem(name, None, "price", None, msg("fiscal.problem.no_prices")))
    if problems:
        return None, sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
    points = tuple(
        prices.PricePoint(int(r["_year"]), float(r["_price"]), r["_status"], r["source"] or "", r["basis"] or "")
        for r in m.sort("_year").iter_rows(named=True)
    )
    return prices.PriceSeries(name, currencies[0] if currencies else "", points), []


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ";").replace(",", ";").split(";") if p.strip()]
