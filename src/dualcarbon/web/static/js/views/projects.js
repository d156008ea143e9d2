// The organisation's projects, and a new one (empty, or from a bundled example).

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {t} from "../i18n.js";
import {when} from "../format.js";
import {errorBox, field} from "./common.js";

// The bundled examples, as the server found them in the package (the page's data-examples).
const EXAMPLES = () => (document.body.dataset.examples || "").split(",").filter(Boolean);

export async function render(ctx) {
  const projects = await api.request("/projects");
  if (!ctx.live()) return;
  append(ctx.root, h("h1", {}, t("web.projects.title")),
    table([
      {label: t("web.projects.name"), cell: (p) => h("a", {href: `#/projects/${p.id}`}, p.name), key: "name"},
      {label: t("web.created"), cell: (p) => when(p.created_at)},
      {label: "ID", cell: (p) => h("code", {}, p.id)},
    ], projects, {testid: "projects", empty: t("web.projects.none")}));
  if (ctx.me.user.role !== "viewer") append(ctx.root, createForm(ctx));
}

function createForm(ctx) {
  const name = h("input", {name: "name", required: true, maxlength: 200});
  const example = h("select", {name: "example"}, h("option", {value: ""}, t("web.projects.example_none")),
    EXAMPLES().map((e) => h("option", {value: e}, t(`web.example.${e}`))));
  const message = h("div");
  const form = h("form", {class: "card", "data-testid": "new-project"},
    field(t("web.projects.name"), name), field(t("web.projects.example"), example, t("web.projects.example_hint")),
    h("button", {type: "submit", class: "primary"}, t("web.projects.create")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const body = {name: name.value.trim()};
    if (example.value) body.example = example.value;
    try {
      const made = await api.request("/projects", {method: "POST", json: body});
      ctx.go(`#/projects/${made.id}`);
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  return section(t("web.projects.new"), form);
}
