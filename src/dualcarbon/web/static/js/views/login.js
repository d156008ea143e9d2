// Log in: paste an API token (dct_…). It is checked with GET /api/me and then kept in this tab's
// sessionStorage only.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {t} from "../i18n.js";
import {errorBox, field} from "./common.js";

export async function render(ctx) {
  const input = h("input", {type: "password", name: "token", id: "token", autocomplete: "off", required: true,
    spellcheck: "false", placeholder: "dct_…"});
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "login-form"},
    field(t("web.login.token"), input, t("web.login.token_hint")),
    h("button", {type: "submit", class: "primary"}, t("web.login.submit")), message);
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
  append(ctx.root, 
    h("h1", {}, t("web.login.title")),
    ctx.query.get("expired") ? h("p", {class: "notice", role: "status"}, t("web.login.expired")) : null,
    h("p", {}, t("web.login.intro")),
    form,
    h("p", {}, t("web.login.no_token"), " ", h("a", {href: "#/signup", "data-testid": "to-signup"}, t("web.signup.title"))),
    h("p", {class: "muted"}, t("web.login.security")));
}
