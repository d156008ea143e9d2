// Pieces several views share: error boxes, the table of input problems, badges, breadcrumbs.

import {download} from "../api.js";
import {append, h, table} from "../dom.js";
import {label, t} from "../i18n.js";

/** An error from the API (or the network) for people: its message and code, and its problems if any. */
export function errorBox(error) {
  const box = h("div", {class: "error", role: "alert", "data-testid": "error"},
    h("strong", {}, error.message || String(error)), error.code ? h("span", {class: "code"}, ` (${error.code})`) : null);
  if (error.problems && error.problems.length) append(box, problemsDownload(error.problems), problemsTable(error.problems));
  return box;
}

/** A button that saves the problems as a workbook (row, column, value, what is expected), in the page's language. */
export function problemsDownload(problems) {
  const button = h("button", {type: "button", class: "link", "data-testid": "problems-download"},
    t("validate.download"));
  button.addEventListener("click", () => download("/problems.xlsx", t("validate.download_file"), {problems}));
  return h("p", {class: "problems-download"}, button);
}

/**
 * The problems of an upload or a run, one table row each, by file, row and column: file, row (as a
 * spreadsheet numbers it), column, value found and what was expected; the facts `dualcarbon validate`
 * prints.
 */
export function problemsTable(problems) {
  const order = (p) => [p.file ?? "", p.row ?? 0, p.column ?? ""];
  const sorted = [...problems].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0].localeCompare(y[0]) || x[1] - y[1] || x[2].localeCompare(y[2]);
  });
  return table([
    {label: t("web.problem.file"), cell: (p) => p.file ?? "", key: "file"},
    {label: t("web.problem.row"), cell: (p) => p.row ?? "", key: "row", num: true},
    {label: t("web.problem.column"), cell: (p) => p.column ?? "", key: "column"},
    {label: t("web.problem.value"), cell: (p) => (p.value === null || p.value === undefined ? "" : String(p.value)), key: "value"},
    {label: t("web.problem.expected"), cell: (p) => p.expected ?? p.message ?? "", key: "expected"},
  ], sorted, {testid: "problems"});
}

/** A status word (queued, running, succeeded, failed, passed, achieved ...) as a coloured badge. */
export function badge(prefix, status) {
  return h("span", {class: `badge badge-${String(status).replaceAll(" ", "-")}`, "data-status": status}, label(prefix, status));
}

/** "Projects › name › ..." */
export function crumbs(...parts) {
  const nav = h("nav", {class: "crumbs", "aria-label": t("web.nav.breadcrumb")});
  parts.forEach(([text, href], i) => {
    if (i) append(nav, " › ");
    append(nav, href ? h("a", {href}, text) : h("span", {}, text));
  });
  return nav;
}

/** A labelled form field. */
export function field(text, input, hint = null) {
  return h("label", {class: "field"}, h("span", {}, text), input, hint ? h("small", {}, hint) : null);
}

/** Definition list of [term, value] pairs. */
export function facts(pairs, testid = null) {
  return h("dl", {class: "facts", "data-testid": testid}, pairs.filter(Boolean).map(([term, value, key]) =>
    [h("dt", {}, term), h("dd", {"data-key": key || null}, value)]));
}
