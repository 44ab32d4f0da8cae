"""Signing in as an editor over HTTP, for the tests of the editors' screens."""
from __future__ import annotations

import re

from app import editing

PASSWORD = "correct horse battery"
HX = {"HX-Request": "true"}  # what htmx sends with each of its requests


def csrf(html: str) -> str:
    """The CSRF token a page's form carries."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m is not None, "the page has no form with a CSRF token"
    return m.group(1)


def sign_in(client, session, name: str = "erin", role: str = "editor") -> str:
    """Sign in (making the account) and return the session's CSRF token."""
    editing.create_user(session, name, PASSWORD, role=role)
    token = csrf(client.get("/signin").text)
    r = client.post("/signin", data={"username": name, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    return csrf(client.get("/editor/statements/new").text)
