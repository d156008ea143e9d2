// The factor browser: search the bundled library (as `dualcarbon factors search`) with filters (set,
// region, gas, year) and paging, what fits first (a chosen project's country, region and sets, else
// the page language's home), each factor named in the page's language, its citation folded; and the
// factor sets with their versions and hashes.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {factor} from "../format.js";
import {label, lang, t} from "../i18n.js";
import {field} from "./common.js";

const PAGE = 50;
const FILTERS = ["q", "set", "region", "gas", "year", "project"];
const GASES = ["CO2", "CH4", "N2O", "CO2e", "HFC-134a", "SF6", "NF3"];

export async function render(ctx) {
  const query = Object.fromEntries(FILTERS.map((name) => [name, ctx.query.get(name) || ""]));
  const offset = Math.max(0, Number.parseInt(ctx.query.get("offset") || "0", 10) || 0);
  const [sets, projects] = await Promise.all([api.request("/factors/sets"), api.request("/projects")]);
  if (!ctx.live()) return;
  const inputs = {
    q: h("input", {type: "search", name: "q", value: query.q, maxlength: 200, placeholder: "天然气, diesel, 327310"}),
    project: h("select", {name: "project"}, h("option", {value: ""}, t("fsearch.no_project")),
      projects.map((p) => h("option", {value: p.id, selected: p.id === query.project}, p.name))),
    set: h("select", {name: "set"}, h("option", {value: ""}, t("fsearch.set_all")),
      sets.map((s) => h("option", {value: s.factor_set, selected: s.factor_set === query.set}, s.factor_set))),
    region: h("input", {name: "region", value: query.region, maxlength: 40, size: 10, spellcheck: "false"}),
    gas: h("input", {name: "gas", value: query.gas, maxlength: 40, size: 10, list: "factor-gases", spellcheck: "false"}),
    year: h("input", {name: "year", type: "number", value: query.year, min: 1900, max: 2200, step: 1}),
  };
  const form = h("form", {class: "card search filters", role: "search", "data-testid": "factor-search"},
    field(t("web.factors.query"), inputs.q), field(t("fsearch.project"), inputs.project),
    field(t("fsearch.col.set"), inputs.set), field(t("fsearch.region"), inputs.region, t("fsearch.region_hint")),
    field(t("fsearch.gas"), inputs.gas, t("fsearch.gas_hint")), field(t("fsearch.year"), inputs.year),
    h("datalist", {id: "factor-gases"}, GASES.map((g) => h("option", {value: g}))),
    h("div", {class: "buttons"}, h("button", {type: "submit", class: "primary"}, t("fsearch.filter")),
      h("a", {href: "#/factors", "data-testid": "clear-filters"}, t("fsearch.clear"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.go(address(Object.fromEntries(FILTERS.map((name) => [name, inputs[name].value.trim()])), 0));
  });
  append(ctx.root, h("h1", {}, t("web.factors.title")), form);
  if (query.q || query.set || query.region || query.gas || query.year) {
    const params = new URLSearchParams({lang: lang(), offset: String(offset), limit: String(PAGE)});
    for (const name of FILTERS) if (query[name]) params.set(name, query[name]);
    const found = await api.request(`/factors?${params}`);
    if (!ctx.live()) return;
    append(ctx.root, results(found, query, offset));
  }
  append(ctx.root, section(t("web.factors.sets"), table([
    {label: t("col.factor_set"), cell: (s) => h("code", {translate: "no"}, s.factor_set)},
    {label: t("web.factors.name"), cell: (s) => (lang() === "zh" ? s.name_zh : s.name_en)},
    {label: t("col.version"), cell: (s) => h("span", {translate: "no"}, s.version)},
    {label: t("web.batches.rows"), cell: (s) => s.rows, num: true},
    {label: t("col.sha256"), cell: (s) => h("code", {title: s.sha256}, s.sha256.slice(0, 16))},
  ], sets, {testid: "factor-set-list"})));
}

/** The page's address for these filters, from row ``offset``. */
function address(query, offset) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (query[name]) params.set(name, query[name]);
  if (offset) params.set("offset", String(offset));
  return `#/factors?${params}`;
}

function results(found, query, offset) {
  const first = found.total ? offset + 1 : 0;
  const last = offset + found.items.length;
  const heading = found.total ? t("fsearch.results", {n: found.total, first, last}) : t("fsearch.none");
  const pager = h("nav", {class: "pager", "data-testid": "factor-pager"},
    offset > 0 ? h("a", {href: address(query, Math.max(0, offset - PAGE)), "data-testid": "prev"}, t("fsearch.prev")) : null,
    last < found.total ? h("a", {href: address(query, offset + PAGE), "data-testid": "next"}, t("fsearch.next")) : null);
  return section(heading, fitNote(found.fit), table([
    {label: t("fsearch.col.name"), cell: name, key: "name"},
    {label: t("fsearch.col.set"), cell: (f) => f.factor_set, key: "set"},
    {label: t("fsearch.col.parameter"), cell: (f) => h("span", {title: f.parameter ?? "", "data-parameter": f.parameter ?? ""}, label("fsearch.param", f.parameter ?? "")), key: "parameter"},
    {label: t("fsearch.col.gas"), cell: (f) => f.gas ?? "", key: "gas", nowrap: true},
    {label: t("fsearch.col.value"), cell: (f) => factor(f.value), num: true, key: "value"},
    {label: t("col.unit"), cell: unit, key: "unit"},
    {label: t("fsearch.col.region"), cell: (f) => f.region ?? "", key: "region", nowrap: true},
    {label: t("fsearch.col.year"), cell: (f) => f.year ?? "", key: "year"},
    {label: t("col.citation"), cell: citation, key: "citation"},
  ], found.items, {testid: "factors", rowAttrs: (f) => ({"data-factor": f.factor_id, "data-region": f.region})}), pager);
}

/** The name in the page's language, the activity key under it, and the source's own name when it differs. */
function name(f) {
  const shown = (lang() === "zh" ? f.name_zh : f.name_en) || f.name || f.key;
  return h("div", {class: "factor-name"},
    h("span", {class: "name", "data-name": shown}, shown), h("code", {class: "key"}, f.key),
    f.name && f.name !== shown ? h("small", {}, t("fsearch.published_as", {name: f.name})) : null);
}

function unit(f) {
  return [f.unit_numerator, f.unit_denominator].filter(Boolean).join("/") + (f.basis ? ` (${f.basis})` : "");
}

/** The citation folded: its first words in the summary, the whole citation, check and notes inside. */
function citation(f) {
  return h("details", {class: "citation"},
    h("summary", {title: f.citation ?? ""}, f.citation ?? t("fsearch.citation")),
    h("p", {class: "full"}, f.citation ?? ""),
    f.check ? h("p", {class: "check", "data-check": f.check}, h("strong", {}, `${t("fsearch.check")}${lang() === "zh" ? "：" : ": "}`),
      t(`cite.check.${f.check}`)) : null,
    f.notes ? h("p", {class: "notes"}, h("strong", {}, `${t("fsearch.notes")}${lang() === "zh" ? "：" : ": "}`), f.notes) : null);
}

/** What the ranking put first, in words. */
function fitNote(fit) {
  if (!fit) return null;
  const language = t(`fsearch.lang.${fit.lang || lang()}`);
  const sets = (fit.precedence || []).filter((s) => s !== "project").join(", ");
  if (!fit.country) return h("p", {class: "muted", "data-testid": "fit"}, t("fsearch.fit_no_country", {lang: language, sets}));
  const key = `fsearch.country.${fit.country}`;
  const country = t(key) === key ? fit.country : t(key);
  const where = !fit.region ? country : lang() === "zh" ? `${country}（${fit.region}）` : `${country} (${fit.region})`;
  return h("p", {class: "muted", "data-testid": "fit"}, t("fsearch.fit", {country: where, lang: language, sets}));
}
