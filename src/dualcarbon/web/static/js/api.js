// Calls to the dualcarbon API. A person signs in with a name and a password: the server keeps the
// session in an HttpOnly cookie (no script can read it), and every call that changes something sends
// the session's CSRF token, kept here in memory only. Signing in with an API token (for scripts and
// testing) keeps the token in this tab's sessionStorage and sends it as a bearer header instead.

import {lang} from "./i18n.js";

const TOKEN_KEY = "dualcarbon.token";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrf = null;

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The CSRF token of the session (POST or GET /api/session gives it). */
export function setCsrf(value) {
  csrf = value || null;
}

/** An answer of the API that is not a success: status, code, message and, for inputs, problems. */
export class ApiError extends Error {
  constructor(status, error, retryAfter = null) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `http_${status}`;
    this.problems = error.problems || null;
    this.retryAfter = retryAfter;
  }
}

let onUnauthorized = () => {};

/** What to do when the session or token stops being valid (signed out, revoked, user disabled). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

function base() {
  return `${document.body.dataset.root}/api`;
}

/** fetch() an API path; the parsed JSON answer, or an ApiError. ``bearer: null`` sends no token. */
export async function request(path, {method = "GET", json, form, bearer, signal} = {}) {
  const headers = {Accept: "application/json", "Accept-Language": lang()};  // problems in the page's language
  const secret = bearer === undefined ? token() : bearer;
  if (secret) headers.Authorization = `Bearer ${secret}`;
  else if (csrf && UNSAFE.has(method)) headers["X-CSRF-Token"] = csrf;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(base() + path, {method, headers, body, signal, cache: "no-store",
    credentials: "same-origin"});
  if (!response.ok) {
    let error = {code: `http_${response.status}`, message: response.statusText};
    try {
      error = (await response.json()).error || error;
    } catch {
      // not the API's JSON (a proxy's page): keep the status text
    }
    if (response.status === 401 && bearer === undefined) onUnauthorized();
    throw new ApiError(response.status, error, response.headers.get("Retry-After"));
  }
  return response.status === 204 ? null : response.json();
}

/**
 * Save an API file (report.html, an output CSV, a template) to the user's downloads, with the session
 * or token; with ``json``, the file is what a POST of it answers (the problems' workbook).
 */
export async function download(path, filename, json = undefined) {
  const headers = token() ? {Authorization: `Bearer ${token()}`} : {};
  headers["Accept-Language"] = lang();
  const init = {headers, cache: "no-store", credentials: "same-origin"};
  if (json !== undefined) {
    init.method = "POST";
    init.body = JSON.stringify(json);
    headers["Content-Type"] = "application/json";
    if (!token() && csrf) headers["X-CSRF-Token"] = csrf;
  }
  const response = await fetch(base() + path, init);
  if (!response.ok) throw new ApiError(response.status, {message: response.statusText});
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
