"""Factor search for people (``dualcarbon factors search``, ``GET /api/factors``, the dashboard).

What fits comes first: factors of the project's country (the project's region and its fallback chain
in order, then the country's other regions, then GLOBAL, then other countries), then factors published in
the page's language, then the factor sets in the project's precedence order; within those, a key
that *is* the text searched for before keys that only contain it, then the library's own order.
Without a project the country is the page language's home (zh → CN) and the precedence that
country's default (``model.DEFAULT_FACTOR_SETS``).

Each row also gets a Chinese and an English name: the catalogue's name of its key (``activities.csv``,
else ``factor_names.csv``), else the Chinese part of the source's own name where it has one
('无烟煤 anthracite'), else the name of the key's nearest parent in those two files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from dualcarbon.factors.library import FactorLibrary, _read_data_csv
from dualcarbon.model import DEFAULT_FACTOR_SETS, Settings

#: A page language's home country, used when no project is chosen.
LANG_HOME = {"zh": "CN"}
_CJK = "[\u3400-\u9fff\uf900-\ufaff]"
#: The Chinese part of a bilingual source name: '无烟煤 anthracite' → '无烟煤', '华北 North China grid' → '华北'.
_ZH_HEAD = re.compile(rf"^(.*?{_CJK}[^A-Za-z]*?)\s+[A-Za-z(]")


@dataclass(frozen=True)
class Fit:
    """What a person's search should put first: their country and region, language and set precedence."""

    country: str | None = None
    region: str | None = None
    lang: str | None = None
    precedence: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: Settings | None = None, lang: str | None = None) -> Fit:
        """From a project's settings (its country, region and factor sets), else from the language alone."""
        if settings is not None:
            org = settings.organization
            return cls(org.country, org.region, lang, tuple(settings.factor_sets()))
        country = LANG_HOME.get(lang or "")
        return cls(country, None, lang, tuple(DEFAULT_FACTOR_SETS.get(country or "", ())))


@dataclass(frozen=True)
class Filters:
    """Narrow a search: text in a key, alias or name; factor sets; a region (and the regions within it);
    a gas; a year (exact: undated defaults have none)."""

    text: str = ""
    sets: tuple[str, ...] = ()
    region: str | None = None
    gas: str | None = None
    year: int | None = None

    def empty(self) -> bool:
        return not (self.text.strip() or self.sets or self.region or self.gas or self.year is not None)


@dataclass
class Found:
    """One page of a search: the rows (ranked), how many matched in all, and where the page starts."""

    total: int
    offset: int
    rows: pl.DataFrame = field(repr=False)


def names(library: FactorLibrary) -> pl.DataFrame:
    """``key, name_zh, parent_zh, name_en`` for every key in the library: the catalogue's names, else
    those of ``factor_names.csv``; ``parent_zh`` the name of the nearest parent key named there (a key
    prefix names every key under it)."""
    catalog = library.catalog
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for row in catalog.iter_rows(named=True):
        key = row["key"].removesuffix("/*")
        zh[key], en[key] = row["name_zh"], row["name_en"]
    for row in _read_data_csv("factor_names.csv").iter_rows(named=True):
        zh.setdefault(row["key"], row["name_zh"])
    out = []
    for key in library.factors["key"].drop_nulls().unique().sort().to_list():
        parts = key.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
        out.append((key, zh.get(key), next((zh[p] for p in prefixes if p in zh), None), en.get(key)))
    schema = {"key": pl.String, "name_zh": pl.String, "parent_zh": pl.String, "name_en": pl.String}
    return pl.DataFrame(out, schema=schema, orient="row")


def key_names(library: FactorLibrary, keys: list[str]) -> dict[str, tuple[str, str]]:
    """(Chinese, English) display names of activity keys, e.g. a product's background processes: the
    catalogue's names of the key, else ``factor_names.csv``'s Chinese name and the source's own name of its
    factors (USEEIO's 'Other Animal Food Manufacturing'), else the nearest named parent with the key's last
    part ('外购商品和服务（按支出） 311119'), else the key itself."""
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for row in library.catalog.iter_rows(named=True):
        if not row["key"].endswith("/*"):
            zh[row["key"]], en[row["key"]] = row["name_zh"], row["name_en"]
    parents: dict[str, str] = {}
    for row in library.catalog.iter_rows(named=True):
        parents.setdefault(row["key"].removesuffix("/*"), row["name_zh"])
    for row in _read_data_csv("factor_names.csv").iter_rows(named=True):
        zh.setdefault(row["key"], row["name_zh"])
        parents.setdefault(row["key"], row["name_zh"])
    wanted = [k for k in keys if not (zh.get(k) and en.get(k))]
    source = (
        library.factors.filter(pl.col("key").is_in(wanted)).unique("key", keep="first", maintain_order=True)
        if wanted
        else library.factors.clear()
    )
    source_name = {k: n for k, n in zip(source["key"], source["name"], strict=True) if n}
    out: dict[str, tuple[str, str]] = {}
    for key in keys:
        parts = key.split("/")
        parent = next(
            (parents["/".join(parts[:i])] for i in range(len(parts) - 1, 0, -1) if "/".join(parts[:i]) in parents), None
        )
        name_zh = zh.get(key) or (re.match(_ZH_HEAD, source_name.get(key, "")) or [None, None])[1]
        if not name_zh:
            name_zh = f"{parent} {parts[-1]}" if parent else key
        name_en = en.get(key) or source_name.get(key) or key
        out[key] = (name_zh.strip(), name_en)
    return out


def _country_of(library: FactorLibrary) -> dict[str, str | None]:
    """Each region's country (CN-NCG → CN, CN-BJ → CN, US-CAMX → US); GLOBAL and unknown ones → None."""
    levels = dict(zip(library.regions["region"], library.regions["level"], strict=True))
    out: dict[str, str | None] = {}
    for region in library.factors["region"].drop_nulls().unique().to_list():
        chain = library.region_chain(region)
        country = next((r for r in chain if levels.get(r) == "country"), None)
        if country is None and "-" in region and levels.get(region.split("-")[0]) == "country":
            country = region.split("-")[0]
        out[region] = country
    return out


def _within(library: FactorLibrary, region: str) -> list[str]:
    """The regions a region filter takes in: the region and every region whose fallback chain holds it."""
    return [r for r in library.factors["region"].drop_nulls().unique().to_list() if region in library.region_chain(r)]


def search(library: FactorLibrary, filters: Filters, fit: Fit = Fit(), offset: int = 0, limit: int = 50) -> Found:
    """The factors matching ``filters``, what fits ``fit`` first, rows ``offset`` to ``offset + limit``."""
    frame = library.factors.with_row_index("_order")
    named = frame.join(names(library), on="key", how="left")
    source_zh = pl.col("name").str.extract(_ZH_HEAD.pattern, 1).str.strip_chars()
    has_zh = pl.col("name").str.contains(_CJK)
    named = named.with_columns(
        pl.coalesce(
            pl.col("name_zh"), pl.when(has_zh).then(pl.coalesce(source_zh, pl.col("name"))), pl.col("parent_zh")
        ).alias("name_zh"),
        pl.coalesce(pl.col("name_en"), pl.col("name")).alias("name_en"),
    ).drop("parent_zh")
    needle = filters.text.strip().lower()
    exact: set[str] = set()
    if needle:
        exact = {v for k, v in library.aliases.items() if k == needle} | {needle}
        keys = {v for k, v in library.aliases.items() if needle in k}
        named = named.filter(
            pl.col("key").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("name").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("name_zh").str.contains(needle, literal=True)
            | pl.col("key").is_in(list(keys))
        )
    if filters.sets:
        named = named.filter(pl.col("factor_set").is_in(list(filters.sets)))
    if filters.region:
        named = named.filter(pl.col("region").is_in(_within(library, filters.region.strip().upper())))
    if filters.gas:
        named = named.filter(pl.col("gas").str.to_lowercase() == filters.gas.strip().lower())
    if filters.year is not None:
        named = named.filter(pl.col("year") == filters.year)
    ranked = named.with_columns(_region_rank(library, fit), _lang_rank(fit), _set_rank(fit, library))
    ranked = ranked.with_columns(
        (~pl.col("key").str.to_lowercase().is_in(list(exact))).cast(pl.Int8).alias("_fit_text")
    )
    ranked = ranked.sort(["_fit_region", "_fit_lang", "_fit_set", "_fit_text", "_order"])
    page = ranked.slice(offset, limit).drop(["_order", "_fit_region", "_fit_lang", "_fit_set", "_fit_text"])
    return Found(ranked.height, offset, page)


def _region_rank(library: FactorLibrary, fit: Fit) -> pl.Expr:
    """The project's region and its fallback chain in order (CN-HL, CN-NECG, CN), then the country's
    other regions, then GLOBAL, then other countries."""
    if not fit.country:
        return pl.lit(0, pl.Int16).alias("_fit_region")
    chain = [r for r in library.region_chain(fit.region or fit.country) if r != "GLOBAL"]
    same_country = [r for r, c in _country_of(library).items() if c == fit.country and r not in chain]
    rank = {r: i for i, r in enumerate(chain)} | dict.fromkeys(same_country, len(chain)) | {"GLOBAL": len(chain) + 1}
    return pl.col("region").replace_strict(rank, default=len(chain) + 2, return_dtype=pl.Int16).alias("_fit_region")


def _lang_rank(fit: Fit) -> pl.Expr:
    """Factors named in the page's language first: Chinese names on zh pages, Latin-script names on en."""
    if fit.lang == "zh":
        fits = pl.col("name").str.contains(_CJK)
    elif fit.lang == "en":
        fits = pl.col("name").str.contains("[A-Za-z]")
    else:
        return pl.lit(0, pl.Int8).alias("_fit_lang")
    return (~fits.fill_null(False)).cast(pl.Int8).alias("_fit_lang")


def precedence(library: FactorLibrary, fit: Fit) -> list[str]:
    """The set order a search ranks by: the fit's sets the library has, else the library's own order."""
    return [s for s in fit.precedence if s in library.sets] or list(library.sets)


def _set_rank(fit: Fit, library: FactorLibrary) -> pl.Expr:
    order = precedence(library, fit)
    rank = {s: i for i, s in enumerate(order)}
    return pl.col("factor_set").replace_strict(rank, default=len(order), return_dtype=pl.Int16).alias("_fit_set")
