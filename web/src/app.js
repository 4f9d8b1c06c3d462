// The training page: checks a passage, browses the lexicon, and loads a
// force's lexicon folder, all with vblint's WebAssembly package. build.mjs
// bundles this file, the package's glue and the .wasm bytes into one
// classic script, so the page works from file:// with no fetch.
import init, { categories, version, Linter } from "../../crates/vblint-wasm/pkg/vblint.js";
import wasmBytes from "../../crates/vblint-wasm/pkg/vblint_bg.wasm";

const EXAMPLE = `Jade (14) was reported missing overnight again. Staff say she is very streetwise and was putting herself at risk by going to the flat.
She has a boyfriend who is 24. She told officers: "I chose to go, he looks after me."
Mum signed the consent form for the medical.`;

/** What the page is using: the force's files (one layer) and the compiled linter. */
const state = {
  files: null,
  linter: null,
  quotes: "info",
  category: null,
};

const $ = (id) => document.getElementById(id);

/** Makes an element with attributes and children (strings become text, never HTML). */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "id" || k === "href" || k === "role" || k === "scope") node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" || typeof c === "number" ? String(c) : c);
  }
  return node;
}

function list(items, render = (x) => x) {
  return h("ul", null, items.map((x) => h("li", null, render(x))));
}

function isForce(file) {
  return !file.startsWith("<built-in>");
}

/** Builds the linter for the current files and quotation policy; throws a VblintError. */
function buildLinter(files, quotes) {
  return new Linter({ lexicon: files ? [files] : [], quotes });
}

// ---------------------------------------------------------------- passage

let pending = 0;
function scheduleCheck() {
  clearTimeout(pending);
  pending = setTimeout(renderCheck, 120);
}

function renderCheck() {
  const text = $("passage").value;
  const findings = text ? state.linter.check(text, { path: "passage" }) : [];
  const out = $("highlighted");
  const items = $("findings");
  out.replaceChildren();
  items.replaceChildren();
  if (!text) {
    $("summary").textContent = "";
    return;
  }
  let at = 0;
  findings.forEach((f, i) => {
    if (f.startUtf16 < at) return; // findings do not overlap; this is a guard only
    out.append(text.slice(at, f.startUtf16));
    out.append(
      h(
        "mark",
        { class: f.severity, "data-rule": f.rule, id: `mark-${i + 1}`, title: f.message },
        text.slice(f.startUtf16, f.endUtf16),
        h("sup", null, h("a", { href: `#finding-${i + 1}`, "aria-label": `finding ${i + 1}` }, String(i + 1))),
      ),
    );
    at = f.endUtf16;
    items.append(renderFinding(f, i + 1));
  });
  out.append(text.slice(at));
  const n = findings.length;
  $("summary").textContent =
    n === 0 ? "No findings in this passage." : `${n} finding${n === 1 ? "" : "s"} in this passage.`;
}

function renderFinding(f, n) {
  const e = state.linter.explain(f.rule);
  return h(
    "li",
    { class: f.severity, id: `finding-${n}`, "data-rule": f.rule },
    h("p", null,
      h("strong", null, `“${f.text}”`),
      " line ", String(f.line), ", column ", String(f.column),
      h("span", { class: `badge ${f.severity}` }, f.severity),
      h("span", { class: "badge" }, f.category),
      h("code", { class: "badge" }, f.rule),
      isForce(e.file) ? h("span", { class: "badge force" }, "your force") : null,
    ),
    h("p", null, f.message),
    f.alternatives.length ? h("p", null, "Instead, write (fill in the parts in brackets):") : null,
    f.alternatives.length ? list(f.alternatives) : null,
    h("details", null, h("summary", null, "Why, examples and sources"), explanation(e)),
  );
}

// ---------------------------------------------------------------- lexicon

function explanation(e) {
  const facts = h("dl", { class: "facts" });
  const add = (title, value) => {
    if (!value || (Array.isArray(value) && value.length === 0)) return;
    facts.append(h("dt", null, title), h("dd", null, Array.isArray(value) ? list(value) : value));
  };
  add("Why", e.why);
  add("What to write instead", e.alternatives);
  add("Phrases it finds", e.terms);
  add("Not flagged in", e.except);
  add("Flagged, for example", e.examples);
  add("Not flagged, for example", e.counterexamples);
  add("Sources", e.sources);
  add("Where it is written", `${e.file}:${e.line}`);
  return facts;
}

function renderCategories() {
  const box = $("categories");
  box.replaceChildren();
  const rules = state.linter.rules();
  for (const c of categories()) {
    const count = rules.filter((r) => r.category === c.id && !r.retired).length;
    box.append(
      h("button", {
        type: "button",
        "data-category": c.id,
        "aria-pressed": String(state.category === c.id),
        onclick: () => showCategory(c.id),
      }, `${c.id} (${count})`),
    );
  }
  const force = rules.filter((r) => isForce(state.linter.explain(r.id).file)).length;
  $("lexicon-source").textContent = state.files
    ? `The built-in lexicon with your force's files over it (${force} of ${rules.length} entries from your files).`
    : `The built-in lexicon: ${rules.filter((r) => !r.retired && r.category !== "unfinished").length} entries.`;
  if (state.category) showCategory(state.category);
}

function showCategory(id) {
  state.category = id;
  for (const b of $("categories").querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(b.dataset.category === id));
  }
  const c = categories().find((c) => c.id === id);
  $("category-description").textContent = c.description;
  const rules = state.linter.rules().filter((r) => r.category === id && !r.retired);
  $("entries").replaceChildren(
    ...rules.map((r) => {
      const e = state.linter.explain(r.id);
      return h(
        "details",
        { class: "entry", "data-rule": r.id },
        h("summary", null,
          h("strong", null, r.id),
          h("span", { class: `badge ${r.severity}` }, r.severity),
          isForce(e.file) ? h("span", { class: "badge force" }, "your force") : null,
          " ", r.message),
        explanation(e),
      );
    }),
  );
  $("open-all").hidden = rules.length === 0;
}

// ---------------------------------------------------------------- force lexicon

/** Reads dropped items (files and folders, recursively) as [{ name, text }]. */
async function readDropped(items) {
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      out.push({ name: entry.fullPath.replace(/^\//, ""), file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  for (const e of entries) await walk(e);
  return out;
}

async function loadFiles(found) {
  const toml = found.filter((f) => f.name.toLowerCase().endsWith(".toml"));
  const result = $("force-result");
  if (toml.length === 0) {
    result.replaceChildren(h("p", { class: "problem error", role: "alert" },
      "No .toml files there. Choose the folder that holds your force's lexicon files (for example lexicon/force)."));
    return;
  }
  toml.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files = [];
  for (const f of toml) files.push({ name: f.name, text: await f.file.text() });
  let linter;
  try {
    linter = buildLinter(files, state.quotes);
  } catch (e) {
    result.replaceChildren(
      h("h3", null, "Your lexicon did not load"),
      h("p", { role: "alert" }, `${problemCount(e.problems)} in ${fileList(files)}. Nothing was changed: the page still uses the lexicon it used before.`),
      renderProblems(e.problems ?? [{ severity: "error", message: String(e.message), text: String(e.message) }]),
    );
    return;
  }
  state.files = files;
  state.linter = linter;
  $("unload").hidden = false;
  renderForceReport(files);
  renderCategories();
  renderCheck();
}

function problemCount(problems) {
  const n = problems?.length ?? 1;
  return `${n} problem${n === 1 ? "" : "s"}`;
}

function fileList(files) {
  return files.map((f) => f.name).join(", ");
}

function renderProblems(problems) {
  return h(
    "ul",
    { class: "problems" },
    problems.map((p) =>
      h(
        "li",
        { class: p.severity, "data-file": p.file ?? "", "data-line": p.line ?? "", "data-column": p.column ?? "" },
        p.file ? h("code", { class: "where" }, p.line ? `${p.file}:${p.line}:${p.column}` : p.file) : null,
        p.file ? ": " : null,
        `${p.severity}: ${p.message}`,
        p.help ? h("span", { class: "help" }, `What to write instead: ${p.help}`) : null,
        p.notes?.length ? list(p.notes) : null,
        p.rendered ? h("pre", { class: "rendered" }, p.rendered) : null,
      ),
    ),
  );
}

/** The examples listed: your own files' examples, and any that failed. */
function shownResults(results) {
  return results.filter((r) => !r.file.startsWith("<built-in>") || !r.passed);
}

function renderForceReport(files) {
  const report = state.linter.test();
  const problems = state.linter.validate();
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const verdict =
    report.failed === 0 && errors === 0
      ? "Every example passed: your lexicon is ready to use."
      : "Some checks failed: fix the problems below, then load the folder again.";
  $("force-result").replaceChildren(
    h("h3", null, "Your lexicon is loaded"),
    h("p", { id: "force-summary" },
      `${files.length} file${files.length === 1 ? "" : "s"} (${fileList(files)}), ${report.entries} entries with examples: `,
      `${report.passed} passed, ${report.failed} failed (with the built-in examples, run with your files layered on top); ${errors} error(s), ${warnings} warning(s). `,
      h("strong", null, verdict)),
    problems.length ? h("h4", null, "Problems") : null,
    problems.length ? renderProblems(problems) : null,
    h("h4", null, "Examples"),
    h("table", { id: "examples" },
      h("thead", null, h("tr", null,
        h("th", { scope: "col" }, "Entry"),
        h("th", { scope: "col" }, "Kind"),
        h("th", { scope: "col" }, "Sentence"),
        h("th", { scope: "col" }, "Where"),
        h("th", { scope: "col" }, "Result"))),
      h("tbody", null, shownResults(report.results).map((r) =>
        h("tr", { "data-rule": r.rule, "data-passed": String(r.passed) },
          h("td", null, h("code", null, r.rule)),
          h("td", null, `${r.kind} ${r.number}`),
          h("td", null, r.text),
          h("td", null, h("code", null, `${r.file}:${r.line}:${r.column}`)),
          h("td", { class: r.passed ? "passed" : "failed" },
            r.passed ? "passed" : "failed",
            r.problem ? h("div", null, r.problem.message) : null,
            r.problem?.help ? h("div", null, `What to write instead: ${r.problem.help}`) : null),
        )))),
  );
}

// ---------------------------------------------------------------- start

async function main() {
  await init({ module_or_path: wasmBytes });
  state.linter = buildLinter(null, state.quotes);
  $("version").textContent = version();
  $("loading").remove();

  $("passage").addEventListener("input", scheduleCheck);
  $("quotes").addEventListener("change", (ev) => {
    state.quotes = ev.target.value;
    state.linter = buildLinter(state.files, state.quotes);
    renderCheck();
  });
  $("example-passage").addEventListener("click", () => {
    $("passage").value = EXAMPLE;
    renderCheck();
  });
  $("open-all").addEventListener("click", () => {
    for (const d of $("entries").querySelectorAll("details")) d.open = true;
  });

  const fromInput = (input) => () => {
    const found = [...input.files].map((file) => ({ name: file.webkitRelativePath || file.name, file }));
    input.value = "";
    loadFiles(found);
  };
  $("folder").addEventListener("change", fromInput($("folder")));
  $("files").addEventListener("change", fromInput($("files")));
  const drop = $("drop");
  drop.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    loadFiles(await readDropped(ev.dataTransfer.items));
  });
  $("unload").addEventListener("click", () => {
    state.files = null;
    state.linter = buildLinter(null, state.quotes);
    $("unload").hidden = true;
    $("force-result").replaceChildren();
    renderCategories();
    renderCheck();
  });

  renderCategories();
  renderCheck();
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  const box = $("loading") ?? document.body;
  box.textContent = `The scanner did not start: ${e.message}. Use a recent Chrome, Edge, Firefox or Safari (16.4 or later).`;
  box.setAttribute("role", "alert");
});
