"""Benchmark: server latency of the map, statements and API pages at 200 countries x --statements statements.

Builds a database of generated statements (SQLite in a temporary directory, and/or a Postgres database of its
own that it creates and drops) and its kept positions (`rebuild_positions`), serves the app with a real uvicorn
process on 127.0.0.1, and measures three things, each a bounded number of sequential requests:

- repeated views: every endpoint round-robin after a warm-up (what most readers get: the rendered page is kept
  per view and data version), as the server's own time (a Server-Timing header added by a wrapper around the app,
  from request to response start) and the client's round trip over loopback, with the ratio to /healthz;
- the first request after a write: --writes times, an editor's write through app.editing (a review or a new
  statement, alternately, in this process), then one request to each endpoint, which must render afresh;
- a conditional request (If-None-Match with the page's ETag), answered 304.

    .venv/bin/python bench/bench_web.py                       # SQLite and Postgres (when it answers)
    .venv/bin/python bench/bench_web.py --backend sqlite --statements 1000000 --requests 200
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402  (the dev extra's HTTP client, as starlette.testclient uses)
from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.db import create_engine, session_scope  # noqa: E402
from app.models import Article, Country, Statement  # noqa: E402
from app.schema import sync_countries, upgrade  # noqa: E402

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIRST_DAY = dt.date(2022, 1, 1)
DAYS = 1300  # about three and a half years of statements
AS_OF = "2023-06-15"
SINCE = "2023-01-01"  # the compare views: what changed between SINCE and AS_OF


def _log_full_collections():
    """Count the full (generation 2) collections; the function returned prints how many and how long they took
    (called at the server's shutdown: uvicorn re-raises SIGTERM after it, so atexit would not run)."""
    import gc

    times: list[float] = []
    started: list[float] = []

    def callback(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            times.append((time.perf_counter() - started[0]) * 1000)

    def summary() -> None:
        if times:
            longest = ", ".join(f"{t:.0f}" for t in sorted(times, reverse=True)[:5])
            print(f"[server] {len(times)} full collections (the first at start-up, explicit ones included): median "
                  f"{statistics.median(times):.1f} ms, longest {longest} ms; frozen objects now: "
                  f"{gc.get_freeze_count()}", flush=True)
        else:
            print("[server] no full collection", flush=True)

    gc.callbacks.append(callback)
    try:
        from app.web import heap
    except ImportError:  # a checkout before app/web/heap.py
        return summary
    settles: list[float] = []
    settle = heap.settle

    def timed_settle(version: int):
        start = time.perf_counter()
        try:
            return settle(version)
        finally:
            settles.append((time.perf_counter() - start) * 1000)

    def summaries() -> None:
        summary()
        done = [t for t in settles if t > 0.05]  # the calls that froze (the others return at once)
        if done:
            print(f"[server] {len(done)} heap.settle calls that froze: median {statistics.median(done):.1f} ms, "
                  f"longest {max(done):.1f} ms", flush=True)

    heap.settle = timed_settle
    return summaries


def timed_app():
    """The app wrapped so every response says how long the server took (uvicorn --factory target)."""
    from app.web import create_app

    inner = create_app()
    summary = _log_full_collections()

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            async def receive_shutdown():
                message = await receive()
                if message["type"] == "lifespan.shutdown":
                    summary()
                return message

            return await inner(scope, receive_shutdown, send)
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        start = time.perf_counter()

        async def timed_send(message):
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"server-timing", f"app;dur={ms:.3f}".encode())]}
            await send(message)

        await inner(scope, receive, timed_send)

    return app


def populate(url: str, countries: int, statements: int, seed: int = 7) -> None:
    """Migrate and fill: `statements` rows spread over `countries` countries, 1% dismissed, 0.5% undated."""
    rnd = random.Random(seed)
    upgrade(url)
    engine = create_engine(url)
    with session_scope(engine) as session:
        sync_countries(session)
    with session_scope(engine) as session:
        codes = list(session.scalars(select(Country.iso2).order_by(Country.iso2)))[:countries]
        n_articles = max(1, statements // 50)
        session.execute(insert(Article), [
            {"file_name": f"bench-{i}.txt", "title": f"Bench article {i}", "source": f"Source {i % 40}",
             "url": f"https://news.example/{i}", "published_on": FIRST_DAY + dt.timedelta(days=rnd.randrange(DAYS)),
             "date_precision": "day", "body": f"body {i}", "body_sha256": f"{i:064x}",
             "ingested_at": dt.datetime(2025, 7, 1, tzinfo=dt.UTC)}
            for i in range(n_articles)])
        article_ids = list(session.scalars(select(Article.id)))
        words = ("ready to send troops", "will not send soldiers", "does not rule out a contribution",
                 "is considering a role", "rejected the idea", "supports the reassurance force")
        batch = []
        for i in range(statements):
            r = rnd.random()
            batch.append({
                "country_iso2": codes[i % len(codes)],
                "stance": rnd.choice(("support", "reject", "undecided")),
                "stated_on": None if r < 0.005 else FIRST_DAY + dt.timedelta(days=rnd.randrange(DAYS)),
                "date_precision": "day",
                "quote": f"The government {rnd.choice(words)} in Ukraine after a ceasefire, minister {i} said.",
                "speaker": f"Minister {i % 997}",
                "article_id": rnd.choice(article_ids),
                "origin": "machine",
                "review_status": "dismissed" if 0.005 <= r < 0.015 else "unreviewed",
                "confidence": round(rnd.random(), 2),
            })
            if len(batch) == 10_000:
                session.execute(insert(Statement), batch)
                batch = []
        if batch:
            session.execute(insert(Statement), batch)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()


def rebuild(url: str) -> float:
    """Seconds to compute the kept positions from every statement (`stancemap rebuild-positions`)."""
    from app.positions import rebuild_positions

    engine = create_engine(url)
    start = time.perf_counter()
    with session_scope(engine) as session:
        rebuild_positions(session)
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return seconds


class Writer:
    """An editor writing through app.editing, as the web app would: alternately verifies a random statement and
    adds one (a random country, a date in the last month of the data)."""

    def __init__(self, url: str, seed: int = 11):
        from app import editing
        from app.db import session_factory

        self.editing = editing
        self.engine = create_engine(url)
        self.session = session_factory(self.engine)()
        self.rnd = random.Random(seed)
        self.user = editing.create_user(self.session, f"bench-{uuid.uuid4().hex[:6]}", "bench password 123",
                                        role="admin")
        self.max_id = self.session.scalar(select(Statement.id).order_by(Statement.id.desc()).limit(1))
        self.codes = list(self.session.scalars(select(Country.iso2).order_by(Country.iso2)))[:200]
        self.n = 0
        self.times: list[float] = []

    def write(self) -> None:
        start = time.perf_counter()
        self.n += 1
        if self.n % 2:
            sid = self.rnd.randrange(1, self.max_id + 1)
            self.editing.review_statement(self.session, self.user, sid, "verify")
        else:
            day = FIRST_DAY + dt.timedelta(days=DAYS - 1 - self.rnd.randrange(30))
            data = self.editing.validate_statement(self.session, {
                "country_iso2": self.rnd.choice(self.codes), "stance": self.rnd.choice(("support", "reject")),
                "stated_on": day.isoformat(), "quote": f"Bench statement {self.n}."})
            self.editing.create_statement(self.session, self.user, data)
        self.times.append((time.perf_counter() - start) * 1000)

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()


def serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench_web:timed_app", "--app-dir", str(ROOT / "bench"),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"server on port {port} did not start")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def after_writes(base: str, endpoints: list[str], writer: Writer, writes: int) -> dict[str, dict[str, list[float]]]:
    out = {e: {"server": [], "client": []} for e in endpoints}
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(writes):
            writer.write()
            for e in endpoints:
                start = time.perf_counter()
                r = client.get(e)
                client_ms = (time.perf_counter() - start) * 1000
                r.raise_for_status()
                out[e]["server"].append(float(r.headers["server-timing"].split("dur=")[1]))
                out[e]["client"].append(client_ms)
    return out


def conditional(base: str, endpoints: list[str], requests: int) -> dict[str, dict[str, list[float]]]:
    out = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for e in endpoints:
            etag = client.get(e).headers["etag"]
            out[f"{e} (304)"] = {"server": [], "client": []}
            for _ in range(requests):
                start = time.perf_counter()
                r = client.get(e, headers={"If-None-Match": etag})
                client_ms = (time.perf_counter() - start) * 1000
                assert r.status_code == 304, (e, r.status_code)
                out[f"{e} (304)"]["server"].append(float(r.headers["server-timing"].split("dur=")[1]))
                out[f"{e} (304)"]["client"].append(client_ms)
    return out


def sizes(base: str, endpoints: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for e in endpoints:
            plain = client.get(e, headers={"Accept-Encoding": "identity"})
            br = client.get(e, headers={"Accept-Encoding": "br"})
            gz = client.get(e, headers={"Accept-Encoding": "gzip"})
            print(f"  {e:<32} {len(plain.content) / 1024:8.1f} KB plain, "
                  f"{int(gz.headers.get('content-length', 0)) / 1024:6.1f} KB gzip, "
                  f"{int(br.headers.get('content-length', 0)) / 1024:6.1f} KB brotli")


def measure(base: str, endpoints: list[str], requests: int, warmup: int) -> dict[str, dict[str, list[float]]]:
    out = {e: {"server": [], "client": []} for e in endpoints}
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(warmup):
            for e in endpoints:
                client.get(e).raise_for_status()
        for _ in range(requests):
            for e in endpoints:
                start = time.perf_counter()
                r = client.get(e)
                client_ms = (time.perf_counter() - start) * 1000
                r.raise_for_status()
                server_ms = float(r.headers["server-timing"].split("dur=")[1])
                out[e]["server"].append(server_ms)
                out[e]["client"].append(client_ms)
    return out


def report(label: str, results: dict, trivial: str, base: dict | None = None) -> None:
    base = base or results
    base_server = statistics.median(base[trivial]["server"])
    base_client = statistics.median(base[trivial]["client"])
    print(f"\n{label}")
    print(f"{'endpoint':<34}{'server p50':>11}{'p99':>9}{'x trivial':>11}{'client p50':>12}{'p99':>9}{'x trivial':>11}")
    for e, r in results.items():
        s50, s99 = statistics.median(r["server"]), pct(r["server"], 99)
        c50, c99 = statistics.median(r["client"]), pct(r["client"], 99)
        print(f"{e:<34}{s50:>9.2f}ms{s99:>7.2f}ms{s50 / base_server:>10.1f}x"
              f"{c50:>10.2f}ms{c99:>7.2f}ms{c50 / base_client:>10.1f}x")


def run(backend: str, url: str, port: int, args) -> None:
    t0 = time.perf_counter()
    populate(url, args.countries, args.statements)
    built = time.perf_counter() - t0
    print(f"[{backend}] built {args.statements} statements over {args.countries} countries in {built:.1f}s; "
          f"kept positions rebuilt in {rebuild(url):.1f}s")
    endpoints = ["/healthz", "/", f"/?as_of={AS_OF}", "/?reviewed=verified", "/statements",
                 f"/api/positions?as_of={AS_OF}", f"/countries/{args.country}", "/positions.csv",
                 f"/?view=chart&as_of={AS_OF}", f"/?as_of={AS_OF}&since={SINCE}",
                 f"/?view=chart&as_of={AS_OF}&since={SINCE}", *args.extra]
    base = f"http://127.0.0.1:{port}"
    proc = serve(url, port)
    writer = Writer(url)
    try:
        results = measure(base, endpoints, args.requests, args.warmup)
        fresh = after_writes(base, endpoints[1:], writer, args.writes)
        cond = conditional(base, ["/", f"/countries/{args.country}"], min(args.requests, 100))
        print(f"[{backend}] response sizes:")
        sizes(base, ["/", f"/countries/{args.country}", f"/api/positions?as_of={AS_OF}",
                     f"/?view=chart&as_of={AS_OF}", f"/?as_of={AS_OF}&since={SINCE}"])
    finally:
        writer.close()
        proc.terminate()
        proc.wait(timeout=10)
    report(f"[{backend}] repeated views: {args.requests} requests per endpoint after {args.warmup} warm-up rounds",
           results, "/healthz")
    report(f"[{backend}] first request after a write: {args.writes} writes, each followed by one request per endpoint",
           fresh, "/healthz", base=results)
    report(f"[{backend}] conditional requests (If-None-Match)", cond, "/healthz", base=results)
    print(f"[{backend}] the editor's write itself (app.editing, with the kept positions): "
          f"p50 {statistics.median(writer.times):.1f} ms, p99 {pct(writer.times, 99):.1f} ms")


def main() -> None:
    import logging

    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the writer in this process reads the app's settings
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--writes", type=int, default=100, help="writes, each followed by one request per endpoint")
    parser.add_argument("--country", default="FR", help="the country page measured")
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--extra", nargs="*", default=[], metavar="PATH",
                        help="more endpoints to measure, e.g. /changes /changes.atom /countries/FR.atom /embed")
    args = parser.parse_args()

    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", f"sqlite:///{tmp}/bench.db", args.port, args)
    if args.backend in ("postgres", "both"):
        base = make_url(PG_URL)
        name = f"stancemap_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # noqa: BLE001 - report and skip, the SQLite figures still stand
            print(f"[postgres] skipped: cannot create a database at {PG_URL}: {exc.__class__.__name__}")
            return
        try:
            run("postgres", base.set(database=name).render_as_string(hide_password=False), args.port, args)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
