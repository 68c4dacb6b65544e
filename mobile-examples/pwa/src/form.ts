// Pure logic behind the answer form: reading a task's answer schema,
// checking what the person entered, and turning it into the answer object
// the server expects (keyed by field name). No DOM here, so it is unit-tested.

import type { AnswerSchema, ChoiceField, Field, FieldOption } from "./model";

/** What the person has entered so far, by field name. */
export type Values = Record<string, string | string[] | undefined>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readOptions(raw: unknown): FieldOption[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).flatMap((option) =>
    typeof option.value === "string"
      ? [
          {
            value: option.value,
            label: typeof option.label === "string" ? option.label : option.value,
            description: typeof option.description === "string" ? option.description : undefined,
          },
        ]
      : [],
  );
}

/**
 * Reads an answer schema defensively: it arrives as free-form JSON, and a
 * field type this app does not know is dropped rather than crashing the card.
 */
export function parseSchema(raw: unknown): AnswerSchema {
  const schema = isRecord(raw) ? raw : {};
  const fields: Field[] = [];
  for (const item of Array.isArray(schema.fields) ? schema.fields : []) {
    if (!isRecord(item) || typeof item.name !== "string") continue;
    const base = {
      name: item.name,
      label: typeof item.label === "string" ? item.label : item.name,
      required: item.required === true,
    };
    if (item.type === "choice") {
      fields.push({ ...base, type: "choice", options: readOptions(item.options) });
    } else if (item.type === "multi_choice") {
      fields.push({
        ...base,
        type: "multi_choice",
        options: readOptions(item.options),
        min_selected: typeof item.min_selected === "number" ? item.min_selected : undefined,
        max_selected: typeof item.max_selected === "number" ? item.max_selected : undefined,
      });
    } else if (item.type === "short_text") {
      fields.push({
        ...base,
        type: "short_text",
        max_length: typeof item.max_length === "number" ? item.max_length : undefined,
      });
    }
  }
  const form = isRecord(schema.form) && Array.isArray(schema.form.fields) ? schema.form : undefined;
  return {
    kind: typeof schema.kind === "string" ? schema.kind : undefined,
    instructions: typeof schema.instructions === "string" ? schema.instructions : undefined,
    fields,
    form: form as AnswerSchema["form"],
  };
}

/**
 * The choice field whose buttons submit the answer on a single tap, if the
 * form is simple enough for that: one choice and nothing else required.
 * Optional text (a reason, a note) is shown above the buttons so it can be
 * filled in first.
 */
export function tapToSubmit(schema: AnswerSchema): ChoiceField | null {
  const choices = schema.fields.filter((field) => field.type !== "short_text");
  const [only] = choices;
  if (choices.length !== 1 || only?.type !== "choice") return null;
  const requiredText = schema.fields.some((field) => field.type === "short_text" && field.required);
  return requiredText ? null : only;
}

/** Problems with the entered values, by field name; empty when it can be sent. */
export function fieldErrors(schema: AnswerSchema, values: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of schema.fields) {
    const value = values[field.name];
    if (field.type === "choice") {
      const chosen = typeof value === "string" ? value : "";
      if (!chosen && field.required) errors[field.name] = "Choose one.";
      else if (chosen && !field.options.some((option) => option.value === chosen))
        errors[field.name] = "Choose one of the options.";
    } else if (field.type === "multi_choice") {
      const chosen = Array.isArray(value) ? value : [];
      const min = field.min_selected ?? (field.required ? 1 : 0);
      const max = field.max_selected ?? field.options.length;
      if (chosen.length < min) errors[field.name] = min === 1 ? "Choose at least one." : `Choose at least ${min}.`;
      else if (chosen.length > max) errors[field.name] = max === 1 ? "Choose only one." : `Choose at most ${max}.`;
    } else {
      const text = typeof value === "string" ? value.trim() : "";
      if (!text && field.required) errors[field.name] = "Please fill this in.";
      else if (field.max_length !== undefined && text.length > field.max_length)
        errors[field.name] = `Keep it under ${field.max_length} characters.`;
    }
  }
  return errors;
}

/**
 * The answer object to send: one key per field that has a value. Empty
 * optional text is left out (the server treats absent and empty alike, and
 * absent is smaller); multi-choice values keep the schema's option order.
 */
export function buildAnswer(schema: AnswerSchema, values: Values): Record<string, unknown> {
  const answer: Record<string, unknown> = {};
  for (const field of schema.fields) {
    const value = values[field.name];
    if (field.type === "multi_choice") {
      const chosen = new Set(Array.isArray(value) ? value : []);
      answer[field.name] = field.options.map((option) => option.value).filter((v) => chosen.has(v));
    } else if (typeof value === "string" && value.trim()) {
      answer[field.name] = field.type === "short_text" ? value.trim() : value;
    }
  }
  return answer;
}

/**
 * A short human description of an answer, using the option labels, e.g.
 * "Exclude" or "A, C". Used to show the right answer of a gold task.
 */
export function describeAnswer(schema: AnswerSchema, answer: unknown): string {
  if (!isRecord(answer)) return JSON.stringify(answer);
  const parts: string[] = [];
  for (const field of schema.fields) {
    if (field.type === "short_text") continue;
    const raw = answer[field.name];
    const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    const labels = values.map(
      (value) => field.options.find((option) => option.value === value)?.label ?? String(value),
    );
    if (labels.length) parts.push(labels.join(", "));
  }
  return parts.join(" · ") || JSON.stringify(answer);
}
