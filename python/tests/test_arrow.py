"""Arrow in, Arrow out; pandas and DuckDB on top; all equal to the command
line on a CSV export."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import vblint
from conftest import cli_findings, make_notes, write_csv

COLUMNS = ["rule", "category", "severity", "line", "column", "start", "end", "text", "message", "alternatives", "quoted"]


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "export.csv"
    rows = make_notes(5000, seed=3)
    write_csv(path, rows)
    return path, rows, cli_findings(path)


def keys(findings):
    return sorted((f["record"], f["rule"], f["start"], f["end"]) for f in findings)


def test_check_arrow_carries_ids_and_equals_check():
    scanner = vblint.Scanner()
    rows = make_notes(2000, seed=11)
    table = pa.table({
        "ref": [r for r, _, _ in rows],
        "notes": [n for _, _, n in rows],
    })
    found = scanner.check_arrow(table, text="notes", id="ref")
    assert found.column_names == ["ref", *COLUMNS]
    expected = [dict(f, record=ref) for ref, _, note in rows for f in scanner.check(note)]
    got = found.to_pylist()
    assert len(got) == len(expected) > 500
    for g, e in zip(got, expected):
        assert g["ref"] == e["record"]
        assert {k: g[k] for k in COLUMNS} == {k: e[k] for k in COLUMNS}


def test_check_arrow_takes_chunked_large_and_view_strings_and_nulls():
    scanner = vblint.Scanner()
    texts = ["she is streetwise", None, "", "putting herself at risk"]
    plain = scanner.check_arrow(pa.array(texts)).to_pylist()
    assert [(r["row"], r["rule"]) for r in plain] == [(0, "streetwise"), (3, "put-self-at-risk")]
    for array in (
        pa.array(texts, pa.large_string()),
        pa.array(texts, pa.string_view()),
        pa.chunked_array([texts[:2], texts[2:]]),
    ):
        assert scanner.check_arrow(array).to_pylist() == plain
    empty = scanner.check_arrow(pa.array([], pa.string()))
    assert empty.num_rows == 0 and empty.column_names == ["row", *COLUMNS]
    with pytest.raises(TypeError, match="type int64, not text"):
        scanner.check_arrow(pa.array([1, 2]))
    with pytest.raises(ValueError, match="say which column holds the text"):
        scanner.check_arrow(pa.table({"notes": texts}))
    with pytest.raises(ValueError, match="no column 'ref'"):
        scanner.check_arrow(pa.table({"notes": texts}), text="notes", id="ref")


def test_arrow_and_check_many_on_a_csv_export_equal_the_cli(small_export):
    path, rows, cli = small_export
    scanner = vblint.Scanner()
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=pacsv.ConvertOptions(column_types={"ref": pa.string(), "notes": pa.string()}))
    arrow = scanner.check_arrow(table, text="notes", id="ref").to_pylist()
    assert keys([dict(f, record=f["ref"]) for f in arrow]) == keys(cli)
    many = scanner.check_many([n for _, _, n in rows], ids=[r for r, _, _ in rows])
    assert keys(many) == keys(cli)
    assert len(cli) > 1000


def test_pandas_example_from_the_readme(small_export):
    import pandas as pd

    path, _, cli = small_export
    # README "At scale": pandas
    notes = pd.read_csv(path, dtype=str, keep_default_na=False)
    scanner = vblint.Scanner()
    findings = scanner.check_arrow(pa.Table.from_pandas(notes), text="notes", id="ref").to_pandas()
    per_rule = findings.groupby("rule").size().sort_values(ascending=False)
    # end of example
    assert keys(findings.rename(columns={"ref": "record"}).to_dict("records")) == keys(cli)
    assert per_rule.sum() == len(cli)


def test_duckdb_example_from_the_readme(small_export):
    import duckdb

    import vblint.duckdb

    path, _, cli = small_export
    # README "At scale": DuckDB
    con = duckdb.connect()
    vblint.duckdb.register(con)
    found = con.sql(f"""
        SELECT ref, f.rule, f.start, f."end"
        FROM (SELECT ref, unnest(vblint_findings(notes)) AS f
              FROM read_csv('{path}', header = true, all_varchar = true))
    """).fetchall()
    # end of example
    assert sorted(found) == keys(cli)
    counts = con.sql(f"""
        SELECT f.rule, count(*) FROM (SELECT unnest(vblint_findings(notes)) AS f
        FROM read_csv('{path}', header = true, all_varchar = true)) GROUP BY ALL
    """).fetchall()
    assert sum(n for _, n in counts) == len(cli)
    assert con.sql("SELECT vblint_findings(NULL), vblint_findings('')").fetchall() == [([], [])]
