// Pure logic behind the answer form: reading a task's answer schema,
// checking what the person entered, and turning it into the answer object
// the server expects (keyed by field name). No DOM here.

function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readOptions(raw) {
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
 * field type this app does not know is dropped rather than breaking the card.
 */
export function parseSchema(raw) {
  const schema = isRecord(raw) ? raw : {};
  const fields = [];
  for (const item of Array.isArray(schema.fields) ? schema.fields : []) {
    if (!isRecord(item) || typeof item.name !== "string") continue;
    const base = {
      name: item.name,
      label: typeof item.label === "string" ? item.label : item.name,
      required: item.required === true,
    };
    if (item.type === "choice" || item.type === "multi_choice") {
      fields.push({
        ...base,
        type: item.type,
        options: readOptions(item.options),
        min_selected: typeof item.min_selected === "number" ? item.min_selected : undefined,
        max_selected: typeof item.max_selected === "number" ? item.max_selected : undefined,
      });
    } else if (item.type === "short_text") {
      fields.push({ ...base, type: "short_text", max_length: typeof item.max_length === "number" ? item.max_length : undefined });
    }
  }
  const form = isRecord(schema.form) && Array.isArray(schema.form.fields) ? schema.form : undefined;
  return {
    instructions: typeof schema.instructions === "string" ? schema.instructions : undefined,
    fields,
    form,
  };
}

/**
 * The choice field whose buttons send the answer on a single tap, if the
 * form is simple enough for that: one choice and no required text.
 */
export function tapToSubmit(schema) {
  const choices = schema.fields.filter((field) => field.type !== "short_text");
  const [only] = choices;
  if (choices.length !== 1 || only.type !== "choice") return null;
  const requiredText = schema.fields.some((field) => field.type === "short_text" && field.required);
  return requiredText ? null : only;
}

/** Whether the entered values can be sent. */
export function complete(schema, values) {
  return schema.fields.every((field) => {
    const value = values[field.name];
    if (field.type === "choice") return !field.required || Boolean(value);
    if (field.type === "multi_choice") {
      const chosen = Array.isArray(value) ? value.length : 0;
      const min = field.min_selected ?? (field.required ? 1 : 0);
      return chosen >= min && chosen <= (field.max_selected ?? field.options.length);
    }
    const text = typeof value === "string" ? value.trim() : "";
    return (!field.required || text) && (field.max_length === undefined || text.length <= field.max_length);
  });
}

/**
 * The answer object to send: one key per field with a value; multi-choice
 * values keep the schema's option order.
 */
export function buildAnswer(schema, values) {
  const answer = {};
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

/** An answer in the options' own words, e.g. "Exclude" or "A, C". */
export function describeAnswer(schema, answer) {
  if (!isRecord(answer)) return JSON.stringify(answer);
  const parts = [];
  for (const field of schema.fields) {
    if (field.type === "short_text") continue;
    const raw = answer[field.name];
    const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    const labels = values.map((value) => field.options.find((option) => option.value === value)?.label ?? String(value));
    if (labels.length) parts.push(labels.join(", "));
  }
  return parts.join(" · ") || JSON.stringify(answer);
}
