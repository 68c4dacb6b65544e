// Pictures a researcher would rather look at than read: each is drawn
// from plain elements and always carries its numbers in text, so a screen
// reader hears what the eye sees.

import { h, number } from "./dom.js";

const STATES = [
  ["open", "Open", "--open"],
  ["in_progress", "Collecting answers", "--progress"],
  ["settled", "Settled by consensus", "--settled"],
  ["escalated", "Waiting for you", "--escalated"],
  ["resolved", "Resolved by you", "--resolved"],
];

/** One stacked bar of a batch's tasks by state, with a legend of counts. */
export function progressBar(batch, withLegend = true) {
  const total = STATES.reduce((sum, [key]) => sum + (batch[key] || 0), 0);
  const summary = STATES.map(([key, label]) => `${label}: ${batch[key] || 0}`).join(", ");
  const bar = h(
    "div",
    { class: "stack", role: "img", "aria-label": `${total} tasks. ${summary}.` },
    STATES.filter(([key]) => batch[key] > 0).map(([key, , colour]) =>
      h("span", { style: { width: `${(100 * batch[key]) / total}%`, background: `var(${colour})` } }),
    ),
  );
  if (!withLegend) return bar;
  return h(
    "div",
    {},
    bar,
    h("ul", { class: "legend", "aria-hidden": "true" }, STATES.map(([key, label, colour]) =>
      h("li", { style: { "--swatch": `var(${colour})` } }, `${label} ${batch[key] || 0}`))),
  );
}

/**
 * Horizontal bars: rows of {label, value, text}; `max` is the full scale.
 * Rows without a value show their text only (e.g. "fewer than 5").
 */
export function bars(title, rows, max) {
  return h(
    "ul",
    { class: "bars", "aria-label": title },
    rows.map((row) =>
      h(
        "li",
        {},
        h("span", {}, row.label),
        h("span", { class: "track", "aria-hidden": "true" },
          row.value === null || row.value === undefined
            ? null
            : h("span", { class: "fill", style: { width: `${Math.max(0, Math.min(1, row.value / max)) * 100}%` } })),
        h("span", { class: "num" }, row.text ?? number(row.value)),
      ),
    ),
  );
}
