// Set one's password with the one-time code of an invitation or a reset (#/password?code=…, the link
// an admin passes on), then sign in with it at once.

import * as api from "../api.js";
import {append, h} from "../dom.js";
import {t} from "../i18n.js";
import {errorBox, field} from "./common.js";
import {signIn, signInError} from "./login.js";

export async function render(ctx) {
  const code = h("input", {name: "code", id: "code", required: true, autocomplete: "off", spellcheck: "false",
    value: ctx.query.get("code") || ""});
  const password = h("input", {type: "password", name: "new-password", id: "new-password", required: true,
    autocomplete: "new-password", maxlength: 1024});
  const again = h("input", {type: "password", name: "again", id: "again", required: true,
    autocomplete: "new-password", maxlength: 1024});
  const message = h("div");
  const form = h("form", {class: "card narrow", "data-testid": "set-password-form"},
    field(t("web.password.code"), code, t("web.password.code_hint")),
    field(t("web.password.new"), password, t("web.password.rule")),
    field(t("web.password.again"), again),
    h("button", {type: "submit", class: "primary"}, t("web.password.submit")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    if (password.value !== again.value) {
      append(message, errorBox({message: t("web.password.mismatch")}));
      return;
    }
    let done;
    try {
      done = await api.request("/password", {method: "POST", json: {code: code.value.trim(), password: password.value},
        bearer: null});
    } catch (error) {
      append(message, errorBox(error.code === "invalid_code" ? {message: t("web.password.bad_code"), code: error.code} : error));
      return;
    }
    try {
      await signIn(ctx, done.login, password.value);
    } catch (error) {
      append(message, errorBox(signInError(error)));
    }
  });
  append(ctx.root, h("h1", {}, t("web.password.title")), h("p", {}, t("web.password.intro")), form);
}
