// The outbox: every answer is written here first, with its client_id, and
// only removed once the server has acknowledged that client_id. A retry
// re-sends the very same client_ids and the server is idempotent on them, so
// an answer whose response was lost in a dead spot is neither lost nor
// counted twice.
//
// localStorage is enough: a five-minute bundle is a few kilobytes, and its
// synchronous writes mean an answer is stored before the UI moves on.

import { ApiError } from "./api";
import type { AnswerResult, AnswerSubmission, AnswersResponse } from "./model";

export type KeyValue = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export class Outbox {
  constructor(
    private readonly storage: KeyValue,
    private readonly key: string,
  ) {}

  all(): AnswerSubmission[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.key) ?? "[]");
      return Array.isArray(parsed) ? (parsed as AnswerSubmission[]) : [];
    } catch {
      return [];
    }
  }

  get size(): number {
    return this.all().length;
  }

  add(submission: AnswerSubmission): void {
    const rest = this.all().filter((queued) => queued.client_id !== submission.client_id);
    this.write([...rest, submission]);
  }

  remove(clientIds: Iterable<string>): void {
    const gone = new Set(clientIds);
    this.write(this.all().filter((queued) => !gone.has(queued.client_id)));
  }

  private write(queue: AnswerSubmission[]): void {
    if (queue.length) this.storage.setItem(this.key, JSON.stringify(queue));
    else this.storage.removeItem(this.key);
  }
}

export interface Rejected {
  submission: AnswerSubmission;
  error: ApiError;
}

export interface FlushOutcome {
  /** What the server acknowledged, in the order it answered. */
  sent: AnswerResult[];
  /** Answers the server refused for good (e.g. invalid); they are dropped. */
  rejected: Rejected[];
  /** Why sending stopped early (offline, signed out, server trouble), if it did. */
  stopped?: unknown;
}

// A 4xx other than these means "this answer will never be accepted"; the
// listed ones (and 5xx, and no network) mean "try the same thing later".
const RETRYABLE_4XX = new Set([401, 408, 425, 429]);

function isPermanent(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    !RETRYABLE_4XX.has(error.status)
  );
}

/**
 * Sends everything queued, in batches. When a batch is refused as a whole
 * (one bad answer makes the server answer 422 or 409 for all), its answers
 * are sent one by one so only the bad one is dropped.
 */
export async function flush(
  outbox: Outbox,
  submit: (answers: AnswerSubmission[]) => Promise<AnswersResponse>,
  batchSize = 50,
): Promise<FlushOutcome> {
  const outcome: FlushOutcome = { sent: [], rejected: [] };

  const sendBatch = async (batch: AnswerSubmission[]): Promise<number> => {
    const response = await submit(batch);
    const acknowledged = response.results.map((result) => result.client_id);
    outbox.remove(acknowledged);
    outcome.sent.push(...response.results);
    return acknowledged.length;
  };

  try {
    for (;;) {
      const batch = outbox.all().slice(0, batchSize);
      if (!batch.length) break;
      try {
        // A server that acknowledges nothing would otherwise loop forever.
        if ((await sendBatch(batch)) === 0) break;
      } catch (error) {
        if (!isPermanent(error)) throw error;
        for (const submission of batch) {
          try {
            await sendBatch([submission]);
          } catch (single) {
            if (!isPermanent(single)) throw single;
            outbox.remove([submission.client_id]);
            outcome.rejected.push({ submission, error: single });
          }
        }
      }
    }
  } catch (error) {
    outcome.stopped = error;
  }
  return outcome;
}
