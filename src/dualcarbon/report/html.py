"""The self-contained HTML report of an inventory (DESIGN.md, "Outputs": ``report.html``).

One document that opens offline: CSS inline, a system CJK font stack, each chart a static inline
SVG (``report/svg.py``: no script, no chart library, text kept as text). Every label comes from the i18n catalogue and every
category name from ``factors/data/categories.csv``, in the chosen language. Scope 2 is shown
location-based and market-based side by side (GHG Protocol Scope 2 Guidance §7.1). With a
neutrality assessment, its section shows the balance as a waterfall (base year → reductions →
emissions → removals → credits → net), the checks, the credits and stands behind the balance,
the claim wording the standard permits or what is missing, and a block for the verifier.

The document is what a verifier reads: a table of contents, the organisation and its boundary,
the results, per category the methods (formula, standard and clause, as each row's trace states
them) with the factors and their citations, the data-quality notes, then the neutrality and
pathway sections when present. ``print_layout`` renders the variant that ``report.pdf`` is
printed from (every collapsible part open, no chart toolbars).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import polars as pl
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from markupsafe import Markup

from dualcarbon import __version__, figures
from dualcarbon.i18n import term, translator
from dualcarbon.inventory import TOP
from dualcarbon.report import svg
from dualcarbon.report.ets import ets_view
from dualcarbon.report.financed import financed_view
from dualcarbon.report.intensity import rows as intensity_rows
from dualcarbon.report.product import functional_unit, interval, product_view
from dualcarbon.report.sections import (
    category_rows,
    facility_rows,
    formula_text,
    method_blocks,
    percent,
    quality_view,
    table_of_contents,
    top_sources,
    uncertainty_view,
)
from dualcarbon.report.territory import (
    GPC_SCOPES,
    IPCC_SECTORS,
    Scale,
    indicator_rows,
    ipcc_name,
    territory_view,
    trend_rows,
)
from dualcarbon.sums import exact_sum

if TYPE_CHECKING:  # the pathway (and its solver) is imported only when a report has a pathway
    from dualcarbon.pathway.compute import Result as PathwayResult

CATEGORIES = resources.files("dualcarbon.factors").joinpath("data", "categories.csv")
FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
SCOPE3_SCHEME = "ghgp_scope3"
# One bar per reported figure: (label key, scope, Scope 2 methods counted). A Scope 2 row whose
# method is null or "both" (e.g. purchased heat without instruments) counts in both bars.
BARS = [
    ("totals.scope1", "1", None),
    ("totals.scope2_location", "2", ["location", "both"]),
    ("totals.scope2_market", "2", ["market", "both"]),
    ("totals.scope3", "3", None),
]
CATEGORY_NUMBER = re.compile(r"\d+(\.\d+)*")
SERIES = ["scope1", "scope2_location", "scope2_market", "scope3"]


def render_report(
    summary: dict,
    inventory: pl.DataFrame,
    emissions_by_source: pl.DataFrame,
    factor_sources: pl.DataFrame,
    lang: str,
    pathway: PathwayResult | None = None,
    print_layout: bool = False,
    product: dict | None = None,
) -> str:
    """The report of one ``dualcarbon.summary/1`` record and its frames, as one HTML document;
    with a pathway section (``sections/pathway.html.j2``) when ``pathway`` (``dualcarbon pathway``)
    is given, and without its contents entry otherwise. ``print_layout``: the layout for report.pdf.
    ``product``: a footprint.json record (its histogram and neutrality included); default summary.json
    ``product``; either gives the product section (``sections/product.html.j2``).
    """
    t = translator(lang)
    names = _category_names(lang)
    category_name = {code: name for (scheme, code), name in names.items() if scheme.startswith("ghgp_")}
    neutrality = summary.get("neutrality")
    territory = territory_view(summary)
    trend = trend_rows(summary)
    indicators = indicator_rows(summary)
    scale = Scale(t)
    charts = {
        "breakdown": None if territory else _breakdown_chart(inventory, category_name, t),
        "monthly": _monthly_chart(summary.get("by_month") or [], t),
        "waterfall": _waterfall_chart(neutrality.get("balance") or {}, t) if neutrality else None,
        "trend": _trend_chart(trend, bool(territory), scale, t) if len(trend) > 1 else None,
        "uncertainty": _uncertainty_chart(summary.get("uncertainty"), t),
        "indicators": [_indicator_chart(ind, i, lang, t) for i, ind in enumerate(indicators)],
    }
    facilities, facility_others = facility_rows(summary)
    sources, source_others = top_sources(emissions_by_source, TOP)
    section = _pathway_section(pathway, t, lang) if pathway is not None else None
    if section:
        charts.update(section.pop("charts"))
    context = {
        "t": t,
        "label": lambda key, value: _label(t, f"{key}.{str(value).replace(' ', '_')}", value),
        "lang": lang,
        "s": summary,
        "generator": summary.get("generator") or f"dualcarbon {__version__}",
        "font_family": Markup(FONT_FAMILY),
        "charts": charts,
        "category_name": lambda code: category_name.get(code, ""),
        "category_code": _category_code,
        "term": lambda kind, text: term(kind, text, lang),
        "formula_text": lambda formula: formula_text(formula, lang),
        "species_name": lambda group: _species_names(lang).get(group or "", group or ""),
        "headline": lambda value, gas="co2e": figures.co2e_parts(value, lang, gas),
        "money": lambda value, currency="CNY": figures.money(value, lang, currency),
        "money_parts": lambda value, currency="CNY": figures.money_parts(value, lang, currency),
        "currency_name": lambda currency: figures.currency_name(currency or "CNY", lang),
        "scope3": _scope3_rows(summary.get("by_category") or [], names),
        "iso": [
            (r["category"], names.get(("iso14064", r["category"]), ""), r["co2e_t"])
            for r in summary.get("by_iso_category") or []
        ],
        "facilities": facilities,
        # the largest facilities and sources only (inventory.TOP): the others in one line, the file with them all
        "facility_others": facility_others,
        "facility_count": summary.get("facilities") or len(facilities),
        "source_others": source_others,
        "source_count": emissions_by_source.height,
        "categories": category_rows(summary.get("by_category") or [], category_name),
        "months": sorted((r for r in summary.get("by_month") or [] if r.get("month")), key=lambda r: r["month"]),
        "sources": [
            dict(row, unit=_source_unit(row, t))
            for row in sources.with_columns(
                pl.coalesce(f"activity_name_{lang}", "activity").alias("activity_name")
            ).to_dicts()
        ],
        "factors": factor_sources.to_dicts(),
        "warnings": [
            w.get(f"message_{lang}") or w.get("message_en") or w.get("code", "") for w in summary.get("warnings") or []
        ],
        "methods": method_blocks(
            summary.get("by_method") or [], factor_sources, category_name, summary.get("gwp_set"), t, lang
        ),
        "quality": quality_view(summary.get("data_quality"), t),
        "uncertainty": uncertainty_view(summary.get("uncertainty"), t),
        "plant_intensity": intensity_rows(summary.get("intensity"), t, lang),
        "ets": ets_view(summary.get("ets"), t, lang),
        "financed": financed_view(summary.get("financed"), t, lang),
        "pathway": section,
        "product": product_view(product if product is not None else summary.get("product"), lang, t),
        "pct": percent,
        "print_layout": print_layout,
        "territory": territory,
        "trend": trend,
        "indicators": indicators,
        # a territory of several years shows its years (trend), not 12 months of each
        "monthly_hidden": bool(territory) and len(trend) > 1,
        "sc": scale,
        "gpc_scopes": GPC_SCOPES,
        "ipcc_sectors": IPCC_SECTORS,
        "gpc_name": lambda code: _label(t, f"gpc.sub.{code}", ""),
        "ipcc_name": lambda code: ipcc_name(code, lang, t),
    }
    context["toc"] = table_of_contents(context, t)
    return _environment().get_template("report.html.j2").render(context)


def render_product_report(record: dict, organization: dict, period: dict, lang: str, print_layout: bool = False) -> str:
    """The report of ``dualcarbon footprint``: one footprint.json record (its products, contributions, Monte
    Carlo and the product's neutrality assessment) as a self-contained document (``product_report.html.j2``),
    with the background processes' factors and citations a verifier recomputes them from.
    ``organization``: ``name`` and ``name_en``; ``period``: ``start`` and ``end`` (ISO dates)."""
    t = translator(lang)
    view = product_view(record, lang, t)
    assert view is not None, "a footprint record"
    products = record.get("products") or []
    reference: dict = next((p for p in products if p.get("id") == record.get("reference")), {})

    def named(p: dict) -> str:
        return str((p.get("name_en") if lang == "en" else p.get("name")) or p.get("name") or p.get("id") or "")

    others = [
        {
            "id": p.get("id"),
            "label": named(p),
            "functional_unit": functional_unit(p, lang),
            "footprint_kg_co2e": p.get("footprint_kg_co2e"),
            "interval": interval(p),
        }
        for p in products
    ]
    names = {r.get("process"): r for r in record.get("_all_processes") or record.get("by_process") or []}
    background = []
    for b in record.get("background") or []:
        row = names.get(b.get("process")) or {}
        label = (row.get("name_en") if lang == "en" else row.get("name")) or b.get("activity") or b.get("process")
        # one citation per factor id (a spend-based key has a factor per gas, all from one publication): each once
        citation = "; ".join(dict.fromkeys(c for c in str(b.get("citation") or "").split("; ") if c))
        background.append(dict(b, label=label, citation=citation))
    flows = [
        dict(f, label=_label(t, f"product.flow.{f.get('flow')}", f.get("flow"))) for f in record.get("by_flow") or []
    ]
    org_name = (organization.get("name_en") if lang == "en" else None) or organization.get("name") or ""
    context = {
        "t": t,
        "label": lambda key, value: _label(t, f"{key}.{str(value).replace(' ', '_')}", value),
        "term": lambda kind, text: term(kind, text, lang),
        "lang": lang,
        "generator": f"dualcarbon {__version__}",
        "font_family": Markup(FONT_FAMILY),
        "print_layout": print_layout,
        "product": view,
        "product_name": named(reference) or str(record.get("reference") or ""),
        "org_name": org_name,
        "period": period,
        "others": others if len(others) > 1 else [],
        "factor_sets": [f.get("factor_set") or f.get("dataset") for f in record.get("factor_sets") or []],
        "background": background,
        "flows": flows,
        "biogenic": record.get("biogenic") or {},
        "pct": percent,
    }
    return _environment().get_template("product_report.html.j2").render(context)


@cache
def _category_names(lang: str) -> dict[tuple[str, str], str]:
    """``{(scheme, code): name}`` from categories.csv, in file order (GHG Protocol, ISO 14064-1)."""
    with CATEGORIES.open(encoding="utf-8") as fh:
        return {(row["scheme"], row["code"]): row[f"name_{lang}"] for row in csv.DictReader(fh)}


@cache
def _species_names(lang: str) -> dict[str, str]:
    """Species-group id → its name in ``lang`` (``neutrality/data/forest_parameters.csv``)."""
    from dualcarbon.neutrality.sinks import parameter_table

    table = parameter_table().select("species_group", f"name_{lang}").unique("species_group")
    return {group: name for group, name in table.iter_rows() if name}


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between processes (jinja2's per-user folder in the system's temporary
    folder): compiling the report's templates costs about 0.5 CPU s, a third of a small project's report;
    the cache is keyed by each template's source, so an edited template is compiled again. None when no
    such folder can be made (the templates are then compiled in every process, as before)."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dualcarbon.report", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        co2e=_co2e,
        whole=figures.whole,
        qty=_quantity,
        factor=_factor_value,
        percent=percent,
        cell=_cell,
        ratio=_ratio,
        amount=_amount,
    )
    return env


def _co2e(value: float | None) -> str:
    """Tonnes in a table (``figures.tonnes``): whole tonnes from 100 t, 2 decimals below; no "-0"."""
    return figures.tonnes(value)


def _quantity(value: float | None) -> str:
    """Activity data and masses: like ``_co2e``, but small quantities keep 4 significant digits."""
    return figures.quantity(value)


def _ratio(value: float | None) -> str:
    """An intensity (t CO2e per person, per 10,000 CNY; tce per 10,000 CNY): 3 decimals, or 3
    significant digits below 0.1 (a small district's 0.000707 t per 10,000 CNY is not "0.001")."""
    if value is None or value != value:
        return "—"
    return f"{value:.3g}" if 0 < abs(value) < 0.1 else f"{value:,.3f}"


def _amount(value: float | None) -> str:
    """An indicator's value: whole numbers without decimals, others with up to 2."""
    return figures.amount(value)


def _category_code(code: str | None) -> str:
    """A category's code where a reader uses it (GHG Protocol Scope 3 "3.6", ISO 14064-1 "4"); ""
    for the inventory's own keys of Scope 1 and 2 ("1.stationary"), which the name says in words."""
    return code if code and CATEGORY_NUMBER.fullmatch(code) else ""


def _factor_value(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


def _cell(value: object) -> str:
    """A table cell of a section given as data: whole numbers as they are, others like tonnes."""
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return "—" if value is None else str(value)
    return _co2e(value) if isinstance(value, float) else str(value)


def _label(t: Callable[..., str], key: str, value: object) -> str:
    """The catalogue's label for an identifier (a boundary, a status), or the identifier itself."""
    text = t(key)
    return str(value) if text == key else text


def _scope3_rows(by_category: list[dict], names: dict[tuple[str, str], str]) -> list[tuple[str, str, float | None]]:
    """All 15 Scope 3 categories, None where not in the inventory: the Scope 3 Standard (Ch. 11)
    asks for emissions by category and a list of the categories excluded."""
    co2e_t: dict[str, float] = {}
    for row in by_category:
        if row["scope"] == "3":
            co2e_t[row["category"]] = co2e_t.get(row["category"], 0.0) + row["co2e_t"]
    codes = [code for scheme, code in names if scheme == SCOPE3_SCHEME]
    codes += sorted(set(co2e_t) - set(codes))
    return [(code, names.get((SCOPE3_SCHEME, code), ""), co2e_t.get(code)) for code in codes]


def breakdown_series(
    inventory: pl.DataFrame, category_name: dict[str, str], t: Callable[..., str]
) -> tuple[list[str], list[svg.Series], list[float]] | None:
    """The breakdown chart's data: the bars (Scope 1, Scope 2 both ways, Scope 3, in the page's language),
    one series per category (named, not coded) and each bar's total; None without emissions. A Scope 2 row
    whose method is null or "both" counts in both Scope 2 bars."""
    method = pl.col("scope2_method")
    parts = [
        inventory.filter(
            pl.col("scope") == scope, True if methods is None else method.is_null() | method.is_in(methods)
        )
        .group_by("category")
        .agg(exact_sum("co2e_t"))
        .with_columns(bar=pl.lit(key))
        for key, scope, methods in BARS
    ]
    bars = pl.concat(parts).filter(pl.col("co2e_t") != 0)
    if bars.is_empty():
        return None
    order = list(category_name)
    codes = sorted(bars["category"].unique(), key=lambda c: (order.index(c) if c in order else len(order), c))
    keys = [key for key, *_ in BARS]
    value = {(r["category"], r["bar"]): r["co2e_t"] for r in bars.to_dicts()}
    series = [
        svg.Series(category_name.get(code) or code, [value.get((code, key), 0.0) for key in keys]) for code in codes
    ]
    totals = [sum(value.get((code, key), 0.0) for code in codes) for key in keys]
    return [t(key) for key in keys], series, totals


def _breakdown_chart(inventory: pl.DataFrame, category_name: dict[str, str], t: Callable[..., str]) -> Markup | None:
    """Stacked horizontal bars: Scope 1, Scope 2 both ways and Scope 3, split by category."""
    data = breakdown_series(inventory, category_name, t)
    if data is None:
        return None
    bars, series, totals = data
    return svg.stacked_bars("chart-breakdown", t("section.breakdown"), bars, series, t("unit.t_co2e"), totals)


def _monthly_chart(by_month: list[dict], t: Callable[..., str]) -> Markup | None:
    """One line per reported figure over the months, when the period has more than one month."""
    months = sorted((r for r in by_month if r.get("month")), key=lambda r: r["month"])
    if len(months) <= 1:
        return None
    series = [svg.Series(t(f"totals.{key}"), [r.get(key) or 0.0 for r in months]) for key in SERIES]
    return svg.lines("chart-monthly", t("section.monthly"), [r["month"] for r in months], series, t("unit.t_co2e"))


def trend_series(
    trend: list[dict], territory: bool, scale: Scale, t: Callable[..., str]
) -> tuple[list[svg.Series], list[svg.Series], str]:
    """The trend chart's data: bars, lines and the unit. A territory: its IPCC sectors and the indirect
    emissions of electricity imports stacked, the removals below zero (never netted), BASIC and BASIC+ as
    lines, in the page's unit; an organisation: one line per reported figure, in tonnes."""
    if not territory:
        lines = [
            svg.Series(t(f"totals.{key}"), [r.get(key) or 0.0 for r in trend]) for key in [*SERIES, "total_location"]
        ]
        return [], lines, t("unit.t_co2e")
    blocks = [r["territory"] or {} for r in trend]
    bars: list[svg.Series] = []
    for code in IPCC_SECTORS:
        values = [scale.co2e_value((b.get("ipcc") or {}).get(code)) for b in blocks]
        if any(values):
            bars.append(svg.Series(t(f"ipcc.sector.{code}"), values))
    indirect = [scale.co2e_value(b.get("indirect_electricity_t")) for b in blocks]
    if any(indirect):
        bars.append(svg.Series(t("ipcc.indirect_electricity"), indirect))
    removals = [scale.co2e_value(-b["removals_t"]) if b.get("removals_t") else None for b in blocks]
    if any(removals):
        bars.append(svg.Series(t("trend.chart_removals"), removals, colour="#17694b"))
    lines = [
        svg.Series(t("trend.chart_basic_plus"), [scale.co2e_value(b.get("basic_plus_t")) for b in blocks], "#1f2933"),
        svg.Series(
            t("trend.chart_basic"), [scale.co2e_value(b.get("basic_t")) for b in blocks], "#1f2933", dotted=True
        ),
    ]
    return bars, lines, scale.co2e_unit


def _uncertainty_chart(record: dict | None, t: Callable[..., str]) -> Markup | None:
    """The Monte Carlo histogram of the location-based total, with the inventory's value and the 95 % interval."""
    if not record or not record.get("histogram"):
        return None
    h = record["histogram"]
    marks = [
        (t("uncertainty.chart.central"), record["central_t"], False),
        (t("uncertainty.chart.interval"), record["p2_5"], True),
        ("_nolegend_", record["p97_5"], True),
    ]
    return svg.histogram(
        "chart-uncertainty",
        t("uncertainty.chart.title"),
        h["edges"],
        h["counts"],
        t("fig.t_co2e"),
        t("uncertainty.chart.count"),
        marks,
    )


def _trend_chart(trend: list[dict], territory: bool, scale: Scale, t: Callable[..., str]) -> Markup:
    """The years of the period (``trend_series``)."""
    bars, lines, unit = trend_series(trend, territory, scale, t)
    years = [str(r["year"]) for r in trend]
    return svg.lines("chart-trend", t("section.trend"), years, lines, unit, 3.6 if bars else 3.2, bars=bars)


def _indicator_chart(indicator: dict, index: int, lang: str, t: Callable[..., str]) -> Markup | None:
    """One indicator's series, and its target as a dashed level ending in a star at the target year."""
    series = [p for p in indicator.get("series") or [] if p.get("value") is not None]
    if not series:
        return None
    name = indicator.get(f"name_{lang}") or indicator["indicator"]
    years = sorted({int(p["year"]) for p in series})
    target, target_year = indicator.get("target"), indicator.get("target_year")
    end = int(target_year or years[-1])
    x = list(range(years[0], max(end, years[-1]) + 1))
    values = {int(p["year"]): p["value"] for p in series}
    lines = [svg.Series(name, [values.get(y) for y in x], "#17694b")]
    special: list[tuple[str, list[int | str], list[float], str]] = []
    if target is not None:
        label = t("report.indicator.target_label")
        lines.append(
            svg.Series(
                label, [target if y in (years[0], end) else None for y in x], "#b42318", dash=True, markers=False
            )
        )
        special.append((label, [end], [float(target)], "*"))
    return svg.lines(
        f"chart-indicator-{index}",
        name,
        x,
        lines,
        indicator.get("unit") or "",
        2.0,
        legend=False,
        special=special,
        width_in=3.6,
    )


def waterfall_steps(balance: dict, t: Callable[..., str]) -> list[tuple[str, str, float]]:
    """The neutrality balance as waterfall steps ``(kind, label, t CO2e)`` in the ISO 14068-1 order:
    base-year emissions, reductions, the period's emissions, own removals, credits applied, and the net
    balance. The emissions and the net are the assessment's figures (``absolute``/``total``), not running
    sums; none without emissions."""
    if balance.get("emissions") is None:
        return []
    steps: list[tuple[str, str, float]] = []
    if balance.get("base_year_emissions") is not None:
        steps.append(
            (
                "absolute",
                t("neutrality.chart.base_year", year=balance.get("base_year") or ""),
                balance["base_year_emissions"],
            )
        )
        steps.append(("relative", t("neutrality.balance.reductions"), -(balance.get("reductions") or 0.0)))
        if balance.get("sink_losses"):
            steps.append(("relative", t("neutrality.balance.sink_losses"), balance["sink_losses"]))
        steps.append(("total", t("neutrality.balance.emissions"), balance["emissions"]))
    else:
        steps.append(("absolute", t("neutrality.balance.emissions"), balance["emissions"]))
    steps.append(("relative", t("neutrality.balance.removals"), -(balance.get("removals") or 0.0)))
    steps.append(("relative", t("neutrality.balance.credits"), -(balance.get("credits") or 0.0)))
    steps.append(("total", t("neutrality.balance.net"), balance.get("net") or 0.0))
    return steps


def _waterfall_chart(balance: dict, t: Callable[..., str]) -> Markup | None:
    """The balance's waterfall (``waterfall_steps``), each bar with its value."""
    steps = waterfall_steps(balance, t)
    return svg.waterfall("chart-waterfall", t("chart.waterfall"), steps, t("unit.t_co2e")) if steps else None


def _source_unit(row: dict, t: Callable[..., str]) -> str | None:
    """The unit of a source's summed quantity as a reader names it: the base unit of counts ("count") is
    head for animals, persons for wastewater (persons served) and units otherwise."""
    if row.get("unit") != "count":
        return row.get("unit")
    kind = row.get("activity_kind")
    if kind in ("enteric", "manure"):
        return t("unit.count_head")
    if kind == "wastewater":
        return t("unit.count_person")
    return t("unit.count")


def _target_source(targets: dict, lang: str) -> str:
    """Where a target template's goals come from, in ``lang`` (``pathway/data/targets.toml``: ``source_zh``)."""
    from dualcarbon.pathway.targets import templates

    template = templates().get(targets.get("template") or "", {})
    return template.get(f"source_{lang}") or targets.get("source") or ""


def _pathway_section(result: PathwayResult, t: Callable[..., str], lang: str) -> dict:
    """What the report's pathway section shows: targets, status, shortfalls, charts and tables."""

    plan = result.plan
    summary = result.summary()
    names = {m.id: m.name(lang) for m in result.measures}
    chosen = plan.measures.filter(pl.col("chosen")).sort("start_year", "id")
    charts = {"pathway_trajectory": _trajectory_chart(plan.table, t, result.known_t)}
    for name, per in (("pathway_intensity", "gdp"), ("pathway_per_capita", "capita")):
        chart = _intensity_chart(plan.table, t, per)
        if chart is not None:
            charts[name] = chart
    if plan.macc.filter(pl.col("cost_per_t").is_not_null()).height:
        charts["pathway_macc"] = _macc_chart(plan.macc, plan.measures, t, lang, result.settings.currency)
    return {
        "title": t("section.pathway"),
        "s": summary,
        "name": summary["targets"][f"name_{lang}"],
        "source": _target_source(summary["targets"], lang),
        "shortfalls": [s[f"message_{lang}"] for s in summary["shortfalls"]],
        "chosen": [dict(r, name=names.get(r["id"], r["id"])) for r in chosen.to_dicts()],
        "years": plan.table.to_dicts(),
        "charts": charts,
        "fiscal": _fiscal_section(result, summary, names, t, lang),
    }


def _fiscal_section(result: PathwayResult, summary: dict, names: dict[str, str], t: Callable[..., str], lang: str):
    """The carbon price and the plan with and without the fiscal support (docs/pathway.md, "Carbon prices and
    fiscal support"): rows ready for the template; None when the pathway has neither."""
    from dualcarbon import figures
    from dualcarbon.pathway.compute import effect_words

    carbon, without = summary["carbon_price"], summary["without_support"]
    if carbon is None and without is None:
        return None
    currency = result.settings.currency
    out: dict = {"carbon": None, "compare": None, "instruments": []}
    if carbon is not None:
        statuses = sorted({p["status"] for p in carbon["points"]})
        out["carbon"] = {
            "note": t(
                "fiscal.note.carbon",
                covers=carbon["covers"] or t("fiscal.covers_all"),
                series=carbon["series"],
                status=", ".join(t(f"fiscal.status.{s}") for s in statuses),
            ),
            "cost": figures.money(carbon["cost_discounted"] or 0.0, lang, currency),
            "years": [
                dict(r, price=r["carbon_price"], covered=r["covered_t"], free=r["free_allocation_t"])
                for r in result.plan.table.to_dicts()
            ],
            "sources": [dict(p, source=p["source_zh"] if lang == "zh" else p["source"]) for p in carbon["points"]],
        }
    if without is not None and result.without is not None:

        def state(row: dict | None) -> str:
            if row is None or not row["chosen"]:
                return t("fiscal.not_chosen")
            return t("fiscal.chosen", year=row["start_year"], share=f"{row['adoption'] * 100:.0f}")

        supported = {r["id"]: r for r in result.plan.measures.to_dicts()}
        unsupported = {r["id"]: r for r in result.without.measures.to_dicts()}
        rows = [
            (names.get(mid, mid), state(row), state(unsupported[mid]))
            for mid, row in supported.items()
            if row["chosen"] or unsupported[mid]["chosen"]
        ]
        rows.append(
            (
                t("fiscal.row.cost"),
                figures.money(result.plan.cost_discounted, lang, currency),
                figures.money(result.without.cost_discounted, lang, currency),
            )
        )
        end = result.plan.years[-1]
        rows.append(
            (
                t("fiscal.row.net_end", year=end),
                figures.co2e(float(result.plan.table["net_t"][-1]), lang),
                figures.co2e(float(result.without.table["net_t"][-1]), lang),
            )
        )
        out["compare"] = rows
        for inst, item in zip(result.instruments, summary["instruments"], strict=True):
            out["instruments"].append(
                {
                    "name": inst.name(lang),
                    "id": inst.id,
                    "kind": t(f"fiscal.kind.{inst.kind}"),
                    "source": f"{inst.document} {inst.article}",
                    "status": t(f"fiscal.status.{inst.status}"),
                    "support": figures.money(item["support_discounted"] or 0.0, lang, currency),
                    "effect": effect_words(item, names, t, lang, currency),
                }
            )
    return out


def _trajectory_chart(table: pl.DataFrame, t: Callable[..., str], history: dict[int, float] | None) -> Markup:
    """The pathway's years: business as usual, emissions with the measures, net emissions (with removals or
    offsets), the targets as a level held until the next, the years that miss a target marked; the
    inventory's own years when its period spans several."""
    years = table["year"].to_list()
    first = min([*years, *(history or {})]) if history and len(history) > 1 else years[0]
    x = list(range(first, years[-1] + 1))
    row = {r["year"]: r for r in table.to_dicts()}

    def column(name: str) -> list[float | None]:
        return [row[y][name] if y in row else None for y in x]

    lines: list[svg.Series] = []
    if history and len(history) > 1:
        lines.append(svg.Series(t("pathway.series.inventory"), [history.get(y) for y in x], "#52606d"))
    lines.append(svg.Series(t("pathway.series.bau"), column("bau_t"), "#7b8794", dash=True, markers=False))
    lines.append(svg.Series(t("pathway.series.emissions"), column("emissions_t"), "#17694b", markers=False))
    if float(table["removals_t"].abs().sum()) + float(table["offsets_t"].abs().sum()) > 0:
        lines.append(svg.Series(t("pathway.series.net"), column("net_t"), "#2563eb", markers=False))
    if table["target_t"].is_not_null().any():
        lines.append(svg.Series(t("pathway.series.target"), column("target_t"), "#b42318", markers=False, step=True))
    short = table.filter(pl.col("shortfall_t") > 0)
    special = [(t("pathway.series.shortfall"), short["year"].to_list(), short["net_t"].to_list(), "x")] * bool(
        short.height
    )
    return svg.lines(
        "chart-pathway", t("pathway.chart.trajectory"), x, lines, t("unit.t_co2e"), 3.4, from_zero=True, special=special
    )


def _intensity_chart(table: pl.DataFrame, t: Callable[..., str], per: str) -> Markup | None:
    """Emissions per unit of GDP (or per person), business as usual and with the measures, against the
    intensity target (pathway.csv's intensity columns); None without an intensity target of that kind."""
    from dualcarbon.pathway.charts import INTENSITY_COLUMNS

    denominator, value, target_col, unit_key = INTENSITY_COLUMNS[per]
    if target_col not in table.columns:
        return None
    rows = table.to_dicts()
    bau = [r["bau_t"] / r[denominator] if r.get(denominator) else None for r in rows]
    lines = [
        svg.Series(t("pathway.series.bau"), bau, "#7b8794", dash=True, markers=False),
        svg.Series(t("pathway.series.emissions"), [r[value] for r in rows], "#17694b", markers=False),
        svg.Series(t("pathway.series.intensity_target"), [r[target_col] for r in rows], "#b42318", step=True),
    ]
    chart_id = f"chart-pathway-{'intensity' if per == 'gdp' else 'per-capita'}"
    title = t("pathway.chart.intensity" if per == "gdp" else "pathway.chart.per_capita")
    return svg.lines(chart_id, title, table["year"].to_list(), lines, t(unit_key), 3.0, from_zero=True)


def _macc_chart(macc: pl.DataFrame, plan: pl.DataFrame, t: Callable[..., str], lang: str, currency: str) -> Markup:
    """The marginal abatement cost curve, each measure named, chosen and not chosen told apart."""
    chosen = set(plan.filter(pl.col("chosen"))["id"].to_list())
    measures = [
        svg.Measure(
            r[f"name_{lang}"] or r["name_en"] or r["name_zh"] or r["id"],
            r["potential_t"] or 0.0,
            r["cost_per_t"],
            r["id"] in chosen,
        )
        for r in macc.filter(pl.col("cost_per_t").is_not_null()).to_dicts()
    ]
    return svg.macc(
        "chart-macc",
        t("pathway.chart.macc"),
        measures,
        t("pathway.axis.potential"),
        t("pathway.unit.cost_per_t", currency=currency),
        t("chart.macc.chosen"),
        t("chart.macc.rejected"),
        t("chart.macc.zero_cost"),
        t("chart.macc.zero_potential"),
    )
