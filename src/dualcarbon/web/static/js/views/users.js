// The organisation's people (admin): invite one (a one-time link to set a password), change roles,
// disable or enable, and reset a password (a new one-time link; their sessions end); and users for
// scripts, who never sign in but get an API token (shown once).

import * as api from "../api.js";
import {append, h, section, table} from "../dom.js";
import {t} from "../i18n.js";
import {when} from "../format.js";
import {errorBox, field} from "./common.js";

const ROLES = ["viewer", "editor", "admin"];

export async function render(ctx) {
  append(ctx.root, h("h1", {}, t("web.users.title")));
  if (ctx.me.user.role !== "admin") {
    append(ctx.root, h("p", {class: "notice"}, t("web.users.admins_only")));
    return;
  }
  const users = await api.request("/users");
  if (!ctx.live()) return;
  const message = h("div", {"data-testid": "users-message"});
  append(ctx.root, message, table([
    {label: t("web.users.name"), cell: (u) => u.name, key: "name"},
    {label: t("web.login.login"), cell: (u) => u.login || t("web.users.script_user"), key: "login"},
    {label: t("web.users.role"), cell: (u) => roleSelect(ctx, u, message), key: "role"},
    {label: t("web.users.state"), cell: (u) => state(u), key: "state", nowrap: true},
    {label: t("web.created"), cell: (u) => when(u.created_at)},
    {label: "", cell: (u) => actions(ctx, u, message), key: "actions"},
  ], users, {testid: "users", rowAttrs: (u) => ({"data-login": u.login || "", "data-user": u.id})}),
  inviteForm(ctx), scriptUserForm());
}

function state(user) {
  if (user.disabled) return t("web.users.disabled");
  if (user.login && !user.has_password) return t("web.users.no_password");
  return t("web.users.active");
}

function roleSelect(ctx, user, message) {
  const select = h("select", {name: "role", "aria-label": t("web.users.role"), disabled: user.id === ctx.me.user.id},
    ROLES.map((r) => h("option", {value: r, selected: r === user.role}, t(`web.role.${r}`))));
  select.addEventListener("change", () => change(ctx, user, {role: select.value}, message));
  return select;
}

function actions(ctx, user, message) {
  if (user.id === ctx.me.user.id) return t("web.users.you");
  const toggle = h("button", {type: "button", "data-testid": user.disabled ? "enable" : "disable"},
    t(user.disabled ? "web.users.enable" : "web.users.disable"));
  toggle.addEventListener("click", () => change(ctx, user, {disabled: !user.disabled}, message));
  const reset = h("button", {type: "button", "data-testid": "reset"}, t("web.users.reset"));
  reset.addEventListener("click", async () => {
    message.replaceChildren();
    try {
      const made = await api.request(`/users/${user.id}/password-reset`, {method: "POST"});
      append(message, codeCard(t("web.users.reset_done", {name: user.name}), made));
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  return h("span", {class: "actions"}, toggle, " ", user.login ? reset : null);
}

async function change(ctx, user, patch, message) {
  message.replaceChildren();
  try {
    await api.request(`/users/${user.id}`, {method: "PATCH", json: patch});
    ctx.go("#/users");
  } catch (error) {
    append(message, errorBox(error));
  }
}

/** A one-time link (invitation or reset) the admin passes on: shown once. */
export function codeCard(text, made) {
  const link = `${location.origin}${document.body.dataset.root}/app/#/password?code=${encodeURIComponent(made.code)}`;
  return h("div", {class: "card", "data-testid": "one-time-code"},
    h("p", {}, text),
    h("p", {class: "warning"}, t("web.users.code_once", {date: when(made.expires_at)})),
    h("pre", {class: "token", "data-testid": "one-time-link"}, link));
}

function inviteForm(ctx) {
  const inputs = {
    name: h("input", {name: "name", required: true, maxlength: 200}),
    login: h("input", {name: "login", required: true, maxlength: 200, spellcheck: "false", autocapitalize: "none"}),
    email: h("input", {name: "email", type: "email", maxlength: 320}),
    role: h("select", {name: "role"}, ROLES.map((r) => h("option", {value: r}, t(`web.role.${r}`)))),
  };
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "invite-form"},
    field(t("web.users.name"), inputs.name), field(t("web.login.login"), inputs.login, t("web.users.login_hint")),
    field(t("web.users.email"), inputs.email), field(t("web.users.role"), inputs.role),
    h("button", {type: "submit", class: "primary"}, t("web.users.invite")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const body = {name: inputs.name.value.trim(), login: inputs.login.value.trim(), role: inputs.role.value};
    if (inputs.email.value.trim()) body.email = inputs.email.value.trim();
    try {
      const made = await api.request("/users", {method: "POST", json: body});
      form.reset();
      append(message, codeCard(t("web.users.invited", {name: made.user.name}), made.invitation));
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  return section(t("web.users.invite_title"), form);
}

/** A user for scripts (POST /api/users without a sign-in name): their first API token, shown once. */
function scriptUserForm() {
  const name = h("input", {name: "script-name", required: true, maxlength: 200});
  const role = h("select", {name: "script-role"}, ROLES.map((r) => h("option", {value: r}, t(`web.role.${r}`))));
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "script-user-form"},
    h("p", {class: "muted"}, t("settings_editor.script_intro")),
    field(t("web.users.name"), name), field(t("web.users.role"), role),
    h("button", {type: "submit"}, t("settings_editor.script_create")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    try {
      const made = await api.request("/users", {method: "POST", json: {name: name.value.trim(), role: role.value}});
      form.reset();
      append(message, h("div", {class: "card", "data-testid": "script-token"},
        h("p", {}, t("settings_editor.script_made", {name: made.user.name})),
        h("p", {class: "warning"}, t("web.account.token_once")),
        h("pre", {class: "token", "data-testid": "new-token"}, made.token)));
    } catch (error) {
      append(message, errorBox(error));
    }
  });
  return section(t("settings_editor.script_title"), form);
}
