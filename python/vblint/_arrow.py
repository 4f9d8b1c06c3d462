"""Arrow in, Arrow out: ``Scanner.check_arrow``.

Each chunk of the text column crosses into Rust through the Arrow C Data
Interface (``__arrow_c_array__``) without a copy; the findings come back
the same way as a record batch.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import pyarrow as pa


def _findings_table(scanner, chunks) -> pa.Table:
    batches = []
    first = 0
    for chunk in chunks:
        batch = scanner._inner.check_arrow_chunk(*chunk.__arrow_c_array__(), first)
        batches.append(pa.record_batch(batch))
        first += len(chunk)
    if not batches:
        empty = scanner._inner.check_arrow_chunk(*pa.array([], pa.string()).__arrow_c_array__(), 0)
        batches.append(pa.record_batch(empty))
    return pa.Table.from_batches(batches)


def _as_table(data: Any) -> Optional[pa.Table]:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, (pa.Array, pa.ChunkedArray)):
        return None
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data)
    if hasattr(data, "__arrow_c_array__"):
        got = pa.record_batch(data) if _is_struct(data) else None
        return None if got is None else pa.Table.from_batches([got])
    raise TypeError(
        "check_arrow() takes a pyarrow Table, RecordBatch, Array or ChunkedArray "
        f"(or an object with __arrow_c_stream__), not {type(data).__name__}"
    )


def _is_struct(data: Any) -> bool:
    schema_capsule, _ = data.__arrow_c_array__()
    return pa.DataType._import_from_c_capsule(schema_capsule).id == pa.struct([]).id


def check_arrow(scanner, data: Any, text: Optional[str] = None, id: Union[None, str, Sequence[str]] = None) -> pa.Table:
    table = _as_table(data)
    ids = [id] if isinstance(id, str) else list(id or [])
    if table is None:
        if ids:
            raise ValueError("`id` names columns of a table; an array has none (pass a table)")
        column = data if isinstance(data, (pa.Array, pa.ChunkedArray)) else pa.array(data)
    else:
        names = table.column_names
        if text is None:
            raise ValueError(
                f"say which column holds the text, e.g. text={names[-1]!r}; the columns are: {', '.join(names)}"
            )
        for name in [text, *ids]:
            if name not in names:
                raise ValueError(f"the table has no column {name!r}; its columns are: {', '.join(names)}")
        column = table.column(text)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_string_view(column.type)):
        raise TypeError(
            f"the text column is of type {column.type}, not text: cast it to string first "
            "(for example `table.column(\"notes\").cast(\"string\")`)"
        )
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    found = _findings_table(scanner, chunks)
    if not ids:
        return found
    rows = found.column("row")
    carried = [table.column(name).take(rows) for name in ids]
    rest = found.drop_columns(["row"])
    return pa.Table.from_arrays(
        carried + rest.columns,
        schema=pa.schema([table.schema.field(n) for n in ids] + list(rest.schema)),
    )
