// Signing in, registering and confirming the work email. Registration asks
// for what credit and certificates need: a name, the staff group, the
// organisation (chosen from the trusts set up on this server, or typed),
// and optionally the professional registration number.

import { api } from "../api.js";
import { kv } from "../db.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { askToPersist } from "../install.js";
import { problemText } from "../problem.js";
import { sendQueued } from "../outbox.js";

export const STAFF_GROUPS = [
  "nursing_and_midwifery",
  "medical_and_dental",
  "allied_health_professions",
  "healthcare_science",
  "pharmacy",
  "administrative_and_clerical",
  "estates_and_ancillary",
  "management",
  "other",
];

/** A labelled input; `hint` is read with it by screen readers. */
export function input(name, label, attrs = {}, hint) {
  const id = `in-${name}`;
  return [
    h("label", { for: id }, label),
    hint && h("p", { class: "hint", id: `${id}-hint` }, hint),
    h("input", { id, name, "aria-describedby": hint ? `${id}-hint` : undefined, ...attrs }),
  ];
}

export function staffGroupSelect(current) {
  return [
    h("label", { for: "in-staff_group" }, t("register.staff_group")),
    h(
      "select",
      { id: "in-staff_group", name: "staff_group", required: true },
      STAFF_GROUPS.map((group) => h("option", { value: group, selected: group === current }, t(`group.${group}`))),
    ),
  ];
}

/** A form whose submit runs `work(data)`, showing its failure in words. */
export function actionForm(attrs, children, label, work, buttonClass = "primary") {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: buttonClass }, label);
  return h(
    "form",
    {
      class: "panel",
      ...attrs,
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        error.hidden = true;
        try {
          await work(new FormData(event.target));
        } catch (failure) {
          error.textContent = problemText(failure);
          error.hidden = false;
        } finally {
          button.disabled = false;
        }
      },
    },
    children,
    error,
    button,
  );
}

async function signedIn(app) {
  await askToPersist();
  void sendQueued();
  app.go("home");
}

/** The sign-in pages of the organisations that have one. */
function signOnForm(organisations) {
  const choices = organisations.filter((org) => org.sign_on);
  if (choices.length === 0) return null;
  const only = choices.length === 1 ? choices[0] : null;
  return actionForm(
    { "aria-labelledby": "sign-on-title" },
    [
      h("h2", { id: "sign-on-title" }, t("signon.title")),
      h("p", {}, only ? t("signon.lead_one", { name: only.name }) : t("signon.lead")),
      only
        ? h("input", { type: "hidden", name: "organisation_id", value: only.id })
        : [
            h("label", { for: "in-organisation_id" }, t("signon.organisation")),
            h(
              "select",
              { id: "in-organisation_id", name: "organisation_id", required: true },
              choices.map((org) => h("option", { value: org.id }, org.name)),
            ),
          ],
    ],
    only ? t("signon.submit_one", { name: only.name }) : t("signon.submit"),
    async (data) => {
      // The address typed above, if any, starts the provider's page.
      const hint = document.querySelector("#in-email")?.value.trim();
      const started = await api.startSignOn(String(data.get("organisation_id")), hint);
      // Kept to check what comes back is the sign-in started here.
      await kv.set("sign_on_state", started.state);
      location.assign(started.authorization_url);
    },
    "secondary",
  );
}

/**
 * Back from an organisation's sign-in page (`/app/?code=...&state=...`):
 * finishes the sign-in started on this phone, and says why when it fails.
 * True when the person is now signed in.
 */
export async function finishSignOn(app) {
  const params = new URLSearchParams(location.search);
  const state = params.get("state");
  if (!state) return false;
  // The code must not stay in the address (history, screenshots).
  history.replaceState(null, "", `${location.pathname}${location.hash}`);
  const started = await kv.get("sign_on_state");
  await kv.delete("sign_on_state");
  try {
    if (state !== started) throw new Error(t("signon.not_started_here"));
    const error = params.get("error");
    if (error) throw new Error(t("signon.refused", { reason: params.get("error_description") || error }));
    await api.completeSignOn(state, params.get("code") ?? "");
  } catch (failure) {
    app.toast(t("signon.failed", { reason: problemText(failure) }));
    return false;
  }
  await askToPersist();
  return true;
}

async function signin(app) {
  const organisations = await api
    .organisations()
    .then((list) => list.organisations)
    .catch(() => []);
  return h(
    "div",
    {},
    actionForm(
      {},
      [
        h("h1", {}, t("signin.title")),
        h("p", { class: "lead" }, t("signin.lead")),
        input("email", t("signin.email"), { type: "email", autocomplete: "username", required: true }),
        input("password", t("signin.password"), { type: "password", autocomplete: "current-password", required: true }),
      ],
      t("signin.submit"),
      async (data) => {
        try {
          await api.signIn(String(data.get("email")).trim(), String(data.get("password")));
        } catch (failure) {
          if (failure.status === 401) throw new Error(t("signin.mismatch"), { cause: failure });
          throw failure;
        }
        await signedIn(app);
      },
    ),
    signOnForm(organisations),
    h("p", {}, t("signin.new"), " ", h("a", { href: "#register" }, t("signin.register"))),
  );
}

async function register(app) {
  const organisations = await api
    .organisations()
    .then((list) => list.organisations)
    .catch(() => []);
  return h(
    "div",
    {},
    actionForm(
      {},
      [
        h("h1", {}, t("register.title")),
        h("p", { class: "lead" }, t("register.lead")),
        input("display_name", t("register.name"), { autocomplete: "name", required: true, maxlength: 100 }),
        input("email", t("register.email"), { type: "email", autocomplete: "email", required: true }, t("register.email_hint")),
        input("password", t("register.password"), { type: "password", autocomplete: "new-password", required: true, minlength: 10 }, t("register.password_hint")),
        staffGroupSelect("nursing_and_midwifery"),
        input("organisation", t("register.organisation"), { list: "organisations", autocomplete: "organization" }, t("register.organisation_hint")),
        h("datalist", { id: "organisations" }, organisations.map((org) => h("option", { value: org.name }))),
        input("registration_number", t("register.registration"), { autocomplete: "off" }, t("register.registration_hint")),
      ],
      t("register.submit"),
      async (data) => {
        const text = (name) => String(data.get(name) ?? "").trim() || undefined;
        const email = text("email");
        const password = String(data.get("password"));
        await api.register({
          email,
          password,
          display_name: text("display_name"),
          staff_group: text("staff_group"),
          organisation: text("organisation"),
          registration_number: text("registration_number"),
        });
        await api.signIn(email, password);
        await askToPersist();
        app.go("confirm");
      },
    ),
    h("p", {}, t("register.have_account"), " ", h("a", { href: "#signin" }, t("signin.submit"))),
  );
}

/** After registering, or from the home screen's reminder. */
async function confirm(app) {
  const me = await api.me();
  if (me.email_confirmed) {
    return h(
      "section",
      { class: "panel" },
      h("h1", {}, t("confirm.done_title")),
      h("p", {}, t("confirm.done", { email: me.email })),
      h("button", { type: "button", class: "primary big", onclick: () => app.go("home") }, t("confirm.continue")),
    );
  }
  const sent = h("p", { role: "status" });
  return h(
    "section",
    { class: "panel" },
    h("h1", {}, t("confirm.title")),
    h("p", { class: "lead" }, t("confirm.lead", { email: me.email })),
    h("p", {}, t("confirm.why")),
    h("button", { type: "button", class: "primary", onclick: () => app.go("confirm") }, t("confirm.check")),
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        onclick: async () => {
          try {
            await api.resendConfirmation();
            sent.textContent = t("confirm.resent", { email: me.email });
          } catch (failure) {
            sent.textContent = problemText(failure);
          }
        },
      },
      t("confirm.resend"),
    ),
    sent,
    h("button", { type: "button", class: "link", onclick: () => app.go("home") }, t("confirm.later")),
  );
}

export const account = { signin, register, confirm };
