"""Browser-test fixtures: a live uvicorn server on this test's database, Debian's chromium, screenshots.

Reuse them in any test under tests/browser/ (mark it `@pytest.mark.browser`):

- `live_server`: the base URL ("http://127.0.0.1:PORT") of a real uvicorn server running `create_app(engine)`
  for this test's database (the `engine` fixture of tests/conftest.py) in a background thread; rows written and
  committed through the `session` fixture are what the browser sees. Stopped after the test.
- `page`, `context`, `browser` come from pytest-playwright; the launch arguments below point it at
  /usr/bin/chromium (Playwright's own browser download is not used), headless, with a 1400x900 viewport.
- `screenshot(name, page=None, full_page=True)`: saves screenshots/<name>.png (git-ignored) and returns the path.

Without /usr/bin/chromium every browser test is skipped with the reason; nothing else skips them.
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"no browser: {CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "accept_downloads": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(engine):
    from app.web import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name=f"live-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"live server did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def screenshot(request):
    """screenshot(name, page=None, full_page=True) -> Path; uses the test's `page` when none is given."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(name: str, page=None, full_page: bool = True) -> Path:
        page = page or request.getfixturevalue("page")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
