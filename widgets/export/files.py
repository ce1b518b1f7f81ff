"""Writing an export to a file, chunk by chunk: CSV, Parquet or xAPI JSON Lines.

Nothing holds the whole export: each chunk of responses is written and dropped, so memory
stays flat however many responses there are. ``progress`` is called with the number of item
rows read so far (the CLI shows it as a progress bar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .responses import (
    SUBMISSION,
    ExportRequest,
    empty_frame,
    iter_response_chunks,
    load_submissions,
)

FORMATS = ("csv", "parquet", "xapi")
SUFFIXES = {"csv": ".csv", "parquet": ".parquet", "xapi": ".jsonl"}
CSV_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    format: str
    rows: int  # table rows, or statements for xAPI


def _chunks(
    request: ExportRequest, progress: Progress | None, submissions: pd.DataFrame | None = None
) -> Iterator[pd.DataFrame]:
    yield from iter_response_chunks(request, submissions, read=progress)


def write_csv(request: ExportRequest, path: Path, progress: Progress | None = None) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for chunk in _chunks(request, progress):
            chunk = chunk.drop(columns=[SUBMISSION])
            chunk["duration"] = chunk["duration"].dt.total_seconds()
            chunk.to_csv(out, header=rows == 0, index=False, date_format=CSV_TIME)
            rows += len(chunk)
    if rows == 0:  # still a file with the header, not an empty one
        empty_frame().to_csv(path, index=False)
    return rows


def arrow_schema():
    """The Parquet schema, from the documented dtypes (categoricals become dictionaries)."""
    import pyarrow as pa

    from .columns import COLUMNS

    types = {
        "string": pa.string(),
        "boolean": pa.bool_(),
        "Int32": pa.int32(),
        "Int8": pa.int8(),
        "Float64": pa.float64(),
        "datetime64[us, UTC]": pa.timestamp("us", tz="UTC"),
        "timedelta64[us]": pa.duration("us"),
    }
    fields = []
    for column in COLUMNS:
        if column.dtype == "category":
            ordered = column.name == "part"
            kind = pa.dictionary(pa.int32(), pa.string(), ordered=ordered)
        else:
            kind = types[column.dtype]
        fields.append(pa.field(column.name, kind))
    return pa.schema(fields)


def write_parquet(request: ExportRequest, path: Path, progress: Progress | None = None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    rows = 0
    writer = None
    try:
        for chunk in _chunks(request, progress):
            chunk = chunk.drop(columns=[SUBMISSION])
            if writer is None:
                # pandas' own metadata, so read_parquet gives back the nullable dtypes
                pandas_meta = pa.Schema.from_pandas(chunk, preserve_index=False).metadata
                schema = schema.with_metadata(pandas_meta)
                writer = pq.ParquetWriter(path, schema, compression="zstd")
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
            rows += len(chunk)
        if writer is None:
            writer = pq.ParquetWriter(path, schema, compression="zstd")
    finally:
        if writer is not None:
            writer.close()
    return rows


def write_xapi(
    request: ExportRequest,
    path: Path,
    progress: Progress | None = None,
    base_iri: str | None = None,
) -> int:
    from .pseudonym import Pseudonymiser
    from .xapi import DEFAULT_BASE_IRI, StatementBuilder, dumps

    builder = StatementBuilder(
        request.content,
        Pseudonymiser(request.key),
        base_iri or DEFAULT_BASE_IRI,
        include_text=request.include_text,
    )
    submissions = load_submissions(request)
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for batch in _batched(builder.answered(_chunks(request, progress, submissions))):
            out.write("\n".join(batch) + "\n")
            count += len(batch)
        for batch in _batched(builder.completed(submissions)):
            out.write("\n".join(map(dumps, batch)) + "\n")
            count += len(batch)
    return count


def _batched(statements, size: int = 5_000):
    batch = []
    for statement in statements:
        batch.append(statement)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def export(
    request: ExportRequest,
    path: Path,
    format: str,
    progress: Progress | None = None,
    base_iri: str | None = None,
) -> ExportSummary:
    """Write the export of ``request`` to ``path`` in ``format`` (csv, parquet or xapi)."""
    if format not in FORMATS:
        raise ValueError(f"Unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        rows = write_csv(request, path, progress)
    elif format == "parquet":
        rows = write_parquet(request, path, progress)
    else:
        rows = write_xapi(request, path, progress, base_iri)
    return ExportSummary(path=path, format=format, rows=rows)
