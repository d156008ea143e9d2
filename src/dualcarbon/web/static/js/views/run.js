// A run: its status while queued or running (followed with the API's long poll), then its results
// in three tabs: inventory, neutrality and pathway.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {when} from "../format.js";
import {t} from "../i18n.js";
import {badge, crumbs, errorBox, facts, problemsTable} from "./common.js";
import * as inventory from "./inventory.js";
import * as neutrality from "./neutrality.js";
import * as pathway from "./pathway.js";

const TABS = {inventory, neutrality, pathway};
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
      h("strong", {}, error.message), error.problems ? problemsTable(error.problems) : null));
    return;
  }
  append(ctx.root, tabs(runId, tab), downloads(runId));
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

function tabs(runId, active) {
  return h("nav", {class: "tabs", "aria-label": "results"}, Object.keys(TABS).map((name) =>
    h("a", {href: name === "inventory" ? `#/runs/${runId}` : `#/runs/${runId}/${name}`, "data-tab": name,
      "aria-current": name === active ? "page" : null}, t(`web.tab.${name}`))));
}

function downloads(runId) {
  const button = (text, path, filename) => h("button", {type: "button", class: "link", onclick: async (event) => {
    try {
      await api.download(path, filename);
    } catch (error) {
      event.target.after(errorBox(error));
    }
  }}, text);
  return h("div", {class: "downloads"},
    button(t("web.download.report"), `/runs/${runId}/report?download=true`, `report-${runId}.html`), " · ",
    button("summary.json", `/runs/${runId}/files/summary.json`, `summary-${runId}.json`), " · ",
    button("emissions.csv", `/runs/${runId}/files/emissions.csv`, `emissions-${runId}.csv`), " · ",
    button(t("web.download.inputs"), `/runs/${runId}/inputs`, `${runId}-inputs.zip`));
}
