"""The one command line: stancemap migrate | ingest | export | serve | create-editor."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(help="stancemap: track who stands where, with dated evidence.", no_args_is_help=True,
                  add_completion=False)
err = Console(stderr=True, soft_wrap=True)


def _not_implemented(name: str) -> None:
    err.print(f"stancemap {name}: not implemented yet")
    raise typer.Exit(2)


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
) -> None:
    """Read articles and extract dated country positions from them."""
    _not_implemented("ingest")


@app.command()
def export(
    format: str = typer.Option("json", "--format", help="json or csv"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Only statements on or before YYYY-MM-DD."),
    country: Optional[str] = typer.Option(None, "--country", help="ISO 3166-1 alpha-2 code."),
    stance: Optional[str] = typer.Option(None, "--stance", help="support, reject or undecided."),
) -> None:
    """Print statements as JSON or CSV."""
    _not_implemented("export")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the web app."""
    import uvicorn

    uvicorn.run("app.web:create_app", factory=True, host=host, port=port, workers=workers, reload=reload)


@app.command("create-editor")
def create_editor(
    username: str = typer.Argument(..., help="The editor's user name."),
    admin: bool = typer.Option(False, "--admin", help="Give the account the admin role."),
) -> None:
    """Create an editor account (the password is read from a prompt or standard input)."""
    _not_implemented("create-editor")


def main() -> None:
    app()
