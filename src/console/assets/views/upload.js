import { call } from "../api.js";
import { field, h, showError, uid } from "../dom.js";
import { announce } from "../app.js";

// What each kind's files hold, said once here and in the API description.
const FORMATS = {
  screening: {
    label: "Literature screening: include or exclude each record against your criteria",
    files: ["RIS (from EndNote, Zotero, Mendeley, Ovid, Scopus…)", "CSV", "JSON Lines"],
    columns: [
      ["title", "required: the record's title"],
      ["abstract", "optional"],
      ["authors", "optional, separated by semicolons"],
      ["journal, year, doi, pmid", "optional; duplicates by DOI, PMID or title are dropped and listed"],
      ["id", "optional: your own reference, returned in every export"],
      ["gold_answer", "optional: include or exclude, for a record whose answer you know (used to check answers)"],
      ["gold_explanation", "optional: shown to staff after they answer a gold record"],
    ],
    templates: [["screening.csv", "CSV template"], ["screening.ris", "RIS example"]],
  },
  coding: {
    label: "Data coding: apply codes from your codebook to short texts",
    files: ["CSV", "JSON Lines"],
    columns: [
      ["text", "required: the text to code"],
      ["context", "optional: where it comes from, shown beside it"],
      ["id", "optional: your own reference"],
      ["gold_codes", "optional: the right codes, separated by semicolons"],
      ["gold_explanation", "optional: shown after a gold answer"],
    ],
    templates: [["coding.csv", "CSV template"]],
  },
  observation: {
    label: "Observation logging: staff log what they see, on a form you define",
    files: ["no file needed (staff log observations on the form)", "or JSON Lines of observations to verify"],
    columns: [
      ["observation", "with a file: one JSON object per line, {\"observation\": {field: value, …}}"],
    ],
    templates: [],
  },
};

// One form field per line: name | label | type | required. Types:
// short_text, yes_no, time, number (or "number: 0..120 seconds"),
// choice: a; b; c and multi_choice: a; b; c.
function formFields(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [name = "", label = "", type = "short_text", required = ""] = line.split("|").map((part) => part.trim());
    const [kind, detail = ""] = type.split(/:(.*)/s).map((part) => part.trim());
    const field = { name, label, type: kind, required: /^required$/i.test(required) };
    if (kind === "choice" || kind === "multi_choice") {
      field.options = detail.split(";").map((option) => option.trim()).filter(Boolean);
    }
    const range = kind === "number" && detail.match(/^(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)\s*(.*)$/);
    if (range) {
      field.min = Number(range[1]);
      field.max = Number(range[2]);
      if (range[3]) field.unit = range[3];
    }
    return field;
  });
}

function formatHelp(kind) {
  const format = FORMATS[kind];
  return h(
    "div",
    { class: "formats" },
    h("p", {}, `Files: ${format.files.join(", ")}.`,
      format.files.includes("CSV") ? " The first line of a CSV names the columns; the order does not matter." : ""),
    h("dl", { class: "content" }, format.columns.flatMap(([name, text]) => [h("dt", {}, h("code", {}, name)), h("dd", {}, text)])),
    format.templates.length
      ? h("p", {}, "Templates: ", format.templates.flatMap(([file, text], i) => [
        i ? ", " : "",
        h("a", { href: `templates/${file}`, download: file }, text),
      ]))
      : null,
  );
}

function codebook(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [code, ...rest] = line.split(":");
    return { code: code.trim(), description: rest.join(":").trim() };
  });
}

export function uploadView(projectId) {
  const name = h("input", { type: "text", name: "name", maxlength: 200, required: true });
  const kindName = uid("kind");
  const kinds = Object.entries(FORMATS).map(([value, format], i) =>
    h("label", { class: "choice" },
      h("input", { type: "radio", name: kindName, value, checked: i === 0 }), format.label));
  const criteria = h("textarea", { name: "settings" });
  const codes = h("textarea", { name: "settings" });
  const multiple = h("input", { type: "checkbox", name: "multiple" });
  const criteriaField = field("Inclusion criteria", criteria, "Shown with every record: what a paper must be to be included.");
  const formText = h("textarea", { name: "settings" });
  const formField = field("Observation form", formText,
    "One field per line: name | label | type | required. Types: short_text, yes_no, time, number (or number: 0..120 seconds), choice: a; b; c, multi_choice: a; b; c. For example: moment | Moment | choice: before patient contact; after patient contact | required");
  const codesField = h("div", {},
    field("Codebook", codes, "One code per line, as code: what it means. For example: staffing: mentions staff numbers."),
    h("label", { class: "choice" }, multiple, "Several codes may apply to one text"));
  const instructions = h("textarea", { name: "instructions" });
  const minAnswers = h("input", { type: "number", name: "min_answers", min: 1, max: 50, value: 3 });
  const maxAnswers = h("input", { type: "number", name: "max_answers", min: 1, max: 50, value: 7 });
  const file = h("input", { type: "file", name: "file", required: true, accept: ".csv,.ris,.txt,.json,.jsonl" });
  const help = h("div", { "aria-live": "polite" });
  const result = h("div", {});
  const kind = () => kinds.map((k) => k.querySelector("input")).find((i) => i.checked).value;
  const showKind = () => {
    criteriaField.hidden = kind() !== "screening";
    codesField.hidden = kind() !== "coding";
    formField.hidden = kind() !== "observation";
    file.required = kind() !== "observation";
    help.replaceChildren(formatHelp(kind()));
  };
  kinds.forEach((k) => k.querySelector("input").addEventListener("change", showKind));

  const form = h(
    "form",
    { class: "card", novalidate: true },
    field("Batch name", name, "For you; staff do not see it."),
    h("fieldset", { "data-field": "kind" }, h("legend", {}, "What staff will do"), kinds),
    criteriaField,
    codesField,
    formField,
    h("section", { "aria-label": "File format" }, help),
    field("Instructions for staff (optional)", instructions),
    h("div", { class: "grid" },
      field("Answers every task gets at least", minAnswers),
      field("Answers after which an unsettled task comes to you", maxAnswers)),
    field("File", file),
    h("button", { type: "submit" }, "Upload and check"),
  );
  showKind();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.replaceChildren();
    const settings = {
      screening: () => ({ inclusion_criteria: criteria.value.trim() }),
      coding: () => ({ codes: codebook(codes.value), multiple: multiple.checked }),
      observation: () => ({ fields: formFields(formText.value) }),
    }[kind()]();
    const spec = {
      name: name.value.trim(),
      kind: kind(),
      settings,
      instructions: instructions.value.trim(),
      min_answers: Number(minAnswers.value),
      max_answers: Number(maxAnswers.value),
    };
    const body = new FormData();
    body.append("spec", new Blob([JSON.stringify(spec)], { type: "application/json" }));
    if (file.files[0]) body.append("file", file.files[0], file.files[0].name);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const created = await call("POST", `/v1/projects/${projectId}/batches`, { form: body });
      form.querySelectorAll(".error-summary, .field-error").forEach((node) => node.remove());
      const dropped = created.duplicates_dropped.map((d) =>
        h("li", {}, `Line ${d.line} duplicates line ${d.first_line} (same ${d.reason})`));
      result.replaceChildren(h("div", { class: "notice", role: "status" },
        h("h2", {}, "Batch stored"),
        h("p", {}, kind() === "observation" && created.tasks_stored === 0
          ? "The form is ready: staff can now log observations on it."
          : `${created.tasks_stored} tasks stored, ${created.gold_tasks} of them gold.`),
        dropped.length ? [h("p", {}, `${dropped.length} duplicates dropped:`), h("ul", {}, dropped)] : null,
        h("p", {}, h("a", { href: `#/batches/${created.batch_id}` }, "Open the batch"))));
      announce(`Batch stored: ${created.tasks_stored} tasks.`);
    } catch (error) {
      if (!file.files[0] && kind() !== "observation" && error.status < 500) {
        error.problem.errors = [{ field: "file", message: "choose the file to upload" }];
      }
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return [
    h("p", { class: "crumbs" }, h("a", { href: `#/projects/${projectId}` }, "Back to the project")),
    h("h1", {}, "Upload a batch"),
    h("p", {}, "Every line is checked before anything is stored. If any line has a problem, nothing is stored and every problem is listed with its line, so you can fix the file and upload it again."),
    form,
    result,
  ];
}
