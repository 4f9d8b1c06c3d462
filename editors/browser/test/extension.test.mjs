// The extension in a real Chromium (Debian's /usr/bin/chromium, headed
// under Xvfb: extensions need a headed browser), loaded unpacked from dist/
// into a fresh profile, on local pages that mimic a records system's
// case-note form: a textarea, a text input, a password input, a
// contenteditable region, a same-origin iframe, TinyMCE, CKEditor 5 and
// Quill. Notes are typed key by key; the tests check which words are
// underlined (by the caret position under each underline, not by the
// extension's own arithmetic), apply a fix and undo it with Ctrl+Z, and
// count every request that leaves for anywhere but the local test server.
//
// usage: xvfb-run -a node --test test/   (after npm run build)
// env:   CHROMIUM (default /usr/bin/chromium), ARTIFACTS (default test-artifacts/)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(HERE, "../dist");
const ARTIFACTS = path.resolve(process.env.ARTIFACTS ?? path.join(HERE, "../test-artifacts"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A real-looking note: two findings in the first sentence, harmless words
// that share them ("Mum's boyfriend", "consent form", "risk assessment"),
// and the child's own words in quotation marks.
const NOTE =
  "Leah (14) keeps putting herself at risk and is described as streetwise. " +
  "Her Mum's boyfriend collected her from school. Risk assessment completed; consent form signed. " +
  'Leah said "I\'m not a kid, I\'m streetwise". ';
// The second note names the child with her age: "sexually active" is flagged
// where the sentence or record is about a child.
const NOTE2 = "Leah (14) has been associating with older males and is sexually active with a 24-year-old. ";
const WANT = ["put-self-at-risk", "streetwise"];

let ctx;
let srv;
let origin;
/** The browser profile made for the run, removed at the end. */
let profile;
const outside = [];

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "manifest.json")), `${DIST}/manifest.json is missing: run npm run build`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ({ server: srv, origin } = await serve());
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "vblint-ext-"));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: false,
    viewport: { width: 1100, height: 900 },
    args: [
      `--disable-extensions-except=${DIST}`,
      `--load-extension=${DIST}`,
      "--no-sandbox",
      "--no-first-run",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  ctx.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("chrome-extension://") && !u.startsWith("data:") && !u.startsWith("blob:")) {
      outside.push(u);
    }
  });
});

after(async () => {
  await ctx?.close();
  srv?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  console.log(`screenshots: ${ARTIFACTS}`);
});

/** In a frame: every underline (data-vblint-rule in an open shadow root) with the word under it. */
async function underlines(frame) {
  return frame.evaluate(() => {
    const out = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.hasAttribute("data-vblint-rule")) {
          const r = el.getBoundingClientRect();
          // The character just above the middle of the underline.
          const host = root.host;
          host.style.display = "none";
          const pos = document.caretPositionFromPoint(r.left + r.width / 2, r.top - 6);
          host.style.display = "";
          let text = null;
          let offset = null;
          if (pos) {
            const n = pos.offsetNode;
            text = n.nodeType === Node.TEXT_NODE ? n.data : n.value ?? n.textContent;
            offset = pos.offset;
          }
          out.push({ rule: el.getAttribute("data-vblint-rule"), text, offset });
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return out;
  });
}

/** The word of `text` around `offset`. */
function wordAt(text, offset) {
  if (text == null || offset == null) return null;
  let a = offset;
  let b = offset;
  while (a > 0 && /[\w'-]/.test(text[a - 1])) a--;
  while (b < text.length && /[\w'-]/.test(text[b])) b++;
  return text.slice(a, b);
}

/** Waits until the frame's underlines include every rule of `want`. */
async function waitFor(frame, want, ms = 15000) {
  let got = [];
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) {
    got = await underlines(frame);
    if (want.every((w) => got.some((u) => u.rule === w))) return got;
  }
  assert.fail(`underlines ${JSON.stringify(got.map((u) => u.rule))}, wanted ${JSON.stringify(want)}`);
}

/**
 * Checks each underline sits on a word of a phrase its rule should match
 * outside quotation marks, and none on the harmless words.
 */
function checkWords(got) {
  const phrases = {
    "put-self-at-risk": ["putting", "herself", "at", "risk"],
    streetwise: ["streetwise"],
    "associating-with": ["associating", "with", "older", "males"],
    "sexually-active": ["sexually", "active"],
  };
  for (const u of got) {
    const word = wordAt(u.text, u.offset);
    assert.ok(phrases[u.rule], `unexpected underline ${u.rule} on ${JSON.stringify(word)}`);
    assert.ok(phrases[u.rule].includes(word), `the ${u.rule} underline is on ${JSON.stringify(word)}`);
    // Nothing inside quoted speech: an even number of quotation marks before it.
    const quotes = (u.text.slice(0, u.offset).match(/"/g) ?? []).length;
    assert.equal(quotes % 2, 0, `${u.rule} underlined inside a quotation`);
  }
  for (const harmless of ["boyfriend", "consent", "form", "assessment"]) {
    assert.ok(!got.some((u) => wordAt(u.text, u.offset) === harmless), `"${harmless}" is underlined`);
  }
}

/** Waits until `read()` gives `want` (up to 5 s), then asserts it. */
async function until(read, want, message) {
  let got;
  for (const end = Date.now() + 5000; Date.now() < end; await sleep(100)) {
    got = await read();
    if (got === want) return;
  }
  assert.equal(got, want, message);
}

async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Hovers an underline of `rule`, clicks "Apply", and returns the card's apply text. */
async function applyFix(page, frame, rule, cardShot) {
  const box = await frame.evaluate((rule) => {
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.getAttribute("data-vblint-rule") === rule) return el.getBoundingClientRect().toJSON();
        if (el.shadowRoot) {
          const r = walk(el.shadowRoot);
          if (r) return r;
        }
      }
      return null;
    };
    return walk(document);
  }, rule);
  assert.ok(box, `no ${rule} underline`);
  const f = frame.mainFrame ? frame.mainFrame() : frame;
  const off = f.parentFrame() ? await (await f.frameElement()).boundingBox() : { x: 0, y: 0 };
  await page.mouse.move(off.x + box.x + box.width / 2, off.y + box.y - 4);
  const button = frame.locator("vblint-overlay .card [data-vblint-apply]").first();
  await button.waitFor({ timeout: 5000 });
  const replacement = await button.getAttribute("data-vblint-apply");
  if (cardShot) {
    // The card says why (from the lexicon) once the service worker answers.
    await frame.locator("vblint-overlay .card[data-vblint-ready]").waitFor({ timeout: 5000 });
    await shot(page, cardShot);
  }
  await button.click();
  return replacement;
}

async function open(name) {
  const page = await ctx.newPage();
  if (process.env.VBDEBUG) page.on("console", (m) => m.text().startsWith("VBDEBUG") && console.log(m.text()));
  await page.goto(`${origin}/pages/${name}`);
  return page;
}

test("textarea and text input: underlines on the right words, none on harmless ones; a fix applies and Ctrl+Z undoes it", async () => {
  const page = await open("form.html");
  await page.click("#note");
  await page.keyboard.type(NOTE + NOTE2, { delay: 2 });
  const got = await waitFor(page, [...WANT, "associating-with", "sexually-active"]);
  const value = await page.inputValue("#note");
  checkWords(got);
  assert.equal(got.filter((u) => u.rule === "streetwise").length, 1, "the quoted streetwise is underlined");
  await shot(page, "textarea");

  const before = await page.inputValue("#note");
  const replacement = await applyFix(page, page, "put-self-at-risk", "textarea-card");
  assert.match(replacement, /^being placed at risk/);
  await until(() => page.inputValue("#note"), before.replace("putting herself at risk", replacement));
  await shot(page, "textarea-fixed");
  await page.keyboard.press("Control+z");
  await until(() => page.inputValue("#note"), before, "Ctrl+Z restores the note");

  // A one-line text input is checked; a password input never is.
  await page.click("#subject");
  await page.keyboard.type("Missing episode: streetwise girl seen with older males", { delay: 2 });
  await page.click("#pin");
  await page.keyboard.type("streetwise", { delay: 2 });
  await sleep(1500);
  const all = await waitFor(page, ["streetwise"]);
  const subjectValue = await page.inputValue("#subject");
  assert.ok(all.some((u) => u.text === subjectValue && wordAt(u.text, u.offset) === "streetwise"), "the subject's streetwise is underlined");
  assert.ok(!all.some((u) => u.text === "streetwise"), "a password field is checked");
  await page.close();
});

test("contenteditable and a same-origin iframe (textarea and contenteditable inside it)", async () => {
  const page = await open("form.html");
  await page.click("#summary");
  await page.keyboard.type(NOTE, { delay: 2 });
  checkWords(await waitFor(page, WANT));
  const frame = page.frame({ url: /frame\.html/ });
  await frame.click("#inner");
  await page.keyboard.type(NOTE, { delay: 2 });
  await frame.click("#agency-note");
  await page.keyboard.type(NOTE2, { delay: 2 });
  const inFrame = await waitFor(frame, [...WANT, "associating-with", "sexually-active"]);
  checkWords(inFrame);
  await shot(page, "contenteditable-iframe");

  // Apply and undo in the contenteditable.
  const before = await page.locator("#summary").innerText();
  const replacement = await applyFix(page, page, "put-self-at-risk");
  await until(() => page.locator("#summary").innerText(), before.replace("putting herself at risk", replacement));
  await page.keyboard.press("Control+z");
  await until(() => page.locator("#summary").innerText(), before, "Ctrl+Z restores the summary");
  await page.close();
});

/** The frame of a rich-text editor's editable body (TinyMCE edits in an iframe). */
async function editorFrame(page, id) {
  for (let i = 0; i < 150; i++) {
    for (const f of page.frames()) {
      if (f !== page.mainFrame() && (await f.evaluate((id) => document.body?.id === id, id).catch(() => false))) return f;
    }
    await sleep(100);
  }
  assert.fail(`no editor frame: ${JSON.stringify(await Promise.all(page.frames().map(async (f) => [f.url(), await f.evaluate(() => document.body?.id).catch((e) => String(e))])))}`);
}

test("TinyMCE: underlines in its editing iframe; a fix goes through its undo history", async () => {
  const page = await open("tinymce.html");
  await page.waitForFunction(() => window.editorReady);
  await page.evaluate(() => window.editorReady);
  const frame = await editorFrame(page, "tinymce");
  await frame.click("body");
  await page.keyboard.type(NOTE, { delay: 2 });
  const got = await waitFor(frame, WANT);
  checkWords(got);
  await shot(page, "tinymce");
  const before = await page.evaluate(() => window.editor.getContent({ format: "text" }));
  assert.ok(before.includes("putting herself at risk"));
  const replacement = await applyFix(page, frame, "put-self-at-risk");
  const text = () => page.evaluate(() => window.editor.getContent({ format: "text" }));
  await until(text, before.replace("putting herself at risk", replacement));
  await page.keyboard.press("Control+z");
  await until(text, before, "Ctrl+Z (TinyMCE's undo) restores the note");
  await page.close();
});

test("CKEditor 5: underlines on its editable; a fix goes through its model and undo", async () => {
  const page = await open("ckeditor.html");
  await page.evaluate(() => window.editorReady);
  await page.click(".ck-editor__editable");
  await page.keyboard.type(NOTE, { delay: 2 });
  const got = await waitFor(page, WANT);
  checkWords(got);
  await shot(page, "ckeditor5");
  const text = () => page.evaluate(() => window.editor.getData().replace(/<[^>]+>/g, "").replace(/&nbsp;/g, " "));
  const before = await text();
  const replacement = await applyFix(page, page, "put-self-at-risk");
  await until(text, before.replace("putting herself at risk", replacement));
  await page.keyboard.press("Control+z");
  await until(text, before, "Ctrl+Z (CKEditor's undo) restores the note");
  await page.close();
});

test("Quill: underlines on its editor; a fix goes into its history", async () => {
  const page = await open("quill.html");
  await page.click(".ql-editor");
  await page.keyboard.type(NOTE, { delay: 2 });
  const got = await waitFor(page, WANT);
  checkWords(got);
  await shot(page, "quill");
  const text = () => page.evaluate(() => window.editor.getText());
  const before = await text();
  // Quill's history makes changes less than its `delay` apart (1 s) one
  // undo step, so a fix applied at once would be undone with the last
  // words typed. An officer reads the card first; so does the test.
  const delay = await page.evaluate(() => window.editor.history.options.delay);
  await sleep(delay + 200);
  const replacement = await applyFix(page, page, "put-self-at-risk");
  await until(text, before.replace("putting herself at risk", replacement));
  await page.keyboard.press("Control+z");
  await until(text, before, "Ctrl+Z (Quill's history) restores the note");
  await page.close();
});

test("the card's Explain opens the rule's page inside the extension, as text", async () => {
  const page = await open("form.html");
  await page.click("#note");
  await page.keyboard.type("Jade (15) is streetwise. ", { delay: 2 });
  const box = await (await waitFor(page, ["streetwise"]), page.evaluate(() =>
    document.querySelector("vblint-overlay").shadowRoot.querySelector("[data-vblint-rule=streetwise]").getBoundingClientRect().toJSON()));
  await page.mouse.move(box.x + box.width / 2, box.y - 4);
  const explain = page.locator("vblint-overlay .card [data-vblint-explain]");
  await explain.waitFor({ timeout: 5000 });
  const [tab] = await Promise.all([ctx.waitForEvent("page"), explain.click()]);
  await tab.waitForLoadState();
  assert.match(tab.url(), /^chrome-extension:\/\/[a-p]{32}\/explain\.html\?rule=streetwise$/);
  await tab.locator("h1", { hasText: "streetwise" }).waitFor({ timeout: 5000 });
  const text = await tab.locator("main").innerText();
  assert.match(text, /Why/);
  assert.match(text, /Write instead/);
  await shot(tab, "explain-page");
  await tab.close();
  await page.close();
});

test("options: quotation policy and a site switched off take effect on the next check", async () => {
  const page = await open("form.html");
  const id = await extensionId();
  const options = await ctx.newPage();
  await options.goto(`chrome-extension://${id}/options.html`);
  await options.selectOption("#quotes", "flag");
  await options.click("button[type=submit]");
  await options.locator("#saved", { hasText: "Saved." }).waitFor();
  await shot(options, "options");
  await page.bringToFront();
  await page.click("#note");
  await page.keyboard.type('Leah said "I\'m streetwise". ', { delay: 2 });
  let got = [];
  for (const end = Date.now() + 10000; Date.now() < end && got.length < 1; await sleep(200)) {
    got = (await underlines(page)).filter((u) => u.rule === "streetwise");
  }
  assert.equal(got.length, 1, "with quotes = flag the quoted term is underlined");

  await options.bringToFront();
  await options.fill("#denySites", "127.0.0.1");
  await options.selectOption("#quotes", "skip");
  await options.click("button[type=submit]");
  await options.locator("#saved", { hasText: "Saved." }).waitFor();
  const other = await open("form.html");
  await other.click("#note");
  await other.keyboard.type("She is streetwise and was putting herself at risk. ", { delay: 2 });
  await sleep(2500);
  assert.deepEqual(await underlines(other), [], "a denied site is not checked");
  // Back to the defaults for any later test.
  await options.bringToFront();
  await options.fill("#denySites", "");
  await options.click("button[type=submit]");
  await options.close();
  await other.close();
  await page.close();
});

async function extensionId() {
  const sw = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent("serviceworker"));
  return new URL(sw.url()).host;
}

test("no request left for anywhere but the local test server", () => {
  assert.deepEqual(outside, []);
});
