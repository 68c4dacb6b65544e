// What a task asks the person to look at. Each kind has its own content
// shape; anything unrecognised is still shown, as plain key/value lines.
// An observation's photo is fetched behind the login and shown at display
// size, so the verifier judges what the observer saw.

import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

function text(value) {
  if (typeof value === "string" && value.trim()) return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function display(value) {
  if (value === true) return t("value.yes");
  if (value === false) return t("value.no");
  if (Array.isArray(value)) return value.map(display).join(", ");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value ?? "");
}

function screening(content) {
  const authors = Array.isArray(content.authors) ? content.authors.map(String).join(", ") : text(content.authors);
  const meta = [authors, text(content.journal), text(content.year)].filter(Boolean).join(" · ");
  return h(
    "div",
    { class: "content screening" },
    h("h2", { class: "paper-title" }, text(content.title) ?? t("task.untitled")),
    meta && h("p", { class: "meta" }, meta),
    text(content.abstract) && h("p", { class: "abstract" }, text(content.abstract)),
  );
}

function coding(content) {
  return h(
    "div",
    { class: "content coding" },
    text(content.context) && h("p", { class: "meta" }, text(content.context)),
    h("blockquote", { class: "quote" }, text(content.text) ?? ""),
  );
}

/** A figure that fills itself with the photo once it has been fetched. */
function photo(mediaId) {
  const status = h("p", { class: "meta" }, t("observe.photo_loading"));
  const figure = h("figure", { class: "photo", "data-testid": "observation-photo" }, status);
  api
    .file(`/v1/media/${encodeURIComponent(mediaId)}?size=display`)
    .then((blob) => {
      const image = h("img", { class: "photo-preview", alt: t("observe.photo_alt"), src: URL.createObjectURL(blob) });
      figure.replaceChildren(image);
    })
    .catch(() => {
      status.textContent = t("observe.photo_unavailable");
    });
  return figure;
}

function observation(content, schema) {
  const values = content.observation && typeof content.observation === "object" ? content.observation : {};
  const formFields = schema.form?.fields ?? [];
  // Values in the form's order, with its labels and units.
  const names = [
    ...formFields.map((field) => field.name).filter((name) => name in values),
    ...Object.keys(values).filter((name) => !formFields.some((field) => field.name === name)),
  ];
  const mediaId = text(content.media_id);
  return h(
    "div",
    { class: "content observation" },
    h(
      "dl",
      { class: "values" },
      names.map((name) => {
        const field = formFields.find((candidate) => candidate.name === name);
        const unit = field?.unit ? ` ${field.unit}` : "";
        return [h("dt", {}, field?.label ?? name), h("dd", {}, display(values[name]) + unit)];
      }),
    ),
    mediaId && photo(mediaId),
  );
}

export function renderContent(task, schema) {
  const content = task.content ?? {};
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
        Object.entries(content).map(([key, value]) => [h("dt", {}, key), h("dd", {}, display(value))]),
      );
  }
}

export function kindLabel(kind) {
  const key = `kind.${kind}`;
  const label = t(key);
  return label === key ? kind : label;
}
