// A run: its status while queued or running (followed with the API's long poll), then its results
// in three tabs: inventory, neutrality and pathway.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {when} from "../format.js";
import {t} from "../i18n.js";
import {badge, crumbs, errorBox, facts, problemsDownload, problemsTable} from "./common.js";
import * as compare from "./compare.js";
import * as financed from "./financed.js";
import * as inventory from "./inventory.js";
import * as neutrality from "./neutrality.js";
import * as pathway from "./pathway.js";
import * as product from "./product.js";
import * as rows from "./rows.js";
import * as assurance from "./assurance.js";

const TABS = {inventory, neutrality, pathway, product, financed, rows, compare, assurance};
const TAB_LABELS = {inventory: "web.tab.inventory", neutrality: "web.tab.neutrality", pathway: "web.tab.pathway",
  product: "product.web.tab", financed: "financed.web.tab", rows: "rows.tab", compare: "compare.web.tab",
  assurance: "web.assurance.tab"};
const WAIT_SECONDS = 30;

export async function render(ctx, tab) {
  const [runId] = ctx.params;
  let run = await api.request(`/runs/${runId}`);
  const project = await api.request(`/projects/${run.project_id}`);
  if (!ctx.live()) return;
  append(ctx.root, crumbs([t("web.nav.projects"), "#/projects"], [project.name, `#/projects/${project.id}`], [runId, null]));
  const status = h("div", {"data-testid": "run-status"});
  append(ctx.root, h("h1", {}, t("web.run.heading", {id: runId})), status);
  append(status, statusFacts(run));
  while (run.status === "queued" || run.status === "running") {
    run = await api.request(`/runs/${runId}?wait=${WAIT_SECONDS}`);
    if (!ctx.live()) return;
    status.replaceChildren(statusFacts(run));
  }
  if (run.status === "failed") {
    const error = run.error || {message: t("web.run.failed")};
    append(ctx.root, h("div", {class: "error", role: "alert", "data-testid": "run-error"},
      h("strong", {}, error.message), error.problems ? problemsDownload(error.problems) : null,
      error.problems ? problemsTable(error.problems) : null));
    return;
  }
  // a product footprint (POST /footprints) has no inventory: its one tab is the product's
  const names = run.kind === "footprint" ? ["product"] : Object.keys(TABS);
  if (!names.includes(tab)) tab = names[0];
  append(ctx.root, tabs(runId, tab, names), downloads(run), disclosures(run));
  const body = h("div", {class: "tab-body", "data-tab": tab});
  append(ctx.root, body);
  await TABS[tab].render({...ctx, root: body}, run);
}

function statusFacts(run) {
  const progress = run.steps_total ? `${run.steps_done}/${run.steps_total}` : "";
  return facts([
    [t("col.status"), badge("web.status", run.status), "status"],
    run.status === "succeeded" || run.status === "failed" ? null
      : [t("web.run.step"), `${run.step ? t(`web.step.${run.step}`) : "—"} (${progress})`, "step"],
    [t("web.created"), when(run.created_at)],
    [t("web.run.finished"), when(run.finished_at)],
    [t("web.run.inputs_sha256"), h("code", {}, run.inputs_sha256.slice(0, 16))],
    [t("web.run.version"), run.dualcarbon_version],
  ]);
}

function tabs(runId, active, names) {
  return h("nav", {class: "tabs", "aria-label": t("web.nav.results")}, names.map((name) =>
    h("a", {href: name === "inventory" ? `#/runs/${runId}` : `#/runs/${runId}/${name}`, "data-tab": name,
      "aria-current": name === active ? "page" : null}, t(TAB_LABELS[name]))));
}

// The output files worth a download, in this order, each offered only when the run wrote it: the
// row-level emissions are emissions.csv, .parquet or .xlsx (or none), as the run chose.
const FILES = [
  ["summary.json", () => t("web.download.summary")],
  ["emissions.csv", () => t("web.download.emissions_csv")],
  ["emissions.parquet", () => t("web.download.emissions_parquet")],
  ["emissions.xlsx", () => t("web.download.emissions_xlsx")],
  ["inventory.csv", () => t("web.download.inventory")],
  ["facilities.csv", () => t("topn.download.facilities")],
  ["sources.csv", () => t("topn.download.sources")],
  ["neutrality.csv", () => t("web.download.neutrality")],
  ["financed.csv", () => t("financed.web.download")],
  ["footprint.json", () => t("product.web.download")],
  ["by_process.csv", () => t("product.web.download_by_process")],
  ["by_stage.csv", () => t("product.web.download_by_stage")],
  ["pathway.csv", () => t("web.download.pathway")],
  ["measures_plan.csv", () => t("web.download.measures_plan")],
  ["abatement.csv", () => t("web.download.abatement")],
];

function downloads(run) {
  const button = (text, path, filename, file) => h("button", {type: "button", class: "link", "data-file": file,
    title: file, onclick: async (event) => {
      try {
        await api.download(path, filename);
      } catch (error) {
        event.target.after(errorBox(error));
      }
    }}, text);
  const written = new Set((run.outputs || []).map((output) => output.name));
  const files = FILES.filter(([name]) => written.has(name)).map(([name, label]) => {
    const dot = name.lastIndexOf(".");
    return button(label(), `/runs/${run.id}/files/${name}`, `${name.slice(0, dot)}-${run.id}${name.slice(dot)}`, name);
  });
  // report.pdf where the run printed one; else, beside the HTML report, why there is none
  const pdf = written.has("report.pdf")
    ? button(t("report2.download_pdf"), `/runs/${run.id}/files/report.pdf`, `report-${run.id}.pdf`, "report.pdf")
    : written.has("report.html")
      ? h("small", {class: "muted", "data-testid": "no-pdf"},
        t(document.body.dataset.pdf === "true" ? "report2.no_pdf_run" : "report2.pdf_unavailable"))
      : null;
  const items = [
    written.has("report.html") ? button(t("web.download.report"), `/runs/${run.id}/report?download=true`,
      `report-${run.id}.html`, "report.html") : null,
    pdf,
    ...files,
    button(t("web.download.inputs"), `/runs/${run.id}/inputs`, `${run.id}-inputs.zip`, "inputs.zip"),
  ];
  return h("div", {class: "downloads", "data-testid": "downloads"},
    items.filter(Boolean).flatMap((item, i) => i ? [" · ", item] : [item]));
}

// The disclosure exports (GET /api/runs/{id}/disclosures/{framework}.xlsx, docs/disclosure.md) of an
// inventory run, in the page's language: the fields its summary.json fills, and what is missing with why.
const FRAMEWORKS = ["cdp", "esrs-e1", "ifrs-s2", "cn-exchange"];

function disclosures(run) {
  const written = new Set((run.outputs || []).map((output) => output.name));
  if (run.kind === "footprint" || !written.has("summary.json")) return null;
  const buttons = FRAMEWORKS.map((framework) => h("button", {type: "button", class: "link",
    "data-framework": framework, onclick: async (event) => {
      try {
        await api.download(`/runs/${run.id}/disclosures/${framework}.xlsx`,
          `disclosure-${framework}-${run.id}.xlsx`);
      } catch (error) {
        event.target.after(errorBox(error));
      }
    }}, t(`web.disclosure.${framework}`)));
  return h("div", {class: "downloads", "data-testid": "disclosures"}, t("web.disclosure.label"), " ",
    ...buttons.flatMap((item, i) => i ? [" · ", item] : [item]));
}
