// Sending what waits in the outbox. An item leaves the outbox only once the
// server has acknowledged its client_id, or refused it for good; a retry
// sends the very same client_ids, so an answer or observation whose
// response was lost in a dead spot is neither lost nor counted twice.

import { ApiError, api, currentAuth } from "./api.js";
import { outbox } from "./db.js";

// A 4xx other than these means "this will never be accepted"; these (and
// 5xx, and no network) mean "try the same thing later".
const RETRYABLE_4XX = new Set([401, 408, 425, 429]);
const BATCH = 50;

function isPermanent(error) {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && !RETRYABLE_4XX.has(error.status);
}

/** Listeners hear `sent`, `refused` and `stopped` events (details below). */
export const events = new EventTarget();

function emit(type, detail) {
  events.dispatchEvent(new CustomEvent(type, { detail }));
}

/** The multipart body of an observation: its JSON only; the photo follows on its own. */
function observationForm(item) {
  const form = new FormData();
  form.append("observation", new Blob([JSON.stringify(item.observation)], { type: "application/json" }));
  return form;
}

async function sendAnswers(items) {
  const answers = items.map((item) => item.answer);
  const response = await api.submitAnswers(answers);
  for (const result of response.results) await outbox.remove(result.client_id);
  emit("sent", { answers: response.results, observations: [] });
  return response.results.length;
}

async function sendObservation(item) {
  const view = await api.logObservation(item.project_id, observationForm(item));
  await outbox.remove(item.client_id);
  emit("sent", { answers: [], observations: [view] });
}

async function sendPhoto(item) {
  const form = new FormData();
  form.append("photo", item.photo, "photo.jpg");
  const view = await api.attachPhoto(item.project_id, item.observation_client_id, form);
  await outbox.remove(item.client_id);
  emit("sent", { answers: [], observations: [view] });
}

/** Sends one item on its own; one the server refuses for good is dropped and reported. */
async function sendAlone(send, item) {
  await send(item).catch((error) => {
    if (!isPermanent(error)) throw error;
    return refuse(item, error);
  });
}

/** The photo item of an observation (its own outbox entry, sent once the observation is stored). */
export const photoItemId = (observationClientId) => `photo:${observationClientId}`;

async function refuse(item, error) {
  await outbox.remove(item.client_id);
  emit("refused", { item, error });
}

/**
 * Sends everything queued for the signed-in account. Answers go in
 * batches; a batch refused as a whole (one bad answer makes the server
 * refuse all) is resent one by one so only the bad one is dropped.
 * Returns the error that stopped it early (offline, signed out, server
 * trouble), or undefined when the outbox was emptied.
 */
async function flush(account) {
  for (;;) {
    const queued = await outbox.of(account);
    if (!queued.length) return undefined;
    const answers = queued.filter((item) => item.type === "answer").slice(0, BATCH);
    const observation = queued.find((item) => item.type === "observation");
    // A photo goes only after its observation is stored: the small JSON
    // first, so a stalled photo upload never holds the observation back.
    const photo = queued.find(
      (item) => item.type === "photo" && !queued.some((other) => other.client_id === item.observation_client_id),
    );
    try {
      if (answers.length) {
        try {
          // A server that acknowledges nothing would otherwise loop forever.
          if ((await sendAnswers(answers)) === 0) return undefined;
        } catch (error) {
          if (!isPermanent(error)) throw error;
          for (const item of answers) await sendAlone((one) => sendAnswers([one]), item);
        }
      } else if (observation) {
        await sendAlone(sendObservation, observation);
      } else if (photo) {
        await sendAlone(sendPhoto, photo);
      } else {
        return undefined;
      }
    } catch (error) {
      return error;
    }
  }
}

let sending = null;
let again = false;

/** Sends the outbox now; a call during a send makes it go round once more. */
export function sendQueued() {
  if (sending) {
    again = true;
    return sending;
  }
  const account = currentAuth()?.email;
  if (!account) return Promise.resolve();
  sending = (async () => {
    do {
      again = false;
      const stopped = await flush(account);
      emit("stopped", { error: stopped });
      if (stopped) break;
    } while (again);
  })().finally(() => {
    sending = null;
  });
  return sending;
}

/** Queues items for the signed-in account, in one write, and starts sending them. */
export async function enqueue(...items) {
  const account = currentAuth().email;
  const now = Date.now();
  await outbox.putAll(items.map((item, index) => ({ ...item, account, queued_at: now + index })));
  void sendQueued();
}

/** How many items wait for the signed-in account. */
export async function waiting() {
  const account = currentAuth()?.email;
  return account ? (await outbox.of(account)).length : 0;
}
