// What the app keeps on the phone between launches: the tokens, and the
// current session (its bundle and how far the person got), so a reload or a
// relaunch in a dead spot carries on where it was. Queued answers live in
// the outbox (outbox.ts). Everything is per account, so a shared ward phone
// never sends one person's answers as another's.

import type { Auth, AuthStore } from "./api";
import type { AnswerResult, SessionBundle } from "./model";

export function authStore(storage: Storage): AuthStore {
  const key = "tessera.auth";
  return {
    load() {
      try {
        return JSON.parse(storage.getItem(key) ?? "null") as Auth | null;
      } catch {
        return null;
      }
    },
    save(auth) {
      if (auth) storage.setItem(key, JSON.stringify(auth));
      else storage.removeItem(key);
    },
  };
}

export interface SessionState {
  bundle: SessionBundle;
  /** When the person's minutes run out (ms since the epoch), timed on the phone. */
  deadline: number;
  /** Index of the task on screen (or of the next one once it is answered). */
  position: number;
  /** task_id -> client_id of the answer given to it. */
  answered: Record<string, string>;
  /** client_id -> what the server said about it, once sent. */
  results: Record<string, AnswerResult>;
}

export function sessionKey(email: string): string {
  return `tessera.session.${email.toLowerCase()}`;
}

export function outboxKey(email: string): string {
  return `tessera.outbox.${email.toLowerCase()}`;
}

export function loadSession(storage: Storage, email: string): SessionState | null {
  try {
    return JSON.parse(storage.getItem(sessionKey(email)) ?? "null") as SessionState | null;
  } catch {
    return null;
  }
}

export function saveSession(storage: Storage, email: string, state: SessionState | null): void {
  if (state) storage.setItem(sessionKey(email), JSON.stringify(state));
  else storage.removeItem(sessionKey(email));
}

/** Seconds credited so far for this session's acknowledged answers. */
export function creditedSeconds(state: SessionState): number {
  return Object.values(state.results).reduce((sum, result) => sum + result.credited_seconds, 0);
}
