// Small DOM helpers: elements from plain data, never from HTML strings, so
// uploaded titles and answers can never inject markup.

/** h("p", {class: "muted"}, "text", child, ...) */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style" && typeof value === "object") {
      for (const [property, setting] of Object.entries(value)) element.style.setProperty(property, setting);
    } else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

let counter = 0;
/** A fresh id for label/input pairs. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled input; `hint` sits under the label, `error` slot beneath. */
export function field(labelText, input, hint) {
  const id = input.id || uid("field");
  input.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field", "data-field": input.name },
    h("label", { for: id }, labelText, hint ? h("span", { class: "hint", id: hintId }, hint) : null),
    input,
  );
}

/** Where a problem's field errors are listed, each with its line. */
export function errorSummary(error) {
  const fields = error.fields || [];
  const items = fields.length
    ? fields.map((f) =>
        h("li", {}, f.line ? `Line ${f.line}: ` : "", f.field ? `${f.field}: ` : "", f.message),
      )
    : [h("li", {}, error.message)];
  return h(
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", {}, fields.length > 1 ? `There are ${fields.length} problems` : "There is a problem"),
    h("ul", {}, items),
  );
}

/** Shows `error` at the top of `form`, marks the fields it names, and focuses it. */
export function showError(form, error) {
  form.querySelectorAll(".error-summary, .field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  const summary = errorSummary(error);
  form.prepend(summary);
  for (const problem of error.fields || []) {
    const name = String(problem.field || "").replace(/^spec\./, "").split(/[.[]/)[0];
    const holder = name && form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!holder || problem.line) continue;
    const input = holder.querySelector("input, textarea, select");
    if (input) input.setAttribute("aria-invalid", "true");
    holder.append(h("span", { class: "field-error" }, problem.message));
  }
  summary.focus();
}

/** A table from column headings and rows of cells; numeric columns align right. */
export function table(caption, headings, rows, numeric = []) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, headings.map((heading, i) =>
        h("th", { scope: "col", class: numeric.includes(i) ? "num" : null }, heading)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) =>
        h("td", { class: numeric.includes(i) ? "num" : null }, cell))))),
    ),
  );
}

/** "12 June 2026" */
export function day(iso) {
  return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
}

/** A number with at most `places` decimals, or an em dash when absent. */
export function number(value, places = 2) {
  if (value === undefined || value === null) return "—";
  const fixed = Number(value).toFixed(places);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}
