"""Shared fixtures: the repository, the `vblint` command line to compare
with, realistic notes from tests/corpus, a seeded CSV export and a local
Spark session."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.9 and 3.10
    import tomli as tomllib


def vblint_bin() -> str:
    """The command line to compare with: $VBLINT_BIN, or the newest of the
    repository's builds. Missing, the tests fail (CI builds it first)."""
    given = os.environ.get("VBLINT_BIN")
    if given:
        return given
    builds = [REPO / "target" / p / "vblint" for p in ("release", "ci", "debug")]
    found = [b for b in builds if b.exists()]
    if not found:
        pytest.fail("no vblint binary: build one (`cargo build --profile ci`) or set VBLINT_BIN")
    return str(max(found, key=lambda b: b.stat().st_mtime))


def passages() -> list:
    out = []
    for f in sorted((REPO / "tests" / "corpus").glob("*.toml")):
        data = tomllib.loads(f.read_text(encoding="utf-8"))
        out.extend(case["text"].strip() for case in data.get("case", []))
    assert len(out) > 200, "tests/corpus should hold a few hundred passages"
    return out


# Typographic variants the scanner normalises, and non-ASCII text that
# makes byte offsets differ from character offsets.
DECORATIONS = [
    lambda t: t.replace("'", "\u2019"),
    lambda t: t.replace(" - ", " \u2014 "),
    lambda t: "Café visit \u2013 " + t,
    lambda t: t + " \U0001f4dd",
    lambda t: t.replace("\n", "\n\n"),
    lambda t: t,
]


def make_notes(n: int, seed: int) -> list:
    """`n` (id, date, note) rows, each note one to four corpus passages."""
    rng = random.Random(seed)
    texts = passages()
    rows = []
    for i in range(n):
        parts = [rng.choice(DECORATIONS)(rng.choice(texts)) for _ in range(rng.randint(1, 4))]
        note = rng.choice([" ", "\n"]).join(parts)
        y, m, d = rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)
        date = f"{y}-{m:02d}-{d:02d}" if rng.random() < 0.7 else f"{d:02d}/{m:02d}/{y}"
        rows.append((f"R{i:06d}", date, note))
    return rows


def write_csv(path: Path, rows: list) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "date", "notes"])
        w.writerows(rows)


def cli_findings(path: Path, *extra: str) -> list:
    """`vblint check --format jsonl` of a CSV export: the finding objects."""
    run = subprocess.run(
        [vblint_bin(), "check", "--format", "jsonl", "--csv-text-column", "notes",
         "--csv-id-column", "ref", *extra, str(path)],
        capture_output=True, text=True, encoding="utf-8",
    )
    assert run.returncode in (0, 1), run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    return [o for o in out if o["type"] == "finding"]


@pytest.fixture(scope="session")
def export_100k(tmp_path_factory):
    """A 100,000-row CSV export and the command line's findings of it."""
    path = tmp_path_factory.mktemp("export") / "export.csv"
    rows = make_notes(100_000, seed=19)
    write_csv(path, rows)
    return path, rows, cli_findings(path)


@pytest.fixture(scope="session")
def spark():
    import sys

    from pyspark.sql import SparkSession

    # Workers run this interpreter, where vblint is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if not os.environ.get("JAVA_HOME") and not shutil.which("java"):
        pytest.fail("Spark needs Java 17: install it or set JAVA_HOME")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("vblint-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
