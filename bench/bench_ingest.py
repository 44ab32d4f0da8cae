"""Benchmark: ingest a generated corpus into a fresh database; prints articles/s and peak memory.

usage: python bench/bench_ingest.py [--sizes 2000 6000] [--jobs 1 2] [--seed 7] [--postgres URL]

Each size and job count runs in its own process (so peak memory is that run's own): the corpus is written as
.txt files and .jsonl feeds from templates, a fresh database is migrated (app.schema.upgrade + sync_countries),
then app.ingest.store.ingest_paths reads, extracts and stores everything, with --jobs worker processes reading
and extracting (1: all in this process) while the parent stores them in batches, the kept positions included.
SQLite by default (a file in a temporary folder); with --postgres (a server URL such as
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) on a database it creates for the run and drops after.
Peak memory is reported twice: the process's maximum resident set size (the parent's; with --jobs 2 each worker
has its own, about as large), and tracemalloc's peak of Python allocations during the ingest (measured in a
second run, because tracing slows the code it measures). CPU seconds are the parent's and its workers' together
("per CPU s"), and the parent's alone (what storing costs, with --jobs 2).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTRIES = ["Norway", "Finland", "Portugal", "Greece", "Austria", "Ireland", "Denmark", "Spain", "Italy",
             "the Netherlands", "Belgium", "Sweden", "Canada", "Japan", "Croatia", "Slovenia", "Romania"]
ADJECTIVES = ["Norwegian", "Finnish", "Portuguese", "Greek", "Austrian", "Irish", "Danish", "Spanish", "Dutch",
              "Belgian", "Swedish", "Canadian", "Croatian", "Romanian"]
TITLES = ["Prime Minister", "Defence Minister", "Foreign Minister", "President", "government", "officials"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
STANCE_SENTENCES = [
    "{c} is ready to send troops to a reassurance force after a ceasefire.",
    "{c} will not send soldiers to Ukraine, the {a} {t} said on {d} {m}.",
    "The {a} {t} said {c} does not rule out joining a peacekeeping mission.",
    "{c} and {c2} are considering deploying peacekeepers if the United States provides a backstop.",
    "In {m}, {c} rejected the idea of a multinational force.",
    "{c}, {c2} and {c3} immediately opposed the deployment of troops.",
    "The {a} {t} believes it would be logical for the government to send troops, as did {c2}.",
    "{c} has no plans to join any such mission, officials said last month.",
    "{c} could contribute troops under a UN mandate.",
]
FILLER = [
    "Talks between the delegations continued late into the night in a hotel near the lake.",
    "Markets reacted calmly to the news, with bond yields little changed on the day.",
    "The ministers of {c} and {c2} will meet next week to discuss energy prices.",
    "Analysts say {c} and {c2} are likely to form the backbone of any future force.",
    "Russia rejected any presence of Western troops near its borders.",
    "The summit in {cap} was attended by leaders from across the continent.",
    "Officials stressed that no decision had been taken and that consultations would continue.",
    "A spokesperson declined to comment on the details of the proposal.",
]
CAPITALS = ["Oslo", "Helsinki", "Lisbon", "Athens", "Vienna", "Dublin", "Copenhagen", "Madrid", "Rome"]


def make_article(rng: random.Random, i: int) -> tuple[str, str]:
    year = rng.choice([2024, 2025])
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29)
    paragraphs = []
    for _ in range(rng.randrange(4, 9)):
        sentences = []
        for _ in range(rng.randrange(2, 5)):
            tpl = rng.choice(STANCE_SENTENCES if rng.random() < 0.35 else FILLER)
            c, c2, c3 = rng.sample(COUNTRIES, 3)
            sentences.append(tpl.format(c=c, c2=c2, c3=c3, a=rng.choice(ADJECTIVES), t=rng.choice(TITLES),
                                        d=rng.randrange(1, 29), m=rng.choice(MONTHS), cap=rng.choice(CAPITALS)))
        paragraphs.append(" ".join(sentences))
    # a serial number keeps every body distinct, so none is skipped as already stored
    body = f"Report {i}: European capitals debate a force for Ukraine.\n\n" + "\n\n".join(paragraphs)
    return f"{year}-{month:02d}-{day:02d}", body


def write_corpus(folder: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    feed_lines = []
    for i in range(n):
        date, body = make_article(rng, i)
        if i % 4 == 3:  # a quarter as JSON Lines, the rest as text files
            feed_lines.append(json.dumps({"title": f"Article {i}", "url": f"https://example.org/{i}",
                                          "source": "Bench Wire", "published": date, "text": body}))
        else:
            (folder / f"{i:06d}.txt").write_text(f"date {date}\nsource: Bench Wire\ntitle: Article {i}\n\n{body}\n",
                                                 encoding="utf-8")
    for k in range(0, len(feed_lines), 250):
        (folder / f"feed_{k // 250:03d}.jsonl").write_text("\n".join(feed_lines[k:k + 250]) + "\n", encoding="utf-8")


def fresh_database(tmp: Path, postgres: str | None):
    """A database URL for one run and a function that drops it (a file, or a Postgres database of its own)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from app.db import create_engine

    if not postgres:
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    name = f"stancemap_ingest_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(postgres).set(database=name).render_as_string(hide_password=False), drop


def run_one(n: int, seed: int, trace: bool, jobs: int = 1, postgres: str | None = None) -> dict:
    from app.db import create_engine, session_factory, session_scope
    from app.ingest.extract import RuleExtractor
    from app.ingest.store import ingest_paths
    from app.schema import sync_countries, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        write_corpus(corpus, n, seed)
        url, drop = fresh_database(tmp_path, postgres)
        upgrade(url)
        engine = create_engine(url)
        with session_scope(engine) as s:
            sync_countries(s)
        extractor = RuleExtractor()  # loads the data files before the clock starts
        session = session_factory(engine)()
        if trace:
            import tracemalloc

            tracemalloc.start()
        def cpu_now() -> tuple[float, float]:
            own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime

        t0, (own0, kids0) = time.perf_counter(), cpu_now()
        summary = ingest_paths(session, [corpus], extractor=extractor, jobs=jobs)
        own1, kids1 = cpu_now()
        elapsed, cpu, parent = time.perf_counter() - t0, own1 - own0 + kids1 - kids0, own1 - own0
        peak = None
        if trace:
            import tracemalloc

            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        session.close()
        engine.dispose()
        drop()
    return {"articles": summary.added, "failed": summary.failed, "statements": summary.statements,
            "seconds": round(elapsed, 2), "articles_per_s": round(summary.added / elapsed, 1),
            "cpu_seconds": round(cpu, 2), "articles_per_cpu_s": round(summary.added / cpu, 1),
            "parent_cpu_seconds": round(parent, 2),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "tracemalloc_peak_mb": round(peak / 2**20, 1) if peak is not None else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 6000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--postgres", help="a Postgres server URL; the benchmark creates and drops a database per run")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.trace, args.jobs[0], args.postgres)))
        return
    # articles/s is wall-clock; per CPU second too, because a shared machine's load moves the wall figure
    print(f"database: {'Postgres' if args.postgres else 'SQLite'}; cores: {os.cpu_count()}; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'articles':>9} {'jobs':>5} {'statements':>11} {'seconds':>8} {'articles/s':>11} {'per CPU s':>10} "
          f"{'parent CPU s':>13} {'max RSS MB':>11} {'tracemalloc peak MB':>20}")
    for n in args.sizes:
        for jobs in args.jobs:
            cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed), "--jobs", str(jobs)]
            cmd += ["--postgres", args.postgres] if args.postgres else []
            speed = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            traced = json.loads(subprocess.run(cmd + ["--trace"], capture_output=True, text=True, check=True).stdout)
            print(f"{speed['articles']:>9} {jobs:>5} {speed['statements']:>11} {speed['seconds']:>8} "
                  f"{speed['articles_per_s']:>11} {speed['articles_per_cpu_s']:>10} "
                  f"{speed['parent_cpu_seconds']:>13} {speed['max_rss_mb']:>11} {traced['tracemalloc_peak_mb']:>20}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
