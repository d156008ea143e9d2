// The dashboard: a hash router (#/projects, #/runs/ID, ...), the header with the language switch,
// and the views. Every view draws from the API's answers only.

import * as api from "./api.js";
import {append, clear, h} from "./dom.js";
import {initialLang, lang, languages, setLang, t} from "./i18n.js";
import * as factors from "./views/factors.js";
import * as login from "./views/login.js";
import * as project from "./views/project.js";
import * as projects from "./views/projects.js";
import * as run from "./views/run.js";
import * as signup from "./views/signup.js";
import {errorBox} from "./views/common.js";

// [pattern of the hash's path, view name (the page's data-view), render, open without a token]
const ROUTES = [
  [/^\/login$/, "login", login.render, true],
  [/^\/signup$/, "signup", signup.render, true],
  [/^\/projects$/, "projects", projects.render, false],
  [/^\/projects\/([\w-]+)$/, "project", project.render, false],
  [/^\/runs\/([\w-]+)$/, "run", (ctx) => run.render(ctx, "inventory"), false],
  [/^\/runs\/([\w-]+)\/neutrality$/, "run", (ctx) => run.render(ctx, "neutrality"), false],
  [/^\/runs\/([\w-]+)\/pathway$/, "run", (ctx) => run.render(ctx, "pathway"), false],
  [/^\/factors$/, "factors", factors.render, false],
];
const session = {me: null};
let generation = 0;

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function logOut() {
  api.forgetToken();
  session.me = null;
  go("#/login");
}

function header() {
  const nav = clear(document.getElementById("nav"));
  const who = clear(document.getElementById("who"));
  if (session.me) {
    append(nav, h("a", {href: "#/projects"}, t("web.nav.projects")), h("a", {href: "#/factors"}, t("web.nav.factors")));
    append(who,
      h("span", {"data-testid": "who"}, `${session.me.organisation.name} · ${session.me.user.name} (${t(`web.role.${session.me.user.role}`)})`),
      h("button", {type: "button", class: "link", "data-testid": "logout", onclick: logOut}, t("web.nav.logout")));
  }
  const langs = clear(document.getElementById("langs"));
  langs.setAttribute("aria-label", t("web.nav.language"));
  for (const code of languages()) {
    append(langs, h("button", {type: "button", "data-lang": code, "aria-pressed": String(code === lang()),
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
    if (!api.token()) {
      go("#/login");
      return;
    }
    try {
      session.me = await api.request("/me");
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
    signedIn: (me) => { session.me = me; },
  };
  try {
    await render(ctx);
  } catch (error) {
    if (ctx.live()) root.append(errorBox(error));
  }
  if (ctx.live()) root.dataset.ready = "true";
}

api.whenUnauthorized(() => {
  api.forgetToken();
  session.me = null;
  go("#/login?expired=1");
});
window.addEventListener("hashchange", route);
await setLang(initialLang());
route();
