"""vblint in DuckDB SQL, with no extension to build: ``register(con)``
adds the vectorised Arrow function ``vblint_findings(text)``, which gives
each text its list of findings.

    >>> import duckdb, vblint.duckdb
    >>> con = duckdb.connect()
    >>> vblint.duckdb.register(con)
    >>> con.sql("SELECT f.rule FROM (SELECT unnest(vblint_findings('she is streetwise')) AS f)").fetchall()
    [('streetwise',)]
"""

from __future__ import annotations

from typing import Any, Iterable, Union

from . import Scanner

#: The DuckDB type of one finding.
FINDING_TYPE = (
    "STRUCT(rule VARCHAR, category VARCHAR, severity VARCHAR, line BIGINT, "
    '"column" BIGINT, start BIGINT, "end" BIGINT, text VARCHAR, message VARCHAR, '
    "alternatives VARCHAR[], quoted BOOLEAN)"
)


def register(
    con,
    lexicon: Union[None, str, Iterable[str], Scanner] = None,
    name: str = "vblint_findings",
) -> None:
    """Registers ``name(text)`` on the DuckDB connection ``con``: a list of
    findings per text (empty for a null), each a struct with ``rule``,
    ``category``, ``severity``, ``line``, ``column``, ``start``, ``end``,
    ``text``, ``message``, ``alternatives`` and ``quoted``. Use
    ``unnest(...)`` for one row per finding."""
    import numpy as np
    import pyarrow as pa

    scanner = lexicon if isinstance(lexicon, Scanner) else Scanner(lexicon)

    def findings(texts: Any) -> Any:
        n = len(texts)
        found = scanner.check_arrow(texts)
        rows = found.column("row").to_numpy()
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
        items = found.drop_columns(["row"]).combine_chunks().to_struct_array()
        if isinstance(items, pa.ChunkedArray):
            items = items.combine_chunks()
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), items)

    con.create_function(
        name,
        findings,
        ["VARCHAR"],
        con.sql(f"SELECT NULL::{FINDING_TYPE}[] AS t").types[0],
        type="arrow",
        null_handling="special",
        side_effects=False,
    )
