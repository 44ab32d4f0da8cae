"""Stores articles and their extracted statements: idempotent by body hash, one transaction per article."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from app import clock
from app.positions import refresh_countries
from app.ingest.extract import Candidate, Extractor, RuleExtractor
from app.ingest.readers import read_paths
from app.ingest.types import ArticleInput, ReadError
from app.models import Article, Statement


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

    @property
    def ok(self) -> bool:
        return not self.errors


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def has_articles(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Article)) > 0


def _statement_row(c: Candidate, article_id: int) -> dict:
    now = clock.utcnow()
    return dict(
        country_iso2=c.country, stance=c.stance, stated_on=c.stated_on, date_precision=c.date_precision,
        quote=c.quote, speaker=_cut(c.speaker, 300), conditions=c.conditions, article_id=article_id,
        source_url=None, origin="machine", review_status="unreviewed", confidence=c.confidence,
        quote_start=c.quote_start, quote_end=c.quote_end, mention_start=c.mention_start,
        mention_end=c.mention_end, cue_start=c.cue_start, cue_end=c.cue_end, rules_version=c.rules_version,
        created_at=now, updated_at=now, version=1)


# Core statements on the tables, run on the session's connection: one executemany per article. Both the ORM's
# unit of work and its bulk-insert path cost more than extraction at corpus scale.
_STATEMENTS, _ARTICLES = Statement.__table__, Article.__table__
_INSERT_STATEMENT = insert(_STATEMENTS)
_INSERT_ARTICLE = insert(_ARTICLES).returning(_ARTICLES.c.id)
_ARTICLE_BY_HASH = select(_ARTICLES.c.id).where(_ARTICLES.c.body_sha256 == bindparam("digest"))


def _insert_statements(session: Session, candidates: list[Candidate], article_id: int) -> None:
    if candidates:
        session.connection().execute(_INSERT_STATEMENT, [_statement_row(c, article_id) for c in candidates])


def _touched(candidates: Iterable[Candidate]) -> dict[str, tuple[dt.date, dt.date] | None]:
    """Country -> (earliest, latest) date of its new statements (None: an undated one, recompute the country)."""
    out: dict[str, tuple[dt.date, dt.date] | None] = {}
    for c in candidates:
        if c.country in out and out[c.country] is None:
            continue
        if c.stated_on is None:
            out[c.country] = None
        else:
            lo, hi = out.get(c.country) or (c.stated_on, c.stated_on)
            out[c.country] = (min(lo, c.stated_on), max(hi, c.stated_on))
    return out


def store_article(session: Session, item: ArticleInput, extractor: Extractor | None = None,
                  *, commit: bool = True) -> StoreResult:
    """Store one article and the statements the extractor finds in it, or skip it if its body is stored.

    With commit=True (the default) the article and its statements are committed together as one transaction;
    with commit=False they are flushed and the caller commits.
    """
    extractor = extractor or default_extractor()
    digest = body_sha256(item.body)
    existing = session.connection().scalar(_ARTICLE_BY_HASH, {"digest": digest})
    if existing is not None:
        return StoreResult("already stored", existing, 0, item.file_name)
    when = extractor.date(item)
    row = dict(file_name=_cut(item.file_name, 500), file_line=item.file_line, title=_cut(item.title, 1000),
               source=_cut(item.source, 500), url=_cut(item.url, 2000), published_on=when.date,
               date_precision=when.precision, body=item.body, body_sha256=digest,
               ingested_at=clock.utcnow())
    candidates = extractor.extract(item)
    try:
        article_id = session.connection().execute(_INSERT_ARTICLE, row).scalar_one()
        _insert_statements(session, candidates, article_id)
        if candidates:
            refresh_countries(session, _touched(candidates))
        if commit:
            session.commit()
    except Exception:
        session.rollback()
        raise
    return StoreResult("added", article_id, len(candidates), item.file_name)


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


def reextract_article(session: Session, article_id: int, extractor: Extractor | None = None) -> tuple[int, int]:
    """Re-run extraction on a stored article (after a rules change): machine statements nobody has reviewed are
    replaced; verified, dismissed and editor statements are kept as they are. Returns (removed, added)."""
    extractor = extractor or default_extractor()
    article = session.get(Article, article_id)
    if article is None:
        raise LookupError(f"no article {article_id}")
    replaceable = (Statement.article_id == article_id) & (Statement.origin == "machine") \
        & (Statement.review_status == "unreviewed") & Statement.deleted_at.is_(None)
    touched = set(session.scalars(select(Statement.country_iso2).where(replaceable)))
    removed = session.execute(delete(Statement).where(replaceable)).rowcount or 0
    kept = {(s.country_iso2, s.quote_start) for s in session.scalars(
        select(Statement).where(Statement.article_id == article_id))}
    item = ArticleInput(body=article.body, title=article.title, source=article.source, url=article.url,
                        published_on=article.published_on, date_precision=article.date_precision,
                        file_name=article.file_name, file_line=article.file_line)
    # an editor already decided about this country in this sentence: keep their word
    fresh = [c for c in extractor.extract(item) if (c.country, c.quote_start) not in kept]
    _insert_statements(session, fresh, article.id)
    refresh_countries(session, touched | {c.country for c in fresh})
    session.commit()
    added = len(fresh)
    return removed, added


_default: RuleExtractor | None = None


def default_extractor() -> Extractor:
    global _default
    if _default is None:
        _default = RuleExtractor()
    return _default


def ingest_paths(session: Session, paths: Iterable[Path], *, max_bytes: int = 5_000_000,
                 extractor: Extractor | None = None,
                 on_item: Callable[[ArticleInput | ReadError, StoreResult | None], None] | None = None,
                 ) -> IngestSummary:
    """Read files and folders and store every article, one transaction each; bad files are reported, not raised."""
    summary = IngestSummary()
    for item in read_paths(paths, max_bytes):
        if isinstance(item, ReadError):
            summary.failed += 1
            summary.errors.append(item)
            if on_item:
                on_item(item, None)
            continue
        try:
            result = store_article(session, item, extractor)
        except Exception as e:  # a database error on one article must not lose the others
            err = ReadError(item.file_name or "?", f"could not be stored ({type(e).__name__}: {e})")
            summary.failed += 1
            summary.errors.append(err)
            if on_item:
                on_item(err, None)
            continue
        if result.added:
            summary.added += 1
            summary.statements += result.statements_added
        else:
            summary.skipped += 1
        if on_item:
            on_item(item, result)
    return summary
