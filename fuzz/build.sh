#!/bin/sh
# Builds the fuzz targets with libFuzzer's coverage instrumentation (what
# `cargo fuzz build --sanitizer none` does), on the stable toolchain.
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
exec nice cargo build --release --target x86_64-unknown-linux-gnu --manifest-path "$(dirname "$0")/Cargo.toml" --bins "$@"
