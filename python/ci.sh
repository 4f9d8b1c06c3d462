#!/usr/bin/env bash
# Builds the Python wheel and runs its tests, Spark in local mode included.
# Called by .ci/run after `cargo build --profile ci` (the tests compare with
# target/ci/vblint, and the wheel reuses that build of the core).
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd .. && pwd)

# Java 17 or later for Spark: JAVA_HOME if it holds a java, else the java on
# PATH (Debian's is a chain of links into /usr/lib/jvm/…), else Debian's.
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  if ! command -v java >/dev/null; then
    apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
  fi
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
export JAVA_HOME
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) ($JAVA_HOME)"

# The extension crate is a workspace member outside default-members, so the
# top-level clippy step does not see it.
(cd "$repo" && cargo clippy --locked -q -p vblint-python -- -D warnings)

venv=$repo/target/python-venv
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r requirements-ci.txt

# The `ci` profile (optimised, no LTO): the wheel builds in a fraction of a
# release build's time and scans as fast within a few per cent.
rm -rf "$repo/target/wheels"
log=$repo/target/python-wheel.log
if ! "$venv/bin/maturin" build --profile ci --locked -i "$venv/bin/python" \
  --out "$repo/target/wheels" >"$log" 2>&1; then
  tail -40 "$log"
  exit 1
fi
grep -E 'Built wheel' "$log" || true
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps \
  "$repo"/target/wheels/vblint-*-abi3-*.whl

# From tests/, so that `import vblint` is the installed wheel, not the
# source folder.
cd tests
VBLINT_BIN=${VBLINT_BIN:-$repo/target/ci/vblint} PYSPARK_PYTHON="$venv/bin/python" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider -W ignore::FutureWarning
