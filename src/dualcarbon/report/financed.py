"""The report's financed-emissions section (``summary.json`` ``financed``, docs/financed.md): headline figures,
the portfolio against its benchmark by sector, the asset classes, the data-quality mix and the change from
the comparison year; every label from the locale catalogues, sector names from ``financed/data/sectors.csv``."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from dualcarbon import figures
from dualcarbon.report import svg

SCORES = (1, 2, 3, 4, 5)
SCORE_COLOURS = ("#17694b", "#4f9d69", "#c9a227", "#e07b39", "#b42318")


def sector_names(lang: str) -> dict[str, str]:
    from dualcarbon.financed.holdings import sectors

    return {r["sector"]: r[f"name_{lang}"] for r in sectors().iter_rows(named=True)}


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "—"
    return f"{round(value, digits) + 0.0:,.{digits}f}"  # + 0.0: no "-0.0" for a tiny negative


def financed_view(financed: dict | None, t: Callable[..., str], lang: str) -> dict | None:
    """Rows and charts of the section, or None when the project has no holdings."""
    if not financed:
        return None
    names = sector_names(lang)
    bench = financed.get("benchmark") or {}
    cards = [
        (t("financed.report.total"), figures.tonnes(financed["total_t"]), t("cli.unit_t_co2e")),
        (t("financed.report.scope3"), figures.tonnes(financed["total_scope3_t"]), t("cli.unit_t_co2e")),
        (
            t("financed.report.per_million"),
            _number(financed["per_million_invested_t"], 2),
            t("financed.report.per_million_unit", currency=financed.get("currency") or ""),
        ),
        (t("financed.report.waci"), _number(financed["waci_t_per_million_revenue"]), t("financed.report.waci_unit")),
        (
            t("financed.report.quality"),
            _number(financed["data_quality"]["weighted"], 2),
            t("financed.report.quality_unit"),
        ),
    ]
    if bench.get("waci_t_per_million_revenue") is not None:
        cards.insert(
            4,
            (
                t("financed.report.benchmark_waci"),
                _number(bench["waci_t_per_million_revenue"]),
                t("financed.report.waci_unit"),
            ),
        )
    outstanding = financed["outstanding"] or 0.0
    classes = [
        {
            "name": t(f"financed.asset_class.{r['asset_class']}"),
            "holdings": r["holdings"],
            "share": r["outstanding"] / outstanding if outstanding else None,
            "financed_t": r["financed_t"],
            "scope3_t": r["financed_scope3_t"],
            "score": _number(
                next(
                    (
                        q["score"]
                        for q in financed["data_quality"]["by_asset_class"]
                        if q["asset_class"] == r["asset_class"]
                    ),
                    None,
                ),
                2,
            ),
        }
        for r in financed["by_asset_class"]
    ]
    sectors = [
        {
            "name": names.get(r["sector"], r["sector"]),
            "weight": r["weight"],
            "benchmark_weight": r["benchmark_weight"],
            "intensity": _number(r["intensity"]) if r["weight"] else "—",
            "benchmark_intensity": _number(r["benchmark_intensity"]),
            "allocation": _number(r["allocation"]),
            "selection": _number(r["selection"]),
        }
        for r in bench.get("by_sector") or []
    ]
    charts = {"sectors": _sector_chart(financed, names, t)}
    charts["quality"] = _quality_chart(financed, t)
    change = financed.get("change")
    return {
        "cards": cards,
        "classes": classes,
        "sectors": sectors,
        "benchmark": bench or None,
        "difference": {k: _number(bench.get(k)) for k in ("difference", "allocation", "selection")},
        "change": None
        if not change
        else {
            k: _number(change[k])
            for k in ("previous_t", "current_t", "total", "emissions", "denominator", "outstanding", "entries_exits")
        },
        "flags": [t(f"financed.cli.flag.{f['flag']}", id=f["id"]).lstrip("! ") for f in financed.get("flags") or []],
        "lulucf": _number(financed.get("lulucf_t")) if financed.get("lulucf_t") else None,
        "with_lulucf": _number(financed.get("total_with_lulucf_t")),
        "charts": charts,
    }


def _sector_chart(financed: dict, names: dict[str, str], t: Callable[..., str]) -> Markup | None:
    rows = [r for r in financed["by_sector"] if r["financed_t"]]
    if not rows:
        return None
    return svg.stacked_bars(
        "chart-financed-sectors",
        t("financed.report.chart.sectors"),
        [names.get(r["sector"], r["sector"]) for r in rows],
        [svg.Series(t("financed.report.total"), [r["financed_t"] for r in rows])],
        t("cli.unit_t_co2e"),
        totals=[r["financed_t"] for r in rows],
    )


def _quality_chart(financed: dict, t: Callable[..., str]) -> Markup | None:
    """The data-quality mix: each asset class's outstanding by score (shares of the class)."""
    holdings = financed["by_holding"]
    classes = sorted({h["asset_class"] for h in holdings})
    if not classes:
        return None
    totals = {c: sum(h["outstanding"] for h in holdings if h["asset_class"] == c) or 1.0 for c in classes}
    series = [
        svg.Series(
            t("financed.report.score", score=score),
            [
                100.0
                * sum(h["outstanding"] for h in holdings if h["asset_class"] == c and h["score"] == score)
                / totals[c]
                for c in classes
            ],
            SCORE_COLOURS[score - 1],
        )
        for score in SCORES
    ]
    return svg.stacked_bars(
        "chart-financed-quality",
        t("financed.report.chart.quality"),
        [t(f"financed.asset_class.{c}") for c in classes],
        series,
        "%",
    )
