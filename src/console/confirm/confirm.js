// The page a confirmation email links to. The token sits in the fragment
// (never sent to a server by the browser); the person presses one button,
// so a mail scanner that opens links cannot use the link up.

import { h } from "../console/dom.js";

const outcome = document.getElementById("outcome");
const token = new URLSearchParams(location.hash.slice(1)).get("token");

function show(...nodes) {
  outcome.replaceChildren(...nodes);
  outcome.querySelector("h2")?.setAttribute("tabindex", "-1");
  outcome.querySelector("h2")?.focus();
}

function membership(account) {
  if (account.membership === "verified") {
    return `You are a verified member of ${account.organisation}. Projects open only to verified staff of your organisation are now open to you, and your certificates will say so.`;
  }
  if (account.organisation) {
    return `${account.organisation} is shown as self-declared: your address is not at a domain that organisation has registered with Tessera.`;
  }
  return "No organisation is linked to your account.";
}

async function confirm(button) {
  button.disabled = true;
  const response = await fetch("/v1/auth/email-confirmation", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ token }),
  }).catch(() => null);
  const body = response ? await response.json().catch(() => ({})) : {};
  if (response && response.ok) {
    show(h("div", { class: "notice", role: "status" },
      h("h2", {}, "Your email address is confirmed"),
      h("p", {}, `Thank you, ${body.display_name}. ${body.email} is confirmed.`),
      h("p", {}, membership(body)),
      h("p", {}, "You can close this page, or ", h("a", { href: "/app/#home" }, "open the Tessera app"), ".")));
    return;
  }
  const detail = body.errors?.[0]?.message
    ? `The link ${body.errors[0].message}.`
    : body.detail || "Tessera could not be reached. Check your connection and try again.";
  show(h("div", { class: "error-summary", role: "alert" },
    h("h2", {}, "This link did not work"),
    h("p", {}, detail)));
  button.disabled = false;
}

if (!token) {
  show(h("div", { class: "error-summary", role: "alert" },
    h("h2", {}, "This link is incomplete"),
    h("p", {}, "Open the whole link from the email, or ask for a new one from your profile in the app.")));
} else {
  const button = h("button", { type: "button" }, "Confirm my email address");
  button.addEventListener("click", () => confirm(button));
  outcome.replaceChildren(
    h("p", {}, "Press the button to confirm that you read mail at this address."),
    button);
}
