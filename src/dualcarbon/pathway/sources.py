"""Base-year emission sources and the selectors that name groups of them.

A *source* is one line of the inventory: activity key × scope × category × facility, with its
CO2e in the inventory year. Growth rates, measures and sector cuts name sources with a
*selector* (docs/pathway.md, "Selectors"):

- ``fuel/raw_coal``: an activity key; ``fuel/`` or ``fuel/*``: every key under it;
- ``category:1.stationary``, ``scope:2``, ``facility:一号熟料线``: by column;
- ``all`` (or ``*``): everything; several selectors joined with ``;`` mean their union.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dualcarbon.errors import msg
from dualcarbon.sums import exact_sum

COLUMNS = ["key", "scope", "category", "facility"]
PREFIXES = {"category": "category", "scope": "scope", "facility": "facility"}
_KEY = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*(/\*?)?$")


@dataclass(frozen=True)
class Term:
    """One part of a selector: a column and a value; ``prefix`` for key families (``fuel/*``)."""

    column: str
    value: str
    prefix: bool = False

    def expr(self) -> pl.Expr:
        if self.column == "all":
            return pl.lit(True)
        if self.prefix:
            return pl.col("key").str.starts_with(self.value)
        return pl.col(self.column) == self.value

    @property
    def rank(self) -> tuple[int, int]:
        """Specificity, for growth rates: exact key > key family (longer first) > facility > category > scope > all."""
        order = {"key": 5, "facility": 3, "category": 2, "scope": 1, "all": 0}
        if self.prefix:
            return (4, len(self.value))
        return (order[self.column], len(self.value))


def parse(selector: str) -> list[Term]:
    """The terms of a selector; ValueError with what is expected when one is malformed."""
    terms = []
    for part in (p.strip() for p in str(selector).split(";")):
        if not part:
            continue
        if part in ("all", "*"):
            terms.append(Term("all", ""))
        elif ":" in part:
            column, value = (s.strip() for s in part.split(":", 1))
            if column not in PREFIXES or not value:
                raise ValueError(msg("problem.selector_prefix", part=part))
            if column == "scope" and value not in ("1", "2", "3"):
                raise ValueError(msg("problem.selector_scope", part=part))
            terms.append(Term(PREFIXES[column], value))
        elif _KEY.match(part):
            if part.endswith("/*") or part.endswith("/"):
                terms.append(Term("key", part.rstrip("*"), prefix=True))
            else:
                terms.append(Term("key", part))
        else:
            raise ValueError(msg("problem.selector", part=part))
    if not terms:
        raise ValueError(msg("problem.selector_empty"))
    return terms


def mask(selector: str | None) -> pl.Expr:
    """Boolean expression over a sources frame: the sources the selector names (None = all)."""
    if selector is None:
        return pl.lit(True)
    exprs = [t.expr() for t in parse(selector)]
    return pl.any_horizontal(exprs) if len(exprs) > 1 else exprs[0]


def base_sources(emissions: pl.DataFrame, scopes: Sequence[str], scope2: str = "location") -> pl.DataFrame:
    """CO2e by source (key, scope, category, facility) from a run's emission rows.

    Counts rows as the inventory does (inventory.py): biogenic CO2 excluded, Scope 2 rows of the
    chosen method (GHG Protocol Scope 2 Guidance §7.1) plus rows valid for both methods.
    """
    e = emissions
    if "facility" not in e.columns:
        e = e.with_columns(pl.lit("").alias("facility"))
    counted = ~pl.col("biogenic") & (pl.col("scope2_method").is_null() | (pl.col("scope2_method") == scope2))
    return (
        e.filter(counted & pl.col("scope").is_in(scopes))
        .group_by(pl.col("key"), pl.col("scope"), pl.col("category"), pl.col("facility").fill_null(""))
        .agg(exact_sum("co2e_t"))  # the same BAU digit for digit in every run
        .filter(pl.col("co2e_t") != 0)
        .sort(COLUMNS)
        .with_row_index("source")
        .with_columns(pl.col("source").cast(pl.Int64))
    )
