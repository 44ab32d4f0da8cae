"""The web app factory: mounts static files, templates, routers, error handlers and the security middleware."""
from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app import __version__
from app.db import get_engine, session_factory
from app.settings import get_settings

log = logging.getLogger("stancemap.web")

_TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Page not found",
           405: "Method not allowed", 422: "Bad parameters", 500: "Something went wrong",
           503: "Temporarily unavailable"}
RETRY_AFTER_SECONDS = 10  # what a 503 during a database outage tells clients to wait


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
        if e.get("type") == "value_error" and msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]  # our own parsers' messages are already sentences
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
        if any(e["loc"][:1] == ["path"] for e in errors):
            # /statements/abc, /statements/0, an id past the database's integer range: no such page.
            return _error_response(request, 404, f"There is no page at {request.url.path[:200]}.",
                                   detail="Not Found")
        message = "; ".join(f"{e['loc'][-1] if e['loc'] else 'request'}: {e['msg']}" for e in errors)
        return _error_response(request, 422, message, detail=errors)

    @app.exception_handler(ParamError)
    async def param_error(request: Request, exc: ParamError):
        # The same shape as FastAPI's own validation errors, so API clients handle one format.
        detail = [{"loc": ["query", exc.field], "msg": exc.message, "type": "value_error"}]
        return _error_response(request, 422, f"{exc.field}: {exc.message}", detail=detail)

    @app.exception_handler(sa_exc.SQLAlchemyError)
    async def database_error(request: Request, exc: sa_exc.SQLAlchemyError):
        if not database_unavailable(exc):
            return server_error_response(request, exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        request.state.user = None  # the navigation must not ask the database again
        return _error_response(request, 503, "The database is not answering just now. Try again in a few "
                                             "seconds.", detail="Service unavailable: the database is not answering",
                               headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def database_unavailable(exc: BaseException) -> bool:
    """A connection that failed, was lost or could not be had in time (not a bad query)."""
    if isinstance(exc, (sa_exc.TimeoutError, sa_exc.InterfaceError, sa_exc.OperationalError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def server_error_response(request: Request, exc: BaseException):
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(request, 500, "The server hit an error; it has been logged. Try again, or go back "
                                         "to the map.", detail="Internal server error")


class CatchAll:
    """Answers an unhandled exception with the 500 page and does not re-raise it (Starlette's outermost handler
    re-raises, and uvicorn then closes the client's keep-alive connection). If the response had already started,
    there is nothing to send: the exception is logged and the body ends."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: log, answer, keep the connection
            if started:
                log.error("error after the response started on %s", scope.get("path"), exc_info=exc)
                return
            request = Request(scope)
            request.state.user = None
            response = (server_error_response(request, exc) if not database_unavailable(exc) else
                        _error_response(request, 503, "The database is not answering just now.",
                                        detail="Service unavailable",
                                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))
            await response(scope, receive, send)


@asynccontextmanager
async def _threads(app: FastAPI):
    """The plain-def handlers run in AnyIO's thread pool; its size matches the connection pool's."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    yield


@asynccontextmanager
async def _frozen_heap(app: FastAPI):
    """Load what every request needs, then move it out of the garbage collector's way.

    Each page builds thousands of short-lived ORM objects; the full collections they trigger otherwise re-scan
    the ~150,000 long-lived objects of the app (modules, mappers, map geometry) and cost 100-200 ms on about
    one request in ten. gc.freeze() after start-up is the CPython-documented remedy.
    """
    from app.web import svgmap
    from app.web.deps import templates

    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    svgmap.load_geometry()
    for name in ("index.html", "country.html", "statements.html", "error.html"):
        templates.get_template(name)
    gc.collect()
    gc.freeze()
    yield


def server_options() -> dict:
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
    from app.web.http import HashedStaticFiles

    app.mount("/static", HashedStaticFiles(directory=str(settings.static_dir)), name="static")
    install_error_handlers(app)

    from app.web import api, auth, editor, feeds, headers, pages, share, twins

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
    from app.web import http

    # Outermost last: trusted hosts, then security headers on every answer (cached and 304 ones included),
    # then compression, ETags and rendered pages per data version, then the catch-all.
    app.add_middleware(CatchAll)
    http.install(app)
    headers.install(app, settings)
    if "*" not in settings.trusted_host_list:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_host_list)
    return app
