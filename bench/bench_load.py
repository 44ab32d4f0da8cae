"""Load benchmark: 60 s of mixed traffic against `stancemap serve --workers 2` on Postgres with 100,000 statements.

Builds a Postgres database of its own (the generator of bench_web.py: 200 countries, 100,000 statements), creates
editor accounts, serves the app with two worker processes on 127.0.0.1 and runs virtual users on one asyncio
client (httpx2) for a fixed time:

- readers: the map on today and on random dates (what moving the slider asks), the statement list with filters and
  pages, the JSON API (positions on a date, filtered statements) and country timelines;
- editors: signed in, each opens the "add a statement" form and saves it with the form's CSRF token, opens the edit
  form of a statement it saved and saves a change with the version, and verifies statements from the review queue.

First, unless --burst 0, it sends 100 sign-ins at once (wrong passwords) while readers ask for pages, and prints
how long until every one was answered and what the readers saw meanwhile. Then it prints requests/s, p50 and p99
per kind and overall, errors (5xx, refused connections, time-outs), and the
statement count before and after against what the editors' successful saves say it must be. Nothing is asserted.

    .venv/bin/python bench/bench_load.py                        # 60 s, 12 readers, 4 editors
    .venv/bin/python bench/bench_load.py --seconds 20 --readers 6 --editors 2
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx2 as httpx  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.db import create_engine, session_scope  # noqa: E402
from app.models import Statement  # noqa: E402
from bench_web import DAYS, FIRST_DAY, pct, populate  # noqa: E402

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench editor password"
COUNTRIES = ("FR", "DE", "GB", "PL", "IT", "ES", "NL", "SE", "FI", "EE", "LV", "LT", "DK", "NO", "CZ", "RO")
MAX_REQUESTS_PER_USER = 100_000  # a bound on every loop, whatever the clock says


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not m:
        raise RuntimeError("no CSRF token in the page")
    return m.group(1)


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: list[str] = []
        self.created = 0
        self.edited = 0
        self.verified = 0

    async def request(self, client: httpx.AsyncClient, kind: str, method: str, url: str, **kw):
        start = time.perf_counter()
        try:
            r = await client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind} {url}: {type(exc).__name__}")
            self.status[kind][0] += 1
            return None
        self.latency[kind].append((time.perf_counter() - start) * 1000)
        self.status[kind][r.status_code] += 1
        if r.status_code >= 500:
            self.errors.append(f"{kind} {url}: {r.status_code}")
        return r


def random_day(rnd: random.Random) -> str:
    return (FIRST_DAY + dt.timedelta(days=rnd.randrange(DAYS))).isoformat()


async def reader(base: str, stats: Stats, deadline: float, seed: int) -> None:
    rnd = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        for _ in range(MAX_REQUESTS_PER_USER):
            if time.monotonic() > deadline:
                return
            pick = rnd.random()
            if pick < 0.15:
                await stats.request(c, "map", "GET", "/")
            elif pick < 0.35:  # the slider: a date change, answered as an htmx fragment
                await stats.request(c, "map date (htmx)", "GET", f"/?as_of={random_day(rnd)}",
                                    headers={"HX-Request": "true"})
            elif pick < 0.55:
                params = {"country": rnd.choice(COUNTRIES), "stance": rnd.choice(("support", "reject", "")),
                          "page": rnd.randint(1, 3)}
                if rnd.random() < 0.3:
                    params["q"] = "troops"
                await stats.request(c, "statement filters", "GET", "/statements", params=params)
            elif pick < 0.70:
                await stats.request(c, "api positions", "GET", f"/api/positions?as_of={random_day(rnd)}")
            elif pick < 0.85:
                await stats.request(c, "api statements", "GET", "/api/statements",
                                    params={"country": rnd.choice(COUNTRIES), "limit": 50,
                                            "offset": rnd.randrange(0, 400)})
            else:
                await stats.request(c, "country timeline", "GET", f"/countries/{rnd.choice(COUNTRIES)}")


async def editor(base: str, name: str, stats: Stats, deadline: float, seed: int) -> None:
    rnd = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        page = await stats.request(c, "sign in", "GET", "/signin")
        r = await stats.request(c, "sign in", "POST", "/signin",
                                data={"username": name, "password": PASSWORD, "csrf_token": csrf(page.text)})
        if r is None or r.status_code != 303:
            stats.errors.append(f"{name} could not sign in: {r and r.status_code}")
            return
        mine: list[int] = []
        for i in range(MAX_REQUESTS_PER_USER):
            if time.monotonic() > deadline:
                return
            pick = rnd.random()
            if pick < 0.45 or not mine:
                form = await stats.request(c, "editor form", "GET", "/editor/statements/new")
                if form is None or form.status_code != 200:
                    continue
                data = {"csrf_token": csrf(form.text), "country_iso2": rnd.choice(COUNTRIES),
                        "stance": rnd.choice(("support", "reject", "undecided")), "date_precision": "day",
                        "stated_on": random_day(rnd), "quote": f"{name} entered statement {i}: ready to send troops.",
                        "speaker": "Bench Minister", "conditions": "", "source_url": "https://news.example/bench"}
                r = await stats.request(c, "editor save (new)", "POST", "/editor/statements/new", data=data)
                if r is not None and r.status_code == 303:
                    stats.created += 1
                    m = re.search(r"/statements/(\d+)", r.headers.get("location", ""))
                    if m:
                        mine.append(int(m.group(1)))
            elif pick < 0.75:
                sid = rnd.choice(mine)
                form = await stats.request(c, "editor form", "GET", f"/editor/statements/{sid}/edit")
                if form is None or form.status_code != 200:
                    continue
                version = re.search(r'name="version" value="(\d+)"', form.text)
                data = {"csrf_token": csrf(form.text), "country_iso2": rnd.choice(COUNTRIES),
                        "stance": rnd.choice(("support", "reject", "undecided")), "date_precision": "day",
                        "stated_on": random_day(rnd), "quote": f"{name} corrected statement {sid}.",
                        "speaker": "Bench Minister", "conditions": "", "source_url": "https://news.example/bench",
                        "version": version.group(1) if version else ""}
                r = await stats.request(c, "editor save (edit)", "POST", f"/editor/statements/{sid}/edit",
                                        data=data)
                if r is not None and r.status_code == 303:
                    stats.edited += 1
            else:
                queue = await stats.request(c, "review queue", "GET", f"/editor/review?page={rnd.randint(1, 20)}")
                if queue is None or queue.status_code != 200:
                    continue
                ids = re.findall(r'action="/editor/review/(\d+)/verify"', queue.text)
                if not ids:
                    continue
                sid = rnd.choice(ids)
                block = queue.text[queue.text.index(f"/editor/review/{sid}/verify"):]
                version = re.search(r'name="version" value="(\d+)"', block)
                r = await stats.request(c, "review verify", "POST", f"/editor/review/{sid}/verify",
                                        data={"csrf_token": csrf(queue.text),
                                              "version": version.group(1) if version else ""})
                if r is not None and r.status_code == 303:
                    stats.verified += 1


def count_statements(url: str) -> int:
    engine = create_engine(url)
    try:
        with session_scope(engine) as s:
            return s.scalar(select(func.count()).select_from(Statement))
    finally:
        engine.dispose()


def serve(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "SECRET_KEY": uuid.uuid4().hex}
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "stancemap"), "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"server on port {port} did not start")


def report(stats: Stats, seconds: float) -> None:
    total = sum(len(v) for v in stats.latency.values()) + sum(s.get(0, 0) for s in stats.status.values())
    print(f"\n{'kind':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    everything: list[float] = []
    for kind in sorted(stats.latency):
        lat = stats.latency[kind]
        everything += lat
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(stats.status[kind].items()))
        print(f"{kind:<22}{len(lat):>9}{len(lat) / seconds:>8.1f}{statistics.median(lat):>9.1f}"
              f"{pct(lat, 99):>9.1f}  {statuses}")
    print(f"{'all':<22}{len(everything):>9}{len(everything) / seconds:>8.1f}{statistics.median(everything):>9.1f}"
          f"{pct(everything, 99):>9.1f}")
    print(f"\nrequests: {total} in {seconds:.1f} s ({total / seconds:.1f}/s); errors (5xx, refused, time-outs): "
          f"{len(stats.errors)}")
    for e in stats.errors[:10]:
        print("  ", e)


async def burst(base: str, url: str, size: int) -> None:
    """`size` sign-ins sent at once (wrong passwords for one account, each on a connection of its own, the clients
    made beforehand) while 4 readers in threads of their own keep asking for pages."""
    import threading

    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        page = await c.get("/signin")
        token, cookies = csrf(page.text), dict(c.cookies)
    done = threading.Event()
    reader_ms: list[float] = []
    reader_status: dict[int, int] = defaultdict(int)

    def read(seed: int) -> None:
        rnd = random.Random(seed)
        with httpx.Client(base_url=base, timeout=120) as c:
            while not done.is_set():
                t = time.perf_counter()
                r = c.get(rnd.choice(("/healthz", "/api/countries", f"/countries/{rnd.choice(COUNTRIES)}")))
                reader_ms.append((time.perf_counter() - t) * 1000)
                reader_status[r.status_code] += 1

    clients = [httpx.AsyncClient(base_url=base, cookies=cookies, timeout=120) for _ in range(size)]

    async def one(i: int) -> tuple[int, float]:
        t = time.perf_counter()
        try:
            r = await clients[i].post("/signin", data={"username": "burst-target", "password": f"wrong {i}",
                                                       "csrf_token": token})
            return r.status_code, time.perf_counter() - t
        except httpx.HTTPError:
            return 0, time.perf_counter() - t

    readers = [threading.Thread(target=read, args=(i,)) for i in range(4)]
    for r in readers:
        r.start()
    await asyncio.sleep(0.5)
    start = time.perf_counter()
    results = await asyncio.gather(*[one(i) for i in range(size)])
    elapsed = time.perf_counter() - start
    await asyncio.sleep(0.5)
    done.set()
    for r in readers:
        r.join()
    for c in clients:
        await c.aclose()
    statuses: dict[int, int] = defaultdict(int)
    for status, _ in results:
        statuses[status] += 1
    print(f"\nburst: {size} sign-ins at once, all answered in {elapsed:.2f} s (slowest "
          f"{max(t for _, t in results):.2f} s); statuses "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"readers meanwhile: {len(reader_ms)} requests, p50 {statistics.median(reader_ms):.1f} ms, "
          f"p99 {pct(reader_ms, 99):.1f} ms, max {max(reader_ms):.1f} ms, statuses "
          + ", ".join(f"{k}: {v}" for k, v in sorted(reader_status.items())))
    engine = create_engine(url)  # the burst used up 127.0.0.1's sign-in budget; the editors need it next
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sign_in_throttle"))
    engine.dispose()


async def load(base: str, args, names: list[str]) -> tuple[Stats, float]:
    stats = Stats()
    start = time.monotonic()
    deadline = start + args.seconds
    await asyncio.gather(*[reader(base, stats, deadline, seed=i) for i in range(args.readers)],
                         *[editor(base, n, stats, deadline, seed=100 + i) for i, n in enumerate(names)])
    return stats, time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=12)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--burst", type=int, default=100, help="sign-ins sent at once first (0: none)")
    args = parser.parse_args()

    from app.editing import create_user

    logging.getLogger("httpx2").setLevel(logging.WARNING)

    base_url = make_url(PG_URL)
    name = f"stancemap_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base_url.set(database=name).render_as_string(hide_password=False)
    proc = None
    try:
        t0 = time.perf_counter()
        populate(url, 200, args.statements)
        names = [f"editor{i}" for i in range(args.editors)]
        engine = create_engine(url)
        with session_scope(engine) as s:
            for n in names:
                create_user(s, n, PASSWORD)
            create_user(s, "burst-target", PASSWORD)
        engine.dispose()
        print(f"built {args.statements} statements and {args.editors} editors in {time.perf_counter() - t0:.1f} s")
        before = count_statements(url)
        proc = serve(url, args.port, args.workers)
        print(f"serving with {args.workers} workers on 127.0.0.1:{args.port}; {args.readers} readers, "
              f"{args.editors} editors for {args.seconds:.0f} s; load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.burst:
            asyncio.run(burst(f"http://127.0.0.1:{args.port}", url, args.burst))
        stats, seconds = asyncio.run(load(f"http://127.0.0.1:{args.port}", args, names))
        load_after = os.getloadavg()
        report(stats, seconds)
        after = count_statements(url)
        print(f"\nstatements before: {before}; saved through the forms: {stats.created} new, {stats.edited} edits, "
              f"{stats.verified} verified; after: {after} (expected {before + stats.created}: "
              f"{'exact' if after == before + stats.created else 'MISMATCH'})")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in load_after)}")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                _, err = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            tracebacks = err.count("Traceback")
            print(f"server log: {tracebacks} tracebacks")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
