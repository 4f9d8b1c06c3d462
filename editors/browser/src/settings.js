// Settings: what a force's IT sets by policy (storage.managed, see
// managed_schema.json) over what the user sets on the options page
// (storage.sync for small settings, storage.local for lexicon files).
// A key set by policy wins and is shown locked on the options page.

/** The keys a policy can set, with the value used when nobody sets them. */
export const DEFAULTS = {
  // Sites the extension runs on; empty: every site.
  allowSites: [],
  // Sites it never runs on (wins over allowSites).
  denySites: [],
  // A force's own lexicon files, layered over the built-in lexicon in order.
  lexicons: [],
  // Rule ids that never match.
  disabledRules: [],
  // Terms inside quotation marks: "skip" (someone's own words are left
  // alone), "info" (shown faintly), "flag" (as any other finding).
  quotes: "skip",
};

/** The user's own settings (storage.sync) that no policy key covers. */
export const USER_ONLY = {
  // Off switch for the user.
  enabled: true,
};

/** Reads both storage areas; `managed` holds the keys set by policy. */
export async function load() {
  let managed = {};
  try {
    managed = (await chrome.storage.managed.get(null)) ?? {};
  } catch {
    // No policy: storage.managed throws where no schema or policy exists.
    managed = {};
  }
  const sync = (await chrome.storage.sync.get(null)) ?? {};
  const local = (await chrome.storage.local.get("lexicons")) ?? {};
  const user = { ...sync, lexicons: local.lexicons ?? [] };
  const out = { ...USER_ONLY, ...DEFAULTS, managedKeys: [] };
  for (const key of Object.keys(DEFAULTS)) {
    if (managed[key] !== undefined) {
      out[key] = managed[key];
      out.managedKeys.push(key);
    } else if (user[key] !== undefined) {
      out[key] = user[key];
    }
  }
  // A user may add sites to the deny list even where the policy sets one,
  // and lexicon files after the force's.
  if (out.managedKeys.includes("denySites") && Array.isArray(user.denySites)) {
    out.denySites = [...out.denySites, ...user.denySites];
  }
  if (out.managedKeys.includes("lexicons") && Array.isArray(user.lexicons)) {
    out.lexicons = [...out.lexicons, ...user.lexicons];
  }
  if (typeof sync.enabled === "boolean") out.enabled = sync.enabled;
  return out;
}

/**
 * Whether `pattern` matches `url`. A pattern with "://" is a URL prefix in
 * which `*` stands for any characters ("https://cms.example.org/case/*");
 * otherwise it is a host name, "*." in front meaning the host and every
 * host under it ("*.police.example").
 */
export function matches(pattern, url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const p = String(pattern).trim().toLowerCase();
  if (!p) return false;
  if (p.includes("://")) {
    const re = new RegExp(
      "^" + p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*"),
    );
    return re.test(url.toLowerCase());
  }
  const host = u.hostname.toLowerCase();
  const [name, port] = p.split(":");
  if (port && u.port !== port) return false;
  if (name.startsWith("*.")) {
    const base = name.slice(2);
    return host === base || host.endsWith("." + base);
  }
  return host === name;
}

/** Whether the extension runs on a page at `url` (and the frame at `frameUrl`). */
export function runsOn(settings, urls) {
  if (!settings.enabled) return false;
  const list = urls.filter((u) => u && /^(https?|file):/.test(u));
  if (list.length === 0) return false;
  if (list.some((u) => settings.denySites.some((p) => matches(p, u)))) return false;
  if (settings.allowSites.length === 0) return true;
  return list.every((u) => settings.allowSites.some((p) => matches(p, u)));
}
