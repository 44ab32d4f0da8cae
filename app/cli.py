"""The one command line: stancemap migrate | ingest | reextract | rebuild-positions | export | serve |
create-editor."""
from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(help="stancemap: track who stands where, with dated evidence.", no_args_is_help=True,
                  add_completion=False)
err = Console(stderr=True, soft_wrap=True)


@app.command()
def migrate(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Upgrade the database schema (DATABASE_URL) and load the reference countries."""
    from app.db import get_engine, session_scope
    from app.schema import sync_countries, upgrade
    from app.settings import get_settings

    url = get_settings().database_url
    upgrade(url, revision)
    with session_scope(get_engine()) as session:
        changed = sync_countries(session)
    err.print(f"database at {get_engine().url.render_as_string(hide_password=True)} is at {revision}; "
              f"{changed} countries added or updated")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Article files or folders (.txt, .jsonl, .html), recursively."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Only ingest when the database has no articles."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Processes that read and extract (default: the number of cores)."),
) -> None:
    """Read articles and extract dated country positions from them."""
    from app.db import get_engine, session_factory
    from app.ingest.pipeline import run_ingest
    from app.ingest.store import default_jobs
    from app.settings import get_settings

    session = session_factory(get_engine())()
    try:
        summary = run_ingest(session, paths, max_bytes=get_settings().max_article_bytes, console=err,
                             if_empty=if_empty, jobs=jobs or default_jobs())
    finally:
        session.close()
    if summary is not None and not summary.ok:
        raise typer.Exit(1)


@app.command()
def reextract(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change and write nothing."),
) -> None:
    """Run the current rules over every stored article; replace only unreviewed machine statements."""
    from rich.table import Table

    from app.db import get_engine, session_factory
    from app.ingest.extract import RULES_VERSION
    from app.ingest.reextract import reextract_all

    session = session_factory(get_engine())()
    try:
        report = reextract_all(session, dry_run=dry_run)
    finally:
        session.close()
    out = Console(soft_wrap=True)
    if report.changes:
        table = Table(title=f"{'would change' if dry_run else 'changed'} ({RULES_VERSION})", header_style="bold")
        for col in ("article", "country", "change", "before", "after"):
            table.add_column(col)
        for c in report.changes:
            table.add_row(c.article, c.country, c.kind, ", ".join(c.before) or "-", ", ".join(c.after) or "-")
        out.print(table)
    counts = report.counts()
    verb = "would be" if dry_run else "were"
    out.print(f"{report.articles} articles checked, {report.articles_changed} changed; statements {verb} removed: "
              f"{report.removed}, added: {report.added}; countries added {counts['added']}, removed "
              f"{counts['removed']}, changed stance {counts['changed stance']}, changed evidence "
              f"{counts['changed evidence']}" + ("" if report.changes else " (nothing to change)"))


@app.command()
def export(
    target: Path | None = typer.Argument(None, help="With --format datapackage: the folder to write."),
    format: str = typer.Option("json", "--format", help="json, csv, or datapackage (a Frictionless Data "
                                                         "package written into TARGET)"),
    as_of: str | None = typer.Option(None, "--as-of", help="Only statements on or before YYYY-MM-DD."),
    country: str | None = typer.Option(None, "--country", help="ISO 3166-1 alpha-2 code."),
    stance: str | None = typer.Option(None, "--stance", help="support, reject or undecided."),
) -> None:
    """Print statements as JSON or CSV."""
    import datetime as dt
    import sys

    from app.db import get_engine, session_factory
    from app.export import csv_chunks, json_chunks
    from app.models import STANCES
    from app.queries import StatementFilters, statement_records
    from app.schema import country_rows

    def bad(message: str) -> NoReturn:
        err.print(f"stancemap export: {message}")
        raise typer.Exit(2)

    fmt = format.lower()
    if fmt not in ("json", "csv", "datapackage"):
        bad(f"unknown format {format!r}; use json, csv or datapackage")
    if (fmt == "datapackage") != (target is not None):
        bad("--format datapackage writes into a folder: stancemap export --format datapackage DIR"
            if fmt == "datapackage" else f"a folder is only for --format datapackage, not {fmt}")
    if target is not None and target.exists() and not target.is_dir():
        bad(f"{target} exists and is not a folder")
    date_to = None
    if as_of:
        try:
            date_to = dt.date.fromisoformat(as_of)
        except ValueError:
            bad(f"--as-of {as_of!r} is not a date; use YYYY-MM-DD")
    if stance and stance.lower() not in STANCES:
        bad(f"unknown stance {stance!r}; use one of {', '.join(STANCES)}")
    if country and country.upper() not in {r["iso2"] for r in country_rows()}:
        bad(f"unknown country {country!r}; use an ISO 3166-1 alpha-2 code such as FR")
    filters = StatementFilters(country=country.upper() if country else None,
                               stance=stance.lower() if stance else None, date_to=date_to)
    session = session_factory(get_engine())()
    if target is not None:  # --format datapackage (the two go together, checked above)
        from app.datapackage import write_datapackage

        if country or stance:
            bad("a data package holds the whole dataset: --country and --stance do not apply")
        try:
            path = write_datapackage(session, target, as_of=date_to)
        finally:
            session.close()
        err.print(f"wrote {path} (statements.csv, countries.csv, positions.csv)")
        return
    try:
        chunks = (json_chunks if fmt == "json" else csv_chunks)(statement_records(session, filters))
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    finally:
        session.close()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the web app."""
    import uvicorn

    from app.web import server_options

    uvicorn.run("app.web:create_app", factory=True, host=host, port=port, workers=workers, reload=reload,
                **server_options())


@app.command("create-editor")
def create_editor(
    username: str = typer.Argument(..., help="The editor's user name."),
    admin: bool = typer.Option(False, "--admin", help="Give the account the admin role."),
) -> None:
    """Create an editor account (the password is read from a prompt or standard input)."""
    from app.db import get_engine, session_factory
    from app.editing import EditError, create_user

    password = _read_password("Password")
    session = session_factory(get_engine())()
    try:
        user = create_user(session, username, password, role="admin" if admin else "editor")
    except EditError as e:
        err.print(f"stancemap create-editor: {e}")
        raise typer.Exit(1) from None
    finally:
        session.close()
    err.print(f"created {user.role} {user.username!r}; sign in at /signin")


@app.command("rebuild-positions")
def rebuild_positions_command() -> None:
    """Compute the kept positions (position days, change days, per-country state) again from the statements."""
    from app.db import get_engine, session_factory
    from app.positions import rebuild_positions

    session = session_factory(get_engine())()
    try:
        countries = rebuild_positions(session)
        session.commit()
    finally:
        session.close()
    err.print(f"kept positions rebuilt for {countries} countries")


def _read_password(label: str = "New password") -> str:
    """A password from a prompt (typed twice), or the first line of standard input. Never an argument: it would
    land in the shell history and the process list."""
    import sys

    if sys.stdin.isatty():
        return typer.prompt(label, hide_input=True, confirmation_prompt=True, default="", show_default=False)
    return sys.stdin.readline().rstrip("\r\n")


def _account(session, username: str):
    from app.queries import user_by_username

    user = user_by_username(session, username)
    if user is None:
        err.print(f"stancemap: no user named {username!r}")
        raise typer.Exit(1)
    return user


@app.command("set-password")
def set_password_command(username: str = typer.Argument(..., help="The editor's user name.")) -> None:
    """Give an editor a new password (read from a prompt or standard input); their sessions end."""
    from app.db import get_engine, session_factory
    from app.editing import EditError, set_password

    password = _read_password()
    session = session_factory(get_engine())()
    try:
        set_password(session, _account(session, username), password)
    except EditError as e:
        err.print(f"stancemap set-password: {e}")
        raise typer.Exit(1) from None
    finally:
        session.close()
    err.print(f"new password set for {username!r}; their sessions have ended")


@app.command("deactivate-editor")
def deactivate_editor(
    username: str = typer.Argument(..., help="The editor's user name."),
    reactivate: bool = typer.Option(False, "--reactivate", help="Let the account sign in again."),
) -> None:
    """Stop an account from signing in (its sessions end at once), or let it sign in again."""
    from app.db import get_engine, session_factory
    from app.editing import set_active

    session = session_factory(get_engine())()
    try:
        set_active(session, _account(session, username), reactivate)
    finally:
        session.close()
    err.print(f"{username!r} {'reactivated' if reactivate else 'deactivated; their sessions have ended'}")


def main() -> None:
    app()
