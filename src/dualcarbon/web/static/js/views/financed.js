// A run's financed emissions (summary.json's `financed`, docs/financed.md): the PCAF headline figures, the
// portfolio against its benchmark by sector (WACI with allocation and selection), the asset classes with
// their data-quality scores, the data-quality mix and the change from the comparison year.

import * as api from "../api.js";
import * as charts from "../charts.js";
import {append, h, section, table} from "../dom.js";
import {co2e, fixed} from "../format.js";
import {localized, t} from "../i18n.js";
import {facts} from "./common.js";

// The report's colours for scores 1 (best) to 5 (report/financed.py SCORE_COLOURS).
const SCORE_COLOURS = ["#17694b", "#4f9d69", "#c9a227", "#e07b39", "#b42318"];

/** Each asset class's outstanding by data-quality score, as % of the class (the report's data-quality mix). */
export function qualityMix(holdings) {
  const classes = [...new Set(holdings.map((x) => x.asset_class))].sort();
  const totals = Object.fromEntries(classes.map((c) => [c, 0]));
  const byScore = [1, 2, 3, 4, 5].map(() => Object.fromEntries(classes.map((c) => [c, 0])));
  for (const x of holdings) {
    totals[x.asset_class] += x.outstanding;
    byScore[x.score - 1][x.asset_class] += x.outstanding;
  }
  return {classes, shares: byScore.map((row) => classes.map((c) => (totals[c] ? (100 * row[c]) / totals[c] : 0)))};
}

const share = (value) => (value === null || value === undefined ? "—" : `${(100 * value).toFixed(1)} %`);

export async function render(ctx, run) {
  const summary = await api.request(`/runs/${run.id}/summary`);
  if (!ctx.live()) return;
  const f = summary.financed;
  if (!f) {
    append(ctx.root, h("p", {class: "notice", "data-testid": "no-financed"}, t("financed.web.none")));
    return;
  }
  const bench = f.benchmark || null;
  append(ctx.root,
    facts([
      [t("financed.report.total"), `${co2e(f.total_t)} ${t("unit.t_co2e")}`, "financed-total"],
      [t("financed.report.scope3"), `${co2e(f.total_scope3_t)} ${t("unit.t_co2e")}`, "financed-scope3"],
      [t("financed.report.per_million"),
        `${fixed(f.per_million_invested_t, 2)} ${t("financed.report.per_million_unit", {currency: f.currency || ""})}`,
        "financed-per-million"],
      [t("financed.report.waci"), `${fixed(f.waci_t_per_million_revenue, 1)} ${t("financed.report.waci_unit")}`,
        "financed-waci"],
      bench ? [t("financed.report.benchmark_waci"),
        `${fixed(bench.waci_t_per_million_revenue, 1)} ${t("financed.report.waci_unit")}`, "financed-benchmark"] : null,
      [t("financed.report.quality"), `${fixed(f.data_quality.weighted, 2)} (${t("financed.report.quality_unit")})`,
        "financed-quality"],
    ], "financed-facts"),
    section(t("financed.report.by_asset_class"), table([
      {label: t("financed.report.col.asset_class"), key: "class", cell: (r) => t(`financed.asset_class.${r.asset_class}`)},
      {label: t("financed.report.col.holdings"), key: "holdings", num: true, cell: (r) => String(r.holdings)},
      {label: t("financed.report.col.share"), key: "share", num: true, cell: (r) => share(r.outstanding / f.outstanding)},
      {label: t("financed.report.col.financed"), key: "financed", num: true, cell: (r) => co2e(r.financed_t)},
      {label: t("financed.report.col.scope3"), key: "scope3", num: true, cell: (r) => co2e(r.financed_scope3_t)},
      {label: t("financed.report.col.score"), key: "score", num: true,
        cell: (r) => fixed((f.data_quality.by_asset_class.find((q) => q.asset_class === r.asset_class) || {}).score, 2)},
    ], f.by_asset_class, {testid: "financed-classes", rowAttrs: (r) => ({"data-class": r.asset_class})})),
    bench ? section(t("financed.report.benchmark"),
      h("div", {class: "chart", id: "chart-financed-waci", "data-testid": "chart-financed-waci"}),
      h("p", {class: "note"}, t("financed.report.benchmark_note", {difference: fixed(bench.difference, 1),
        allocation: fixed(bench.allocation, 1), selection: fixed(bench.selection, 1)})),
      table([
        {label: t("financed.report.col.sector"), key: "sector", cell: (r) => localized(r, "name")},
        {label: t("financed.report.col.weight"), key: "weight", num: true, cell: (r) => share(r.weight)},
        {label: t("financed.report.col.benchmark_weight"), key: "benchmark_weight", num: true,
          cell: (r) => share(r.benchmark_weight)},
        {label: t("financed.report.col.intensity"), key: "intensity", num: true,
          cell: (r) => (r.weight ? fixed(r.intensity, 1) : "—")},
        {label: t("financed.report.col.benchmark_intensity"), key: "benchmark_intensity", num: true,
          cell: (r) => fixed(r.benchmark_intensity, 1)},
        {label: t("financed.report.col.allocation"), key: "allocation", num: true, cell: (r) => fixed(r.allocation, 1)},
        {label: t("financed.report.col.selection"), key: "selection", num: true, cell: (r) => fixed(r.selection, 1)},
      ], bench.by_sector, {testid: "financed-sectors", rowAttrs: (r) => ({"data-sector": r.sector})})) : null,
    section(t("financed.report.chart.quality"),
      h("div", {class: "chart", id: "chart-financed-quality", "data-testid": "chart-financed-quality"})),
    f.change ? section(t("financed.report.change_title"), table([
      {label: t("financed.report.col.item"), key: "item", cell: (r) => t(`financed.report.change.${r[0]}`)},
      {label: t("unit.t_co2e"), key: "t", num: true, cell: (r) => fixed(r[1], 1)},
    ], [["previous", f.change.previous_t], ["emissions", f.change.emissions], ["denominator", f.change.denominator],
      ["outstanding", f.change.outstanding], ["entries_exits", f.change.entries_exits], ["current", f.change.current_t]],
    {testid: "financed-change"})) : null);
  const mix = qualityMix(f.by_holding);
  await charts.draw(ctx.root.querySelector("#chart-financed-quality"), mix.shares.map((values, i) => {
    const name = t("financed.report.score", {score: i + 1});
    return {type: "bar", orientation: "h", name, y: mix.classes.map((c) => t(`financed.asset_class.${c}`)),
      x: values, marker: {color: SCORE_COLOURS[i]}, hovertemplate: `%{y}: %{x:.1f} %<extra>${name}</extra>`};
  }), {barmode: "stack", height: 120 + 40 * mix.classes.length, xaxis: {range: [0, 100], ticksuffix: " %"}});
  if (!ctx.live()) return;
  if (bench) {
    const rows = bench.by_sector;
    const bar = (name, values, colour) => ({type: "bar", name, x: rows.map((r) => localized(r, "name")), y: values,
      marker: {color: colour}, hovertemplate: `%{x}: %{y:,.1f}<extra>${name}</extra>`});
    await charts.draw(ctx.root.querySelector("#chart-financed-waci"), [
      bar(t("financed.web.portfolio"), rows.map((r) => (r.weight ? r.intensity : null)), "#17694b"),
      bar(t("financed.web.benchmark"), rows.map((r) => r.benchmark_intensity), "#9aa5b1"),
    ], {barmode: "group", height: 340, yaxis: {title: {text: t("financed.report.waci_unit")}, tickformat: ","}});
  }
}
