// The page an appraiser reaches from a certificate's QR code: the server's
// verdict in words first, then what the certificate says. It reads the
// public verification endpoint, so it shows exactly what that returns.

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

async function show() {
  const main = document.getElementById("main");
  const id = new URLSearchParams(location.search).get("id") || "";
  let body;
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
  main.replaceChildren(...body.flat(Infinity).filter(Boolean));
  const heading = main.querySelector("h1");
  document.title = `${heading.textContent} · Tessera`;
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

show();
