"""Security headers on every answer, and asset URLs that never come from the Host header.

Every response gets a Content-Security-Policy (scripts only from this site or the configured asset base URL: no
inline scripts, no eval, which htmx is configured for in base.html), X-Content-Type-Options: nosniff,
Referrer-Policy: strict-origin-when-cross-origin and framing refused (frame-ancestors 'none', and
X-Frame-Options: DENY for old browsers). The paths in FRAMABLE_PATHS (/embed) may be framed by any site: every
answer on them, the ETag layer's 304s and kept pages included, gets frame-ancestors * and no X-Frame-Options (a 304
that refused framing would update the browser's stored copy and break the embed). A route may also opt out itself
with `allow_framing(response, "https://a.example ...")`: the middleware leaves a Content-Security-Policy a route
set itself alone, and then adds no X-Frame-Options.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings
from app.web.responses import templates


FRAMABLE_PATHS = frozenset({"/embed"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(asset_base_url: str = "", *, frame_ancestors: str = "'none'") -> str:
    assets = " ".join(x for x in ("'self'", _origin(asset_base_url)) if x)
    return "; ".join([
        "default-src 'self'",
        f"script-src {assets}",
        f"style-src {assets}",
        f"img-src {assets} data:",
        f"font-src {assets}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def allow_framing(response: Response, ancestors: str = "*", *, asset_base_url: str = "") -> Response:
    """Lets other sites frame this response (an embed): its own policy, without X-Frame-Options."""
    response.headers["Content-Security-Policy"] = content_security_policy(asset_base_url, frame_ancestors=ancestors)
    return response


class SecurityHeaders:
    def __init__(self, app: ASGIApp, asset_base_url: str = ""):
        self.app = app
        self.defaults = {
            "Content-Security-Policy": content_security_policy(asset_base_url),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "X-Frame-Options": "DENY",
        }
        self.framable = {**self.defaults, "Content-Security-Policy": content_security_policy(asset_base_url,
                                                                                             frame_ancestors="*")}
        del self.framable["X-Frame-Options"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A route's own policy (an embed) decides framing; X-Frame-Options would contradict it.
                own_policy = "Content-Security-Policy" in headers
                defaults = self.framable if scope["path"] in FRAMABLE_PATHS else self.defaults
                for name, value in defaults.items():
                    if name not in headers and not (own_policy and name == "X-Frame-Options"):
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    base = settings.asset_base_url.rstrip("/")

    @pass_context
    def url_for(context: Context, name: str, /, **path_params: Any) -> str:
        """A path on this site (or under ASSET_BASE_URL), never built from the request's Host header."""
        path = context["request"].app.url_path_for(name, **path_params)
        return f"{base}{path}" if base else str(path)

    templates.env.globals["url_for"] = url_for
    app.add_middleware(SecurityHeaders, asset_base_url=settings.asset_base_url)
