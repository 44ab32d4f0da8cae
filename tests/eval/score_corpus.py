#!/usr/bin/env python3
"""Score the extractor on a local folder of real articles against the development corpus's manifest.

usage:
  score_corpus.py score TEXTS_DIR [TEXTS_DIR ...] [--manifest M] [--part all|tune|heldout] [--per-article]
                        [--export OUT.json]
  score_corpus.py build GOLD.json [GOLD.json ...] [--manifest M]     (annotators' files -> the manifest)
  score_corpus.py part FILE_NAME ...                                 (which part a file name falls in)

The article texts are third parties' and are not in the repository: the manifest (tests/eval/manifest.json)
holds each article's file name, URL, outlet, date and reference positions, so the texts can be restored from
their URLs into a folder and the same figures rerun. Scoring ingests the texts the manifest names into a fresh
SQLite database with the real pipeline (migrate, ingest, export, as a user would), then runs the project's
scorer (tests/gold/score.py, the same as ../shared/tools/score.py) on the export.

Held back: a quarter of the articles, chosen by a hash of the file name alone (`part_of`), so the choice is
made before anyone reads an article. Tune on `--part tune`; measure `--part heldout` only at the end of a round.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MANIFEST = HERE / "manifest.json"
SCORER = ROOT / "tests" / "gold" / "score.py"
# what a manifest entry keeps: facts only, never a sentence of the article
KEEP = ("url", "outlet", "date", "published", "statements", "ignore")
KEEP_STATEMENT = ("country", "stances", "window", "optional")


def part_of(file_name: str) -> str:
    """'heldout' for one file name in four, by its SHA-256; 'tune' for the rest."""
    return "heldout" if int(hashlib.sha256(file_name.encode("utf-8")).hexdigest(), 16) % 4 == 0 else "tune"


def build(gold_paths: list[Path], manifest: Path) -> dict:
    articles: dict[str, dict] = {}
    for path in gold_paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        for name, ref in data.get("articles", {}).items():
            entry = {k: ref[k] for k in KEEP if k in ref}
            entry["statements"] = [{k: s[k] for k in KEEP_STATEMENT if k in s} for s in ref.get("statements", [])]
            entry["part"] = part_of(name)
            articles[name] = entry
    out = {"about": "Development corpus: reference positions for real English articles, annotated from the "
                    "project's codebook by annotators who never saw the rules. Countries are ISO 3166-1 alpha-2; "
                    "'stances' lists every label an analyst would accept; 'window' bounds the day the position "
                    "was expressed; 'optional' items do not count against recall; 'ignore' countries are not "
                    "scored. 'part' is fixed by a hash of the file name (tests/eval/score_corpus.py part_of). "
                    "Texts are not stored here: restore each from its URL.",
           "articles": dict(sorted(articles.items()))}
    manifest.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _texts(dirs: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in dirs:
        for p in sorted(d.rglob("*")):
            if p.is_file() and p.suffix in (".txt", ".html", ".htm", ".jsonl"):
                found.setdefault(p.name, p)
    return found


_DATE_LINE = re.compile(r"^\s*date\s*:?\s+\d{4}", re.IGNORECASE | re.MULTILINE)


def _restore(source: Path, target: Path, published: str | None) -> None:
    """The article as the ingest would get it: its text, and the publication date its page gives (in the URL or
    the page's metadata, which a saved excerpt loses) as a date line when the text has none."""
    text = source.read_text(encoding="utf-8")
    if published and source.suffix == ".txt" and not _DATE_LINE.search(text[:3000]):
        text = f"date: {published}\n{text}"
    target.write_text(text, encoding="utf-8")


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)


def score(dirs: list[Path], manifest: Path, part: str, per_article: bool, export: Path | None) -> int:
    gold = json.loads(manifest.read_text(encoding="utf-8"))
    texts = _texts(dirs)
    chosen = {n: ref for n, ref in gold["articles"].items() if n in texts and (part == "all" or ref["part"] == part)}
    missing = [n for n, ref in gold["articles"].items() if n not in texts and (part == "all" or ref["part"] == part)]
    if not chosen:
        print("no article of the manifest was found in the given folders", file=sys.stderr)
        return 2
    stancemap = Path(sys.executable).parent / "stancemap"
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmpd / 'eval.db'}", "LOG_LEVEL": "WARNING"}
        corpus = tmpd / "texts"
        corpus.mkdir()
        for n, ref in chosen.items():
            _restore(texts[n], corpus / n, ref.get("date"))
        for step in ([str(stancemap), "migrate"], [str(stancemap), "ingest", str(corpus)]):
            r = _run(step, env)
            if r.returncode not in (0, 1):
                print(r.stdout + r.stderr, file=sys.stderr)
                return 2
        r = _run([str(stancemap), "export", "--format", "json"], env)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            return 2
        out = export or tmpd / "export.json"
        out.write_text(r.stdout, encoding="utf-8")
        sub = {**gold, "articles": chosen}
        (tmpd / "gold.json").write_text(json.dumps(sub), encoding="utf-8")
        args = [sys.executable, str(SCORER), str(tmpd / "gold.json"), str(out)] + ([] if per_article else ["--quiet"])
        r = _run(args, env)
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
    required = sum(1 for ref in chosen.values() for s in ref["statements"] if not s.get("optional"))
    print(f"part {part}: {len(chosen)} articles, {required} required positions"
          + (f"; {len(missing)} manifest articles have no text in the given folders" if missing else ""))
    return r.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("score")
    s.add_argument("dirs", nargs="+", type=Path)
    s.add_argument("--manifest", type=Path, default=MANIFEST)
    s.add_argument("--part", choices=("all", "tune", "heldout"), default="tune")
    s.add_argument("--per-article", action="store_true")
    s.add_argument("--export", type=Path)
    b = sub.add_parser("build")
    b.add_argument("golds", nargs="+", type=Path)
    b.add_argument("--manifest", type=Path, default=MANIFEST)
    p = sub.add_parser("part")
    p.add_argument("names", nargs="+")
    a = ap.parse_args()
    if a.cmd == "build":
        out = build(a.golds, a.manifest)
        parts = [r["part"] for r in out["articles"].values()]
        print(f"{a.manifest}: {len(parts)} articles, {parts.count('heldout')} held back")
        return 0
    if a.cmd == "part":
        for n in a.names:
            print(n, part_of(n))
        return 0
    return score(a.dirs, a.manifest, a.part, a.per_article, a.export)


if __name__ == "__main__":
    sys.exit(main())
