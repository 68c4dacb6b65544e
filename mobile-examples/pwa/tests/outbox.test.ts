import { describe, expect, it } from "vitest";
import { ApiError, OfflineError } from "../src/api";
import type { AnswerSubmission, AnswersResponse } from "../src/model";
import { flush, Outbox, type KeyValue } from "../src/outbox";

function memory(): KeyValue {
  const data = new Map<string, string>();
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function answer(n: number): AnswerSubmission {
  return { client_id: `c${n}`, task_id: `t${n}`, answer: { decision: "include" }, seconds_spent: n };
}

function accept(answers: AnswerSubmission[]): AnswersResponse {
  return {
    results: answers.map((a) => ({
      client_id: a.client_id,
      task_id: a.task_id,
      status: "accepted",
      credited_seconds: a.seconds_spent ?? 0,
      counts_towards_consensus: true,
    })),
  };
}

describe("Outbox", () => {
  it("persists, de-duplicates by client_id and removes", () => {
    const storage = memory();
    const box = new Outbox(storage, "k");
    box.add(answer(1));
    box.add(answer(2));
    box.add({ ...answer(1), seconds_spent: 9 });
    expect(new Outbox(storage, "k").all().map((a) => a.client_id)).toEqual(["c2", "c1"]);
    box.remove(["c1", "c2"]);
    expect(box.size).toBe(0);
    expect(storage.getItem("k")).toBeNull();
  });
});

describe("flush", () => {
  it("sends everything and empties the outbox", async () => {
    const box = new Outbox(memory(), "k");
    [1, 2, 3].forEach((n) => box.add(answer(n)));
    const outcome = await flush(box, async (batch) => accept(batch), 2);
    expect(outcome.sent.map((r) => r.client_id)).toEqual(["c1", "c2", "c3"]);
    expect(box.size).toBe(0);
  });

  it("keeps answers when offline and re-sends the same client_ids later", async () => {
    const box = new Outbox(memory(), "k");
    box.add(answer(1));
    box.add(answer(2));
    const seen: string[][] = [];
    // The server stores the batch, but the response is lost on the way back.
    const lost = await flush(box, async (batch) => {
      seen.push(batch.map((a) => a.client_id));
      throw new OfflineError(new TypeError("Failed to fetch"));
    });
    expect(lost.stopped).toBeInstanceOf(OfflineError);
    expect(box.size).toBe(2);
    const retried = await flush(box, async (batch) => {
      seen.push(batch.map((a) => a.client_id));
      return accept(batch);
    });
    expect(seen).toEqual([
      ["c1", "c2"],
      ["c1", "c2"],
    ]);
    expect(retried.sent).toHaveLength(2);
    expect(box.size).toBe(0);
  });

  it("keeps answers on server trouble and when signed out", async () => {
    for (const status of [401, 429, 500, 503]) {
      const box = new Outbox(memory(), "k");
      box.add(answer(1));
      const outcome = await flush(box, async () => {
        throw new ApiError(status, { status });
      });
      expect(outcome.stopped).toBeInstanceOf(ApiError);
      expect(box.size).toBe(1);
    }
  });

  it("drops only the answer the server refuses for good", async () => {
    const box = new Outbox(memory(), "k");
    [1, 2, 3].forEach((n) => box.add(answer(n)));
    const outcome = await flush(box, async (batch) => {
      if (batch.some((a) => a.client_id === "c2")) {
        throw new ApiError(422, { status: 422, errors: [{ field: "answers[1].answer", message: "bad" }] });
      }
      return accept(batch);
    });
    expect(outcome.sent.map((r) => r.client_id)).toEqual(["c1", "c3"]);
    expect(outcome.rejected.map((r) => r.submission.client_id)).toEqual(["c2"]);
    expect(box.size).toBe(0);
  });
});
