// A run's assurance (docs/assurance.md): lock it (a report number), engage a verifier (admin), the
// verifier's findings with the team's answers, the verifier's sign form, whether the signature still
// holds, and the evidence files of the run's inputs (upload, list, download).

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {when} from "../format.js";
import {label, t} from "../i18n.js";
import {errorBox, facts, field} from "./common.js";

const RANK = {viewer: 0, editor: 1, admin: 2};
const SEVERITIES = ["observation", "minor", "major"];
const TARGETS = ["run", "check", "row", "factor"];

export async function render(ctx, run) {
  const state = await api.request(`/runs/${run.id}/assurance`);
  if (!ctx.live()) return;
  const can = (role) => RANK[ctx.me.user.role] >= RANK[role];
  const redraw = async () => {
    const body = h("div", {});
    ctx.root.replaceChildren(body);
    await render({...ctx, root: body}, await api.request(`/runs/${run.id}`));
  };
  const message = h("div", {"data-testid": "assurance-message"});
  append(ctx.root, message);
  const act = async (call) => {
    message.replaceChildren();
    try {
      await call();
      await redraw();
    } catch (error) {
      append(message, errorBox(error));
    }
  };
  append(ctx.root, lockSection(run, state, can, act));
  if (state.lock) {
    append(ctx.root, signatureState(state), await verifierSection(run, state, can, act),
      findingsSection(run, state, can, act), signSection(run, state, act));
  }
  append(ctx.root, evidenceSection(run, state, can, act));
}

function lockSection(run, state, can, act) {
  const lock = state.lock;
  if (lock) {
    const reports = (run.outputs || []).filter((o) => o.name.startsWith("report-locked") || o.name.startsWith("report-verified"));
    return section(t("web.assurance.lock.title"), facts([
      [t("web.assurance.report_number"), h("strong", {"data-testid": "report-number"}, lock.report_number)],
      [t("web.assurance.locked_at"), when(lock.locked_at)],
    ]), h("p", {class: "muted"}, t("web.assurance.lock.frozen")),
    h("div", {class: "downloads"}, reports.map((o) => h("button", {type: "button", class: "link", "data-file": o.name,
      onclick: () => api.download(`/runs/${run.id}/files/${o.name}`, o.name)}, o.name))));
  }
  if (run.kind !== "inventory") return section(t("web.assurance.lock.title"), h("p", {}, t("web.assurance.lock.not_lockable")));
  const button = h("button", {type: "button", "data-testid": "lock"}, t("web.assurance.lock.button"));
  button.addEventListener("click", () => act(() => api.request(`/runs/${run.id}/lock`, {method: "POST"})));
  return section(t("web.assurance.lock.title"), h("p", {}, t("web.assurance.lock.explain")),
    can("editor") ? button : h("p", {class: "muted"}, t("web.assurance.lock.editors_only")));
}

function signatureState(state) {
  const status = state.state.status;
  const box = h("div", {class: `notice assurance-${status}`, "data-testid": "signature-state", "data-status": status},
    h("strong", {}, t(`web.assurance.state.${status}`)));
  if (status === "stale") {
    append(box, h("ul", {"data-testid": "signature-changes"}, state.state.changes.map((c) =>
      h("li", {}, t(`web.assurance.change.${c.change}`,
        {file: c.filename || c.path, signed: c.signed_version || "", version: c.version || ""})))));
  }
  if (status === "broken") {
    append(box, h("ul", {"data-testid": "signature-problems"}, state.state.problems.map((p) =>
      h("li", {}, t(`web.assurance.problem.${p.code}`, {file: p.file || ""})))));
  }
  return box;
}

async function verifierSection(run, state, can, act) {
  const list = state.verifiers.length
    ? h("ul", {"data-testid": "verifiers"}, state.verifiers.map((v) => h("li", {}, `${v.name} · ${when(v.engaged_at)}`)))
    : h("p", {class: "muted"}, t("web.assurance.verifiers.none"));
  const parts = [list];
  if (can("admin")) {
    const users = (await api.request("/users")).filter((u) => !u.disabled);
    const select = h("select", {name: "verifier", "data-testid": "verifier-user"},
      users.map((u) => h("option", {value: u.id}, `${u.name} (${t(`web.role.${u.role}`)})`)));
    const form = h("form", {class: "card inline", "data-testid": "engage-form"},
      field(t("web.assurance.verifiers.user"), select), h("button", {type: "submit"}, t("web.assurance.verifiers.engage")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(() => api.request(`/runs/${run.id}/verifiers`, {method: "POST", json: {user_id: select.value}}));
    });
    parts.push(form);
  }
  return section(t("web.assurance.verifiers.title"), parts);
}

function findingTarget(f) {
  if (f.target === "check") return t("web.assurance.target.check_of", {id: f.check_id});
  if (f.target === "row") return t("web.assurance.target.row_of", {batch: f.batch_id, row: f.row_number});
  if (f.target === "factor") return t("web.assurance.target.factor_of", {id: f.factor_id, version: f.factor_version});
  return t("web.assurance.target.run");
}

function findingsSection(run, state, can, act) {
  const mayClose = can("editor") || state.me_verifier;
  const rows = table([
    {label: t("web.assurance.finding.severity"), cell: (f) => label("web.assurance.severity", f.severity), key: "severity"},
    {label: t("web.assurance.finding.target"), cell: findingTarget, key: "target"},
    {label: t("web.assurance.finding.body"), cell: (f) => [h("p", {}, f.body),
      f.replies.map((r) => h("p", {class: "small reply"}, `${label("web.assurance.action", r.action)} · ${r.created_by_name}: ${r.body}`))],
    key: "body"},
    {label: t("web.assurance.finding.state"), cell: (f) => label("web.assurance.finding_state", f.state), key: "state"},
    {label: "", cell: (f) => (mayClose ? replyForm(f, state, can, act) : null), key: "reply"},
  ], state.findings, {testid: "findings", empty: t("web.assurance.findings.none"),
    rowAttrs: (f) => ({"data-finding": f.id, "data-state": f.state})});
  const parts = [h("p", {"data-testid": "open-findings"}, t("web.assurance.findings.open", {n: state.open_findings})), rows];
  if (state.me_verifier) parts.push(findingForm(run, act));
  return section(t("web.assurance.findings.title"), parts);
}

function replyForm(finding, state, can, act) {
  const text = h("input", {type: "text", name: "reply", required: true, "aria-label": t("web.assurance.reply.text")});
  const actions = ["answer", finding.state === "open" ? "close" : state.me_verifier ? "reopen" : null].filter(Boolean);
  const action = h("select", {name: "action", "aria-label": t("web.assurance.reply.action")},
    actions.map((a) => h("option", {value: a}, label("web.assurance.action", a))));
  const form = h("form", {class: "inline", "data-testid": "reply-form"}, action, text,
    h("button", {type: "submit"}, t("web.assurance.reply.send")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => api.request(`/findings/${finding.id}/replies`, {method: "POST", json: {action: action.value, body: text.value}}));
  });
  return form;
}

function findingForm(run, act) {
  const target = h("select", {name: "target", "data-testid": "finding-target"},
    TARGETS.map((x) => h("option", {value: x}, label("web.assurance.target", x))));
  const inputs = run.inputs || [];
  const batch = h("select", {name: "batch_id"}, inputs.map((i) => h("option", {value: i.batch_id}, i.filename)));
  const row = h("input", {type: "number", name: "row_number", min: 2, value: 2});
  const check = h("input", {type: "text", name: "check_id"});
  const factor = h("input", {type: "text", name: "factor_id"});
  const version = h("select", {name: "factor_version"},
    (run.factor_sets || []).map((f) => h("option", {value: f.version}, `${f.dataset} ${f.version}`)));
  const severity = h("select", {name: "severity", "data-testid": "finding-severity"},
    SEVERITIES.map((s) => h("option", {value: s}, label("web.assurance.severity", s))));
  const body = h("textarea", {name: "body", required: true, rows: 3, "data-testid": "finding-body"});
  const fields = {
    check: [field(t("web.assurance.finding.check_id"), check)],
    row: [field(t("web.assurance.finding.batch"), batch), field(t("web.assurance.finding.row"), row)],
    factor: [field(t("web.assurance.finding.factor_id"), factor), field(t("web.assurance.finding.factor_version"), version)],
  };
  const extra = h("div", {});
  const show = () => extra.replaceChildren(...(fields[target.value] || []));
  target.addEventListener("change", show);
  show();
  const form = h("form", {class: "card", "data-testid": "finding-form"},
    h("h3", {}, t("web.assurance.finding.new")), field(t("web.assurance.finding.target"), target), extra,
    field(t("web.assurance.finding.severity"), severity), field(t("web.assurance.finding.body"), body),
    h("button", {type: "submit"}, t("web.assurance.finding.add")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const json = {target: target.value, severity: severity.value, body: body.value};
    if (target.value === "check") json.check_id = check.value;
    if (target.value === "row") Object.assign(json, {batch_id: batch.value, row_number: Number(row.value)});
    if (target.value === "factor") Object.assign(json, {factor_id: factor.value, factor_version: version.value});
    act(() => api.request(`/runs/${run.id}/findings`, {method: "POST", json}));
  });
  return form;
}

function signSection(run, state, act) {
  const sig = state.signature;
  if (sig) {
    return section(t("web.assurance.sign.title"), facts([
      [t("web.assurance.sign.name"), sig.signer_name, "signer_name"],
      [t("web.assurance.sign.organisation"), sig.signer_organisation, "signer_organisation"],
      [t("web.assurance.sign.date"), sig.signed_on, "signed_on"],
      [t("web.assurance.sign.statement"), sig.statement, "statement"],
      [t("web.assurance.sign.sha256"), h("code", {}, sig.covered_sha256), "covered_sha256"],
      [t("web.assurance.sign.open_findings"), String(sig.open_findings), "open_findings"],
    ], "signature"));
  }
  if (!state.me_verifier) return section(t("web.assurance.sign.title"), h("p", {class: "muted"}, t("web.assurance.sign.unsigned")));
  const name = h("input", {type: "text", name: "signer_name", required: true});
  const organisation = h("input", {type: "text", name: "signer_organisation", required: true});
  const date = h("input", {type: "date", name: "signed_on", required: true, value: new Date().toISOString().slice(0, 10)});
  const statement = h("textarea", {name: "statement", required: true, rows: 3});
  const form = h("form", {class: "card", "data-testid": "sign-form"},
    field(t("web.assurance.sign.name"), name), field(t("web.assurance.sign.organisation"), organisation),
    field(t("web.assurance.sign.date"), date), field(t("web.assurance.sign.statement"), statement),
    h("p", {class: "muted"}, t("web.assurance.sign.explain", {n: state.open_findings})),
    h("button", {type: "submit"}, t("web.assurance.sign.button")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => api.request(`/runs/${run.id}/signature`, {method: "POST", json: {
      signer_name: name.value, signer_organisation: organisation.value, signed_on: date.value, statement: statement.value}}));
  });
  return section(t("web.assurance.sign.title"), form);
}

function evidenceSection(run, state, can, act) {
  const names = new Map((run.inputs || []).map((i) => [i.batch_id, i.filename]));
  const list = table([
    {label: t("web.assurance.evidence.file"), cell: (e) => h("button", {type: "button", class: "link", "data-testid": "evidence-download",
      onclick: () => api.download(`/evidence/${e.id}`, e.filename)}, e.filename), key: "file"},
    {label: t("web.assurance.evidence.description"), cell: (e) => e.description, key: "description"},
    {label: t("web.assurance.evidence.target"), cell: (e) => (e.target_kind === "row"
      ? t("web.assurance.target.row_of", {batch: names.get(e.target_id) || e.target_id, row: e.row_number})
      : names.get(e.target_id) || e.target_id), key: "target"},
    {label: t("web.assurance.evidence.uploaded"), cell: (e) => `${e.uploaded_by_name} · ${when(e.uploaded_at)}`},
    {label: "SHA-256", cell: (e) => h("code", {title: e.sha256}, e.sha256.slice(0, 16)), key: "sha256"},
  ], state.evidence, {testid: "evidence", empty: t("web.assurance.evidence.none")});
  const parts = [list];
  if (can("editor")) {
    const batch = h("select", {name: "target_id"}, (run.inputs || []).map((i) => h("option", {value: i.batch_id}, i.filename)));
    const row = h("input", {type: "number", name: "row_number", min: 2});
    const description = h("input", {type: "text", name: "description"});
    const file = h("input", {type: "file", name: "file", required: true, "data-testid": "evidence-file"});
    const form = h("form", {class: "card", "data-testid": "evidence-form"},
      field(t("web.assurance.evidence.batch"), batch), field(t("web.assurance.evidence.row"), row, t("web.assurance.evidence.row_hint")),
      field(t("web.assurance.evidence.description"), description), field(t("web.assurance.evidence.file"), file),
      h("button", {type: "submit"}, t("web.assurance.evidence.upload")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = new FormData();
      body.append("file", file.files[0]);
      body.append("target_kind", row.value ? "row" : "batch");
      body.append("target_id", batch.value);
      if (row.value) body.append("row_number", row.value);
      body.append("description", description.value);
      act(() => api.request(`/projects/${run.project_id}/evidence`, {method: "POST", form: body}));
    });
    parts.push(form);
  }
  return section(t("web.assurance.evidence.title"), parts);
}
