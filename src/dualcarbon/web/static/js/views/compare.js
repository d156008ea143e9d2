// Year on year: this run compared with an earlier one (GET /api/runs/ID/compare/OTHER, docs/compare.md).
// The earlier run is chosen among the succeeded inventory runs of the organisation's projects; the page
// shows the reasons for the change (method, emission factors, activity, new and dropped sources) as a
// waterfall and a table, the totals, intensity, categories and every source with its effects.

import * as api from "../api.js";
import * as charts from "../charts.js";
import {append, h, section, table} from "../dom.js";
import {co2e, fixed} from "../format.js";
import {categoryName, localized, t} from "../i18n.js";
import {errorBox} from "./common.js";

const EFFECTS = ["method_t", "factor_t", "activity_t", "new_sources_t", "dropped_sources_t", "other_t"];

function signed(value) {
  if (value === null || value === undefined) return "—";
  const text = co2e(value);
  return Number(value) > 0 && text !== "0.00" && text !== "0" ? `+${text}` : text;
}

function percent(value) {
  return value === null || value === undefined ? "—" : `${Number(value) > 0 ? "+" : ""}${fixed(value, 1)} %`;
}

/** The succeeded inventory runs of every project but this run, newest first: [id, label]. */
async function candidates(run) {
  const projects = await api.request("/projects");
  const options = [];
  for (const project of projects) {
    const page = await api.request(`/projects/${project.id}/runs?limit=100`);
    for (const r of page.items) {
      if (r.id !== run.id && r.status === "succeeded" && r.kind !== "footprint") {
        options.push([r.id, `${project.name} · ${r.id} · ${(r.created_at || "").slice(0, 10)}`]);
      }
    }
  }
  return options;
}

export async function render(ctx, run) {
  const options = await candidates(run);
  if (!ctx.live()) return;
  if (!options.length) {
    append(ctx.root, h("p", {class: "notice", "data-testid": "no-compare"}, t("compare.web.none")));
    return;
  }
  const chosen = new URLSearchParams(location.hash.split("?")[1] || "").get("with") || options[0][0];
  const select = h("select", {"data-testid": "compare-with", onchange: (event) => {
    location.hash = `#/runs/${run.id}/compare?with=${event.target.value}`;
  }}, options.map(([id, text]) => h("option", {value: id, selected: id === chosen ? "selected" : null}, text)));
  append(ctx.root, h("label", {class: "field"}, h("span", {}, t("compare.web.with")), select));
  const body = h("div", {"data-testid": "compare"});
  append(ctx.root, body);
  let record;
  try {
    record = await api.request(`/runs/${run.id}/compare/${chosen}`);
  } catch (error) {
    append(body, errorBox(error));
    return;
  }
  if (!ctx.live()) return;
  draw(body, record);
  await charts.draw(body.querySelector("#chart-compare"), ...charts.changeWaterfall(record));
}

function draw(body, record) {
  const mc = record.method_changes;
  const notes = [];
  if (mc.gwp_set) notes.push(t("compare.note.gwp", {old: mc.gwp_set[0], new: mc.gwp_set[1]}));
  if (mc.boundary) notes.push(t("compare.note.boundary", {old: t(`boundary.${mc.boundary[0]}`), new: t(`boundary.${mc.boundary[1]}`)}));
  if (mc.formula_sources) notes.push(t("compare.note.formula", {n: mc.formula_sources}));
  for (const w of record.warnings) notes.push(t(`compare.warning.${w}`));
  const d = record.decomposition;
  const lines = (rows, testid) => table([
    {label: t("cli.item"), cell: (r) => r.label},
    {label: t("compare.old"), cell: (r) => co2e(r.old), num: true, key: "old"},
    {label: t("compare.new"), cell: (r) => co2e(r.new), num: true, key: "new"},
    {label: t("compare.col.change_t"), cell: (r) => signed(r.change), num: true, key: "change"},
    {label: t("compare.col.percent"), cell: (r) => percent(r.change_percent), num: true},
  ], rows, {testid});
  append(body,
    h("p", {class: "subtitle", "data-testid": "compare-subtitle"}, t("compare.subtitle", {old: runLabel(record.old), new: runLabel(record.new)})),
    notes.map((n) => h("p", {class: "notice", "data-testid": "compare-note"}, n)),
    section(t("compare.decomposition"), h("p", {}, t("compare.decomposition_note")),
      h("div", {class: "chart", id: "chart-compare", "data-testid": "chart-compare"}),
      table([
        {label: t("compare.col.effect"), cell: (r) => t(`compare.effect.${r}`)},
        {label: t("compare.col.change_t"), cell: (r) => signed(d[r]), num: true, key: "value"},
      ], [...EFFECTS.filter((k) => k !== "other_t" || Math.abs(d.other_t) >= 0.005), "total_change_t"],
      {testid: "compare-decomposition", rowAttrs: (r) => ({"data-effect": r})})),
    section(t("compare.totals"), lines(record.totals.map((r) => ({...r, label: t(`totals.${r.item}`)})), "compare-totals")),
    record.intensity.length ? section(t("compare.intensity"), table([
      {label: t("intensity.col.product"), cell: (p) => t("compare.intensity_label", {name: localized(p, "name") || p.id, unit: p.unit || ""})},
      {label: t("compare.old"), cell: (p) => fixed(p.intensity_t.old, 4), num: true},
      {label: t("compare.new"), cell: (p) => fixed(p.intensity_t.new, 4), num: true},
      {label: t("compare.col.percent"), cell: (p) => percent(p.intensity_t.change_percent), num: true},
    ], record.intensity, {testid: "compare-intensity"})) : null,
    section(t("compare.categories"), lines(record.by_category.map((c) =>
      ({...c, label: t("compare.category", {scope: c.scope, name: categoryName(c.category)})})), "compare-categories")),
    section(t("compare.sources"), h("p", {}, t("compare.sources_note")), table([
      {label: t("compare.col.source"), cell: (s) => [localized(s, "activity_name") || s.activity, " ", h("code", {}, s.activity)]},
      {label: t("compare.col.status"), cell: (s) => t(`compare.status.${s.status}`) + (s.method_reason ? ` · ${t(`compare.reason.${s.method_reason}`)}` : ""), key: "status"},
      {label: t("compare.col.quantity_old"), cell: (s) => fixed(s.quantity_old), num: true},
      {label: t("compare.col.quantity_new"), cell: (s) => fixed(s.quantity_new), num: true},
      {label: t("compare.col.unit"), cell: (s) => s.unit},
      {label: t("compare.effect.method_t"), cell: (s) => signed(s.method_t), num: true, key: "method"},
      {label: t("compare.effect.factor_t"), cell: (s) => signed(s.factor_t), num: true, key: "factor"},
      {label: t("compare.effect.activity_t"), cell: (s) => signed(s.activity_t), num: true, key: "activity"},
      {label: t("compare.col.change_t"), cell: (s) => signed(s.change_t), num: true, key: "change"},
    ], record.sources, {testid: "compare-sources", rowAttrs: (s) => ({"data-activity": s.activity})})),
  );
}

function runLabel(run) {
  const period = run.period || {};
  const name = localized({name_zh: run.organization, name_en: run.organization_en}, "name") || run.organization || "";
  return t("compare.run_label", {name, start: period.start ?? "", end: period.end ?? ""});
}
