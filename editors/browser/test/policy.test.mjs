// Force-wide settings through a real enterprise policy: a policy file in
// Chromium's managed policy folder (/etc/chromium/policies/managed/, so the
// test needs root) sets storage.managed for the unpacked extension, as
// Group Policy or a JSON policy file does on an officer's machine. Checks
// that the force's lexicon file, its disabled rule and its site list take
// effect and that the options page shows them locked.
//
// usage: sudo xvfb-run -a node --test test/policy.test.mjs   (after npm run build)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = fs.realpathSync(path.resolve(HERE, "../dist"));
const POLICY_DIR = process.env.CHROMIUM_POLICY_DIR ?? "/etc/chromium/policies/managed";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The id Chromium gives an unpacked extension: from the SHA-256 of its path. */
const ID = [...crypto.createHash("sha256").update(DIST).digest("hex").slice(0, 32)]
  .map((c) => String.fromCharCode(97 + parseInt(c, 16)))
  .join("");
const POLICY = path.join(POLICY_DIR, `vblint-test-${ID}.json`);

const LOCAL = `[[entry]]
id = "local-wrongun"
category = "discrediting"
terms = ["wrong'un"]
alternatives = ["describe what happened"]
why = "A label, not a description."
sources = ["Force guidance"]
examples = ["He is a wrong'un."]
`;

let ctx;
let srv;
let origin;
/** The browser profile made for the run, removed at the end. */
let profile;

before(async () => {
  try {
    fs.mkdirSync(POLICY_DIR, { recursive: true });
  } catch (e) {
    assert.fail(`cannot write Chromium's policy folder ${POLICY_DIR} (${e.code}): run this test as root`);
  }
  fs.writeFileSync(
    POLICY,
    JSON.stringify({
      "3rdparty": {
        extensions: {
          [ID]: {
            allowSites: ["127.0.0.1"],
            disabledRules: ["streetwise"],
            lexicons: [{ name: "force/local-terms.toml", text: LOCAL }],
            quotes: "skip",
          },
        },
      },
    }),
  );
  ({ server: srv, origin } = await serve());
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "vblint-policy-"));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: false,
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
});

after(async () => {
  await ctx?.close();
  srv?.close();
  fs.rmSync(POLICY, { force: true });
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

async function rules(page) {
  return page.evaluate(() => {
    const host = document.querySelector("vblint-overlay");
    return host ? [...host.shadowRoot.querySelectorAll("[data-vblint-rule]")].map((u) => u.dataset.vblintRule) : [];
  });
}

test("a policy's lexicon file, disabled rule and site list apply, and the options page shows them locked", async () => {
  const page = await ctx.newPage();
  await page.goto(`${origin}/pages/form.html`);
  await page.click("#note");
  await page.keyboard.type("He is a wrong'un, she is streetwise and keeps putting herself at risk. ", { delay: 2 });
  let got = [];
  for (const end = Date.now() + 15000; Date.now() < end && !(got.includes("local-wrongun") && got.includes("put-self-at-risk")); await sleep(200)) {
    got = await rules(page);
  }
  assert.deepEqual([...got].sort(), ["local-wrongun", "put-self-at-risk"], "the force's term is found and streetwise is off");

  // Another site (localhost is not 127.0.0.1): not on the allow list.
  const other = await ctx.newPage();
  await other.goto(`${origin.replace("127.0.0.1", "localhost")}/pages/form.html`);
  await other.click("#note");
  await other.keyboard.type("She keeps putting herself at risk. ", { delay: 2 });
  await sleep(2500);
  assert.deepEqual(await rules(other), [], "a site outside allowSites is not checked");

  const options = await ctx.newPage();
  await options.goto(`chrome-extension://${ID}/options.html`);
  await options.locator("#managed:not([hidden])").waitFor({ timeout: 5000 });
  assert.ok(await options.locator("#quotes").isDisabled(), "quotes is locked");
  assert.ok(await options.locator("#disabledRules").isDisabled(), "disabledRules is locked");
  assert.equal(await options.inputValue("#allowSites"), "127.0.0.1");
  assert.match(await options.locator("#lexicons").innerText(), /force\/local-terms\.toml \(set by your organisation\)/);
  await options.screenshot({ path: path.resolve(HERE, "../test-artifacts/options-policy.png") });
});
