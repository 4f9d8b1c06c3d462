#!/usr/bin/env bash
# Builds the WebAssembly package into crates/vblint-wasm/pkg/ (ES module for
# browsers: `import init, { check, Linter } from "./pkg/vblint.js"`).
#
# usage: crates/vblint-wasm/build.sh
#
# needs:  the wasm32-unknown-unknown target (`rustup target add
#         wasm32-unknown-unknown`) and wasm-bindgen-cli at exactly the
#         version of the wasm-bindgen crate in Cargo.lock:
#           cargo install wasm-bindgen-cli --version =<that version>
#         The script says which version when it is missing or different.
# env:    CARGO_TARGET_DIR as for cargo.
#
# The module uses WebAssembly SIMD (Chrome and Edge 91, Firefox 89, Safari
# 16.4 and later), so the scanner's 16-byte loops run as vector
# instructions. No wasm-opt pass: binaryen's -O3 and -Os saved 2.5% of the
# gzipped size and no measurable time (BENCHMARKS.md, "WASM package").
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$HERE/pkg"

# The wasm-bindgen version the crate is built against: the JavaScript glue
# must come from the same version of the command-line tool.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock")"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [[ "$have" != "$want" ]]; then
  echo "build.sh: wasm-bindgen-cli $want is needed (found: ${have:-none})" >&2
  echo "  install it with: cargo install wasm-bindgen-cli --version =$want" >&2
  exit 2
fi

(cd "$ROOT" && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
  cargo build --locked -p vblint-wasm --target wasm32-unknown-unknown --profile wasm)
wasm="$TARGET/wasm32-unknown-unknown/wasm/vblint_wasm.wasm"

rm -rf "$OUT"
# The name section (function names, for debuggers) is a sixth of the file.
wasm-bindgen --target web --remove-name-section --remove-producers-section \
  --out-dir "$OUT" --out-name vblint "$wasm"

version="$(awk -F'"' '/^version = / { print $2; exit }' "$HERE/Cargo.toml")"
cat > "$OUT/package.json" <<EOF
{
  "name": "vblint-wasm",
  "version": "$version",
  "description": "vblint's scanner for browsers: victim-blaming language in writing about children",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "vblint.js",
  "types": "vblint.d.ts",
  "files": ["vblint.js", "vblint.d.ts", "vblint_bg.wasm", "vblint_bg.wasm.d.ts", "snippets/"],
  "sideEffects": false
}
EOF

raw=$(stat -c %s "$OUT/vblint_bg.wasm")
gz=$(gzip -9 -c "$OUT/vblint_bg.wasm" | wc -c)
echo "build.sh: $OUT/vblint_bg.wasm: $raw bytes, $gz gzipped"
