// One project: its settings, the upload form (each file checked by the API as `dualcarbon validate`
// checks it, its problems shown row by row), its batches, and its runs.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {co2e, when} from "../format.js";
import {label, lang, languages, t} from "../i18n.js";
import {badge, crumbs, errorBox, facts, field, problemsDownload, problemsTable} from "./common.js";

// the order a set of files is uploaded in: settings first, documents before the settings' checks need them
// (a product model's processes before its exchanges, which are checked against them)
const KINDS = ["settings", "factors", "documents", "processes", "exchanges", "activities", "credits", "sinks", "measures",
  "indicators"];

/** The kind a file most likely is, from its name: dualcarbon.toml, credits.csv, factors/*.csv ... */
export function guessKind(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith(".toml")) return "settings";
  if (/\.(md|txt|pdf)$/.test(lower)) return "documents";
  if (lower.includes("credit")) return "credits";
  if (lower.includes("factor")) return "factors";
  if (lower.includes("sink")) return "sinks";
  if (lower.includes("measure")) return "measures";
  if (lower.includes("indicator") || name.includes("指标")) return "indicators";
  if (lower.startsWith("process") || name.includes("过程")) return "processes";
  if (lower.startsWith("exchange") || name.includes("交换")) return "exchanges";
  return "activities";
}

export async function render(ctx) {
  const [projectId] = ctx.params;
  const project = await api.request(`/projects/${projectId}`);
  if (!ctx.live()) return;
  const editor = ctx.me.user.role !== "viewer";
  const parts = {settings: h("div"), batches: h("div"), run: h("div"), runs: h("div")};

  /** Read the project's settings, files and runs again, and redraw them (not the upload form). */
  async function refresh() {
    const [batches, runs, settings] = await Promise.all([
      api.request(`/projects/${projectId}/batches`), api.request(`/projects/${projectId}/runs?limit=50`),
      api.request(`/projects/${projectId}/settings`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    ]);
    if (!ctx.live()) return;
    parts.settings.replaceChildren(settingsSection(settings, editor ? projectId : null));
    parts.batches.replaceChildren(batchesSection(batches, editor, refresh));
    parts.run.replaceChildren(editor ? runSection(ctx, projectId, batches) : "");
    parts.runs.replaceChildren(runsSection(runs.items));
  }

  append(ctx.root,
    crumbs([t("web.nav.projects"), "#/projects"], [project.name, null]),
    h("h1", {}, project.name),
    collectionLink(projectId),
    parts.settings,
    editor ? uploadSection(projectId, refresh) : null,
    parts.batches, parts.run, parts.runs);
  await refresh();
}

/** The link to the project's data collection, with the reminders of those who have a role in it. */
function collectionLink(projectId) {
  const line = h("p", {"data-testid": "requests-link"}, h("a", {href: `#/projects/${projectId}/requests`}, t("web.collect.title")));
  api.request(`/projects/${projectId}/requests/missing`).then((missing) => {
    if (missing.overdue || missing.due_soon || missing.to_review) {
      append(line, " ", h("small", {"data-testid": "reminder"}, t("web.collect.reminder", missing)));
    }
  }, () => null); // no role in the workflow (403): the link alone
  return line;
}

function settingsSection(settings, editable) {
  const edit = editable ? h("p", {}, h("a", {href: `#/projects/${editable}/settings`, "data-testid": "edit-settings"}, t("settings_editor.edit"))) : null;
  if (!settings) return section(t("web.settings.title"), h("p", {class: "notice", "data-testid": "no-settings"}, t("web.settings.none")), edit);
  const s = settings.settings;
  return section(t("web.settings.title"), facts([
    [t("header.organization"), s.organization?.name ?? ""],
    [t("header.boundary"), label("boundary", s.organization?.boundary ?? "")],
    [t("header.period"), t("header.period_value", {start: s.period?.start ?? "", end: s.period?.end ?? ""})],
    [t("header.gwp"), s.method?.gwp ?? ""],
    [t("web.settings.factor_sets"), (s.method?.factor_sets ?? []).join(", ")],
  ], "settings"), h("details", {}, h("summary", {}, "dualcarbon.toml"), h("pre", {class: "code"}, settings.toml)), edit);
}

function uploadSection(projectId, refresh) {
  const input = h("input", {type: "file", name: "files", multiple: true, "data-testid": "upload-files",
    accept: ".toml,.csv,.tsv,.txt,.xlsx,.parquet"});
  const chosen = h("div", {"data-testid": "upload-chosen"});
  const results = h("div", {"data-testid": "upload-results", "aria-live": "polite"});
  const button = h("button", {type: "submit", class: "primary", disabled: true}, t("web.upload.submit"));
  let files = [];
  input.addEventListener("change", () => {
    files = [...input.files].map((file) => ({file, kind: h("select", {"data-file": file.name},
      KINDS.map((k) => h("option", {value: k, selected: k === guessKind(file.name)}, t(`web.kind.${k}`))))}));
    chosen.replaceChildren(...files.map((f) => h("div", {class: "chosen"}, h("span", {}, f.file.name), f.kind)));
    button.disabled = files.length === 0;
  });
  const templates = h("p", {class: "templates", "data-testid": "templates"}, t("template.download"), " ",
    ...TEMPLATE_KINDS.flatMap((kind, i) => [i ? " · " : "",
      h("button", {type: "button", class: "link", "data-kind": kind,
        onclick: () => api.download(`/templates/${kind}.xlsx`, `${t(`template.kind.${kind}`)}.xlsx`)},
      t(`template.kind.${kind}`))]));
  const form = h("form", {class: "card", "data-testid": "upload-form"},
    h("p", {}, t("web.upload.intro")), templates, input, chosen, button, results);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    delete results.dataset.done;
    results.replaceChildren();
    const ordered = [...files].sort((a, b) => KINDS.indexOf(a.kind.value) - KINDS.indexOf(b.kind.value));
    let accepted = 0;
    for (const {file, kind} of ordered) {
      const body = new FormData();
      body.append("kind", kind.value);
      body.append("file", file, file.name);
      try {
        const batch = await api.request(`/projects/${projectId}/batches`, {method: "POST", form: body});
        accepted += 1;
        append(results, h("div", {class: "result ok", "data-file": file.name, "data-outcome": "accepted"},
          t("web.upload.accepted", {file: file.name, kind: t(`web.kind.${batch.kind}`),
            rows: batch.rows ?? "—", sha: batch.sha256.slice(0, 12)})));
      } catch (error) {
        const box = h("div", {class: "result bad", "data-file": file.name, "data-outcome": "refused"},
          h("strong", {}, t("web.upload.refused", {file: file.name, n: error.problems?.length ?? 1})), " ",
          error.problems ? null : error.message);
        if (error.problems) append(box, problemsDownload(error.problems), problemsTable(error.problems));
        append(results, box);
      }
    }
    if (accepted) await refresh();
    button.disabled = false;
    results.dataset.done = "true";
  });
  return section(t("web.upload.title"), form);
}

const TEMPLATE_KINDS = ["activities", "credits", "sinks", "measures", "indicators"];

function batchesSection(batches, editor, refresh) {
  const withdraw = (batch) => h("button", {type: "button", class: "link", onclick: async () => {
    if (!confirm(t("web.batches.confirm_withdraw", {file: batch.filename}))) return;
    await api.request(`/batches/${batch.id}`, {method: "DELETE"});
    await refresh();
  }}, t("web.batches.withdraw"));
  return section(t("web.batches.title"), table([
    {label: t("web.batches.kind"), cell: (b) => t(`web.kind.${b.kind}`)},
    {label: t("web.problem.file"), cell: (b) => b.filename, key: "file"},
    {label: t("web.batches.rows"), cell: (b) => b.rows ?? "—", num: true},
    {label: "SHA-256", cell: (b) => h("code", {title: b.sha256}, b.sha256.slice(0, 12))},
    {label: t("web.batches.uploaded"), cell: (b) => when(b.uploaded_at)},
    {label: t("col.status"), cell: (b) => (b.withdrawn_at ? t("web.batches.withdrawn") : t("web.batches.current"))},
    {label: "", cell: (b) => (editor && !b.withdrawn_at ? withdraw(b) : "")},
  ], batches, {testid: "batches", empty: t("web.batches.none"), rowAttrs: (b) => ({"data-kind": b.kind})}));
}

function runSection(ctx, projectId, batches) {
  const live = batches.filter((b) => !b.withdrawn_at).map((b) => b.kind);
  const ready = live.includes("settings") && live.includes("activities");
  const reportLang = h("select", {name: "lang"}, languages().map((l) => h("option", {value: l, selected: l === lang()}, t(`web.lang.${l}`))));
  // with measures, the run may also compute the least-cost pathway (dualcarbon pathway)
  const pathway = h("input", {type: "checkbox", name: "pathway", checked: live.includes("measures"), "data-testid": "run-pathway"});
  // report.pdf is printed by Chromium on the server: offered where the server has it, else the page says why
  const printable = document.body.dataset.pdf === "true";
  const pdf = h("input", {type: "checkbox", name: "pdf", disabled: !printable, "data-testid": "run-pdf"});
  const message = h("div");
  const button = h("button", {type: "submit", class: "primary", disabled: !ready, "data-testid": "run"}, t("web.run.start"));
  const form = h("form", {class: "card"}, ready ? null : h("p", {class: "notice"}, t("web.run.not_ready")),
    field(t("web.run.report_lang"), reportLang), field(t("web.run.pathway"), pathway, t("web.run.pathway_hint")),
    field(t("report2.run_pdf"), pdf, t(printable ? "report2.run_pdf_hint" : "report2.pdf_unavailable")), button, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const queued = await api.request(`/projects/${projectId}/runs`, {method: "POST", json: {lang: reportLang.value, pathway: pathway.checked, pdf: pdf.checked}});
      ctx.go(`#/runs/${queued.id}`);
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  // a product model (processes and exchanges, docs/products.md): its footprint, as `dualcarbon footprint`
  if (live.includes("settings") && live.includes("processes") && live.includes("exchanges")) {
    const footprint = h("button", {type: "button", class: ready ? "" : "primary", "data-testid": "run-footprint",
      onclick: async () => {
        try {
          const queued = await api.request(`/projects/${projectId}/footprints`,
            {method: "POST", json: {lang: reportLang.value, pdf: pdf.checked}});
          ctx.go(`#/runs/${queued.id}/product`);
        } catch (error) {
          append(message, errorBox(error));
        }
      }}, t("product.web.run"));
    button.after(" ", footprint);
    if (!ready) {
      button.hidden = true;
      form.querySelector(".notice").replaceWith(h("p", {class: "notice"}, t("product.web.run_hint")));
    }
  }
  return section(t("web.run.title"), form);
}

function runsSection(runs) {
  return section(t("web.runs.title"), table([
    {label: t("web.runs.run"), cell: (r) => h("a", {href: `#/runs/${r.id}`}, h("code", {}, r.id))},
    {label: t("web.created"), cell: (r) => when(r.created_at)},
    {label: t("col.status"), cell: (r) => badge("web.status", r.status)},
    {label: t("totals.total_location"), cell: (r) => co2e(r.totals?.total_location), num: true},
    {label: t("totals.total_market"), cell: (r) => co2e(r.totals?.total_market), num: true},
  ], runs, {testid: "runs", empty: t("web.runs.none")}));
}
