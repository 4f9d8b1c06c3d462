"""Spark local mode: findings of a 100,000-row CSV export equal, row for
row, the command line's `vblint check --format jsonl` of the same file."""

from __future__ import annotations

import pickle

import vblint
import vblint.spark


def test_check_column_equals_the_cli_on_100k_rows(spark, export_100k):
    path, rows, cli = export_100k
    # README "At scale": Spark
    notes = (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("escape", '"')
        .csv(str(path))
    )
    findings = vblint.spark.check_column(notes, "notes", id_cols=["ref"])
    # end of example
    assert findings.columns == [
        "ref", "rule", "category", "severity", "line", "column", "start", "end",
        "text", "message", "alternatives", "quoted",
    ]
    got = sorted(tuple(r) for r in findings.select("ref", "rule", "start", "end").collect())
    want = sorted((f["record"], f["rule"], f["start"], f["end"]) for f in cli)
    assert len(rows) == 100_000
    assert len(want) > 50_000
    assert got == want


def test_fields_and_a_lexicon_shipped_to_the_workers(spark, tmp_path):
    folder = tmp_path / "force"
    folder.mkdir()
    (folder / "local.toml").write_text(
        '[[entry]]\nid = "runner"\ncategory = "responsibility"\nterms = ["serial runner"]\n'
        'alternatives = ["is repeatedly missing"]\nwhy = "Blames the child."\nsources = ["x"]\n'
        'examples = ["A serial runner."]\n',
        encoding="utf-8",
    )
    texts = [("a", 1, "He is a serial runner."), ("b", 2, None), ("c", 3, 'She said "I consented".')]
    df = spark.createDataFrame(texts, "ref string, n int, note string").repartition(3)
    got = vblint.spark.check_column(df, "note", id_cols=["ref", "n"], lexicon=str(folder))
    rows = sorted((r.asDict() for r in got.collect()), key=lambda r: (r["ref"], r["start"]))
    scanner = vblint.Scanner(folder)
    want = [
        dict(ref=ref, n=n, **{k: v for k, v in f.items() if k not in ("type", "path", "record")})
        for ref, n, text in texts if text
        for f in scanner.check(text)
    ]
    assert rows == want
    assert [r["rule"] for r in rows] == ["runner", "consent"]
    assert rows[1]["quoted"] and rows[1]["severity"] == "info"
    # The scanner travels as its lexicon texts.
    assert pickle.loads(pickle.dumps(scanner)).check("a serial runner")


def test_summary_per_rule_category_and_month(spark):
    df = spark.createDataFrame(
        [
            ("1", "2024-03-05", "She is streetwise. Streetwise again."),
            ("2", "05/03/2024", "Putting herself at risk."),
            ("3", "2024-04-01T10:00", "He is streetwise."),
            ("4", "soon", "streetwise"),
            ("5", "2024-04-02", "nothing to see"),
        ],
        "ref string, date string, notes string",
    )
    got = {
        (r["rule"], r["category"], r["month"]): (r["findings"], r["records"])
        for r in vblint.spark.summary(df, "notes", ["ref"], date_col="date").collect()
    }
    assert got == {
        ("streetwise", "adultifying", "2024-03"): (2, 1),
        ("put-self-at-risk", "responsibility", "2024-03"): (1, 1),
        ("streetwise", "adultifying", "2024-04"): (1, 1),
        ("streetwise", "adultifying", "unknown"): (1, 1),
    }
