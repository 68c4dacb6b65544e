// The home screen: start a five-minute session or log an observation, with
// a reminder to confirm the work email and, where the browser could clear
// the phone's copy, a prompt to install the app.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { atRisk, canPrompt, promptInstall } from "../install.js";
import { hasObservationForms } from "./observe.js";

function installNotice(app) {
  if (!atRisk()) return null;
  return h(
    "div",
    { class: "notice", "data-testid": "install" },
    h("p", {}, t("install.why")),
    canPrompt()
      ? h(
          "button",
          { type: "button", class: "secondary", onclick: async () => { await promptInstall(); app.refresh(); } },
          t("install.button"),
        )
      : h("p", {}, t("install.how")),
  );
}

export async function home(app) {
  // Offline, the home screen still works from what the phone knows.
  const me = await api.me().catch(() => null);
  const observing = await hasObservationForms();
  return h(
    "section",
    { class: "panel" },
    h("h1", {}, me ? t("home.title_named", { name: me.display_name }) : t("home.title")),
    me && !me.email_confirmed
      ? h(
          "div",
          { class: "notice", "data-testid": "unconfirmed" },
          h("p", {}, t(me.practice_only ? "home.practice_only" : "home.unconfirmed", { email: me.email })),
          h("a", { href: "#confirm" }, t("home.confirm_link")),
        )
      : null,
    h("p", { class: "lead" }, t("home.lead")),
    h("button", { type: "button", class: "primary big", onclick: () => app.go("session") }, t("home.start")),
    observing
      ? h("button", { type: "button", class: "secondary", onclick: () => app.go("observe") }, t("home.observe"))
      : null,
    installNotice(app),
  );
}
