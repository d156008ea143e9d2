// Numbers as the dashboard shows them, by the rules of dualcarbon.figures (docs/web.md, "Figures"): tonnes
// in tables whole from 100 t and with 2 decimals below, "," between thousands; a figure with its unit in
// 万吨 CO2e from 10,000 t on Chinese pages; money in whole units, in 万元/亿元 on Chinese pages. "—"
// stands for no value; summary.json and the CSVs keep the exact values.

import {lang, t} from "./i18n.js";

const WAN = 1e4;
const YI = 1e8;

function group(fixed) {
  const negative = fixed.startsWith("-");
  const [whole, fraction] = fixed.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (negative ? "-" : "") + grouped + (fraction ? "." + fraction : "");
}

/** A figure with ``digits`` decimals and thousands separators; no "-0.00". */
export function fixed(value, digits = 2) {
  if (value === null || value === undefined || value === "" || !Number.isFinite(Number(value))) return "—";
  let text = Number(value).toFixed(digits);
  if (/^-0(\.0+)?$/.test(text)) text = text.slice(1);
  return group(text);
}

function missing(value) {
  return value === null || value === undefined || value === "" || !Number.isFinite(Number(value));
}

/** Tonnes in a table: whole tonnes from 100 t (1,405,714), 2 decimals below (99.76). */
export function co2e(value) {
  if (missing(value)) return "—";
  return fixed(value, Math.abs(Number(value)) >= 100 - 0.005 ? 0 : 2);
}

/** A quantity of CO2e (or CO2: gas "co2") with its unit: "140.57 万吨 CO2e" on a Chinese page from
 * 10,000 t, else "1,405,714 t CO2e" (figures.co2e). */
export function co2eText(value, gas = "co2e") {
  if (missing(value)) return "—";
  if (lang() === "zh" && Math.abs(Number(value)) >= WAN - 0.005) return `${fixed(Number(value) / WAN, 2)} ${t(`fig.wan_t_${gas}`)}`;
  return `${co2e(value)} ${t(`fig.t_${gas}`)}`;
}

/** A currency as the page's language names it: "元" for CNY in Chinese, else its ISO 4217 code. */
export function currencyName(currency = "CNY") {
  const key = `fig.currency.${currency || "CNY"}`;
  const name = t(key);
  return name === key ? currency : name;
}

/** Money in whole units (no fen or cents): "-1.72 亿元", "35.00 万元", "8,000 元"; "CNY 172,254,983" in English. */
export function money(value, currency = "CNY") {
  const [number, unit] = moneyParts(value, currency);
  if (number === "—") return number;
  return lang() === "zh" ? `${number} ${unit}` : `${unit} ${number}`;
}

/** [figure, unit] of an amount of money (figures.money_parts): ["-1.72", "亿元"], ["172,254,983", "CNY"]. */
export function moneyParts(value, currency = "CNY") {
  const name = currencyName(currency);
  if (missing(value)) return ["—", name];
  const number = Number(value);
  if (lang() === "zh") {
    if (Math.abs(number) >= YI - 0.5) return [fixed(number / YI, 2), t("fig.yi", {unit: name})];
    if (Math.abs(number) >= WAN - 0.5) return [fixed(number / WAN, 2), t("fig.wan", {unit: name})];
  }
  return [fixed(number, 0), name];
}

/** Masses and activity data: like co2e, but quantities below 1 keep 4 significant digits. */
export function qty(value) {
  const number = Number(value);
  if (value !== null && value !== undefined && Number.isFinite(number) && number !== 0 && Math.abs(number) < 1) {
    return number.toPrecision(4);
  }
  return co2e(value);
}

/** A factor's value as published: up to 6 significant digits. */
export function factor(value) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "—";
  return String(Number(Number(value).toPrecision(6)));
}

/** A percentage of a whole, 1 decimal. */
export function percent(part, whole) {
  if (!whole) return "—";
  return `${fixed((100 * part) / whole, 1)} %`;
}

/** A time stamp from the API (ISO 8601, UTC) as local "YYYY-MM-DD HH:MM". */
export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
