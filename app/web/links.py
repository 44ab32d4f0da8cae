"""Web: the site's own absolute address, for what leaves the site with links in it: the Atom feeds, the embed
code and the suggested citation. PUBLIC_URL when set; else the request's scheme and Host, which TRUSTED_HOSTS
has checked (the page cache keys on the Host too, so one host's links are never served to another)."""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from app.settings import get_settings

# The date in the feeds' tag: URIs (RFC 4151): any day on which the site's address was held; fixed for good,
# since an entry's id must never change.
TAG_DATE = "2025"


def site_url(request: Request) -> str:
    """'https://stancemap.example': no trailing slash."""
    configured = get_settings().public_url
    if configured:
        return configured
    return f"{request.url.scheme}://{request.url.netloc}"


def absolute(request: Request, path: str) -> str:
    """An absolute URL for a path on this site ('/changes?stance=support')."""
    return site_url(request) + (path if path.startswith("/") else "/" + path)


def tag_uri(request: Request, specific: str) -> str:
    """'tag:stancemap.example,2025:<specific>': a stable id that names this site, not a place to fetch."""
    host = urlsplit(site_url(request)).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"
