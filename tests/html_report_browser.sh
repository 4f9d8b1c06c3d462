#!/usr/bin/env bash
# tests/html_report_browser.sh -- the printable HTML pages of vblint in
# headless Chromium: the report of a generated two-year export with a known
# decline, the dip-sample pack and the lexicon training guide. For each, a
# screenshot (PNG) and a PDF printed on A4 go to test-artefacts/ (not
# committed); the script checks in the browser that the chart's labels do not
# overlap and that nothing is wider than the page, and that each PDF is A4.
#   CARGO_TARGET_DIR=... tests/html_report_browser.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
ART=$ROOT/test-artefacts
VBLINT=$TARGET/debug/vblint
mkdir -p "$ART"
command -v chromium >/dev/null || { echo "FAIL: chromium is not installed (apt-get install chromium)"; exit 1; }
(cd "$ROOT" && cargo build --quiet)

# A two-year export (seeded): 120 records a month, the share with a
# victim-blaming sentence falls from 45% to 12%.
python3 - "$ART/export-24-months.csv" <<'PY'
import random, sys
rng = random.Random(2024)
flagged = ["She put herself at risk by going to the party.",
           "He was seen as promiscuous by staff.",
           "She chose to go with the older males."]
clean = ["Visit at home. Child seen alone and spoke about school.",
         "Mum reports the boy is settled at school.",
         "Strategy meeting held; safety plan agreed with the family."]
teams = ["North", "South", "East", "West"]
authors = ["PC Hale", "DC Rowe", "PC Amin", "DS Kerr", "PC Boyd", "DC Lutz"]
with open(sys.argv[1], "w", newline="") as f:
    f.write("ref,author,team,date,notes\n")
    for i in range(24):
        year, month = 2024 + i // 12, i % 12 + 1
        chance = 0.45 - 0.33 * i / 23
        for n in range(120):
            note = rng.choice(clean)
            if rng.random() < chance:
                note += " " + rng.choice(flagged)
            f.write(f'R-{i:02}-{n:03},{rng.choice(authors)},{rng.choice(teams)},'
                    f'{year}-{month:02}-{n % 28 + 1:02},"{note}"\n')
PY
COLS=(--csv-text-column notes --csv-id-column ref --csv-author-column author
      --csv-team-column team --csv-date-column date --no-config)
(cd "$ART" && "$VBLINT" report export-24-months.csv "${COLS[@]}" --format html -o report.html)
(cd "$ART" && "$VBLINT" sample export-24-months.csv "${COLS[@]}" --sample 6 --seed 7 \
  --context redacted -o sample.html)
"$VBLINT" lexicon guide -o "$ART/guide.html"

PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$PROFILE" "$@" 2>/dev/null
}

for page in report sample guide; do
  html=$ART/$page.html
  chrome --screenshot="$ART/$page.png" --window-size=1200,1600 "file://$html"
  chrome --print-to-pdf="$ART/$page.pdf" --no-pdf-header-footer "file://$html"
  # Layout checks in the browser: no overlapping chart labels, nothing wider
  # than an A4 page's printable width (186 mm at 96 px per inch, ~703 px).
  probe=$ART/.$page-probe.html
  python3 - "$html" "$probe" <<'PY'
import sys
probe = """<script>
const boxes = [...document.querySelectorAll("svg text.tick")].map(t => t.getBoundingClientRect());
let overlaps = 0;
for (let i = 1; i < boxes.length; i++) { if (boxes[i].left < boxes[i - 1].right) overlaps++; }
const wide = [...document.querySelectorAll("svg, table")].filter(e => e.getBoundingClientRect().width > 703).length;
document.body.insertAdjacentHTML("beforeend", "<pre id=probe>ticks=" + boxes.length + " overlaps=" + overlaps + " wide=" + wide + "</pre>");
</script></body>"""
html = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(html.replace("</body>", probe))
PY
  result=$(chrome --dump-dom --window-size=703,1000 --virtual-time-budget=2000 "file://$probe" \
    | grep -o 'ticks=[0-9]* overlaps=[0-9]* wide=[0-9]*' || true)
  rm -f "$probe"
  [ -n "$result" ] || { echo "FAIL: $page: the layout probe did not run"; exit 1; }
  python3 - "$page" "$ART/$page.png" "$ART/$page.pdf" "$result" <<'PY'
import re, sys
page, png, pdf, probe = sys.argv[1:5]
data = open(png, 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', f'{page}: the screenshot is not a PNG'
assert len(data) > 20000, f'{page}: the screenshot is nearly blank ({len(data)} bytes)'
doc = open(pdf, 'rb').read()
assert doc[:5] == b'%PDF-', f'{page}: not a PDF'
boxes = re.findall(rb'/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]', doc)
assert boxes, f'{page}: no page in the PDF'
for w, h in boxes:
    assert abs(float(w) - 595.92) < 2 and abs(float(h) - 842.88) < 2, f'{page}: a page is not A4: {w} x {h}'
fields = dict(kv.split('=') for kv in probe.split())
assert fields['overlaps'] == '0', f'{page}: {fields["overlaps"]} chart labels overlap'
assert fields['wide'] == '0', f'{page}: {fields["wide"]} charts or tables are wider than an A4 page'
if page == 'report':
    assert int(fields['ticks']) >= 4, f'report: only {fields["ticks"]} month labels'
print(f'ok: {page}: {png} ({len(data)} bytes), {pdf} ({len(boxes)} A4 pages), {probe}')
PY
done
