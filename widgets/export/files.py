"""Writing an export to a file, chunk by chunk: CSV, Parquet or xAPI JSON Lines.

Nothing holds the whole export: each chunk of responses is written and dropped, so memory
stays flat however many responses there are. ``progress`` is called with the number of item
rows read so far (the CLI shows it as a progress bar).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..spreadsheet import spreadsheet_safe_column
from .columns import COLUMNS
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
BASE_IRI_ENV = "COURSE_XAPI_BASE_IRI"
# RFC 4180 line ends: with them the writer quotes every cell holding a CR or LF (with "\n"
# alone, a learner's bare CR went out unquoted and split the row in every CSV reader)
CSV_DIALECT = {"lineterminator": "\r\n"}
# columns that can hold text a learner or an author wrote (written formula-safe)
TEXT_COLUMNS = tuple(c.name for c in COLUMNS if c.dtype in ("string", "category"))

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
            for name in TEXT_COLUMNS:
                chunk[name] = spreadsheet_safe_column(chunk[name])
            chunk.to_csv(out, header=rows == 0, index=False, date_format=CSV_TIME, **CSV_DIALECT)
            rows += len(chunk)
    if rows == 0:  # still a file with the header, not an empty one
        empty_frame().to_csv(path, index=False, **CSV_DIALECT)
    return rows


def arrow_schema():
    """The Parquet schema, from the documented dtypes (categoricals become dictionaries)."""
    import pyarrow as pa

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


def base_iri_setting(flag: str | None = None) -> str | None:
    """The IRI that xAPI activity, actor and extension ids start with: ``--base-iri``, else
    ``COURSE_XAPI_BASE_IRI``; None when neither is set (files then use a placeholder)."""
    return flag or os.environ.get(BASE_IRI_ENV) or None


def xapi_lines(
    request: ExportRequest, progress: Progress | None = None, base_iri: str | None = None
) -> Iterator[str]:
    """Every xAPI statement of the export, one JSON text each: ``answered`` submission by
    submission, then ``completed``."""
    from .pseudonym import Pseudonymiser
    from .xapi import DEFAULT_BASE_IRI, StatementBuilder, dumps

    builder = StatementBuilder(
        request.content,
        Pseudonymiser(request.key),
        base_iri_setting(base_iri) or DEFAULT_BASE_IRI,
        include_text=request.include_text,
    )
    submissions = load_submissions(request)
    yield from builder.answered(_chunks(request, progress, submissions))
    yield from map(dumps, builder.completed(submissions))


def write_xapi(
    request: ExportRequest,
    path: Path,
    progress: Progress | None = None,
    base_iri: str | None = None,
) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for batch in batched(xapi_lines(request, progress, base_iri), 5_000):
            out.write("\n".join(batch) + "\n")
            count += len(batch)
    return count


def batched(items: Iterable, size: int) -> Iterator[list]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    batch = []
    for item in items:
        batch.append(item)
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
