#!/bin/sh
# Tools the privacy tests (tests/privacy.rs) need: strace, to prove that
# vblint makes no network system call and writes nothing it should not.
# Without it those tests print why they are skipped and pass.
set -eu
if command -v strace >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends strace
