"""Stores articles and their extracted statements: idempotent by body hash, in batches of articles (one
transaction each, the kept positions refreshed once per batch), never an article in part."""
from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.db import table_of
from app.ingest.dates import DateValue
from app.ingest.extract import Candidate, ExtractionTooComplex, Extractor, RuleExtractor
from app.ingest.readers import article_files, read_file, read_json_line, read_jsonl, read_paths
from app.ingest.types import ArticleInput, ReadError
from app.models import Article, Statement
from app.positions import PositionKeeper, StatementFacts
from app.settings import DEFAULT_MAX_ARTICLE_BYTES


@dataclass(frozen=True)
class StoreResult:
    """What storing one article did: status is "added" or "already stored"."""

    status: str
    article_id: int
    statements_added: int = 0
    file_name: str | None = None

    @property
    def added(self) -> bool:
        return self.status == "added"


@dataclass
class IngestSummary:
    added: int = 0
    skipped: int = 0
    failed: int = 0
    statements: int = 0
    errors: list[ReadError] = field(default_factory=list)
    # articles stored, with something of theirs set aside (a date in the future): reported, not failed
    warnings: list[ReadError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def has_articles(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Article)) or 0) > 0


def _statement_row(c: Candidate, article_id: int) -> dict:
    now = clock.utcnow()
    return dict(
        country_iso2=c.country, stance=c.stance, stated_on=c.stated_on, date_precision=c.date_precision,
        quote=c.quote, speaker=_cut(c.speaker, 300), conditions=c.conditions, article_id=article_id,
        source_url=None, origin="machine", review_status="unreviewed", confidence=c.confidence,
        quote_start=c.quote_start, quote_end=c.quote_end, mention_start=c.mention_start,
        mention_end=c.mention_end, cue_start=c.cue_start, cue_end=c.cue_end, rules_version=c.rules_version,
        rule=_cut(c.rule, 80), rule_reason=c.rule_reason,
        created_at=now, updated_at=now, version=1)


# Core statements on the tables, run on the session's connection: one executemany per article. Both the ORM's
# unit of work and its bulk-insert path cost more than extraction at corpus scale.
_STATEMENTS, _ARTICLES = table_of(Statement), table_of(Article)
_INSERT_STATEMENT = insert(_STATEMENTS)
# The statements of a batch's articles in id order: an article's statements are inserted one row after the other
# in its candidates' order (an executemany), so their ids ascend in that order; country, stance and sentence
# check that each id is taken for the right candidate.
_BATCH_STATEMENT_IDS = (select(_STATEMENTS.c.article_id, _STATEMENTS.c.id, _STATEMENTS.c.country_iso2,
                               _STATEMENTS.c.stance, _STATEMENTS.c.quote_start)
                        .where(_STATEMENTS.c.article_id.in_(bindparam("ids", expanding=True)))
                        .order_by(_STATEMENTS.c.id))
_ARTICLE_BY_HASH = select(_ARTICLES.c.id).where(_ARTICLES.c.body_sha256 == bindparam("digest"))
_MAX_STATEMENT_ID = select(func.max(_STATEMENTS.c.id))
_STATEMENTS_ABOVE = (select(func.count(), func.min(_STATEMENTS.c.id), func.max(_STATEMENTS.c.id))
                     .where(_STATEMENTS.c.id > bindparam("before")))


@cache
def _insert_article(dialect: str):
    """INSERT ... ON CONFLICT (body_sha256) DO NOTHING RETURNING id: the body hash is the arbiter between ingests
    running at once (processes or machines). When another transaction holds the same body uncommitted, Postgres
    waits for it; either way no row comes back when the body is stored, and nothing is aborted."""
    if dialect not in ("postgresql", "sqlite"):
        return insert(_ARTICLES).returning(_ARTICLES.c.id)
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (dialect_insert(_ARTICLES).on_conflict_do_nothing(index_elements=[_ARTICLES.c.body_sha256])
            .returning(_ARTICLES.c.id))


def _insert_statements(session: Session, candidates: list[Candidate], article_id: int) -> None:
    if candidates:
        session.connection().execute(_INSERT_STATEMENT, [_statement_row(c, article_id) for c in candidates])


@dataclass(frozen=True)
class Prepared:
    """An article read, hashed and extracted, ready to store (made in a worker process with --jobs N)."""

    item: ArticleInput
    digest: str
    existing_id: int | None = None  # already stored when it was looked up: not extracted
    when: DateValue | None = None
    candidates: tuple[Candidate, ...] = ()
    error: str | None = None  # extraction failed: why


def prepare(item: ArticleInput, extractor: Extractor, digest: str | None = None) -> Prepared:
    """Date and extract one article; an extractor's exception (its time limit, say) becomes the reason."""
    digest = digest or body_sha256(item.body)
    try:
        return Prepared(item, digest, when=extractor.date(item), candidates=tuple(extractor.extract(item)))
    except ExtractionTooComplex as e:  # over the time limit: reported as such, never silently truncated
        return Prepared(item, digest, error=f"article too complex: {e}")
    except Exception as e:  # one article the rules cannot finish must not stop the run
        return Prepared(item, digest, error=f"could not be extracted ({type(e).__name__}: {e})")


def store_prepared(session: Session, p: Prepared, *, commit: bool = True) -> StoreResult:
    """Store an extracted article and its statements, or report it "already stored" when its body is stored,
    whoever stored it (this run, an earlier one, or another ingest committing at the same time). Raises what the
    database refused (nothing of the article is then written)."""
    result = store_batch(session, [p], commit=commit)[0]
    if isinstance(result, Exception):
        raise result
    return result


def store_batch(session: Session, batch: Sequence[Prepared], keeper: PositionKeeper | None = None, *,
                commit: bool = True, seen: dict[str, int] | None = None) -> list[StoreResult | Exception]:
    """Store prepared articles, in the order given, in one transaction, and refresh the kept positions once for
    all of them in the same transaction; returns a result for each, in order.

    The transaction first raises the data version (on Postgres that row lock makes every writer of positions,
    other ingests included, take turns, so no two ever wait on each other's articles). Each article row is
    inserted in a savepoint: one the database refuses is rolled back alone and its exception takes its place in
    the results, and the others are stored; then the statements of all of them are inserted at once. An article
    whose body is stored (before, by another ingest, or earlier in this batch) is "already stored", with that
    article's id. `seen` (body hash -> id, of this run's earlier batches) is consulted before inserting and
    updated after the commit, so a body repeated in the input never costs an insert (a Postgres sequence number)
    whichever way the input was cut into batches. `keeper` holds the kept positions between the batches of one
    run (see PositionKeeper); without one they are read afresh. If the transaction itself fails (the statements,
    the refresh, the commit), everything is rolled back and the error raised."""
    keeper = keeper or PositionKeeper()
    here: dict[str, int] = {}
    try:
        keeper.begin(session)
        conn: Connection = session.connection()
        stored: list[tuple[int, Prepared, dict]] = []  # (article id, what it came from, its article row)
        results = [_store_article_row(conn, p, stored, here, seen or {}) for p in batch]
        rows = [_statement_row(c, article_id) for article_id, p, _ in stored for c in p.candidates]
        ids = _insert_statement_rows(conn, rows)
        keeper.add(session, _facts(conn, stored, ids))
        if commit:
            session.commit()
            keeper.committed()
            if seen is not None:
                seen.update(here)
    except Exception:
        session.rollback()
        keeper.forget()
        raise
    return results


def _insert_statement_rows(conn: Connection, rows: list[dict]) -> list[int] | None:
    """Insert the batch's statements (one executemany: the rows go in one after the other, in order) and return
    their ids in that order when they are plainly the next ones: every statement above the highest id before is
    one of these and there is no gap (always so on SQLite, whose writer holds the database; on Postgres unless
    another session drew ids from the sequence meanwhile). None otherwise: the caller reads them back."""
    if not rows:
        return []
    before = conn.scalar(_MAX_STATEMENT_ID) or 0
    conn.execute(_INSERT_STATEMENT, rows)
    count, low, high = conn.execute(_STATEMENTS_ABOVE, {"before": before}).one()
    if count == len(rows) and low == before + 1 and high == before + len(rows):
        return list(range(before + 1, before + len(rows) + 1))
    return None


def _facts(conn: Connection, stored: list[tuple[int, Prepared, dict]],
           ids: list[int] | None) -> list[StatementFacts]:
    """What the kept positions need of the statements just inserted, with their ids (read back when not given)."""
    if ids is not None:
        taken = iter(ids)
        return [StatementFacts(c.country, next(taken), c.stance, c.stated_on, c.date_precision, "unreviewed",
                               c.confidence, c.mention_start, c.cue_start, article_id, None, row["source"],
                               row["url"]) for article_id, p, row in stored for c in p.candidates]
    found: dict[int, list] = {}
    with_statements = [article_id for article_id, p, _ in stored if p.candidates]
    for k in range(0, len(with_statements), 500):
        for r in conn.execute(_BATCH_STATEMENT_IDS, {"ids": with_statements[k:k + 500]}):
            found.setdefault(r.article_id, []).append(r)
    out: list[StatementFacts] = []
    for article_id, p, row in stored:
        mine = found.get(article_id, [])
        if [(r.country_iso2, r.stance, r.quote_start) for r in mine] != [(c.country, c.stance, c.quote_start)
                                                                        for c in p.candidates]:
            raise RuntimeError(f"article {article_id}: its statements are not the ones just inserted")
        out.extend(StatementFacts(c.country, r.id, c.stance, c.stated_on, c.date_precision, "unreviewed",
                                  c.confidence, c.mention_start, c.cue_start, article_id, None, row["source"],
                                  row["url"]) for c, r in zip(p.candidates, mine, strict=True))
    return out


def _store_article_row(conn: Connection, p: Prepared, stored: list[tuple[int, Prepared, dict]],
                       here: dict[str, int], seen: Mapping[str, int]) -> StoreResult | Exception:
    """Insert one article's row in a savepoint (its statements follow with the batch's)."""
    item = p.item
    if p.existing_id is not None:
        return StoreResult("already stored", p.existing_id, 0, item.file_name)
    if p.when is None:
        return ValueError(p.error or "the article was not extracted")
    known = here.get(p.digest) or seen.get(p.digest)
    if known is not None:
        return StoreResult("already stored", known, 0, item.file_name)
    row = dict(file_name=_cut(item.file_name, 500), file_line=item.file_line, title=_cut(item.title, 1000),
               source=_cut(item.source, 500), url=_cut(item.url, 2000), published_on=p.when.date,
               date_precision=p.when.precision, body=item.body, body_sha256=p.digest,
               ingested_at=clock.utcnow())
    # A plain SAVEPOINT: the session's own nested transactions cost more than the insert they guard. (The
    # transaction was begun by the version's UPDATE, so on SQLite the savepoint nests inside it.)
    conn.exec_driver_sql("SAVEPOINT store_article")
    try:
        article_id = conn.execute(_insert_article(conn.dialect.name), row).scalar_one_or_none()
    except Exception as e:  # what the database refused of this article; the others are stored
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT store_article")
        conn.exec_driver_sql("RELEASE SAVEPOINT store_article")
        if isinstance(e, IntegrityError):
            # a database without ON CONFLICT: the unique body hash refused the row; the article is stored
            existing = conn.scalar(_ARTICLE_BY_HASH, {"digest": p.digest})
            if existing is not None:
                return StoreResult("already stored", existing, 0, item.file_name)
        return e
    conn.exec_driver_sql("RELEASE SAVEPOINT store_article")
    if article_id is None:  # stored by another ingest; nothing of ours was written
        existing = conn.execute(_ARTICLE_BY_HASH, {"digest": p.digest}).scalar_one()
        return StoreResult("already stored", existing, 0, item.file_name)
    here[p.digest] = article_id
    stored.append((article_id, p, row))
    return StoreResult("added", article_id, len(p.candidates), item.file_name)


def store_article(session: Session, item: ArticleInput, extractor: Extractor | None = None,
                  *, commit: bool = True) -> StoreResult:
    """Store one article and the statements the extractor finds in it, or skip it if its body is stored.

    With commit=True (the default) the article and its statements are committed together as one transaction;
    with commit=False they are flushed and the caller commits. The extractor's exceptions propagate.
    """
    extractor = extractor or default_extractor()
    digest = body_sha256(item.body)
    existing = session.connection().scalar(_ARTICLE_BY_HASH, {"digest": digest})
    if existing is not None:
        return StoreResult("already stored", existing, 0, item.file_name)
    prepared = Prepared(item, digest, when=extractor.date(item), candidates=tuple(extractor.extract(item)))
    return store_prepared(session, prepared, commit=commit)


def ingest_text(session: Session, *, body: str, title: str | None = None, source: str | None = None,
                url: str | None = None, published_on: dt.date | None = None, file_name: str | None = None,
                extractor: Extractor | None = None, commit: bool = True) -> StoreResult:
    """Add one article given as text (the editors' "add an article" form) and extract its statements.

    store.ingest_text(session, *, body, title=None, source=None, url=None, published_on=None, file_name=None,
                      extractor=None, commit=True) -> StoreResult

    - body: the article text (required, non-blank; surrounding whitespace is stripped). Statement offsets refer
      to the stripped body as stored in Article.body.
    - published_on: the article's date (datetime.date); without it a dateline in the body or the dates the text
      mentions are used, else the date stays unknown.
    - Returns StoreResult(status, article_id, statements_added, file_name): status "added", or "already stored"
      when an article with the same body exists (its id is returned and nothing changes).
    - commit=True commits the article and its statements as one transaction; pass commit=False to commit (or
      roll back) yourself, e.g. together with an audit event.
    - Raises ValueError when the body is blank.
    """
    text = (body or "").strip()
    if not text:
        raise ValueError("the article text is empty")
    item = ArticleInput(body=text, title=(title or "").strip() or None, source=(source or "").strip() or None,
                        url=(url or "").strip() or None, published_on=published_on,
                        date_precision="day" if published_on else "unknown", file_name=file_name)
    return store_article(session, item, extractor, commit=commit)


_default: RuleExtractor | None = None


def default_extractor() -> Extractor:
    global _default
    if _default is None:
        _default = RuleExtractor()
    return _default


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# --- extraction in worker processes (--jobs N) -------------------------------------------------------------------

_worker: dict = {}
CHUNK_FILES = 16  # files per task: large enough to amortise the round trip, small enough to keep cores busy
CHUNK_LINES = 32  # lines of a JSON Lines feed per task
AHEAD_TASKS = 32  # tasks in flight beyond a few per worker, so the workers go on while this process stores a batch


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its ingest: when the parent is killed (SIGKILL leaves no time to stop the pool),
    Linux sends the worker SIGKILL too (prctl PR_SET_PDEATHSIG); elsewhere the pool's own shutdown is relied on."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _init_worker(extractor: Extractor, lookup_url: str | None, max_bytes: int, parent: int | None = None) -> None:
    from app.db import create_engine

    if parent is not None:
        _die_with_parent(parent)
    _worker.update(extractor=extractor, max_bytes=max_bytes,
                   engine=create_engine(lookup_url) if lookup_url else None)


def _known_digests(digests: list[str]) -> dict[str, int]:
    """Which bodies are stored already (so a rerun does not extract them again); the parent's insert decides."""
    engine = _worker.get("engine")
    if engine is None or not digests:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(_ARTICLES.c.body_sha256, _ARTICLES.c.id)
                            .where(_ARTICLES.c.body_sha256.in_(digests)))
        return {d: i for d, i in rows}


@dataclass(frozen=True)
class _Lines:
    """Some lines of a JSON Lines file: a feed is read by the parent and its lines spread over the workers."""

    path: Path
    lines: tuple[tuple[int, str], ...]

    def one_by_one(self) -> list[_Lines]:
        return [_Lines(self.path, (line,)) for line in self.lines]

    def where(self) -> str:
        first, last = self.lines[0][0], self.lines[-1][0]
        return f"{self.path}:{first}" + (f"-{last}" if last != first else "")


_Task = Path | ReadError | _Lines


def _work_chunk(chunk: list[_Task]) -> list[Prepared | ReadError]:
    """Read, look up and extract a chunk of files (or of a feed's lines) in a worker, in order."""
    read: list[ArticleInput | ReadError] = []
    for f in chunk:
        if isinstance(f, ReadError):
            read.append(f)
            continue
        try:
            if isinstance(f, _Lines):
                read.extend(read_json_line(f.path, n, line) for n, line in f.lines)
            else:
                read.extend(read_file(f, _worker["max_bytes"]))
        except Exception as e:  # read_file turns bad input into reasons; this is for the unforeseen
            read.append(ReadError(f.where() if isinstance(f, _Lines) else str(f),
                                  f"could not be read ({type(e).__name__}: {e})"))
    digests = {id(r): body_sha256(r.body) for r in read if isinstance(r, ArticleInput)}
    try:
        known = _known_digests(list(set(digests.values())))
    except Exception:  # the look-up only saves work: without it everything is extracted and the insert decides
        known = {}
    out: list[Prepared | ReadError] = []
    for r in read:
        if isinstance(r, ReadError):
            out.append(r)
            continue
        digest = digests[id(r)]
        out.append(Prepared(r, digest, existing_id=known[digest]) if digest in known
                   else prepare(r, _worker["extractor"], digest))
    return out


def _chunks(paths: Iterable[Path], max_bytes: int) -> Iterator[list[_Task]]:
    """Tasks of up to CHUNK_FILES files; a JSON Lines feed is read here and cut into tasks of CHUNK_LINES lines,
    so a corpus delivered as one big feed uses every worker too."""
    chunk: list[_Task] = []
    for f in article_files(paths):
        if isinstance(f, Path) and f.suffix.lower() in (".jsonl", ".ndjson"):
            if chunk:
                yield chunk
                chunk = []
            lines = read_jsonl(f, max_bytes)
            if isinstance(lines, ReadError):
                yield [lines]
                continue
            for k in range(0, len(lines), CHUNK_LINES):
                yield [_Lines(f, tuple(lines[k:k + CHUNK_LINES]))]
            continue
        chunk.append(f)
        if len(chunk) >= CHUNK_FILES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lookup_url(session: Session) -> str | None:
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _prepared_in_pool(session: Session, paths: Iterable[Path], max_bytes: int, extractor: Extractor,
                      jobs: int) -> Iterator[Prepared | ReadError]:
    """Articles prepared by `jobs` worker processes, yielded in the input's order (tasks are collected in the
    order they were submitted, a few per worker ahead).

    When a worker dies (killed, out of memory, a crash in a parser), every task in flight is lost with it: their
    files are tried again one file a task, one task at a time, in a fresh pool, so the file that kills a worker
    is the one reported and the others are stored as usual."""
    # fork: the workers start with the parent's loaded lexicon and need nothing pickled but files and results
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(extractor, _lookup_url(session), max_bytes, os.getpid()))

    pool = new_pool()
    chunks = _chunks(paths, max_bytes)
    pending = True  # the input has more chunks
    todo: deque = deque()  # (chunk, retried) to submit before the rest of the input
    window: deque = deque()  # (chunk, retried, future, pool) in the input's order

    def replace(broken_pool) -> None:
        nonlocal pool
        if broken_pool is pool:
            pool.shutdown(wait=False, cancel_futures=True)
            pool = new_pool()

    try:
        while True:
            serial = any(r for _, r in todo) or any(w[1] for w in window)
            while len(window) < (1 if serial else jobs * 3 + AHEAD_TASKS):
                if todo:
                    chunk, retried = todo.popleft()
                elif pending:
                    chunk, retried = next(chunks, None), False
                    if chunk is None:
                        pending = False
                        break
                else:
                    break
                try:
                    window.append((chunk, retried, pool.submit(_work_chunk, chunk), pool))
                except BrokenProcessPool:  # broke under a task in flight; that task's turn will tell
                    todo.appendleft((chunk, retried))
                    if not window:
                        replace(pool)
                    break
            if not window:
                if todo or pending:
                    continue
                return
            chunk, retried, future, its_pool = window.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool as e:
                lost = [(chunk, retried)] + [(c, r) for c, r, _, _ in window]
                window.clear()
                replace(its_pool)
                if retried:  # alone in flight: this file (or line) killed the worker
                    for f in chunk:
                        yield f if isinstance(f, ReadError) else ReadError(
                            f.where() if isinstance(f, _Lines) else str(f),
                            f"not read: the worker process reading and extracting it died ({e})")
                    continue
                for c, _ in reversed(lost):
                    for f in reversed(c):
                        for one in reversed(f.one_by_one() if isinstance(f, _Lines) else [f]):
                            todo.appendleft(([one], True))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _prepared_here(session: Session, paths: Iterable[Path], max_bytes: int,
                   extractor: Extractor) -> Iterator[Prepared | ReadError]:
    for item in read_paths(paths, max_bytes):
        if isinstance(item, ReadError):
            yield item
            continue
        digest = body_sha256(item.body)
        existing = session.connection().scalar(_ARTICLE_BY_HASH, {"digest": digest})
        yield Prepared(item, digest, existing_id=existing) if existing is not None else prepare(item, extractor, digest)


def _where(item: ArticleInput) -> str:
    name = item.file_name or "?"
    return f"{name}:{item.file_line}" if item.file_line else name


# A batch is stored when it holds BATCH_ARTICLES articles, or when it has been gathering for BATCH_SECONDS and for
# STORE_SHARE times as long as the last batch took to store: the batches grow with what a store costs (the kept
# positions of a long history), so storing never takes more than about 1 / (1 + STORE_SHARE) of the run.
BATCH_ARTICLES = 1000
BATCH_SECONDS = 0.5
STORE_SHARE = 3
SEEN_BODIES = 100_000  # body hashes of this run remembered, so a repeated body never costs an insert


def ingest_paths(session: Session, paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
                 extractor: Extractor | None = None,
                 on_item: Callable[[ArticleInput | ReadError, StoreResult | None], None] | None = None,
                 jobs: int = 1) -> IngestSummary:
    """Read files and folders and store every article; bad files are reported, not raised.

    Articles are stored in the input's order, in batches (up to BATCH_ARTICLES, or what arrived within
    BATCH_SECONDS), one transaction each, with the kept positions refreshed once per batch (store_batch). An
    article the database refuses is reported and the rest of its batch stored; when a batch's transaction fails
    as a whole, its articles are stored again one per transaction, so only the one that fails is lost. With
    jobs > 1, reading and extraction run in that many worker processes while this process stores the results:
    the same articles, statements and ids as one job.
    """
    extractor = extractor or default_extractor()
    paths = list(paths)
    summary = IngestSummary()
    keeper = PositionKeeper()
    seen: dict[str, int] = {}

    def failed(err: ReadError) -> None:
        summary.failed += 1
        summary.errors.append(err)
        if on_item:
            on_item(err, None)

    def store(batch: list[Prepared]) -> list[StoreResult | Exception]:
        try:
            return store_batch(session, batch, keeper, seen=seen)
        except Exception as e:  # the transaction failed as a whole: one article a transaction finds the culprit
            if len(batch) == 1:
                return [e]
            return [r for p in batch for r in store([p])]

    def flush(pending: list[Prepared | ReadError]) -> float:
        """Store what is pending and report it in order; returns how long the store took."""
        began = time.monotonic()
        batch = [p for p in pending if isinstance(p, Prepared) and not p.error]
        results = dict(zip(map(id, batch), store(batch), strict=True)) if batch else {}
        took = time.monotonic() - began
        for p in pending:
            if isinstance(p, ReadError):
                failed(p)
            elif p.error:
                failed(ReadError(_where(p.item), p.error))
            elif isinstance(result := results[id(p)], Exception):
                failed(ReadError(_where(p.item), f"could not be stored ({type(result).__name__}: {result})"))
            else:
                if result.added:
                    summary.added += 1
                    summary.statements += result.statements_added
                    summary.warnings += [ReadError(_where(p.item), w) for w in p.item.warnings]
                else:
                    summary.skipped += 1
                if on_item:
                    on_item(p.item, result)
        while len(seen) > SEEN_BODIES:
            del seen[next(iter(seen))]
        return took

    stream = (_prepared_in_pool(session, paths, max_bytes, extractor, jobs) if jobs > 1
              else _prepared_here(session, paths, max_bytes, extractor))
    pending: list[Prepared | ReadError] = []
    to_store, started, wait = 0, 0.0, BATCH_SECONDS
    for p in stream:
        if not pending:
            started = time.monotonic()
        pending.append(p)
        to_store += isinstance(p, Prepared) and not p.error
        if to_store >= BATCH_ARTICLES or time.monotonic() - started >= wait:
            wait = max(BATCH_SECONDS, STORE_SHARE * flush(pending))
            pending, to_store = [], 0
    if pending:
        flush(pending)
    return summary
