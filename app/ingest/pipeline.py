"""The ingest run as the CLI shows it: a progress bar on a terminal, then a summary table and the failures."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from app.ingest.readers import article_files
from app.ingest.types import ReadError
from app.ingest.store import IngestSummary, has_articles, ingest_paths


def run_ingest(session: Session, paths: Sequence[Path], *, max_bytes: int, console: Console,
               if_empty: bool = False, jobs: int = 1) -> IngestSummary | None:
    """Ingest paths and print a summary to the console; None when skipped because the database has articles."""
    if if_empty and has_articles(session):
        console.print("the database already has articles; nothing ingested (--if-empty)")
        return None
    if console.is_terminal:
        total = sum(1 for f in article_files(paths) if not isinstance(f, ReadError))
        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("", total=total or None)
            last_file: list[str] = [""]

            def advance(item, result) -> None:
                # a bad JSON line is reported as "feed.jsonl:12"; the bar counts files
                name = re.sub(r":\d+$", "", item.path) if isinstance(item, ReadError) else item.file_name or ""
                if name != last_file[0]:
                    last_file[0] = name
                    progress.update(task, advance=1, description=Path(name).name)

            summary = ingest_paths(session, paths, max_bytes=max_bytes, on_item=advance, jobs=jobs)
    else:
        summary = ingest_paths(session, paths, max_bytes=max_bytes, jobs=jobs)
    print_summary(summary, console)
    return summary


def print_summary(summary: IngestSummary, console: Console) -> None:
    table = Table(title="ingest", show_header=True, header_style="bold")
    for col in ("articles added", "skipped (already stored)", "failed", "statements found"):
        table.add_column(col, justify="right")
    table.add_row(str(summary.added), str(summary.skipped), str(summary.failed), str(summary.statements))
    console.print(table)
    if summary.errors:
        # one line per failure, not a table, so long paths stay whole and can be copied or grepped
        console.print(f"[bold]not ingested ({len(summary.errors)}):[/bold]")
        for e in summary.errors:
            console.print(f"  {e.path}: {e.reason}", markup=False, highlight=False, soft_wrap=True)
    if summary.warnings:
        console.print(f"[bold]ingested with a warning ({len(summary.warnings)}):[/bold]")
        for w in summary.warnings:
            console.print(f"  {w.path}: {w.reason}", markup=False, highlight=False, soft_wrap=True)
