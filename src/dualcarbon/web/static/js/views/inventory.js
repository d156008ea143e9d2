// The inventory of a run, all from its summary.json: totals, the breakdown by scope and category,
// the 15 Scope 3 categories, facilities, the monthly trend and the gases; for a territory its GPC and
// IPCC tables, intensities and removals instead of the corporate totals; the years and the indicators
// (the report's section data: territory.js). Tonnes are shown rounded to 2 decimals, exactly the
// summary's values otherwise.

import * as api from "../api.js";
import * as charts from "../charts.js";
import {append, h, section, table} from "../dom.js";
import {co2e, fixed, percent, qty} from "../format.js";
import {categoryCode, categoryName, label, lang, localized, paren, t} from "../i18n.js";
import {errorBox, facts} from "./common.js";
import {indicatorChart, indicatorsSection, territorySections, trendChart, trendSection} from "./territory.js";

const TOTALS = ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "biogenic_co2"];
const SCOPE3 = Array.from({length: 15}, (_, i) => `3.${i + 1}`);

export async function render(ctx, run) {
  const [summary, sections] = await Promise.all([
    api.request(`/runs/${run.id}/summary`), api.request(`/runs/${run.id}/sections`)]);
  if (!ctx.live()) return;
  const territory = sections.territory;
  const years = sections.trend || [];
  const indicators = sections.indicators || [];
  const org = summary.organization || {};
  const total = summary.totals.total_location;
  append(ctx.root,
    facts([
      [t("header.organization"), (lang() === "en" && org.name_en) || org.name || ""],
      [t("header.boundary"), label("boundary", org.boundary ?? "")],
      [t("header.period"), t("header.period_value", {start: summary.period.start, end: summary.period.end})],
      [t("header.gwp"), t("header.gwp_value", {gwp: summary.gwp_set})],
      [t("header.records"), t("header.records_value", {activity_rows: summary.activity_rows ?? "—", emission_rows: summary.emission_rows ?? "—"})],
    ], "inventory-header"),
    h("p", {class: "muted", "data-testid": "rounding"}, t("web.inventory.rounding", {unit: t("unit.t_co2e")})),
    territory ? territorySections(territory) : corporate(summary),
    plantIntensity(summary.intensity),
    section(t("section.facilities"), territory ? h("p", {class: "muted", "data-testid": "facilities-note"},
      t("note.facilities_period", {start: summary.period.start, end: summary.period.end, unit: t("unit.t_co2e")})) : null,
    facilitiesTable(summary.by_facility || []), facilitiesNote(summary, run)),
    territory && years.length > 1 ? null
      : section(t("section.monthly"), chart("chart-monthly"), monthlyTable(summary.by_month || [])),
    trendSection(years, Boolean(territory)),
    indicatorsSection(indicators),
    section(t("section.by_gas"), chart("chart-gases"), gasTable(gasRows(summary), total)),
    warnings(summary.warnings || []),
    section(t("methods.factor_sets"), table([
      {label: t("col.factor_set"), cell: (f) => h("code", {translate: "no"}, f.factor_set ?? f.dataset)},
      {label: t("col.dataset"), cell: (f) => h("span", {translate: "no"}, f.dataset)},
      {label: t("col.version"), cell: (f) => h("span", {translate: "no"}, f.version)},
      {label: t("col.sha256"), cell: (f) => h("code", {title: f.sha256}, (f.sha256 || "").slice(0, 16))},
    ], summary.factor_sets || [], {testid: "factor-sets"})));
  const draw = (id, spec) => {
    const div = ctx.root.querySelector(`#${id}`);
    return div ? charts.draw(div, ...spec) : null;
  };
  await Promise.all([
    territory ? null : draw("chart-breakdown", charts.breakdown(summary.by_category || [])),
    (summary.by_month || []).length > 1 ? draw("chart-monthly", charts.monthly(summary.by_month)) : null,
    years.length > 1 ? draw("chart-trend", trendChart(years, Boolean(territory))) : null,
    ...indicators.map((ind, i) => draw(`chart-indicator-${i}`, indicatorChart(ind))),
    draw("chart-gases", charts.gases(gasRows(summary).map((r) => ({...r, gas: r.label})))),
  ]);
}

/** An organisation's totals, its breakdown by scope and category and the 15 Scope 3 categories. */
function corporate(summary) {
  return [
    section(t("section.key_figures"), table([
      {label: t("web.item"), cell: ([key]) => t(`totals.${key}`)},
      {label: t("unit.t_co2e"), cell: ([, value]) => co2e(value), num: true, key: "value"},
    ], TOTALS.map((key) => [key, summary.totals[key]]), {testid: "totals", rowAttrs: ([key]) => ({"data-total": key})}),
    h("p", {class: "muted"}, t("note.dual_reporting")), h("p", {class: "muted"}, t("note.biogenic"))),
    section(t("section.breakdown"), chart("chart-breakdown"), categoriesTable(summary.by_category || [])),
    section(t("section.scope3"), scope3Table(summary.by_category || []), h("p", {class: "muted"}, t("note.scope3_not_included"))),
  ];
}

/**
 * Intensity per unit of product ([output]; summary.json intensity): each product's output, the
 * emissions counted and t CO2e per unit, beside the base year's (as the report's table).
 */
function plantIntensity(block) {
  if (!block || !(block.products || []).length) return null;
  const compare = block.base_year && block.base_year !== block.year;
  const value = (v, unit) => (v === null || v === undefined ? "–" : t("intensity.value", {value: fixed(v, 4), unit}));
  const counts = (p) => {
    const scopes = p.scopes.join("+") + (p.scopes.includes("2") ? t(`intensity.scope2_${p.scope2}`) : "");
    return p.covers ? t("intensity.counts_covers", {scopes, covers: p.covers}) : t("intensity.counts", {scopes});
  };
  const columns = [
    {label: t("intensity.col.product"), cell: (p) => localized(p, "name") || p.id, key: "product"},
    {label: t("intensity.col.counts"), cell: counts},
    {label: t("intensity.col.quantity", {year: block.year}), cell: (p) => `${fixed(p.quantity, 0)} ${p.unit}`, num: true},
    {label: t("intensity.col.emissions", {year: block.year}), cell: (p) => co2e(p.emissions_t), num: true},
    {label: t("intensity.col.intensity", {year: block.year}), cell: (p) => value(p.intensity_t, p.unit), num: true, key: "intensity"},
  ];
  if (compare) {
    columns.push(
      {label: t("intensity.col.base", {year: block.base_year}), num: true, key: "base",
        cell: (p) => (p.base && p.base.intensity_t !== null ? value(p.base.intensity_t, p.unit) : t("intensity.unknown", {year: block.base_year}))},
      {label: t("intensity.col.change"), num: true, key: "change",
        cell: (p) => (p.change_percent === null || p.change_percent === undefined ? "–" : `${p.change_percent > 0 ? "+" : ""}${fixed(p.change_percent, 1)} %`)});
  }
  return section(t("intensity.section"),
    table(columns, block.products, {testid: "plant-intensity", rowAttrs: (p) => ({"data-product": p.id})}),
    h("p", {class: "muted"}, t("intensity.note")));
}

const chart = (id) => h("div", {class: "chart", id, "data-testid": id});

function categoriesTable(rows) {
  return table([
    {label: t("col.scope"), cell: (r) => t(`scope.${r.scope}`)},
    {label: t("col.code"), cell: (r) => categoryCode(r.category), key: "category"},
    {label: t("col.category"), cell: (r) => (categoryName(r.category) || r.category) + (r.scope2_method ? paren(t(`web.scope2.${r.scope2_method}`)) : "")},
    {label: t("col.co2e_t"), cell: (r) => co2e(r.co2e_t), num: true, key: "co2e_t"},
  ], rows, {testid: "categories"});
}

/** All 15 categories of the Scope 3 Standard (ch. 11 asks for each, and for the ones left out). */
function scope3Table(byCategory) {
  const sums = new Map();
  for (const r of byCategory.filter((r) => r.scope === "3")) sums.set(r.category, (sums.get(r.category) || 0) + r.co2e_t);
  const codes = [...SCOPE3, ...[...sums.keys()].filter((c) => !SCOPE3.includes(c)).sort()];
  return table([
    {label: t("col.code"), cell: (c) => c},
    {label: t("col.category"), cell: (c) => categoryName(c, "ghgp_scope3")},
    {label: t("col.co2e_t"), cell: (c) => (sums.has(c) ? co2e(sums.get(c)) : "—"), num: true, key: "co2e_t"},
  ], codes, {testid: "scope3", rowAttrs: (c) => ({"data-category": c})});
}

/** summary.json's record of the facilities beyond the largest listed (facility null, their number). */
const isOthers = (r) => r.facility === null && r.facilities !== undefined && r.facilities !== null;

/**
 * The facilities as summary.json lists them: all of them, or (by_facility_complete false) the largest,
 * largest first, and one line of the others.
 */
function facilitiesTable(rows) {
  return table([
    {label: t("col.facility"), key: "facility",
      cell: (r) => (isOthers(r) ? t("topn.others_facilities", {n: fixed(r.facilities, 0)}) : r.facility || t("facility.unspecified"))},
    ...["scope1", "scope2_location", "scope2_market", "scope3"].map((k) => (
      {label: t(`totals.${k}`), cell: (r) => co2e(r[k]), num: true, key: k})),
    {label: t("totals.total_location"), cell: (r) => co2e((r.scope1 || 0) + (r.scope2_location || 0) + (r.scope3 || 0)),
      num: true, key: "total_location"},
  ], rows, {testid: "facilities",
    rowAttrs: (r) => (isOthers(r) ? {"data-others": String(r.facilities), class: "others"} : {"data-facility": r.facility ?? ""})});
}

/** Where every facility is when the summary lists only the largest: facilities.csv, to download. */
function facilitiesNote(summary, run) {
  const rows = summary.by_facility || [];
  const others = rows.find(isOthers);
  if (!others) return null;
  const file = "facilities.csv";
  const written = (run.outputs || []).some((o) => o.name === file);
  const link = written ? h("button", {type: "button", class: "link", "data-file": file, "data-testid": "facilities-download",
    onclick: async (event) => {
      try {
        await api.download(`/runs/${run.id}/files/${file}`, `facilities-${run.id}.csv`);
      } catch (error) {
        event.target.after(errorBox(error));
      }
    }}, t("topn.download.facilities")) : null;
  const text = t("topn.web.facilities_note", {top: rows.length - 1, n: fixed(summary.facilities ?? rows.length - 1 + others.facilities, 0),
    others: fixed(others.facilities, 0), file});
  return h("p", {class: "muted", "data-testid": "facilities-note-top"}, text, link ? [" ", link] : null);
}

function monthlyTable(rows) {
  const months = rows.filter((r) => r.month).sort((a, b) => a.month.localeCompare(b.month));
  return h("details", {}, h("summary", {}, t("web.inventory.monthly_table")), table([
    {label: t("col.month"), cell: (r) => r.month, key: "month"},
    ...["scope1", "scope2_location", "scope2_market", "scope3"].map((k) => (
      {label: t(`totals.${k}`), cell: (r) => co2e(r[k]), num: true, key: k})),
  ], months, {testid: "months"}));
}

/**
 * Gases as grouped in summary.json by_gas_group (the main gases named, trace gases as "other", factors
 * published only as CO2e apart); summaries written before it list by_gas.
 */
function gasRows(summary) {
  if (!summary.by_gas_group) return (summary.by_gas || []).map((r) => ({...r, label: r.gas}));
  return summary.by_gas_group.map((g) => {
    if (g.group === "other") {
      return {...g, gas: "other", label: t("fx.gas_group.other", {count: g.gases.length, gases: g.gases.join(", ")})};
    }
    if (g.group === "co2e_only") return {...g, gas: "co2e_only", label: t("fx.gas_group.co2e_only")};
    return {...g, gas: g.group, label: gasName(g.group)};
  });
}

function gasTable(rows, total) {
  return table([
    {label: t("col.gas"), cell: (r) => r.label, key: "gas"},
    {label: t("col.mass_t"), cell: (r) => (r.mass_t === null || r.mass_t === undefined ? "" : qty(r.mass_t)), num: true, key: "mass_t"},
    {label: t("col.co2e_t"), cell: (r) => co2e(r.co2e_t), num: true, key: "co2e_t"},
    {label: t("web.inventory.share"), cell: (r) => percent(r.co2e_t, total), num: true},
  ], rows, {testid: "gases", rowAttrs: (r) => ({"data-gas": r.gas})});
}

/** "CH4 甲烷": the gas's id, and its name when the data files give it one of its own. */
function gasName(gas) {
  const name = t(`gas.${gas}`);
  return name === `gas.${gas}` || name === gas ? gas : `${gas} ${name}`;
}

function warnings(rows) {
  if (!rows.length) return null;
  return section(t("section.warnings"), h("ul", {"data-testid": "warnings"},
    rows.map((w) => h("li", {}, w[`message_${lang()}`] || w.message_en || w.code))));
}
