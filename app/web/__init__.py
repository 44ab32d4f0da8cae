"""The web app factory: mounts static files, templates, routers and error handlers."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from app import __version__
from app.db import get_engine, session_factory
from app.settings import get_settings


def create_app(engine: Engine | None = None) -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="stancemap", version=__version__,
                  description="Who supports, rejects or is undecided on a multinational force in Ukraine.")
    app.state.engine = engine or get_engine()
    app.state.session_factory = session_factory(app.state.engine)
    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")

    from app.web import pages

    app.include_router(pages.router)
    return app
