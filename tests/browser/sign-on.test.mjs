// Signing in to the staff app through a trust's own sign-in: a real OpenID
// Connect provider (npm's oidc-provider, started by .ci/web-test on
// loopback, signing in whoever the login hint names) stands in for the
// trust's. A researcher opens a project to the trust's verified members in
// the console, choosing the trust from the recorded organisations; the
// nurse types her NHSmail address, continues to the trust's page, comes
// back signed in as a verified member, and gets the project's tasks.
//
//   TESSERA_API=... TESSERA_BIN=... TESSERA_OIDC_ISSUER=... npm test

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, check, grant, json, launch, password, register, token, upload } from "./support.mjs";

const PHONE = { width: 390, height: 844 };
const TRUST = "North Hospitals NHS Foundation Trust";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

describe("signing in to the staff app through the trust", () => {
  it("brings the nurse back signed in as a verified member", async () => {
    const lead = "it.lead.sso@trust.nhs.uk";
    await register(lead, "Ifan Lead");
    grant(lead, "admin");
    const admin = await token(lead);
    await json("POST", "/v1/admin/organisations", {
      name: TRUST,
      sign_on: { issuer: process.env.TESSERA_OIDC_ISSUER, client_id: "tessera", client_secret: "tessera-secret" },
    }, admin);

    // The researcher opens a project to the trust's verified members.
    const researcher = "researcher.sso@trust.nhs.uk";
    await register(researcher, "Dr Sso");
    grant(researcher, "researcher");
    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, locale: "en-GB" });
    const consolePage = await desk.newPage();
    await consolePage.goto(`${api}/console/`);
    await consolePage.getByLabel("Email").fill(researcher);
    await consolePage.getByLabel("Password").fill(password);
    await consolePage.getByRole("button", { name: "Sign in" }).click();
    await consolePage.getByRole("link", { name: "New project" }).click();
    await consolePage.getByLabel("Title").fill("Grab rails and falls");
    await consolePage.getByLabel("Why it matters").fill("Falls in bathrooms hurt patients; help us find what works.");
    await consolePage.getByLabel("What the answers are for").fill("A review for the trust's falls group.");
    await consolePage.getByLabel(TRUST).check();
    await consolePage.getByLabel("Only verified members").check();
    await consolePage.getByLabel("Open to staff now").check();
    await check(consolePage, "sign-on-00-console-audience");
    await consolePage.getByRole("button", { name: "Create project" }).click();
    await consolePage.getByText(`Who may join: ${TRUST}, verified members only`).waitFor();
    const projectId = new URL(consolePage.url()).hash.split("/").pop();
    await desk.close();
    const papers = ["title,abstract", "Grab rails in bathrooms,A cluster trial.", "Night lights and falls,A trial.", ""].join("\n");
    await upload(await token(researcher), projectId, {
      name: "Search 1",
      kind: "screening",
      settings: { inclusion_criteria: "Randomised trials of falls prevention." },
      gold_rate: 0.0,
    }, "papers.csv", papers);

    const context = await browser.newContext({ viewport: PHONE, bypassCSP: true, locale: "en-GB", hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${api}/app/#signin`);
    await page.getByRole("heading", { level: 1, name: "Help NHS research in five minutes" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Sign in through your trust" }).waitFor();
    await check(page, "sign-on-01-sign-in");

    await page.getByLabel("Work email").fill("sso.nurse@nhs.net");
    await page.getByRole("button", { name: `Continue with ${TRUST}` }).click();
    // Through the provider and back to the app, signed in.
    await page.getByRole("heading", { level: 1, name: "Hello, sso.nurse" }).waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1");
    assert.ok(!page.url().includes("code="), `the code stays out of the address: ${page.url()}`);
    await check(page, "sign-on-02-home");

    // A verified member gets the verified-only project's tasks.
    await page.getByRole("button", { name: "Start a 5-minute session" }).click();
    await page.getByRole("button", { name: "Start a 5-minute session" }).click();
    await page.getByTestId("task-card").waitFor();

    await page.getByRole("link", { name: "Profile" }).click();
    await page.getByText(`${TRUST} (verified member)`).waitFor();
    await check(page, "sign-on-03-profile");

    // Coming back with a state this phone never started is refused.
    await page.goto(`${api}/app/?code=stolen&state=someone-elses#signin`);
    await page.getByText("That sign-in was not started on this phone").waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("tells a member who has not confirmed her address that she practises until she does", async () => {
    const lead = "it.lead.west@trust.nhs.uk";
    await register(lead, "Wyn Lead");
    grant(lead, "admin");
    await json("POST", "/v1/admin/organisations", { name: "West Hospitals", email_domains: ["west.nhs.uk"] }, await token(lead));
    const nurse = "nurse@west.nhs.uk";
    await register(nurse, "Nia West");

    const context = await browser.newContext({ viewport: PHONE, bypassCSP: true, locale: "en-GB", hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${api}/app/#signin`);
    await page.getByLabel("Work email").fill(nurse);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Hello, Nia West" }).waitFor();
    await page.getByText(`Until you confirm ${nurse}, you answer practice questions only`).waitFor();
    await check(page, "sign-on-04-practice-only");

    // She moves to her new address at the trust: the password is asked
    // for, and the new address waits for its own link.
    await page.getByRole("link", { name: "Profile" }).click();
    await page.getByLabel("New work email").fill("nia.west@west.nhs.uk");
    await page.getByRole("button", { name: "Change email" }).click();
    await page.getByText("Changing your email address needs your current password").waitFor();
    await page.getByLabel("Your password").fill(password);
    await page.getByRole("button", { name: "Change email" }).click();
    await page.getByRole("heading", { level: 1, name: "Confirm your email" }).waitFor();
    await page.getByText("We've sent a link to nia.west@west.nhs.uk").waitFor();
    await check(page, "sign-on-05-email-changed");
    await context.close();
  });
});
