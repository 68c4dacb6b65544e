// The page an appraiser reaches from a certificate's QR code: the server's
// verdict in words first, then what the certificate says. It reads the
// public verification endpoint, so it shows exactly what that returns.
// Without a certificate id (`/verify/`) it checks a credential someone was
// handed: its JSON file or VC-JWT, pasted or chosen, posted to
// `POST /v1/credentials/verification`.

import { h, day, table } from "../console/dom.js";

// Credited time in hours and minutes, rounded down like the certificate,
// so time is never overstated and a short row never reads as nothing.
function hours(seconds) {
  if (!seconds) return "no time";
  const minutes = Math.floor(seconds / 60);
  if (!minutes) return "less than a minute";
  const whole = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [];
  if (whole) parts.push(`${whole} hour${whole === 1 ? "" : "s"}`);
  if (rest) parts.push(`${rest} minute${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

const KINDS = {
  literature_screening: "Literature screening",
  data_coding: "Data coding",
  observation_logging: "Observation logging",
};

function verdict(check) {
  if (check.valid) {
    return h("div", { class: "notice", role: "status" },
      h("h2", {}, "Genuine"),
      h("p", {}, check.summary));
  }
  return h("div", { class: "error-summary", role: "alert" },
    h("h2", {}, check.revoked ? "Withdrawn" : "Not genuine"),
    h("p", {}, check.summary),
    check.revoked && check.revoke_reason ? h("p", {}, `Reason given: ${check.revoke_reason}`) : null,
    check.revoked_at ? h("p", {}, `Withdrawn on ${day(check.revoked_at)}.`) : null);
}

function organisation(person) {
  if (!person.organisation) return "not given";
  if (person.membership === "verified") return `${person.organisation} (verified member: a confirmed email address at the organisation's domain)`;
  if (person.membership) return `${person.organisation} (self-declared by the holder)`;
  return person.organisation;
}

function details(content) {
  const person = content.contributor;
  const registration = person.registration ? `${person.registration.body} ${person.registration.number}` : "none given";
  const rows = content.activities.map((a) => [
    a.project_title,
    KINDS[a.task_kind] || a.task_kind,
    `${day(a.first_activity_on)} to ${day(a.last_activity_on)}`,
    String(a.answers),
    hours(a.credited_seconds),
  ]);
  return [
    h("section", { class: "card", "aria-labelledby": "holder-heading" },
      h("h2", { id: "holder-heading" }, "What the certificate says"),
      h("dl", { class: "content" },
        h("dt", {}, "Name"), h("dd", {}, person.name),
        h("dt", {}, "Professional registration"), h("dd", {}, registration),
        h("dt", {}, "Organisation"), h("dd", {}, organisation(person)),
        h("dt", {}, "Period"), h("dd", {}, `${day(content.period.from)} to ${day(content.period.to)}`),
        h("dt", {}, "Credited time"), h("dd", {}, hours(content.totals.credited_seconds)),
        h("dt", {}, "Answers"), h("dd", {}, String(content.totals.answers)),
        h("dt", {}, "Issued"), h("dd", {}, day(content.issued_at)))),
    h("section", { class: "card", "aria-labelledby": "activity-heading" },
      h("h2", { id: "activity-heading" }, "Activity"),
      h("p", {}, content.activity_description),
      table("Activity by project", ["Project", "Activity", "Dates", "Answers", "Credited time"], rows, [3])),
  ];
}

/**
 * The JWT in what was pasted or chosen: the downloaded JSON, a certificate
 * PDF (its attached credential is stored uncompressed), or the JWT itself.
 */
function jwtOf(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("%PDF")) {
    const found = /"jwt"\s*:\s*"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/.exec(trimmed);
    return found ? found[1] : "";
  }
  if (!trimmed.startsWith("{")) return trimmed;
  try {
    const parsed = JSON.parse(trimmed);
    return typeof parsed.jwt === "string" ? parsed.jwt : "";
  } catch {
    return "";
  }
}

function handedResult(check) {
  const facts = check.holder
    ? h("section", { class: "card", "aria-label": "What the credential says" }, h("dl", { class: "content" },
      h("dt", {}, "Name"), h("dd", {}, check.holder),
      h("dt", {}, "Period"), h("dd", {}, `${day(check.activity_from)} to ${day(check.activity_to)}`),
      h("dt", {}, "Credited time"), h("dd", {}, hours(Math.round((check.credits_earned ?? 0) * 3600))),
      h("dt", {}, "Issued"), h("dd", {}, day(check.valid_from)),
      check.verification_url ? [h("dt", {}, "Full record"), h("dd", {}, h("a", { href: check.verification_url }, "Open the certificate's check"))] : null))
    : null;
  return [verdict(check), facts];
}

function handedForm() {
  const pasted = h("textarea", { id: "credential-text", name: "credential", rows: 6, "aria-describedby": "credential-hint" });
  const file = h("input", { id: "credential-file", type: "file", accept: ".json,.jwt,.pdf,application/json,application/pdf,text/plain" });
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card" },
    h("label", { for: "credential-text" }, "Paste the credential"),
    h("p", { class: "muted", id: "credential-hint" }, "The JSON file the holder downloaded from Tessera, or the long line of text (its VC-JWT) inside it. A certificate PDF from Tessera can be chosen below: it carries the credential."),
    pasted,
    h("label", { for: "credential-file" }, "Or choose the file (JSON or the certificate PDF)"),
    file,
    h("button", { type: "submit" }, "Check the credential"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = file.files?.[0] ? await file.files[0].text() : pasted.value;
    const jwt = jwtOf(text);
    let shown;
    try {
      const response = await fetch("/v1/credentials/verification", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ jwt }),
      });
      const check = await response.json();
      shown = response.ok
        ? handedResult(check)
        : [h("div", { class: "error-summary", role: "alert" }, h("h2", {}, "This is not a Tessera credential"),
          h("p", {}, "Paste the whole JSON file, or the VC-JWT inside it."))];
    } catch {
      shown = [h("p", { role: "alert" }, "The check could not be made. Please try again in a moment.")];
    }
    result.replaceChildren(...shown.flat(Infinity).filter(Boolean));
    result.querySelector("h2")?.setAttribute("tabindex", "-1");
    result.querySelector("h2")?.focus();
  });
  return [
    h("h1", {}, "Check a Tessera credential"),
    h("p", {}, "A credential is checked by its signature against every key Tessera has signed with, and against the list of withdrawn certificates. Nothing you paste is stored."),
    form,
    result,
  ];
}

async function show() {
  const main = document.getElementById("main");
  const id = new URLSearchParams(location.search).get("id") || "";
  let body;
  if (!id) {
    main.replaceChildren(...handedForm().flat(Infinity).filter(Boolean));
    focusHeading(main);
    return;
  }
  try {
    const response = await fetch(`/v1/certificates/${encodeURIComponent(id)}/verify`, {
      headers: { Accept: "application/json" },
    });
    const check = await response.json();
    if (!response.ok) {
      body = [h("h1", {}, "Certificate not found"), h("p", {}, check.detail || "There is no certificate with this id.")];
    } else {
      body = [
        h("h1", {}, "Certificate check"),
        h("p", { class: "muted" }, `Certificate ${check.certificate_id}`),
        verdict(check),
        check.content ? details(check.content) : null,
        check.holder_erased
          ? h("section", { class: "card", "aria-labelledby": "erased-heading" },
            h("h2", { id: "erased-heading" }, "The holder has deleted their account"),
            h("p", {}, "Tessera no longer holds their name. The dates and hours above are what the certificate says; a copy of its signed content has this SHA-256 digest:"),
            h("p", {}, h("code", { class: "digest" }, check.content_sha256)))
          : null,
      ];
    }
  } catch {
    body = [h("h1", {}, "The check could not be made"), h("p", {}, "Please try again in a moment.")];
  }
  body.push(h("p", {}, h("a", { href: "/verify/" }, "Check a credential file you were given instead")));
  main.replaceChildren(...body.flat(Infinity).filter(Boolean));
  focusHeading(main);
}

function focusHeading(main) {
  const heading = main.querySelector("h1");
  document.title = `${heading.textContent} · Tessera`;
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

show();
