#!/usr/bin/env bash
# CI for the browser doors (run by .ci/run from the repository root, after
# the wasm32 build of vblint-core): installs wasm-bindgen-cli at the version
# in Cargo.lock when it is missing or different, builds the WebAssembly
# package, holds it to its size budget, runs its unit tests and its
# comparison with the command line on the corpus, then builds the training
# page (web/) and runs its tests in headless Chromium.
#
# usage: bash crates/vblint-wasm/ci.sh
# needs: the wasm32-unknown-unknown target, Node.js 20 with npm, Debian's
#        chromium (/usr/bin/chromium); cargo's bin folder on PATH.
# env:   VBLINT_BIN  the vblint binary the comparison runs (default:
#        target/debug/vblint, built here if needed)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
phase() { printf -- '--> %s\n' "$*"; }

want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [[ "$have" != "$want" ]]; then
  phase "install wasm-bindgen-cli $want (found: ${have:-none})"
  # Not --locked: this version's own lock file fails to build with the
  # toolchain here. The default feature is TLS for the test runner's
  # downloads, which the build does not use.
  cargo install -q wasm-bindgen-cli --version "=$want" --no-default-features
fi
wasm-bindgen --version

phase "build the WebAssembly package (crates/vblint-wasm/pkg)"
bash crates/vblint-wasm/build.sh

phase "size budget: the .wasm gzipped at most 1.5 MB"
budget=1500000
gz=$(gzip -9 -c crates/vblint-wasm/pkg/vblint_bg.wasm | wc -c)
if (( gz > budget )); then
  echo "vblint_bg.wasm is $gz bytes gzipped, over the budget of $budget" >&2
  exit 1
fi
echo "vblint_bg.wasm: $gz bytes gzipped (budget $budget)"

phase "unit tests of the package (natively)"
cargo test -q --locked -p vblint-wasm --lib

phase "the package's findings equal the command line's on the corpus"
bin="${VBLINT_BIN:-target/debug/vblint}"
[[ -x "$bin" ]] || cargo build -q --locked --bin vblint
(cd crates/vblint-wasm && npm ci --no-audit --no-fund --loglevel=error)
VBLINT_BIN="$ROOT/$bin" node --test --test-reporter=spec crates/vblint-wasm/tests/

phase "training page: build web/dist and test it in headless Chromium from file://"
(cd web && npm ci --no-audit --no-fund --loglevel=error)
bash web/build.sh
node --test --test-reporter=spec web/tests/
echo "screenshots: web/test-artifacts/"
