// The research console in a real browser: a researcher signs in, creates a
// project, uploads a CSV with two bad lines and sees both line errors,
// uploads the corrected file, watches progress after staff answer, resolves
// an escalated task and downloads CSV and RIS. Every screen is checked with
// axe-core and photographed, at a laptop (1280x800) and a tablet (768x1024).
//
//   TESSERA_API=http://127.0.0.1:8080 TESSERA_BIN=.../tessera TESSERA_DATA_DIR=... npm test
//
// The researcher role is granted the way a trust would, with
// `tessera admin grant` on the server's store. Staff answers are sent
// through the public API by two registered contributors.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, check as checkPage, grant, json, launch, password, register, shift, token } from "./support.mjs";

const SIZES = [
  ["laptop", { width: 1280, height: 800 }],
  ["tablet", { width: 768, height: 1024 }],
];

const BAD_CSV = [
  "id,title,abstract,authors,year,doi,gold_answer",
  "r1,Early mobilisation after hip fracture,A randomised trial.,Smith J; Ng L,2019,10.1000/hip.1,",
  ",,An abstract without a title.,,2020,,",
  "r3,Chlorhexidine bathing in intensive care,A cluster trial.,Ren M,2021,10.1000/icu.3,",
  "r4,Hourly rounding and falls,A stepped-wedge trial.,Patel R,2018,10.1000/falls.4,maybe",
  "",
].join("\n");
const GOOD_CSV = BAD_CSV
  .replace(",,An abstract without a title.,", "r2,Music before surgery,An abstract with a title now.,")
  .replace(",maybe", ",");

/** Two contributors answer every task they are handed, disagreeing on each; answers their tokens. */
async function staffAnswer(tag) {
  const tokens = [];
  for (const [n, decision] of [[1, "include"], [2, "exclude"]]) {
    const email = `staff${n}-${tag}@trust.nhs.uk`;
    await register(email);
    const access = await token(email);
    const session = await json("POST", "/v1/sessions", { minutes: 10 }, access);
    shift((await json("GET", "/v1/me", undefined, access)).id, "lease");
    // Other tests' live projects share the server: only screening tasks here.
    const answers = session.tasks.filter((task) => task.kind === "screening").map((task) => ({
      client_id: crypto.randomUUID(),
      task_id: task.task_id,
      answer: { decision },
      seconds_spent: 20,
    }));
    await json("POST", "/v1/answers", { answers }, access);
    tokens.push(access);
  }
  return tokens;
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

for (const [size, viewport] of SIZES) {
  describe(`research console at ${viewport.width}x${viewport.height}`, () => {
    let context;
    let page;
    const pageErrors = [];
    const email = `researcher-${size}@trust.nhs.uk`;

    const check = (name) => checkPage(page, `console-${size}-${name}`);

    before(async () => {
      await register(email);
      grant(email, "researcher");
      // The console's CSP allows scripts from the server only; axe is
      // injected by the test, so the test context bypasses it.
      context = await browser.newContext({ viewport, bypassCSP: true, acceptDownloads: true });
      page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(String(error)));
    });
    after(async () => context?.close());

    it("walks a researcher from sign-in to downloads", async () => {
      await page.goto(`${api}/console/`);
      await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
      await check("1-sign-in");

      // By keyboard alone: focus starts on the heading, then the fields in order.
      assert.equal(await page.evaluate(() => document.activeElement.tagName), "H1");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.type), "email");
      await page.keyboard.type(email);
      await page.keyboard.press("Tab");
      await page.keyboard.type(password);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name: "Your projects" }).waitFor();
      await check("2-projects-empty");

      await page.getByRole("link", { name: "New project" }).click();
      await page.getByRole("heading", { level: 1, name: "New project" }).waitFor();
      // Sent empty first: every missing field is named.
      await page.getByRole("button", { name: "Create project" }).click();
      await page.getByRole("alert").waitFor();
      await check("3-new-project-errors");
      await page.getByLabel("Title").fill(`Falls prevention review (${size})`);
      await page.getByLabel("Why it matters").fill("Falls hurt patients on every ward; help us find the trials that work.");
      await page.getByLabel("What the answers are for").fill("A systematic review of falls prevention in hospital.");
      await page.getByLabel("Open to staff now").check();
      await page.getByRole("button", { name: "Create project" }).click();
      await page.getByRole("heading", { level: 1, name: `Falls prevention review (${size})` }).waitFor();
      await check("4-project");
      await page.getByLabel("What the project has produced so far (optional)")
        .fill("The first search is being screened now.");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("status").filter({ hasText: "Changes saved" }).waitFor();

      await page.getByRole("link", { name: "Upload a batch" }).click();
      await page.getByRole("heading", { level: 1, name: "Upload a batch" }).waitFor();
      await page.getByLabel("Batch name").fill("Search 1");
      await page.getByLabel("Inclusion criteria").fill("Randomised trials of falls prevention in adults.");
      await page.getByLabel("Answers every task gets at least").fill("2");
      await page.getByLabel("Answers after which an unsettled task comes to you").fill("2");
      await page.getByLabel("File", { exact: true }).setInputFiles({
        name: "search.csv", mimeType: "text/csv", buffer: Buffer.from(BAD_CSV),
      });
      await page.getByRole("button", { name: "Upload and check" }).click();
      const summary = page.getByRole("alert");
      await summary.waitFor();
      const text = await summary.innerText();
      assert.match(text, /Line 3: .*title/, text);
      assert.match(text, /Line 5: .*gold_answer/, text);
      await check("5-upload-line-errors");

      await page.getByLabel("File", { exact: true }).setInputFiles({
        name: "search.csv", mimeType: "text/csv", buffer: Buffer.from(GOOD_CSV),
      });
      await page.getByRole("button", { name: "Upload and check" }).click();
      await page.getByRole("status").filter({ hasText: "Batch stored" }).waitFor();
      assert.match(await page.getByRole("status").innerText(), /4 tasks stored/);
      await check("6-upload-stored");

      const [staff] = await staffAnswer(size);
      await page.getByRole("link", { name: "Open the batch" }).click();
      await page.getByRole("heading", { level: 1, name: "Search 1" }).waitFor();
      const progress = await page.getByRole("img").first().getAttribute("aria-label");
      assert.match(progress, /4 tasks\..*Waiting for you: [1-4]/, progress);
      await check("7-batch-progress");

      await page.getByRole("link", { name: /waiting for your decision/ }).click();
      await page.getByRole("heading", { level: 1, name: "Tasks waiting for your decision" }).waitFor();
      await check("8-resolver-queue");
      const first = page.locator("article").first();
      await first.getByRole("radio", { name: /include/i }).first().check();
      await first.getByLabel("Note for the record (optional)").fill("Randomised, adults, falls outcome.");
      await first.getByRole("button", { name: "Record decision" }).click();
      await page.getByRole("status").filter({ hasText: "Decision recorded" }).first().waitFor();
      await check("9-resolved");

      await page.getByRole("link", { name: "Back to the project" }).click();
      await page.getByRole("heading", { level: 1, name: `Falls prevention review (${size})` }).waitFor();
      await page.getByRole("link", { name: "Search 1" }).click();
      await page.getByRole("heading", { level: 1, name: "Search 1" }).waitFor();
      await check("10-batch-after");
      const flow = await page.getByRole("region", { name: "Screening flow (PRISMA)" }).innerText();
      assert.match(flow, /Records identified\s+4/, flow);
      assert.match(flow, /Included\s+1/, flow);

      const csv = await downloaded(page, /Results \(CSV/);
      assert.match(csv.split("\r\n")[0], /^task_id,external_id,title,abstract,authors/);
      assert.match(csv.split("\r\n")[0], /,status,decision,decided_by,confidence,answer_count,resolution_note$/);
      assert.match(csv, /,resolved,include,researcher,1,2,"Randomised, adults, falls outcome\."/);
      const answers = await downloaded(page, /Answers \(CSV/);
      assert.equal(answers.trim().split("\r\n").length, 1 + 8, answers);
      const ris = await downloaded(page, /Included records \(RIS/);
      const records = ris.split("ER  - ").filter((part) => part.includes("TY  - "));
      assert.equal(records.length, 1, ris);
      assert.match(ris, /^KW {2}- tessera:include\r$/m);
      assert.match(ris, /^TI {2}- .+\r$/m);

      // An observation form, created from the form alone (no file).
      await page.getByRole("link", { name: "Back to the project" }).click();
      await page.getByRole("link", { name: "Upload a batch" }).click();
      await page.getByLabel("Batch name").fill("Hand hygiene audit");
      await page.getByRole("radio", { name: /Observation logging/ }).check();
      await page.getByLabel("Observation form").fill([
        "moment | Moment | choice: before patient contact; after patient contact | required",
        "performed | Hand hygiene performed | yes_no | required",
        "seconds | Seconds of rubbing | number: 0..120 seconds",
      ].join("\n"));
      await page.getByRole("button", { name: "Upload and check" }).click();
      await page.getByRole("status").filter({ hasText: "The form is ready" }).waitFor();
      await check("10b-observation-form");

      // The staff member's certificate, checked as an appraiser would: by
      // opening its verification URL in the browser. Certificates cover
      // finished days, so today's credit is first moved to yesterday.
      const me = await json("GET", "/v1/me", undefined, staff);
      shift(me.id, "credits");
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const certificate = await json("POST", "/v1/me/certificates", { from: yesterday, to: yesterday }, staff);
      const path = new URL(certificate.verification_url).pathname;
      await page.goto(`${api}${path}`);
      await page.getByRole("heading", { level: 1, name: "Certificate check" }).waitFor();
      assert.match(page.url(), /\/verify\/\?id=/);
      assert.match(await page.getByRole("status").innerText(), /Genuine/);
      const checkText = await page.locator("main").innerText();
      assert.match(checkText, /Test Person/);
      // Time reads in hours and minutes, as on the PDF, never "0.00 hours".
      assert.match(checkText, /Credited time\s+(\d+ hours?( \d+ minutes?)?|\d+ minutes?|less than a minute)\s/);
      assert.doesNotMatch(checkText, /\d\.\d\d hours/);
      await check("11-certificate-check");

      // The credential the holder downloaded, handed to an appraiser who
      // pastes it on the check page: genuine; with its hours raised, not.
      const badge = await json("GET", `/v1/certificates/${certificate.certificate_id}/credential`, undefined, staff);
      await page.getByRole("link", { name: "Check a credential file you were given instead" }).click();
      await page.getByRole("heading", { level: 1, name: "Check a Tessera credential" }).waitFor();
      await page.getByLabel("Paste the credential").fill(JSON.stringify(badge));
      await page.getByRole("button", { name: "Check the credential" }).click();
      await page.getByRole("heading", { level: 2, name: "Genuine", exact: true }).waitFor();
      assert.match(await page.locator("main").innerText(), /Test Person/);
      await check("12-credential-check");
      const [header, payload, signature] = badge.jwt.split(".");
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
      claims.credentialSubject.creditsEarned = 400;
      const forged = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
      await page.getByLabel("Paste the credential").fill(forged);
      await page.getByRole("button", { name: "Check the credential" }).click();
      await page.getByRole("heading", { level: 2, name: "Not genuine" }).waitFor();
      // The certificate PDF itself carries the credential: chosen as a file, it checks out.
      const pdf = await fetch(`${api}/v1/certificates/${certificate.certificate_id}.pdf`, {
        headers: { Authorization: `Bearer ${staff}` },
      });
      assert.equal(pdf.status, 200);
      await page.getByLabel("Or choose the file (JSON or the certificate PDF)").setInputFiles({
        name: "certificate.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(await pdf.arrayBuffer()),
      });
      await page.getByRole("button", { name: "Check the credential" }).click();
      await page.getByRole("heading", { level: 2, name: "Genuine", exact: true }).waitFor();

      // The page a confirmation email links to: a link cut short, then a
      // token that is not one, each explained in words.
      await page.goto(`${api}/confirm/`);
      await page.getByRole("heading", { name: "This link is incomplete" }).waitFor();
      await check("12-confirm-incomplete");
      await page.goto("about:blank");
      await page.goto(`${api}/confirm/#token=not-a-real-token`);
      await page.getByRole("button", { name: "Confirm my email address" }).click();
      await page.getByRole("heading", { name: "This link did not work" }).waitFor();
      assert.match(await page.getByRole("alert").innerText(), /not a confirmation link/);
      await check("12-confirm-refused");
      assert.deepEqual(pageErrors, []);
    });
  });
}

async function downloaded(page, name) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name }).click(),
  ]);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  return readFileSync(path, "utf8");
}
