"""Rows per second of the Python paths against the command line on the same
CSV export (BENCHMARKS.md, "Python and Spark").

    python bench.py [ROWS] [RUNS]

Needs the wheel installed with pyarrow and pyspark, Java 17, and a vblint
binary ($VBLINT_BIN, else the newest under target/). Prints one line per
path: the median of RUNS runs in seconds and rows/s.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "tests"))

import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

import vblint  # noqa: E402
from conftest import make_notes, vblint_bin, write_csv  # noqa: E402


def timed(runs, fn):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    rows_n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "export.csv"
    rows = make_notes(rows_n, seed=19)
    write_csv(path, rows)
    size = path.stat().st_size
    print(f"{rows_n} rows, {size / 1e6:.1f} MB, {os.cpu_count()} cores, median of {runs}")
    results = {}

    def cli():
        with open(os.devnull, "wb") as out:
            subprocess.run(
                [vblint_bin(), "check", "--format", "jsonl", "--csv-text-column", "notes",
                 "--csv-id-column", "ref", str(path)],
                stdout=out, check=False,
            )

    results["CLI: vblint check --format jsonl (read, scan, write)"] = timed(runs, cli)[0]

    scanner = vblint.Scanner()

    def read_texts():
        with open(path, encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            next(r)
            ids, texts = [], []
            for ref, _, note in r:
                ids.append(ref)
                texts.append(note)
        return ids, texts

    ids, texts = read_texts()
    t, found = timed(runs, lambda: scanner.check_many(texts, ids=ids))
    results[f"check_many (lists in memory -> {len(found)} dicts)"] = t
    results["csv module + check_many (read, scan)"] = timed(
        runs, lambda: scanner.check_many(*reversed(read_texts()))
    )[0]

    opts = pacsv.ConvertOptions(column_types={"ref": pa.string(), "notes": pa.string()})
    results["pyarrow.csv + check_arrow (read, scan)"] = timed(
        runs, lambda: scanner.check_arrow(pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=opts), text="notes", id="ref")
    )[0]

    from pyspark.sql import SparkSession

    from vblint import spark as vblint_spark

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g").getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    def on_spark():
        df = spark.read.option("header", True).option("multiLine", True).option("escape", '"').csv(str(path))
        return vblint_spark.check_column(df, "notes", id_cols=["ref"]).count()

    on_spark()  # start the workers
    results["Spark local[2]: read CSV + check_column + count"] = timed(runs, on_spark)[0]
    spark.stop()

    cli_time = results["CLI: vblint check --format jsonl (read, scan, write)"]
    for name, t in results.items():
        print(f"{name:58} {t:7.3f} s {rows_n / t:10,.0f} rows/s  {t / cli_time:5.2f}x CLI")


if __name__ == "__main__":
    main()
