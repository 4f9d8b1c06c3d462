#!/usr/bin/env bash
# Install what .ci/editor-tests.sh needs on a fresh Debian machine (run as root). Idempotent:
# packages already installed are skipped, and npm installs are skipped when the lock file has
# not changed since the last install.
#
# usage: .ci/install-editor-deps.sh
#
#   Debian packages: neovim, emacs-nox, elpa-eglot (Eglot for Emacs 28), plus nodejs/npm and
#                    python3 only if they are missing.
#   npm:             editors/vscode (`npm ci`: the extension's typecheck and packaging tools), and a
#                    writable copy of the shared editor-client harnesses with `npm ci` in its
#                    vscode_probe (the VS Code protocol libraries).
#   VS Code UI:      the shared code-server harness (vscode_probe/ui/setup_code_server.sh): code-server
#                    4.100.3 from npm, playwright-core, Debian chromium and the build tools its native
#                    modules need (about 2 minutes on 2 cores, plus the apt downloads).
#
# environment:
#   VBLINT_SHARED_CLIENTS  the shared harnesses (default: ../shared/clients from the repo root);
#                          read-only in CI, so they are copied first
#   VBLINT_CLIENTS_DIR     where the writable copy goes (default: target/clients)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED_CLIENTS="${VBLINT_SHARED_CLIENTS:-$ROOT/../shared/clients}"
CLIENTS_DIR="${VBLINT_CLIENTS_DIR:-$ROOT/target/clients}"
export DEBIAN_FRONTEND=noninteractive

say() { printf '== %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------------------
need=()
for p in neovim emacs-nox elpa-eglot; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if ((${#need[@]})); then
  say "apt-get install ${need[*]}"
  apt-get update
  apt-get install -y --no-install-recommends "${need[@]}"
else
  say "apt packages already installed (neovim, emacs-nox, elpa-eglot, node, npm, python3)"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
  echo "warning: Node $(node --version) is older than 20; @vscode/vsce 4 and code-server 4.100 need Node 20" >&2
fi

# --- npm installs, skipped when the lock file is unchanged since the last `npm ci` ---------
npm_ci() { # DIR
  local dir="$1" stamp="$1/node_modules/.vblint-installed-lock.json"
  if [[ -f "$stamp" ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
    say "npm: $dir is up to date"
    return
  fi
  say "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund)
  cp "$dir/package-lock.json" "$stamp"
}

npm_ci "$ROOT/editors/vscode"

# --- writable copy of the shared editor-client harnesses ----------------------------------
if [[ ! -d "$SHARED_CLIENTS" ]]; then
  echo "error: shared harnesses not found at $SHARED_CLIENTS (set VBLINT_SHARED_CLIENTS)" >&2
  exit 2
fi
SHARED_CLIENTS="$(cd "$SHARED_CLIENTS" && pwd)"
say "copy $SHARED_CLIENTS -> $CLIENTS_DIR"
mkdir -p "$CLIENTS_DIR"
chmod -R u+w "$CLIENTS_DIR"
# Plain copy (no rsync on a fresh machine); node_modules and results of earlier runs stay.
(cd "$SHARED_CLIENTS" && find . -path ./results -prune -o -name node_modules -prune -o -name .code-server -prune \
  -o -type f -print0) | while IFS= read -r -d '' f; do
  mkdir -p "$CLIENTS_DIR/$(dirname "$f")"
  cp -f "$SHARED_CLIENTS/$f" "$CLIENTS_DIR/$f"
done
chmod -R u+w "$CLIENTS_DIR"
npm_ci "$CLIENTS_DIR/vscode_probe"

# --- real VS Code (code-server) in headless Chromium --------------------------------------
UI="$CLIENTS_DIR/vscode_probe/ui"
if [[ -x "$UI/.code-server/node_modules/.bin/code-server" && -d "$UI/node_modules/playwright-core" ]] \
   && dpkg -s chromium >/dev/null 2>&1; then
  say "code-server UI harness already installed"
else
  say "code-server UI harness (chromium, build tools, code-server 4.100.3)"
  t0=$SECONDS
  bash "$UI/setup_code_server.sh"
  say "code-server UI harness installed in $((SECONDS - t0))s"
fi
say "done"
