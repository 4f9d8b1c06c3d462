// The service worker: holds the one vblint scanner of the browser (the
// WebAssembly package, compiled once with the force's lexicon and settings)
// and answers the content scripts of every tab and frame over extension
// messaging. Text to check arrives in a message and findings go back in
// the reply; nothing is sent anywhere else, and nothing but settings is
// stored.
import init, { Linter } from "./vblint.js";
import { load, runsOn } from "./settings.js";

/** { linter, settings, problems } once ready; rebuilt when settings change. */
let state = null;
let building = null;

async function build() {
  await init({ module_or_path: chrome.runtime.getURL("vblint_bg.wasm") });
  const settings = await load();
  const scan = {
    quotes: settings.quotes,
    disable: [],
  };
  const problems = [];
  const lexicon = [];
  for (const [i, file] of (settings.lexicons ?? []).entries()) {
    if (file && typeof file.text === "string") {
      lexicon.push({ name: String(file.name ?? `lexicon-${i + 1}.toml`), text: file.text });
    }
  }
  let linter = null;
  // The force's lexicon files, then without them if they do not load (the
  // options page shows why), so a mistake in one file never switches the
  // extension off.
  for (const layers of lexicon.length ? [lexicon, []] : [[]]) {
    try {
      const probe = new Linter({ lexicon: layers, quotes: scan.quotes });
      const ids = new Set(probe.rules().map((r) => r.id));
      const disable = (settings.disabledRules ?? []).filter((id) => {
        if (ids.has(id)) return true;
        problems.push({ severity: "warning", text: `disabled rule \`${id}\` is not in the lexicon` });
        return false;
      });
      probe.free();
      linter = new Linter({ lexicon: layers, quotes: scan.quotes, disable });
      for (const w of linter.warnings) problems.push(w);
      break;
    } catch (e) {
      for (const p of e.problems ?? [{ severity: "error", text: String(e.message ?? e) }]) {
        problems.push(p);
      }
    }
  }
  return { linter, settings, problems };
}

/** Counts settings changes: a build started before a change is not kept. */
let generation = 0;

function ready() {
  if (state) return Promise.resolve(state);
  if (!building) {
    const mine = generation;
    building = build().then(
      (s) => {
        if (mine === generation) {
          state = s;
          building = null;
          return s;
        }
        s.linter?.free();
        building = null;
        return ready();
      },
      (e) => {
        building = null;
        throw e;
      },
    );
  }
  return building;
}

chrome.storage.onChanged.addListener(() => {
  generation++;
  state?.linter?.free();
  state = null;
});

/** The findings of `text`, each with its drop-in fixes (best first). */
function check(linter, text) {
  const findings = linter.check(text);
  const fixes = linter.fixes(text);
  findings.forEach((f, i) => {
    f.fixes = fixes[i] ?? [];
  });
  return findings;
}

async function answer(msg, sender) {
  const s = await ready();
  switch (msg?.type) {
    case "runs": {
      const urls = [msg.url, msg.top, sender.url, sender.tab?.url];
      return { runs: runsOn(s.settings, urls) };
    }
    case "check": {
      if (!s.linter || typeof msg.text !== "string") return { findings: [] };
      return { findings: check(s.linter, msg.text) };
    }
    case "explain":
      return { explanation: s.linter.explain(String(msg.rule)) };
    case "open-explain":
      await chrome.tabs.create({
        url: chrome.runtime.getURL(`explain.html?rule=${encodeURIComponent(String(msg.rule))}`),
      });
      return {};
    case "status":
      return {
        settings: s.settings,
        problems: s.problems,
        rules: s.linter ? s.linter.rules() : [],
      };
    default:
      return { error: `unknown message ${JSON.stringify(msg?.type)}` };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, reply) => {
  answer(msg, sender).then(reply, (e) => reply({ error: String(e?.message ?? e) }));
  return true;
});
