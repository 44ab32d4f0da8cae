"""The web app factory: mounts static files, templates, routers and error handlers."""
from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import __version__
from app.db import get_engine, session_factory
from app.settings import get_settings

log = logging.getLogger("stancemap.web")

_TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Page not found",
           405: "Method not allowed", 422: "Bad parameters", 500: "Something went wrong"}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def _error_response(request: Request, status: int, message: str, *, detail=None, headers=None):
    """JSON under /api, an HTML page elsewhere; never a traceback."""
    if _wants_json(request):
        return JSONResponse({"detail": detail if detail is not None else message}, status_code=status,
                            headers=headers)
    from app.web.deps import templates

    return templates.TemplateResponse(request, "error.html",
                                      {"status": status, "title": _TITLES.get(status, "Error"), "message": message},
                                      status_code=status, headers=headers)


def _validation_messages(exc: RequestValidationError) -> list[dict]:
    out = []
    for e in exc.errors():
        msg = e.get("msg", "")
        if e.get("type", "").startswith(("date", "datetime")):
            msg += "; use YYYY-MM-DD, e.g. 2025-03-01"
        out.append({"loc": list(e.get("loc", ())), "msg": msg, "type": e.get("type", "")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    from app.web.deps import ParamError

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"There is no page at {request.url.path}."
        return _error_response(request, exc.status_code, message, detail=exc.detail,
                               headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = _validation_messages(exc)
        message = "; ".join(f"{e['loc'][-1] if e['loc'] else 'request'}: {e['msg']}" for e in errors)
        return _error_response(request, 422, message, detail=errors)

    @app.exception_handler(ParamError)
    async def param_error(request: Request, exc: ParamError):
        # The same shape as FastAPI's own validation errors, so API clients handle one format.
        detail = [{"loc": ["query", exc.field], "msg": exc.message, "type": "value_error"}]
        return _error_response(request, 422, f"{exc.field}: {exc.message}", detail=detail)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(request, 500, "The server hit an error; it has been logged. Try again, or go back "
                                             "to the map.", detail="Internal server error")


@asynccontextmanager
async def _frozen_heap(app: FastAPI):
    """Load what every request needs, then move it out of the garbage collector's way.

    Each page builds thousands of short-lived ORM objects; the full collections they trigger otherwise re-scan
    the ~150,000 long-lived objects of the app (modules, mappers, map geometry) and cost 100-200 ms on about
    one request in ten. gc.freeze() after start-up is the CPython-documented remedy.
    """
    from app.web import svgmap
    from app.web.deps import templates

    svgmap.load_geometry()
    for name in ("index.html", "country.html", "statements.html", "error.html"):
        templates.get_template(name)
    gc.collect()
    gc.freeze()
    yield


def create_app(engine: Engine | None = None, *, freeze_heap: bool | None = None) -> FastAPI:
    """The app. Served (no engine given) it freezes its start-up heap; an app built around a given engine
    (tests, tools) leaves the garbage collector alone unless freeze_heap=True."""
    settings = get_settings()
    if freeze_heap is None:
        freeze_heap = engine is None
    app = FastAPI(title="stancemap", version=__version__,
                  description="Who supports, rejects or is undecided on a multinational force in Ukraine.",
                  lifespan=_frozen_heap if freeze_heap else None,
                  docs_url=None, redoc_url=None)  # /docs is served by app.web.api from vendored Swagger UI
    app.state.engine = engine or get_engine()
    app.state.session_factory = session_factory(app.state.engine)
    from app.web.http import HashedStaticFiles

    app.mount("/static", HashedStaticFiles(directory=str(settings.static_dir)), name="static")
    install_error_handlers(app)

    from app.web import api, pages

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(api.docs_router)
    from app.web import auth, editor  # editors: signed-cookie sessions, sign-in, forms, review queue

    auth.install(app, settings.secret_key)
    app.include_router(editor.router)
    from app.web import http  # outermost: compression, ETags and 304s, rendered pages per data version

    http.install(app)
    return app
