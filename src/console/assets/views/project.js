import { call } from "../api.js";
import { field, h, showError, table } from "../dom.js";
import { announce, go } from "../app.js";
import { bars, progressBar } from "../charts.js";
import { KINDS, STAFF_GROUPS, STATUS } from "./labels.js";

const NEXT_STATUS = { draft: ["live"], live: ["paused", "closed"], paused: ["live", "closed"], closed: [] };
const STATUS_ACTION = { live: "Open to staff", paused: "Pause", closed: "Close for good" };

function statusActions(project) {
  const holder = h("div", {});
  for (const next of NEXT_STATUS[project.status] || []) {
    holder.append(h("button", {
      type: "button",
      class: next === "live" ? null : "secondary",
      onclick: async () => {
        try {
          await call("PATCH", `/v1/projects/${project.id}`, { json: { status: next } });
          announce(`The project is now ${STATUS[next].toLowerCase()}.`);
          go(`#/projects/${project.id}`);
        } catch (error) {
          showError(holder, error);
        }
      },
    }, STATUS_ACTION[next]));
  }
  return holder;
}

/** The pitch and the outcome note staff read in the app, editable here. */
function editCard(project) {
  const summary = h("textarea", { name: "summary", maxlength: 2000 });
  summary.value = project.summary;
  const note = h("textarea", { name: "outcome_note", maxlength: 4000 });
  note.value = project.outcome_note || "";
  const form = h("form", { novalidate: true },
    field("Why it matters", summary, "The plain-language pitch staff see."),
    field("What the project has produced so far (optional)", note,
      "An update for everyone who took part: staff see it beside the batches they worked on."),
    h("button", { type: "submit", class: "secondary" }, "Save changes"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changes = { summary: summary.value.trim() };
    if (note.value.trim()) changes.outcome_note = note.value.trim();
    try {
      await call("PATCH", `/v1/projects/${project.id}`, { json: changes });
      form.querySelectorAll(".error-summary, .field-error").forEach((node) => node.remove());
      announce("Changes saved.");
      form.append(h("p", { class: "notice", role: "status" }, "Changes saved."));
    } catch (error) {
      showError(form, error);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "edit-heading" },
    h("h2", { id: "edit-heading" }, "What staff read"), form);
}

function batchesCard(project, page) {
  const rows = page.batches.map((b) => [
    h("a", { href: `#/batches/${b.id}` }, b.name),
    KINDS[b.kind] || b.kind,
    String(b.tasks),
    progressBar(b, false),
    String(b.escalated),
  ]);
  return h(
    "section",
    { class: "card", "aria-labelledby": "batches-heading" },
    h("h2", { id: "batches-heading" }, "Batches"),
    rows.length
      ? table("Batches", ["Batch", "Kind", "Tasks", "Progress", "Waiting for you"], rows, [2, 4])
      : h("p", {}, "No batches yet."),
    h("p", {},
      h("a", { class: "button", href: `#/projects/${project.id}/upload` }, "Upload a batch"),
      h("a", { class: "button secondary", href: `#/projects/${project.id}/queue` }, "Resolver queue")),
  );
}

function engagementCard(engagement) {
  const largest = Math.max(1, ...engagement.groups.map((g) => g.answers || 0));
  const rows = engagement.groups.map((g) => ({
    label: STAFF_GROUPS[g.staff_group] || g.staff_group,
    value: g.answers ?? null,
    text: g.answers === undefined
      ? `fewer than ${engagement.smallest_group_shown} people`
      : `${g.answers} answers, ${g.contributors} people`,
  }));
  return h(
    "section",
    { class: "card", "aria-labelledby": "engagement-heading" },
    h("h2", { id: "engagement-heading" }, "Who is taking part"),
    rows.length ? bars("Answers by staff group", rows, largest) : h("p", {}, "Nobody has answered yet."),
    h("p", { class: "muted" },
      `Groups of fewer than ${engagement.smallest_group_shown} people are not counted, so that nobody can be identified.`),
  );
}

export async function projectView(id) {
  const [project, page, engagement, recorded] = await Promise.all([
    call("GET", `/v1/projects/${id}`),
    call("GET", `/v1/projects/${id}/batches?limit=100`),
    call("GET", `/v1/projects/${id}/engagement`),
    call("GET", "/v1/organisations").then((list) => list.organisations).catch(() => []),
  ]);
  const names = new Map(recorded.map((org) => [org.id, org.name]));
  const audience = [
    ...(project.organisation_ids ?? []).map((org) => names.get(org) ?? org),
    ...project.organisations,
    ...project.staff_groups.map((g) => STAFF_GROUPS[g] || g),
  ];
  if (project.verified_only) audience.push("verified members only");
  return [
    h("p", { class: "crumbs" }, h("a", { href: "#/projects" }, "Your projects")),
    h("h1", {}, project.title),
    h("section", { class: "card", "aria-label": "About the project" },
      h("p", {}, h("span", { class: "status" }, STATUS[project.status] || project.status)),
      h("p", {}, project.summary),
      h("p", { class: "muted" }, `Purpose: ${project.purpose}`),
      h("p", { class: "muted" }, `Who may join: ${audience.length ? audience.join(", ") : "all staff"}`),
      statusActions(project)),
    batchesCard(project, page),
    engagementCard(engagement),
    editCard(project),
  ];
}
