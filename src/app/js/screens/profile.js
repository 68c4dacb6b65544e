// The profile: the name and staff group certificates print, the
// professional registration number (checked against the regulator's format
// by the server), the organisation and whether it is a verified
// membership, the language, and signing out.

import { api, currentAuth } from "../api.js";
import { h } from "../dom.js";
import { currentLanguage, switchLanguage, t } from "../i18n.js";
import { waiting } from "../outbox.js";
import { actionForm, input, staffGroupSelect } from "./account.js";

/**
 * A new work address: confirmed again by the link sent to it, and the
 * password asked for so nobody holding the phone can move the sign-in.
 * Work still waiting on this phone is sent first: it is kept per address.
 */
function emailForm(app) {
  return actionForm(
    { "aria-labelledby": "email-title" },
    [
      h("h2", { id: "email-title" }, t("profile.email_title")),
      h("p", {}, t("profile.email_lead")),
      input("new_email", t("profile.email_new"), { type: "email", autocomplete: "email", required: true }),
      input("current_password", t("profile.email_password"), { type: "password", autocomplete: "current-password" }, t("profile.email_password_hint")),
    ],
    t("profile.email_submit"),
    async (data) => {
      if (await waiting()) throw new Error(t("profile.email_waiting"));
      await api.changeEmail(String(data.get("new_email")).trim(), String(data.get("current_password")));
      app.go("confirm");
    },
    "secondary",
  );
}

export async function profile(app) {
  const me = await api.me();
  const membership = me.organisation
    ? t(me.membership === "verified" ? "profile.verified" : "profile.self_declared", { organisation: me.organisation })
    : t("profile.no_organisation");
  const saved = h("p", { role: "status" });
  return h(
    "div",
    {},
    actionForm(
      {},
      [
        h("h1", {}, t("profile.title")),
        h("p", {}, me.email, " · ", me.email_confirmed ? t("profile.confirmed") : h("a", { href: "#confirm" }, t("profile.unconfirmed"))),
        h("p", { "data-testid": "membership" }, membership),
        input("display_name", t("register.name"), { value: me.display_name, required: true, maxlength: 100, autocomplete: "name" }),
        staffGroupSelect(me.staff_group),
        input("registration_number", t("register.registration"), { value: me.registration_number ?? "", autocomplete: "off" }, t("register.registration_hint")),
        saved,
      ],
      t("profile.save"),
      async (data) => {
        const registration = String(data.get("registration_number")).trim();
        await api.updateMe({
          display_name: String(data.get("display_name")).trim(),
          staff_group: String(data.get("staff_group")),
          ...(registration ? { registration_number: registration } : {}),
        });
        saved.textContent = t("profile.saved");
      },
    ),
    emailForm(app),
    h("h2", {}, t("profile.language")),
    h(
      "button",
      { type: "button", class: "secondary", lang: currentLanguage() === "en" ? "cy" : "en", onclick: async () => { await switchLanguage(); app.go("profile"); } },
      currentLanguage() === "en" ? "Newid i'r Gymraeg" : "Switch to English",
    ),
    h("h2", {}, t("profile.signout_title")),
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        onclick: async () => {
          const count = await waiting();
          if (count && !window.confirm(t("profile.signout_waiting", { count }))) return;
          await api.signOut();
          app.go("signin");
        },
      },
      t("profile.signout", { email: currentAuth().email }),
    ),
  );
}
