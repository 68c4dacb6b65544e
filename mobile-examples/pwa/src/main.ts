// The app: log in, start a five-minute session, answer one task card at a
// time. Answers go to the outbox first and are sent whenever there is a
// connection, so the whole bundle can be worked through in a dead spot.

import "./style.css";
import { ApiError, createApi, OfflineError, resolveApiBase } from "./api";
import { renderAnswerForm } from "./answer-form";
import { kindLabel, renderContent } from "./content";
import { formatClock, formatSeconds, h, plural } from "./dom";
import { describeAnswer, parseSchema } from "./form";
import type { AnswerResult, SessionTask } from "./model";
import { flush, Outbox } from "./outbox";
import {
  authStore,
  creditedSeconds,
  loadSession,
  outboxKey,
  saveSession,
  type SessionState,
} from "./store";

const SESSION_MINUTES = 5;

const storage = window.localStorage;
const auth = authStore(storage);
const api = createApi(
  resolveApiBase(location.search, storage, import.meta.env.VITE_TESSERA_API),
  auth,
);

const app = document.querySelector<HTMLElement>("#app")!;
const statusLine = document.querySelector<HTMLElement>("#status")!;
const toastBox = document.querySelector<HTMLElement>("#toast")!;

type View = "login" | "home" | "task" | "after" | "summary";
let view: View = "login";
let session: SessionState | null = null;
let taskShownAt = Date.now();
let sending = false;
// Another send was asked for while one was running.
let sendAgain = false;
// The last send could not reach the server (even if the phone says online).
let unreachable = false;
// Answers the server refused for good, by client_id, with its reason.
const refused = new Map<string, string>();
// Projects whose instructions were already shown open this session.
const seenProjects = new Set<string>();

function outbox(): Outbox | null {
  const email = auth.load()?.email;
  return email ? new Outbox(storage, outboxKey(email)) : null;
}

// crypto.randomUUID exists only in secure contexts (https, localhost); a
// phone trying a LAN build over plain http still needs unique ids.
function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toast(message: string): void {
  toastBox.textContent = message;
  toastBox.hidden = false;
  window.setTimeout(() => {
    if (toastBox.textContent === message) toastBox.hidden = true;
  }, 5000);
}

function problemText(error: unknown): string {
  if (error instanceof OfflineError) return "You're offline. Please connect and try again.";
  if (error instanceof ApiError) {
    const fields = error.problem?.errors?.map((field) => field.message).join(" ");
    return [error.problem?.detail ?? error.problem?.title ?? error.message, fields].filter(Boolean).join(" ");
  }
  return "Something went wrong. Please try again.";
}

// ---- The status line: connection and outbox -------------------------------

function updateStatus(): void {
  const waiting = outbox()?.size ?? 0;
  const offline = !navigator.onLine;
  statusLine.dataset.count = String(waiting);
  statusLine.dataset.offline = String(offline);
  const parts: string[] = [];
  if (offline) parts.push("Offline");
  if (waiting) parts.push(`${plural(waiting, "answer")} waiting to send`);
  statusLine.textContent = parts.join(" · ");
  statusLine.hidden = parts.length === 0;
}

// ---- Sending ---------------------------------------------------------------

async function sendQueued(): Promise<void> {
  const box = outbox();
  if (sending) {
    sendAgain = true;
    return;
  }
  if (!box || !box.size || !navigator.onLine) return updateStatus();
  sending = true;
  sendAgain = false;
  statusLine.hidden = false;
  statusLine.textContent = `Sending ${plural(box.size, "answer")}…`;
  try {
    const outcome = await flush(box, (answers) => api.submitAnswers(answers));
    unreachable = outcome.stopped !== undefined;
    recordResults(outcome.sent);
    for (const { submission, error } of outcome.rejected) {
      refused.set(submission.client_id, problemText(error));
    }
    if (outcome.rejected.length) {
      toast(`${plural(outcome.rejected.length, "answer")} could not be saved: ${problemText(outcome.rejected[0]!.error)}`);
    }
    if (outcome.stopped instanceof ApiError && outcome.stopped.status === 401) {
      // The login has ended; the answers stay queued for the next one.
      toast("Please log in again. Your answers are kept on this phone.");
      show("login");
    }
  } finally {
    sending = false;
    updateStatus();
  }
  if (view === "after" || view === "summary" || view === "home") render();
  if (sendAgain && !unreachable) void sendQueued();
}

function recordResults(results: AnswerResult[]): void {
  if (!results.length) return;
  const mine = new Set(Object.values(session?.answered ?? {}));
  let earlier = 0;
  let earlierSeconds = 0;
  for (const result of results) {
    if (session && mine.has(result.client_id)) {
      session.results[result.client_id] = result;
    } else {
      earlier += 1;
      earlierSeconds += result.credited_seconds;
    }
  }
  if (session) saveSession(storage, auth.load()!.email, session);
  if (earlier) toast(`${plural(earlier, "earlier answer")} sent, ${formatSeconds(earlierSeconds)} credited.`);
}

// ---- Views -----------------------------------------------------------------

function show(next: View): void {
  view = next;
  render();
  window.scrollTo(0, 0);
  // A new screen: its heading takes focus (so a screen reader reads where
  // the person now is, and Tab starts from the top), and the title says it.
  const heading = app.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    document.title = `${heading.textContent ?? ""} · Tessera`;
  }
}

function render(): void {
  updateStatus();
  const screens: Record<View, () => HTMLElement> = {
    login: loginView,
    home: homeView,
    task: taskView,
    after: afterView,
    summary: summaryView,
  };
  app.replaceChildren(screens[view]());
}

function loginView(): HTMLElement {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "primary" }, "Log in");
  return h(
    "form",
    {
      class: "panel",
      onsubmit: (async (event: Event) => {
        event.preventDefault();
        const form = new FormData(event.target as HTMLFormElement);
        button.disabled = true;
        error.hidden = true;
        try {
          await api.login(String(form.get("email")).trim(), String(form.get("password")));
          resume();
          void sendQueued();
        } catch (failure) {
          error.textContent =
            failure instanceof ApiError && failure.status === 401
              ? "That email and password don't match. Please try again."
              : problemText(failure);
          error.hidden = false;
          button.disabled = false;
        }
      }) as EventListener,
    },
    h("h1", {}, "Help NHS research in five minutes"),
    h("p", { class: "lead" }, "Answer a few quick research tasks on your break. Every answer earns credited time for your CPD record."),
    h("label", { for: "email" }, "Work email"),
    h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true }),
    h("label", { for: "password" }, "Password"),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    error,
    button,
  );
}

function homeView(): HTMLElement {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const start = h(
    "button",
    {
      type: "button",
      class: "primary big",
      onclick: async () => {
        start.disabled = true;
        start.textContent = "Finding tasks…";
        try {
          const bundle = await api.startSession({ minutes: SESSION_MINUTES });
          if (!bundle.tasks.length) {
            error.textContent = "There are no tasks waiting right now. Please try again later.";
            error.hidden = false;
            start.disabled = false;
            start.textContent = `Start a ${SESSION_MINUTES}-minute session`;
            return;
          }
          // The clock is the person's own minutes, counted from now on this
          // phone; each task's lease (lease_expires_at) is the server's concern.
          const deadline = Date.now() + bundle.minutes * 60_000;
          session = { bundle, deadline, position: 0, answered: {}, results: {} };
          saveSession(storage, auth.load()!.email, session);
          seenProjects.clear();
          show("task");
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 401) return show("login");
          error.textContent = problemText(failure);
          error.hidden = false;
          start.disabled = false;
          start.textContent = `Start a ${SESSION_MINUTES}-minute session`;
        }
      },
    },
    `Start a ${SESSION_MINUTES}-minute session`,
  );
  return h(
    "section",
    { class: "panel" },
    h("h1", {}, "Ready when you are"),
    h("p", { class: "lead" }, "You'll get a few short tasks. Answer as many as you like; they keep working without signal."),
    start,
    error,
    h("button", { type: "button", class: "link", onclick: logOut }, `Log out ${auth.load()?.email ?? ""}`),
  );
}

async function logOut(): Promise<void> {
  const waiting = outbox()?.size ?? 0;
  if (waiting && !window.confirm(`${plural(waiting, "answer")} not sent yet. They stay on this phone and are sent next time you log in. Log out?`)) {
    return;
  }
  await api.logout();
  session = null;
  show("login");
}

function currentTask(): SessionTask | undefined {
  return session?.bundle.tasks[session.position];
}

function secondsLeft(): number {
  return session ? (session.deadline - Date.now()) / 1000 : 0;
}

function sessionBar(): HTMLElement {
  const state = session!;
  const total = state.bundle.tasks.length;
  return h(
    "div",
    { class: "session-bar" },
    h("span", {}, `Task ${Math.min(state.position + 1, total)} of ${total}`),
    h("progress", { max: total, value: Object.keys(state.answered).length }),
    h("span", { class: "clock", "aria-live": "off" }, clockText()),
  );
}

function clockText(): string {
  const left = secondsLeft();
  return left > 0 ? `${formatClock(left)} left` : "Time's up";
}

function taskView(): HTMLElement {
  const task = currentTask()!;
  const schema = parseSchema(task.answer_schema);
  taskShownAt = Date.now();
  const instructions = task.instructions || schema.instructions;
  // Instructions start open the first time a project comes up, then folded.
  const firstOfProject = !seenProjects.has(task.project_id);
  seenProjects.add(task.project_id);
  return h(
    "div",
    { class: "task" },
    sessionBar(),
    h(
      "article",
      { class: "card", "data-testid": "task-card", "data-kind": task.kind },
      h("h1", { class: "kind" }, kindLabel(task.kind), h("span", {}, ` · ${task.project_title}`)),
      instructions &&
        h(
          "details",
          { class: "instructions", open: firstOfProject },
          h("summary", {}, "How to answer"),
          h("p", {}, instructions),
        ),
      renderContent(task, schema),
    ),
    renderAnswerForm(schema, (answer) => answerTask(task, answer)),
    h("button", { type: "button", class: "link", onclick: next }, "Skip this one"),
  );
}

function answerTask(task: SessionTask, answer: Record<string, unknown>): void {
  const state = session!;
  const submission = {
    client_id: newClientId(),
    task_id: task.task_id,
    answer,
    seconds_spent: Math.max(1, Math.round((Date.now() - taskShownAt) / 1000)),
  };
  // Stored before anything else happens, so closing the app now loses nothing.
  outbox()!.add(submission);
  state.answered[task.task_id] = submission.client_id;
  saveSession(storage, auth.load()!.email, state);
  show("after");
  void sendQueued();
}

function afterView(): HTMLElement {
  const state = session!;
  const task = currentTask()!;
  const clientId = state.answered[task.task_id]!;
  const result = state.results[clientId];
  const refusal = refused.get(clientId);
  const schema = parseSchema(task.answer_schema);
  const isLast = state.position + 1 >= state.bundle.tasks.length || secondsLeft() <= 0;

  let body: (Node | string | null)[];
  if (refusal) {
    body = [h("h1", {}, "This answer couldn't be saved"), h("p", {}, refusal)];
  } else if (!result) {
    const offline = !navigator.onLine || unreachable;
    body = [
      h("h1", {}, offline ? "Saved on this phone" : "Sending…"),
      h(
        "p",
        {},
        offline
          ? "No connection right now. Your answer will be sent by itself when there is one."
          : "Your answer is saved and on its way.",
      ),
    ];
  } else {
    const feedback = result.feedback;
    const statusNote: Record<string, string> = {
      late: "It arrived after your session ended, but it still counts.",
      extra: "This task already had enough answers, so it won't change the result. Thank you anyway!",
    };
    body = [
      h("h1", {}, "Answer sent"),
      h("p", { class: "credit", "data-testid": "credited" }, `${formatSeconds(result.credited_seconds)} credited`),
      statusNote[result.status] ? h("p", {}, statusNote[result.status]!) : null,
      feedback
        ? h(
            "div",
            { class: `feedback ${feedback.correct ? "right" : "wrong"}`, "data-testid": "feedback" },
            h("strong", {}, feedback.correct ? "Spot on!" : "Not quite."),
            feedback.correct_answer && !feedback.correct
              ? h("p", {}, `The expected answer was: ${describeAnswer(schema, feedback.correct_answer)}.`)
              : null,
            feedback.explanation ? h("p", {}, feedback.explanation) : null,
            h("p", { class: "meta" }, "This was a practice question with a known answer."),
          )
        : null,
    ];
  }

  return h(
    "div",
    { class: "task" },
    sessionBar(),
    h(
      "article",
      { class: "card result", "data-testid": "result" },
      ...body,
      h("p", { class: "meta" }, `This session: ${formatSeconds(creditedSeconds(state))} credited so far.`),
    ),
    h("button", { type: "button", class: "primary big", onclick: next }, isLast ? "Finish" : "Next task"),
  );
}

function next(): void {
  const state = session!;
  state.position += 1;
  saveSession(storage, auth.load()!.email, state);
  show(state.position >= state.bundle.tasks.length || secondsLeft() <= 0 ? "summary" : "task");
}

function summaryView(): HTMLElement {
  const state = session!;
  const answered = Object.keys(state.answered).length;
  const waiting = outbox()?.size ?? 0;
  return h(
    "section",
    { class: "panel", "data-testid": "summary" },
    h("h1", {}, "Thank you!"),
    h("p", { class: "lead" }, `You answered ${plural(answered, "task")}.`),
    h("p", { class: "credit" }, `${formatSeconds(creditedSeconds(state))} credited`),
    waiting ? h("p", {}, `${plural(waiting, "answer")} will be sent when you're back online.`) : null,
    h(
      "button",
      {
        type: "button",
        class: "primary big",
        onclick: () => {
          session = null;
          saveSession(storage, auth.load()!.email, null);
          show("home");
        },
      },
      "Done",
    ),
  );
}

// ---- Start-up --------------------------------------------------------------

/** Picks the screen to open on: carry on a session if one is under way. */
function resume(): void {
  const email = auth.load()?.email;
  if (!email) return show("login");
  session = loadSession(storage, email);
  if (!session) return show("home");
  const task = currentTask();
  if (!task) return show("summary");
  show(session.answered[task.task_id] ? "after" : "task");
}

window.addEventListener("online", () => void sendQueued());
window.addEventListener("offline", () => {
  updateStatus();
  if (view === "after") render();
});
// Retry now and then too: "online" does not fire when the network was up
// but the server was not.
window.setInterval(() => void sendQueued(), 15_000);
window.setInterval(() => {
  const clock = app.querySelector(".clock");
  if (clock) clock.textContent = clockText();
}, 1000);

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register("./sw.js").catch(() => undefined);
}

resume();
void sendQueued();
