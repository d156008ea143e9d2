// The pages' strings: the message catalogue of one language (locales/<lang>.toml, served as JSON),
// with the names of categories and gases from the bundled data files.

const LANG_KEY = "dualcarbon.lang";
const loaded = new Map();
let current = {lang: "zh", messages: {}};

export function languages() {
  return document.body.dataset.languages.split(",");
}

/** The language to start in: the one chosen last time, else the browser's. */
export function initialLang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved && languages().includes(saved)) return saved;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function lang() {
  return current.lang;
}

/** Load a language's catalogue (once) and make it current. */
export async function setLang(lang) {
  if (!loaded.has(lang)) {
    const response = await fetch(`${document.body.dataset.i18n}${lang}.json`);
    if (!response.ok) throw new Error(`messages for ${lang}: HTTP ${response.status}`);
    loaded.set(lang, await response.json());
  }
  current = loaded.get(lang);
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = t("locale.html_lang");
}

/** The message for key, its {fields} filled in; the key itself when the catalogue lacks it. */
export function t(key, fields = {}) {
  const message = current.messages[key];
  if (message === undefined) return key;
  return message.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
}

/** The catalogue's label of an identifier (a status, a boundary), or the identifier itself. */
export function label(prefix, id) {
  const key = `${prefix}.${String(id).replaceAll(" ", "_")}`;
  const text = t(key);
  return text === key ? String(id) : text;
}

/** A record's text in the current language: record[`${field}_${lang}`], else English, else field. */
export function localized(record, field) {
  if (!record) return "";
  return record[`${field}_${current.lang}`] ?? record[`${field}_en`] ?? record[field] ?? "";
}

/** A category's code where a reader uses it (Scope 3 "3.6", ISO 14064-1 "4"); "" for the inventory's
 * own keys of Scope 1 and 2 ("1.stationary"), which the name says in words (report/html.py _category_code). */
export function categoryCode(code) {
  return /^\d+(\.\d+)*$/.test(String(code ?? "")) ? String(code) : "";
}

/** Text in brackets as the language writes them: "（基于位置）" in Chinese, " (location-based)" in English. */
export function paren(text) {
  return t("term.paren", {text});
}

/** The name of an emission category ("3.1", "1.stationary", ISO 14064-1's "4"), "" when it has none. */
export function categoryName(code, scheme = null) {
  const key = `category.${scheme ?? `ghgp_scope${String(code).split(".")[0]}`}.${code}`;
  const text = t(key);
  return text === key ? "" : text;
}
