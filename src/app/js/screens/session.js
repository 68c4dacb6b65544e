// The five-minute session: one task card at a time. An answer goes to the
// outbox first and is sent whenever there is a connection, so the whole
// bundle can be worked through in a dead spot; the session itself (the
// bundle and how far the person got) is kept on the phone, so a reload or
// a relaunch carries on where it was.

import { api, currentAuth } from "../api.js";
import { renderAnswerForm } from "../answer-form.js";
import { kindLabel, renderContent } from "../content.js";
import { kv } from "../db.js";
import { formatClock, h, newClientId } from "../dom.js";
import { duration, t } from "../i18n.js";
import { enqueue, events } from "../outbox.js";
import { problemText } from "../problem.js";
import { actionForm } from "./account.js";
import { describeAnswer, parseSchema } from "../schema.js";

const SESSION_MINUTES = 5;

// { bundle, deadline, position, answered: {task_id: client_id}, results: {client_id: result}, refused: {client_id: text} }
let state = null;
let loadedFor = null;
let shownAt = Date.now();
const seenProjects = new Set();

const key = () => `session:${currentAuth().email}`;

async function load() {
  if (loadedFor !== currentAuth().email) {
    state = (await kv.get(key())) ?? null;
    loadedFor = currentAuth().email;
  }
  return state;
}

async function save() {
  if (state) await kv.set(key(), state);
  else await kv.delete(key());
}

const secondsLeft = () => (state ? (state.deadline - Date.now()) / 1000 : 0);
const credited = () => Object.values(state.results).reduce((sum, result) => sum + result.credited_seconds, 0);
const current = () => state.bundle.tasks[state.position];

// Results arrive whenever the outbox gets through, on any screen.
let onScreen = null;
events.addEventListener("sent", async ({ detail }) => {
  if (!detail.answers.length || !currentAuth()) return;
  await load();
  const mine = new Set(Object.values(state?.answered ?? {}));
  const earlier = detail.answers.filter((result) => !mine.has(result.client_id));
  for (const result of detail.answers) if (mine.has(result.client_id)) state.results[result.client_id] = result;
  if (state) await save();
  if (earlier.length) onScreen?.announce(t("session.earlier_sent", { count: earlier.length }));
  else onScreen?.announce(t("session.sent", { count: detail.answers.length }));
  if (onScreen && location.hash === "#session") onScreen.refresh();
});
events.addEventListener("refused", async ({ detail }) => {
  if (detail.item.type !== "answer" || !state) return;
  state.refused ??= {};
  state.refused[detail.item.client_id] = problemText(detail.error);
  await save();
  onScreen?.toast(t("session.refused", { reason: problemText(detail.error) }));
});

function bar() {
  const total = state.bundle.tasks.length;
  return h(
    "div",
    { class: "session-bar" },
    h("span", {}, t("session.position", { n: Math.min(state.position + 1, total), total })),
    h("progress", { max: total, value: Object.keys(state.answered).length, "aria-label": t("session.progress") }),
    h("span", { class: "clock" }, clockText()),
  );
}

function clockText() {
  const left = secondsLeft();
  return left > 0 ? t("session.left", { clock: formatClock(left) }) : t("session.times_up");
}

setInterval(() => {
  const clock = document.querySelector(".clock");
  if (clock && state) clock.textContent = clockText();
}, 1000);

function start(app) {
  return actionForm(
    {},
    [h("h1", {}, t("session.ready")), h("p", { class: "lead" }, t("session.ready_lead"))],
    t("home.start"),
    async () => {
      const bundle = await api.startSession({ minutes: SESSION_MINUTES });
      if (!bundle.tasks.length) throw new Error(t(bundle.practice_only ? "session.none_practice" : "session.none"));
      // The clock is the person's own minutes, counted on this phone; each
      // task's lease is the server's concern.
      state = { bundle, deadline: Date.now() + bundle.minutes * 60_000, position: 0, answered: {}, results: {}, refused: {} };
      seenProjects.clear();
      await save();
      app.go("session");
    },
    "primary big",
  );
}

function taskView(app) {
  const task = current();
  const schema = parseSchema(task.answer_schema);
  shownAt = Date.now();
  const instructions = task.instructions || schema.instructions;
  // Instructions start open the first time a project comes up, then folded.
  const first = !seenProjects.has(task.project_id);
  seenProjects.add(task.project_id);
  return h(
    "div",
    { class: "task" },
    bar(),
    h(
      "article",
      { class: "card", "data-testid": "task-card", "data-kind": task.kind },
      h("h1", { class: "kind" }, kindLabel(task.kind), h("span", {}, ` · ${task.project_title}`)),
      instructions && h("details", { class: "instructions", open: first }, h("summary", {}, t("task.how")), h("p", {}, instructions)),
      renderContent(task, schema),
    ),
    renderAnswerForm(schema, (answer) => answerTask(app, task, answer)),
    h("button", { type: "button", class: "link", onclick: () => next(app) }, t("task.skip")),
  );
}

async function answerTask(app, task, answer) {
  const clientId = newClientId();
  const submission = {
    client_id: clientId,
    task_id: task.task_id,
    answer,
    seconds_spent: Math.max(1, Math.round((Date.now() - shownAt) / 1000)),
  };
  state.answered[task.task_id] = clientId;
  await save();
  // Stored before the screen changes, so closing the app now loses nothing.
  await enqueue({ type: "answer", client_id: clientId, answer: submission });
  app.announce(t("session.queued"));
  app.go("session");
}

function resultBody(app, clientId, schema) {
  const refusal = state.refused?.[clientId];
  const result = state.results[clientId];
  if (refusal) return [h("h1", {}, t("after.refused")), h("p", {}, refusal)];
  if (!result) {
    return app.unreachable
      ? [h("h1", {}, t("after.saved")), h("p", {}, t("after.saved_lead"))]
      : [h("h1", {}, t("after.sending")), h("p", {}, t("after.sending_lead"))];
  }
  const feedback = result.feedback;
  const note = { late: t("after.late"), extra: t("after.extra") }[result.status];
  return [
    h("h1", {}, t("after.sent")),
    h("p", { class: "credit", "data-testid": "credited" }, t("after.credited", { time: duration(result.credited_seconds) })),
    note ? h("p", {}, note) : null,
    feedback
      ? h(
          "div",
          { class: `feedback ${feedback.correct ? "right" : "wrong"}`, "data-testid": "feedback" },
          h("strong", {}, feedback.correct ? t("after.right") : t("after.wrong")),
          feedback.correct_answer && !feedback.correct
            ? h("p", {}, t("after.expected", { answer: describeAnswer(schema, feedback.correct_answer) }))
            : null,
          feedback.explanation ? h("p", {}, feedback.explanation) : null,
          h("p", { class: "meta" }, t("after.practice")),
        )
      : null,
  ];
}

function afterView(app) {
  const task = current();
  const clientId = state.answered[task.task_id];
  const last = state.position + 1 >= state.bundle.tasks.length || secondsLeft() <= 0;
  return h(
    "div",
    { class: "task" },
    bar(),
    h(
      "article",
      { class: "card result", "data-testid": "result" },
      resultBody(app, clientId, parseSchema(task.answer_schema)),
      h("p", { class: "meta" }, t("after.so_far", { time: duration(credited()) })),
    ),
    h("button", { type: "button", class: "primary big", onclick: () => next(app) }, last ? t("after.finish") : t("after.next")),
  );
}

async function next(app) {
  state.position += 1;
  await save();
  app.go("session");
}

function summaryView(app) {
  const answered = Object.keys(state.answered).length;
  return h(
    "section",
    { class: "panel", "data-testid": "summary" },
    h("h1", {}, t("summary.title")),
    h("p", { class: "lead" }, t("summary.answered", { count: answered })),
    h("p", { class: "credit" }, t("after.credited", { time: duration(credited()) })),
    Object.keys(state.results).length < answered ? h("p", {}, t("summary.waiting")) : null,
    h(
      "button",
      {
        type: "button",
        class: "primary big",
        onclick: async () => {
          state = null;
          await save();
          app.go("home");
        },
      },
      t("summary.done"),
    ),
  );
}

export async function session(app) {
  onScreen = app;
  await load();
  if (!state) return start(app);
  const task = current();
  if (!task || (secondsLeft() <= 0 && !state.answered[task.task_id])) return summaryView(app);
  return state.answered[task.task_id] ? afterView(app) : taskView(app);
}
