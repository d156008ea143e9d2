// What the inventory tab shows of a territory, of several years and of indicators: the report's own
// section data (GET /api/runs/ID/sections, dualcarbon.report.territory), laid out as report.html does
// and named from the same catalogue keys. Nothing is recomputed here: tonnes are only scaled to the
// page's unit (万吨 on Chinese pages, tonnes in English: territory.unit.*), as the report does.

import {h, section, table} from "../dom.js";
import {fixed} from "../format.js";
import {label, lang, paren, t} from "../i18n.js";

const GPC_SCOPES = ["1", "2", "3"];
const IPCC_SECTORS = ["1", "2", "3", "4"];
const CNY = {"元": 1, "万元": 1e4, "亿元": 1e8, "CNY": 1};

/** Tonnes of CO2e in the page's unit, 2 decimals; "—" for none. */
export function mass(tonnes) {
  if (tonnes === null || tonnes === undefined) return "—";
  return fixed(tonnes / Number(t("territory.unit.co2e_scale")), 2);
}

function massValue(tonnes) {
  return tonnes === null || tonnes === undefined ? null : tonnes / Number(t("territory.unit.co2e_scale"));
}

/** An intensity as the report writes it: 3 decimals, or 3 significant digits below 0.1. */
function ratio(value) {
  const number = Number(value);
  if (value === null || value === undefined || !Number.isFinite(number)) return "—";
  return number !== 0 && Math.abs(number) < 0.1 ? String(Number(number.toPrecision(3))) : fixed(number, 3);
}
const chart = (id) => h("div", {class: "chart", id, "data-testid": id});

/** A GDP in 亿元 on Chinese pages when it is in yuan, else as given. */
function gdp(value, unit) {
  if (value === null || value === undefined) return t("territory.not_given");
  const target = t("territory.unit.gdp_target");
  if (target in CNY && unit in CNY) return `${fixed((value * CNY[unit]) / CNY[target], 2)} ${target}`;
  return `${fixed(value, 2)} ${unit || ""}`.trim();
}

function card(labelText, value, unit, key) {
  return h("div", {class: "figure-card", "data-figure": key},
    h("div", {class: "muted"}, labelText), h("div", {class: "figure"}, value), h("div", {class: "muted"}, unit));
}

/** The territory's sections (its last year): key figures, GPC table, IPCC sectors, intensities, removals. */
export function territorySections(tv) {
  const unit = t("territory.unit.co2e");
  const yearNote = h("p", {class: "muted"}, t("territory.year_note", {year: tv.year}));
  return [
    section(t("section.territory_key_figures"), yearNote,
      h("div", {class: "figure-cards", "data-testid": "territory-figures"},
        card(t("territory.basic"), mass(tv.gpc.basic_t), unit, "basic"),
        card(t("territory.basic_plus"), mass(tv.gpc.basic_plus_t), unit, "basic_plus"),
        card(t("territory.removals"), mass(tv.removals_t), unit, "removals"),
        card(t("territory.per_capita"), ratio(tv.intensity.per_capita_t), t("territory.per_capita_unit"), "per_capita"),
        card(t("territory.per_gdp"), ratio(tv.intensity.per_gdp_t_per_10k_cny), t("territory.per_gdp_unit"), "per_gdp")),
      h("dl", {class: "facts", "data-testid": "territory-facts"},
        h("dt", {}, t("territory.framework")), h("dd", {}, (tv.framework || []).join(" · ")),
        h("dt", {}, t("territory.admin_code")), h("dd", {}, tv.admin_code ?? "—"),
        h("dt", {}, t("territory.population")),
        h("dd", {}, tv.population === null ? t("territory.not_given") : `${fixed(tv.population, 0)} ${t("territory.population_unit")}`),
        h("dt", {}, t("territory.gdp")), h("dd", {}, gdp(tv.gdp, tv.gdp_unit)))),
    section(t("section.gpc"), h("p", {class: "muted"}, t("report.unit_note", {unit})), gpcTable(tv.gpc),
      h("p", {class: "muted"}, t("gpc.note")), h("p", {class: "muted"}, t("gpc.basic_note")),
      h("p", {class: "muted"}, `† ${t("gpc.apart_note")}`), notations(tv.gpc.notation_groups)),
    section(t("section.ipcc"), h("p", {class: "muted"}, t("report.unit_note", {unit})), ipccTable(tv.ipcc),
      h("p", {class: "muted"}, t("ipcc.note")), h("h3", {}, t("ipcc.categories_title")), table([
        {label: t("col.code"), cell: (r) => h("code", {}, r.category)},
        {label: t("ipcc.col.category"), cell: (r) => ipccName(r.category)},
        {label: unit, cell: (r) => mass(r.co2e_t), num: true, key: "co2e"},
      ], tv.ipcc.categories, {testid: "ipcc-categories", rowAttrs: (r) => ({"data-category": r.category})})),
    section(t("section.intensity"), table([
      {label: t("web.item"), cell: ([key]) => t(`territory.${key}`)},
      {label: t("col.value"), cell: ([, value, digits]) => fixed(value, digits), num: true, key: "value"},
      {label: t("col.unit"), cell: ([key]) => t(`territory.${key}_unit`)},
    ], [["per_capita", tv.intensity.per_capita_t, 3], ["per_gdp", tv.intensity.per_gdp_t_per_10k_cny, 3],
      ["energy", tv.intensity.energy_tce, 2], ["energy_intensity", tv.intensity.energy_intensity_tce_per_10k_cny, 3]],
    {testid: "intensity", rowAttrs: ([key]) => ({"data-figure": key})}), h("p", {class: "muted"}, t("territory.intensity_note", {basis: t(`territory.${tv.intensity_basis}`)})),
    h("p", {"data-testid": "removals"}, t("report.label_value", {label: t("territory.removals"), value: `${mass(tv.removals_t)} ${unit}`})),
    h("p", {class: "muted"}, t("territory.removals_note"))),
  ];
}

/** GPC sectors I-V: a heading row, the sub-sectors (a figure or a notation key per city scope), a subtotal. */
function gpcTable(gpc) {
  const cell = (c, scope) => {
    if (!c) return h("td", {class: "num na"});
    if (c.notation) return h("td", {class: "num notation", "data-scope": scope, title: c[`reason_${lang()}`] || c.reason_en || ""}, c.notation);
    return h("td", {class: "num", "data-scope": scope}, mass(c.co2e_t));
  };
  const head = h("thead", {}, h("tr", {}, h("th", {}, t("gpc.col.subsector")),
    GPC_SCOPES.map((s) => h("th", {class: "num"}, t(`gpc.col.scope${s}`))), h("th", {class: "num"}, t("gpc.col.total"))));
  const bodies = gpc.sectors.map((sector) => h("tbody", {"data-sector": sector.sector},
    h("tr", {class: "sector"}, h("th", {colspan: GPC_SCOPES.length + 2}, t(`gpc.sector.${sector.sector}`))),
    sector.subsectors.map((sub) => h("tr", {"data-subsector": sub.sector, class: sub.apart ? "apart" : null},
      h("td", {}, h("code", {}, sub.sector), " ", subsectorName(sub), sub.apart ? " †" : ""),
      GPC_SCOPES.map((s) => cell(sub.cells[s], s)), h("td", {class: "num"}, mass(sub.co2e_t)))),
    h("tr", {class: "total"}, h("td", {}, t("gpc.subtotal")),
      GPC_SCOPES.map((s) => h("td", {class: "num"}, mass(sector.co2e_t[s]))), h("td", {class: "num"}, mass(sector.total_t)))));
  const totals = h("tbody", {}, [["basic", gpc.basic_t], ["basic_plus", gpc.basic_plus_t]].map(([key, value]) =>
    h("tr", {class: "total grand", "data-total": key}, h("td", {}, t(`territory.${key}`)),
      h("td", {colspan: GPC_SCOPES.length}), h("td", {class: "num"}, mass(value)))));
  return h("table", {class: "gpc", "data-testid": "gpc"}, head, bodies, totals);
}

/** A sub-sector's name from the catalogue, else the one the summary gives. */
function subsectorName(row) {
  const name = label("gpc.sub", row.sector);
  return name === row.sector ? row[`name_${lang()}`] || "" : name;
}

/** The notation keys, grouped by key and reason, each with the cells it marks (as the report lists them). */
function notations(groups) {
  if (!groups.length) return null;
  const cellsText = (g) => g.cells.map((c) => `${c.sector} ${t(`scope.${c.scope}`)}`).join(t("gpc.cell_separator"));
  return [h("h3", {}, t("gpc.notation_title")), table([
    {label: t("col.type"), cell: (g) => label("gpc.notation", g.notation), key: "notation"},
    {label: t("col.reason"), cell: (g) => g[`reason_${lang()}`] || g.reason_en || g.reason_zh || "", key: "reason"},
    {label: t("gpc.col.cells"), cell: cellsText, key: "cells"},
  ], groups, {testid: "notations", rowAttrs: (g) => ({"data-notation": g.notation})})];
}

/** An IPCC category's name, else its nearest parent's ("2.F.1" → "2.F"), as the report names it. */
function ipccName(code) {
  const parts = String(code).split(".");
  while (parts.length) {
    const text = label("ipcc.category", parts.join("."));
    if (text !== parts.join(".")) return text;
    parts.pop();
  }
  return "";
}

function ipccTable(ipcc) {
  const rows = [
    ...ipcc.sectors.map((r) => [r.sector, label("ipcc.sector", r.sector), r.co2e_t]),
    ["total", t("ipcc.total"), ipcc.total_t],
    ["lulucf", t("ipcc.lulucf"), ipcc.lulucf_t],
    ["indirect_electricity", t("ipcc.indirect_electricity"), ipcc.indirect_electricity_t],
  ];
  return table([
    {label: t("ipcc.col.sector"), cell: ([, name]) => name},
    {label: t("territory.unit.co2e"), cell: ([, , value]) => mass(value), num: true, key: "co2e"},
  ], rows, {testid: "ipcc", rowAttrs: ([key]) => ({"data-sector": key, class: key === "total" ? "total" : null})});
}

/** The years: a territory's BASIC, BASIC+, IPCC sectors, imports and removals (page unit); else the scopes (t). */
export function trendSection(rows, territory) {
  if (rows.length < 2) return null;
  if (!territory) {
    const keys = ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market"];
    return section(t("section.trend"), chart("chart-trend"), table([
      {label: t("trend.col.year"), cell: (r) => r.year, key: "year"},
      ...keys.map((k) => ({label: t(`totals.${k}`), cell: (r) => fixed(r[k], 2), num: true, key: k})),
    ], rows, {testid: "trend", rowAttrs: (r) => ({"data-year": r.year})}));
  }
  const y = (r) => r.territory || {};
  return section(t("section.trend"), chart("chart-trend"), h("p", {class: "muted"}, t("report.unit_note", {unit: t("territory.unit.co2e")})),
    table([
      {label: t("trend.col.year"), cell: (r) => r.year, key: "year"},
      {label: t("territory.basic"), cell: (r) => mass(y(r).basic_t), num: true, key: "basic"},
      {label: t("territory.basic_plus"), cell: (r) => mass(y(r).basic_plus_t), num: true, key: "basic_plus"},
      ...IPCC_SECTORS.map((code) => ({label: label("ipcc.sector", code), cell: (r) => mass((y(r).ipcc || {})[code]), num: true, key: `ipcc${code}`})),
      {label: t("ipcc.indirect_electricity"), cell: (r) => mass(y(r).indirect_electricity_t), num: true, key: "indirect"},
      {label: t("territory.removals"), cell: (r) => mass(y(r).removals_t), num: true, key: "removals"},
      {label: t("territory.per_capita"), cell: (r) => ratio(y(r).per_capita_t), num: true, key: "per_capita"},
      {label: t("territory.per_gdp"), cell: (r) => ratio(y(r).per_gdp_t_per_10k_cny), num: true, key: "per_gdp"},
    ], rows, {testid: "trend", rowAttrs: (r) => ({"data-year": r.year})}), h("p", {class: "muted"}, t("trend.note")));
}

/** The trend chart's traces: sectors and imports stacked, removals below zero, BASIC and BASIC+ as lines. */
export function trendChart(rows, territory) {
  const years = rows.map((r) => String(r.year));
  if (!territory) {
    const unit = t("unit.t_co2e");
    return [["scope1", "scope2_location", "scope2_market", "scope3", "total_location"].map((k) => ({
      type: "scatter", mode: "lines+markers", name: t(`totals.${k}`), x: years, y: rows.map((r) => r[k] || 0),
      hovertemplate: `%{x}: %{y:,.2f} ${unit}<extra>%{fullData.name}</extra>`})),
    {height: 360, xaxis: {type: "category"}, yaxis: {title: {text: unit}, tickformat: ","}}];
  }
  const unit = t("territory.unit.co2e");
  const y = (r) => r.territory || {};
  const hover = `%{x} %{fullData.name}: %{y:,.2f} ${unit}<extra></extra>`;
  const bar = (name, values, extra = {}) => ({type: "bar", name, x: years, y: values, hovertemplate: hover, ...extra});
  const traces = [
    ...IPCC_SECTORS.map((code) => bar(label("ipcc.sector", code), rows.map((r) => massValue((y(r).ipcc || {})[code])))),
    bar(t("ipcc.indirect_electricity"), rows.map((r) => massValue(y(r).indirect_electricity_t))),
    bar(t("trend.chart_removals"), rows.map((r) => (y(r).removals_t ? -massValue(y(r).removals_t) : null)), {marker: {color: "#a6c36f"}}),
    {type: "scatter", mode: "lines+markers", name: t("trend.chart_basic_plus"), x: years, y: rows.map((r) => massValue(y(r).basic_plus_t)),
      line: {color: "#1f2933"}, hovertemplate: hover},
    {type: "scatter", mode: "lines+markers", name: t("trend.chart_basic"), x: years, y: rows.map((r) => massValue(y(r).basic_t)),
      line: {color: "#1f2933", dash: "dot"}, hovertemplate: hover},
  ].filter((trace) => trace.y.some((v) => v));
  return [traces, {barmode: "relative", height: 400, xaxis: {type: "category"}, yaxis: {title: {text: unit}, tickformat: ","}}];
}

/** Indicators: a table (latest, target, better direction, status) and one small chart each. */
export function indicatorsSection(indicators) {
  if (!indicators.length) return null;
  const name = (ind) => ind[`name_${lang()}`] || ind.indicator;
  const status = (ind) => h("span", {class: `status-${ind.status || "no_target"}`}, label("report.indicator.status", ind.status || "no_target"));
  const amount = (v) => (v === null || v === undefined ? "—" : Number.isInteger(v) ? fixed(v, 0) : String(Number(v.toFixed(2))));
  return section(t("section.indicators"), table([
    {label: t("report.indicator.col.indicator"), cell: (i) => `${name(i)}${i.unit ? paren(i.unit) : ""}`},
    {label: t("report.indicator.col.latest"), cell: (i) => amount(i.latest), num: true, key: "latest"},
    {label: t("report.indicator.col.target"), cell: (i) => (i.target === null || i.target === undefined ? "—"
      : t("report.indicator.target_value", {target: amount(i.target), year: i.target_year ?? ""})), num: true, key: "target"},
    {label: t("report.indicator.col.better"), cell: (i) => (i.better ? label("report.indicator.better", i.better) : ""), key: "better", nowrap: true},
    {label: t("report.indicator.col.status"), cell: status, key: "status", nowrap: true},
    {label: t("report.indicator.col.source"), cell: (i) => i.source || ""},
  ], indicators, {testid: "indicators", rowAttrs: (i) => ({"data-indicator": i.indicator})}),
  h("p", {class: "muted"}, t("report.indicator.note")),
  h("div", {class: "indicator-charts"}, indicators.map((ind, i) => h("figure", {class: "indicator", "data-indicator": ind.indicator},
    h("figcaption", {}, `${name(ind)}${ind.unit ? paren(ind.unit) : ""} · `, status(ind)), chart(`chart-indicator-${i}`)))));
}

/** One indicator's series and its target, a dashed level ending in a star at the target year. */
export function indicatorChart(ind) {
  const series = (ind.series || []).filter((p) => p.value !== null && p.value !== undefined);
  const traces = [{type: "scatter", mode: "lines+markers", name: ind[`name_${lang()}`] || ind.indicator,
    x: series.map((p) => p.year), y: series.map((p) => p.value), line: {color: "#17694b"}, hovertemplate: "%{x}: %{y:,}<extra></extra>"}];
  if (ind.target !== null && ind.target !== undefined && series.length) {
    traces.push({type: "scatter", mode: "lines+markers", name: t("report.indicator.target_label"),
      x: [series[0].year, ind.target_year ?? series[series.length - 1].year], y: [ind.target, ind.target],
      line: {color: "#b42318", dash: "dash"}, marker: {symbol: ["line-ew", "star"], size: [1, 12]},
      hovertemplate: `${t("report.indicator.target_label")} %{x}: %{y:,}<extra></extra>`});
  }
  return [traces, {height: 220, showlegend: false, margin: {l: 50, r: 10, t: 10, b: 30},
    xaxis: {dtick: 1, tickformat: "d"}, yaxis: {title: {text: ind.unit || ""}}}];
}
