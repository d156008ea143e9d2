// A project's settings editor: the main settings as a form (PUT /api/projects/ID/settings with
// `settings`, the other settings kept as they are) and the whole dualcarbon.toml as text (PUT with
// `toml`, kept as typed). The API checks them as `dualcarbon validate` checks dualcarbon.toml; each
// problem is shown beside its field, or beside the line of the text that holds its key.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {t} from "../i18n.js";
import {crumbs, errorBox, field} from "./common.js";

const BOUNDARIES = ["operational_control", "financial_control", "equity_share", "administrative"];

// [the setting's path in dualcarbon.toml, label key, the input, hint]
function formFields(settings, sets) {
  const value = (path) => path.split(".").reduce((node, part) => (node ? node[part] : undefined), settings);
  const text = (path, attrs = {}) => h("input", {name: path, value: value(path) ?? "", ...attrs});
  const choice = (path, options) => h("select", {name: path},
    options.map(([id, label]) => h("option", {value: id, selected: id === (value(path) ?? options[0][0])}, label)));
  return [
    ["organization.name", "settings_editor.name", text("organization.name", {required: true, maxlength: 200})],
    ["organization.country", "settings_editor.country", text("organization.country", {maxlength: 2, size: 4})],
    ["organization.region", "settings_editor.region", text("organization.region", {maxlength: 40}), t("settings_editor.region_hint")],
    ["organization.boundary", "header.boundary", choice("organization.boundary", BOUNDARIES.map((b) => [b, t(`boundary.${b}`)]))],
    ["period.start", "settings_editor.start", text("period.start", {type: "date"})],
    ["period.end", "settings_editor.end", text("period.end", {type: "date"})],
    ["method.gwp", "header.gwp", choice("method.gwp", ["AR4", "AR5", "AR6"].map((g) => [g, g]))],
    ["method.factor_sets", "settings_editor.factor_sets",
      h("input", {name: "method.factor_sets", value: (value("method.factor_sets") ?? []).join(", "), spellcheck: "false"}),
      t("settings_editor.factor_sets_hint", {sets: sets.map((s) => s.factor_set).join(", ")})],
    ["method.scope2", "settings_editor.scope2",
      choice("method.scope2", ["both", "location", "market"].map((m) => [m, t(`org.scope2_value.${m}`)]))],
    ["report.lang", "settings_editor.report_lang", choice("report.lang", [["zh", t("web.lang.zh")], ["en", t("web.lang.en")]])],
  ];
}

export async function render(ctx) {
  const [projectId] = ctx.params;
  const [project, sets, current] = await Promise.all([
    api.request(`/projects/${projectId}`), api.request("/factors/sets"),
    api.request(`/projects/${projectId}/settings`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
  ]);
  if (!ctx.live()) return;
  append(ctx.root,
    crumbs([t("web.nav.projects"), "#/projects"], [project.name, `#/projects/${projectId}`], [t("settings_editor.title"), null]),
    h("h1", {}, `${t("settings_editor.title")} · ${project.name}`));
  if (ctx.me.user.role === "viewer") {
    append(ctx.root, h("p", {class: "notice", "data-testid": "settings-viewer"}, t("settings_editor.viewer")),
      current ? h("pre", {class: "code"}, current.toml) : null);
    return;
  }
  const saved = ctx.query.get("saved");
  if (saved && current) append(ctx.root, h("p", {class: "notice", role: "status", "data-testid": "settings-saved"}, t("settings_editor.saved", {batch: saved})));
  if (!current) append(ctx.root, h("p", {class: "notice", "data-testid": "no-settings"}, t("settings_editor.no_settings")));
  const base = current ? current.settings : {organization: {name: project.name}, period: {}, method: {}, report: {}};
  append(ctx.root, formSection(ctx, projectId, base, sets), textSection(ctx, projectId, current));
}

function formSection(ctx, projectId, base, sets) {
  const fields = formFields(base, sets);
  const slots = new Map(fields.map(([path]) => [path, h("div", {class: "field-problem", role: "alert", "data-problem-for": path})]));
  const labels = fields.map(([path, label, input, hint]) => {
    const wrapper = field(t(label), input, hint);
    wrapper.dataset.path = path;
    append(wrapper, slots.get(path));
    return wrapper;
  });
  const message = h("div", {"data-testid": "settings-form-message", "aria-live": "polite"});
  const form = h("form", {class: "card", "data-testid": "settings-form", novalidate: true},
    h("p", {class: "muted"}, t("settings_editor.form_intro")), h("div", {class: "settings-grid"}, labels),
    h("button", {type: "submit", class: "primary"}, t("settings_editor.save")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const settings = structuredClone(base);
    for (const [path, , input] of fields) {
      const [table, key] = path.split(".");
      settings[table] = settings[table] || {};
      const raw = input.value.trim();
      if (path === "method.factor_sets") settings[table][key] = raw ? raw.split(/[,，\s]+/).filter(Boolean) : null;
      else settings[table][key] = raw || null;
    }
    await save(ctx, projectId, {settings}, message, (problems) => placeInForm(problems, fields, slots));
  });
  return section(t("settings_editor.form"), form);
}

function textSection(ctx, projectId, current) {
  const text = h("textarea", {class: "toml", name: "toml", spellcheck: "false", "data-testid": "settings-toml"}, current?.toml ?? "");
  const message = h("div", {"data-testid": "settings-toml-message", "aria-live": "polite"});
  const form = h("form", {class: "card", "data-testid": "settings-text-form"},
    h("p", {class: "muted"}, t("settings_editor.toml_intro")), text,
    h("button", {type: "submit", class: "primary"}, t("settings_editor.save")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await save(ctx, projectId, {toml: text.value}, message, (problems) => placeInText(problems, text.value));
  });
  return h("details", {class: "toml-editor", open: !current}, h("summary", {}, t("settings_editor.toml")), form);
}

/** PUT the settings; on success reload the page, on problems show them where ``place`` puts them. */
async function save(ctx, projectId, body, message, place) {
  message.replaceChildren();
  try {
    const saved = await api.request(`/projects/${projectId}/settings`, {method: "PUT", json: body});
    ctx.go(`#/projects/${projectId}/settings?saved=${encodeURIComponent(saved.batch.id)}`);
  } catch (error) {
    if (!error.problems) {
      append(message, errorBox(error));
      return;
    }
    append(message, h("div", {class: "error", role: "alert", "data-testid": "settings-problems"},
      h("strong", {}, t("settings_editor.problems", {n: error.problems.length})), place(error.problems)));
  }
}

/** Each problem under the field of its setting (or of its table: `period` for the period's fields);
 * the problems no field holds, in a table. */
function placeInForm(problems, fields, slots) {
  for (const [path, , input] of fields) {
    slots.get(path).replaceChildren();
    input.closest(".field").dataset.invalid = "false";
    input.removeAttribute("aria-invalid");
  }
  const rest = [];
  for (const problem of problems) {
    const column = problem.column || "";
    const owner = fields.find(([path]) => path === column) || fields.find(([path]) => column && path.startsWith(`${column}.`));
    if (!owner) {
      rest.push(problem);
      continue;
    }
    const [path, , input] = owner;
    append(slots.get(path), h("div", {}, problem.expected ?? problem.message));
    input.closest(".field").dataset.invalid = "true";
    input.setAttribute("aria-invalid", "true");
  }
  return rest.length ? problemList(rest, () => "") : null;
}

/** The problems of the text, each with the line that holds its key (`[table]` then `key =`). */
function placeInText(problems, text) {
  return problemList(problems, (p) => {
    const line = lineOf(text, p.column || "");
    return line ? t("settings_editor.line", {line}) : "";
  });
}

function problemList(problems, where) {
  return table([
    {label: t("settings_editor.where"), cell: where, key: "line", nowrap: true},
    {label: t("web.problem.column"), cell: (p) => p.column ?? "", key: "column"},
    {label: t("web.problem.value"), cell: (p) => (p.value === null || p.value === undefined ? "" : String(p.value)), key: "value"},
    {label: t("web.problem.expected"), cell: (p) => p.expected ?? p.message ?? "", key: "expected"},
  ], problems, {testid: "problems", rowAttrs: (p) => ({"data-column": p.column ?? ""})});
}

/** The 1-based line of `table.key` in TOML text (the table's header line for `table` alone), or 0. */
export function lineOf(text, path) {
  const parts = path.split(".");
  const key = parts.length > 1 ? parts.at(-1) : null;
  const tableName = (key ? parts.slice(0, -1) : parts).join(".");
  const lines = text.split("\n");
  let inTable = tableName === "";
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].trim();
    const header = /^\[+\s*([^\]]+?)\s*\]+/.exec(line);
    if (header) {
      inTable = header[1] === tableName;
      if (inTable && !key) return i + 1;
      continue;
    }
    if (inTable && key && new RegExp(`^"?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?\\s*=`).test(line)) return i + 1;
  }
  return 0;
}
