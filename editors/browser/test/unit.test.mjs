// Site lists, and what the built extension may do: its manifest asks for
// no permission but storage and no host access beyond its content script,
// and no file of it holds code that could send anything over the network.
//
// usage: node --test test/unit.test.mjs   (after npm run build)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { matches, runsOn, DEFAULTS, USER_ONLY } from "../src/settings.js";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");

test("site patterns: host names, *. for a host and those under it, address prefixes", () => {
  assert.ok(matches("records.example.org", "https://records.example.org/case/1"));
  assert.ok(!matches("records.example.org", "https://evil-records.example.org/"));
  assert.ok(matches("*.police.example", "https://cms.force.police.example/x"));
  assert.ok(matches("*.police.example", "https://police.example/"));
  assert.ok(!matches("*.police.example", "https://police.example.com/"));
  assert.ok(matches("127.0.0.1:8080", "http://127.0.0.1:8080/a"));
  assert.ok(!matches("127.0.0.1:8080", "http://127.0.0.1:9090/a"));
  assert.ok(matches("https://cms.example.org/case/*", "https://cms.example.org/case/17/edit"));
  assert.ok(!matches("https://cms.example.org/case/*", "https://cms.example.org/admin"));
  assert.ok(!matches("", "https://x.example/"));
  assert.ok(!matches("x.example", "not a url"));
});

test("runsOn: deny wins; an allow list limits the page and its frames; off is off", () => {
  const s = { ...USER_ONLY, ...DEFAULTS };
  assert.ok(runsOn(s, ["https://a.example/"]));
  assert.ok(!runsOn({ ...s, enabled: false }, ["https://a.example/"]));
  assert.ok(!runsOn({ ...s, denySites: ["a.example"] }, ["https://a.example/"]));
  const allow = { ...s, allowSites: ["*.force.example"] };
  assert.ok(runsOn(allow, ["https://cms.force.example/", "about:blank"]));
  assert.ok(!runsOn(allow, ["https://webmail.example/"]));
  // A frame of another site inside an allowed page, and the other way round.
  assert.ok(!runsOn(allow, ["https://ads.example/frame", "https://cms.force.example/"]));
  assert.ok(!runsOn({ ...allow, denySites: ["cms.force.example"] }, ["https://cms.force.example/"]));
  assert.ok(!runsOn(s, ["chrome://settings", "about:blank"]));
});

test("the manifest asks for storage only, with no host permissions and nothing web-accessible", () => {
  const m = JSON.parse(fs.readFileSync(path.join(DIST, "manifest.json"), "utf8"));
  assert.equal(m.manifest_version, 3);
  assert.deepEqual(m.permissions, ["storage"]);
  assert.equal(m.host_permissions, undefined);
  assert.equal(m.optional_permissions, undefined);
  assert.equal(m.web_accessible_resources, undefined);
  assert.equal(m.externally_connectable, undefined);
  assert.match(m.content_security_policy.extension_pages, /^script-src 'self' 'wasm-unsafe-eval'; object-src 'self'$/);
  assert.equal(m.storage.managed_schema, "managed_schema.json");
  for (const f of [m.background.service_worker, ...m.content_scripts[0].js, m.options_ui.page, "explain.html", "vblint_bg.wasm", m.storage.managed_schema]) {
    assert.ok(fs.existsSync(path.join(DIST, f)), `${f} is in dist/`);
  }
  const ff = JSON.parse(fs.readFileSync(path.join(DIST, "../dist-firefox/manifest.json"), "utf8"));
  assert.deepEqual(ff.background, { scripts: ["background.js"], type: "module" });
  assert.ok(ff.browser_specific_settings.gecko.id);
});

test("no built file holds code that sends anything over the network", () => {
  const NETWORK = /\b(XMLHttpRequest|WebSocket|EventSource|sendBeacon|RTCPeerConnection|importScripts)\b|https?:\/\/(?!www\.w3\.org\/)/;
  const files = fs.readdirSync(DIST, { recursive: true }).filter((f) => /\.(js|html)$/.test(f));
  assert.ok(files.some((f) => f.startsWith("snippets/")), "the glue's snippets are copied");
  for (const f of files) {
    const text = fs.readFileSync(path.join(DIST, f), "utf8");
    if (f.endsWith(".js")) assert.doesNotMatch(text, NETWORK, `${f}`);
    // Pages load only their own files (their help text may show addresses).
    else assert.doesNotMatch(text, /\b(src|href|action)\s*=\s*["']?(https?:|\/\/)/i, `${f}`);
    // The one fetch: the WebAssembly glue loading the module from the extension itself.
    const fetches = text.match(/\bfetch\(/g) ?? [];
    if (f === "vblint.js") assert.ok(fetches.length <= 1, "vblint.js fetches only its module");
    else assert.equal(fetches.length, 0, `${f} calls fetch`);
  }
});
