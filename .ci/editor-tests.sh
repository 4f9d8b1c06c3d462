#!/usr/bin/env bash
# Drive `SERVER_BIN lsp` through real editor clients, and build and package the VS Code extension.
#
# usage: .ci/editor-tests.sh SERVER_BIN          e.g. .ci/editor-tests.sh target/debug/vblint
#
# Runs, in order (run .ci/install-editor-deps.sh first):
#   vscode-extension  editors/vscode: `tsc --noEmit`, `vsce package` -> target/editor-tests/vblint.vsix,
#                     then its node tests (test/launch.test.js: the extension's launch code starts
#                     SERVER_BIN with the extension's default arguments for a whole LSP session)
#   nvim              Neovim's built-in LSP client (shared nvim_lsp_check.sh)
#   nvim-settings     the same, with one rule disabled through initializationOptions
#   emacs-eglot       Emacs + Eglot (shared emacs_lsp_check.sh)
#   vscode-protocol   vscode-languageclient's protocol libraries (shared vscode_probe/probe.js)
#   lsp-probe         raw protocol + robustness, every scenario (shared lsp_probe.py)
#   quickfix          the preferred quick fix of each of editors/fixtures/quickfix-sentences.txt reads
#                     right (shared quickfix_check.py, through editors/tests/check-quickfixes.sh)
#   snippets          editors/neovim and editors/emacs snippets installed as a user would (editors/tests)
#   vscode-ui         real VS Code (code-server) with our .vsix and SERVER_BIN itself as
#                     `vblint.server.path` (editors/vscode/ui-test/ui_check.js); screenshots of the
#                     squiggles, hover, quick-fix menu, text after the fix, Explain view, log and a
#                     failed start go to target/editor-tests/ui/
# Each editor harness opens the fixture, checks that the diagnostics cover exactly the expected
# phrases (UTF-16 positions on lines with curly quotes, emoji, a ZWJ sequence and `café`), asks for
# code actions and hover, types VBLINT_EDIT before a flagged phrase and checks it moves, undoes
# that, applies the first quick fix, and checks the server exits cleanly.
#
# Prints one PASS/FAIL line per harness, writes JSON under target/editor-tests/, and exits 1 if any
# harness failed (2 on a usage error).
#
# environment (defaults in brackets):
#   VBLINT_SERVER_CMD   the whole server command, overriding "SERVER_BIN lsp"; e.g. for a dry run
#                       with the shared mock: "python3 target/clients/fixtures/mock_lsp_server.py --bug none"
#   VBLINT_FIXTURE      document to open [editors/fixtures/case-note.txt]
#   VBLINT_EXPECT       comma-separated phrases the diagnostics must cover, exactly and case-sensitively
#                       [has absconded,putting herself at risk,risk-taking behaviour,child prostitute]
#   VBLINT_EDIT         text typed before a flagged phrase [“ok” 🙂 ]
#   VBLINT_CLIENTS_DIR  writable copy of the shared harnesses [target/clients]
#   VBLINT_RESULTS      output folder [target/editor-tests]
#   VBLINT_TIMEOUT      seconds per wait in each harness [20]
#   VBLINT_PROBE_ONLY   comma-separated lsp_probe.py scenarios [all]
#   VBLINT_SETTINGS_CHECK  RULE:PHRASE for the nvim-settings run, which sends {"disable": [RULE]} as
#                       initializationOptions and expects every phrase except PHRASE; "" skips it
#                       [absconded:has absconded]
#   VBLINT_SKIP_PACKAGE=1  skip the VS Code extension build (the UI harness then needs an existing .vsix)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ $# -lt 1 && -z "${VBLINT_SERVER_CMD:-}" ]]; then
  sed -n '2,44p' "$0" >&2
  exit 2
fi
SERVER_BIN="${1:-}"
if [[ -n "$SERVER_BIN" && "$SERVER_BIN" == */* ]]; then
  SERVER_BIN="$(realpath "$SERVER_BIN")"
fi
if [[ -n "${VBLINT_SERVER_CMD:-}" ]]; then
  SERVER_CMD="$VBLINT_SERVER_CMD"
  read -r -a server_words <<<"$SERVER_CMD"
else
  if [[ "$SERVER_BIN" == */* && ! -x "$SERVER_BIN" ]]; then
    echo "error: $SERVER_BIN is not an executable file" >&2
    exit 2
  fi
  server_words=("$SERVER_BIN" lsp)
  SERVER_CMD="$(printf '%q ' "${server_words[@]}")"
  SERVER_CMD="${SERVER_CMD% }"
fi
FIXTURE="$(realpath "${VBLINT_FIXTURE:-$ROOT/editors/fixtures/case-note.txt}")"
EXPECT="${VBLINT_EXPECT-has absconded,putting herself at risk,risk-taking behaviour,child prostitute}"
EDIT="${VBLINT_EDIT:-“ok” 🙂 }"
CLIENTS="$(realpath -m "${VBLINT_CLIENTS_DIR:-$ROOT/target/clients}")"
OUT="$(realpath -m "${VBLINT_RESULTS:-$ROOT/target/editor-tests}")"
TIMEOUT="${VBLINT_TIMEOUT:-20}"
# RULE:PHRASE: switch RULE off in initializationOptions and expect every phrase but PHRASE.
SETTINGS_CHECK="${VBLINT_SETTINGS_CHECK-absconded:has absconded}"
mkdir -p "$OUT"

exp=()
[[ -n "$EXPECT" ]] && exp=(--expect-flagged "$EXPECT")
failed=()

# Print one line per harness; with a JSON report, name the checks that failed.
verdict() { # NAME RC SECONDS [JSON]
  local name="$1" rc="$2" secs="$3" json="${4:-}" detail=""
  if [[ -n "$json" && -s "$json" ]]; then
    detail="$(python3 - "$json" <<'PY' 2>/dev/null
import json, sys
try:
    r = json.load(open(sys.argv[1], encoding="utf-8"))
except Exception as e:
    print("unreadable JSON: %s" % e); sys.exit()
out = []
def checks(c):
    if isinstance(c, dict):
        return [k for k, v in c.items() if v is not True]
    if isinstance(c, list):
        return [x.get("check", "?") for x in c if isinstance(x, dict) and not x.get("ok")]
    return []
def texts(diags):
    return sorted(d.get("text") or "<out of range>" for d in diags or [] if isinstance(d, dict))
if "scenarios" in r:
    for name, s in r["scenarios"].items():
        if not s.get("passed"):
            out.append("%s(%s)" % (name, ",".join(checks(s.get("checks"))) or "?"))
            for c in s.get("checks") or []:
                if c.get("check") == "flagged_texts_match" and not c.get("ok"):
                    out.append("%s got %s" % (name, json.dumps(c.get("got"), ensure_ascii=False)))
else:
    failed = checks(r.get("checks"))
    out = list(failed)
    if r.get("status") not in (None, "ok", "passed"):
        out.insert(0, "status=%s" % r.get("status"))
    if r.get("error"):
        out.append("error=%s" % str(r.get("error"))[:160])
    if "flagged_texts_match" in failed or "diagnostics" in r and not r["diagnostics"]:
        got = sorted(r["flagged_texts"]) if "flagged_texts" in r else texts(r.get("diagnostics"))
        out.append("got %s" % json.dumps(got, ensure_ascii=False))
print("; ".join(out))
PY
)"
  fi
  if [[ "$rc" == 0 ]]; then
    printf '%-18s PASS  (%ss)\n' "$name" "$secs"
  else
    printf '%-18s FAIL  (rc=%s, %ss)%s\n' "$name" "$rc" "$secs" "${detail:+  failed: $detail}"
    failed+=("$name")
  fi
}

# run NAME JSON CMD...: stdout+stderr of CMD go to OUT/NAME.log
run() {
  local name="$1" json="$2"; shift 2
  local t0=$SECONDS rc=0
  "$@" >"$OUT/$name.log" 2>&1 || rc=$?
  verdict "$name" "$rc" "$((SECONDS - t0))" "$json"
}

missing() { # NAME WHAT
  printf '%-18s FAIL  (%s; run .ci/install-editor-deps.sh)\n' "$1" "$2"
  failed+=("$1")
}

echo "== server:  $SERVER_CMD"
echo "== fixture: $FIXTURE"
echo "== expect:  ${EXPECT:-<any>}"
echo "== output:  $OUT"

# --- VS Code extension: typecheck and package ---------------------------------------------
VSIX="$OUT/vblint.vsix"
NODE_TEST_BIN=""
[[ -z "${VBLINT_SERVER_CMD:-}" ]] && NODE_TEST_BIN="${server_words[0]}"
if [[ "${VBLINT_SKIP_PACKAGE:-0}" != 1 ]]; then
  if [[ -d "$ROOT/editors/vscode/node_modules" ]]; then
    rm -f "$VSIX"
    run vscode-extension "" bash -c '
      set -e
      cd "$1"
      npx --no-install tsc -p . --noEmit
      npx --no-install vsce package --allow-missing-repository --out "$2"
      test -s "$2"
      if [[ -n "$3" ]]; then VBLINT_SERVER_BIN="$3" node --test test/launch.test.js
      else echo "VBLINT_SERVER_CMD is set: the node tests need SERVER_BIN, not run"; fi' \
      _ "$ROOT/editors/vscode" "$VSIX" "$NODE_TEST_BIN"
  else
    missing vscode-extension "editors/vscode/node_modules missing"
  fi
fi

# --- editor clients -----------------------------------------------------------------------
if [[ ! -d "$CLIENTS" ]]; then
  missing harnesses "no harness copy at $CLIENTS"
  echo "FAILED: ${failed[*]}"
  exit 1
fi

if command -v nvim >/dev/null; then
  run nvim "$OUT/nvim.json" "$CLIENTS/nvim_lsp_check.sh" --timeout "$TIMEOUT" --edit "$EDIT" "${exp[@]}" \
    --init-options '{"quotes":"info","lexicon":[],"disable":[]}' "$SERVER_CMD" "$FIXTURE" "$OUT/nvim.json"
else
  missing nvim "nvim not installed"
fi

# Settings reach the server: the same, with one rule switched off through initializationOptions.
if [[ -n "$SETTINGS_CHECK" ]] && command -v nvim >/dev/null; then
  rule="${SETTINGS_CHECK%%:*}" phrase="${SETTINGS_CHECK#*:}"
  rest="$(python3 -c 'import sys; print(",".join(p for p in sys.argv[1].split(",") if p != sys.argv[2]))' "$EXPECT" "$phrase")"
  if [[ -n "$rest" ]]; then want=(--expect-flagged "$rest"); else want=(--allow-empty); fi
  run nvim-settings "$OUT/nvim-settings.json" "$CLIENTS/nvim_lsp_check.sh" --timeout "$TIMEOUT" --no-fix "${want[@]}" \
    --init-options "{\"quotes\":\"info\",\"lexicon\":[],\"disable\":[\"$rule\"]}" "$SERVER_CMD" "$FIXTURE" "$OUT/nvim-settings.json"
fi

if command -v emacs >/dev/null; then
  run emacs-eglot "$OUT/emacs.json" "$CLIENTS/emacs_lsp_check.sh" --timeout "$TIMEOUT" --edit "$EDIT" "${exp[@]}" \
    "$SERVER_CMD" "$FIXTURE" "$OUT/emacs.json"
else
  missing emacs-eglot "emacs not installed"
fi

if [[ -d "$CLIENTS/vscode_probe/node_modules" ]]; then
  run vscode-protocol "$OUT/vscode_probe.json" node "$CLIENTS/vscode_probe/probe.js" --timeout "$TIMEOUT" \
    --edit "$EDIT" "${exp[@]}" --json "$OUT/vscode_probe.json" "$SERVER_CMD" "$FIXTURE"
else
  missing vscode-protocol "$CLIENTS/vscode_probe/node_modules missing"
fi

# lsp_probe.py prints its JSON on stdout and one line per scenario on stderr.
probe_only=()
[[ -n "${VBLINT_PROBE_ONLY:-}" ]] && probe_only=(--only "$VBLINT_PROBE_ONLY")
t0=$SECONDS rc=0
python3 "$CLIENTS/lsp_probe.py" --timeout "$((TIMEOUT < 15 ? 15 : TIMEOUT))" --file "$FIXTURE" \
  ${EXPECT:+--expect-flagged "$EXPECT"} "${probe_only[@]}" "$SERVER_CMD" \
  >"$OUT/lsp_probe.json" 2>"$OUT/lsp-probe.log" || rc=$?
verdict lsp-probe "$rc" "$((SECONDS - t0))" "$OUT/lsp_probe.json"
grep -E '^[a-z0-9_]+ +(PASS|FAIL)' "$OUT/lsp-probe.log" | sed 's/^/    /'

# --- the preferred quick fix of every sentence of editors/fixtures/quickfix-sentences.txt reads right ---
if [[ -n "$SERVER_BIN" ]]; then
  run quickfix "" "$ROOT/editors/tests/check-quickfixes.sh" "$CLIENTS/quickfix_check.py" "$SERVER_BIN"
  tail -n 1 "$OUT/quickfix.log" | sed 's/^/    /'
fi

# --- the copy-paste snippets of editors/neovim and editors/emacs, installed as a user would ---
t0=$SECONDS rc=0
SNIPPET_TIMEOUT_MS="$((TIMEOUT * 1000))" "$ROOT/editors/tests/check-snippets.sh" "$SERVER_CMD" "$FIXTURE" "$EXPECT" "$OUT" \
  >"$OUT/snippets.log" 2>&1 || rc=$?
if [[ $rc == 0 ]]; then
  printf '%-18s PASS  (%ss)\n' snippets "$((SECONDS - t0))"
else
  printf '%-18s FAIL  (rc=%s, %ss)\n' snippets "$rc" "$((SECONDS - t0))"
  failed+=(snippets)
fi
sed 's/^/    /' "$OUT/snippets.log"

# --- the real VS Code workbench (code-server) with our extension and the real server ---------
UI="$CLIENTS/vscode_probe/ui"
if [[ ! -x "$UI/.code-server/node_modules/.bin/code-server" || ! -d "$UI/node_modules/playwright-core" ]]; then
  missing vscode-ui "code-server not installed"
elif [[ ! -s "$VSIX" ]]; then
  missing vscode-ui "no $VSIX (the vscode-extension step failed or was skipped)"
elif [[ -n "${VBLINT_SERVER_CMD:-}" ]]; then
  missing vscode-ui "VBLINT_SERVER_CMD is set; the UI test starts SERVER_BIN as the extension does"
else
  # A harness error or timeout (rc 2 or 3, never a failed check) on a busy machine is retried once.
  ui_run() {
    local rc=0
    NODE_PATH="$UI/node_modules" node "$ROOT/editors/vscode/ui-test/ui_check.js" --vsix "$VSIX" \
      --code-server "$UI/.code-server/node_modules/.bin/code-server" --server "${server_words[0]}" \
      --file "$FIXTURE" --edit "$EDIT" "${exp[@]}" --timeout "$((TIMEOUT * 3))" --out "$OUT/ui" || rc=$?
    if [[ $rc == 2 || $rc == 3 ]]; then
      echo "harness error (rc=$rc); retrying once"
      rc=0
      NODE_PATH="$UI/node_modules" node "$ROOT/editors/vscode/ui-test/ui_check.js" --vsix "$VSIX" \
        --code-server "$UI/.code-server/node_modules/.bin/code-server" --server "${server_words[0]}" \
        --file "$FIXTURE" --edit "$EDIT" "${exp[@]}" --timeout "$((TIMEOUT * 3))" --out "$OUT/ui" || rc=$?
    fi
    return $rc
  }
  run vscode-ui "$OUT/ui/ui_report.json" ui_run
fi

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}  (details: $OUT/<name>.json and <name>.log)"
  exit 1
fi
echo "all editor tests passed"
