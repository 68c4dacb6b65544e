import { call } from "../api.js";
import { h, number, showError, table, uid } from "../dom.js";
import { announce } from "../app.js";

// Content keys that are bookkeeping, not something to read.
const HIDDEN = new Set(["ris", "media_id"]);

function text(value) {
  if (Array.isArray(value)) return value.map(text).join("; ");
  if (value && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k}: ${text(v)}`).join(", ");
  }
  return String(value ?? "");
}

function contentList(content) {
  const entries = Object.entries(content || {}).filter(([key]) => !HIDDEN.has(key));
  return h("dl", { class: "content" }, entries.flatMap(([key, value]) => [h("dt", {}, key), h("dd", {}, text(value))]));
}

/** The resolution form, built from the batch's answer form like the phones build theirs. */
function answerInputs(schema) {
  return (schema.fields || []).map((f) => {
    if (f.type === "choice" || f.type === "multi_choice") {
      const name = uid(f.name);
      const type = f.type === "choice" ? "radio" : "checkbox";
      return h("fieldset", { "data-field": f.name, "data-name": f.name, "data-type": f.type },
        h("legend", {}, f.label || f.name),
        (f.options || []).map((o) =>
          h("label", { class: "choice" }, h("input", { type, name, value: o.value }), o.label || o.value)));
    }
    const input = h("input", { type: "text", maxlength: f.max_length || 1000 });
    const id = uid(f.name);
    input.id = id;
    return h("div", { "data-field": f.name, "data-name": f.name, "data-type": f.type },
      h("label", { for: id }, f.label || f.name), input);
  });
}

function answerFrom(form) {
  const answer = {};
  for (const holder of form.querySelectorAll("[data-name]")) {
    const name = holder.dataset.name;
    if (holder.dataset.type === "multi_choice") {
      answer[name] = [...holder.querySelectorAll("input:checked")].map((i) => i.value);
    } else if (holder.dataset.type === "choice") {
      const chosen = holder.querySelector("input:checked");
      if (chosen) answer[name] = chosen.value;
    } else {
      const value = holder.querySelector("input").value.trim();
      if (value) answer[name] = value;
    }
  }
  return answer;
}

function entryCard(entry, batch, index) {
  const headingId = `task-${index}`;
  const answers = entry.answers.map((a) => [a.contributor, text(a.answer)]);
  const note = h("textarea", { maxlength: 2000 });
  const noteId = uid("note");
  note.id = noteId;
  const form = h("form", { novalidate: true },
    h("h3", {}, "Your decision"),
    answerInputs(batch.answer_schema),
    h("div", { "data-field": "note" }, h("label", { for: noteId }, "Note for the record (optional)"), note),
    h("button", { type: "submit" }, "Record decision"));
  const card = h("article", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, entry.content?.title || entry.content?.text?.slice(0, 80) || `Task ${index + 1}`),
    h("p", { class: "muted" }, `From ${batch.name} · confidence ${number(entry.confidence * 100, 1)}%`),
    contentList(entry.content),
    h("h3", {}, `Answers (${answers.length})`),
    table("Answers", ["Contributor", "Answer"], answers),
    form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { answer: answerFrom(form) };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      await call("POST", `/v1/tasks/${entry.task_id}/resolution`, { json: body });
      const done = h("p", { class: "notice", role: "status", tabindex: "-1" }, "Decision recorded.");
      card.replaceChildren(h("h2", { id: headingId }, card.querySelector("h2").textContent), done);
      done.focus();
      announce("Decision recorded.");
    } catch (error) {
      showError(form, error);
    }
  });
  return card;
}

export async function queueView(projectId) {
  const queue = await call("GET", `/v1/projects/${projectId}/resolver-queue`);
  const batches = new Map();
  for (const id of new Set(queue.tasks.map((t) => t.batch_id))) {
    batches.set(id, await call("GET", `/v1/batches/${id}`));
  }
  return [
    h("p", { class: "crumbs" }, h("a", { href: `#/projects/${projectId}` }, "Back to the project")),
    h("h1", {}, "Tasks waiting for your decision"),
    h("p", {}, "Staff could not agree on these tasks after the most answers the batch allows. Read the task and every answer, then record the final answer."),
    queue.tasks.length
      ? queue.tasks.map((entry, i) => entryCard(entry, batches.get(entry.batch_id), i))
      : h("p", { class: "card" }, "Nothing is waiting for you."),
  ];
}
