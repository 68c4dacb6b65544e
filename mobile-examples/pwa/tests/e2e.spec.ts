// The browser test: a phone-sized Chromium works through a real session
// against a running server (TESSERA_API) and the built app (TESSERA_APP),
// including answering while offline and the queue flushing on reconnect.
// Screenshots go to test-results/ so a person can check how cards look.
//
//   TESSERA_API=http://127.0.0.1:8080 TESSERA_APP=http://127.0.0.1:4173 npm run e2e
//
// It drives the system Chromium through playwright-core (CHROMIUM, default
// /usr/bin/chromium): Playwright's own browser download is not needed.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const api = process.env.TESSERA_API ?? "http://127.0.0.1:8080";
const app = process.env.TESSERA_APP ?? "http://127.0.0.1:4173";
const email = process.env.TESSERA_EMAIL ?? "staff@demo.tessera.test";
const password = process.env.TESSERA_PASSWORD ?? "tessera-demo";
const shots = join(import.meta.dirname, "..", "test-results");

let context: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Answers the card on screen with its first option(s), whatever the kind. */
async function answerCard(): Promise<string> {
  const card = page.getByTestId("task-card");
  await card.waitFor();
  const kind = (await card.getAttribute("data-kind")) ?? "unknown";
  const form = page.locator(".answer");
  const send = form.getByRole("button", { name: "Send answer" });
  if (await send.count()) {
    // Toggles and a send button: pick the first option in every group.
    for (const group of await form.locator(".options").all()) {
      await group.locator(".option").first().click();
    }
    await expect.poll(() => send.isEnabled()).toBe(true);
    await send.click();
  } else {
    // One tap on a choice sends the answer.
    await form.locator(".option").first().click();
  }
  await page.getByTestId("result").waitFor();
  return kind;
}

async function queueCount(): Promise<number> {
  return Number((await page.getByTestId("queue").getAttribute("data-count")) ?? "0");
}

describe("Tessera PWA on a phone", () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), "tessera-chromium-"));
    // A persistent context is how Playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("logs in, answers online and offline, and flushes the queue", async () => {
    await page.goto(`${app}/?api=${encodeURIComponent(api)}`);
    await page.getByLabel("Work email").fill(email);
    await page.getByLabel("Password").fill(password);
    await shot("01-login");
    await page.getByRole("button", { name: "Log in" }).click();

    await page.getByRole("button", { name: /Start a 5-minute session/ }).click();
    await page.getByTestId("task-card").waitFor();
    await shot("02-task-card");
    // A new screen puts focus on its one level-one heading.
    expect(await page.locator("h1").count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    // At 320 px with text at 200% nothing scrolls sideways.
    const phone = page.viewportSize()!;
    await page.setViewportSize({ width: 320, height: 640 });
    await page.evaluate(() => {
      document.documentElement.style.fontSize = "200%";
    });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot("02b-task-card-320px-200pc");
    await page.evaluate(() => {
      document.documentElement.style.fontSize = "";
    });
    await page.setViewportSize(phone);

    // Online: the answer is sent at once and the credited time comes back.
    const firstKind = await answerCard();
    await expect.poll(() => page.getByTestId("credited").textContent()).toMatch(/credited/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toMatch(/Answer sent|Sending/);
    await shot("03-answered-online");
    const kinds = new Set([firstKind]);

    // The service worker must control the page before the network goes.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
      timeout: 30_000,
    });
    const nextLabel = page.getByRole("button", { name: /Next task|Finish/ });
    expect(await nextLabel.textContent(), "the bundle needs at least two tasks").toBe("Next task");
    await nextLabel.click();

    // Offline: the answer is kept on the phone and counted as waiting.
    await context.setOffline(true);
    await page.getByTestId("task-card").waitFor();
    kinds.add(await answerCard());
    await expect.poll(queueCount).toBe(1);
    await expect.poll(() => page.getByTestId("queue").textContent()).toMatch(/1 answer waiting to send/);
    await expect.poll(() => page.getByTestId("result").textContent()).toMatch(/Saved on this phone/);
    await shot("04-offline-queued");

    // The app shell comes from the service worker's cache, and the queued
    // answer and the session survive the reload.
    await page.reload();
    await page.getByTestId("result").waitFor();
    expect(await queueCount()).toBe(1);
    await shot("05-offline-reloaded");

    // Back online: the queue flushes by itself and the result shows.
    await context.setOffline(false);
    await expect.poll(queueCount, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId("credited").textContent()).toMatch(/credited/);
    await expect.poll(() => page.getByTestId("queue").isHidden()).toBe(true);
    await shot("06-back-online");

    // Work through the rest of the bundle, with a picture of each new kind
    // and of the first practice (gold) question's feedback.
    let goldShown = false;
    for (let step = 0; step < 50; step += 1) {
      const button = page.getByRole("button", { name: /Next task|Finish/ });
      const label = await button.textContent();
      await button.click();
      if (label === "Finish") break;
      const kind = (await page.getByTestId("task-card").getAttribute("data-kind")) ?? "unknown";
      if (!kinds.has(kind)) await shot(`07-card-${kind}`);
      kinds.add(await answerCard());
      await expect.poll(() => page.getByTestId("credited").count()).toBe(1);
      if (!goldShown && (await page.getByTestId("feedback").count())) {
        goldShown = true;
        await shot("08-gold-feedback");
      }
    }
    await page.getByTestId("summary").waitFor();
    await shot("09-summary");
    expect(await queueCount()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
