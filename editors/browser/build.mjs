// Builds the unpacked extension: dist/ for Chromium and Edge (Manifest V3,
// a service worker) and dist-firefox/ for Firefox (the same files, a
// manifest with a background script and a gecko id).
//
// usage: npm run build   (after crates/vblint-wasm/build.sh has made pkg/)
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PKG = path.resolve(HERE, "../../crates/vblint-wasm/pkg");
const DIST = path.join(HERE, "dist");
const FIREFOX = path.join(HERE, "dist-firefox");
const version = JSON.parse(fs.readFileSync(path.join(HERE, "package.json"), "utf8")).version;

for (const f of ["vblint.js", "vblint_bg.wasm"]) {
  if (!fs.existsSync(path.join(PKG, f))) {
    console.error(`build: ${path.join(PKG, f)} is missing; build the WebAssembly package first:`);
    console.error("  bash crates/vblint-wasm/build.sh");
    process.exit(2);
  }
}

fs.rmSync(DIST, { recursive: true, force: true });
fs.mkdirSync(DIST, { recursive: true });

const common = { bundle: true, target: ["chrome111", "firefox142"], legalComments: "none", logLevel: "warning" };
// The content script is a classic script (MV3 content scripts cannot be
// modules); the extension pages and the service worker are modules, and
// the WebAssembly glue stays its own file next to them.
await esbuild.build({ ...common, entryPoints: [path.join(HERE, "src/content.js")], format: "iife", outfile: path.join(DIST, "content.js") });
await esbuild.build({
  ...common,
  entryPoints: ["background", "options", "explain"].map((n) => path.join(HERE, `src/${n}.js`)),
  format: "esm",
  outdir: DIST,
  external: ["./vblint.js"],
});
fs.copyFileSync(path.join(PKG, "vblint.js"), path.join(DIST, "vblint.js"));
fs.copyFileSync(path.join(PKG, "vblint_bg.wasm"), path.join(DIST, "vblint_bg.wasm"));
// The glue's inline JavaScript (the function that builds finding objects).
fs.cpSync(path.join(PKG, "snippets"), path.join(DIST, "snippets"), { recursive: true });
for (const f of fs.readdirSync(path.join(HERE, "static"))) {
  fs.copyFileSync(path.join(HERE, "static", f), path.join(DIST, f));
}

const manifest = {
  manifest_version: 3,
  name: "vblint: victim-blaming language checker",
  short_name: "vblint",
  version,
  description: "Underlines victim-blaming language about children as you type in web forms. Runs in the browser: no text leaves it.",
  icons: { 16: "icon-16.png", 48: "icon-48.png", 128: "icon-128.png" },
  // Settings only; the scanner needs no other permission.
  permissions: ["storage"],
  background: { service_worker: "background.js", type: "module" },
  content_scripts: [
    {
      matches: ["http://*/*", "https://*/*", "file:///*"],
      js: ["content.js"],
      all_frames: true,
      // The editing frames TinyMCE and others make (about:blank, srcdoc).
      match_about_blank: true,
      match_origin_as_fallback: true,
      run_at: "document_idle",
    },
  ],
  options_ui: { page: "options.html", open_in_tab: true },
  storage: { managed_schema: "managed_schema.json" },
  // The service worker compiles the WebAssembly module; nothing else may run.
  content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
  minimum_chrome_version: "111",
};
fs.writeFileSync(path.join(DIST, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
writeIcons(DIST);

// Firefox: an event page instead of a service worker, a gecko id, and no
// Chromium-only keys (its managed storage is set by an enterprise policy's
// "3rdparty" section instead of a schema).
fs.rmSync(FIREFOX, { recursive: true, force: true });
fs.cpSync(DIST, FIREFOX, { recursive: true });
const firefox = structuredClone(manifest);
firefox.background = { scripts: ["background.js"], type: "module" };
// It collects nothing: Firefox shows this at install.
firefox.browser_specific_settings = {
  gecko: { id: "vblint@vblint.invalid", strict_min_version: "142.0", data_collection_permissions: { required: ["none"] } },
};
delete firefox.storage;
delete firefox.minimum_chrome_version;
delete firefox.content_scripts[0].match_origin_as_fallback;
fs.writeFileSync(path.join(FIREFOX, "manifest.json"), JSON.stringify(firefox, null, 2) + "\n");

let bytes = 0;
let files = 0;
for (const f of fs.readdirSync(DIST, { recursive: true })) {
  const st = fs.statSync(path.join(DIST, f));
  if (st.isFile()) {
    bytes += st.size;
    files++;
  }
}
console.log(`build: ${DIST} (${files} files, ${bytes} bytes) and ${FIREFOX}`);

/** Writes the icons: a PNG of a wavy red underline on white, drawn here. */
function writeIcons(dir) {
  for (const size of [16, 48, 128]) fs.writeFileSync(path.join(dir, `icon-${size}.png`), icon(size));
}

function icon(size) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = [0];
    for (let x = 0; x < size; x++) {
      const wave = size * 0.62 + Math.sin((x / size) * Math.PI * 4) * size * 0.08;
      const onWave = Math.abs(y - wave) < Math.max(1, size * 0.06);
      const bar = y > size * 0.2 && y < size * 0.45 && x > size * 0.15 && x < size * 0.85;
      const [r, g, b] = onWave ? [198, 40, 40] : bar ? [52, 58, 64] : [255, 255, 255];
      row.push(r, g, b, 255);
    }
    rows.push(Buffer.from(row));
  }
  return png(size, size, Buffer.concat(rows));
}

function png(w, h, raw) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlibSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c;
}

function zlibSync(buf) {
  return zlib.deflateSync(buf);
}
