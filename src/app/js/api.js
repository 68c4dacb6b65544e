// The API client: the bearer token, one shared refresh on 401, and errors
// the screens can tell apart (offline versus a problem report). The app is
// served by the API server itself, so every path is same-origin.

import { kv } from "./db.js";

/** The server answered with an error status; `problem` is its problem+json. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem ?? {};
  }
}

/** The request never reached the server (no network, server down). */
export class OfflineError extends Error {
  constructor(cause) {
    super("offline", { cause });
    this.name = "OfflineError";
  }
}

// Kept in memory as well as in IndexedDB, so each request reads no disk.
let auth = null;

export async function loadAuth() {
  auth = (await kv.get("auth")) ?? null;
  return auth;
}

export function currentAuth() {
  return auth;
}

async function saveAuth(next) {
  auth = next;
  if (next) await kv.set("auth", next);
  else await kv.delete("auth");
}

async function send(path, { method = "GET", body, form, token, raw = false } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch (cause) {
    throw new OfflineError(cause);
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => undefined);
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

// Refresh tokens are single-use, and presenting a spent one signs the
// login out everywhere: concurrent 401s share one refresh.
let refreshing = null;
function refresh() {
  refreshing ??= (async () => {
    if (!auth) throw new ApiError(401, { title: "Please sign in." });
    try {
      const pair = await send("/v1/auth/refresh", {
        method: "POST",
        body: { refresh_token: auth.refresh_token },
      });
      await saveAuth({ ...auth, access_token: pair.access_token, refresh_token: pair.refresh_token });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) await saveAuth(null);
      throw error;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** An authenticated call; on 401 the tokens are refreshed once and it is retried. */
async function authed(path, options = {}) {
  const used = auth?.access_token;
  if (!used) throw new ApiError(401, { title: "Please sign in." });
  try {
    return await send(path, { ...options, token: used });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    // Another request may have refreshed while this one was in flight.
    if (auth?.access_token === used) await refresh();
    return send(path, { ...options, token: auth.access_token });
  }
}

export const api = {
  async signIn(email, password) {
    const pair = await send("/v1/auth/login", { method: "POST", body: { email, password } });
    await saveAuth({ email: email.toLowerCase(), access_token: pair.access_token, refresh_token: pair.refresh_token });
  },

  register: (body) => send("/v1/auth/register", { method: "POST", body }),

  /** Starts signing in through an organisation's own sign-in page. */
  startSignOn: (organisationId, loginHint) =>
    send("/v1/auth/sign-on", {
      method: "POST",
      body: { organisation_id: organisationId, login_hint: loginHint || undefined },
    }),

  /** Finishes a sign-in the provider sent back, as a password login would. */
  async completeSignOn(state, code) {
    const pair = await send("/v1/auth/sign-on/callback", { method: "POST", body: { state, code } });
    // The outbox is kept per address, so the address is learnt before saving.
    const me = await send("/v1/me", { token: pair.access_token });
    await saveAuth({ email: me.email, access_token: pair.access_token, refresh_token: pair.refresh_token });
  },

  /** Ends the login on the server too; offline, just forgets the tokens. */
  async signOut() {
    const ending = auth;
    await saveAuth(null);
    if (ending) {
      await send("/v1/auth/logout", { method: "POST", body: { refresh_token: ending.refresh_token } }).catch(
        () => undefined,
      );
    }
  },

  /** Moves the login to a new address (the server sends it a link). */
  async changeEmail(email, currentPassword) {
    const me = await authed("/v1/me", {
      method: "PATCH",
      body: { email, current_password: currentPassword || undefined },
    });
    await saveAuth({ ...auth, email: me.email });
    return me;
  },

  organisations: () => send("/v1/organisations"),
  me: () => authed("/v1/me"),
  updateMe: (changes) => authed("/v1/me", { method: "PATCH", body: changes }),
  resendConfirmation: () => authed("/v1/me/email-confirmation", { method: "POST" }),
  projects: () => authed("/v1/projects"),
  observationForms: (projectId) => authed(`/v1/projects/${projectId}/observation-form`),
  startSession: (body) => authed("/v1/sessions", { method: "POST", body }),
  submitAnswers: (answers) => authed("/v1/answers", { method: "POST", body: { answers } }),
  logObservation: (projectId, form) => authed(`/v1/projects/${projectId}/observations`, { method: "POST", form }),
  attachPhoto: (projectId, clientId, form) =>
    authed(`/v1/projects/${projectId}/observations/${clientId}/photo`, { method: "PUT", form }),
  credits: () => authed("/v1/me/credits"),
  impact: () => authed("/v1/me/impact"),
  requestCertificate: (from, to) => authed("/v1/me/certificates", { method: "POST", body: { from, to } }),

  /** A file the API serves behind the login (a photo, a PDF), as a Blob. */
  async file(path) {
    const response = await authed(path, { raw: true });
    return response.blob();
  },
};
