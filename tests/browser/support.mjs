// What the browser tests share: the API they drive, accounts made through
// it, the store's clock moved back the way the API tests do it, Chromium,
// and the check every screen gets (a full-page screenshot kept as a CI
// artefact, axe-core, no sideways scrolling).

import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = require.resolve("axe-core/axe.min.js");

export const api = process.env.TESSERA_API ?? "http://127.0.0.1:8080";
export const password = "a long enough password";
export const shots = join(import.meta.dirname, "test-results");

export async function json(method, path, body, token) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Uploads a batch (multipart: its spec and a file). */
export async function upload(token, project, spec, name, content) {
  const form = new FormData();
  form.append("spec", JSON.stringify(spec));
  form.append("file", new Blob([content]), name);
  const response = await fetch(`${api}/v1/projects/${project}/batches`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  assert.equal(response.status, 201, text);
  return JSON.parse(text);
}

export async function register(email, name = "Test Person") {
  await json("POST", "/v1/auth/register", {
    email,
    password,
    display_name: name,
    staff_group: "nursing_and_midwifery",
    organisation: "Test Trust",
  });
}

export async function token(email) {
  return (await json("POST", "/v1/auth/login", { email, password })).access_token;
}

/** Grants a role the way a trust would, with `tessera admin grant` on the server's store. */
export function grant(email, role) {
  execFileSync(process.env.TESSERA_BIN, ["admin", "grant", "--email", email, "--role", role], { stdio: "inherit" });
}

// Time travel for one account, as the API tests do it
// (tests/api/credits/support.rs): credit is earned for time actually spent
// on leased work, and certificates cover finished days only.
const SHIFT = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA busy_timeout = 5000")
account, what = sys.argv[2], sys.argv[3]
db.execute("BEGIN IMMEDIATE")
if what == "lease":
    db.execute("UPDATE leases SET leased_at = leased_at - 900000 WHERE contributor_id = ?", (account,))
    db.execute("UPDATE sessions SET started_at = started_at - 900000 WHERE contributor_id = ?", (account,))
else:
    guard = db.execute("SELECT sql FROM sqlite_master WHERE name = 'credit_ledger_append_only'").fetchone()[0]
    db.execute("DROP TRIGGER credit_ledger_append_only")
    for table in ("credit_ledger", "answers"):
        db.execute(f"UPDATE {table} SET created_at = created_at - 86400000 WHERE contributor_id = ?", (account,))
    db.execute(guard)
db.execute("COMMIT")
`;

/** `lease`: the account's leases began 15 minutes ago; `credits`: its credit moves back a day. */
export function shift(account, what) {
  execFileSync("python3", ["-c", SHIFT, join(process.env.TESSERA_DATA_DIR, "tessera.db"), account, what]);
}

export async function launch() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
}

/**
 * The check every screen gets: a full-page screenshot named `name`, no
 * serious or critical axe-core violation, and no sideways scrolling.
 */
export async function check(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"] }));
  const serious = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe on ${name}`,
  );
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, `${name} scrolls sideways`);
}
