// The organisation's audit log (admin): who did what, to which object, when and from where; newest
// first, a page at a time.

import * as api from "../api.js";
import {append, h, table} from "../dom.js";
import {label, t} from "../i18n.js";
import {when} from "../format.js";

const PAGE = 50;

export async function render(ctx) {
  const offset = Math.max(0, Number(ctx.query.get("offset")) || 0);
  const page = await api.request(`/audit?limit=${PAGE}&offset=${offset}`);
  if (!ctx.live()) return;
  append(ctx.root, h("h1", {}, t("web.audit.title")), h("p", {}, t("web.audit.intro")),
    table([
      {label: t("web.audit.when"), cell: (e) => when(e.at), key: "at", nowrap: true},
      {label: t("web.audit.who"), cell: (e) => e.user_name || t("web.audit.nobody"), key: "who"},
      {label: t("web.audit.what"), cell: (e) => label("web.audit.act", e.action.replaceAll(".", "_")), key: "action"},
      {label: t("web.audit.object"), cell: (e) => (e.object_id ? h("code", {}, e.object_id) : ""), key: "object"},
      {label: t("web.audit.details"), cell: (e) => details(e.details), key: "details"},
      {label: t("web.audit.address"), cell: (e) => e.client_address || "", key: "address"},
    ], page.items, {testid: "audit", empty: t("web.audit.none"), rowAttrs: (e) => ({"data-action": e.action})}),
    pager(page));
}

function details(values) {
  return Object.entries(values).filter(([key, value]) => key !== "via" && value !== null)
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`).join(", ");
}

function pager(page) {
  const nav = h("p", {class: "pager"}, t("web.audit.shown", {from: page.total ? page.offset + 1 : 0,
    to: page.offset + page.items.length, total: page.total}));
  if (page.offset > 0) append(nav, " ", h("a", {href: `#/audit?offset=${Math.max(0, page.offset - PAGE)}`}, t("web.audit.newer")));
  if (page.offset + page.items.length < page.total) {
    append(nav, " ", h("a", {href: `#/audit?offset=${page.offset + PAGE}`}, t("web.audit.older")));
  }
  return nav;
}
