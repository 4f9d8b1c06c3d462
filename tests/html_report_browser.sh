#!/usr/bin/env bash
# tests/html_report_browser.sh -- render `vblint report --format html` for the
# fixture export in headless Chromium and check the screenshot is produced and
# not blank. The PNG goes to target/ (not committed).
#   CARGO_TARGET_DIR=... tests/html_report_browser.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/target/html-report
mkdir -p "$OUT"
(cd "$ROOT" && cargo build --quiet)
(cd "$ROOT/tests/fixtures/batch" && "$TARGET/debug/vblint" report export.csv \
  --csv-text-column notes --csv-text-column summary --csv-id-column ref \
  --csv-author-column author --csv-team-column team --csv-date-column date \
  --min-count 1 --format html --no-config -o "$OUT/report.html")
PROFILE=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$PROFILE" \
  --screenshot="$OUT/report.png" --window-size=1200,1600 "file://$OUT/report.html" 2>/dev/null
rm -rf "$PROFILE"
size=$(stat -c %s "$OUT/report.png")
[ "$size" -gt 20000 ] || { echo "FAIL: screenshot too small ($size bytes)"; exit 1; }
# Non-trivial: more than a handful of distinct colours.
python3 - "$OUT/report.png" <<'PY'
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
print('ok: screenshot', sys.argv[1], len(data), 'bytes')
PY
