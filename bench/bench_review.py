"""Benchmark: how long one page of the review queue takes to read when the queue is large.

Builds a SQLite database (in a temporary directory) of generated machine statements, all unreviewed, spread over
articles, then times queries.review_page (the grouping, ordering and cursor of /editor/review): the first page,
and a page deep in the queue after a cursor, each repeated, printing p50 and max in milliseconds.

    .venv/bin/python bench/bench_review.py                      # 20,000 statements over 2,000 articles
    .venv/bin/python bench/bench_review.py --statements 100000 --articles 10000
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from app import queries  # noqa: E402
from app.db import create_engine, session_factory, session_scope  # noqa: E402
from app.models import Article, Country, Statement  # noqa: E402
from app.schema import sync_countries, upgrade  # noqa: E402


def build(url: str, n_statements: int, n_articles: int) -> None:
    upgrade(url)
    engine = create_engine(url)
    rng = random.Random(11)
    with session_scope(engine) as session:
        sync_countries(session)
        countries = list(session.scalars(select(Country.iso2)))[:60]
        now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        articles = [{"id": i + 1, "file_name": f"a{i}.txt", "title": f"Article {i}", "source": f"Outlet {i % 12}",
                     "url": None, "published_on": dt.date(2024, 1, 1) + dt.timedelta(days=i % 500),
                     "date_precision": "day", "body": "x" * 400,
                     "body_sha256": hashlib.sha256(str(i).encode()).hexdigest(),
                     "ingested_at": now} for i in range(n_articles)]
        session.execute(insert(Article), articles)
        rows = []
        for i in range(n_statements):
            article = articles[i % n_articles]
            start = (i // n_articles) * 40 % 360
            rows.append({"country_iso2": rng.choice(countries),
                         "stance": rng.choice(("support", "reject", "undecided")),
                         "stated_on": article["published_on"], "date_precision": "day", "quote": "A sentence.",
                         "article_id": article["id"], "origin": "machine", "review_status": "unreviewed",
                         "confidence": round(rng.uniform(0.4, 0.95), 2), "quote_start": start, "quote_end": start + 30,
                         "created_at": now, "updated_at": now, "version": 1})
        session.execute(insert(Statement), rows)
    engine.dispose()


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        build(url, args.statements, args.articles)
        print(f"built {args.statements:,} unreviewed statements over {args.articles:,} articles "
              f"in {time.perf_counter() - t0:.1f} s")
        engine = create_engine(url)
        session = session_factory(engine)()
        today = dt.date(2025, 6, 1)
        first = queries.review_page(session, queries.ReviewFilters(), today=today)
        deep = first
        for _ in range(50):  # walk 50 pages in, following the cursor
            if deep.next_cursor is None:
                break
            deep = queries.review_page(session, queries.ReviewFilters(), today=today,
                                       after=queries.parse_cursor(deep.next_cursor))
        after = queries.parse_cursor(deep.groups[0].cursor) if deep.groups else None
        for label, fn in (
            ("first page", lambda: queries.review_page(session, queries.ReviewFilters(), today=today)),
            ("page ~50, after a cursor", lambda: queries.review_page(session, queries.ReviewFilters(), today=today,
                                                                     after=after)),
            ("first page, one country", lambda: queries.review_page(session, queries.ReviewFilters(country="FR"),
                                                                    today=today)),
        ):
            session.expire_all()
            p50, worst = timed(fn, args.repeat)
            print(f"{label:28s} p50 {p50:7.1f} ms   max {worst:7.1f} ms")
        session.close()
        engine.dispose()


if __name__ == "__main__":
    main()
