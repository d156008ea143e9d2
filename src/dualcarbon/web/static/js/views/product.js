// A run's product (issue 17): its carbon footprint per functional unit, the contribution of each process
// and life-cycle stage, the Monte Carlo distribution with its 95 % interval, and the product's
// carbon-neutrality verdict, checks and claim. footprint.json where the run wrote it (it carries the
// histogram and the assessment), else summary.json's `product`.

import * as api from "../api.js";
import * as charts from "../charts.js";
import {append, h, section, table} from "../dom.js";
import {co2e} from "../format.js";
import {label, lang, localized, t} from "../i18n.js";
import {badge, facts} from "./common.js";

/** kg CO2e per functional unit: 4 significant digits, thousands separated. */
export function kg(value) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "—";
  return Number(Number(value).toPrecision(4)).toLocaleString("en-US", {maximumFractionDigits: 6});
}

const share = (value) => (value === null || value === undefined ? "—" : `${(100 * value).toFixed(1)} %`);

export async function render(ctx, run) {
  const written = new Set((run.outputs || []).map((output) => output.name));
  let product = null;
  if (written.has("footprint.json")) product = await api.request(`/runs/${run.id}/files/footprint.json`);
  else product = (await api.request(`/runs/${run.id}/summary`)).product || null;
  if (!ctx.live()) return;
  if (!product) {
    append(ctx.root, h("p", {class: "notice", "data-testid": "no-product"}, t("product.web.none")));
    return;
  }
  const unit = functionalUnit(product);
  const u = product.uncertainty && product.uncertainty.p2_5 !== undefined && product.uncertainty.p2_5 !== null
    ? product.uncertainty : null;
  const name = (product.products || []).find((p) => p.id === product.reference);
  append(ctx.root,
    facts([
      [t("product.web.tab"), [name ? localized({name_zh: name.name, name_en: name.name_en || name.name}, "name") + " " : "",
        h("code", {}, product.reference || "")], "reference"],
      [t("product.report.functional_unit"), unit, "functional_unit"],
      product.boundary ? [t("product.report.boundary"), label("product.boundary", product.boundary), "boundary"] : null,
      [t("product.web.footprint"), h("strong", {"data-testid": "product-footprint", "data-value": product.footprint_kg_co2e},
        `${kg(product.footprint_kg_co2e)} ${t("product.web.per_fu", {unit})}`), "footprint"],
      u ? [t("product.web.interval"), h("span", {"data-testid": "product-interval"},
        `${kg(u.p2_5)} – ${kg(u.p97_5)} ${t("product.web.per_fu", {unit})}`), "interval"] : null,
    ], "product-facts"),
    section(t("product.web.contribution"),
      h("div", {class: "chart", id: "chart-product-contribution", "data-testid": "chart-product-contribution"}),
      processTable(product.by_process || [])),
    section(t("product.web.stages"), stageTable(product.by_stage || [])),
    u && u.histogram ? section(t("product.web.histogram"),
      h("div", {class: "chart", id: "chart-product-histogram", "data-testid": "chart-product-histogram"})) : null,
    verdict(product.neutrality, unit));
  await charts.draw(ctx.root.querySelector("#chart-product-contribution"), ...contribution(product));
  const histogram = ctx.root.querySelector("#chart-product-histogram");
  if (histogram) await charts.draw(histogram, ...distribution(product, u));
}

/** The functional unit in the page's language (footprint.json functional_unit_zh / _en), else as written. */
export function functionalUnit(product) {
  return product[`functional_unit_${lang()}`] || product.functional_unit || "";
}

/** A life-cycle stage in the page's language: the record's own name, else the catalogue's, else the id. */
function stageName(stage, named = null) {
  const own = named && (lang() === "en" ? named.name_en : named.name);
  if (own) return own;
  return stage ? label("product.stage", stage) : "";
}

const processStage = (r) => (lang() === "en" ? r.stage_name_en : r.stage_name) || stageName(r.stage);

function processName(r) {
  if (r.process === "others") return t("product.report.others");
  return (lang() === "en" ? r.name_en : r.name) || r.name || r.process;
}

function processTable(rows) {
  return table([
    {label: t("product.report.process"), cell: (r) => processName(r), key: "name"},
    {label: t("product.report.stage"), cell: (r) => processStage(r), key: "stage"},
    {label: t("product.report.kg_per_fu"), cell: (r) => kg(r.kg_co2e), num: true, key: "kg"},
    {label: t("product.report.share"), cell: (r) => share(r.share), num: true, key: "share"},
  ], rows, {testid: "product-processes", rowAttrs: (r) => ({"data-process": r.process})});
}

function stageTable(rows) {
  return table([
    {label: t("product.report.stage"), cell: (r) => stageName(r.stage, r), key: "stage"},
    {label: t("product.report.kg_per_fu"), cell: (r) => kg(r.kg_co2e), num: true, key: "kg"},
    {label: t("product.report.share"), cell: (r) => share(r.share), num: true, key: "share"},
  ], [...rows].sort((a, b) => b.kg_co2e - a.kg_co2e), {testid: "product-stages", rowAttrs: (r) => ({"data-stage": r.stage})});
}

/** Horizontal bars, one per process (largest first), coloured by life-cycle stage. */
export function contribution(product) {
  const rows = (product.by_process || []).filter((r) => r.process !== "others").slice(0, 20);
  const stages = [...new Set(rows.map((r) => r.stage || ""))];
  const unit = t("product.web.per_fu", {unit: functionalUnit(product)});
  const traces = stages.map((stage) => {
    const mine = rows.filter((r) => (r.stage || "") === stage);
    return {type: "bar", orientation: "h", name: mine.length ? processStage(mine[0]) : stage, x: mine.map((r) => r.kg_co2e), y: mine.map(processName),
      text: mine.map((r) => kg(r.kg_co2e)), textposition: "outside", cliponaxis: false,
      hovertemplate: `%{y}: %{x:.4g} ${unit}<extra>%{fullData.name}</extra>`};
  });
  return [traces, {barmode: "stack", height: 120 + 32 * rows.length, margin: {l: 160, r: 60, t: 10, b: 40},
    xaxis: {title: {text: unit}, automargin: true, gridcolor: "#e5e8eb"},
    yaxis: {autorange: "reversed", automargin: true, categoryorder: "array", categoryarray: rows.map(processName)}}];
}

/** The Monte Carlo histogram (bins as footprint.json gives them), the 95 % interval shaded, the footprint marked. */
export function distribution(product, u) {
  const {edges, counts} = u.histogram;
  const centres = counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
  const widths = counts.map((_, i) => edges[i + 1] - edges[i]);
  const unit = t("product.web.per_fu", {unit: functionalUnit(product)});
  const trace = {type: "bar", x: centres, y: counts, width: widths, marker: {color: "#8fb8a8"}, name: t("product.web.histogram"),
    hovertemplate: `%{x:.4g} ${unit}: %{y}<extra></extra>`};
  const line = (x, colour, dash) => ({type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
    line: {color: colour, width: 2, dash}});
  return [[trace], {height: 320, bargap: 0, showlegend: false,
    xaxis: {title: {text: unit}, automargin: true}, yaxis: {title: {text: t("product.report.iterations_axis")}, automargin: true},
    shapes: [
      {type: "rect", xref: "x", yref: "paper", x0: u.p2_5, x1: u.p97_5, y0: 0, y1: 1, fillcolor: "#1b6e5a",
        opacity: 0.12, line: {width: 0}},
      line(product.footprint_kg_co2e, "#b5523b", "solid"),
      line(u.median, "#1b6e5a", "dash"),
    ]}];
}

function verdict(n, unit) {
  if (!n) return section(t("product.web.neutrality"), h("p", {class: "notice", "data-testid": "no-product-neutrality"},
    t("product.web.no_neutrality")));
  const text = (value) => (value && typeof value === "object" ? value[lang()] ?? value.en : value) ?? "";
  const b = n.balance || {};
  const p = n.product || {};
  return section(t("product.web.neutrality"),
    facts([
      [t("neutrality.field.standard"), text(n.standard_name) || n.standard],
      [t("product.web.units_sold"), p.units_sold === null || p.units_sold === undefined ? "—"
        : Number(p.units_sold).toLocaleString("en-US"), "units_sold"],
      [t("product.web.emissions_sold"), co2e(b.emissions), "emissions"],
      p.base_footprint_kg_co2e !== null && p.base_footprint_kg_co2e !== undefined
        ? [t("product.report.base_footprint", {year: b.base_year ?? ""}),
          `${kg(p.base_footprint_kg_co2e)} ${t("product.web.per_fu", {unit})}`, "base"] : null,
      [t("neutrality.balance.reductions"), co2e(b.reductions), "reductions"],
      [t("neutrality.balance.credits"), co2e(b.credits), "credits"],
      [t("neutrality.balance.net"), co2e(b.net), "net"],
      [t("neutrality.field.status"), h("span", {"data-testid": "product-status", "data-status": n.status},
        label("neutrality.status", n.status))],
    ], "product-balance"),
    h("h3", {}, t("product.claim.title")),
    n.claim ? h("blockquote", {class: "claim", "data-testid": "product-claim"}, text(n.claim))
      : h("p", {class: "notice", "data-testid": "product-no-claim"}, t("product.claim.none")),
    n.missing && n.missing.length ? [h("h3", {}, t("product.claim.missing")), h("ul", {"data-testid": "product-missing"},
      n.missing.map((m) => h("li", {}, h("code", {}, m.check), " ", localized(m, "reason"))))] : null,
    table([
      {label: t("col.check"), cell: (c) => h("code", {}, c.id), key: "id"},
      {label: t("col.clause"), cell: (c) => (lang() === "zh" && c.clause_zh) || c.clause || ""},
      {label: t("col.status"), cell: (c) => badge("check.status", c.status), key: "status"},
      {label: t("col.reason"), cell: (c) => localized(c, "reason"), key: "reason"},
    ], n.checks || [], {testid: "product-checks", rowAttrs: (c) => ({"data-check": c.id, "data-status": c.status})}));
}
