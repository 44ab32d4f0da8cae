"""Web: errors are raised, and answered here once. A route raises NotFound, BadParameters, Forbidden or
Conflict; the handlers installed by `install` turn those (and FastAPI's own validation errors, database
outages and anything unhandled) into the HTML error page, or under /api into a JSON answer. No route renders
error.html itself, and nothing reaches a person as a traceback."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.responses import templates

log = logging.getLogger("stancemap.web")

TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Page not found",
          405: "Method not allowed", 409: "Cannot do that", 422: "Bad parameters", 500: "Something went wrong",
          503: "Temporarily unavailable"}
RETRY_AFTER_SECONDS = 10  # what a 503 during a database outage tells clients to wait


class WebError(Exception):
    """An answer other than the page asked for: its status, a title and a message a person can act on."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, title: str | None = None, headers: Mapping[str, str] | None = None,
                 json: bool = False):
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        self.headers = dict(headers) if headers else None
        self.json = json  # answered as JSON wherever it is raised (a page's JSON twin), not only under /api

    @property
    def detail(self) -> Any:
        """What the JSON answer's "detail" holds."""
        return str(self)


class NotFound(WebError):
    status = 404
    title = "Not found"


class Forbidden(WebError):
    """Signed in, but not allowed (bad CSRF token, or an editor doing an admin's job)."""

    status = 403
    title = "Not allowed"


class Conflict(WebError):
    """The request is understood, but the data's state refuses it (already decided, nothing to revert)."""

    status = 409
    title = "Cannot do that"


class BadParameters(WebError):
    """Bad query parameters: a message per parameter. The JSON answer has the shape of FastAPI's own validation
    errors, so API clients handle one format."""

    status = 422
    title = "Bad parameters"

    def __init__(self, errors: Mapping[str, str], *, title: str | None = None, json: bool = False):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()), title=title,
                         json=json)

    @property
    def detail(self) -> list[dict[str, Any]]:
        return [{"loc": ["query", field], "msg": message, "type": "value_error"}
                for field, message in self.errors.items()]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def error_response(request: Request, status: int, message: str, *, title: str | None = None, detail: Any = None,
                   headers: Mapping[str, str] | None = None, json: bool = False) -> Response:
    """JSON under /api (or when asked), an HTML page elsewhere; never a traceback."""
    if json or _wants_json(request):
        return JSONResponse({"detail": detail if detail is not None else message}, status_code=status,
                            headers=headers)
    return templates.TemplateResponse(request, "error.html",
                                      {"status": status, "title": title or TITLES.get(status, "Error"),
                                       "message": message},
                                      status_code=status, headers=dict(headers) if headers else None)


def _validation_messages(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        msg = e.get("msg", "")
        if e.get("type") == "value_error" and msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]  # our own parsers' messages are already sentences
        if e.get("type", "").startswith(("date", "datetime")):
            msg += "; use YYYY-MM-DD, e.g. 2025-03-01"
        out.append({"loc": list(e.get("loc", ())), "msg": msg, "type": e.get("type", "")})
    return out


def database_unavailable(exc: BaseException) -> bool:
    """A connection that failed, was lost or could not be had in time (not a bad query)."""
    if isinstance(exc, (sa_exc.TimeoutError, sa_exc.InterfaceError, sa_exc.OperationalError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def server_error_response(request: Request, exc: BaseException) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "The server hit an error; it has been logged. Try again, or go back "
                                        "to the map.", detail="Internal server error")


def unavailable_response(request: Request, message: str, detail: str) -> Response:
    request.state.user = None  # the navigation must not ask the database again
    return error_response(request, 503, message, detail=detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, str(exc), title=exc.title, detail=exc.detail,
                              headers=exc.headers, json=exc.json)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"There is no page at {request.url.path}."
        return error_response(request, exc.status_code, message, detail=exc.detail,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_messages(exc)
        if any(e["loc"][:1] == ["path"] for e in errors):
            # /statements/abc, /statements/0, an id past the database's integer range: no such page.
            return error_response(request, 404, f"There is no page at {request.url.path[:200]}.",
                                  detail="Not Found")
        message = "; ".join(f"{e['loc'][-1] if e['loc'] else 'request'}: {e['msg']}" for e in errors)
        return error_response(request, 422, message, detail=errors)

    @app.exception_handler(sa_exc.SQLAlchemyError)
    async def database_error(request: Request, exc: sa_exc.SQLAlchemyError) -> Response:
        if not database_unavailable(exc):
            return server_error_response(request, exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return unavailable_response(request, "The database is not answering just now. Try again in a few seconds.",
                                    "Service unavailable: the database is not answering")


class CatchAll:
    """Answers an unhandled exception with the 500 page and does not re-raise it (Starlette's outermost handler
    re-raises, and uvicorn then closes the client's keep-alive connection). If the response had already started,
    there is nothing to send: the exception is logged and the body ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
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
                        unavailable_response(request, "The database is not answering just now.",
                                             "Service unavailable"))
            await response(scope, receive, send)
