// The pathway a run computed (pathway.json and its tables): targets, the trajectory against them,
// the marginal abatement cost curve and the measures chosen.

import * as api from "../api.js";
import * as charts from "../charts.js";
import {append, h, section, table} from "../dom.js";
import {co2e, co2eText, currencyName, fixed, money, moneyParts} from "../format.js";
import {label, localized, t} from "../i18n.js";
import {facts} from "./common.js";

// intensity targets: (per, the chart's title, the pathway.csv column that says there is one)
const INTENSITIES = [
  ["gdp", "pathway.chart.intensity", "intensity_target_t_per_10k"],
  ["capita", "pathway.chart.per_capita", "per_capita_target_t"],
];

export async function render(ctx, run) {
  let answer;
  try {
    answer = await api.request(`/runs/${run.id}/pathway`);
  } catch (error) {
    if (error.code !== "not_produced") throw error;
    append(ctx.root, h("p", {class: "notice", "data-testid": "no-pathway"}, t("web.pathway.none")));
    return;
  }
  if (!ctx.live()) return;
  const p = answer.pathway;
  const years = answer.tables.pathway || [];
  const measures = answer.tables.measures_plan || [];
  const targets = p.targets || {};
  const peak = (record) => (record ? t("web.pathway.peak_value", {year: record.year ?? "—", value: co2eText(record.emissions_t)}) : "—");
  append(ctx.root, 
    facts([
      [t("web.pathway.status"), label("web.pathway.solver", p.status), "status"],
      [t("web.pathway.targets"), localized(targets, "name") || targets.template || "—"],
      [t("web.pathway.base"), t("web.pathway.base_value", {year: targets.base_year ?? "—", value: co2eText(targets.base_emissions_t)})],
      [t("web.pathway.bau_peak"), peak(p.bau_peak)],
      [t("web.pathway.pathway_peak"), peak(p.pathway_peak)],
      [t("web.pathway.cost"), cost(p), "cost"],
    ], "pathway-header"),
    shortfalls(p.shortfalls || []),
    section(t("web.pathway.trajectory"), h("div", {class: "chart", id: "chart-trajectory", "data-testid": "chart-trajectory"})),
    ...INTENSITIES.filter(([, , column]) => years.length && column in years[0]).map(([per, title]) =>
      section(t(title), h("div", {class: "chart", id: `chart-intensity-${per}`, "data-testid": `chart-intensity-${per}`}))),
    section(t("web.pathway.macc"), h("div", {class: "chart", id: "chart-macc", "data-testid": "chart-macc"})),
    section(t("web.pathway.measures"), table([
      {label: "ID", cell: (m) => h("code", {}, m.id), key: "id"},
      {label: t("web.pathway.measure"), cell: (m) => localized(m, "name")},
      {label: t("web.pathway.chosen"), cell: (m) => (String(m.chosen) === "true" ? t("web.yes") : t("web.no")), key: "chosen"},
      {label: t("web.pathway.start_year"), cell: (m) => m.start_year ?? "—"},
      {label: t("web.pathway.potential"), cell: (m) => co2e(m.macc_potential_t), num: true},
      {label: t("web.pathway.cost_per_t", {currency: currencyName(p.currency ?? "CNY")}), cell: (m) => fixed(m.macc_cost_per_t, 0), num: true},
      // with fiscal instruments: the same plan without them, side by side (docs/pathway.md, "Carbon prices and fiscal support")
      ...(measures.some((m) => "chosen_no_support" in m) ? [{
        label: t("fiscal.col.without"),
        cell: (m) => (String(m.chosen_no_support) === "true"
          ? t("fiscal.chosen", {year: m.start_year_no_support ?? "—", share: Math.round(Number(m.adoption_no_support) * 100)})
          : t("fiscal.not_chosen")),
        key: "without_support",
      }] : []),
    ], measures, {testid: "measures", rowAttrs: (m) => ({"data-measure": m.id})})),
    h("details", {}, h("summary", {}, t("web.pathway.years_table")), table([
      {label: t("col.year"), cell: (r) => r.year, key: "year"},
      {label: t("web.pathway.bau"), cell: (r) => co2e(r.bau_t), num: true},
      {label: t("web.pathway.target"), cell: (r) => co2e(r.target_t), num: true},
      {label: t("web.pathway.net"), cell: (r) => co2e(r.net_t), num: true, key: "net_t"},
    ], years, {testid: "years"})));
  await Promise.all([
    charts.draw(ctx.root.querySelector("#chart-trajectory"), ...charts.trajectory(years)),
    charts.draw(ctx.root.querySelector("#chart-macc"), ...charts.macc(measures, p.currency ?? "")),
    ...INTENSITIES.filter(([, , column]) => years.length && column in years[0]).map(([per]) =>
      charts.draw(ctx.root.querySelector(`#chart-intensity-${per}`), ...charts.intensity(years, per))),
  ]);
}

// the total discounted cost; a negative one is a net saving and is said so in words
function cost(p) {
  const total = money(p.cost_discounted, p.currency ?? "CNY");
  if (!(p.cost_discounted < 0)) return total;
  const years = p.years || [];
  const [saving, unit] = moneyParts(-p.cost_discounted, p.currency ?? "CNY");
  return [total, h("br"), h("span", {class: "small", "data-testid": "net-saving"}, t("plan.net_saving",
    {value: saving, currency: unit, start: years[0] ?? "", end: years[1] ?? ""}))];
}

function shortfalls(rows) {
  if (!rows.length) return null;
  return section(t("web.pathway.shortfalls"), h("ul", {"data-testid": "shortfalls"},
    rows.map((s) => h("li", {}, localized(s, "message") || JSON.stringify(s)))));
}
