// A project's data collection (docs/collection.md): the reminders and what is missing; the coordinator's
// request board (with the form that asks a site for data); the contributor's own requests, each with its
// template, the reviewer's comments of a return and the upload of its file; the reviewer's queue, each
// submission approved or returned with comments on rows. Which parts show follows the project roles.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {t} from "../i18n.js";
import {badge, crumbs, errorBox, facts, field} from "./common.js";

const KINDS = ["activities", "credits", "sinks", "indicators"];

export async function render(ctx) {
  const [projectId] = ctx.params;
  const [project, members] = await Promise.all([
    api.request(`/projects/${projectId}`), api.request(`/projects/${projectId}/members`),
  ]);
  if (!ctx.live()) return;
  const me = ctx.me.user.id;
  const roles = new Set(members.filter((m) => m.user_id === me).map((m) => m.role));
  if (ctx.me.user.role !== "viewer") roles.add("coordinator");
  append(ctx.root,
    crumbs([t("web.nav.projects"), "#/projects"], [project.name, `#/projects/${projectId}`], [t("web.collect.title"), null]),
    h("h1", {}, t("web.collect.title")));
  if (!roles.size) {
    append(ctx.root, h("p", {class: "notice", "data-testid": "no-role"}, t("web.collect.no_role")));
    return;
  }
  const parts = h("div");
  append(ctx.root, parts);

  async function refresh() {
    const [all, missing] = await Promise.all([
      api.request(`/projects/${projectId}/requests`), api.request(`/projects/${projectId}/requests/missing`),
    ]);
    const details = await Promise.all(all.map((r) => api.request(`/requests/${r.id}`)));
    if (!ctx.live()) return;
    parts.replaceChildren(
      reminders(missing),
      roles.has("coordinator") ? board(projectId, details, members, refresh) : "",
      roles.has("contributor") ? mine(details.filter((r) => r.assignee_id === me), refresh) : "",
      roles.has("reviewer") ? queue(details.filter((r) => r.status === "submitted" && r.assignee_id !== me), refresh) : "");
  }
  await refresh();
}

function reminders(missing) {
  return h("div", {class: "card", "data-testid": "reminders"},
    facts([
      [t("web.collect.overdue"), String(missing.overdue), "overdue"],
      [t("web.collect.due_soon"), String(missing.due_soon), "due_soon"],
      [t("web.collect.to_review"), String(missing.to_review), "to_review"],
      [t("web.collect.missing"), String(missing.requests.length), "missing"],
    ]));
}

function statusOf(r) {
  return [badge("web.collect.status", r.status), r.overdue ? h("span", {class: "badge badge-failed", "data-overdue": "true"}, ` ${t("web.collect.late")}`) : null];
}

function columns(extra = []) {
  return [
    {label: t("web.collect.site"), cell: (r) => r.site, key: "site"},
    {label: t("web.collect.kind"), cell: (r) => t(`web.kind.${r.kind}`), key: "kind"},
    {label: t("web.collect.period"), cell: (r) => t("header.period_value", {start: r.period_start, end: r.period_end}), key: "period", nowrap: true},
    {label: t("web.collect.assignee"), cell: (r) => r.assignee_name, key: "assignee"},
    {label: t("web.collect.due"), cell: (r) => r.due_on, key: "due", nowrap: true},
    {label: t("web.collect.status_label"), cell: statusOf, key: "status"},
    ...extra,
  ];
}

/** The coordinator's board: every request (what is missing first) and the form that makes one. */
function board(projectId, requests, members, refresh) {
  const order = (r) => [r.status === "approved" ? 1 : 0, r.overdue ? 0 : 1, r.due_on];
  const sorted = [...requests].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
  });
  const contributors = members.filter((m) => m.role === "contributor");
  const input = (name, type = "text") => h("input", {name, type, required: true, "data-testid": `request-${name}`});
  const kind = h("select", {name: "kind", "data-testid": "request-kind"}, KINDS.map((k) => h("option", {value: k}, t(`web.kind.${k}`))));
  const assignee = h("select", {name: "assignee_id", required: true, "data-testid": "request-assignee"},
    contributors.map((m) => h("option", {value: m.user_id}, m.name)));
  const note = h("input", {name: "note", type: "text", "data-testid": "request-note"});
  const out = h("div", {"aria-live": "polite"});
  const form = h("form", {class: "card", "data-testid": "request-form"},
    field(t("web.collect.site"), input("site")), field(t("web.collect.kind"), kind),
    field(t("web.collect.period_start"), input("period_start", "date")), field(t("web.collect.period_end"), input("period_end", "date")),
    field(t("web.collect.assignee"), assignee), field(t("web.collect.due"), input("due_on", "date")),
    field(t("web.collect.note"), note),
    h("button", {type: "submit", class: "primary"}, t("web.collect.ask")), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form).entries());
    if (!body.note) delete body.note;
    try {
      await api.request(`/projects/${projectId}/requests`, {method: "POST", json: body});
      await refresh();
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  });
  return section(t("web.collect.board"),
    table(columns(), sorted, {testid: "request-board", empty: t("web.collect.none"),
      rowAttrs: (r) => ({"data-site": r.site, "data-status": r.status})}),
    contributors.length ? form : h("p", {class: "notice"}, t("web.collect.no_contributors")));
}

/** The last return of a request: its comment and row comments. */
function returned(r) {
  const last = [...r.history].reverse().find((e) => e.action === "returned");
  if (!last || r.status !== "returned") return null;
  return h("div", {class: "error", "data-testid": "returned"},
    h("strong", {}, t("web.collect.returned_by", {name: last.user_name})), last.comment ? h("p", {}, last.comment) : null,
    table([
      {label: t("web.problem.row"), cell: (c) => c.row, key: "row", num: true},
      {label: t("web.problem.column"), cell: (c) => c.column ?? "", key: "column"},
      {label: t("web.collect.comment"), cell: (c) => c.text, key: "text"},
    ], last.rows, {testid: "row-comments"}));
}

/** The contributor's own requests, each with its template, the comments of a return, and its upload. */
function mine(requests, refresh) {
  if (!requests.length) return section(t("web.collect.mine"), h("p", {class: "empty"}, t("web.collect.none")));
  return section(t("web.collect.mine"), requests.map((r) => {
    const card = h("div", {class: "card", "data-testid": "my-request", "data-site": r.site, "data-status": r.status});
    const template = h("button", {type: "button", class: "link", "data-testid": "template"}, t("web.collect.template"));
    template.addEventListener("click", () => api.download(`/requests/${r.id}/template.xlsx`, `${r.site}-${r.kind}.xlsx`));
    append(card, h("h3", {}, `${r.site} · ${t(`web.kind.${r.kind}`)}`),
      facts([[t("web.collect.period"), t("header.period_value", {start: r.period_start, end: r.period_end})],
        [t("web.collect.due"), r.due_on], [t("web.collect.status_label"), statusOf(r)]]),
      r.note ? h("p", {}, r.note) : null, h("p", {}, template), returned(r));
    if (r.status === "requested" || r.status === "returned") {
      const file = h("input", {type: "file", name: "file", required: true, "data-testid": "submission-file"});
      const out = h("div", {"aria-live": "polite"});
      const form = h("form", {"data-testid": "submission-form"}, field(t("web.collect.file"), file),
        h("button", {type: "submit", class: "primary"}, t("web.collect.submit")), out);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = new FormData();
        body.append("file", file.files[0]);
        try {
          await api.request(`/requests/${r.id}/submissions`, {method: "POST", form: body});
          await refresh();
        } catch (error) {
          out.replaceChildren(errorBox(error));
        }
      });
      append(card, form);
    }
    return card;
  }));
}

/** The reviewer's queue: each submission approved, or returned with a comment and comments on rows. */
function queue(requests, refresh) {
  if (!requests.length) return section(t("web.collect.queue"), h("p", {class: "empty", "data-testid": "queue-empty"}, t("web.collect.queue_empty")));
  return section(t("web.collect.queue"), requests.map((r) => {
    const card = h("div", {class: "card", "data-testid": "review", "data-site": r.site});
    const comment = h("textarea", {name: "comment", "data-testid": "review-comment"});
    const rows = h("div", {"data-testid": "review-rows"});
    const addRow = h("button", {type: "button", class: "link", "data-testid": "add-row-comment"}, t("web.collect.add_row"));
    addRow.addEventListener("click", () => append(rows, h("div", {class: "row-comment"},
      field(t("web.problem.row"), h("input", {type: "number", min: 2, name: "row", "data-testid": "row-number"})),
      field(t("web.problem.column"), h("input", {type: "text", name: "column", "data-testid": "row-column"})),
      field(t("web.collect.comment"), h("input", {type: "text", name: "text", "data-testid": "row-text"})))));
    const out = h("div", {"aria-live": "polite"});
    const decide = async (decision) => {
      const notes = [...rows.querySelectorAll(".row-comment")].map((div) => ({
        row: Number(div.querySelector("[name=row]").value),
        column: div.querySelector("[name=column]").value || null,
        text: div.querySelector("[name=text]").value,
      }));
      try {
        await api.request(`/requests/${r.id}/review`, {method: "POST", json: {decision, comment: comment.value || null, rows: notes}});
        await refresh();
      } catch (error) {
        out.replaceChildren(errorBox(error));
      }
    };
    const file = h("button", {type: "button", class: "link", "data-testid": "submitted-file"}, t("web.collect.download"));
    file.addEventListener("click", () => api.download(`/batches/${r.batch_id}/content`, `${r.site}.csv`));
    append(card, h("h3", {}, `${r.site} · ${t(`web.kind.${r.kind}`)}`),
      facts([[t("web.collect.assignee"), r.assignee_name], [t("web.collect.period"), t("header.period_value", {start: r.period_start, end: r.period_end})]]),
      h("p", {}, file), field(t("web.collect.comment"), comment), rows, h("p", {}, addRow),
      h("p", {}, h("button", {type: "button", class: "primary", "data-testid": "approve", onclick: () => decide("approve")}, t("web.collect.approve")),
        " ", h("button", {type: "button", "data-testid": "return", onclick: () => decide("return")}, t("web.collect.return"))),
      out);
    return card;
  }));
}
