// Credited time, by project, kind of work and month, and the impact of the
// batches the person worked on, with the researchers' notes on what came
// of them. The last figures fetched are kept on the phone for offline.

import { api, currentAuth } from "../api.js";
import { kv } from "../db.js";
import { h } from "../dom.js";
import { duration, monthName, t } from "../i18n.js";
import { kindLabel } from "../content.js";

async function fetchOrKept() {
  const key = `credits:${currentAuth().email}`;
  try {
    const fresh = { credits: await api.credits(), impact: await api.impact() };
    await kv.set(key, fresh);
    return fresh;
  } catch (error) {
    const kept = await kv.get(key);
    if (error.name === "OfflineError" && kept) return { ...kept, stale: true };
    throw error;
  }
}

function rows(items, label, testid) {
  return h(
    "ul",
    { class: "rows", "data-testid": testid },
    items.map((item) =>
      h("li", {}, h("span", {}, label(item)), " ", h("span", { class: "figure" }, duration(item.credited_seconds))),
    ),
  );
}

export async function credits() {
  const { credits: mine, impact, stale } = await fetchOrKept();
  return h(
    "section",
    { class: "panel" },
    h("h1", {}, t("credits.title")),
    stale ? h("p", { class: "notice" }, t("credits.stale")) : null,
    h("p", { class: "big-figure", "data-testid": "credit-total" }, duration(mine.total.credited_seconds)),
    h("p", { class: "lead" }, t("credits.answers", { count: mine.total.answers })),
    mine.streak.current_days > 1 ? h("p", {}, t("credits.streak", { days: mine.streak.current_days })) : null,
    h("h2", {}, t("credits.by_project")),
    mine.by_project.length ? rows(mine.by_project, (item) => item.project_title, "by-project") : h("p", {}, t("credits.nothing")),
    mine.by_kind.length ? [h("h2", {}, t("credits.by_kind")), rows(mine.by_kind, (item) => kindLabel(item.kind === "observation" ? "verification" : item.kind), "by-kind")] : null,
    mine.by_month.length ? [h("h2", {}, t("credits.by_month")), rows(mine.by_month, (item) => monthName(item.month), "by-month")] : null,
    h("h2", {}, t("impact.title")),
    impact.projects.length
      ? h(
          "ul",
          { class: "rows", "data-testid": "impact" },
          impact.projects.map((project) =>
            h(
              "li",
              {},
              h("strong", {}, project.project_title),
              h("p", { class: "meta" }, t("impact.line", { answers: project.your_answers, finished: project.finished_with_your_help })),
              project.outcome_note ? h("p", { class: "outcome" }, project.outcome_note) : null,
              h(
                "ul",
                { class: "meta" },
                project.batches.map((batch) =>
                  h("li", {}, t("impact.batch", { name: batch.name, percent: batch.percent_finished, yours: batch.your_answers })),
                ),
              ),
            ),
          ),
        )
      : h("p", {}, t("impact.nothing")),
  );
}
