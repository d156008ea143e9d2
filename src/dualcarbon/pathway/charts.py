"""Pathway charts as plotly figures (pure functions): the trajectory against the target, and the MACC.

The report embeds them with the offline plotly.js (report/html.py); ``pathway.json`` keeps their
JSON. Labels come from the caller's translator ``t`` (i18n catalogues), names from the measures.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl


def trajectory_figure(table: pl.DataFrame, t: Callable[..., str], history: dict[int, float] | None = None) -> go.Figure:
    """Lines by year: business as usual, emissions after the measures, net emissions, and the target;
    with ``history`` (the inventory's own years, when its period spans several), those years' emissions."""
    unit = t("unit.t_co2e")
    years = table["year"].to_list()
    hover = f"%{{x}}: %{{y:,.0f}} {unit}<extra>%{{fullData.name}}</extra>"
    fig = go.Figure()
    if history and len(history) > 1:
        fig.add_trace(
            go.Scatter(
                x=sorted(history),
                y=[history[y] for y in sorted(history)],
                name=t("pathway.series.inventory"),
                mode="lines+markers",
                line={"color": "#52606d"},
                hovertemplate=hover,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["bau_t"].to_list(),
            name=t("pathway.series.bau"),
            mode="lines",
            line={"dash": "dash", "color": "#7b8794"},
            hovertemplate=hover,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["emissions_t"].to_list(),
            name=t("pathway.series.emissions"),
            mode="lines",
            line={"color": "#17694b"},
            hovertemplate=hover,
        )
    )
    if float(table["removals_t"].abs().sum()) + float(table["offsets_t"].abs().sum()) > 0:
        fig.add_trace(
            go.Scatter(
                x=years,
                y=table["net_t"].to_list(),
                name=t("pathway.series.net"),
                mode="lines",
                line={"color": "#2563eb"},
                hovertemplate=hover,
            )
        )
    target = table.filter(pl.col("target_t").is_not_null())
    if target.height:
        fig.add_trace(
            go.Scatter(
                x=target["year"].to_list(),
                y=target["target_t"].to_list(),
                name=t("pathway.series.target"),
                mode="lines+markers",
                line={"color": "#b42318", "shape": "hv"},
                marker={"symbol": "line-ew-open", "size": 10},
                hovertemplate=hover,
            )
        )
    short = table.filter(pl.col("shortfall_t") > 0)
    if short.height:
        fig.add_trace(
            go.Scatter(
                x=short["year"].to_list(),
                y=short["net_t"].to_list(),
                name=t("pathway.series.shortfall"),
                mode="markers",
                marker={"color": "#b42318", "symbol": "x", "size": 9},
                customdata=short["shortfall_t"].to_list(),
                hovertemplate=f"%{{x}}: %{{customdata:,.0f}} {unit}<extra>%{{fullData.name}}</extra>",
            )
        )
    fig.update_layout(yaxis_title=unit, yaxis_tickformat=",", yaxis_rangemode="tozero", xaxis_dtick=5)
    return fig


def macc_figure(macc: pl.DataFrame, t: Callable[..., str], lang: str, currency: str) -> go.Figure:
    """The marginal abatement cost curve: one bar per measure, as wide as its potential (t CO2e a year)
    and as high as its levelised cost per tonne, from the cheapest."""
    bars = macc.filter(pl.col("cost_per_t").is_not_null() & (pl.col("potential_t") > 0)).sort("cost_per_t")
    widths = bars["potential_t"].to_list()
    lefts = [sum(widths[:i]) for i in range(len(widths))]
    names = [(r[f"name_{lang}"] or r["name_en"] or r["name_zh"] or r["id"]) for r in bars.iter_rows(named=True)]
    cost_unit = t("pathway.unit.cost_per_t", currency=currency)
    fig = go.Figure(
        go.Bar(
            x=[left + w / 2 for left, w in zip(lefts, widths, strict=True)],
            y=bars["cost_per_t"].to_list(),
            width=widths,
            text=names,
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(names, widths, strict=True)),
            marker={
                "color": ["#17694b" if c < 0 else "#b54708" for c in bars["cost_per_t"].to_list()],
                "line": {"color": "#ffffff", "width": 1},
            },
            hovertemplate=(
                f"%{{customdata[0]}}<br>%{{customdata[1]:,.0f}} {t('unit.t_co2e')}/{t('pathway.unit.year')}"
                f"<br>%{{y:,.1f}} {cost_unit}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        xaxis_title=t("pathway.axis.potential"),
        yaxis_title=cost_unit,
        xaxis_tickformat=",",
        yaxis_tickformat=",",
        showlegend=False,
        bargap=0,
    )
    return fig


#: pathway.csv's columns of each intensity: (denominator, pathway's intensity, target), and the unit's catalogue key
INTENSITY_COLUMNS = {
    "gdp": ("gdp_10k", "intensity_t_per_10k", "intensity_target_t_per_10k", "pathway.unit.intensity_gdp"),
    "capita": ("population", "per_capita_t", "per_capita_target_t", "pathway.unit.intensity_capita"),
}


def intensity_figure(table: pl.DataFrame, t: Callable[..., str], per: str = "gdp") -> go.Figure | None:
    """Emissions per unit of GDP (or per person) by year, business as usual and with the measures,
    against the intensity target; None when the pathway has no intensity target of that kind."""
    denominator, value, target_col, unit_key = INTENSITY_COLUMNS[per]
    if target_col not in table.columns:
        return None
    unit = t(unit_key)
    years = table["year"].to_list()
    hover = f"%{{x}}: %{{y:,.4g}} {unit}<extra>%{{fullData.name}}</extra>"
    bau = table.select((pl.col("bau_t") / pl.col(denominator)).alias("bau"))["bau"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=years,
            y=bau,
            name=t("pathway.series.bau"),
            mode="lines",
            line={"dash": "dash", "color": "#7b8794"},
            hovertemplate=hover,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table[value].to_list(),
            name=t("pathway.series.emissions"),
            mode="lines",
            line={"color": "#17694b"},
            hovertemplate=hover,
        )
    )
    target = table.filter(pl.col(target_col).is_not_null())
    fig.add_trace(
        go.Scatter(
            x=target["year"].to_list(),
            y=target[target_col].to_list(),
            name=t("pathway.series.intensity_target"),
            mode="lines+markers",
            line={"color": "#b42318", "shape": "hv"},
            marker={"symbol": "line-ew-open", "size": 10},
            hovertemplate=hover,
        )
    )
    fig.update_layout(yaxis_title=unit, yaxis_rangemode="tozero", xaxis_dtick=5)
    return fig
