// The WebAssembly package reports what the command line reports.
//
// Every passage of tests/corpus/*.toml (the blind set, blind.toml, among them) is
// checked by `vblint check --format jsonl` (the binary built from this tree)
// and by the package's `check` / `Linter.check`, under several settings
// (quotation policies, disabled rules, a force's lexicon layered over the
// built-in one); the findings must be equal field by field. The UTF-16
// offsets the package adds must select the matched text in the JavaScript
// string. Lexicon files with mistakes must give the command line's messages.
//
// usage: node --test crates/vblint-wasm/tests/   (after build.sh and `cargo build`)
// env:   VBLINT_BIN   the vblint binary (default: target/debug/vblint)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CRATE = path.resolve(HERE, "..");
const ROOT = path.resolve(CRATE, "../..");
const BIN = process.env.VBLINT_BIN ?? path.join(ROOT, "target/debug/vblint");

const pkg = await import(path.join(CRATE, "pkg/vblint.js"));
pkg.initSync({ module: fs.readFileSync(path.join(CRATE, "pkg/vblint_bg.wasm")) });

/** Text the corpus has little or none of: CRLF, characters outside the
 * Basic Multilingual Plane, combining marks, no-break spaces, Unicode
 * hyphens, curly quotes, words broken at a line end. */
const EXTRA = [
  { id: "extra-crlf", text: "Line one.\r\nShe is very streetwise.\r\nHe was putting himself\r\nat risk.\r\n" },
  { id: "extra-emoji", text: "😀👍🏽 She is streetwise 😀 and “promiscuous”, he said.\n💬 ‘She consented.’\n" },
  { id: "extra-combining", text: "Zoe\u0308 (13) is streetwise; cafe\u0301 staff say she is promiscuous.\n" },
  { id: "extra-spaces", text: "She was putting\u00a0herself at\u2011risk and is street\u2010wise.\u2003He absconded.\n" },
  { id: "extra-broken", text: "She is street-\nwise and was putting her-\nself at risk.\n" },
  { id: "extra-wide", text: "记录：She is streetwise. 𝒜𝒷 he consented to sex with the 25-year-old.\n" },
];

/** Every passage of the corpus (with the blind set), and EXTRA: { id, text }. */
function passages() {
  const files = fs
    .readdirSync(path.join(ROOT, "tests/corpus"))
    .filter((f) => f.endsWith(".toml"))
    .map((f) => path.join(ROOT, "tests/corpus", f));
  const out = [];
  for (const file of files) {
    for (const c of parseToml(fs.readFileSync(file, "utf8")).case ?? []) {
      out.push({ id: c.id, text: c.text });
    }
  }
  return out.concat(EXTRA);
}

const PASSAGES = passages();
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), "vblint-wasm-parity-"));
for (const p of PASSAGES) {
  fs.writeFileSync(path.join(DIR, `${p.id}.txt`), p.text);
}

/** Runs the command line on every passage; returns its findings by path. */
function cli(args) {
  const files = PASSAGES.map((p) => `${p.id}.txt`);
  const run = spawnSync(BIN, ["check", "--format", "jsonl", "--no-config", ...args, ...files], {
    cwd: DIR,
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  if (run.error) throw new Error(`cannot run ${BIN}: ${run.error.message} (build it with cargo build)`);
  assert.ok(run.status === 0 || run.status === 1, `vblint exited ${run.status}: ${run.stderr}`);
  const byPath = new Map();
  for (const line of run.stdout.split("\n")) {
    if (!line) continue;
    const record = JSON.parse(line);
    if (record.type !== "finding") continue;
    if (!byPath.has(record.path)) byPath.set(record.path, []);
    byPath.get(record.path).push(record);
  }
  return byPath;
}

/** Checks every passage with `check(text, options)` against the CLI's findings. */
function compare(expected, check) {
  let total = 0;
  let quoted = 0;
  for (const p of PASSAGES) {
    const name = `${p.id}.txt`;
    const found = check(p.text, name);
    const bytes = Buffer.from(p.text, "utf8");
    for (const f of found) {
      assert.equal(p.text.slice(f.startUtf16, f.endUtf16), f.text, `${p.id}: UTF-16 span of ${f.rule}`);
      assert.equal(bytes.subarray(f.start, f.end).toString("utf8"), f.text, `${p.id}: byte span of ${f.rule}`);
      quoted += f.quoted ? 1 : 0;
    }
    const withoutUtf16 = found.map(({ startUtf16, endUtf16, ...rest }) => rest);
    assert.deepStrictEqual(withoutUtf16, expected.get(name) ?? [], `findings of ${p.id}`);
    total += found.length;
  }
  return { total, quoted };
}

test("the corpus has passages to compare", () => {
  assert.ok(PASSAGES.length > 700, `only ${PASSAGES.length} passages`);
  assert.ok(PASSAGES.some((p) => /[^\x00-\x7f]/.test(p.text)), "no passage has non-ASCII text");
});

test("check() with the default settings equals vblint check", () => {
  const { total, quoted } = compare(cli([]), (text, name) => pkg.check(text, { path: name }));
  assert.ok(total > 400, `only ${total} findings`);
  assert.ok(quoted > 10, `only ${quoted} quoted findings`);
});

test("check() with each quotation policy equals vblint check --quotes", () => {
  for (const quotes of ["skip", "info", "flag"]) {
    const { quoted } = compare(cli(["--quotes", quotes]), (text, name) =>
      pkg.check(text, { path: name, quotes }),
    );
    if (quotes === "skip") assert.equal(quoted, 0);
    else assert.ok(quoted > 10, `${quotes}: only ${quoted} quoted findings`);
  }
});

test("disabled rules and a record id", () => {
  const disable = ["consent", "put-self-at-risk", "absconded"];
  const expected = cli(disable.flatMap((r) => ["--disable", r]));
  for (const findings of expected.values()) {
    for (const f of findings) {
      assert.ok(!disable.includes(f.rule));
      f.record = "R-1";
    }
  }
  compare(expected, (text, name) => pkg.check(text, { path: name, disable, record: "R-1" }));
});

test("a Linter with a force's lexicon layered over the built-in one equals vblint check --lexicon", () => {
  const folder = "tests/fixtures/lexicon/local";
  const files = fs
    .readdirSync(path.join(ROOT, folder))
    .filter((f) => f.endsWith(".toml"))
    .sort()
    .map((f) => ({ name: `${folder}/${f}`, text: fs.readFileSync(path.join(ROOT, folder, f), "utf8") }));
  const expected = cli(["--lexicon", path.join(ROOT, folder)]);
  // The command line names a lexicon file by the path it was given.
  const linter = new pkg.Linter({ lexicon: [files.map((f) => ({ ...f, name: path.join(ROOT, f.name) }))] });
  const { total } = compare(expected, (text, name) => linter.check(text, { path: name }));
  assert.ok(total > 400);
  assert.equal(linter.explain("lifestyle-choice").severity, "error");
  assert.equal(linter.explain("promiscuous").retired, true);
  const rules = new Map(linter.rules().map((r) => [r.id, r]));
  assert.equal(rules.get("promiscuous").enabled, false);
});

test("lexicon files with mistakes give the command line's messages", () => {
  const folder = path.join(ROOT, "tests/fixtures/lexicon/bad");
  let failures = 0;
  for (const f of fs.readdirSync(folder).filter((f) => f.endsWith(".toml")).sort()) {
    const file = path.join(folder, f);
    const run = spawnSync(BIN, ["check", "--no-config", "--lexicon", file, "-"], { input: "", encoding: "utf8" });
    let problems = null;
    try {
      new pkg.Linter({ lexicon: [{ name: file, text: fs.readFileSync(file, "utf8") }] });
    } catch (e) {
      assert.equal(e.name, "VblintError");
      problems = e.problems;
    }
    if (run.status !== 2) {
      assert.equal(problems, null, `${f}: the command line accepts it, the package refuses it`);
      continue;
    }
    failures += 1;
    assert.ok(problems, `${f}: the command line refuses it, the package accepts it`);
    for (const p of problems) {
      assert.ok(run.stderr.includes(p.rendered), `${f}: ${p.rendered}\nnot in\n${run.stderr}`);
      if (p.line !== null) assert.ok(p.text.startsWith(`${file}:${p.line}:${p.column}: `), p.text);
    }
    assert.match(run.stderr, new RegExp(`the lexicon has ${problems.length} problem\\(s\\)`));
  }
  assert.ok(failures >= 3, `only ${failures} bad lexicons were refused`);
});

test("explain() and alternatives() describe what vblint explain prints", () => {
  const run = spawnSync(BIN, ["explain", "streetwise", "--no-config"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const e = pkg.explain("streetwise");
  assert.ok(run.stdout.startsWith(`${e.id} (${e.category}, ${e.severity})`));
  assert.ok(run.stdout.includes(`Why it matters\n  ${e.why}\n`));
  for (const a of e.alternatives) assert.ok(run.stdout.includes(`  - ${a}\n`), a);
  for (const s of e.sources) assert.ok(run.stdout.includes(`  - ${s}\n`), s);
  for (const x of e.examples) assert.ok(run.stdout.includes(`  - ${x}\n`), x);
  assert.ok(run.stdout.includes(`Defined in ${e.file}:${e.line}`));
  assert.deepStrictEqual(pkg.alternatives("streetwise"), e.alternatives);
  assert.throws(() => pkg.explain("streetwyse"), (err) => {
    assert.equal(err.name, "VblintError");
    assert.equal(err.problems[0].help, "did you mean `streetwise`?");
    return true;
  });
});

test("unknown options and rule ids are refused with a way out", () => {
  assert.throws(() => pkg.check("x", { quote: "skip" }), /unknown option `quote`.*did you mean `quotes`/);
  assert.throws(() => pkg.check("x", { disable: ["streetwyse"] }), /no lexicon entry `streetwyse`.*did you mean `streetwise`/);
  assert.throws(() => new pkg.Linter({ quotes: "loud" }), /`loud` is not a quotation policy/);
  assert.throws(() => pkg.check(42), /the text to check must be a string/);
  assert.throws(() => new pkg.Linter().check("x", { quotes: "skip" }), /unknown option `quotes`.*new Linter/s);
});

test.after(() => fs.rmSync(DIR, { recursive: true, force: true }));

test("Linter.test() and Linter.validate() report what vblint lexicon test and check report", () => {
  const folders = ["tests/fixtures/lexicon/local", "tests/fixtures/lexicon/new", "web/tests/lexicons/failing"];
  let failedSeen = 0;
  for (const folder of folders) {
    const dir = path.join(ROOT, folder);
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".toml"))
      .sort()
      .map((f) => ({ name: path.join(dir, f), text: fs.readFileSync(path.join(dir, f), "utf8") }));
    const linter = new pkg.Linter({ lexicon: [files] });

    const run = spawnSync(BIN, ["lexicon", "test", dir], { encoding: "utf8" });
    const report = linter.test();
    assert.match(run.stdout, new RegExp(`\\n${report.passed} passed, ${report.failed} failed\\n`), `${folder}: ${run.stdout}`);
    const cliFailed = run.stdout.split("\n").filter((l) => l.startsWith("FAILED ")).sort();
    const failed = report.results
      .filter((r) => !r.passed)
      .map((r) => `FAILED ${r.rule} ${r.kind} ${r.number}`)
      .sort();
    assert.deepStrictEqual(failed, cliFailed, folder);
    for (const r of report.results.filter((r) => !r.passed)) {
      assert.ok(run.stderr.includes(r.problem.rendered), `${folder}: ${r.problem.rendered}\nnot in\n${run.stderr}`);
      assert.ok(r.problem.text.startsWith(`${r.file}:${r.line}:`), r.problem.text);
    }
    failedSeen += report.failed;

    const check = spawnSync(BIN, ["lexicon", "check", dir], { encoding: "utf8" });
    const problems = linter.validate();
    const errors = problems.filter((p) => p.severity === "error").length;
    const warnings = problems.length - errors;
    assert.match(check.stderr + check.stdout, new RegExp(`${errors} error\\(s\\), ${warnings} warning\\(s\\)`), folder);
    for (const p of problems) assert.ok(check.stderr.includes(p.rendered), `${folder}: ${p.rendered}`);
  }
  assert.ok(failedSeen >= 2, `only ${failedSeen} failing examples`);
});
