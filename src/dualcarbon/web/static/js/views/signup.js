// The first organisation (with the one-time setup token `dualcarbon serve` prints) or, on a server
// started with --open-signup, a new one. Its admin chooses a sign-in name and a password and is
// signed in at once; the admin's API token (for scripts) is shown once.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {t} from "../i18n.js";
import {errorBox, field} from "./common.js";
import {signIn} from "./login.js";

export async function render(ctx) {
  const health = await api.request("/health", {bearer: null});
  append(ctx.root, h("h1", {}, t("web.signup.title")));
  if (health.signup === "closed") {
    append(ctx.root, h("p", {class: "notice", "data-testid": "signup-closed"}, t("web.signup.closed")),
      h("p", {}, h("a", {href: "#/login"}, t("web.login.title"))));
    return;
  }
  const inputs = {
    name: h("input", {name: "name", required: true, maxlength: 200}),
    admin_name: h("input", {name: "admin_name", required: true, maxlength: 200}),
    admin_email: h("input", {name: "admin_email", type: "email", maxlength: 320}),
    admin_login: h("input", {name: "admin_login", required: true, maxlength: 200, autocomplete: "username",
      spellcheck: "false", autocapitalize: "none"}),
    admin_password: h("input", {name: "admin_password", type: "password", required: true, maxlength: 1024,
      autocomplete: "new-password"}),
    setup: h("input", {name: "setup_token", type: "password", required: true, autocomplete: "off", placeholder: "dcs_…"}),
  };
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "signup-form"},
    h("p", {}, t(health.signup === "open" ? "web.signup.open" : "web.signup.with_setup_token")),
    field(t("web.signup.org_name"), inputs.name),
    field(t("web.signup.admin_name"), inputs.admin_name),
    field(t("web.signup.admin_email"), inputs.admin_email),
    field(t("web.login.login"), inputs.admin_login, t("web.login.login_hint")),
    field(t("web.login.password"), inputs.admin_password, t("web.password.rule")),
    health.signup === "setup_token" ? field(t("web.signup.setup_token"), inputs.setup, t("web.signup.setup_hint")) : null,
    h("button", {type: "submit", class: "primary"}, t("web.signup.submit")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const body = {name: inputs.name.value.trim(), admin_name: inputs.admin_name.value.trim(),
      admin_login: inputs.admin_login.value.trim(), admin_password: inputs.admin_password.value};
    if (inputs.admin_email.value.trim()) body.admin_email = inputs.admin_email.value.trim();
    try {
      const made = await api.request("/organisations", {method: "POST", json: body,
        bearer: health.signup === "setup_token" ? inputs.setup.value.trim() : null});
      form.replaceWith(created(ctx, made, body));
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  append(ctx.root, form, h("p", {}, h("a", {href: "#/login"}, t("web.signup.have_account"))));
}

function created(ctx, made, body) {
  const copy = h("button", {type: "button"}, t("web.signup.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(made.token);
      copy.textContent = t("web.signup.copied");
    } catch {
      copy.textContent = t("web.signup.copy_failed");
    }
  });
  const next = h("button", {type: "button", class: "primary", "data-testid": "continue"}, t("web.signup.continue"));
  next.addEventListener("click", () => signIn(ctx, body.admin_login, body.admin_password));
  return h("div", {class: "card narrow", "data-testid": "signed-up"},
    h("p", {}, t("web.signup.done", {org: made.organisation.name})),
    h("p", {class: "warning"}, t("web.signup.token_once")),
    h("pre", {class: "token", "data-testid": "new-token"}, made.token),
    h("div", {class: "actions"}, copy, next));
}
