// The dashboard: a hash router (#/projects, #/runs/ID, ...), the header with the language switch,
// and the views. Every view draws from the API's answers only.

import * as account from "./views/account.js";
import * as api from "./api.js";
import * as audit from "./views/audit.js";
import {append, clear, h} from "./dom.js";
import {initialLang, lang, languages, paren, setLang, t} from "./i18n.js";
import * as factors from "./views/factors.js";
import * as login from "./views/login.js";
import * as password from "./views/password.js";
import * as project from "./views/project.js";
import * as projects from "./views/projects.js";
import * as requests from "./views/requests.js";
import * as run from "./views/run.js";
import * as settings from "./views/settings.js";
import * as signup from "./views/signup.js";
import * as users from "./views/users.js";
import {errorBox} from "./views/common.js";

// [pattern of the hash's path, view name (the page's data-view), render, open without a token]
const ROUTES = [
  [/^\/login$/, "login", login.render, true],
  [/^\/signup$/, "signup", signup.render, true],
  [/^\/password$/, "password", password.render, true],
  [/^\/account$/, "account", account.render, false],
  [/^\/users$/, "users", users.render, false],
  [/^\/audit$/, "audit", audit.render, false],
  [/^\/projects$/, "projects", projects.render, false],
  [/^\/projects\/([\w-]+)$/, "project", project.render, false],
  [/^\/projects\/([\w-]+)\/settings$/, "settings", settings.render, false],
  [/^\/projects\/([\w-]+)\/requests$/, "requests", requests.render, false],
  [/^\/runs\/([\w-]+)$/, "run", (ctx) => run.render(ctx, "inventory"), false],
  [/^\/runs\/([\w-]+)\/neutrality$/, "run", (ctx) => run.render(ctx, "neutrality"), false],
  [/^\/runs\/([\w-]+)\/pathway$/, "run", (ctx) => run.render(ctx, "pathway"), false],
  [/^\/runs\/([\w-]+)\/product$/, "run", (ctx) => run.render(ctx, "product"), false],
  [/^\/runs\/([\w-]+)\/financed$/, "run", (ctx) => run.render(ctx, "financed"), false],
  [/^\/runs\/([\w-]+)\/rows$/, "run", (ctx) => run.render(ctx, "rows"), false],
  [/^\/runs\/([\w-]+)\/assurance$/, "run", (ctx) => run.render(ctx, "assurance"), false],
  [/^\/runs\/([\w-]+)\/compare$/, "run", (ctx) => run.render(ctx, "compare"), false],
  [/^\/factors$/, "factors", factors.render, false],
];
const session = {me: null};
let generation = 0;

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function logOut() {
  if (session.me && session.me.via === "session") {
    try {
      await api.request("/session", {method: "DELETE", bearer: null});
    } catch {
      // the session has ended already
    }
  }
  forget();
  go("#/login");
}

function forget() {
  api.forgetToken();
  api.setCsrf(null);
  session.me = null;
}

function header() {
  const nav = clear(document.getElementById("nav"));
  const who = clear(document.getElementById("who"));
  if (session.me) {
    append(nav, h("a", {href: "#/projects"}, t("web.nav.projects")), h("a", {href: "#/factors"}, t("web.nav.factors")));
    if (session.me.user.role === "admin") {
      append(nav, h("a", {href: "#/users", "data-testid": "nav-users"}, t("web.nav.users")),
        h("a", {href: "#/audit", "data-testid": "nav-audit"}, t("web.nav.audit")));
    }
    append(nav, h("a", {href: "#/account", "data-testid": "nav-account"}, t("web.nav.account")));
    append(who,
      h("span", {"data-testid": "who"}, `${session.me.organisation.name} · ${session.me.user.name}${paren(t(`web.role.${session.me.user.role}`))}`),
      h("button", {type: "button", class: "link", "data-testid": "logout", onclick: logOut}, t("web.nav.logout")));
  }
  const langs = clear(document.getElementById("langs"));
  langs.setAttribute("aria-label", t("web.nav.language"));
  document.getElementById("nav").setAttribute("aria-label", t("web.nav.main"));
  for (const code of languages()) {
    // each language named in itself ("English", "中文"), marked as such
    append(langs, h("button", {type: "button", "data-lang": code, "aria-pressed": String(code === lang()),
      lang: t(`web.lang_tag.${code}`), translate: "no",
      onclick: () => switchLang(code)}, t(`web.lang.${code}`)));
  }
}

async function switchLang(code) {
  await setLang(code);
  route();
}

/** Draw the view of the current hash. */
async function route() {
  const mine = ++generation;
  const [path, query = ""] = (location.hash.slice(1) || "/projects").split("?");
  const match = ROUTES.map(([pattern, name, render, open]) => [pattern.exec(path), name, render, open]).find(([m]) => m);
  const view = clear(document.getElementById("view"));
  if (!match) {
    go("#/projects");
    return;
  }
  const [found, name, render, open] = match;
  if (!open && !session.me) {
    try {
      // signed in with a token: /me; else the session cookie, if any: /session (with its CSRF token)
      const me = await api.request(api.token() ? "/me" : "/session");
      api.setCsrf(me.csrf_token);
      session.me = me;
    } catch (error) {
      if (error.status !== 401) append(view, errorBox(error));
      return;
    }
  }
  if (mine !== generation) return;
  header();
  document.title = `${t("web.title")} · dualcarbon`;
  const root = h("div", {class: "page", "data-view": name, "data-lang": lang()});
  append(view, root);
  const ctx = {
    root, me: session.me, params: found.slice(1), query: new URLSearchParams(query), go,
    live: () => mine === generation && root.isConnected,
    signedIn: (me) => {
      session.me = me;
      api.setCsrf(me.csrf_token);
    },
  };
  try {
    await render(ctx);
  } catch (error) {
    if (ctx.live()) root.append(errorBox(error));
  }
  if (ctx.live()) root.dataset.ready = "true";
}

api.whenUnauthorized(() => {
  const had = Boolean(session.me);
  forget();
  // a page's second call refused at the same time finds the login page already shown: keep its notice
  if (!had && location.hash.startsWith("#/login")) return;
  go(had ? "#/login?expired=1" : "#/login");
});
window.addEventListener("hashchange", route);
await setLang(initialLang());
route();
