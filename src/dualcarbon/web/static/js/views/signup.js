// The first organisation (with the one-time setup token `dualcarbon serve` prints) or, on a server
// started with --open-signup, a new one. The admin's token is shown once, then kept in this tab.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {t} from "../i18n.js";
import {errorBox, field} from "./common.js";

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
    setup: h("input", {name: "setup_token", type: "password", required: true, autocomplete: "off", placeholder: "dcs_…"}),
  };
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "signup-form"},
    h("p", {}, t(health.signup === "open" ? "web.signup.open" : "web.signup.with_setup_token")),
    field(t("web.signup.org_name"), inputs.name),
    field(t("web.signup.admin_name"), inputs.admin_name),
    field(t("web.signup.admin_email"), inputs.admin_email),
    health.signup === "setup_token" ? field(t("web.signup.setup_token"), inputs.setup, t("web.signup.setup_hint")) : null,
    h("button", {type: "submit", class: "primary"}, t("web.signup.submit")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const body = {name: inputs.name.value.trim(), admin_name: inputs.admin_name.value.trim()};
    if (inputs.admin_email.value.trim()) body.admin_email = inputs.admin_email.value.trim();
    try {
      const made = await api.request("/organisations", {method: "POST", json: body,
        bearer: health.signup === "setup_token" ? inputs.setup.value.trim() : null});
      form.replaceWith(created(ctx, made));
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  append(ctx.root, form, h("p", {}, h("a", {href: "#/login"}, t("web.signup.have_token"))));
}

function created(ctx, made) {
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
  next.addEventListener("click", async () => {
    api.setToken(made.token);
    ctx.signedIn(await api.request("/me"));
    ctx.go("#/projects");
  });
  return h("div", {class: "card narrow", "data-testid": "signed-up"},
    h("p", {}, t("web.signup.done", {org: made.organisation.name})),
    h("p", {class: "warning"}, t("web.signup.token_once")),
    h("pre", {class: "token", "data-testid": "new-token"}, made.token),
    h("div", {class: "actions"}, copy, next));
}
