"""Re-extraction: run the current rules over every stored article and replace only what nobody has reviewed.

A rules upgrade reaches a live database this way: unreviewed machine statements whose extraction changed are
replaced, and verified, dismissed and editor statements are never touched. A dry run reports the same changes
and writes nothing. A second run finds nothing to change.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.ingest.extract import Candidate, Extractor
from app.ingest.store import _insert_statements, default_extractor
from app.ingest.types import ArticleInput
from app.models import Article, Statement
from app.positions import refresh_countries

# What the extractor decides about a statement; two statements with the same key are the same finding.
_KEY_FIELDS = ("country", "stance", "stated_on", "date_precision", "quote_start", "quote_end", "mention_start",
               "mention_end", "cue_start", "cue_end", "speaker", "conditions", "confidence", "rule", "rule_reason")


def _key(obj) -> tuple:
    get = (lambda f: getattr(obj, "country_iso2" if f == "country" else f)) if isinstance(obj, Statement) \
        else (lambda f: getattr(obj, f))
    return tuple(get(f) for f in _KEY_FIELDS)


@dataclass(frozen=True)
class CountryChange:
    """What re-extraction changes for one country in one article: the stances before and after."""

    article_id: int
    article: str
    country: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        if not self.after:
            return "removed"
        return "changed stance" if set(self.before) != set(self.after) else "changed evidence"


@dataclass
class ReextractReport:
    articles: int = 0
    articles_changed: int = 0
    removed: int = 0
    added: int = 0
    changes: list[CountryChange] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(c.kind for c in self.changes)


def _replaceable(article_id: int):
    return (Statement.article_id == article_id) & (Statement.origin == "machine") \
        & (Statement.review_status == "unreviewed") & Statement.deleted_at.is_(None)


def _item(article: Article) -> ArticleInput:
    return ArticleInput(body=article.body, title=article.title, source=article.source, url=article.url,
                        published_on=article.published_on, date_precision=article.date_precision,
                        file_name=article.file_name, file_line=article.file_line)


def _changes(article: Article, old: list[Statement], fresh: list[Candidate]) -> list[CountryChange]:
    name = article.file_name or f"article {article.id}"
    out = []
    for country in sorted({s.country_iso2 for s in old} | {c.country for c in fresh}):
        before = sorted(_key(s) for s in old if s.country_iso2 == country)
        after = sorted(_key(c) for c in fresh if c.country == country)
        if before != after:
            out.append(CountryChange(article.id, name, country, tuple(sorted({k[1] for k in before})),
                                     tuple(sorted({k[1] for k in after}))))
    return out


def reextract_one(session: Session, article: Article, extractor: Extractor,
                  dry_run: bool = False) -> tuple[list[CountryChange], int, int]:
    """Compare one article's unreviewed machine statements with what the rules find now; replace them unless
    dry_run. Returns (changes, removed, added). The caller commits."""
    old = list(session.scalars(select(Statement).where(_replaceable(article.id))))
    # an editor already decided about this country in this sentence: keep their word
    kept = {(s.country_iso2, s.quote_start) for s in session.scalars(
        select(Statement).where(Statement.article_id == article.id, Statement.deleted_at.is_(None),
                                (Statement.origin != "machine") | (Statement.review_status != "unreviewed")))}
    fresh = [c for c in extractor.extract(_item(article)) if (c.country, c.quote_start) not in kept]
    changes = _changes(article, old, fresh)
    if not changes:
        return [], 0, 0
    # only the countries whose findings changed are replaced: the others keep their statements (and their ids)
    changed = {c.country for c in changes}
    removed = [s for s in old if s.country_iso2 in changed]
    added = [c for c in fresh if c.country in changed]
    if not dry_run:
        session.execute(delete(Statement).where(_replaceable(article.id), Statement.country_iso2.in_(changed)))
        _insert_statements(session, added, article.id)
        refresh_countries(session, changed)
    return changes, len(removed), len(added)


def reextract_article(session: Session, article_id: int, extractor: Extractor | None = None) -> tuple[int, int]:
    """Re-extract one stored article and commit: returns (removed, added); (0, 0) when nothing changed."""
    article = session.get(Article, article_id)
    if article is None:
        raise LookupError(f"no article {article_id}")
    _changes_, removed, added = reextract_one(session, article, extractor or default_extractor())
    session.commit()
    return removed, added


def reextract_all(session: Session, extractor: Extractor | None = None, *, dry_run: bool = False,
                  on_article: Callable[[Article], None] | None = None,
                  article_ids: Iterable[int] | None = None) -> ReextractReport:
    """Re-extract every stored article (or those given), one transaction per changed article."""
    extractor = extractor or default_extractor()
    report = ReextractReport()
    ids = (list(article_ids) if article_ids is not None
           else list(session.scalars(select(Article.id).order_by(Article.id))))
    for article_id in ids:
        article = session.get(Article, article_id)
        if article is None:
            continue
        report.articles += 1
        changes, removed, added = reextract_one(session, article, extractor, dry_run)
        if changes:
            report.articles_changed += 1
            report.removed += removed
            report.added += added
            report.changes.extend(changes)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        if on_article:
            on_article(article)
        session.expunge_all()
    return report
