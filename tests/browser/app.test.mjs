// The staff app (/app) in a real browser, on a 390x844 phone, as a ward
// nurse uses it: she registers, confirms her email from the message a real
// SMTP server received, signs out and in again, works through a session
// with the network cut mid-way and restored (reloading while offline), logs
// an observation with a photo while offline and sees it arrive, verifies a
// colleague's observation with its photo on screen, sees her credits,
// requests a certificate and downloads the PDF, and switches to Welsh.
// Every screen is photographed and checked with axe-core, and focus must
// land on each screen's heading. A second run at 320 px with 200% text
// checks that nothing scrolls sideways.
//
//   TESSERA_API=... TESSERA_BIN=... TESSERA_DATA_DIR=... TESSERA_MAILDIR=... npm test
//
// Researchers set the project up through the API; the colleague's
// observation is logged through the API too.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { api, check, grant, json, launch, password, register, shift, token, upload } from "./support.mjs";
import { STRINGS } from "../../src/app/js/strings.js";

const PHONE = { width: 390, height: 844 };
const nurse = "nurse.app@trust.nhs.uk";
const colleague = "colleague.app@trust.nhs.uk";

const FORM = {
  name: "Hand hygiene audit",
  kind: "observation",
  settings: {
    fields: [
      { name: "moment", label: "Moment", type: "choice", required: true, options: ["before patient contact", "after patient contact"] },
      { name: "performed", label: "Hand hygiene performed", type: "yes_no", required: true },
      { name: "seconds", label: "Seconds of rubbing", type: "number", min: 0, max: 120, unit: "seconds" },
    ],
  },
  instructions: "Watch one hand hygiene moment and record it.",
  gold_rate: 0.0,
  min_answers: 2,
  max_answers: 3,
};

/** The project: three papers to screen and a hand hygiene form. */
async function project() {
  const researcher = "researcher.app@trust.nhs.uk";
  await register(researcher, "Dr Rees");
  grant(researcher, "researcher");
  const access = await token(researcher);
  const created = await json("POST", "/v1/projects", {
    title: "Falls and hand hygiene",
    summary: "Help us find the trials that work, and see how wards wash hands.",
    purpose: "A review and an audit.",
    status: "live",
  }, access);
  const papers = ["title,abstract", "Hip protectors in care homes,A cluster trial.", "Bed alarms and falls,A randomised trial.", "Exercise after stroke,A cohort study.", ""].join("\n");
  await upload(access, created.id, {
    name: "Search 1",
    kind: "screening",
    settings: { inclusion_criteria: "Randomised trials of falls prevention." },
    gold_rate: 0.0,
    estimated_seconds: 30,
  }, "papers.csv", papers);
  const seed = JSON.stringify({ observation: { moment: "after patient contact", performed: false } });
  await upload(access, created.id, FORM, "seed.jsonl", seed);
  return { id: created.id, access };
}

/** A small JPEG drawn by the browser, as a camera would hand one over. */
async function jpeg(page, colour) {
  const base64 = await page.evaluate(async (fill) => {
    const canvas = new OffscreenCanvas(640, 480);
    const context = canvas.getContext("2d");
    context.fillStyle = fill;
    context.fillRect(0, 0, 640, 480);
    context.fillStyle = "#fff";
    context.fillRect(200, 140, 240, 200);
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  }, colour);
  return Buffer.from(base64, "base64");
}

/** The colleague logs an observation with a photo through the API. */
async function colleagueLogs(projectId, photo) {
  await register(colleague, "Sam Colleague");
  const access = await token(colleague);
  const { batches } = await json("GET", `/v1/projects/${projectId}/observation-form`, undefined, access);
  const form = new FormData();
  form.append("observation", JSON.stringify({
    client_id: crypto.randomUUID(),
    batch_id: batches[0].batch_id,
    values: { moment: "before patient contact", performed: true, seconds: 25 },
  }));
  form.append("photo", new Blob([photo], { type: "image/jpeg" }), "sink.jpg");
  const response = await fetch(`${api}/v1/projects/${projectId}/observations`, {
    method: "POST",
    headers: { Authorization: `Bearer ${access}` },
    body: form,
  });
  assert.equal(response.status, 201, await response.text());
}

/** The confirmation link in the newest message to `to`, waiting for it. */
async function confirmationLink(to) {
  const dir = join(process.env.TESSERA_MAILDIR, "new");
  const deadline = Date.now() + 15_000;
  for (;;) {
    // aiosmtpd makes the Maildir's folders with its first message.
    for (const name of existsSync(dir) ? readdirSync(dir).sort().reverse() : []) {
      const mail = await simpleParser(readFileSync(join(dir, name)));
      if (mail.to?.text.includes(to)) {
        const link = mail.text.match(/https?:\/\/\S+\/confirm\/#token=\S+/);
        assert.ok(link, mail.text);
        return link[0];
      }
    }
    assert.ok(Date.now() < deadline, `no confirmation email to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

describe("the staff app on a 390x844 phone", () => {
  let context;
  let page;
  const pageErrors = [];
  let shot = 0;

  /** Waits for a screen by its heading, checks focus is on it, then checks the screen. */
  async function screen(name, heading) {
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    assert.equal(focused, "H1", `focus on the heading of ${name}`);
    shot += 1;
    await check(page, `app-phone-${String(shot).padStart(2, "0")}-${name}`);
  }

  const status = () => page.getByTestId("queue");

  before(async () => {
    context = await browser.newContext({ viewport: PHONE, bypassCSP: true, acceptDownloads: true, locale: "en-GB", hasTouch: true, isMobile: true });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  });
  after(async () => context?.close());

  it("has every word in Welsh as well as English", () => {
    assert.deepEqual(Object.keys(STRINGS.cy).sort(), Object.keys(STRINGS.en).sort());
  });

  it("keeps every file of the app for offline", () => {
    const app = join(import.meta.dirname, "../../src/app");
    const worker = readFileSync(join(app, "sw.js"), "utf8");
    const files = (dir) => readdirSync(join(app, dir)).flatMap((name) =>
      name.endsWith(".js") ? [`/app/${dir}/${name}`] : name.includes(".") ? [] : files(`${dir}/${name}`));
    for (const file of files("js")) assert.ok(worker.includes(`"${file}"`), `sw.js keeps ${file}`);
  });

  it("walks a nurse through her whole journey", async () => {
    const { id: projectId, access: researcherToken } = await project();

    // The server's front page leads to the app.
    await page.goto(`${api}/`);
    await page.getByRole("heading", { level: 1, name: "Tessera" }).waitFor();
    await check(page, "app-phone-00-front-page");
    await page.getByRole("link", { name: "Staff app" }).click();
    await screen("sign-in", "Help NHS research in five minutes");
    await page.getByRole("link", { name: "Create an account" }).click();
    await screen("register", "Create your account");
    await page.getByLabel("Your name").fill("Nia Nurse");
    await page.getByLabel("Work email").fill(nurse);
    await page.getByLabel("Password").fill(password);
    await page.getByLabel("Staff group").selectOption("nursing_and_midwifery");
    await page.getByLabel("Organisation").fill("Test Trust");
    await page.getByRole("button", { name: "Create account" }).click();
    await screen("confirm-email", "Confirm your email");

    // The link from the real email, opened on the same phone.
    const link = await confirmationLink(nurse);
    const confirmPage = await context.newPage();
    await confirmPage.goto(link);
    await confirmPage.getByRole("button", { name: "Confirm my email address" }).click();
    await confirmPage.getByRole("heading", { name: "Your email address is confirmed" }).waitFor();
    await confirmPage.close();
    await page.getByRole("button", { name: "I've opened the link" }).click();
    await screen("email-confirmed", "Email confirmed");
    await page.getByRole("button", { name: "Continue" }).click();
    await screen("home", "Hello, Nia Nurse");
    assert.equal(await page.getByTestId("unconfirmed").count(), 0);

    // Out and back in, as after a night shift.
    await page.getByRole("link", { name: "Profile" }).click();
    await screen("profile", "Profile");
    await page.getByRole("button", { name: `Sign out ${nurse}` }).click();
    await screen("signed-out", "Help NHS research in five minutes");
    await page.getByLabel("Work email").fill(nurse);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await screen("home-again", "Hello, Nia Nurse");

    // The colleague's observation waits to be verified, photo and all.
    await colleagueLogs(projectId, await jpeg(page, "#2a7ab0"));
    // The shell is cached for offline before the network is cut.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.evaluate(() => navigator.serviceWorker.controller !== null).then((controlled) => assert.ok(controlled, "the service worker controls the page"));

    await page.getByRole("button", { name: "Start a 5-minute session" }).click();
    await screen("session-start", "Your session");
    await page.getByRole("button", { name: "Start a 5-minute session" }).click();
    await page.getByTestId("task-card").waitFor();
    const me = await json("GET", "/v1/me", undefined, await token(nurse));
    shift(me.id, "lease");
    let answered = 0;
    let verified = false;
    for (;;) {
      const card = page.getByTestId("task-card");
      const result = page.getByTestId("result");
      const summary = page.getByTestId("summary");
      await Promise.race([card.waitFor(), summary.waitFor()]);
      if (await summary.isVisible()) break;
      const kind = await card.getAttribute("data-kind");
      await screen(`task-${answered + 1}-${kind}`, /./);
      if (kind === "observation") {
        // The researcher's seed observation has no photo; the colleague's has.
        if (await page.getByText("Seconds of rubbing").count()) {
          const photo = page.getByTestId("observation-photo").locator("img");
          await photo.waitFor();
          assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth > 0), "the photo is on screen");
          shot += 1;
          await check(page, `app-phone-${shot}-verify-with-photo`);
          verified = true;
        }
      }
      // The signal goes just before her second answer.
      if (answered === 1) await context.setOffline(true);
      if (kind === "observation") await page.getByRole("button", { name: "Confirm" }).click();
      else await page.getByRole("button", { name: /include/i }).first().click();
      answered += 1;
      await result.waitFor();
      if (answered === 2) {
        // Cut off mid-session: the answer waits on the phone, even across a reload.
        await screen("answer-saved-offline", "Saved on this phone");
        await status().filter({ hasText: "Waiting to send: 1" }).waitFor();
        await page.reload();
        await screen("reloaded-offline", "Saved on this phone");
        await context.setOffline(false);
        await page.evaluate(() => window.dispatchEvent(new Event("online")));
        // The same screen updates in place: focus stays where she left it.
        await page.getByRole("heading", { level: 1, name: "Answer sent" }).waitFor();
        shot += 1;
        await check(page, `app-phone-${shot}-answer-sent-after-reconnect`);
      } else {
        await page.getByRole("heading", { level: 1, name: "Answer sent" }).waitFor();
      }
      await page.getByRole("button", { name: /Next task|Finish/ }).click();
    }
    await screen("session-summary", "Thank you!");
    assert.ok(verified, "a colleague's observation came up for verification");
    assert.ok(answered >= 3, `answered ${answered}`);
    await page.getByRole("button", { name: "Done" }).click();

    // An observation logged offline arrives when the signal is back.
    await page.getByRole("link", { name: "Observe" }).click();
    await screen("observe-form", "Log an observation");
    await context.setOffline(true);
    await page.getByLabel("Seconds of rubbing").fill("500");
    await page.getByRole("button", { name: "Save observation" }).click();
    const problems = page.getByTestId("error-summary");
    await problems.waitFor();
    const listed = await problems.innerText();
    assert.match(listed, /Moment: please fill this in/);
    assert.match(listed, /Hand hygiene performed: please fill this in/);
    assert.match(listed, /Seconds of rubbing: must be 120 or less/);
    shot += 1;
    await check(page, `app-phone-${shot}-observe-every-problem`);
    await page.getByLabel("before patient contact").check();
    await page.getByRole("group", { name: "Hand hygiene performed" }).getByLabel("Yes").check();
    await page.getByLabel("Seconds of rubbing").fill("30");
    await page.getByLabel(/Photo/).setInputFiles({ name: "sink.jpg", mimeType: "image/jpeg", buffer: await jpeg(page, "#b03a2a") });
    await page.getByRole("img", { name: "The photo you chose" }).waitFor();
    await page.getByRole("button", { name: "Save observation" }).click();
    await screen("observation-saved-offline", "Saved on this phone");
    assert.equal(await page.getByTestId("observation-logged").getAttribute("data-waiting"), "true");
    const photoSent = page.waitForResponse((response) =>
      response.request().method() === "PUT" && response.url().endsWith("/photo"));
    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await page.getByRole("heading", { level: 1, name: "Observation sent" }).waitFor();
    assert.equal((await photoSent).status(), 201);
    // Logging earns credit measured by the server (form fields and photo).
    assert.match(await page.getByTestId("credited").innerText(), /^\d+ s credited$/);
    // The photo followed the observation as its own request, and arrived.
    await status().filter({ hasText: "Waiting to send" }).waitFor({ state: "hidden" });
    assert.equal(await page.getByText("its photo could not be").count(), 0);

    await page.getByRole("link", { name: "Credits" }).click();
    await screen("credits", "My credits");
    assert.match(await page.getByTestId("by-project").innerText(), /Falls and hand hygiene/);
    assert.match(await page.getByTestId("by-kind").innerText(), /Observation logging/);
    assert.match(await page.getByTestId("impact").innerText(), /Falls and hand hygiene/);

    // Certificates cover finished days: today's credit moves to yesterday.
    shift(me.id, "credits");
    await page.getByRole("link", { name: "Certificate" }).click();
    await screen("certificate", "Contribution certificate");
    await page.getByRole("button", { name: "Create certificate" }).click();
    await page.getByTestId("certificates").waitFor();
    shot += 1;
    await check(page, `app-phone-${shot}-certificate-ready`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").first().click()]);
    const pdf = readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");

    // Cymraeg: the whole frame and screen change language, and back.
    await page.getByRole("button", { name: "Cymraeg" }).click();
    await screen("welsh-certificate", "Tystysgrif cyfraniad");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "cy");
    await page.getByRole("link", { name: "Hafan" }).click();
    await screen("welsh-home", "Helo, Nia Nurse");
    await page.getByRole("link", { name: "Credydau" }).click();
    await screen("welsh-credits", "Fy nghredydau");
    await page.getByRole("button", { name: "English" }).click();
    await screen("english-again", "My credits");
    assert.deepEqual(pageErrors, []);
    // The project stops handing out work, so the console's test sees only its own.
    await json("PATCH", `/v1/projects/${projectId}`, { status: "paused" }, researcherToken);
  });
});

describe("the staff app at 320 px with 200% text", () => {
  it("reflows every screen without sideways scrolling", async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true, locale: "en-GB" });
    await context.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () => {
        document.documentElement.style.fontSize = "34px";
      });
    });
    const page = await context.newPage();
    await page.goto(`${api}/app/`);
    await page.getByRole("heading", { level: 1, name: "Help NHS research in five minutes" }).waitFor();
    await check(page, "app-320-1-sign-in");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("heading", { level: 1, name: "Create your account" }).waitFor();
    await check(page, "app-320-2-register");
    await page.goto(`${api}/app/#signin`);
    await page.getByLabel("Work email").fill(nurse);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Hello, Nia Nurse" }).waitFor();
    await check(page, "app-320-3-home");
    for (const [link, heading, name] of [
      ["Observe", "Log an observation", "observe"],
      ["Credits", "My credits", "credits"],
      ["Certificate", "Contribution certificate", "certificate"],
      ["Profile", "Profile", "profile"],
    ]) {
      await page.getByRole("link", { name: link }).click();
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await check(page, `app-320-4-${name}`);
    }
    await page.getByRole("button", { name: "Cymraeg" }).click();
    await page.getByRole("heading", { level: 1, name: "Proffil" }).waitFor();
    await check(page, "app-320-5-welsh-profile");
    await context.close();
  });
});
