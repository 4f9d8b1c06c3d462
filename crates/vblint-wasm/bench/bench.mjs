// Benchmark of the WebAssembly package in headless Chromium (BENCHMARKS.md,
// "WASM package"): size, time to instantiate, time to re-check 100 KB.
//
// usage: node bench/bench.mjs [RUNS]     (in crates/vblint-wasm, after build.sh and npm ci)
// env:   CHROMIUM   the browser (default /usr/bin/chromium, Debian's package)
//
// A local server on 127.0.0.1 serves this folder from memory; each run
// opens bench/page.html in a fresh browser context (no HTTP or code cache
// from the run before) and reads what the page timed: fetching the .wasm,
// compiling it, instantiating it, new Linter() (loading and compiling the
// built-in lexicon), the first check of a 100 KB text made of the corpus
// passages and 20 more checks of it. "ready" is compile + instantiate +
// new Linter. The budgets are checked at the end: the script exits 1 if the
// median of a measure is over its budget.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { parse as parseToml } from "smol-toml";

const CRATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = path.resolve(CRATE, "../..");
const RUNS = Number(process.argv[2] ?? 7);
const RECHECKS = 20;
const BUDGET = { gzipped: 1.5e6, ready: 150, recheck: 10 };

/** About 100 KB of case-note text: the corpus passages, repeated. */
function text100k() {
  const dir = path.join(ROOT, "tests/corpus");
  const passages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".toml"))
    .sort()
    .flatMap((f) => parseToml(fs.readFileSync(path.join(dir, f), "utf8")).case.map((c) => c.text));
  let text = "";
  for (let i = 0; Buffer.byteLength(text) < 100_000; i++) text += passages[i % passages.length] + "\n";
  return text;
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
/** Serves bench/ and pkg/, read into memory first. */
function serve() {
  const files = new Map();
  for (const dir of ["bench", "pkg"]) {
    for (const name of fs.readdirSync(path.join(CRATE, dir), { recursive: true })) {
      const file = path.join(CRATE, dir, name);
      if (fs.statSync(file).isFile()) files.set(`/${dir}/${name.split(path.sep).join("/")}`, fs.readFileSync(file));
    }
  }
  const server = http.createServer((req, res) => {
    const body = files.get(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(req.url)] ?? "application/octet-stream" });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => x.toFixed(2);

const wasm = fs.readFileSync(path.join(CRATE, "pkg/vblint_bg.wasm"));
const js = fs.readFileSync(path.join(CRATE, "pkg/vblint.js"));
const size = {
  wasm: wasm.length,
  wasmGzipped: zlib.gzipSync(wasm, { level: 9 }).length,
  js: js.length,
  jsGzipped: zlib.gzipSync(js, { level: 9 }).length,
};
const text = text100k();

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/bench/page.html`);
    await page.waitForFunction(() => document.getElementById("status").textContent !== "loading…");
    const status = await page.textContent("#status");
    if (errors.length || status !== "ready") throw new Error(`the page failed: ${status} ${errors.join("; ")}`);
    const load = await page.evaluate(() => window.vblintLoad);
    const check = await page.evaluate(([t, n]) => window.recheck(t, n), [text, RECHECKS]);
    runs.push({ ...load, findings: check.findings, firstCheck: check.first, recheck: median(check.times), recheckMin: Math.min(...check.times), recheckMax: Math.max(...check.times) });
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

console.log(`Chromium ${browser.version()}, ${RUNS} runs (fresh context each), text ${Buffer.byteLength(text)} bytes, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`size: vblint_bg.wasm ${size.wasm} bytes (${size.wasmGzipped} gzipped), vblint.js ${size.js} (${size.jsGzipped} gzipped)`);
console.log("run | fetch ms | compile ms | instantiate ms | new Linter ms | ready ms | findings | first check ms | re-check ms (median, min–max of 20)");
runs.forEach((r, i) =>
  console.log(
    `${i + 1} | ${ms(r.fetch)} | ${ms(r.compile)} | ${ms(r.instantiate)} | ${ms(r.linter)} | ${ms(r.ready)} | ${r.findings} | ${ms(r.firstCheck)} | ${ms(r.recheck)} (${ms(r.recheckMin)}–${ms(r.recheckMax)})`,
  ),
);
const column = (k) => runs.map((r) => r[k]);
console.log(
  `medians: fetch ${ms(median(column("fetch")))}, compile ${ms(median(column("compile")))}, instantiate ${ms(median(column("instantiate")))}, new Linter ${ms(median(column("linter")))}, first check ${ms(median(column("firstCheck")))}; minimum ready ${ms(Math.min(...column("ready")))}`,
);
const summary = {
  gzipped: size.wasmGzipped + size.jsGzipped,
  ready: median(runs.map((r) => r.ready)),
  recheck: median(runs.map((r) => r.recheck)),
};
console.log(`median: ready ${ms(summary.ready)} ms, re-check ${ms(summary.recheck)} ms; download ${summary.gzipped} bytes gzipped (wasm + js)`);
let over = false;
for (const [k, limit] of Object.entries(BUDGET)) {
  const ok = summary[k] <= limit;
  over ||= !ok;
  console.log(`budget ${k}: ${ok ? "met" : "OVER"} (${summary[k] < 1000 ? ms(summary[k]) : summary[k]} ≤ ${limit})`);
}
process.exit(over ? 1 : 0);
