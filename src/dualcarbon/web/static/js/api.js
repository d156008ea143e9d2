// Calls to the dualcarbon API with the user's bearer token, which lives in this tab's sessionStorage
// only: closing the tab forgets it, and no other site can read it.

const TOKEN_KEY = "dualcarbon.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer of the API that is not a success: status, code, message and, for inputs, problems. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `http_${status}`;
    this.problems = error.problems || null;
  }
}

let onUnauthorized = () => {};

/** What to do when a token stops being valid (revoked, user disabled). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

function base() {
  return `${document.body.dataset.root}/api`;
}

/** fetch() an API path; the parsed JSON answer, or an ApiError. */
export async function request(path, {method = "GET", json, form, bearer, signal} = {}) {
  const headers = {Accept: "application/json"};
  const secret = bearer === undefined ? token() : bearer;
  if (secret) headers.Authorization = `Bearer ${secret}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(base() + path, {method, headers, body, signal, cache: "no-store"});
  if (!response.ok) {
    let error = {code: `http_${response.status}`, message: response.statusText};
    try {
      error = (await response.json()).error || error;
    } catch {
      // not the API's JSON (a proxy's page): keep the status text
    }
    if (response.status === 401 && bearer === undefined) onUnauthorized();
    throw new ApiError(response.status, error);
  }
  return response.status === 204 ? null : response.json();
}

/** Save an API file (report.html, an output CSV) to the user's downloads, sent with the token. */
export async function download(path, filename) {
  const response = await fetch(base() + path, {headers: {Authorization: `Bearer ${token()}`}, cache: "no-store"});
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
