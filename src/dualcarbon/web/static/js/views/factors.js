// The factor browser: search the bundled library (as `dualcarbon factors search`), each factor with
// its value, unit, region, year and citation; and the factor sets with their versions and hashes.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {factor} from "../format.js";
import {lang, t} from "../i18n.js";
import {field} from "./common.js";

export async function render(ctx) {
  const q = ctx.query.get("q") || "";
  const input = h("input", {type: "search", name: "q", value: q, required: true, maxlength: 200, placeholder: "天然气, diesel, 327310"});
  const form = h("form", {class: "card search", role: "search", "data-testid": "factor-search"},
    field(t("web.factors.query"), input), h("button", {type: "submit", class: "primary"}, t("web.factors.search")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.go(`#/factors?q=${encodeURIComponent(input.value.trim())}`);
  });
  append(ctx.root, h("h1", {}, t("web.factors.title")), form);
  if (q) {
    const found = await api.request(`/factors?q=${encodeURIComponent(q)}&limit=200`);
    if (!ctx.live()) return;
    append(ctx.root, section(t("web.factors.results", {n: found.items.length, q}), table([
      {label: t("col.activity_key"), cell: (f) => h("code", {}, f.key ?? ""), key: "key"},
      {label: t("web.factors.name"), cell: (f) => f.name ?? ""},
      {label: t("col.factor_set"), cell: (f) => f.factor_set},
      {label: t("web.factors.parameter"), cell: (f) => f.parameter ?? ""},
      {label: t("col.gas"), cell: (f) => f.gas ?? ""},
      {label: t("col.value"), cell: (f) => factor(f.value), num: true, key: "value"},
      {label: t("col.unit"), cell: (f) => [f.unit_numerator, f.unit_denominator].filter(Boolean).join("/") + (f.basis ? ` (${f.basis})` : "")},
      {label: t("col.region"), cell: (f) => f.region ?? ""},
      {label: t("col.year"), cell: (f) => f.year ?? ""},
      {label: t("col.citation"), cell: (f) => h("span", {class: "citation"}, f.citation ?? "", f.notes ? h("small", {}, f.notes) : null), key: "citation"},
      {label: t("cite.check_label"), cell: (f) => (f.check ? h("small", {class: "check", "data-check": f.check}, t(`cite.check.${f.check}`)) : ""), key: "check"},
    ], found.items, {testid: "factors", empty: t("web.factors.none", {q}), rowAttrs: (f) => ({"data-factor": f.factor_id})})));
  }
  const sets = await api.request("/factors/sets");
  if (!ctx.live()) return;
  append(ctx.root, section(t("web.factors.sets"), table([
    {label: t("col.factor_set"), cell: (s) => h("code", {}, s.factor_set)},
    {label: t("web.factors.name"), cell: (s) => (lang() === "zh" ? s.name_zh : s.name_en)},
    {label: t("col.version"), cell: (s) => s.version},
    {label: t("web.batches.rows"), cell: (s) => s.rows, num: true},
    {label: t("col.sha256"), cell: (s) => h("code", {title: s.sha256}, s.sha256.slice(0, 16))},
  ], sets, {testid: "factor-set-list"})));
}
