// The observation form, built from the batch's form definition (the same
// JSON the researcher wrote: fields with a type, options, bounds, unit).
// Every problem is reported at once, in a summary at the top that links to
// each field and beside the field itself, and the server's own report (a
// 422 naming `values.<field>`) is shown the same way.

import { h } from "./dom.js";
import { t } from "./i18n.js";

const id = (field) => `obs-${field.name}`;

function choiceInputs(field, type, options) {
  return h(
    "fieldset",
    { class: "field", id: id(field), "data-field": field.name, tabindex: "-1" },
    h("legend", {}, field.label, field.required ? null : h("span", { class: "hint" }, ` (${t("form.optional")})`)),
    options.map(([value, label], index) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type, name: field.name, value, id: index === 0 ? `${id(field)}-0` : undefined }),
        label,
      ),
    ),
    h("p", { class: "field-error", hidden: true }),
  );
}

function single(field, input) {
  return h(
    "div",
    { class: "field", "data-field": field.name },
    h("label", { for: id(field) }, field.label, field.required ? null : ` (${t("form.optional")})`),
    input,
    h("p", { class: "field-error", hidden: true }),
  );
}

function renderField(field) {
  switch (field.type) {
    case "choice":
      return choiceInputs(field, "radio", field.options.map((option) => [option, option]));
    case "multi_choice":
      return choiceInputs(field, "checkbox", field.options.map((option) => [option, option]));
    case "yes_no":
      return choiceInputs(field, "radio", [["true", t("value.yes")], ["false", t("value.no")]]);
    case "number": {
      const input = h("input", {
        id: id(field),
        name: field.name,
        type: "number",
        inputmode: "decimal",
        step: "any",
        min: field.min,
        max: field.max,
      });
      return single(field, field.unit ? h("div", { class: "with-unit" }, input, h("span", {}, field.unit)) : input);
    }
    case "time":
      return single(field, h("input", { id: id(field), name: field.name, type: "time" }));
    default:
      return single(
        field,
        h("input", { id: id(field), name: field.name, type: "text", maxlength: field.max_length, autocomplete: "off" }),
      );
  }
}

/** Reads the form's values, keyed by field name; empty fields are left out. */
function read(form, fields) {
  const data = new FormData(form);
  const values = {};
  for (const field of fields) {
    if (field.type === "multi_choice") {
      const chosen = data.getAll(field.name).map(String);
      if (chosen.length) values[field.name] = chosen;
      continue;
    }
    const raw = String(data.get(field.name) ?? "").trim();
    if (!raw) continue;
    if (field.type === "number") values[field.name] = Number(raw);
    else if (field.type === "yes_no") values[field.name] = raw === "true";
    else values[field.name] = raw;
  }
  return values;
}

/** Every problem with the values, as `{ field, message }`, in form order. */
export function problems(fields, values) {
  const found = [];
  for (const field of fields) {
    const value = values[field.name];
    if (value === undefined) {
      if (field.required) found.push({ field: field.name, message: t("form.required", { label: field.label }) });
    } else if (field.type === "number") {
      if (!Number.isFinite(value)) found.push({ field: field.name, message: t("form.number", { label: field.label }) });
      else if (field.min !== undefined && value < field.min)
        found.push({ field: field.name, message: t("form.min", { label: field.label, min: field.min }) });
      else if (field.max !== undefined && value > field.max)
        found.push({ field: field.name, message: t("form.max", { label: field.label, max: field.max }) });
    } else if (field.type === "short_text" && field.max_length !== undefined && value.length > field.max_length) {
      found.push({ field: field.name, message: t("form.too_long", { label: field.label, max: field.max_length }) });
    }
  }
  return found;
}

/** Shows `found` (client or server problems) in the summary and beside each field. */
export function showProblems(form, summary, found) {
  for (const message of form.querySelectorAll(".field-error")) {
    message.hidden = true;
    message.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  summary.hidden = found.length === 0;
  if (!found.length) return;
  const list = summary.querySelector("ul");
  list.replaceChildren();
  for (const problem of found) {
    const name = problem.field.replace(/^values\./, "");
    const wrapper = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    const target = wrapper?.querySelector("input") ?? wrapper;
    const anchor = target?.id ? `#${target.id}` : "#";
    list.append(
      h("li", {}, h("a", { href: anchor, onclick: (event) => { event.preventDefault(); target?.focus(); } }, problem.message)),
    );
    const message = wrapper?.querySelector(".field-error");
    if (message) {
      message.textContent = message.textContent ? `${message.textContent} ${problem.message}` : problem.message;
      message.hidden = false;
    }
    target?.setAttribute("aria-invalid", "true");
  }
  summary.focus();
}

/**
 * The form for one batch. `onValues(values)` gets checked values; it may
 * return server problems to show.
 */
export function renderObservationForm(definition, photoField, onValues) {
  const fields = definition.fields ?? [];
  const summary = h(
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1", hidden: true, "data-testid": "error-summary" },
    h("h2", {}, t("form.problems")),
    h("ul"),
  );
  const form = h(
    "form",
    {
      class: "panel",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const values = read(form, fields);
        const found = problems(fields, values);
        showProblems(form, summary, found);
        if (!found.length) showProblems(form, summary, (await onValues(values)) ?? []);
      },
    },
    summary,
    fields.map(renderField),
    photoField,
    h("button", { type: "submit", class: "primary big" }, t("observe.save")),
  );
  return form;
}
