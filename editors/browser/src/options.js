// The options page: the user's own settings (storage.sync; lexicon files in
// storage.local), with the keys a policy sets shown locked.
import { DEFAULTS } from "./settings.js";

const $ = (id) => document.getElementById(id);
const lines = (id) => $(id).value.split("\n").map((s) => s.trim()).filter(Boolean);
let lexicons = [];

function showLexicons(locked) {
  const ul = $("lexicons");
  ul.textContent = "";
  for (const [i, f] of lexicons.entries()) {
    const li = document.createElement("li");
    li.textContent = `${f.name} (${f.text.length} characters) `;
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = "Remove";
    b.addEventListener("click", () => {
      lexicons.splice(i, 1);
      showLexicons(locked);
    });
    li.appendChild(b);
    ul.appendChild(li);
  }
  for (const f of locked) {
    const li = document.createElement("li");
    li.textContent = `${f.name} (set by your organisation)`;
    ul.appendChild(li);
  }
}

async function show() {
  const status = await chrome.runtime.sendMessage({ type: "status" });
  const sync = await chrome.storage.sync.get(null);
  lexicons = (await chrome.storage.local.get("lexicons")).lexicons ?? [];
  let managed = {};
  try {
    managed = (await chrome.storage.managed.get(null)) ?? {};
  } catch {
    managed = {};
  }
  $("enabled").checked = sync.enabled ?? true;
  for (const key of ["allowSites", "denySites", "disabledRules"]) {
    const value = managed[key] ?? sync[key] ?? DEFAULTS[key];
    $(key).value = value.join("\n");
    lock(key, managed[key] !== undefined && key !== "denySites");
    if (key === "denySites" && managed.denySites) {
      $(key).value = (sync.denySites ?? []).join("\n");
      note(key, `Also never on: ${managed.denySites.join(", ")} (set by your organisation)`);
    }
  }
  $("quotes").value = managed.quotes ?? sync.quotes ?? DEFAULTS.quotes;
  lock("quotes", managed.quotes !== undefined);
  $("managed").hidden = Object.keys(managed).length === 0;
  showLexicons(managed.lexicons ?? []);
  const rules = $("rules");
  rules.textContent = "";
  for (const r of status?.rules ?? []) {
    const li = document.createElement("li");
    li.textContent = `${r.id} (${r.category})${r.enabled ? "" : " — off"}: ${r.message}`;
    rules.appendChild(li);
  }
  const problems = status?.problems ?? [];
  $("problems").hidden = problems.length === 0;
  const pl = $("problemList");
  pl.textContent = "";
  for (const p of problems) {
    const li = document.createElement("li");
    li.className = "problem";
    li.textContent = p.text;
    pl.appendChild(li);
  }
}

function note(id, text) {
  const p = document.createElement("p");
  p.className = "locked";
  p.textContent = text;
  $(id).after(p);
}

function lock(id, locked) {
  $(id).disabled = locked;
  if (locked) note(id, "Set by your organisation.");
}

$("addLexicon").addEventListener("change", async (e) => {
  for (const file of e.target.files) {
    lexicons.push({ name: file.name, text: await file.text() });
  }
  e.target.value = "";
  showLexicons([]);
});

$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const user = { enabled: $("enabled").checked, denySites: lines("denySites") };
  if (!$("allowSites").disabled) user.allowSites = lines("allowSites");
  if (!$("disabledRules").disabled) user.disabledRules = lines("disabledRules");
  if (!$("quotes").disabled) user.quotes = $("quotes").value;
  await chrome.storage.sync.set(user);
  await chrome.storage.local.set({ lexicons });
  $("saved").textContent = "Saved.";
  for (const p of document.querySelectorAll("p.locked")) p.remove();
  await show();
});

show();
