#!/bin/sh
# Runs one fuzz target built by build.sh for SECONDS, with its seeds as the
# start of its corpus, 512 MB of memory and 30 s per input at most:
#   fuzz/run.sh TARGET SECONDS [more libFuzzer options]
set -e
here=$(cd "$(dirname "$0")" && pwd)
target=$1
seconds=$2
shift 2
corpus="$here/corpus/$target"
mkdir -p "$corpus" "$here/artifacts/$target"
case $target in
    fix) seeds=scan ;;
    *) seeds=$target ;;
esac
if [ -d "$here/seeds/$seeds" ]; then
    cp "$here/seeds/$seeds/"* "$corpus/"
fi
extra=
if [ "$target" = lexicon ]; then
    cp "$here/../lexicon/"*.toml "$corpus/"
    extra=-max_len=65536
fi
# The targets use the system's malloc (vblint itself uses jemalloc). glibc
# raises its mmap threshold each time a large block is freed, after which
# blocks of up to 32 MB come from the heap, whose holes a million inputs
# of every size never give back: the docx target grew past 512 MB that way
# in 200 s with no memory lost (FUZZING.md). A fixed threshold keeps large
# blocks out of the heap, as jemalloc does.
export MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
exec nice "$here/target/x86_64-unknown-linux-gnu/release/$target" "$corpus" \
    -max_total_time="$seconds" -rss_limit_mb=512 -timeout=30 \
    -artifact_prefix="$here/artifacts/$target/" -print_final_stats=1 $extra "$@"
