"""Reads article files (.txt, .jsonl, .html) into ArticleInput values; a bad file becomes a ReadError, never an exception."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.ingest.dates import parse_iso
from app.ingest.types import ArticleInput, ReadError

SUFFIXES = {".txt": "txt", ".text": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".html": "html", ".htm": "html"}


ReadResult = ArticleInput | ReadError

# "date" may be followed by a space or a colon; the others need their colon ("Source" alone starts prose).
_HEADER = re.compile(r"^\s*(?:(?P<date>date)\s*:?\s+|(?P<key>source|title|url)\s*:\s*)(?P<value>.*)$", re.IGNORECASE)
# "date 2024-12-12", or known only to the month or year: "date 2024-03", "date 2024"
_HEADER_DATE = re.compile(r"^(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)(?![\d-])\s*(?P<rest>.*)$")


def parse_text(text: str, file_name: str | None = None) -> ArticleInput | str:
    """A plain-text article: optional header lines (date, source:, title:, url:), then the body.

    The first line may carry the date and the body's first sentence together (" date 2024-12-12 Europe is...").
    Returns the reason as a string when there is no body.
    """
    meta: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    first_body: str | None = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        m = _HEADER.match(line)
        if not m:
            break
        key, value = (m["key"] or m["date"]).lower(), m["value"].strip()
        if key == "date":
            d = _HEADER_DATE.match(value)
            if not d:
                break  # "Date of the talks..." is prose, not a header
            meta["date"] = d["date"]
            i += 1
            if d["rest"].strip():
                first_body = d["rest"].strip()
                break
            continue
        if key in meta:
            break
        meta[key] = value
        i += 1
    body_lines = ([first_body] if first_body else []) + lines[i:]
    body = "\n".join(body_lines).strip()
    if not body:
        return "no article text after the header lines"
    try:
        published, precision = _published(meta.get("date"))
    except ValueError:
        published, precision = None, "unknown"
    if meta.get("date") and published is None:
        return f"the date line {meta['date']!r} is not a valid date"
    return ArticleInput(body=body, title=meta.get("title") or None, source=meta.get("source") or None,
                        url=meta.get("url") or None, published_on=published,
                        date_precision=precision, file_name=file_name)


def _published(value) -> tuple[dt.date | None, str]:
    if value in (None, ""):
        return None, "unknown"
    s = str(value).strip()
    if re.fullmatch(r"\d{4}", s):
        return dt.date(int(s), 1, 1), "year"
    if re.fullmatch(r"\d{4}-\d{2}", s):
        d = parse_iso(s + "-01")
        return (d, "month") if d else (None, "unknown")
    d = parse_iso(s)
    if d:
        return d, "day"
    from dateutil import parser

    try:
        return parser.parse(s).date(), "day"
    except (ValueError, OverflowError):
        raise ValueError(f"published {s!r} is not a date") from None


def parse_json_record(line: str, file_name: str, file_line: int | None = None) -> ArticleInput | str:
    """One JSON Lines record: an object with text (or body), and optional title, url, source, published."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        return f"malformed JSON ({e.msg} at column {e.colno})"
    if not isinstance(rec, dict):
        return "a line must hold a JSON object"
    text = rec.get("text", rec.get("body"))
    if not isinstance(text, str) or not text.strip():
        return "no 'text' field with the article's text"
    try:
        published, precision = _published(rec.get("published") or rec.get("date"))
    except ValueError as e:
        return str(e)

    def opt(key: str) -> str | None:
        v = rec.get(key)
        return str(v).strip() or None if v is not None else None

    return ArticleInput(body=text.strip(), title=opt("title"), source=opt("source"), url=opt("url"),
                        published_on=published, date_precision=precision,
                        file_name=opt("file_name") or file_name, file_line=file_line)


def parse_html(html: str, file_name: str | None = None) -> ArticleInput | str:
    """A saved web page: main text, title and metadata by trafilatura, publication date by htmldate."""
    import trafilatura
    from htmldate import find_date

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return "no article text found in the page"
    published = None
    try:
        found = find_date(html, original_date=True, extensive_search=False)
        published = parse_iso(found)
    except Exception:  # htmldate raises on some malformed trees; a page without a date is still an article
        published = None
    return ArticleInput(body=text.strip(), title=getattr(doc, "title", None) or None,
                        source=getattr(doc, "sitename", None) or None, url=getattr(doc, "url", None) or None,
                        published_on=published, date_precision="day" if published else "unknown",
                        file_name=file_name)


def _decode(path: Path, max_bytes: int) -> str | ReadError:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadError(str(path), f"larger than the limit ({size} > {max_bytes} bytes)")
        data = path.read_bytes()
    except OSError as e:
        return ReadError(str(path), f"cannot be read ({e.strerror or e})")
    if not data.strip():
        return ReadError(str(path), "empty file")
    if b"\x00" in data[:8192]:
        return ReadError(str(path), "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return ReadError(str(path), f"not UTF-8 (invalid byte at offset {e.start})")


def read_file(path: Path, max_bytes: int = 5_000_000) -> Iterator[ReadResult]:
    """The articles in one file (one for .txt and .html, one a line for .jsonl), errors as values."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        yield ReadError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; expected .txt, .jsonl or .html")
        return
    text = _decode(path, max_bytes)
    if isinstance(text, ReadError):
        yield text
        return
    if kind == "jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            result = parse_json_record(line, path.name, n)
            yield ReadError(f"{path}:{n}", result) if isinstance(result, str) else result
        return
    try:
        result = parse_html(text, path.name) if kind == "html" else parse_text(text, path.name)
    except Exception as e:  # a parser library failing on one odd page must not stop the run
        result = f"could not be parsed ({type(e).__name__}: {e})"
    yield ReadError(str(path), result) if isinstance(result, str) else result


def article_files(paths: Iterable[Path]) -> Iterator[Path | ReadError]:
    """The files to read: given files as they are, folders recursively (supported types only), sorted."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("."):
                    yield f
        elif p.is_file():
            yield p
        else:
            yield ReadError(str(p), "no such file or folder")


def read_paths(paths: Iterable[Path], max_bytes: int = 5_000_000) -> Iterator[ReadResult]:
    for f in article_files(paths):
        if isinstance(f, ReadError):
            yield f
        else:
            yield from read_file(f, max_bytes)
