"""The self-contained HTML report of an inventory (DESIGN.md, "Outputs": ``report.html``).

One document that opens offline: CSS inline, a system CJK font stack, plotly.js embedded
once and each chart as inline JSON. Every label comes from the i18n catalogue and every
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
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from dualcarbon import __version__
from dualcarbon.i18n import translator
from dualcarbon.report.intensity import rows as intensity_rows
from dualcarbon.report.sections import category_rows, method_blocks, percent, quality_view, table_of_contents
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
SERIES = ["scope1", "scope2_location", "scope2_market", "scope3"]


def render_report(
    summary: dict,
    inventory: pl.DataFrame,
    emissions_by_source: pl.DataFrame,
    factor_sources: pl.DataFrame,
    lang: str,
    pathway: PathwayResult | None = None,
    print_layout: bool = False,
) -> str:
    """The report of one ``dualcarbon.summary/1`` record and its frames, as one HTML document;
    with a pathway section (``sections/pathway.html.j2``) when ``pathway`` (``dualcarbon pathway``)
    is given, and without its contents entry otherwise. ``print_layout``: the layout for report.pdf.
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
        "indicators": [_indicator_chart(ind, i, lang, t) for i, ind in enumerate(indicators)],
    }
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
        "plotly_js": Markup(plotly.offline.get_plotlyjs()) if any(map(any, _chart_lists(charts))) else None,
        "charts": charts,
        "category_name": lambda code: category_name.get(code, ""),
        "scope3": _scope3_rows(summary.get("by_category") or [], names),
        "iso": [
            (r["category"], names.get(("iso14064", r["category"]), ""), r["co2e_t"])
            for r in summary.get("by_iso_category") or []
        ],
        "facilities": summary.get("by_facility") or [],
        "categories": category_rows(summary.get("by_category") or [], category_name),
        "months": sorted((r for r in summary.get("by_month") or [] if r.get("month")), key=lambda r: r["month"]),
        "sources": [
            dict(row, unit=_source_unit(row, t))
            for row in emissions_by_source.with_columns(
                pl.coalesce(f"activity_name_{lang}", "activity").alias("activity_name")
            ).to_dicts()
        ],
        "factors": factor_sources.to_dicts(),
        "warnings": [
            w.get(f"message_{lang}") or w.get("message_en") or w.get("code", "") for w in summary.get("warnings") or []
        ],
        "methods": method_blocks(
            summary.get("by_method") or [], factor_sources, category_name, summary.get("gwp_set"), t
        ),
        "quality": quality_view(summary.get("data_quality"), t),
        "plant_intensity": intensity_rows(summary.get("intensity"), t, lang),
        "pathway": section,
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


@cache
def _category_names(lang: str) -> dict[tuple[str, str], str]:
    """``{(scheme, code): name}`` from categories.csv, in file order (GHG Protocol, ISO 14064-1)."""
    with CATEGORIES.open(encoding="utf-8") as fh:
        return {(row["scheme"], row["code"]): row[f"name_{lang}"] for row in csv.DictReader(fh)}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dualcarbon.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        co2e=_co2e, qty=_quantity, factor=_factor_value, percent=percent, cell=_cell, ratio=_ratio, amount=_amount
    )
    return env


def _co2e(value: float | None) -> str:
    """Tonnes with thousands separators and 2 decimals; no "-0.00"."""
    if value is None or value != value:
        return "—"
    return f"{(value if round(value, 2) != 0 else 0.0):,.2f}"


def _quantity(value: float | None) -> str:
    """Activity data and masses: like ``_co2e``, but small quantities keep 4 significant digits."""
    if value is not None and 0 < abs(value) < 1:
        return f"{value:.4g}"
    return _co2e(value)


def _ratio(value: float | None) -> str:
    """An intensity (t CO2e per person, per 10,000 CNY; tce per 10,000 CNY): 3 decimals, or 3
    significant digits below 0.1 (a small district's 0.000707 t per 10,000 CNY is not "0.001")."""
    if value is None or value != value:
        return "—"
    return f"{value:.3g}" if 0 < abs(value) < 0.1 else f"{value:,.3f}"


def _amount(value: float | None) -> str:
    """An indicator's value: whole numbers without decimals, others with up to 2."""
    if value is None or value != value:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _chart_lists(charts: dict) -> list[list]:
    return [v if isinstance(v, list) else [v] for v in charts.values()]


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


def _figure_html(fig: go.Figure, div_id: str, height_px: int) -> Markup:
    fig.update_layout(
        template="plotly_white",
        font_family=FONT_FAMILY,
        height=height_px,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18},
    )
    html = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        default_height=f"{height_px}px",
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(html)  # plotly escapes "<", ">" and "/" inside its JSON


def _breakdown_chart(inventory: pl.DataFrame, category_name: dict[str, str], t: Callable[..., str]) -> Markup | None:
    """Stacked horizontal bars: Scope 1, Scope 2 both ways and Scope 3, split by category."""
    method = pl.col("scope2_method")
    parts = [
        inventory.filter(
            pl.col("scope") == scope, True if methods is None else method.is_null() | method.is_in(methods)
        )
        .group_by("category")
        .agg(exact_sum("co2e_t"))
        .with_columns(bar=pl.lit(t(key)))
        for key, scope, methods in BARS
    ]
    bars = pl.concat(parts).filter(pl.col("co2e_t") != 0)
    if bars.is_empty():
        return None
    order = list(category_name)
    codes = sorted(bars["category"].unique(), key=lambda c: (order.index(c) if c in order else len(order), c))
    fig = go.Figure()
    hover = f"%{{y}}<br>%{{fullData.name}}: %{{x:,.2f}} {t('unit.t_co2e')}<extra></extra>"
    for code in codes:
        rows = bars.filter(pl.col("category") == code)
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=f"{code} {category_name.get(code, '')}".strip(),
                x=rows["co2e_t"].to_list(),
                y=rows["bar"].to_list(),
                hovertemplate=hover,
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis_title=t("unit.t_co2e"),
        xaxis_tickformat=",",
        yaxis={"categoryorder": "array", "categoryarray": [t(key) for key, *_ in reversed(BARS)]},
    )
    return _figure_html(fig, "chart-breakdown", 420)


def _monthly_chart(by_month: list[dict], t: Callable[..., str]) -> Markup | None:
    """One line per reported figure over the months, when the period has more than one month."""
    months = sorted((r for r in by_month if r.get("month")), key=lambda r: r["month"])
    if len(months) <= 1:
        return None
    fig = go.Figure()
    for series in SERIES:
        fig.add_trace(
            go.Scatter(
                mode="lines+markers",
                name=t(f"totals.{series}"),
                x=[r["month"] for r in months],
                y=[r.get(series) or 0.0 for r in months],
                hovertemplate=f"%{{x}}: %{{y:,.2f}} {t('unit.t_co2e')}<extra></extra>",
            )
        )
    fig.update_layout(yaxis_title=t("unit.t_co2e"), yaxis_tickformat=",", xaxis_type="category")
    return _figure_html(fig, "chart-monthly", 360)


def _trend_chart(trend: list[dict], territory: bool, scale: Scale, t: Callable[..., str]) -> Markup:
    """The years of the period. A territory: its IPCC sectors and the indirect emissions of electricity
    imports stacked, the removals below zero (never netted), BASIC and BASIC+ as lines, in the page's
    unit; an organisation: one line per reported figure, in tonnes."""
    years = [str(r["year"]) for r in trend]
    fig = go.Figure()
    if territory:
        unit = scale.co2e_unit
        hover = f"%{{x}} %{{fullData.name}}: %{{y:,.2f}} {unit}<extra></extra>"
        blocks = [r["territory"] or {} for r in trend]
        for code in IPCC_SECTORS:
            values = [scale.co2e_value((b.get("ipcc") or {}).get(code)) for b in blocks]
            if any(values):
                fig.add_trace(go.Bar(name=t(f"ipcc.sector.{code}"), x=years, y=values, hovertemplate=hover))
        indirect = [scale.co2e_value(b.get("indirect_electricity_t")) for b in blocks]
        if any(indirect):
            fig.add_trace(go.Bar(name=t("ipcc.indirect_electricity"), x=years, y=indirect, hovertemplate=hover))
        removals = [scale.co2e_value(-b["removals_t"]) if b.get("removals_t") else None for b in blocks]
        if any(removals):
            fig.add_trace(
                go.Bar(name=t("trend.chart_removals"), x=years, y=removals, marker_color="#17694b", hovertemplate=hover)
            )
        for key, name, dash in (
            ("basic_plus_t", "trend.chart_basic_plus", "solid"),
            ("basic_t", "trend.chart_basic", "dot"),
        ):
            fig.add_trace(
                go.Scatter(
                    mode="lines+markers",
                    name=t(name),
                    x=years,
                    y=[scale.co2e_value(b.get(key)) for b in blocks],
                    line={"color": "#1f2933", "dash": dash},
                    hovertemplate=hover,
                )
            )
        fig.update_layout(barmode="relative", yaxis_title=unit, yaxis_tickformat=",")
    else:
        for series in [*SERIES, "total_location"]:
            fig.add_trace(
                go.Scatter(
                    mode="lines+markers",
                    name=t(f"totals.{series}"),
                    x=years,
                    y=[r.get(series) or 0.0 for r in trend],
                    hovertemplate=f"%{{x}}: %{{y:,.2f}} {t('unit.t_co2e')}<extra></extra>",
                )
            )
        fig.update_layout(yaxis_title=t("unit.t_co2e"), yaxis_tickformat=",")
    fig.update_layout(xaxis_type="category")
    return _figure_html(fig, "chart-trend", 400)


def _indicator_chart(indicator: dict, index: int, lang: str, t: Callable[..., str]) -> Markup | None:
    """One indicator's series, and its target as a dashed level ending in a marker at the target year."""
    series = [p for p in indicator.get("series") or [] if p.get("value") is not None]
    if not series:
        return None
    name = indicator.get(f"name_{lang}") or indicator["indicator"]
    fig = go.Figure(
        go.Scatter(
            mode="lines+markers",
            name=name,
            x=[p["year"] for p in series],
            y=[p["value"] for p in series],
            line={"color": "#17694b"},
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    target, target_year = indicator.get("target"), indicator.get("target_year")
    if target is not None:
        end = target_year or series[-1]["year"]
        fig.add_trace(
            go.Scatter(
                mode="lines+markers",
                name=t("report.indicator.target_label"),
                x=[series[0]["year"], end],
                y=[target, target],
                line={"color": "#b42318", "dash": "dash"},
                marker={"symbol": ["line-ew", "star"], "size": [1, 12]},
                hovertemplate=f"{t('report.indicator.target_label')} %{{x}}: %{{y:,}}<extra></extra>",
            )
        )
    fig.update_layout(showlegend=False, xaxis={"dtick": 1, "tickformat": "d"}, yaxis_title=indicator.get("unit") or "")
    return _figure_html(fig, f"chart-indicator-{index}", 220)


def _waterfall_chart(balance: dict, t: Callable[..., str]) -> Markup | None:
    """The neutrality balance as a waterfall (ISO 14068-1 order): base-year emissions, reductions,
    the period's emissions, own removals, credits applied, and the net balance."""
    if balance.get("emissions") is None:
        return None
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
    measure, x, y = zip(*steps, strict=True)
    fig = go.Figure(
        go.Waterfall(
            measure=list(measure),
            x=list(x),
            y=list(y),
            textposition="outside",
            text=[_co2e(v) for v in y],
            connector={"line": {"color": "#9aa5b1"}},
            decreasing={"marker": {"color": "#17694b"}},
            increasing={"marker": {"color": "#b42318"}},
            totals={"marker": {"color": "#52606d"}},
            hovertemplate=f"%{{x}}: %{{y:,.2f}} {t('unit.t_co2e')}<extra></extra>",
        )
    )
    fig.update_layout(yaxis_title=t("unit.t_co2e"), yaxis_tickformat=",", showlegend=False)
    return _figure_html(fig, "chart-waterfall", 420)


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


def _pathway_section(result: PathwayResult, t: Callable[..., str], lang: str) -> dict:
    """What the report's pathway section shows: targets, status, shortfalls, charts and tables."""
    from dualcarbon.pathway import charts as pathway_charts

    plan = result.plan
    summary = result.summary()
    names = {m.id: m.name(lang) for m in result.measures}
    chosen = plan.measures.filter(pl.col("chosen")).sort("start_year", "id")
    charts = {
        "pathway_trajectory": _figure_html(
            pathway_charts.trajectory_figure(plan.table, t, result.known_t), "chart-pathway", 420
        )
    }
    for name, per in (("pathway_intensity", "gdp"), ("pathway_per_capita", "capita")):
        figure = pathway_charts.intensity_figure(plan.table, t, per)
        if figure is not None:
            charts[name] = _figure_html(figure, f"chart-{name.replace('_', '-')}", 380)
    if plan.macc.filter(pl.col("cost_per_t").is_not_null()).height:
        charts["pathway_macc"] = _figure_html(
            pathway_charts.macc_figure(plan.macc, t, lang, result.settings.currency), "chart-macc", 420
        )
    return {
        "title": t("section.pathway"),
        "s": summary,
        "name": summary["targets"][f"name_{lang}"],
        "shortfalls": [s[f"message_{lang}"] for s in summary["shortfalls"]],
        "chosen": [dict(r, name=names.get(r["id"], r["id"])) for r in chosen.to_dicts()],
        "years": plan.table.to_dicts(),
        "charts": charts,
    }
