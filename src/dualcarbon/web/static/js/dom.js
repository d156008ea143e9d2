// Building the page from data: every text goes in as a text node, never as HTML, so a file name or
// a facility name can never become markup.

/** An element: h("a", {href: "#/x", class: "btn", onclick: fn}, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name === "value") node.value = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append children: strings and numbers become text; null, undefined and false are skipped. */
export function append(node, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/**
 * A table: columns are {label, cell: row => text or node, num: true for right-aligned figures,
 * nowrap: true for short words kept on one line, key: a data-key given to each cell}.
 * rowAttrs(row) may add attributes to each row.
 */
export function table(columns, rows, {testid = null, empty = null, rowAttrs = null, caption = null} = {}) {
  if (!rows.length && empty) return h("p", {class: "empty", "data-testid": testid}, empty);
  const classes = (c) => [c.num ? "num" : "", c.nowrap ? "nowrap" : ""].join(" ").trim() || null;
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", {class: classes(c), scope: "col"}, c.label))));
  const body = h("tbody", {}, rows.map((row) =>
    h("tr", rowAttrs ? rowAttrs(row) : {}, columns.map((c) =>
      h("td", {class: classes(c), "data-key": c.key || null}, c.cell(row))))));
  return h("table", {"data-testid": testid}, caption ? h("caption", {}, caption) : null, head, body);
}

/** A section with a heading. */
export function section(title, ...children) {
  return h("section", {}, h("h2", {}, title), children);
}
