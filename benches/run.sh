#!/usr/bin/env bash
# benches/run.sh -- the batch-scanning benchmark: vblint against the shared
# anchors (ac_ref, ripgrep --no-unicode) on the shared synthetic corpora.
#
#   benches/run.sh [BENCH_DIR]     (default /work/bench-copy)
#
# BENCH_DIR is a writable copy of the shared bench folder
# (cp -r /work/shared/bench /work/bench-copy). The script generates the
# corpora if missing, builds ac_ref and vblint in release mode, and runs
# run_anchors.sh once per mode (tree, big, csv) because the CSV mode needs
# --csv-text-column. Results go to BENCH_DIR/results/ (not committed).
set -euo pipefail
BENCH=${1:-/work/bench-copy}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
SIZES=${SIZES:-"10M 100M"}
RUNS=${RUNS:-5}
(cd "$BENCH" && SIZES="$SIZES" ./make_corpora.sh)
(cd "$BENCH/ac_ref" && cargo build --release)
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release)
V=$TARGET/release/vblint
COUNT='grep -c "\"type\":\"finding\""'
for threads in "" "-j1"; do
  for mode in tree big csv; do
    extra=""
    [ "$mode" = csv ] && extra="--csv-text-column text --csv-id-column note_id"
    "$BENCH/run_anchors.sh" --tool "$V check $threads --format jsonl $extra {path}" \
      --tool-count "$COUNT" --tool-pairs "rg_nu" --only "ac_ref rg_nu tool" \
      --sizes "$SIZES" --modes "$mode" --runs "$RUNS" --no-cold \
      --out "$BENCH/results/vblint${threads}-$mode-$(date -u +%Y%m%dT%H%M%SZ)"
  done
done
