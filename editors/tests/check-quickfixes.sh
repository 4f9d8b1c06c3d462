#!/usr/bin/env bash
# Apply the preferred quick fix of every finding in editors/fixtures/quickfix-sentences.txt through
# `SERVER_BIN lsp`, with the shared checker quickfix_check.py (as an officer pressing Ctrl+. Enter),
# and fail on any fix that does not read right.
#
# usage: editors/tests/check-quickfixes.sh CHECKER SERVER_BIN [SENTENCES] [MIN_FIXED]
#   CHECKER     the shared quickfix_check.py (a copy under target/clients in CI)
#   SENTENCES   default editors/fixtures/quickfix-sentences.txt
#   MIN_FIXED   the fewest findings whose preferred fix must be a replacement [100]
#
# Fails (exit 1) on:
#   * a BAD FIX: a doubled verb ("keeps is"), a pronoun of the other sex, or the flagged words left;
#   * an action that writes into the note anywhere but at the finding;
#   * fewer than MIN_FIXED findings with a replacement as the preferred fix.
# The one exception is the "Ignore this occurrence" action, which still appends a marker to a
# plain-text note: the checker then also takes it for the preferred fix of a finding that has no
# replacement (such as reported wording, "called them child pornography"). Dismissals are being
# moved out of plain-text notes separately; until then, this script reports them without failing.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ $# -lt 2 ]]; then
  sed -n '2,18p' "$0" >&2
  exit 2
fi
CHECKER="$1" SERVER_BIN="$2"
SENTENCES="${3:-$ROOT/editors/fixtures/quickfix-sentences.txt}"
MIN_FIXED="${4:-100}"

out="$(python3 "$CHECKER" "$SERVER_BIN" "$SENTENCES" --min-fixed "$MIN_FIXED")"
printf '%s\n' "$out"
summary="$(tail -n 1 <<<"$out")"
if [[ ! "$summary" =~ ([0-9]+)\ diagnostics,\ ([0-9]+)\ preferred\ fixes\ applied ]]; then
  echo "FAIL: no summary line from the checker" >&2
  exit 1
fi
applied="${BASH_REMATCH[2]}"
bad="$(grep -E '^BAD FIX:' <<<"$out" | grep -vF -- "[vblint: ignore " || true)"
ignored="$(grep -E '^BAD FIX:' <<<"$out" | grep -cF -- "[vblint: ignore " || true)"
writes="$(grep -E '^WRITES INTO NOTE:' <<<"$out" | grep -vE "^WRITES INTO NOTE: 'Ignore this occurrence of " || true)"
fixed=$((applied - ignored))
status=0
if [[ -n "$bad" ]]; then
  echo "FAIL: quick fixes that do not read right (above)"
  status=1
fi
if [[ -n "$writes" ]]; then
  echo "FAIL: actions that write into the note away from the finding:"
  printf '%s\n' "$writes"
  status=1
fi
if ((fixed < MIN_FIXED)); then
  echo "FAIL: only $fixed findings have a replacement as the preferred fix (want $MIN_FIXED)"
  status=1
fi
nbad=0
[[ -n "$bad" ]] && nbad="$(wc -l <<<"$bad")"
echo "quick fixes: $fixed findings fixed by a replacement, $nbad bad; $ignored without a replacement (the checker fell back to 'Ignore' for them)"
exit "$status"
