import { call, download } from "../api.js";
import { day, h, number, showError, table } from "../dom.js";
import { announce, go } from "../app.js";
import { bars, progressBar } from "../charts.js";
import { KINDS, STATUS } from "./labels.js";

const DOWNLOADS = [
  ["csv", "Results (CSV, one row per task)", "csv"],
  ["answers", "Answers (CSV, one row per answer)", "csv"],
  ["json", "Results (JSON)", "json"],
];

/** Answers per day over the batch's last 30 active days, as bars. */
function activity(report) {
  const days = report.answers_by_day.slice(-30);
  if (!days.length) return null;
  const largest = Math.max(...days.map((d) => d.answers));
  const rows = days.map((d) => ({ label: day(d.day), value: d.answers, text: `${d.answers} answers` }));
  return h("div", {},
    h("h3", {}, "Answers per day"),
    bars("Answers per day", rows, largest));
}

function agreementCard(batch, report) {
  const rows = report.agreement.map((q) => ({
    label: q.question,
    value: q.krippendorff_alpha ?? null,
    text: q.krippendorff_alpha === undefined ? "not enough answers" : `α ${number(q.krippendorff_alpha, 2)}`,
  }));
  const details = report.agreement.map((q) => [
    q.question,
    String(q.tasks),
    number(q.krippendorff_alpha, 3),
    number(q.fleiss_kappa, 3),
    q.fleiss_tasks ? `${q.fleiss_tasks} tasks with ${q.fleiss_raters} answers each` : "—",
  ]);
  return h(
    "section",
    { class: "card", "aria-labelledby": "agreement-heading" },
    h("h2", { id: "agreement-heading" }, "How far staff agree"),
    rows.length ? bars("Krippendorff's alpha per question (1 is full agreement)", rows, 1) : h("p", {}, "No answers yet."),
    rows.length
      ? table("Agreement per question", ["Question", "Tasks", "Krippendorff's alpha", "Fleiss' kappa", "Kappa covers"], details, [1, 2, 3])
      : null,
    h("p", { class: "muted" },
      "Alpha uses every task with two or more answers. Fleiss' kappa needs the same number of answers per task, so it covers only the tasks listed."),
    report.gold_accuracy === undefined || batch.gold_tasks === 0 ? null
      : h("p", {}, `Answers to gold tasks were right ${number(report.gold_accuracy * 100, 1)}% of the time.`),
  );
}

function prismaCard(prisma) {
  const rows = [
    ["Records identified", prisma.records_identified],
    ["Duplicates removed", prisma.duplicates_removed],
    ["Records screened", prisma.records_screened],
    ["Included", prisma.included],
    ["Excluded", prisma.excluded],
    ["Unsure (resolved as unsure)", prisma.unsure],
    ["Awaiting a decision (not excluded)", prisma.awaiting_decision],
  ].map(([label, count]) => [label, String(count)]);
  return h("section", { class: "card", "aria-labelledby": "prisma-heading" },
    h("h2", { id: "prisma-heading" }, "Screening flow (PRISMA)"),
    table("Screening flow", ["Stage", "Records"], rows, [1]));
}

function downloadsCard(batch) {
  const choices = batch.kind === "screening"
    ? [
      ...DOWNLOADS,
      ["ris&decision=include", "Included records (RIS, for your reference manager)", "ris"],
      ["ris", "All records with their decisions (RIS)", "ris"],
    ]
    : DOWNLOADS;
  const holder = h("div", {});
  for (const [format, label, extension] of choices) {
    holder.append(h("button", {
      type: "button",
      class: "secondary",
      onclick: async () => {
        try {
          const suffix = format === "answers" ? "-answers" : format.includes("decision") ? "-included" : "";
          await download(`/v1/batches/${batch.id}/results?format=${format}`, `${batch.name}${suffix}.${extension}`);
          announce(`${label} downloaded.`);
        } catch (error) {
          showError(holder, error);
        }
      },
    }, `Download ${label}`));
  }
  return h("section", { class: "card", "aria-labelledby": "downloads-heading" },
    h("h2", { id: "downloads-heading" }, "Downloads"), holder);
}

function statusCard(batch) {
  const holder = h("div", {});
  const next = { live: ["paused", "closed"], paused: ["live", "closed"] }[batch.status] || [];
  const labels = { live: "Resume", paused: "Pause", closed: "Close" };
  for (const status of next) {
    holder.append(h("button", {
      type: "button",
      class: "secondary",
      onclick: async () => {
        try {
          await call("PATCH", `/v1/batches/${batch.id}`, { json: { status } });
          go(`#/batches/${batch.id}`);
        } catch (error) {
          showError(holder, error);
        }
      },
    }, labels[status]));
  }
  return holder;
}

export async function batchView(id) {
  const [batch, report] = await Promise.all([
    call("GET", `/v1/batches/${id}`),
    call("GET", `/v1/batches/${id}/report`),
  ]);
  return [
    h("p", { class: "crumbs" }, h("a", { href: `#/projects/${batch.project_id}` }, "Back to the project")),
    h("h1", {}, batch.name),
    h("section", { class: "card", "aria-labelledby": "progress-heading" },
      h("h2", { id: "progress-heading" }, "Progress"),
      h("p", {}, `${KINDS[batch.kind] || batch.kind} · `, h("span", { class: "status" }, STATUS[batch.status] || batch.status),
        ` · ${batch.tasks} tasks, ${batch.gold_tasks} gold · ${batch.answers} answers · about ${number(batch.median_seconds, 0)} s per answer`),
      progressBar(batch),
      activity(report),
      batch.escalated
        ? h("p", {}, h("a", { href: `#/projects/${batch.project_id}/queue` }, `${batch.escalated} tasks are waiting for your decision`))
        : null,
      statusCard(batch)),
    agreementCard(batch, report),
    report.prisma ? prismaCard(report.prisma) : null,
    downloadsCard(batch),
  ];
}
