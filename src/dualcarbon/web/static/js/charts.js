// Charts with plotly.js, which the server hands out from the installed plotly package. It is loaded
// on the first chart a page draws, so the pages without charts never fetch it.

import {categoryCode, categoryName, lang, localized, t} from "./i18n.js";

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
const COLOURS = ["#1b6e5a", "#3b8bc2", "#8fb8de", "#e0a030", "#b5523b", "#7a5c99", "#5f9e6e", "#c2a878",
  "#4d6d8a", "#9c6b4e", "#6aa5a0", "#d08c60", "#8c8c8c", "#a6c36f", "#c77d9a"];
let loading = null;

/** plotly.js, loaded once. */
export function plotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = document.body.dataset.plotly;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error("plotly.js could not be loaded"));
    document.head.append(script);
  });
  return loading;
}

// plotly's own words (the mode bar's buttons) in the page's language: term.plotly.* of the catalogue
const PLOTLY_WORDS = {
  "Download plot as a PNG": "download", "Download plot": "download", "Download plot as JSON": "download_json",
  "Share chart...": "share", "Share chart": "share", "Zoom": "zoom", "Pan": "pan",
  "Box Select": "box_select", "Lasso Select": "lasso_select", "Zoom in": "zoom_in", "Zoom out": "zoom_out",
  "Autoscale": "autoscale", "Reset axes": "reset_axes", "Toggle Spike Lines": "spikes",
  "Show closest data on hover": "hover_closest", "Compare data on hover": "hover_compare",
  "Double-click to zoom back out": "zoom_back", "Snapshot succeeded": "snapshot", "Taking snapshot - this may take a few seconds": "snapshot_wait",
};

function chartLocale(Plotly) {
  const name = `dualcarbon-${lang()}`;
  const dictionary = Object.fromEntries(Object.entries(PLOTLY_WORDS).map(([en, key]) => [en, t(`term.plotly.${key}`)]));
  Plotly.register({moduleType: "locale", name, dictionary});
  return name;
}

/** Draw into a div; the div gets data-drawn="true" once plotly has drawn it. */
export async function draw(div, traces, layout = {}) {
  const Plotly = await plotly();
  if (!div.isConnected) return;
  const base = {
    font: {family: FONT, size: 13}, paper_bgcolor: "#fff", plot_bgcolor: "#fff", colorway: COLOURS,
    margin: {l: 70, r: 20, t: 10, b: 40}, legend: {orientation: "h", yanchor: "top", y: -0.22},
    hoverlabel: {font: {family: FONT}},
  };
  await Plotly.newPlot(div, traces, {...base, ...layout}, {displaylogo: false, responsive: true, locale: chartLocale(Plotly)});
  div.dataset.drawn = "true";
}

const axis = (title, extra = {}) => ({title: {text: title}, automargin: true, gridcolor: "#e5e8eb", zerolinecolor: "#c9ced3", ...extra});

/** Category codes in reading order: by scope, Scope 3's categories by number (3.2 before 3.10). */
function byCode(a, b) {
  const [scopeA, restA = ""] = a.split(".");
  const [scopeB, restB = ""] = b.split(".");
  if (scopeA !== scopeB) return scopeA.localeCompare(scopeB);
  const numeric = Number(restA) - Number(restB);
  return Number.isNaN(numeric) ? restA.localeCompare(restB) : numeric;
}

/**
 * The four reported figures (Scope 1, Scope 2 both ways, Scope 3) as stacked bars by category. A
 * Scope 2 row without a method (or "both") counts in both Scope 2 bars, as in the report.
 */
export function breakdown(byCategory) {
  const bars = [
    ["totals.scope1", "1", null], ["totals.scope2_location", "2", ["location", "both"]],
    ["totals.scope2_market", "2", ["market", "both"]], ["totals.scope3", "3", null],
  ];
  const codes = [...new Set(byCategory.map((r) => r.category))].sort(byCode);
  const unit = t("unit.t_co2e");
  const traces = codes.map((code) => {
    const x = bars.map(([, scope, methods]) => byCategory
      .filter((r) => r.category === code && r.scope === scope &&
        (methods === null || !r.scope2_method || methods.includes(r.scope2_method)))
      .reduce((sum, r) => sum + r.co2e_t, 0));
    const name = categoryName(code) || code;  // a name, not a code, as the report
    return {type: "bar", orientation: "h", name, x, y: bars.map(([key]) => t(key)),
      hovertemplate: `%{y}<br>%{fullData.name}: %{x:,.2f} ${unit}<extra></extra>`};
  }).filter((trace) => trace.x.some((v) => v !== 0));
  return [traces, {barmode: "stack", height: 420, margin: {l: 190, r: 20, t: 10, b: 40},
    xaxis: axis(unit, {tickformat: ","}), yaxis: {autorange: "reversed"}}];
}

/** One line per reported figure over the months. */
export function monthly(byMonth) {
  const months = byMonth.filter((r) => r.month).sort((a, b) => a.month.localeCompare(b.month));
  const unit = t("unit.t_co2e");
  const traces = ["scope1", "scope2_location", "scope2_market", "scope3"].map((series) => ({
    type: "scatter", mode: "lines+markers", name: t(`totals.${series}`), x: months.map((r) => r.month),
    y: months.map((r) => r[series] || 0), hovertemplate: `%{x}: %{y:,.2f} ${unit}<extra>%{fullData.name}</extra>`,
  }));
  return [traces, {height: 340, xaxis: {type: "category"}, yaxis: axis(unit, {tickformat: ","})}];
}

/** A tonnage on a bar: thousands separators, small values with their significant digits. */
const label = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(3)).toLocaleString("en-US"));

/**
 * Emissions by gas, in CO2e, on a linear axis with each bar's value printed on it: a gas of a few tonnes
 * beside a million tonnes of CO2 shows as a thin bar and its number. (Before, the axis was logarithmic
 * without a word saying so, which made a few tonnes look like a sizeable share.)
 */
export function gases(byGas) {
  const rows = [...byGas].sort((a, b) => b.co2e_t - a.co2e_t);
  const unit = t("unit.t_co2e");
  return [[{type: "bar", x: rows.map((r) => r.gas), y: rows.map((r) => r.co2e_t), marker: {color: COLOURS[1]},
    text: rows.map((r) => label(r.co2e_t)), textposition: "outside", cliponaxis: false,
    hovertemplate: `%{x}: %{y:,.2f} ${unit}<extra></extra>`}],
  {height: 300, yaxis: axis(unit, {tickformat: ",", type: "linear"})}];
}

/**
 * The neutrality balance as a waterfall: base-year emissions, less reductions, the period's emissions,
 * less own removals and retired credits, the net. Emissions and net are drawn as the reported figures
 * (not as plotly's running sums), so the chart can never show a number the assessment does not state.
 */
export function waterfall(balance) {
  const steps = [];
  if (balance.base_year_emissions !== null && balance.base_year_emissions !== undefined) {
    steps.push([t("web.neutrality.base_year", {year: balance.base_year ?? ""}), "absolute", balance.base_year_emissions]);
    steps.push([t("neutrality.balance.reductions"), "relative", -(balance.reductions || 0)]);
  }
  steps.push([t("neutrality.balance.emissions"), "absolute", balance.emissions]);
  steps.push([t("neutrality.balance.removals"), "relative", -(balance.removals || 0)]);
  steps.push([t("neutrality.balance.credits"), "relative", -(balance.credits || 0)]);
  steps.push([t("neutrality.balance.net"), "absolute", balance.net]);
  const unit = t("unit.t_co2e");
  // each bar carries its value: a change signed, a stated figure as it is
  const text = steps.map(([, measure, v]) => (measure === "relative" ? `${v < 0 ? "−" : "+"}${label(Math.abs(v))}` : label(v)));
  return [[{type: "waterfall", orientation: "v", x: steps.map((s) => s[0]), measure: steps.map((s) => s[1]),
    y: steps.map((s) => s[2]), text, textposition: "outside", cliponaxis: false, connector: {line: {color: "#9aa5b1"}},
    increasing: {marker: {color: "#b5523b"}}, decreasing: {marker: {color: "#1b6e5a"}},
    totals: {marker: {color: "#4d6d8a"}}, hovertemplate: `%{x}: %{y:,.2f} ${unit}<extra></extra>`}],
  {height: 380, showlegend: false, yaxis: axis(unit, {tickformat: ","})}];
}

/** Year on year (docs/compare.md): the earlier total, each effect of the change, the later total. */
export function changeWaterfall(record) {
  const d = record.decomposition;
  const totals = Object.fromEntries(record.totals.map((r) => [r.item, r]));
  const steps = [[t("compare.old"), "absolute", totals.total_location?.old ?? 0]];
  for (const key of ["method_t", "factor_t", "activity_t", "new_sources_t", "dropped_sources_t", "other_t"]) {
    if (key !== "other_t" || Math.abs(d.other_t) >= 0.005) steps.push([t(`compare.effect.${key}`), "relative", d[key] ?? 0]);
  }
  steps.push([t("compare.new"), "total", totals.total_location?.new ?? 0]);
  const unit = t("unit.t_co2e");
  const text = steps.map(([, measure, v]) => (measure === "relative" ? `${v < 0 ? "−" : "+"}${label(Math.abs(v))}` : label(v)));
  return [[{type: "waterfall", orientation: "v", x: steps.map((s) => s[0]), measure: steps.map((s) => s[1]),
    y: steps.map((s) => s[2]), text, textposition: "outside", cliponaxis: false, connector: {line: {color: "#9aa5b1"}},
    increasing: {marker: {color: "#b5523b"}}, decreasing: {marker: {color: "#1b6e5a"}},
    totals: {marker: {color: "#4d6d8a"}}, hovertemplate: `%{x}: %{y:,.2f} ${unit}<extra></extra>`}],
  {height: 380, showlegend: false, yaxis: axis(unit, {tickformat: ","})}];
}

/** The pathway's years: business as usual, emissions with the measures, net emissions, the targets. */
export function trajectory(rows) {
  const years = rows.map((r) => r.year);
  const unit = t("unit.t_co2e");
  const line = (field, name, style) => ({type: "scatter", mode: "lines", name, x: years, y: rows.map((r) => r[field]),
    connectgaps: false, hovertemplate: `%{x}: %{y:,.0f} ${unit}<extra>%{fullData.name}</extra>`, ...style});
  const targets = rows.filter((r) => r.target_t !== null && r.target_t !== undefined);
  return [[
    line("bau_t", t("web.pathway.bau"), {line: {color: "#7b8794", dash: "dash"}}),
    line("emissions_t", t("web.pathway.emissions"), {line: {color: COLOURS[1]}}),
    line("net_t", t("web.pathway.net"), {line: {color: COLOURS[0], width: 3}}),
    {type: "scatter", mode: "markers", name: t("web.pathway.target"), x: targets.map((r) => r.year),
      y: targets.map((r) => r.target_t), marker: {color: "#b5523b", size: 9, symbol: "diamond"},
      hovertemplate: `%{x}: %{y:,.0f} ${unit}<extra>%{fullData.name}</extra>`},
  ], {height: 380, xaxis: axis(t("col.year")), yaxis: axis(unit, {tickformat: ",", rangemode: "tozero"})}];
}

/**
 * Emissions per unit of GDP (or per person) by year: business as usual, with the measures, and the
 * intensity target (pathway.csv's intensity columns, docs/pathway.md); ``per`` is "gdp" or "capita".
 */
export function intensity(rows, per = "gdp") {
  const [denominator, value, target] = per === "gdp"
    ? ["gdp_10k", "intensity_t_per_10k", "intensity_target_t_per_10k"]
    : ["population", "per_capita_t", "per_capita_target_t"];
  const years = rows.map((r) => r.year);
  const unit = t(per === "gdp" ? "pathway.unit.intensity_gdp" : "pathway.unit.intensity_capita");
  const hover = `%{x}: %{y:,.4g} ${unit}<extra>%{fullData.name}</extra>`;
  const ratio = (r, field) => (r[field] === null || !r[denominator] ? null : r[field] / r[denominator]);
  const targets = rows.filter((r) => r[target] !== null && r[target] !== undefined);
  return [[
    {type: "scatter", mode: "lines", name: t("web.pathway.bau"), x: years, y: rows.map((r) => ratio(r, "bau_t")),
      line: {color: "#7b8794", dash: "dash"}, hovertemplate: hover},
    {type: "scatter", mode: "lines", name: t("web.pathway.emissions"), x: years, y: rows.map((r) => r[value]),
      line: {color: COLOURS[1]}, hovertemplate: hover},
    {type: "scatter", mode: "lines+markers", name: t("pathway.series.intensity_target"), x: targets.map((r) => r.year),
      y: targets.map((r) => r[target]), line: {color: "#b5523b", shape: "hv"}, hovertemplate: hover},
  ], {height: 340, xaxis: axis(t("col.year")), yaxis: axis(unit, {rangemode: "tozero"})}];
}

/**
 * The marginal abatement cost curve: one bar per measure, as wide as its yearly potential and as high as
 * its cost per tonne, cheapest first, named (not coded). The measures the pathway chose and those it did
 * not are two traces in two colours, with a legend; a cost of about zero (under 1 % of the axis) is a thick
 * mark on the axis and a zero potential a diamond at its cost, never an invisible bar.
 */
export function macc(measures, currency) {
  const rows = measures.filter((m) => Number.isFinite(m.macc_potential_t) && Number.isFinite(m.macc_cost_per_t) &&
    m.macc_potential_t >= 0).sort((a, b) => a.macc_cost_per_t - b.macc_cost_per_t);
  const costs = rows.map((m) => m.macc_cost_per_t);
  const span = (Math.max(0, ...costs) - Math.min(0, ...costs)) || 1;
  let start = 0;
  const placed = rows.map((m) => {
    const at = {m, left: start, width: m.macc_potential_t, chosen: String(m.chosen) === "true", name: localized(m, "name") || m.id};
    start += m.macc_potential_t;
    return at;
  });
  const perTonne = t("web.pathway.cost_per_t", {currency});
  const hover = `%{customdata}<br>%{width:,.0f} ${t("web.pathway.t_per_year")}, %{y:,.0f} ${perTonne}<extra></extra>`;
  const bars = (chosen) => {
    const part = placed.filter((p) => p.chosen === chosen && p.width > 0);
    return {type: "bar", name: t(chosen ? "chart.macc.chosen" : "chart.macc.rejected"), x: part.map((p) => p.left + p.width / 2),
      y: part.map((p) => p.m.macc_cost_per_t), width: part.map((p) => p.width), text: part.map((p) => p.name),
      textposition: "outside", cliponaxis: false, customdata: part.map((p) => p.name),
      marker: {color: chosen ? "#17694b" : "#c4cbd2", line: {color: "#fff", width: 1}}, hovertemplate: hover};
  };
  const zero = placed.filter((p) => p.width > 0 && Math.abs(p.m.macc_cost_per_t) < 0.01 * span);
  const none = placed.filter((p) => p.width === 0);
  const traces = [bars(true), bars(false)];
  if (zero.length) {
    traces.push({type: "scatter", mode: "lines", name: t("chart.macc.zero_cost"), hoverinfo: "skip",
      x: zero.flatMap((p) => [p.left, p.left + p.width, null]), y: zero.flatMap(() => [0, 0, null]),
      line: {color: "#1f2933", width: 6}});
  }
  if (none.length) {
    traces.push({type: "scatter", mode: "markers+text", name: t("chart.macc.zero_potential"), x: none.map((p) => p.left),
      y: none.map((p) => p.m.macc_cost_per_t), text: none.map((p) => p.name), textposition: "top center",
      customdata: none.map((p) => p.name), marker: {symbol: "diamond", size: 10, color: "#52606d"},
      hovertemplate: `%{customdata}<br>%{y:,.0f} ${perTonne}<extra></extra>`});
  }
  return [traces, {height: 420, showlegend: true, barmode: "overlay", bargap: 0,
    xaxis: axis(t("web.pathway.potential"), {tickformat: ","}), yaxis: axis(perTonne, {tickformat: ","})}];
}
