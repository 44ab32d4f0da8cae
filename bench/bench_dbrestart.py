"""Database restart under the app: a Postgres cluster of its own on another port is stopped and started again
while `stancemap serve --workers 2` answers a steady stream of requests; prints what every phase answered.

The cluster lives in a temporary directory (initdb, owned by the `postgres` system user when run as root), on
--pg-port (default 5499), so the machine's own Postgres is untouched. The script migrates it, loads seeds/,
serves the app on --port, and sends requests (the map, the statement list, the API, /healthz) from one client
with keep-alive, every --interval seconds. After a quiet phase it stops the cluster (`pg_ctl stop -m fast`),
waits --down seconds, starts it again, and keeps going. It prints, per phase, the answers by status, whether any
was a 500 or a refused connection, whether 503s carried Retry-After, and how long after the restart the first
200 came. Nothing is asserted.

    .venv/bin/python bench/bench_dbrestart.py
    .venv/bin/python bench/bench_dbrestart.py --down 10 --pg-port 5498
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402

PATHS = ("/", "/statements", "/api/positions?as_of=2025-03-01", "/healthz")


def pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise SystemExit(f"{name} not found (install postgresql)")
    return found


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-port", type=int, default=5499)
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--before", type=float, default=5, help="seconds of traffic before the stop")
    parser.add_argument("--down", type=float, default=5, help="seconds the database stays down")
    parser.add_argument("--after", type=float, default=10, help="seconds of traffic after the start")
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="stancemap-pg-"))
    data = tmp / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        shutil.chown(data, "postgres")
    log = tmp / "pg.log"
    pg_ctl = pg_bin("pg_ctl")
    server = None
    try:
        run(as_postgres([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]))
        opts = f"-p {args.pg_port} -k {tmp} -c listen_addresses=127.0.0.1"
        start_cmd = as_postgres([pg_ctl, "-D", str(data), "-l", str(log), "-o", opts, "-w", "start"])
        stop_cmd = as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"])
        run(start_cmd)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{args.pg_port}/postgres"
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "SECRET_KEY": uuid.uuid4().hex}
        stancemap = str(ROOT / ".venv" / "bin" / "stancemap")
        run([stancemap, "migrate"], env=env, cwd=ROOT)
        run([stancemap, "ingest", "seeds/"], env=env, cwd=ROOT)
        server = subprocess.Popen([stancemap, "serve", "--host", "127.0.0.1", "--port", str(args.port),
                                   "--workers", "2"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{args.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the app did not start")
            time.sleep(0.2)

        phases: dict[str, Counter] = {"before": Counter(), "down": Counter(), "after": Counter()}
        retry_after_missing = 0
        first_ok_after: float | None = None
        slowest = {k: 0.0 for k in phases}
        timeline: list[tuple[float, str]] = []
        with httpx.Client(base_url=base, timeout=30) as client:
            def traffic(phase: str, seconds: float, started_at: float | None = None) -> None:
                nonlocal retry_after_missing, first_ok_after
                end = time.monotonic() + seconds
                i = 0
                while time.monotonic() < end and i < 100_000:
                    path = PATHS[i % len(PATHS)]
                    i += 1
                    t = time.monotonic()
                    try:
                        r = client.get(path)
                        outcome = str(r.status_code)
                        if r.status_code == 503 and "retry-after" not in r.headers:
                            retry_after_missing += 1
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    slowest[phase] = max(slowest[phase], time.monotonic() - t)
                    phases[phase][outcome] += 1
                    if not timeline or timeline[-1][1] != outcome:
                        timeline.append((time.monotonic(), outcome))
                    if started_at is not None and first_ok_after is None and outcome == "200":
                        first_ok_after = time.monotonic() - started_at
                    time.sleep(args.interval)

            t0 = time.monotonic()
            traffic("before", args.before)
            stop_at = time.monotonic()
            run(stop_cmd)
            print(f"database stopped at t={stop_at - t0:.1f}s (pg_ctl stop -m fast took "
                  f"{time.monotonic() - stop_at:.1f}s)")
            traffic("down", args.down)
            start_at = time.monotonic()
            run(start_cmd)
            print(f"database started again at t={start_at - t0:.1f}s (pg_ctl start took "
                  f"{time.monotonic() - start_at:.1f}s)")
            traffic("after", args.after, started_at=start_at)

        for phase, counts in phases.items():
            print(f"{phase:>7}: {sum(counts.values())} requests, "
                  + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
                  + f"; slowest answer {slowest[phase] * 1000:.0f} ms")
        print("answers in order: " + " -> ".join(f"{o} (t={t - t0:.1f}s)" for t, o in timeline))
        errors = sum(v for c in phases.values() for k, v in c.items() if k == "500" or not k.isdigit())
        print(f"500s or failed connections: {errors}; 503s without Retry-After: {retry_after_missing}")
        print("first 200 after the restart: "
              + (f"{first_ok_after:.2f} s after pg_ctl start was called" if first_ok_after is not None else "none"))
        print("the app was not restarted")
    finally:
        if server is not None:
            server.terminate()
            try:
                _, err = server.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                _, err = server.communicate()
            print(f"server log: {err.count('Traceback')} tracebacks")
        subprocess.run(as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
