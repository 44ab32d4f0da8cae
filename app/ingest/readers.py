"""Reads article files (.txt, .jsonl, .html) into ArticleInput values; a bad file becomes a ReadError, never an
exception."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from app import clock
from app.ingest.dates import parse_iso
from app.ingest.types import ArticleInput, ReadError
from app.settings import DEFAULT_MAX_ARTICLE_BYTES

SUFFIXES = {".txt": "txt", ".text": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".html": "html", ".htm": "html"}


ReadResult = ArticleInput | ReadError

# An article's own date (a header, a JSON Lines "published", a page's metadata) is believed only between these:
# no news article is older than the earliest, and none is dated after tomorrow (time zones east of UTC are a day
# ahead of UTC's today). A date outside them is reported and the article read as undated.
EARLIEST_ARTICLE_DATE = dt.date(1900, 1, 1)


def _latest_article_date() -> dt.date:
    return clock.today() + dt.timedelta(days=1)


def _plausible(published: dt.date | None, precision: str, what: str) -> tuple[dt.date | None, str, tuple[str, ...]]:
    """The date as given, or (None, "unknown") with the reason when it is in the future or implausibly old."""
    if published is None:
        return None, precision, ()
    if published > _latest_article_date():
        why = "is in the future"
    elif published < EARLIEST_ARTICLE_DATE:
        why = f"is before {EARLIEST_ARTICLE_DATE.isoformat()}"
    else:
        return published, precision, ()
    return None, "unknown", (f"{what} {why}; the article is read as undated (dated from its text, else unknown)",)

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
    published, precision, warnings = _plausible(published, precision, f"the date line {meta.get('date')!r}")
    return ArticleInput(body=body, title=meta.get("title") or None, source=meta.get("source") or None,
                        url=meta.get("url") or None, published_on=published,
                        date_precision=precision, file_name=file_name, warnings=warnings)


def _published(value: object) -> tuple[dt.date | None, str]:
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
    given = rec.get("published") or rec.get("date")
    try:
        published, precision = _published(given)
    except ValueError as e:
        return str(e)
    published, precision, warnings = _plausible(published, precision, f"published {str(given)!r}")

    def opt(key: str) -> str | None:
        v = rec.get(key)
        return str(v).strip() or None if v is not None else None

    # the article is named by the file and line it came from: a record's own "file_name" is not believed
    return ArticleInput(body=text.strip(), title=opt("title"), source=opt("source"), url=opt("url"),
                        published_on=published, date_precision=precision,
                        file_name=file_name, file_line=file_line, warnings=warnings)


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
    published, precision, warnings = _plausible(published, "day" if published else "unknown",
                                                f"the page's date {published.isoformat() if published else ''!r}")
    return ArticleInput(body=text.strip(), title=getattr(doc, "title", None) or None,
                        source=getattr(doc, "sitename", None) or None, url=getattr(doc, "url", None) or None,
                        published_on=published, date_precision=precision,
                        file_name=file_name, warnings=warnings)


def _read_bytes(path: Path, max_bytes: int) -> bytes | ReadError:
    """The file's bytes, opened without following a symbolic link (article_files resolves the ones it allows),
    so a file swapped for a link after it was listed is refused rather than read."""
    try:
        # O_NONBLOCK: a FIFO put in place of the file must not hang the run (a regular file ignores the flag)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        if path.is_symlink():
            return ReadError(str(path), "is a symbolic link; not followed")
        return ReadError(str(path), f"cannot be read ({e.strerror or e})")
    try:
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                return ReadError(str(path), "not a regular file")
            size = info.st_size
            if size > max_bytes:
                return ReadError(str(path), f"larger than the limit ({size} > {max_bytes} bytes)")
            data = f.read(size + 1)  # not read(max_bytes): that allocates the whole limit for every file
            if len(data) > size:  # it grew since: read on, up to the limit
                data += f.read(max_bytes + 1 - len(data))
    except OSError as e:
        return ReadError(str(path), f"cannot be read ({e.strerror or e})")
    if len(data) > max_bytes:
        return ReadError(str(path), f"larger than the limit (over {max_bytes} bytes)")
    if not data.strip():
        return ReadError(str(path), "empty file")
    return data


def _decode(path: Path, data: bytes) -> str | ReadError:
    """Text files and JSON Lines are UTF-8 (they declare nothing, and guessing a short text's charset is a guess)."""
    if b"\x00" in data[:8192]:
        return ReadError(str(path), "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return ReadError(str(path), f"not UTF-8 (invalid byte at offset {e.start})")


def _detect_charset(data: bytes) -> str | None:
    """What a page that declares no charset is written in: UTF-8 when it decodes as such, else charset_normalizer's
    best guess (the detector trafilatura itself uses), else None."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best is not None else None


def decode_html(path: Path, data: bytes) -> str | ReadError:
    """A saved page decoded as a browser would: its byte order mark, else the charset its <meta> (or XML
    declaration) declares, with the WHATWG's substitutions (ISO-8859-1 is read as windows-1252), else the
    detected charset. w3lib (Scrapy's) does the sniffing; a page whose charset is neither declared nor
    detectable is refused, not decoded with replacement characters."""
    from w3lib.encoding import html_to_unicode

    undetected: list[bool] = []

    def detect(raw: bytes) -> str | None:
        found = _detect_charset(raw)
        if found is None:
            undetected.append(True)
        return found

    try:
        encoding, text = html_to_unicode(None, data, auto_detect_fun=detect)
    except (LookupError, ValueError) as e:
        return ReadError(str(path), f"cannot be decoded ({e})")
    if undetected:
        return ReadError(str(path), "its character encoding is neither declared nor detectable")
    if "\x00" in text[:8192]:
        return ReadError(str(path), "binary file (contains NUL bytes)")
    return text.lstrip("\ufeff")


def jsonl_lines(text: str) -> list[tuple[int, str]]:
    """A JSON Lines file's non-blank lines with their numbers (from 1)."""
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> list[tuple[int, str]] | ReadError:
    """A JSON Lines file's lines, to be parsed apart (read_json_line), or why the file cannot be read."""
    data = _read_bytes(path, max_bytes)
    if isinstance(data, ReadError):
        return data
    text = _decode(path, data)
    return text if isinstance(text, ReadError) else jsonl_lines(text)


def read_json_line(path: Path, n: int, line: str) -> ReadResult:
    result = parse_json_record(line, path.name, n)
    return ReadError(f"{path}:{n}", result) if isinstance(result, str) else result


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[ReadResult]:
    """The articles in one file (one for .txt and .html, one a line for .jsonl), errors as values."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        yield ReadError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; expected .txt, .jsonl or .html")
        return
    data = _read_bytes(path, max_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    text = decode_html(path, data) if kind == "html" else _decode(path, data)
    if isinstance(text, ReadError):
        yield text
        return
    if kind == "jsonl":
        for n, line in jsonl_lines(text):
            yield read_json_line(path, n, line)
        return
    try:
        result = parse_html(text, path.name) if kind == "html" else parse_text(text, path.name)
    except Exception as e:  # a parser library failing on one odd page must not stop the run
        result = f"could not be parsed ({type(e).__name__}: {e})"
    yield ReadError(str(path), result) if isinstance(result, str) else result


def _inside(target: Path, roots: list[Path]) -> bool:
    return any(target == r or target.is_relative_to(r) for r in roots)


def _folder_files(folder: Path, roots: list[Path]) -> Iterator[Path | ReadError]:
    """A folder's supported files, recursively and sorted. A symbolic link is followed only when it stays inside
    the folders given (then its target is read); one that leads out of them, or nowhere, is reported."""
    entries: list[Path] = []
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False, onerror=unreadable.append):
        base = Path(dirpath)
        entries += [base / d for d in dirnames if (base / d).is_symlink()]
        entries += [base / f for f in filenames]
    for e in unreadable:
        yield ReadError(str(e.filename or folder), f"folder cannot be read ({e.strerror or e})")
    for f in sorted(entries):
        if f.name.startswith("."):
            continue
        if not f.is_symlink():
            if f.suffix.lower() in SUFFIXES and f.is_file():
                yield f
            continue
        target = Path(os.path.realpath(f))
        is_dir = target.is_dir()
        if not is_dir and f.suffix.lower() not in SUFFIXES:
            continue  # not an article file, like any other file of another type
        if not target.exists():
            yield ReadError(str(f), "a symbolic link to nothing (broken); not followed")
        elif not _inside(target, roots):
            yield ReadError(str(f), f"a symbolic link to {target}, outside the folders given; not followed")
        elif not is_dir and target.is_file() and target.suffix.lower() in SUFFIXES:
            yield target
        # a link to a folder inside the given ones: its files are read where they are


def article_files(paths: Iterable[Path]) -> Iterator[Path | ReadError]:
    """The files to read: given files as they are (a given link is followed: it was named), folders recursively
    (supported types only, sorted; links only inside the given folders)."""
    paths = list(paths)
    roots = [Path(os.path.realpath(p)) for p in paths if p.is_dir()]
    for p in paths:
        if p.is_dir():
            yield from _folder_files(p, roots)
        elif p.is_file():
            yield Path(os.path.realpath(p)) if p.is_symlink() else p
        else:
            yield ReadError(str(p), "no such file or folder")


def read_paths(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[ReadResult]:
    for f in article_files(paths):
        if isinstance(f, ReadError):
            yield f
        else:
            yield from read_file(f, max_bytes)
