// A thin typed client for the Tessera API on top of openapi-fetch and the
// generated `paths` types. It adds what every screen needs: the bearer token,
// one transparent refresh on 401, and errors the UI can tell apart (offline
// versus a problem report from the server).

import createClient from "openapi-fetch";
import type { paths } from "./api-types";
import type {
  AnswerSubmission,
  AnswersResponse,
  Problem,
  SessionBundle,
  StartSessionRequest,
  TokenPair,
} from "./model";

/** The signed-in person's tokens, kept across reloads. */
export interface Auth {
  email: string;
  access_token: string;
  refresh_token: string;
}

export interface AuthStore {
  load(): Auth | null;
  save(auth: Auth | null): void;
}

/** The server answered with an error status (body: problem+json). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`);
    this.name = "ApiError";
  }
}

/** The request never reached the server (no network, server down). */
export class OfflineError extends Error {
  constructor(cause: unknown) {
    super("You seem to be offline.", { cause });
    this.name = "OfflineError";
  }
}

/**
 * Where the API lives: `?api=` on the page URL wins and is remembered (so
 * the app still finds it when reopened offline from the home screen), then
 * the build-time `VITE_TESSERA_API`, then the page's own origin.
 */
export function resolveApiBase(search: string, storage: Storage, buildTime?: string): string {
  const fromQuery = new URLSearchParams(search).get("api");
  if (fromQuery) storage.setItem("tessera.api", fromQuery);
  const base = fromQuery ?? storage.getItem("tessera.api") ?? buildTime ?? "";
  return base.replace(/\/+$/, "");
}

type Fetch = (request: Request) => Promise<Response>;

export function createApi(baseUrl: string, store: AuthStore, fetchImpl?: Fetch) {
  // Looked up at call time so tests (and the browser's offline switch) see
  // the current fetch.
  const doFetch: Fetch = fetchImpl ?? ((request) => globalThis.fetch(request));
  const client = createClient<paths>({ baseUrl, fetch: doFetch });

  client.use({
    onRequest({ request, schemaPath }) {
      const auth = store.load();
      if (auth && !schemaPath.startsWith("/v1/auth/")) {
        request.headers.set("authorization", `Bearer ${auth.access_token}`);
      }
      return request;
    },
  });

  // Sends a request, turning a failed fetch into OfflineError and an error
  // status into ApiError.
  async function send<T>(
    call: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<T> {
    let result;
    try {
      result = await call();
    } catch (cause) {
      throw new OfflineError(cause);
    }
    if (!result.response.ok) {
      throw new ApiError(result.response.status, result.error as Partial<Problem> | undefined);
    }
    // Only a 204 has no body, and callers of those ignore the value.
    return result.data as T;
  }

  // Concurrent 401s share one refresh: refresh tokens are single-use, and
  // presenting a spent one signs the login out everywhere.
  let refreshing: Promise<void> | null = null;
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      const auth = store.load();
      if (!auth) throw new ApiError(401, { title: "Please log in." });
      try {
        const pair: TokenPair = await send(() =>
          client.POST("/v1/auth/refresh", { body: { refresh_token: auth.refresh_token } }),
        );
        // Rotation: the old refresh token is now spent; keep only the new one.
        store.save({ email: auth.email, access_token: pair.access_token, refresh_token: pair.refresh_token });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) store.save(null);
        throw error;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  // Runs an authenticated call; on 401 refreshes the tokens once and retries.
  async function authed<T>(
    call: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<T> {
    const used = store.load()?.access_token;
    try {
      return await send(call);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      // Another request may have refreshed while this one was in flight.
      if (store.load()?.access_token === used) await refresh();
      return send(call);
    }
  }

  return {
    async login(email: string, password: string): Promise<void> {
      const pair = await send(() => client.POST("/v1/auth/login", { body: { email, password } }));
      store.save({ email, access_token: pair.access_token, refresh_token: pair.refresh_token });
    },

    /** Ends the login on the server too; offline, just forgets the tokens. */
    async logout(): Promise<void> {
      const auth = store.load();
      store.save(null);
      if (!auth) return;
      await send(() =>
        client.POST("/v1/auth/logout", { body: { refresh_token: auth.refresh_token } }),
      ).catch(() => undefined);
    },

    startSession(body: StartSessionRequest): Promise<SessionBundle> {
      return authed(() => client.POST("/v1/sessions", { body }));
    },

    submitAnswers(answers: AnswerSubmission[]): Promise<AnswersResponse> {
      return authed(() => client.POST("/v1/answers", { body: { answers } }));
    },
  };
}

export type Api = ReturnType<typeof createApi>;
