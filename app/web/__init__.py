"""The web app factory: mounts static files, templates, routers, error handlers and the security middleware."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI
from sqlalchemy.engine import Engine
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app import __version__
from app.db import get_engine, session_factory
from app.settings import get_settings
from app.web import api, auth, editor, errors, feeds, headers, heap, http, pages, share, svgmap, twins
from app.web.errors import RETRY_AFTER_SECONDS
from app.web.responses import templates

__all__ = ["RETRY_AFTER_SECONDS", "create_app", "server_options"]


@asynccontextmanager
async def _threads(app: FastAPI) -> AsyncIterator[None]:
    """The plain-def handlers run in AnyIO's thread pool; its size matches the connection pool's."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    yield


@asynccontextmanager
async def _frozen_heap(app: FastAPI) -> AsyncIterator[None]:
    """Load what every request needs, then move it out of the garbage collector's way.

    Each page builds thousands of short-lived ORM objects; the full collections they trigger otherwise re-scan
    the ~150,000 long-lived objects of the app (modules, mappers, map geometry) and cost 100-200 ms on about
    one request in ten. gc.freeze() after start-up is the CPython-documented remedy; app.web.heap freezes again
    once per data version, after the first page that rebuilt the kept structures (why that is safe: there).
    """
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    svgmap.load_geometry()
    for name in ("index.html", "country.html", "statements.html", "error.html"):
        templates.get_template(name)
    heap.start()
    try:
        yield
    finally:
        heap.stop()


def server_options() -> dict[str, Any]:
    """uvicorn's options that come from settings: X-Forwarded-For and -Proto are applied only for requests from
    TRUSTED_PROXIES (uvicorn would otherwise trust 127.0.0.1 by default, letting any local client choose the
    address the throttle counts)."""
    proxies = get_settings().trusted_proxy_list
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": ",".join(proxies) if proxies else ""}


def create_app(engine: Engine | None = None, *, freeze_heap: bool | None = None) -> FastAPI:
    """The app. Served (no engine given) it freezes its start-up heap; an app built around a given engine
    (tests, tools) leaves the garbage collector alone unless freeze_heap=True."""
    settings = get_settings()
    if freeze_heap is None:
        freeze_heap = engine is None
    app = FastAPI(title="stancemap", version=__version__,
                  description="Who supports, rejects or is undecided on a multinational force in Ukraine.",
                  lifespan=_frozen_heap if freeze_heap else _threads,
                  docs_url=None, redoc_url=None)  # /docs is served by app.web.api from vendored Swagger UI
    app.state.engine = engine or get_engine()
    app.state.session_factory = session_factory(app.state.engine)
    app.mount("/static", http.HashedStaticFiles(directory=str(settings.static_dir)), name="static")
    errors.install(app)

    # Before the pages: /countries/FR.json and .atom, /statements/1.json must not be read as /countries/{iso2}.
    app.include_router(twins.router)
    app.include_router(feeds.router, dependencies=[Depends(auth.optional_user)])
    app.include_router(share.router, dependencies=[Depends(auth.optional_user)])
    # Reader pages find the signed-in editor (for the navigation) through the same database session.
    app.include_router(pages.router, dependencies=[Depends(auth.optional_user)])
    app.include_router(api.router)
    app.include_router(api.docs_router)
    auth.install(app, settings.secret_key)  # editors: server-side sessions, sign-in, forms, review queue
    app.include_router(editor.router)

    # Outermost last: trusted hosts, then security headers on every answer (cached and 304 ones included),
    # then compression, ETags and rendered pages per data version, then the catch-all.
    app.add_middleware(errors.CatchAll)
    http.install(app)
    headers.install(app, settings)
    if "*" not in settings.trusted_host_list:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_host_list)
    return app
