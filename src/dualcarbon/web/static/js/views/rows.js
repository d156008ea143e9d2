// A run's emission rows (emissions.csv or emissions.parquet: one per activity × gas, with its trace),
// through the API's paged endpoint, filtered by scope, category, facility, gas and activity key. The
// choices are those of the run's summary.json, the facilities every one of the run's (its facilities.csv);
// the filters and the page are in the address.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {co2e, qty} from "../format.js";
import {categoryName, label, t} from "../i18n.js";
import {field} from "./common.js";

const PAGE = 50;
const FILTERS = ["scope", "category", "facility", "gas", "key"];

export async function render(ctx, run) {
  const written = new Set((run.outputs || []).map((o) => o.name));
  if (!written.has("emissions.csv") && !written.has("emissions.parquet")) {
    append(ctx.root, h("p", {class: "notice", "data-testid": "rows-not-written"}, t("rows.not_written")));
    return;
  }
  const query = Object.fromEntries(FILTERS.map((name) => [name, ctx.query.get(name) || ""]));
  const offset = Math.max(0, Number.parseInt(ctx.query.get("offset") || "0", 10) || 0);
  const params = new URLSearchParams({offset: String(offset), limit: String(PAGE)});
  for (const name of FILTERS) if (query[name]) params.set(name, query[name]);
  // every facility (summary.json lists only the largest when there are many): the run's facility names
  const [summary, page, facilities] = await Promise.all([api.request(`/runs/${run.id}/summary`),
    api.request(`/runs/${run.id}/emissions?${params}`), api.request(`/runs/${run.id}/facilities?names=true`)]);
  if (!ctx.live()) return;
  const address = (values, start) => {
    const next = new URLSearchParams();
    for (const name of FILTERS) if (values[name]) next.set(name, values[name]);
    if (start) next.set("offset", String(start));
    const text = next.toString();
    return `#/runs/${run.id}/rows${text ? `?${text}` : ""}`;
  };
  const choice = (name, options) => h("select", {name}, h("option", {value: ""}, t("rows.all")),
    options.map(([value, text]) => h("option", {value, selected: value === query[name]}, text)));
  const unique = (values) => [...new Set(values.filter((v) => v !== null && v !== undefined && v !== ""))];
  const categories = unique((summary.by_category || []).map((c) => c.category));
  const inputs = {
    scope: choice("scope", unique((summary.by_category || []).map((c) => String(c.scope))).sort().map((s) => [s, label("scope", s)])),
    category: choice("category", categories.map((c) => [c, categoryName(c) ? `${c} ${categoryName(c)}` : c])),
    facility: choice("facility", unique(facilities.items.map((f) => f.facility)).map(String).sort().map((f) => [f, f])),
    gas: choice("gas", unique((summary.by_gas || []).map((g) => g.gas)).map((g) => [g, label("gas", g)])),
    key: h("input", {name: "key", value: query.key, maxlength: 200, spellcheck: "false", placeholder: t("rows.key_hint")}),
  };
  const form = h("form", {class: "card rows-filters", "data-testid": "rows-filters"},
    field(t("col.scope"), inputs.scope), field(t("col.category"), inputs.category), field(t("col.facility"), inputs.facility),
    field(t("col.gas"), inputs.gas), field(t("col.activity_key"), inputs.key),
    h("div", {class: "buttons"}, h("button", {type: "submit", class: "primary"}, t("rows.filter")), " ",
      h("a", {href: address({}, 0), "data-testid": "rows-clear"}, t("rows.clear"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.go(address(Object.fromEntries(FILTERS.map((name) => [name, inputs[name].value.trim()])), 0));
  });
  const first = page.total ? offset + 1 : 0;
  const last = offset + page.items.length;
  const pager = h("nav", {class: "pager", "data-testid": "rows-pager"},
    offset > 0 ? h("a", {href: address(query, Math.max(0, offset - PAGE)), "data-testid": "prev"}, t("rows.prev")) : null,
    last < page.total ? h("a", {href: address(query, offset + PAGE), "data-testid": "next"}, t("rows.next")) : null);
  append(ctx.root, form, section(page.total ? t("rows.count", {n: page.total, first, last}) : t("rows.none"), table([
    {label: t("col.id"), cell: (r) => r.id ?? "", key: "id", nowrap: true},
    {label: t("rows.date"), cell: (r) => r.date ?? r.month ?? "", key: "date", nowrap: true},
    {label: t("col.facility"), cell: (r) => r.facility ?? "", key: "facility"},
    {label: t("col.activity"), cell: (r) => [r.activity ?? "", h("br"), h("code", {}, r.key ?? "")], key: "activity"},
    {label: t("col.quantity"), cell: (r) => `${qty(r.quantity)} ${r.unit ?? ""}`, key: "quantity", num: true},
    {label: t("col.scope"), cell: (r) => label("scope", r.scope) + (r.scope2_method ? ` (${label("org.scope2_value", r.scope2_method)})` : ""), key: "scope", nowrap: true},
    {label: t("col.category"), cell: (r) => categoryName(r.category) || r.category, key: "category"},
    {label: t("col.gas"), cell: (r) => r.gas, key: "gas", nowrap: true},
    {label: t("col.mass_t"), cell: (r) => qty(r.mass_t), key: "mass", num: true},
    {label: t("col.co2e_t"), cell: (r) => co2e(r.co2e_t), key: "co2e", num: true},
    {label: t("rows.factors"), cell: (r) => h("code", {}, r.factor_ids ?? ""), key: "factors"},
  ], page.items, {testid: "emission-rows", rowAttrs: (r) => ({"data-row": `${r.source_file}:${r.source_row}:${r.gas}:${r.scope2_method ?? ""}`})}), pager));
}
