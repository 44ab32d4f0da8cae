"""Serialises statement records as CSV or JSON, the same for the CLI and the web downloads."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

EXPORT_FIELDS = ["id", "country", "country_name", "stance", "stated_on", "date_precision", "quote", "speaker",
                 "conditions", "confidence", "origin", "review_status", "rule", "rule_reason", "article",
                 "article_line", "source", "url"]

# OWASP's rule against CSV (formula) injection: a cell a spreadsheet would read as a formula or a command
# starts with one of these; prefixing a single quote makes the spreadsheet show it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The response header that states how many records a download holds, sent before the first byte of the body.
ROW_COUNT_HEADER = "X-Row-Count"


def neutralise_cell(value):
    """A CSV cell that no spreadsheet runs: a text starting with = + - @ tab or carriage return gets a leading
    single quote. Numbers, dates and None pass unchanged (they cannot hold a formula); JSON is never touched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(records: Iterable[dict], fields: list[str] = EXPORT_FIELDS) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for i, rec in enumerate(records, 1):
        writer.writerow({k: neutralise_cell(rec.get(k)) for k in fields})
        if i % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    """One JSON array, written as it streams."""
    yield "["
    for i, rec in enumerate(records):
        yield ("," if i else "") + "\n" + json.dumps(rec, ensure_ascii=False)
    yield "\n]\n"


@dataclass
class Download:
    """A download whose size is known before it streams: `rows` goes in the ROW_COUNT_HEADER, `chunks` is the
    body. When the body is cut (a database error while streaming), it ends with a line saying so and the error
    propagates, so the server aborts the transfer instead of ending it as if complete."""

    rows: int
    chunks: Iterator[str]
    close: Callable[[], None]


def incomplete_notice(fmt: str, sent: int, rows: int, error: BaseException) -> str:
    reason = type(error).__name__
    if fmt == "csv":
        # a line no reader mistakes for data: a spreadsheet shows it as the last row, a script sees the short count
        return f"\n# INCOMPLETE DOWNLOAD: cut after {sent} of {rows} rows by an error ({reason}); download it again\n"
    # the JSON array is left unclosed (invalid), the notice after it says why
    return f"\n// INCOMPLETE DOWNLOAD: cut after {sent} of {rows} records by an error ({reason}); download it again\n"


def open_download(session, fmt: str, count_and_records: Callable[[object], tuple[int, Iterable[dict]]]) -> Download:
    """Count and stream `count_and_records(session)` in one read snapshot of the database (the count and the
    rows agree even while others write): REPEATABLE READ on Postgres, one read transaction on SQLite. The
    session is the download's own; it is closed when the body ends or fails (or by `close`)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    elif conn.dialect.name == "sqlite":
        # pysqlite begins transactions only before writes; an explicit BEGIN makes every read below one snapshot
        conn.exec_driver_sql("BEGIN")
    rows, records = count_and_records(session)
    sent = 0

    def counted() -> Iterator[dict]:
        nonlocal sent
        for rec in records:
            sent += 1
            yield rec

    def chunks() -> Iterator[str]:
        try:
            yield from (csv_chunks(counted()) if fmt == "csv" else json_chunks(counted()))
        except Exception as e:
            yield incomplete_notice(fmt, sent, rows, e)
            raise
        finally:
            session.close()

    return Download(rows=rows, chunks=chunks(), close=session.close)
