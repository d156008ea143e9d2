"""The report's charts as static inline SVG, drawn with matplotlib (no script, no chart library in the page).

A chart is a few kilobytes of vector drawing in the document itself, so report.html stays light enough to
e-mail and prints the same in report.pdf. Text stays text (``svg.fonttype = "none"``): it can be searched and
copied, and it is set in the page's font stack, which names the CJK fonts first; matplotlib measures it with
the first of ``FONTS`` it finds (Debian ``fonts-noto-cjk`` installs Noto Sans CJK SC) and lays out with its
own fallback when none is installed, without failing. Every function takes display-ready data (labels already
in the report's language, values in the unit the axis names) and returns the ``<figure>`` as ``Markup``.

Honest charts: linear axes only, each titled with its unit; values printed on the waterfall's bars; on the
marginal abatement cost curve the measures the pathway chose and those it did not are told apart by colour
and legend, a measure of zero cost is drawn as a marker on the axis and one of zero potential as a point,
never as an invisible bar.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import matplotlib
from markupsafe import Markup, escape
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

#: matplotlib measures text with the first of these it finds; the SVG's text takes the page's font
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Zen Hei", "DejaVu Sans"]
WIDTH_IN = 7.2  # the printable width of A4 with the report's margins (182 mm), so text prints at its size
COLOURS = [
    "#1b6e5a",
    "#3b8bc2",
    "#e0a030",
    "#b5523b",
    "#7a5c99",
    "#8fb8de",
    "#5f9e6e",
    "#c2a878",
    "#4d6d8a",
    "#9c6b4e",
    "#6aa5a0",
    "#d08c60",
    "#8c8c8c",
    "#a6c36f",
    "#c77d9a",
]
GREEN, RED, GREY, INK, MUTED = "#17694b", "#b42318", "#52606d", "#1f2933", "#9aa5b1"
CHOSEN, REJECTED = "#17694b", "#c4cbd2"
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "dualcarbon",  # the same ids for the same drawing: reports are reproducible
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 8.5,
    "axes.edgecolor": "#9aa5b1",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#e5e8eb",
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 8,
}


@dataclass
class Series:
    """One line (or bar series) of a chart: its name in the legend, its values (None: a gap) and style."""

    name: str
    values: Sequence[float | None]
    colour: str | None = None
    dash: bool = False
    dotted: bool = False
    markers: bool = True
    step: bool = False  # a level held until the next point (a target line)


def thousands(value: float, _pos: object = None) -> str:
    """An axis tick: thousands separators, decimals only where the scale needs them."""
    if value == 0:
        return "0"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def _figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    return Figure(figsize=(width_in, height_in), layout="constrained")


def render(fig: Figure, chart_id: str, label: str) -> Markup:
    """The figure as an inline ``<figure>``: an SVG scaled to the column's width, its ids prefixed with
    ``chart_id`` (several charts in one page), ``label`` as its accessible name."""
    buffer = io.StringIO()
    with _style(), _quiet():
        FigureCanvasSVG(fig)
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(
        r'<svg xmlns:xlink="[^"]*" width="[^"]*" height="[^"]*"',
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="100%"',
        svg,
        count=1,
    )
    # ids are unique in a page: prefix them, and what points at them
    svg = re.sub(r'\bid="', f'id="{chart_id}-', svg)
    svg = svg.replace("url(#", f"url(#{chart_id}-").replace('xlink:href="#', f'xlink:href="#{chart_id}-')
    # text takes the page's font stack (CJK first) rather than the one font matplotlib measured with
    svg = re.sub(r"font-family:[^;\"]*;?\s*", "", svg)
    # matplotlib's stylesheet applies to "*": in a page that is every element, so it is kept to the chart
    svg = svg.replace("*{stroke-linejoin", f"#{chart_id} *{{stroke-linejoin")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(f'<figure class="chart" id="{chart_id}">{svg.strip()}</figure>')


def _style() -> AbstractContextManager[None]:
    """matplotlib's settings for the report's charts (``RC``), for the drawing within."""
    return matplotlib.rc_context(RC)  # type: ignore[arg-type]


@contextmanager
def _quiet() -> Iterator[None]:
    """matplotlib names each font of ``FONTS`` it does not find and each glyph its font lacks: expected
    on a machine without CJK fonts, where the browser's fonts set the text anyway."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
            warnings.filterwarnings("ignore", message=".*findfont.*")
            yield
    finally:
        logger.setLevel(level)


def _axes(fig: Figure, unit: str, horizontal: bool = False):
    with _style():
        ax = fig.add_subplot()
    formatter = FuncFormatter(thousands)
    if horizontal:
        ax.xaxis.set_major_formatter(formatter)
        ax.set_xlabel(unit)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
    else:
        ax.yaxis.set_major_formatter(formatter)
        ax.set_ylabel(unit)
    return ax


def _legend(fig: Figure, ax, columns: int = 3) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(columns, len(labels)), frameon=False)


def stacked_bars(
    chart_id: str,
    label: str,
    bars: Sequence[str],
    series: Sequence[Series],
    unit: str,
    totals: Sequence[float] | None = None,
) -> Markup:
    """Horizontal bars (one per entry of ``bars``, top to bottom) stacked by ``series``; ``totals`` printed
    at each bar's end."""
    with _style():
        fig = _figure(1.2 + 0.45 * len(bars) + 0.2 * ((len(series) + 1) // 2))
        ax = _axes(fig, unit, horizontal=True)
        y = list(range(len(bars)))
        left_pos = [0.0] * len(bars)
        left_neg = [0.0] * len(bars)
        for i, s in enumerate(series):
            values = [v or 0.0 for v in s.values]
            lefts = [left_pos[j] if v >= 0 else left_neg[j] for j, v in enumerate(values)]
            ax.barh(y, values, left=lefts, height=0.6, label=s.name, color=s.colour or COLOURS[i % len(COLOURS)])
            for j, v in enumerate(values):
                if v >= 0:
                    left_pos[j] += v
                else:
                    left_neg[j] += v
        ax.set_yticks(y, list(bars))
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(6))
        if totals is not None:
            for j, total in enumerate(totals):
                ax.annotate(
                    thousands(total),
                    (max(left_pos[j], 0.0), j),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7.5,
                    color=INK,
                )
            ax.margins(x=0.12)
        _legend(fig, ax, 2)
    return render(fig, chart_id, label)


def lines(
    chart_id: str,
    label: str,
    x: Sequence[str | int],
    series: Sequence[Series],
    unit: str,
    height_in: float = 3.2,
    bars: Sequence[Series] = (),
    legend: bool = True,
    from_zero: bool = False,
    special: Sequence[tuple[str, Sequence[int | str], Sequence[float], str]] = (),
    width_in: float = WIDTH_IN,
) -> Markup:
    """Lines over ``x`` (months, years), with optional ``bars`` stacked beneath them (positive above zero,
    negative below: removals are never netted); ``special`` adds marked points (name, xs, ys, marker)."""
    numeric = all(isinstance(v, int) for v in x)
    with _style():
        fig = _figure(height_in, width_in)
        ax = _axes(fig, unit)
        positions = [float(v) if numeric else float(i) for i, v in enumerate(x)]
        up = [0.0] * len(x)
        down = [0.0] * len(x)
        for i, s in enumerate(bars):
            values = [v or 0.0 for v in s.values]
            bottoms = [up[j] if v >= 0 else down[j] for j, v in enumerate(values)]
            ax.bar(
                positions, values, bottom=bottoms, width=0.6, label=s.name, color=s.colour or COLOURS[i % len(COLOURS)]
            )
            for j, v in enumerate(values):
                if v >= 0:
                    up[j] += v
                else:
                    down[j] += v
        for i, s in enumerate(series):
            points = [(p, v) for p, v in zip(positions, s.values, strict=True) if v is not None]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            ax.plot(
                xs,
                ys,
                label=s.name,
                color=s.colour or COLOURS[(i + len(bars)) % len(COLOURS)],
                linestyle=":" if s.dotted else "--" if s.dash else "-",
                marker="o" if s.markers and len(points) <= 24 else None,
                markersize=3.5,
                linewidth=1.6,
                drawstyle="steps-post" if s.step else "default",
            )
        for name, at, marked, marker in special:
            where = [float(a) if numeric else float(list(x).index(a)) for a in at]
            ax.plot(where, list(marked), linestyle="none", marker=marker, markersize=9, color=RED, label=name)
        if bars:
            ax.axhline(0, color=GREY, linewidth=0.8)
        if numeric:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}"))
        else:
            step = max(1, len(x) // 12)
            ax.set_xticks(positions[::step], [str(v) for v in x][::step])
        if from_zero:
            ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        if legend:
            _legend(fig, ax, 3)
    return render(fig, chart_id, label)


def waterfall(chart_id: str, label: str, steps: Sequence[tuple[str, str, float]], unit: str) -> Markup:
    """A waterfall of ``(kind, label, value)`` steps, kind ``absolute`` (a bar from zero: a figure the
    assessment states), ``relative`` (a change from the running level) or ``total`` (a bar from zero at
    the given value); each bar carries its value."""
    with _style():
        fig = _figure(3.4)
        ax = _axes(fig, unit)
        level = 0.0
        previous_top: float | None = None
        for i, (kind, _name, value) in enumerate(steps):
            if kind == "relative":
                bottom, height = level, value
                level += value
                colour = GREEN if value < 0 else RED
                text = f"{'−' if value < 0 else '+'}{thousands(abs(value))}" if value else "0"
            else:
                bottom, height, level = 0.0, value, value
                colour = GREY
                text = thousands(value)
            ax.bar([i], [height], bottom=[bottom], width=0.62, color=colour)
            if value == 0:  # a zero step is a marker on the level, not an invisible bar
                ax.plot([i - 0.31, i + 0.31], [bottom, bottom], color=colour, linewidth=2.5)
            if previous_top is not None:
                ax.plot([i - 1 + 0.31, i - 0.31], [previous_top, previous_top], color=MUTED, linewidth=0.8)
            previous_top = level
            top = max(bottom, bottom + height)
            ax.annotate(
                text, (i, top), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7.5
            )
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.set_xticks(range(len(steps)), [_wrap(name, 12) for _kind, name, _value in steps])
        ax.margins(y=0.12)
    return render(fig, chart_id, label)


@dataclass
class Measure:
    """A bar of the MACC: its name, potential (t CO2e a year), levelised cost per tonne, whether the
    pathway chose it."""

    name: str
    potential_t: float
    cost_per_t: float
    chosen: bool


def macc(
    chart_id: str,
    label: str,
    measures: Sequence[Measure],
    potential_axis: str,
    cost_axis: str,
    chosen_label: str,
    rejected_label: str,
    zero_cost_label: str,
    zero_potential_label: str,
) -> Markup:
    """The marginal abatement cost curve, cheapest first: each measure a bar as wide as its potential and
    as high as its cost; chosen and not chosen in two colours with a legend. Each measure is named in a band
    above the bars, joined to its bar by a thin line (labels never overlap, however narrow the bar). A cost
    of about zero (under 1 % of the axis) is drawn as a thick mark on the axis, a zero potential as a
    diamond at its cost."""
    ordered = sorted(measures, key=lambda m: m.cost_per_t)
    costs = [m.cost_per_t for m in ordered] or [0.0]
    high, low = max(max(costs), 0.0), min(min(costs), 0.0)
    span = (high - low) or 1.0
    total = sum(max(m.potential_t, 0.0) for m in ordered) or 1.0
    with _style():
        fig = _figure(4.6)
        ax = _axes(fig, cost_axis)
        ax.set_xlabel(potential_axis)
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        seen: set[str] = set()

        def tag(name: str) -> str:
            if name in seen:
                return "_nolegend_"
            seen.add(name)
            return name

        left = 0.0
        anchors: list[tuple[float, float]] = []
        for m in ordered:
            width = max(m.potential_t, 0.0)
            colour = CHOSEN if m.chosen else REJECTED
            kind = chosen_label if m.chosen else rejected_label
            if width > 0:
                ax.bar(
                    [left],
                    [m.cost_per_t],
                    width=width,
                    align="edge",
                    color=colour,
                    edgecolor="#ffffff",
                    linewidth=0.6,
                    label=tag(kind),
                )
                if abs(m.cost_per_t) < 0.01 * span:
                    ax.plot(
                        [left, left + width],
                        [0, 0],
                        color=INK,  # apart from both bar colours: its own legend entry
                        linewidth=4.5,
                        solid_capstyle="butt",
                        label=tag(zero_cost_label),
                    )
                anchors.append((left + width / 2, max(m.cost_per_t, 0.0)))
            else:
                ax.plot(
                    [left],
                    [m.cost_per_t],
                    linestyle="none",
                    marker="D",
                    markersize=6,
                    color=colour if m.chosen else GREY,
                    markeredgecolor=INK,
                    markeredgewidth=0.6,
                    label=tag(zero_potential_label),
                )
                anchors.append((left, max(m.cost_per_t, 0.0)))
            left += width
        ax.axhline(0, color=GREY, linewidth=0.8)
        x_low, x_high = -0.01 * total, left + 0.01 * total
        ax.set_xlim(x_low, x_high)
        # the bars take the lower 60 % of the plot; the names the band above
        ax.set_ylim(low - 0.08 * span, high + 0.75 * span)
        slots = _slots(
            [(x - x_low) / (x_high - x_low) for x, _ in anchors], min_gap=min(0.16, 0.96 / max(len(anchors), 1))
        )
        per_line = 9 if any("\u4e00" <= ch <= "\u9fff" for m in ordered for ch in m.name) else 16
        for m, (x, y), slot in zip(ordered, anchors, slots, strict=True):
            ax.annotate(
                _wrap(m.name, per_line),
                xy=(x, y),
                xycoords="data",
                xytext=(slot, 0.985),
                textcoords="axes fraction",
                ha="center",
                va="top",
                fontsize=7,
                color=INK,
                arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.6, "shrinkA": 1, "shrinkB": 1},
            )
        _legend(fig, ax, 4)
    return render(fig, chart_id, label)


def _slots(wanted: Sequence[float], min_gap: float) -> list[float]:
    """Label positions (axes fraction, in the order given, which is left to right) as near as may be to
    ``wanted``, at least ``min_gap`` apart and inside the plot."""
    half = min_gap / 2
    slots: list[float] = []
    for w in wanted:
        slots.append(max(w, half, slots[-1] + min_gap) if slots else max(w, half))
    for i in range(len(slots) - 1, -1, -1):  # pushed past the right edge: shift back left
        limit = 1 - half if i == len(slots) - 1 else slots[i + 1] - min_gap
        slots[i] = min(slots[i], limit)
    return slots


def _wrap(text: str, width: int) -> str:
    """Break a long label into lines of about ``width`` characters (at spaces where there are some; CJK
    text anywhere); nothing is cut off."""
    if len(text) <= width:
        return text
    if " " in text:
        import textwrap

        return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def histogram(
    chart_id: str,
    label: str,
    edges: Sequence[float],
    counts: Sequence[int],
    x_unit: str,
    y_unit: str,
    marks: Sequence[tuple[str, float, bool]] = (),
) -> Markup:
    """A histogram of Monte Carlo results: bars over ``edges`` (one more than ``counts``), and vertical
    ``marks`` ``(legend label, value, dashed)`` such as the central value and the 95 % interval's bounds."""
    with _style():
        fig = _figure(2.8)
        ax = _axes(fig, y_unit)
        left = list(edges[:-1])
        widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=True)]
        ax.bar(left, list(counts), width=widths, align="edge", color=COLOURS[1], edgecolor="white", linewidth=0.4)
        for i, (name, value, dashed) in enumerate(marks):
            colour = (INK, RED, RED, GREEN)[i % 4]
            ax.axvline(value, color=colour, linewidth=1.1, linestyle="--" if dashed else "-", label=name)
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.set_xlabel(x_unit)
        _legend(fig, ax, columns=4)
    return render(fig, chart_id, label)
