// Numbers as the dashboard shows them. Tonnes of CO2e are rounded to 2 decimals (as in the report and
// the CLI) with "," between thousands, in both languages; "—" stands for no value.

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

/** Tonnes of CO2e: 2 decimals. */
export function co2e(value) {
  return fixed(value, 2);
}

/** Masses and activity data: like co2e, but quantities below 1 keep 4 significant digits. */
export function qty(value) {
  const number = Number(value);
  if (value !== null && value !== undefined && Number.isFinite(number) && number !== 0 && Math.abs(number) < 1) {
    return number.toPrecision(4);
  }
  return fixed(value, 2);
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
