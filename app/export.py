"""Serialises statement records as CSV or JSON, the same for the CLI and the web downloads."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

EXPORT_FIELDS = ["id", "country", "country_name", "stance", "stated_on", "date_precision", "quote", "speaker",
                 "conditions", "confidence", "origin", "review_status", "rule", "rule_reason", "article", "article_line", "source", "url"]


def csv_chunks(records: Iterable[dict], fields: list[str] = EXPORT_FIELDS) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for i, rec in enumerate(records, 1):
        writer.writerow(rec)
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
