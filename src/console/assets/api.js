// Calls to the Tessera API with the researcher's tokens. Errors arrive as
// RFC 9457 problem+json and are thrown as ApiProblem, so every screen shows
// them the same way the phones do.

const SESSION_KEY = "tessera.console.tokens";

export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }

  /** Field errors as [{field, message, line?}]. */
  get fields() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

function tokens() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

function keep(pair) {
  if (pair) sessionStorage.setItem(SESSION_KEY, JSON.stringify(pair));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function signedIn() {
  return tokens() !== null;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText };
  }
}

async function refresh() {
  const held = tokens();
  if (!held) return false;
  const response = await fetch("/v1/auth/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: held.refresh_token }),
  });
  if (!response.ok) {
    keep(null);
    return false;
  }
  keep(await response.json());
  return true;
}

/**
 * Sends one request. `json` becomes the body; `form` (FormData) is sent as
 * multipart. Answers the parsed JSON, or the Response itself when `raw`.
 */
export async function call(method, path, { json, form, raw } = {}, retried = false) {
  const headers = {};
  const held = tokens();
  if (held) headers.Authorization = `Bearer ${held.access_token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const response = await fetch(path, { method, headers, body });
  if (response.status === 401 && held && !retried && (await refresh())) {
    return call(method, path, { json, form, raw }, true);
  }
  if (!response.ok) {
    if (response.status === 401) keep(null);
    throw new ApiProblem(response.status, await problemOf(response));
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export async function signIn(email, password) {
  keep(null);
  keep(await call("POST", "/v1/auth/login", { json: { email, password } }));
}

export async function signOut() {
  const held = tokens();
  if (held) {
    await call("POST", "/v1/auth/logout", {
      json: { refresh_token: held.refresh_token },
    }).catch(() => {});
  }
  keep(null);
}

/** Fetches an export with the researcher's token and saves it as `name`. */
export async function download(path, name) {
  const response = await call("GET", path, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
