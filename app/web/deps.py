"""Request dependencies shared by the routes: the database session and the templates."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from jinja2_fragments.fastapi import Jinja2Blocks
from sqlalchemy.orm import Session

from app.settings import get_settings

templates = Jinja2Blocks(directory=str(get_settings().templates_dir))


def get_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment; history restores get the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
