// One's own account: change the password (the current one required; one's other sessions end), and
// API tokens for scripts: list, create (shown once), revoke. An admin sees every token of the
// organisation and may revoke any.

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {label, t} from "../i18n.js";
import {when} from "../format.js";
import {errorBox, field} from "./common.js";

export async function render(ctx) {
  const [tokens, users] = await Promise.all([api.request("/tokens"), api.request("/users")]);
  if (!ctx.live()) return;
  const names = Object.fromEntries(users.map((u) => [u.id, u.name]));
  append(ctx.root, h("h1", {}, t("web.account.title")),
    ctx.me.user.login ? section(t("web.account.password"), passwordForm()) : null,
    section(t("web.account.tokens"), h("p", {}, t("web.account.tokens_intro")),
      tokenTable(ctx, tokens, names), ctx.me.via === "session" || ctx.me.user.role === "admin" ? tokenForm(ctx) : null));
}

function passwordForm() {
  const current = h("input", {type: "password", name: "current-password", id: "current-password", required: true,
    autocomplete: "current-password", maxlength: 1024});
  const fresh = h("input", {type: "password", name: "new-password", id: "new-password", required: true,
    autocomplete: "new-password", maxlength: 1024});
  const again = h("input", {type: "password", name: "again", id: "again", required: true,
    autocomplete: "new-password", maxlength: 1024});
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "change-password-form"},
    field(t("web.account.current"), current), field(t("web.password.new"), fresh, t("web.password.rule")),
    field(t("web.password.again"), again),
    h("button", {type: "submit", class: "primary"}, t("web.account.change")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    if (fresh.value !== again.value) {
      append(message, errorBox({message: t("web.password.mismatch")}));
      return;
    }
    try {
      await api.request("/me/password", {method: "POST",
        json: {current_password: current.value, new_password: fresh.value}});
      form.reset();
      append(message, h("p", {class: "notice", role: "status", "data-testid": "password-changed"},
        t("web.account.changed")));
    } catch (error) {
      append(message, errorBox(error.code === "wrong_password" ? {message: t("web.account.wrong"), code: error.code} : error));
    }
  });
  return form;
}

function tokenTable(ctx, tokens, names) {
  return table([
    {label: t("web.account.token_name"), cell: (k) => label("web.account.token", k.name), key: "name"},
    {label: t("web.users.name"), cell: (k) => names[k.user_id] || k.user_id, key: "user"},
    {label: t("web.created"), cell: (k) => when(k.created_at)},
    {label: t("web.account.revoked"), cell: (k) => (k.revoked_at ? when(k.revoked_at) : ""), key: "revoked"},
    {label: "", cell: (k) => (k.revoked_at ? "" : revokeButton(ctx, k)), key: "actions"},
  ], tokens, {testid: "tokens", empty: t("web.account.no_tokens"), rowAttrs: (k) => ({"data-token": k.id})});
}

function revokeButton(ctx, token) {
  const button = h("button", {type: "button", "data-testid": "revoke"}, t("web.account.revoke"));
  button.addEventListener("click", async () => {
    try {
      await api.request(`/tokens/${token.id}`, {method: "DELETE"});
      ctx.go("#/account");
    } catch (error) {
      button.replaceWith(errorBox(error));
    }
  });
  return button;
}

function tokenForm(ctx) {
  const name = h("input", {name: "token-name", required: true, maxlength: 200});
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "new-token-form"},
    field(t("web.account.token_name"), name, t("web.account.token_hint")),
    h("button", {type: "submit"}, t("web.account.create_token")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    try {
      const made = await api.request("/tokens", {method: "POST", json: {name: name.value.trim()}});
      form.replaceWith(h("div", {class: "card narrow", "data-testid": "token-made"},
        h("p", {class: "warning"}, t("web.account.token_once")),
        h("pre", {class: "token", "data-testid": "new-token"}, made.token),
        h("button", {type: "button", onclick: () => ctx.go("#/account")}, t("web.account.done"))));
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  return form;
}
