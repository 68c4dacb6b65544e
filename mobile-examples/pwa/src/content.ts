// Renders what a task asks the person to look at. Each kind has its own
// content shape (see the task kinds on the server); anything unrecognised is
// still shown, as plain key/value lines, rather than hidden.

import { h } from "./dom";
import type { AnswerSchema, SessionTask } from "./model";

function text(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim()) return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function display(value: unknown): string {
  if (value === true) return "Yes";
  if (value === false) return "No";
  if (Array.isArray(value)) return value.map(display).join(", ");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value ?? "");
}

function screening(content: Record<string, unknown>): HTMLElement {
  const authors = Array.isArray(content.authors)
    ? content.authors.map(String).join(", ")
    : text(content.authors);
  const meta = [authors, text(content.journal), text(content.year)].filter(Boolean).join(" · ");
  return h(
    "div",
    { class: "content screening" },
    h("h2", { class: "paper-title" }, text(content.title) ?? "Untitled paper"),
    meta && h("p", { class: "meta" }, meta),
    text(content.abstract) && h("p", { class: "abstract" }, text(content.abstract)!),
  );
}

function coding(content: Record<string, unknown>): HTMLElement {
  return h(
    "div",
    { class: "content coding" },
    text(content.context) && h("p", { class: "meta" }, text(content.context)!),
    h("blockquote", { class: "quote" }, text(content.text) ?? ""),
  );
}

function observation(content: Record<string, unknown>, schema: AnswerSchema): HTMLElement {
  const values =
    content.observation && typeof content.observation === "object"
      ? (content.observation as Record<string, unknown>)
      : {};
  const formFields = schema.form?.fields ?? [];
  // Show values in the form's order with its labels and units.
  const names = [
    ...formFields.map((field) => field.name).filter((name) => name in values),
    ...Object.keys(values).filter((name) => !formFields.some((field) => field.name === name)),
  ];
  return h(
    "div",
    { class: "content observation" },
    h(
      "dl",
      { class: "values" },
      names.flatMap((name) => {
        const field = formFields.find((candidate) => candidate.name === name);
        const unit = field?.unit ? ` ${field.unit}` : "";
        return [h("dt", {}, field?.label ?? name), h("dd", {}, display(values[name]) + unit)];
      }),
    ),
    text(content.media_id) && h("p", { class: "meta" }, "A photo was attached to this observation."),
  );
}

export function renderContent(task: SessionTask, schema: AnswerSchema): HTMLElement {
  const content = task.content as Record<string, unknown>;
  switch (task.kind) {
    case "screening":
      return screening(content);
    case "coding":
      return coding(content);
    case "observation":
      return observation(content, schema);
    default:
      return h(
        "dl",
        { class: "content values" },
        Object.entries(content).flatMap(([key, value]) => [h("dt", {}, key), h("dd", {}, display(value))]),
      );
  }
}

const KIND_LABELS: Record<string, string> = {
  screening: "Paper screening",
  coding: "Coding text",
  observation: "Checking an observation",
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}
