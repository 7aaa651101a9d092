"""Open a saved HTML page in a real, offline Chromium for tests.

`open_page` drives the system Chromium (Debian's ``chromium`` package) through
playwright's sync API, with no playwright-managed browser download. Every request
that is not ``file:`` or ``data:`` is aborted and recorded, so a test can assert that
a page needs nothing from the network.

A test that needs the browser calls `require_browser` (directly or from a
fixture): without Chromium or playwright it is skipped on a developer's
machine but fails under CI (``CI`` set), where the browser must be installed.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

logger = logging.getLogger(__name__)

#: Flags Chromium needs on this project's machines (root, no GPU, closed network).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

INSTALL_HINT = "apt-get update && apt-get install -y chromium; pip install playwright"

_LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
_FALSE = {"", "0", "false", "no", "off"}
_TILE = re.compile(
    r"^https://[^/?#]+/(?:[^?#]*/)?\d+/\d+/\d+(?:@2x)?\.(?:png|jpe?g|webp)(?:[?#]|$)"
)
"""A base-map tile request (``https://host/.../{z}/{x}/{y}.png``): blocked, counted apart."""

#: Folder CI keeps after a run (git-ignored): screenshots and printed pages land here.
ARTIFACTS = Path(os.environ.get("HOTSPOTS_ARTIFACTS", Path(__file__).resolve().parents[1]
                                / "test-artifacts"))  # fmt: skip


def artifact(name: str) -> Path:
    """Return the path of a file to keep after the test run (under `ARTIFACTS`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


@dataclass
class PageResult:
    """What happened while a page loaded, and the live page for more checks.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The open page; valid only inside the `open_page` block.
    url : str
        The ``file://`` URL that was opened.
    load_seconds : float
        From navigation start until the ``load`` event (and `wait_for`, if given).
    outside_requests : list of str
        ``METHOD url`` of every request that was not ``file:`` / ``data:`` nor a base-map
        tile (all aborted).
    tile_requests : list of str
        URLs of base-map tiles the page asked for (aborted: the test is offline).
    console_errors : list of str
        Text of console messages of type ``error`` (except a blocked tile's "Failed to load
        resource", which is what an offline base map does).
    page_errors : list of str
        Uncaught JavaScript exceptions.
    """

    page: Any
    url: str
    load_seconds: float = 0.0
    outside_requests: list[str] = field(default_factory=list)
    tile_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Every outside request, console error and page error, labelled."""
        return (
            [f"request: {r}" for r in self.outside_requests]
            + [f"console: {c}" for c in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
        )

    def screenshot(self, path: str | Path) -> Path:
        """Save a PNG of the viewport to `path` and return the path."""
        out = Path(path)
        self.page.screenshot(path=str(out))
        return out


def find_chromium() -> str | None:
    """Path of the system Chromium: ``$CHROMIUM``, ``chromium`` on PATH or /usr/bin/chromium."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    missing = []
    if find_chromium() is None:
        missing.append("Chromium (no `chromium` on PATH or /usr/bin/chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright Python package")
    if not missing:
        return None
    return f"browser test needs {' and '.join(missing)}: {INSTALL_HINT}"


def is_ci(env: Mapping[str, str] | None = None) -> bool:
    """Whether the ``CI`` environment variable is set to something true."""
    value = (os.environ if env is None else env).get("CI", "")
    return value.strip().lower() not in _FALSE


def missing_browser_action(reason: str | None, *, ci: bool) -> Literal["run", "skip", "fail"]:
    """Decide what a browser test does: run, skip (developer machine) or fail (CI)."""
    if reason is None:
        return "run"
    return "fail" if ci else "skip"


def require_browser(env: Mapping[str, str] | None = None) -> str:
    """Return the Chromium path, or skip the test (locally) / fail it (under CI)."""
    reason = browser_missing_reason()
    action = missing_browser_action(reason, ci=is_ci(env))
    if action == "fail":
        pytest.fail(f"{reason} (CI is set, so browser tests may not skip)", pytrace=False)
    if action == "skip":
        pytest.skip(reason or "")
    chromium = find_chromium()
    assert chromium is not None
    return chromium


@contextmanager
def open_page(
    html_path: str | Path,
    *,
    executable: str | None = None,
    viewport: tuple[int, int] = (1000, 700),
    wait_for: str | None = None,
    timeout_s: float = 30.0,
) -> Iterator[PageResult]:
    """Open `html_path` from ``file://`` in headless Chromium with the network blocked.

    Parameters
    ----------
    html_path : str or pathlib.Path
        The page to open.
    executable : str, optional
        Chromium binary; default `find_chromium`.
    viewport : tuple of int, default (1000, 700)
        Width and height in CSS pixels.
    wait_for : str, optional
        CSS selector to wait for after ``load`` (counted in ``load_seconds``).
    timeout_s : float, default 30
        Limit for navigation and waits.

    Yields
    ------
    PageResult
        The page and what it requested and reported while loading; events that come
        later (clicks...) keep being appended until the block ends.
    """
    from playwright.sync_api import sync_playwright  # test-only dependency

    chromium_path = executable or find_chromium()
    if chromium_path is None:
        raise FileNotFoundError(f"Chromium not found: {INSTALL_HINT}")
    url = Path(html_path).resolve().as_uri()
    with (
        tempfile.TemporaryDirectory(prefix="hotspots-chromium-") as profile,
        sync_playwright() as p,
    ):
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=chromium_path,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport={"width": viewport[0], "height": viewport[1]},
            service_workers="block",
        )
        try:
            context.set_default_timeout(timeout_s * 1000)
            result = PageResult(page=context.new_page(), url=url)

            def _route(route: Any) -> None:
                if route.request.url.startswith(_LOCAL_SCHEMES):
                    route.continue_()
                else:
                    route.abort("blockedbyclient")

            def _request(request: Any) -> None:
                if _TILE.match(request.url):
                    result.tile_requests.append(request.url)
                elif not request.url.startswith(_LOCAL_SCHEMES):
                    result.outside_requests.append(f"{request.method} {request.url}")

            def _console(message: Any) -> None:
                if message.type != "error":
                    return
                source = (message.location or {}).get("url", "")
                if message.text.startswith("Failed to load resource") and _TILE.match(source):
                    return  # a blocked tile: already in tile_requests
                result.console_errors.append(message.text)

            context.route("**/*", _route)
            context.on("request", _request)
            result.page.on("console", _console)
            result.page.on("pageerror", lambda error: result.page_errors.append(str(error)))

            start = time.perf_counter()
            result.page.goto(url, wait_until="load")
            if wait_for is not None:
                result.page.wait_for_selector(wait_for, state="attached")
            result.load_seconds = time.perf_counter() - start
            logger.info("opened %s in %.2f s", url, result.load_seconds)
            yield result
        finally:
            context.close()
