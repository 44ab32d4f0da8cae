"""Web: how routes answer. The templates, what an htmx request asks for (one place that reads the HX-* headers,
as django-htmx's HtmxDetails), and the three answers a route gives: a page (or, for htmx, the blocks that
change), raw fragments, and a redirect after a successful POST."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from app.settings import get_settings

templates = Jinja2Blocks(directory=str(get_settings().templates_dir))

# Pages that answer htmx requests with a fragment from the same URL: caches must key on this header.
VARY_HTMX = {"Vary": "HX-Request"}


@dataclass(frozen=True)
class HtmxDetails:
    """What an htmx request says about itself. A history restore (htmx lost its cached page) wants the whole
    page, so `wants_fragment` is false for it."""

    request: bool = False
    history_restore: bool = False
    target: str | None = None
    current_url: str | None = None

    @property
    def wants_fragment(self) -> bool:
        return self.request and not self.history_restore


def htmx(request: Request) -> HtmxDetails:
    headers = request.headers
    return HtmxDetails(request=headers.get("HX-Request") == "true",
                       history_restore=headers.get("HX-History-Restore-Request") == "true",
                       target=headers.get("HX-Target") or None, current_url=headers.get("HX-Current-URL") or None)


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment (history restores get the whole page)."""
    return htmx(request).wants_fragment


def render_page(request: Request, name: str, context: Mapping[str, Any], *, blocks: Sequence[str] | None = None,
         status_code: int = 200, push_url: str | None = None, headers: Mapping[str, str] | None = None,
         vary: bool = False) -> Response:
    """The whole page `name`, or for an htmx request (not a history restore) only its `blocks` when given.
    `push_url` is the canonical URL of the view that htmx puts in the address bar; `vary` marks a page whose
    URL answers htmx with a fragment (so caches key on HX-Request)."""
    out = {**(VARY_HTMX if vary else {}), **(headers or {})}
    if blocks and is_htmx(request):
        if push_url:
            out["HX-Push-Url"] = push_url
        return templates.TemplateResponse(request, name, dict(context), status_code=status_code, headers=out,
                                          block_names=list(blocks))
    return templates.TemplateResponse(request, name, dict(context), status_code=status_code, headers=out or None)


def render_fragment(request: Request, name: str, context: Mapping[str, Any], *, status_code: int = 200,
             headers: Mapping[str, str] | None = None) -> Response:
    """One partial template on its own (a row, a form) as the whole answer."""
    return templates.TemplateResponse(request, name, dict(context), status_code=status_code,
                                      headers=dict(headers) if headers else None)


def fragment_html(request: Request, name: str, context: Mapping[str, Any]) -> str:
    """A partial rendered to a string, to be sent with others (out-of-band swaps) by `fragments`."""
    return templates.get_template(name).render({**context, "request": request})


def fragments(*parts: str, status_code: int = 200) -> HTMLResponse:
    """Several rendered fragments in one answer (htmx swaps the out-of-band ones by their ids)."""
    return HTMLResponse("".join(parts), status_code=status_code)


def redirect(request: Request, url: str) -> Response:
    """After a successful POST: a 303 for a plain form, HX-Redirect for htmx (a whole new page)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def see_other(url: str) -> RedirectResponse:
    """A plain 303 whatever asked (the queue's non-htmx answers, sign-in, sign-out)."""
    return RedirectResponse(url, status_code=303)
