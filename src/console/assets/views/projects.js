import { call } from "../api.js";
import { day, field, h, showError, table } from "../dom.js";
import { go } from "../app.js";
import { STAFF_GROUPS, STATUS } from "./labels.js";

function projectRows(projects) {
  return projects.map((p) => [
    h("a", { href: `#/projects/${p.id}` }, p.title),
    STATUS[p.status] || p.status,
    String(p.tasks),
    String(p.settled),
    day(p.created_at),
  ]);
}

export async function projectsView() {
  const first = await call("GET", "/v1/me/projects?limit=50");
  const rows = h("div", {}, first.projects.length
    ? table("Your projects", ["Project", "Status", "Tasks", "Settled", "Created"], projectRows(first.projects), [2, 3])
    : h("p", {}, "You have no projects yet."));
  const more = h("div");
  let cursor = first.next_cursor;
  const showMore = () => {
    more.replaceChildren();
    if (!cursor) return;
    more.append(h("button", {
      type: "button",
      class: "secondary",
      onclick: async () => {
        const next = await call("GET", `/v1/me/projects?limit=50&cursor=${encodeURIComponent(cursor)}`);
        rows.querySelector("tbody").append(...projectRows(next.projects).map((cells) =>
          h("tr", {}, cells.map((cell) => h("td", {}, cell)))));
        cursor = next.next_cursor;
        showMore();
      },
    }, "Show more projects"));
  };
  showMore();
  return [
    h("h1", {}, "Your projects"),
    h("p", {}, h("a", { class: "button", href: "#/projects/new" }, "New project")),
    h("section", { class: "card", "aria-label": "Projects" }, rows, more),
  ];
}

/**
 * Who may join, by organisation: the trusts recorded on this server (their
 * members proven by a confirmed address or the trust's sign-in), and
 * whether only proven members count. Without records, names are typed.
 */
function organisationChoices(recorded) {
  if (recorded.length === 0) {
    const typed = h("input", { type: "text", name: "organisations" });
    return {
      element: field("Organisations (optional)", typed,
        "Trusts whose staff may join, separated by commas. Leave empty for every trust. No trusts are recorded on this server yet, so these names are self-declared by staff."),
      audience: () => ({ organisations: typed.value.split(",").map((o) => o.trim()).filter(Boolean) }),
    };
  }
  const boxes = recorded.map((org) =>
    h("label", { class: "choice" }, h("input", { type: "checkbox", name: "organisation_ids", value: org.id }), org.name));
  const verified = h("input", { type: "checkbox", name: "verified_only" });
  return {
    element: [
      h("fieldset", {}, h("legend", {}, "Organisations whose staff may join (none ticked: every trust)"), boxes),
      h("label", { class: "choice" }, verified,
        "Only verified members (a confirmed address at the trust's domains, or the trust's sign-in)"),
    ],
    audience: (form) => ({
      organisation_ids: [...form.querySelectorAll("input[name=organisation_ids]:checked")].map((i) => i.value),
      verified_only: verified.checked,
    }),
  };
}

export async function newProjectView() {
  const recorded = await call("GET", "/v1/organisations").then((list) => list.organisations).catch(() => []);
  const title = h("input", { type: "text", name: "title", maxlength: 200, required: true });
  const summary = h("textarea", { name: "summary", maxlength: 2000, required: true });
  const purpose = h("textarea", { name: "purpose", maxlength: 2000, required: true });
  const organisations = organisationChoices(recorded);
  const groups = Object.entries(STAFF_GROUPS).map(([value, label]) =>
    h("label", { class: "choice" }, h("input", { type: "checkbox", name: "staff_groups", value }), label));
  const live = h("input", { type: "checkbox", name: "live" });
  const form = h(
    "form",
    { class: "card", novalidate: true },
    field("Title", title, "A short title staff will see."),
    field("Why it matters", summary, "In plain words, why a nurse on a Friday night should care. No jargon."),
    field("What the answers are for", purpose, "For example: a systematic review of falls prevention."),
    h("div", { "data-field": "audience" },
      organisations.element,
      h("fieldset", {}, h("legend", {}, "Staff groups who may join (none ticked: everyone)"), groups)),
    h("label", { class: "choice" }, live, "Open to staff now (otherwise the project starts as a draft)"),
    h("button", { type: "submit" }, "Create project"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      title: title.value.trim(),
      summary: summary.value.trim(),
      purpose: purpose.value.trim(),
      audience: {
        ...organisations.audience(form),
        staff_groups: [...form.querySelectorAll("input[name=staff_groups]:checked")].map((i) => i.value),
      },
      status: live.checked ? "live" : "draft",
    };
    try {
      const project = await call("POST", "/v1/projects", { json: body });
      go(`#/projects/${project.id}`);
    } catch (error) {
      showError(form, error);
    }
  });
  return [
    h("p", { class: "crumbs" }, h("a", { href: "#/projects" }, "Your projects")),
    h("h1", {}, "New project"),
    form,
  ];
}
