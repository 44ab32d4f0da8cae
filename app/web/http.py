"""Web: HTTP as it should be — compression, ETags from the data version and the query (304 on a match), a cache
of rendered pages per view and data version, and static files under content-hashed names cached for a year."""
from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import Path

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_compress import CompressMiddleware, add_compress_type

from app import clock
from app.positions import current_version
from app.settings import PROJECT_ROOT, get_settings
from app.web import heap
from app.web.responses import templates

# Reader pages and data: what an ETag and the page cache cover. Editing screens, sign-in and health are left out
# (they depend on more than the data: throttles, forms in progress).
_UNCACHED_PREFIXES = ("/editor", "/signin", "/signout", "/static", "/healthz", "/docs")
PAGE_CACHE_SIZE = 256
PAGE_CACHE_MAX_BODY = 2_000_000
IMMUTABLE = "public, max-age=31536000, immutable"


@functools.cache
def build_id() -> str:
    """A digest of the code, templates and static files: a deploy changes every ETag."""
    digest = hashlib.sha256()
    for folder in ("app", "templates", "static"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".json", ".csv"):
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _covered(scope: Scope) -> bool:
    return scope["method"] in ("GET", "HEAD") and not scope["path"].startswith(_UNCACHED_PREFIXES)


def view_key(scope: Scope, version: int) -> str:
    """What a response depends on: the build, the data version, today (the default date), the URL, the htmx
    headers that select a fragment, the visitor's cookie (a signed-in editor's pages carry their name) and the Host
    (feeds, share code and citations carry absolute links built from it when PUBLIC_URL is not set)."""
    h = Headers(scope=scope)
    method = scope["method"] if scope["method"] != "HEAD" else "GET"
    parts = (build_id(), str(version), clock.today().isoformat(), method,
             scope["path"], scope.get("query_string", b"").decode("latin-1"), h.get("hx-request", ""),
             h.get("hx-history-restore-request", ""), h.get("hx-target", ""), h.get("cookie", ""),
             h.get("host", ""))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    tags = [t.strip() for t in if_none_match.split(",")]
    bare = etag.removeprefix("W/")
    return any(t.removeprefix("W/") == bare for t in tags)


class ConditionalMiddleware:
    """ETag (weak: the bytes differ by compression) on reader GETs, 304 for a matching If-None-Match, and a cache
    of whole responses for visitors without a cookie, keyed exactly by view_key (so by the data version: a write
    raises it in its own transaction, and no entry is ever served after it). No timer anywhere."""

    def __init__(self, app: ASGIApp, *, session_factory) -> None:
        self.app = app
        self.session_factory = session_factory
        self._cache: OrderedDict[str, tuple[dict, list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def _version(self) -> int:
        session = self.session_factory()
        try:
            return current_version(session)
        finally:
            session.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _covered(scope):
            return await self.app(scope, receive, send)
        try:
            version = await anyio.to_thread.run_sync(self._version)
        except Exception:  # the database is down: the app answers that itself
            return await self.app(scope, receive, send)
        key = view_key(scope, version)
        etag = f'W/"{key}"'
        request_headers = Headers(scope=scope)
        if _matches(request_headers.get("if-none-match", ""), etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag.encode()), (b"cache-control", b"no-cache"),
                                    (b"vary", b"HX-Request, Cookie, Accept-Encoding")]})
            await send({"type": "http.response.body", "body": b""})
            return
        cacheable = "cookie" not in request_headers
        # Kept as sent, compressed: one entry per Accept-Encoding a client sends (browsers send a few fixed ones).
        cache_key = f"{key}\x1f{request_headers.get('accept-encoding', '')}"
        if cacheable:
            with self._lock:
                hit = self._cache.get(cache_key)
                if hit is not None:
                    self._cache.move_to_end(cache_key)
            if hit is not None:
                start, headers, body = hit
                await send({**start, "headers": list(headers)})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return

        state: dict = {"start": None, "chunks": [], "size": 0, "keep": cacheable}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                ok = message["status"] in (200, 422)
                if "no-store" in headers.get("cache-control", ""):
                    ok = False  # a route that must not be stored (a form with its own token): no ETag, not kept
                if ok and "etag" not in headers:
                    headers["ETag"] = etag
                    headers["Cache-Control"] = "no-cache"  # revalidate each time; a 304 costs one lookup
                    vary = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
                    headers["Vary"] = ", ".join(dict.fromkeys([*vary, "HX-Request", "Cookie"]))
                if not ok or "set-cookie" in headers:
                    state["keep"] = False
                # A copy, so nothing done to the message after this moment reaches the kept entry.
                state["start"] = {"type": message["type"], "status": message["status"],
                                  "headers": list(message["headers"])}
            elif message["type"] == "http.response.body" and state["keep"]:
                state["chunks"].append(message.get("body", b""))
                state["size"] += len(message.get("body", b""))
                if state["size"] > PAGE_CACHE_MAX_BODY:
                    state["keep"] = False
                    state["chunks"] = []
                elif not message.get("more_body", False) and scope["method"] == "GET":
                    start = state["start"]
                    entry = ({"type": start["type"], "status": start["status"]}, start["headers"],
                             b"".join(state["chunks"]))
                    with self._lock:
                        self._cache[cache_key] = entry
                        while len(self._cache) > PAGE_CACHE_SIZE:
                            self._cache.popitem(last=False)
            await send(message)

        await self.app(scope, receive, wrapped)
        if state["start"] is not None and state["start"]["status"] == 200:
            # Rendered afresh, so what this data version keeps is built: freeze it (after the response is sent).
            heap.settle(version)


# --- static files under content-hashed names --------------------------------------------------------------------

_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")


@functools.lru_cache(maxsize=512)
def _file_hash(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def content_hash(relative: str) -> str | None:
    path = get_settings().static_dir / relative
    try:
        stat = path.stat()
    except OSError:
        return None
    return _file_hash(str(path), stat.st_mtime_ns)


def static_url(relative: str) -> str:
    """'/static/app.3f2a9c1b04de.css': the name changes with the content, so browsers may keep it for a year."""
    base = get_settings().asset_base_url.rstrip("/")  # never the request's Host header
    digest = content_hash(relative)
    if digest is None:
        return f"{base}/static/{relative}"
    stem, dot, ext = relative.rpartition(".")
    return f"{base}/static/{stem}.{digest}.{ext}" if dot else f"{base}/static/{relative}.{digest}"


class HashedStaticFiles(StaticFiles):
    """Serves 'name.<hash>.ext' as 'name.ext' with a year-long immutable cache when the hash is the file's; plain
    names (and an outdated hash) are served as before, revalidated with their ETag and Last-Modified."""

    async def get_response(self, path: str, scope: Scope):
        m = _HASHED.match(path)
        if m:
            real = f"{m['stem']}{m['ext']}"
            if content_hash(real) is not None:
                response = await super().get_response(real, scope)
                if content_hash(real) == m["hash"] and response.status_code in (200, 304):
                    response.headers["Cache-Control"] = IMMUTABLE
                else:
                    response.headers["Cache-Control"] = "no-cache"
                return response
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers.setdefault("Cache-Control", "no-cache")
        return response


def install(app) -> None:
    """ETags, 304s and the page cache outermost (a kept page is kept compressed), then compression (gzip, brotli;
    it adds Vary: Accept-Encoding), then the app."""
    # the downloads: flushed per chunk, so a download cut by an error still ends with its notice
    add_compress_type("text/csv", streaming=True)
    templates.env.globals["static_url"] = static_url
    app.add_middleware(CompressMiddleware, zstd=False, minimum_size=500)
    app.add_middleware(ConditionalMiddleware, session_factory=app.state.session_factory)
