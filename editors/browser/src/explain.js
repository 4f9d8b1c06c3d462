// The explain page: everything about one rule, as `vblint explain` prints
// it, shown as plain text (nothing from the lexicon is read as HTML).
const out = document.getElementById("out");
const rule = new URLSearchParams(location.search).get("rule") ?? "";

function add(parent, tag, text) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  parent.appendChild(el);
  return el;
}

function list(title, items) {
  if (!items?.length) return;
  add(out, "h2", title);
  const ul = add(out, "ul");
  for (const i of items) add(ul, "li", i);
}

const r = await chrome.runtime.sendMessage({ type: "explain", rule });
out.textContent = "";
if (!r || r.error) {
  add(out, "h1", "No such rule");
  add(out, "p", r?.error ?? "The extension did not answer; reload the page.");
} else {
  const e = r.explanation;
  document.title = `vblint: ${e.id}`;
  add(out, "h1", e.id);
  add(out, "p", `${e.category} · ${e.severity}`).className = "locked";
  add(out, "p", e.message);
  add(out, "h2", "Why");
  add(out, "p", e.why.trim()).className = "field";
  list("Write instead", e.alternatives);
  list("Examples", e.examples);
  list("Not matched (counter-examples)", e.counterexamples);
  list("Terms", e.terms);
  list("Sources", e.sources);
  add(out, "p", `Defined in ${e.file}, line ${e.line}.`).className = "locked";
}
