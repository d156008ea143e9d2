// Sign in with a sign-in name and a password: the server answers with an HttpOnly session cookie and
// the session's CSRF token. A second, folded form signs in with an API token (dct_…), for scripts'
// users and testing; that token is checked with GET /api/me and kept in this tab's sessionStorage.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {t} from "../i18n.js";
import {errorBox, field} from "./common.js";

export async function render(ctx) {
  append(ctx.root,
    h("h1", {}, t("web.login.title")),
    ctx.query.get("expired") ? h("p", {class: "notice", role: "status"}, t("web.login.expired")) : null,
    passwordForm(ctx),
    h("p", {}, h("a", {href: "#/password", "data-testid": "to-password"}, t("web.login.have_code"))),
    h("p", {}, t("web.login.no_account"), " ", h("a", {href: "#/signup", "data-testid": "to-signup"}, t("web.signup.title"))),
    tokenForm(ctx),
    h("p", {class: "muted"}, t("web.login.security")));
}

function passwordForm(ctx) {
  const login = h("input", {name: "login", id: "login", autocomplete: "username", required: true, maxlength: 200,
    spellcheck: "false", autocapitalize: "none"});
  const password = h("input", {type: "password", name: "password", id: "password", autocomplete: "current-password",
    required: true, maxlength: 1024});
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "password-login-form"},
    field(t("web.login.login"), login, t("web.login.login_hint")), field(t("web.login.password"), password),
    h("button", {type: "submit", class: "primary"}, t("web.login.submit")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    try {
      await signIn(ctx, login.value.trim(), password.value);
    } catch (error) {
      password.value = "";
      append(message, errorBox(signInError(error)));
    }
  });
  return form;
}

/** Sign in with a name and password, then go to the projects (the invitation page uses it too). */
export async function signIn(ctx, login, password) {
  api.forgetToken();
  const me = await api.request("/session", {method: "POST", json: {login, password}, bearer: null});
  ctx.signedIn(me);
  ctx.go("#/projects");
}

/** A failed sign-in as a person reads it: a wrong name or password, or the wait after too many. */
export function signInError(error) {
  if (error.status === 401) return {message: t("web.login.wrong"), code: error.code};
  if (error.status === 429) {
    const minutes = Math.max(1, Math.ceil(Number(error.retryAfter || 60) / 60));
    return {message: t("web.login.too_many", {minutes}), code: error.code};
  }
  return error;
}

function tokenForm(ctx) {
  const input = h("input", {type: "password", name: "token", id: "token", autocomplete: "off", required: true,
    spellcheck: "false", placeholder: "dct_…"});
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "login-form"},
    h("p", {}, t("web.login.intro")),
    field(t("web.login.token"), input, t("web.login.token_hint")),
    h("button", {type: "submit"}, t("web.login.submit_token")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const secret = input.value.trim();
    try {
      const me = await api.request("/me", {bearer: secret});
      api.setToken(secret);
      ctx.signedIn(me);
      ctx.go("#/projects");
    } catch (error) {
      append(message, errorBox(error.status === 401 ? {message: t("web.login.invalid"), code: error.code} : error));
    }
  });
  return h("details", {class: "token-login", "data-testid": "token-login"},
    h("summary", {}, t("web.login.with_token")), form);
}
