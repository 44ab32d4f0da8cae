"""Fault benchmark: SIGKILL `stancemap ingest` at random points N times, then let it complete; prints whether the
database ends identical to a clean run's (articles, statements, and a fingerprint of every stored row).

usage: python bench/bench_faults.py [--articles 2000] [--kills 10] [--jobs 1 2] [--seed 7] [--postgres URL]

The corpus is bench_ingest.py's generator (¾ text files, ¼ JSON Lines). A clean run ingests it into a fresh
database and is timed; then, in another fresh database, an ingest process is started and killed with SIGKILL at
a random moment within the time the rest would take (estimated from the clean run), N times, and after each
kill the database is checked: no article without all of its statements (every transaction whole), and no
worker process left alive (--jobs 2). A last run completes the ingest and the counts and fingerprint are
compared with the clean run's. SQLite by default (a file in a temporary folder); with --postgres (a server URL
such as postgresql+psycopg://postgres@127.0.0.1:5432/postgres) on databases it creates and drops.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ingest import write_corpus  # noqa: E402


def fresh_database(tmp: Path, postgres: str | None, label: str) -> tuple[str, callable]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from app.db import create_engine, session_scope
    from app.schema import sync_countries, upgrade

    if postgres:
        name = f"stancemap_faults_{label}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(postgres).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        url = f"sqlite:///{tmp / f'{label}.db'}"

        def drop() -> None:
            pass
    upgrade(url)
    engine = create_engine(url)
    with session_scope(engine) as s:
        sync_countries(s)
    engine.dispose()
    return url, drop


def snapshot(url: str) -> dict:
    """Counts, per-article statement counts (by body hash) and a fingerprint of every stored row."""
    from sqlalchemy import text

    from app.db import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        articles = conn.execute(text("SELECT id, body_sha256, file_name, file_line, published_on, date_precision "
                                     "FROM articles ORDER BY body_sha256")).all()
        statements = conn.execute(text(
            "SELECT a.body_sha256, s.country_iso2, s.stance, s.stated_on, s.date_precision, s.quote_start, "
            "s.quote_end, s.mention_start, s.cue_start, s.speaker, s.conditions, s.confidence "
            "FROM statements s JOIN articles a ON a.id = s.article_id")).all()
    engine.dispose()
    per_article: dict[str, int] = {a.body_sha256: 0 for a in articles}
    for s in statements:
        per_article[s[0]] += 1
    h = hashlib.sha256()
    for a in articles:
        h.update(repr(tuple(a)[1:]).encode())
    for s in sorted(repr(tuple(s)) for s in statements):
        h.update(s.encode())
    return {"articles": len(articles), "statements": len(statements), "per_article": per_article,
            "fingerprint": h.hexdigest()[:16]}


def ingest_cmd(corpus: Path, jobs: int) -> list[str]:
    return [sys.executable, "-c", "from app.cli import main; main()", "ingest", "--jobs", str(jobs), str(corpus)]


def children_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
    except FileNotFoundError:
        return False


def run_faults(corpus: Path, tmp: Path, n_articles: int, kills: int, jobs: int, rng: random.Random,
               postgres: str | None) -> dict:
    env_base = {**os.environ, "COLUMNS": "200"}
    clean_url, drop_clean = fresh_database(tmp, postgres, f"clean{jobs}")
    t0 = time.perf_counter()
    clean_run = subprocess.run(ingest_cmd(corpus, jobs), env={**env_base, "DATABASE_URL": clean_url},
                               capture_output=True, text=True)
    clean_seconds = time.perf_counter() - t0
    clean = snapshot(clean_url)
    drop_clean()

    url, drop = fresh_database(tmp, postgres, f"faults{jobs}")
    env = {**env_base, "DATABASE_URL": url}
    # start-up (imports, the data files, the first connection): an ingest of an empty folder
    empty = tmp / "empty"
    empty.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run(ingest_cmd(empty, jobs), env=env, capture_output=True)
    startup = time.perf_counter() - t0
    work = max(0.1, clean_seconds - startup)
    done_kills = partial = orphans = finished_early = 0
    stored_after: list[int] = []
    for _ in range(kills):
        stored = snapshot(url)["articles"]
        remaining = work * (1 - stored / max(1, clean["articles"]))
        delay = rng.uniform(0.2, startup + 0.9 * remaining)  # anywhere from start-up to near the end
        p = subprocess.Popen(ingest_cmd(corpus, jobs), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        workers = children_of(p.pid)
        if p.poll() is not None:
            finished_early += 1
            break
        p.send_signal(signal.SIGKILL)
        p.wait()
        done_kills += 1
        deadline = time.monotonic() + 5
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if alive(w)]
        orphans += len(left)
        for w in left:
            os.kill(w, signal.SIGKILL)
        snap = snapshot(url)
        stored_after.append(snap["articles"])
        partial += sum(1 for digest, k in snap["per_article"].items() if k != clean["per_article"].get(digest))
    final_run = subprocess.run(ingest_cmd(corpus, jobs), env=env, capture_output=True, text=True)
    final = snapshot(url)
    drop()
    return {"jobs": jobs, "clean_seconds": clean_seconds, "startup": startup, "clean": clean, "final": final,
            "kills": done_kills, "finished_early": finished_early, "partial": partial, "orphans": orphans,
            "stored_after": stored_after,
            "clean_rc": clean_run.returncode, "final_rc": final_run.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--postgres", help="a Postgres server URL; the benchmark creates and drops its databases")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"database: {'Postgres' if args.postgres else 'SQLite'}; corpus: {args.articles} generated articles; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'jobs':>4} {'clean s':>8} {'start s':>7} {'kills':>5} {'articles after each kill':<44} "
          f"{'partial':>7} {'orphans':>7} "
          f"{'clean: articles/statements/fingerprint':>40} {'after kills + completion':>40} {'identical':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.articles, args.seed)
        for jobs in args.jobs:
            r = run_faults(corpus, tmp_path, args.articles, args.kills, jobs, rng, args.postgres)
            c, f = r["clean"], r["final"]
            same = (c["articles"], c["statements"], c["fingerprint"]) == (f["articles"], f["statements"],
                                                                           f["fingerprint"])
            after = ",".join(map(str, r["stored_after"]))
            if r["finished_early"]:
                after += " (then finished before a kill)"
            print(f"{jobs:>4} {r['clean_seconds']:>8.1f} {r['startup']:>7.1f} {r['kills']:>5} {after:<44} "
                  f"{r['partial']:>7} {r['orphans']:>7} "
                  f"{c['articles']:>10}/{c['statements']}/{c['fingerprint']:>16} "
                  f"{f['articles']:>10}/{f['statements']}/{f['fingerprint']:>16} {'yes' if same else 'NO':>9}")
            if r["clean_rc"] or r["final_rc"]:
                print(f"     exit codes: clean run {r['clean_rc']}, completing run {r['final_rc']}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
