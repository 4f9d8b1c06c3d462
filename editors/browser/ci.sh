#!/usr/bin/env bash
# CI for the browser extension (called by .ci/run): builds the WebAssembly
# package if it is not built yet, builds the extension into dist/ (and
# dist-firefox/), runs its tests in Debian's Chromium under Xvfb, and lints
# the Firefox build with web-ext.
#
# usage: bash editors/browser/ci.sh      (as root on a fresh Debian machine,
#        or as anyone once xvfb and chromium are installed)
# env:   VBLINT_SHARED_CLIENTS  the shared client harnesses (default:
#                   ../shared/clients from the repo root, as for the editor
#                   tests); its browser/ext_check.js is run on dist/ and must
#                   be there
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
step() { printf '\n--> browser extension: %s\n' "$*"; }

step "tools (xvfb; chromium)"
if ! command -v xvfb-run >/dev/null || ! command -v chromium >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ci.sh: xvfb-run and chromium are needed: apt-get install xvfb xauth chromium" >&2
    exit 2
  fi
  apt-get install -y -qq --no-install-recommends xvfb xauth chromium >/dev/null
fi

if [[ ! -f "$ROOT/crates/vblint-wasm/pkg/vblint_bg.wasm" ]]; then
  step "the WebAssembly package (crates/vblint-wasm/pkg is missing)"
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$want" ]]; then
    # Its default features only add the test runner's server.
    cargo install -q wasm-bindgen-cli --version "=$want" --no-default-features
  fi
  rustup target add wasm32-unknown-unknown >/dev/null
  bash "$ROOT/crates/vblint-wasm/build.sh"
fi

cd "$HERE"
step "npm ci and build"
npm ci --no-audit --no-fund --loglevel=error
npm run -s build

step "settings (site lists) and the built files (no network code)"
node --test --test-reporter=spec test/unit.test.mjs

step "Playwright in Chromium under Xvfb: case-note form, iframe, TinyMCE, CKEditor 5, Quill"
ARTIFACTS="$HERE/test-artifacts" xvfb-run -a node --test --test-reporter=spec --test-concurrency=1 test/extension.test.mjs

step "force-wide settings through a Chromium policy file (as root)"
xvfb-run -a node --test --test-reporter=spec test/policy.test.mjs

EXT_CHECK="${VBLINT_SHARED_CLIENTS:-$ROOT/../shared/clients}/browser/ext_check.js"
if [[ ! -f "$EXT_CHECK" ]]; then
  echo "ci.sh: the shared extension check $EXT_CHECK is missing (set VBLINT_SHARED_CLIENTS)" >&2
  exit 1
fi
step "shared extension check ($EXT_CHECK)"
NODE_PATH="$HERE/node_modules" xvfb-run -a node "$EXT_CHECK" "$HERE/dist" "$HERE/test-artifacts/ext-check"

step "web-ext lint (Firefox build)"
npx web-ext lint --source-dir dist-firefox --self-hosted --warnings-as-errors --output text 2>&1 | tail -n 8
echo "browser extension: $(du -sb dist | cut -f1) bytes in dist/ ($(ls dist | wc -l) files); screenshots in $HERE/test-artifacts"
