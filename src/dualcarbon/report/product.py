"""The report's product section: a product's carbon footprint (ISO 14067) from summary.json ``product``
or footprint.json, per functional unit, by life-cycle stage and by process, its Monte Carlo uncertainty
(95 % interval and histogram) and the product's carbon-neutrality assessment with its claim.

Pure functions: the product record in, rows and inline SVG charts (``report/svg.py``) out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup

from dualcarbon.report import svg

TOP_PROCESSES = 12


def functional_unit(product: Mapping, lang: str) -> str:
    """The functional unit in ``lang`` (footprint.json ``functional_unit_zh`` / ``_en``), else as written."""
    return product.get(f"functional_unit_{lang}") or product.get("functional_unit") or ""


def stage_label(stage: str | None, lang: str, t: Callable[..., str], named: Mapping | None = None) -> str:
    """A life-cycle stage in ``lang``: the record's own name (``name``/``name_en`` of by_stage), else the
    catalogue's ``product.stage.<id>``, else the stage as written."""
    if named:
        text = named.get("name_en" if lang == "en" else "name")
        if text:
            return str(text)
    if not stage:
        return ""
    key = f"product.stage.{stage.replace(' ', '_')}"
    text = t(key)
    return stage if text == key else text


def stage_rows(product: Mapping, lang: str = "en", t: Callable[..., str] | None = None) -> list[dict]:
    """The life-cycle stages, largest first, with kg CO2e per functional unit, their share and their name in
    ``lang`` (``label``)."""
    rows = []
    for r in product.get("by_stage") or ():
        label = stage_label(r.get("stage"), lang, t, r) if t is not None else (r.get("stage") or "")
        rows.append(dict(r, label=label))
    return sorted(rows, key=lambda r: -(r.get("kg_co2e") or 0.0))


def process_rows(product: Mapping, lang: str, t: Callable[..., str] | None = None) -> list[dict]:
    """The processes as footprint.json lists them (largest first, then "others"), each with its name
    (``label``) and its stage's name (``stage_label``) in ``lang``."""
    out = []
    for r in product.get("by_process") or ():
        name = (r.get("name_en") if lang == "en" else r.get("name")) or r.get("name") or r.get("process")
        stage = r.get("stage_name_en" if lang == "en" else "stage_name")
        if not stage:
            stage = stage_label(r.get("stage"), lang, t) if t is not None else (r.get("stage") or "")
        out.append(dict(r, label=name, stage_label=stage))
    # a background process used in several stages (the farm's and the plant's electricity): named with its stage
    seen: dict[str, int] = {}
    for r in out:
        seen[r["label"]] = seen.get(r["label"], 0) + 1
    paren = (lambda text: t("term.paren", text=text)) if t is not None else (lambda text: f" ({text})")
    for r in out:
        if seen[r["label"]] > 1 and r["stage_label"] and r.get("process") != "others":
            r["label"] = f"{r['label']}{paren(r['stage_label'])}"
    return out


def interval(product: Mapping) -> dict | None:
    """The Monte Carlo summary (mean, median, 2.5 and 97.5 percentiles), None when not simulated."""
    u = product.get("uncertainty")
    if not isinstance(u, Mapping) or u.get("p2_5") is None or u.get("p97_5") is None:
        return None
    return dict(u)


def contribution_chart(product: Mapping, lang: str, t: Callable[..., str], chart_id: str) -> Markup | None:
    """Horizontal bars: the footprint per functional unit split by stage (one stacked bar), then the
    largest processes, each with its kg CO2e."""
    stages = stage_rows(product, lang, t)
    processes = [r for r in process_rows(product, lang, t) if r.get("process") != "others"][:TOP_PROCESSES]
    if not stages and not processes:
        return None
    unit = t("product.report.unit_per_fu", unit=functional_unit(product, lang))
    bars = [r["label"] for r in processes]
    series = [svg.Series(t("product.report.by_process"), [r.get("kg_co2e") or 0.0 for r in processes], "#52606d")]
    totals = [r.get("kg_co2e") or 0.0 for r in processes]
    if stages:
        bars = [t("product.report.total"), *bars]
        series = [svg.Series(str(s["label"]), [s.get("kg_co2e") or 0.0] + [0.0] * len(processes)) for s in stages] + [
            svg.Series(series[0].name, [0.0, *series[0].values], series[0].colour)
        ]
        totals = [float(product.get("footprint_kg_co2e") or 0.0), *totals]
    return svg.stacked_bars(chart_id, t("product.report.contribution"), bars, series, unit, totals)


def histogram_chart(product: Mapping, t: Callable[..., str], chart_id: str, lang: str = "en") -> Markup | None:
    """The Monte Carlo scores as a histogram (footprint.json ``uncertainty.histogram``), the footprint, the
    95 % interval's bounds and the median marked; None without a histogram."""
    u = interval(product)
    hist = (u or {}).get("histogram") or {}
    edges: Sequence[float] = hist.get("edges") or ()
    counts: Sequence[int] = hist.get("counts") or ()
    if u is None or len(edges) != len(counts) + 1 or not counts:
        return None
    unit = t("product.report.unit_per_fu", unit=functional_unit(product, lang))
    marks = []
    if product.get("footprint_kg_co2e") is not None:
        marks.append((t("product.report.deterministic"), float(product["footprint_kg_co2e"]), False))
    marks += [(t("product.report.interval_95"), float(u["p2_5"]), True), ("_nolegend_", float(u["p97_5"]), True)]
    if u.get("median") is not None:
        marks.append((t("product.report.median"), float(u["median"]), False))
    return svg.histogram(
        chart_id, t("product.report.histogram"), edges, counts, unit, t("product.report.iterations_axis"), marks
    )


def product_view(product: Mapping | None, lang: str, t: Callable[..., str]) -> dict | None:
    """What the product section shows; None without a product."""
    if not product:
        return None
    return {
        "p": product,
        "functional_unit": functional_unit(product, lang),
        "stages": stage_rows(product, lang, t),
        "processes": process_rows(product, lang, t),
        "interval": interval(product),
        "neutrality": product.get("neutrality"),
        "charts": {
            "contribution": contribution_chart(product, lang, t, "chart-product-contribution"),
            "histogram": histogram_chart(product, t, "chart-product-histogram", lang),
        },
    }
