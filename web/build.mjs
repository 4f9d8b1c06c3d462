// Assembles web/dist/ from web/src/ and the WebAssembly package in
// crates/vblint-wasm/pkg/: index.html, style.css and vblint-page.js, one
// classic script (browsers refuse ES modules from file://) that carries the
// .wasm bytes inside it (browsers refuse fetch from file://).
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(HERE, "src");
const DIST = path.join(HERE, "dist");
const PKG = path.resolve(HERE, "../crates/vblint-wasm/pkg");

if (!fs.existsSync(path.join(PKG, "vblint_bg.wasm"))) {
  console.error(`build.mjs: ${PKG} has no vblint_bg.wasm: run crates/vblint-wasm/build.sh first`);
  process.exit(2);
}

fs.rmSync(DIST, { recursive: true, force: true });
fs.mkdirSync(DIST);
await esbuild.build({
  entryPoints: [path.join(SRC, "app.js")],
  outfile: path.join(DIST, "vblint-page.js"),
  bundle: true,
  format: "iife",
  target: ["chrome91", "firefox89", "safari16.4"],
  loader: { ".wasm": "binary" },
  // The package's default `init()` path reads import.meta.url to fetch the
  // .wasm; the page passes the bytes, so that path never runs.
  logOverride: { "empty-import-meta": "silent" },
  legalComments: "none",
  minify: true,
  logLevel: "warning",
});
for (const f of ["index.html", "style.css"]) {
  fs.copyFileSync(path.join(SRC, f), path.join(DIST, f));
}

let total = 0;
let gz = 0;
for (const f of fs.readdirSync(DIST)) {
  const bytes = fs.readFileSync(path.join(DIST, f));
  total += bytes.length;
  gz += zlib.gzipSync(bytes, { level: 9 }).length;
}
console.log(`build.mjs: ${DIST}: ${fs.readdirSync(DIST).length} files, ${total} bytes, ${gz} gzipped`);
