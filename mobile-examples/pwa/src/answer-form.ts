// Builds the answer UI from a task's answer schema: single choices are big
// buttons (one tap answers when nothing else is required), multi-choices are
// toggles with a send button, short text is a text box.
//
// All options look the same on purpose: colouring "Include" green and
// "Exclude" red would nudge people, and the answers are research data.

import { h } from "./dom";
import { buildAnswer, fieldErrors, tapToSubmit, type Values } from "./form";
import type { AnswerSchema, Field, FieldOption, TextField } from "./model";

function optionButton(option: FieldOption, attrs: Record<string, string | EventListener>): HTMLButtonElement {
  return h(
    "button",
    { type: "button", class: "option", "data-value": option.value, ...attrs },
    h("span", { class: "option-label" }, option.label),
    option.description && option.description !== option.label
      ? h("span", { class: "option-description" }, option.description)
      : null,
  );
}

function textInput(field: TextField, values: Values, onChange: () => void): HTMLElement {
  const id = `field-${field.name}`;
  const input = h("textarea", {
    id,
    name: field.name,
    rows: 2,
    maxlength: field.max_length,
    autocomplete: "off",
    oninput: ((event: Event) => {
      values[field.name] = (event.target as HTMLTextAreaElement).value;
      onChange();
    }) as EventListener,
  });
  return h("div", { class: "field" }, h("label", { for: id }, field.label), input);
}

/**
 * The form for one task. `onAnswer` gets the answer object, already checked
 * against the schema.
 */
export function renderAnswerForm(
  schema: AnswerSchema,
  onAnswer: (answer: Record<string, unknown>) => void,
): HTMLElement {
  const values: Values = {};
  const quick = tapToSubmit(schema);

  if (quick) {
    // Optional text sits above the buttons, folded away, so it can be filled
    // in before the tap that sends.
    const extras = schema.fields.filter((field): field is TextField => field.type === "short_text");
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

  const send = h("button", { type: "submit", class: "primary", disabled: true }, "Send answer");
  const refresh = () => {
    send.disabled = Object.keys(fieldErrors(schema, values)).length > 0;
  };

  const renderField = (field: Field): HTMLElement => {
    if (field.type === "short_text") return textInput(field, values, refresh);
    const buttons = field.options.map((option) =>
      optionButton(option, {
        "aria-pressed": "false",
        onclick: () => {
          if (field.type === "choice") {
            values[field.name] = option.value;
          } else {
            const chosen = new Set(values[field.name] ?? []);
            if (chosen.has(option.value)) {
              chosen.delete(option.value);
            } else {
              // With room for only one, a tap swaps the choice like a radio.
              if (field.max_selected === 1) chosen.clear();
              chosen.add(option.value);
            }
            values[field.name] = [...chosen];
          }
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
    const hint =
      field.type === "multi_choice" && field.max_selected !== 1 ? "Choose all that apply." : "Choose one.";
    return h(
      "fieldset",
      { class: "field" },
      h("legend", {}, field.label),
      h("p", { class: "hint" }, hint),
      h("div", { class: "options" }, buttons),
    );
  };

  return h(
    "form",
    {
      class: "answer",
      onsubmit: ((event: Event) => {
        event.preventDefault();
        if (Object.keys(fieldErrors(schema, values)).length) return;
        send.disabled = true;
        onAnswer(buildAnswer(schema, values));
      }) as EventListener,
    },
    schema.fields.map(renderField),
    send,
  );
}
