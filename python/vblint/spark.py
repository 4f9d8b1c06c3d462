"""vblint on Spark: findings of a text column as a DataFrame.

``check_column`` runs the scanner inside Spark's Python workers with
``mapInArrow``: each Arrow batch of the column crosses into vblint's Rust
core without a copy, and the scanner is built once per worker process (a
module-level cache keyed by the lexicon), not once per row or batch.

The wheel must be installed on every executor (see python/README.md); the
lexicon files are read once, on the driver, and travel with the job.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

from . import Scanner

_workers: dict = {}


def _scanner_for(key: str, state: tuple) -> Scanner:
    """The worker's scanner for this lexicon, built on first use."""
    scanner = _workers.get(key)
    if scanner is None:
        scanner = _workers.setdefault(key, Scanner._from_state(state))
    return scanner


def _driver_scanner(lexicon: Any) -> Scanner:
    if isinstance(lexicon, Scanner):
        return lexicon
    return Scanner(lexicon)


def _finding_fields():
    from pyspark.sql.types import ArrayType, BooleanType, LongType, StringType, StructField

    text = lambda n: StructField(n, StringType(), False)  # noqa: E731
    number = lambda n: StructField(n, LongType(), False)  # noqa: E731
    return [
        text("rule"),
        text("category"),
        text("severity"),
        number("line"),
        number("column"),
        number("start"),
        number("end"),
        text("text"),
        text("message"),
        StructField("alternatives", ArrayType(StringType(), False), False),
        StructField("quoted", BooleanType(), False),
    ]


def check_column(
    df,
    text_col: str,
    id_cols: Sequence[str],
    lexicon: Union[None, str, Iterable[str], Scanner] = None,
):
    """A DataFrame of the findings in ``df[text_col]``, one row per
    finding: the ``id_cols`` of its record, then ``rule``, ``category``,
    ``severity``, ``line``, ``column``, ``start``, ``end`` (byte offsets in
    the record's text, as ``vblint check --format jsonl`` gives for a CSV
    export), ``text``, ``message``, ``alternatives`` and ``quoted``.

    ``lexicon`` is a lexicon folder or file (or a list of them) added over
    the built-in lexicon, or a :class:`vblint.Scanner`.
    """
    from pyspark.sql.types import StructType

    if isinstance(id_cols, str):
        id_cols = [id_cols]
    id_cols = list(id_cols)
    if not id_cols:
        raise ValueError("give the column(s) that identify a record in `id_cols`, e.g. id_cols=['ref']")
    columns = df.columns
    for name in [text_col, *id_cols]:
        if name not in columns:
            raise ValueError(f"the DataFrame has no column {name!r}; its columns are: {', '.join(columns)}")
    state = _driver_scanner(lexicon).key
    key = hashlib.sha256(repr(state).encode()).hexdigest()
    schema = StructType([df.schema[n] for n in id_cols] + _finding_fields())

    def scan(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        scanner = _scanner_for(key, state)
        target = None
        for batch in batches:
            found = scanner.check_arrow(batch, text=text_col, id=id_cols)
            if target is None:
                fields = list(found.schema)
                # Spark names list items `element`; the values are the same.
                fields[-2] = pa.field("alternatives", pa.list_(pa.field("element", pa.string(), False)), False)
                target = pa.schema(fields)
            yield from found.cast(target).to_batches()

    return df.select(*id_cols, text_col).mapInArrow(scan, schema)


# The month (`YYYY-MM`) of a date as `vblint report` reads it: `2024-03-05`,
# `2024-03-05T10:00`, `2024-03-05 10:00` or UK day-first `05/03/2024`.
_YEAR_FIRST = r"^(\d{4})[-/.](\d+)[-/.](\d+)([T ].*)?$"
_YEAR_LAST = r"^(\d+)[-/.](\d+)[-/.](\d{4})([T ].*)?$"


def _month(column):
    from pyspark.sql import functions as F

    d = F.trim(column.cast("string"))
    first = F.regexp_extract(d, _YEAR_FIRST, 1)
    last = F.regexp_extract(d, _YEAR_LAST, 3)
    year = F.when(first != "", first).when(last != "", last)
    month = F.when(first != "", F.regexp_extract(d, _YEAR_FIRST, 2)).when(
        last != "", F.regexp_extract(d, _YEAR_LAST, 2)
    )
    m = month.cast("int")
    ok = year.isNotNull() & m.between(1, 12)
    return F.when(ok, F.concat(year, F.lit("-"), F.lpad(m.cast("string"), 2, "0"))).otherwise(F.lit("unknown"))


def summary(
    df,
    text_col: str,
    id_cols: Sequence[str],
    date_col: Optional[str] = None,
    lexicon: Union[None, str, Iterable[str], Scanner] = None,
):
    """Counts of findings per rule, category and month, as ``vblint
    report`` counts them: ``findings`` and ``records`` (records with at
    least one finding of the rule that month). Without ``date_col`` the
    month is ``unknown``; a date vblint cannot read counts as ``unknown``.
    """
    from pyspark.sql import functions as F

    if isinstance(id_cols, str):
        id_cols = [id_cols]
    id_cols = list(id_cols)
    carried = id_cols + ([date_col] if date_col and date_col not in id_cols else [])
    found = check_column(df, text_col, carried, lexicon)
    month = _month(F.col(date_col)) if date_col else F.lit("unknown")
    record = F.struct(*[F.col(c) for c in id_cols])
    return (
        found.withColumn("month", month)
        .groupBy("rule", "category", "month")
        .agg(F.count(F.lit(1)).alias("findings"), F.countDistinct(record).alias("records"))
        .orderBy("month", F.desc("findings"), "rule")
    )
