#!/usr/bin/env bash
# Check that the copy-paste snippets in editors/neovim and editors/emacs really start the server
# and show its diagnostics, the way a user would install them (no test harness inside the editor).
#
# usage: editors/tests/check-snippets.sh SERVER_CMD FIXTURE EXPECT OUT_DIR
#   SERVER_CMD  the command that starts the server, e.g. "target/debug/vblint lsp"
#   EXPECT      comma-separated texts the diagnostics must cover (any order), or "" for "at least one"
# Prints one line per editor; exit 0 when every installed editor passed.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EDITORS="$(dirname "$HERE")"
SERVER_CMD="$1"; FIXTURE="$(realpath "$2")"; EXPECT="$3"; OUT="$(realpath -m "$4")"
TIMEOUT_MS="${SNIPPET_TIMEOUT_MS:-20000}"
mkdir -p "$OUT"
read -r -a words <<<"$SERVER_CMD"
fail=0

# compare JSON_REPORT NAME: checks the covered texts against EXPECT
compare() {
  python3 - "$1" "$2" "$EXPECT" <<'PY'
import json, sys
path, name, expect = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = json.load(open(path, encoding="utf-8"))
except Exception as e:
    print("%-18s FAIL  (no report: %s)" % (name, e)); sys.exit(1)
got = sorted(d.get("text") for d in r.get("diagnostics") or [])
want = sorted(expect.split(",")) if expect else None
ok = bool(got) and (want is None or got == want)
r["expected_flagged"] = want
r["passed"] = ok
json.dump(r, open(path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
extra = "" if ok else "  got %s" % json.dumps(got, ensure_ascii=False)
print("%-18s %s  (%d diagnostics)%s" % (name, "PASS" if ok else "FAIL", len(got), extra))
sys.exit(0 if ok else 1)
PY
}

if command -v nvim >/dev/null; then
  ver="$(nvim --version | head -1 | sed -E 's/^NVIM v([0-9]+)\.([0-9]+).*/\1 \2/')"
  read -r major minor <<<"$ver"
  if ((major == 0 && minor < 8)); then snippet=vblint-0.7.lua
  elif ((major == 0 && minor < 11)); then snippet=vblint-0.8.lua
  else snippet=vblint.lua; fi
  T="$(mktemp -d)"
  mkdir -p "$T/config/nvim/plugin"
  # Install the snippet as a user would, with the command replaced by the one under test.
  lua_cmd="{ $(printf "'%s', " "${words[@]}") }"
  python3 - "$EDITORS/neovim/$snippet" "$T/config/nvim/plugin/vblint.lua" "$lua_cmd" <<'PY'
import sys
src, dst, cmd = sys.argv[1:]
text = open(src, encoding="utf-8").read()
assert "{ 'vblint', 'lsp' }" in text, "snippet no longer contains { 'vblint', 'lsp' }"
open(dst, "w", encoding="utf-8").write(text.replace("{ 'vblint', 'lsp' }", cmd, 1))
PY
  # A copy of the fixture, so that no swap or undo file lands next to the real one.
  cp "$FIXTURE" "$T/$(basename "$FIXTURE")"
  (export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_STATE_HOME="$T/state" XDG_CACHE_HOME="$T/cache" \
      SNIPPET_OUT="$OUT/nvim-snippet.json" SNIPPET_FILE="editors/neovim/$snippet" SNIPPET_TIMEOUT_MS="$TIMEOUT_MS"
   rm -f "$SNIPPET_OUT"
   timeout --kill-after=5 60 nvim --headless -n -i NONE "$T/$(basename "$FIXTURE")" \
     -c "luafile $HERE/snippet_check.lua" </dev/null >"$OUT/nvim-snippet.log" 2>&1)
  compare "$OUT/nvim-snippet.json" "nvim-snippet" || fail=1
  # The other Neovim forms cannot run on this version; at least check that they parse.
  for f in "$EDITORS"/neovim/*.lua; do
    if ! nvim --headless --clean -c "lua assert(loadfile('$f'))" -c 'qall!' </dev/null >/dev/null 2>&1; then
      echo "nvim-snippet       FAIL  ($(basename "$f") does not parse)"; fail=1
    fi
  done
  rm -rf "$T"
else
  echo "nvim-snippet       SKIP  (nvim not installed)"
fi

if command -v emacs >/dev/null; then
  T="$(mktemp -d)"
  cp "$FIXTURE" "$T/$(basename "$FIXTURE")"
  (export HOME="$T" SNIPPET_CMD="$SERVER_CMD" SNIPPET_FILE="$EDITORS/emacs/vblint.el" \
      SNIPPET_FIXTURE="$T/$(basename "$FIXTURE")" SNIPPET_OUT="$OUT/emacs-snippet.json" SNIPPET_TIMEOUT_MS="$TIMEOUT_MS"
   rm -f "$SNIPPET_OUT"
   timeout --kill-after=5 60 emacs --batch -Q --eval '(setq create-lockfiles nil auto-save-default nil make-backup-files nil)' \
     -l "$HERE/snippet_check.el" </dev/null >"$OUT/emacs-snippet.log" 2>&1)
  compare "$OUT/emacs-snippet.json" "emacs-snippet" || fail=1
  rm -rf "$T"
else
  echo "emacs-snippet      SKIP  (emacs not installed)"
fi
exit $fail
