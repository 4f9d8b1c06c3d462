// The training page in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core), opened from the file system as a trainer
// would open it from a share: a passage is typed and its findings
// highlighted, the lexicon is browsed by category, a force's lexicon folder
// is loaded (one whose examples pass, one with failing examples, one that
// does not load), and no request leaves the page.
//
// usage: node --test web/tests/   (after web/build.sh)
// env:   CHROMIUM   the browser (default /usr/bin/chromium)
// Screenshots go to web/test-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(HERE, "..");
const PAGE = path.join(WEB, "dist/index.html");
const LEXICONS = path.join(HERE, "lexicons");
const ARTIFACTS = path.join(WEB, "test-artifacts");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

assert.ok(fs.existsSync(PAGE), `${PAGE} is missing: run web/build.sh first`);
assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
fs.mkdirSync(ARTIFACTS, { recursive: true });

let browser;
let context;
let page;
/** Every request the page made, and every console error and CSP report. */
const requests = [];
const problems = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
      "--metrics-recording-only",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  context.on("request", (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(PAGE).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
});

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

/** The rule ids of the highlighted findings, in order. */
async function marked() {
  return page.$$eval("#highlighted mark", (ms) => ms.map((m) => m.dataset.rule));
}

test("a typed passage has its findings highlighted, and harmless words are not", async () => {
  const passage = page.locator("#passage");
  await passage.fill("Jade (14) was reported missing overnight again. Staff say she is very ");
  // The last words typed key by key, as a trainer would.
  await passage.pressSequentially("streetwise and was putting herself at risk.\nShe has a boyfriend who is 24.\n", { delay: 5 });
  await passage.pressSequentially("Mum signed the consent form for the medical.", { delay: 5 });
  await page.waitForFunction(() => document.querySelector("#highlighted").textContent.endsWith("for the medical."));
  assert.deepStrictEqual(await marked(), ["streetwise", "put-self-at-risk", "boyfriend"]);
  const texts = await page.$$eval("#highlighted mark", (ms) => ms.map((m) => m.firstChild.textContent));
  assert.deepStrictEqual(texts, ["streetwise", "putting herself at risk", "boyfriend"]);
  // "consent form" is left alone: no mark covers it, no finding names it.
  const highlighted = await page.locator("#highlighted").textContent();
  assert.ok(highlighted.includes("consent form"));
  assert.ok(!texts.some((t) => /consent/i.test(t)));
  assert.equal(await page.locator("#summary").textContent(), "3 findings in this passage.");

  // Each finding says why and what to write instead.
  const first = page.locator("#findings > li[data-rule=streetwise]");
  assert.match(await first.textContent(), /Instead, write/);
  await first.locator("summary").click();
  const facts = await first.locator("dl.facts").textContent();
  assert.match(facts, /Why/);
  assert.match(facts, /Sources/);
  assert.match(facts, /Flagged, for example/);
  await shot("passage.png");

  // Words that are only harmless give no finding.
  await passage.fill("Mum signed the consent form. Mum's boyfriend drove her to school.");
  await page.waitForFunction(() => document.querySelector("#highlighted").textContent.startsWith("Mum signed"));
  assert.deepStrictEqual(await marked(), []);
  assert.equal(await page.locator("#findings > li").count(), 0);
  assert.equal(await page.locator("#summary").textContent(), "No findings in this passage.");
});

test("the lexicon lists each category's entries with why, alternatives, examples and sources", async () => {
  const buttons = await page.$$eval("#categories button", (bs) => bs.map((b) => b.dataset.category));
  assert.equal(buttons.length, 10);
  assert.ok(buttons.includes("adultifying"));
  await page.click("#categories button[data-category=adultifying]");
  assert.equal(await page.getAttribute("#categories button[data-category=adultifying]", "aria-pressed"), "true");
  const entries = await page.$$eval("#entries details.entry", (ds) => ds.map((d) => d.dataset.rule));
  assert.ok(entries.length >= 3, `only ${entries.length} adultifying entries`);
  assert.ok(entries.includes("streetwise"));
  const entry = page.locator("#entries details[data-rule=streetwise]");
  await entry.locator("summary").click();
  const text = await entry.textContent();
  for (const part of ["Why", "What to write instead", "Flagged, for example", "Sources"]) {
    assert.ok(text.includes(part), `no "${part}" in ${text}`);
  }
  assert.match(await page.locator("#category-description").textContent(), /older or more knowing/);
  await page.locator("#lexicon").screenshot({ path: path.join(ARTIFACTS, "lexicon.png") });
});

async function loadFolder(name) {
  await page.setInputFiles("#folder", path.join(LEXICONS, name));
  // The result names the files loaded, so an earlier folder's result does not count.
  await page.waitForFunction(
    (file) => document.querySelector("#force-result")?.textContent.includes(file),
    `${name}/local-terms.toml`,
  );
}

test("a force's lexicon folder whose examples pass is layered over the built-in one", async () => {
  await loadFolder("good");
  assert.equal(await page.locator("#force-result h3").textContent(), "Your lexicon is loaded");
  const summary = await page.locator("#force-summary").textContent();
  assert.match(summary, /good\/local-terms\.toml/);
  assert.match(summary, /\d+ passed, 0 failed \(with the built-in examples, run with your files layered on top\); 0 error\(s\), 0 warning\(s\)/);
  assert.match(summary, /Every example passed/);
  const rows = await page.$$eval("#examples tbody tr", (rs) => rs.map((r) => [r.dataset.rule, r.dataset.passed]));
  assert.equal(rows.length, 4);
  assert.ok(rows.every(([, passed]) => passed === "true"));
  await shot("force-good.png");

  // The passage checker uses the force's entries now, beside the built-in ones.
  await page.locator("#passage").fill("He is a wrong'un and mouthy, and streetwise.");
  await page.waitForFunction(() => document.querySelector("#highlighted").textContent.startsWith("He is a wrong"));
  assert.deepStrictEqual(await marked(), ["local-wrongun", "local-mouthy", "streetwise"]);
  await page.click("#categories button[data-category=discrediting]");
  assert.equal(await page.locator("#entries details[data-rule=local-wrongun] .badge.force").count(), 1);
});

test("failing examples are listed with file:line:column and what to write instead", async () => {
  await loadFolder("failing");
  const summary = await page.locator("#force-summary").textContent();
  assert.match(summary, /\d+ passed, 2 failed \(with the built-in examples[^)]*\); 2 error\(s\)/);
  const problems = await page.$$eval(".problems > li", (ls) => ls.map((l) => l.textContent));
  assert.equal(problems.length, 2);
  assert.ok(problems[0].includes("failing/local-terms.toml:12:3"), problems[0]);
  assert.ok(problems[0].includes("this example is not flagged by `local-troublemaker`"), problems[0]);
  assert.ok(problems[0].includes("What to write instead: add a term that matches this sentence"), problems[0]);
  assert.ok(problems[1].includes("failing/local-terms.toml:14:20"), problems[1]);
  const failed = await page.$$eval("#examples tr[data-passed=false] td:nth-child(4)", (ts) => ts.map((t) => t.textContent));
  assert.deepStrictEqual(failed, ["failing/local-terms.toml:12:3", "failing/local-terms.toml:14:20"]);
  await shot("force-failing.png");
});

test("a lexicon file with a mistake does not load, and the error names file:line:column", async () => {
  await loadFolder("broken");
  assert.equal(await page.locator("#force-result h3").textContent(), "Your lexicon did not load");
  const problem = page.locator(".problems > li").first();
  assert.equal(await problem.locator("code.where").textContent(), "broken/local-terms.toml:5:1");
  const text = await problem.textContent();
  assert.match(text, /unknown key `catgory` in an entry/);
  assert.match(text, /What to write instead: did you mean `category`\?/);
  // The page keeps the lexicon it had (the folder loaded before).
  await page.locator("#passage").fill("He is a known troublemaker.");
  await page.waitForFunction(() => document.querySelector("#highlighted").textContent.startsWith("He is a known"));
  assert.deepStrictEqual(await marked(), ["local-troublemaker"]);
  await shot("force-broken.png");
});

test("nothing was requested but the page's own three files, and no errors", async () => {
  const outside = requests.filter((u) => !u.startsWith("file://"));
  assert.deepStrictEqual(outside, [], "requests that left the page");
  const names = [...new Set(requests.map((u) => path.basename(new URL(u).pathname)))].sort();
  assert.deepStrictEqual(names, ["index.html", "style.css", "vblint-page.js"]);
  assert.deepStrictEqual(problems, []);
});
