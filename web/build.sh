#!/usr/bin/env bash
# Builds the training page into web/dist/ (open web/dist/index.html, or copy
# the folder to a file share): the WebAssembly package if it is not built
# yet, the page's tools (npm ci), then build.mjs.
#
# usage: web/build.sh
# needs: what crates/vblint-wasm/build.sh needs (when pkg/ is missing), and
#        Node.js 20 with npm.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
if [[ ! -f "$ROOT/crates/vblint-wasm/pkg/vblint_bg.wasm" ]]; then
  bash "$ROOT/crates/vblint-wasm/build.sh"
fi
cd "$HERE"
[[ -d node_modules/esbuild ]] || npm ci --no-audit --no-fund --loglevel=error
node build.mjs
