// The answer UI built from a task's answer schema: single choices are big
// buttons (one tap answers when nothing else is required), multi-choices
// are toggles with a send button, short text is a text box.
//
// All options look the same on purpose: colouring "Include" green and
// "Exclude" red would nudge people, and the answers are research data.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { buildAnswer, complete, tapToSubmit } from "./schema.js";

function optionButton(option, attrs) {
  return h(
    "button",
    { type: "button", class: "option", "data-value": option.value, ...attrs },
    h("span", { class: "option-label" }, option.label),
    option.description && option.description !== option.label
      ? h("span", { class: "option-description" }, option.description)
      : null,
  );
}

function textInput(field, values, onChange) {
  const id = `field-${field.name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, field.label),
    h("textarea", {
      id,
      name: field.name,
      rows: 2,
      maxlength: field.max_length,
      autocomplete: "off",
      oninput: (event) => {
        values[field.name] = event.target.value;
        onChange();
      },
    }),
  );
}

function toggle(values, field, value) {
  if (field.type === "choice") {
    values[field.name] = value;
    return;
  }
  const chosen = new Set(values[field.name] ?? []);
  if (chosen.has(value)) chosen.delete(value);
  else {
    // With room for only one, a tap swaps the choice like a radio.
    if (field.max_selected === 1) chosen.clear();
    chosen.add(value);
  }
  values[field.name] = [...chosen];
}

/** The form for one task; `onAnswer` gets the answer object, already complete. */
export function renderAnswerForm(schema, onAnswer) {
  const values = {};
  const quick = tapToSubmit(schema);
  if (quick) {
    // Optional text sits above the buttons, folded away, so it can be
    // filled in before the tap that sends.
    const extras = schema.fields.filter((field) => field.type === "short_text");
    return h(
      "div",
      { class: "answer" },
      extras.length > 0 &&
        h(
          "details",
          { class: "extras" },
          h("summary", {}, extras.map((field) => field.label).join(", ")),
          extras.map((field) => textInput(field, values, () => undefined)),
        ),
      h(
        "div",
        { class: "options", role: "group", "aria-label": quick.label },
        quick.options.map((option) =>
          optionButton(option, {
            onclick: () => {
              values[quick.name] = option.value;
              onAnswer(buildAnswer(schema, values));
            },
          }),
        ),
      ),
    );
  }

  const send = h("button", { type: "submit", class: "primary", disabled: true }, t("task.send"));
  const refresh = () => {
    send.disabled = !complete(schema, values);
  };
  const renderField = (field) => {
    if (field.type === "short_text") return textInput(field, values, refresh);
    const buttons = field.options.map((option) =>
      optionButton(option, {
        "aria-pressed": "false",
        onclick: () => {
          toggle(values, field, option.value);
          const current = values[field.name];
          for (const button of buttons) {
            const value = button.dataset.value ?? "";
            const on = Array.isArray(current) ? current.includes(value) : current === value;
            button.setAttribute("aria-pressed", String(on));
          }
          refresh();
        },
      }),
    );
    const many = field.type === "multi_choice" && field.max_selected !== 1;
    return h(
      "fieldset",
      { class: "field" },
      h("legend", {}, field.label),
      h("p", { class: "hint" }, t(many ? "task.choose_any" : "task.choose_one")),
      h("div", { class: "options" }, buttons),
    );
  };
  return h(
    "form",
    {
      class: "answer",
      onsubmit: (event) => {
        event.preventDefault();
        if (!complete(schema, values)) return;
        send.disabled = true;
        onAnswer(buildAnswer(schema, values));
      },
    },
    schema.fields.map(renderField),
    send,
  );
}
