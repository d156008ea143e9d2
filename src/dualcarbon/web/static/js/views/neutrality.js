// The neutrality assessment of a run (summary.json's `neutrality`): the conclusion, the claim the
// standard permits, the balance as a waterfall and a table, every check with its clause and reason,
// what is missing, and the credits behind the balance.

import * as api from "../api.js";
import * as charts from "../charts.js";
import {append, h, section, table} from "../dom.js";
import {co2e} from "../format.js";
import {label, lang, localized, t} from "../i18n.js";
import {badge, facts} from "./common.js";

export async function render(ctx, run) {
  let answer;
  try {
    answer = await api.request(`/runs/${run.id}/neutrality`);
  } catch (error) {
    if (error.code !== "not_produced") throw error;
    append(ctx.root, h("p", {class: "notice", "data-testid": "no-neutrality"}, t("web.neutrality.none")));
    return;
  }
  if (!ctx.live()) return;
  const a = answer.assessment;
  const balance = a.balance || {};
  const text = (value) => (value && typeof value === "object" ? value[lang()] ?? value.en : value) ?? "";
  append(ctx.root, 
    facts([
      [t("neutrality.field.standard"), text(a.standard_name) || a.standard],
      [t("neutrality.field.subject"), text(a.subject_name) || label("neutrality.subject", a.subject)],
      a.period ? [t("header.period"), t("header.period_value", {start: a.period.start, end: a.period.end})] : null,
      [t("neutrality.field.status"), h("span", {"data-testid": "neutrality-status", "data-status": a.status},
        label("neutrality.status", a.status))],
    ], "neutrality-header"),
    claim(a, text),
    section(t("neutrality.balance.title"), h("div", {class: "chart", id: "chart-waterfall", "data-testid": "chart-waterfall"}),
      balanceTable(balance)),
    section(t("neutrality.checks"), counts(a.counts), checksTable(a.checks || [])),
    remedies(t("web.neutrality.missing"), a.missing, "missing"),
    remedies(t("web.neutrality.recommendations"), a.recommendations, "recommendations"),
    credits(a.credits || []));
  await charts.draw(ctx.root.querySelector("#chart-waterfall"), ...charts.waterfall(balance));
}

function claim(a, text) {
  if (a.claim) {
    return h("blockquote", {class: "claim", "data-testid": "claim"}, text(a.claim));
  }
  return a.status === "achieved" ? null : h("p", {class: "notice", "data-testid": "no-claim"}, t("web.neutrality.no_claim"));
}

function balanceTable(balance) {
  const rows = [
    balance.base_year_emissions !== undefined && balance.base_year_emissions !== null
      ? ["base_year_emissions", t("web.neutrality.base_year", {year: balance.base_year ?? ""})] : null,
    ["reductions", t("neutrality.balance.reductions")],
    ["emissions", t("neutrality.balance.emissions")],
    ["removals", t("neutrality.balance.removals")],
    ["credits", t("neutrality.balance.credits")],
    ["net", t("neutrality.balance.net")],
  ].filter(Boolean);
  return table([
    {label: t("web.item"), cell: ([, text]) => text},
    {label: t("unit.t_co2e"), cell: ([key]) => co2e(balance[key]), num: true, key: "value"},
  ], rows, {testid: "balance", rowAttrs: ([key]) => ({"data-balance": key})});
}

function counts(counts) {
  if (!counts) return null;
  return h("p", {"data-testid": "check-counts"}, Object.entries(counts).map(([status, n]) =>
    h("span", {class: "count"}, badge("check.status", status), ` ${n}`)));
}

function checksTable(checks) {
  return table([
    {label: t("col.check"), cell: (c) => h("code", {}, c.id), key: "id"},
    {label: t("col.clause"), cell: (c) => (lang() === "zh" && c.clause_zh) || c.clause || ""},
    {label: t("web.neutrality.severity"), cell: (c) => (c.severity ? label("web.severity", c.severity) : ""), nowrap: true},
    {label: t("col.status"), cell: (c) => badge("check.status", c.status), key: "status"},
    {label: t("col.reason"), cell: (c) => localized(c, "reason"), key: "reason"},
  ], checks, {testid: "checks", rowAttrs: (c) => ({"data-check": c.id, "data-status": c.status})});
}

function remedies(title, items, testid) {
  if (!items || !items.length) return null;
  return section(title, h("ul", {"data-testid": testid}, items.map((m) => h("li", {},
    h("code", {}, m.check), " ", localized(m, "reason"), m[`remedy_${lang()}`] || m.remedy_en
      ? h("div", {class: "muted"}, "→ ", localized(m, "remedy")) : null))));
}

function credits(rows) {
  if (!rows.length) return null;
  return section(t("web.neutrality.credits"), table([
    {label: "ID", cell: (c) => c.id},
    {label: t("web.neutrality.credit_type"), cell: (c) => c.type},
    {label: t("web.neutrality.vintage"), cell: (c) => c.vintage ?? ""},
    {label: t("web.neutrality.quantity"), cell: (c) => co2e(c.quantity_t), num: true},
    {label: t("web.neutrality.applied"), cell: (c) => co2e(c.applied_t), num: true},
    {label: t("web.neutrality.eligible"), cell: (c) => (c.eligible ? t("web.yes") : t("web.no"))},
    {label: t("web.neutrality.excluded_by"), cell: (c) => (Array.isArray(c.excluded_by) ? c.excluded_by.join(", ") : c.excluded_by ?? "")},
  ], rows, {testid: "credits"}));
}
