"""Benchmark: extraction time on crafted hostile text at doubling sizes; prints seconds per shape and size.

usage: python bench/bench_extract_hostile.py [--sizes 32000 64000 128000]

Shapes: a long list of countries then one cue, a capital repeated with slashes, chained "if" conditions, nested
quotes, dashes and parentheses, and the same worst-case 1000-character sentence repeated. Linear extraction shows
about twice the time for twice the text.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ingest.dates import DateValue  # noqa: E402
from app.ingest.extract import extract_candidates  # noqa: E402

REF = DateValue(dt.date(2025, 6, 18), "day")
SHAPES = {
    "list then cue": lambda n: "France, Germany, Italy, Spain, " * (n // 31) + "are ready to send troops.",
    "Paris/ repeated": lambda n: "Paris/" * (n // 6) + " France will send troops.",
    "chained if": lambda n: "if Norway agrees, " * (n // 18) + "Sweden will send troops.",
    "nested quotes": lambda n: 'He said "' * (n // 9) + "Norway will send troops.",
    "dashes, parentheses": lambda n: "(Norway – said " * (n // 15) + "will send troops.",
    "unclosed parenthesis":
        lambda n: "\n".join(["Norway (said that " + "it is ready to " * 60 + "send troops."] * (n // 920)),
    "worst sentence x N": lambda n: "\n".join([("Paris/" * 160) + " France will send troops."] * (n // 985)),
    "quoted list x N": lambda n: "\n".join([('"Norway, ' * 100) + 'will send troops," Norway said.'] * (n // 940)),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[32_000, 64_000, 128_000])
    args = ap.parse_args()
    extract_candidates("Norway will send troops.", REF)  # load the lexicon first
    print(f"{'shape':22s}" + "".join(f"{n:>12,d}" for n in args.sizes) + "   (seconds)")
    for name, make in SHAPES.items():
        row = []
        for n in args.sizes:
            body = make(n)
            t0 = time.perf_counter()
            extract_candidates(body, REF)
            row.append(time.perf_counter() - t0)
        print(f"{name:22s}" + "".join(f"{t:12.3f}" for t in row))


if __name__ == "__main__":
    main()
