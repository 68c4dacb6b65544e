import { describe, expect, it } from "vitest";
import { createApi, OfflineError, resolveApiBase, type Auth, type AuthStore } from "../src/api";

function memoryAuth(initial: Auth | null): AuthStore & { current: Auth | null } {
  const store = {
    current: initial,
    load: () => store.current,
    save: (auth: Auth | null) => {
      store.current = auth;
    },
  };
  return store;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("createApi", () => {
  it("refreshes once on 401, keeps the rotated refresh token and retries", async () => {
    const auth = memoryAuth({ email: "a@b", access_token: "old", refresh_token: "r1" });
    const calls: string[] = [];
    const api = createApi("http://api", auth, async (request) => {
      const url = new URL(request.url).pathname;
      calls.push(`${url} ${request.headers.get("authorization") ?? ""}`);
      if (url === "/v1/auth/refresh") {
        expect(await request.json()).toEqual({ refresh_token: "r1" });
        return json(200, { access_token: "new", refresh_token: "r2", token_type: "Bearer", expires_in: 900 });
      }
      if (request.headers.get("authorization") !== "Bearer new") return json(401, { status: 401 });
      return json(200, { results: [] });
    });
    await expect(api.submitAnswers([])).resolves.toEqual({ results: [] });
    expect(calls).toEqual(["/v1/answers Bearer old", "/v1/auth/refresh ", "/v1/answers Bearer new"]);
    expect(auth.current).toEqual({ email: "a@b", access_token: "new", refresh_token: "r2" });
  });

  it("signs out when the refresh token is refused", async () => {
    const auth = memoryAuth({ email: "a@b", access_token: "old", refresh_token: "spent" });
    const api = createApi("http://api", auth, async () => json(401, { status: 401, title: "Unauthorized" }));
    await expect(api.startSession({ minutes: 5 })).rejects.toMatchObject({ status: 401 });
    expect(auth.current).toBeNull();
  });

  it("reports a failed fetch as offline", async () => {
    const api = createApi("http://api", memoryAuth(null), async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(api.login("a@b", "pw")).rejects.toBeInstanceOf(OfflineError);
  });
});

describe("resolveApiBase", () => {
  it("prefers ?api=, remembers it, and falls back to the same origin", () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (key: string) => data.get(key) ?? null,
      setItem: (key: string, value: string) => void data.set(key, value),
    } as Storage;
    expect(resolveApiBase("", storage)).toBe("");
    expect(resolveApiBase("", storage, "http://built")).toBe("http://built");
    expect(resolveApiBase("?api=http://x:8080/", storage)).toBe("http://x:8080");
    expect(resolveApiBase("", storage)).toBe("http://x:8080");
  });
});
