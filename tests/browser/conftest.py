"""The browser tier: the program's public pages in a real headless Chromium (Debian's
/usr/bin/chromium driven by Playwright, never a browser Playwright downloads), with axe-core from
npm for the accessibility check. `bash scripts/test.sh` installs both (scripts/_browser.sh).

Without them the tests skip with one reason; with REQUIRE_BROWSER=1 (as .ci/run sets) that is a
failure instead, so CI cannot pass without having run them. One browser and one seeded bot serve
the whole tier (one module); each test gets a fresh browser context (its own viewport and
timezone)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.site import Site, running_site

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"


def _unavailable(what: str) -> None:
    if REQUIRED:
        pytest.fail(f"REQUIRE_BROWSER=1 but {what}", pytrace=False)
    pytest.skip(what)


def _browser_missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"no {CHROMIUM}: install Debian's chromium (bash scripts/test.sh does, as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (it is in the dev extra)"
    return None


# Module scope, not session: while Playwright's synchronous API is started, its event loop counts
# as running in this thread (it runs in a greenlet of the same thread), so the asyncio tests of
# the modules after this one could not start theirs. The tier is one module: one browser.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        _unavailable(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def site(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("browser-site")) as running:
        yield running


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE.is_file():
        _unavailable(f"no {AXE}: run `npm ci` in tests/browser (bash scripts/test.sh does)")
    return AXE


@dataclass
class Visit:
    """A page as a visitor sees it, and what went wrong on the way: console errors, uncaught
    exceptions, failed or refused requests, and requests that left the bot's own address."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(f"console error: {msg.text}")

    def response(self, resp: Any) -> None:
        if resp.status >= 400:
            self.failed_requests.append(f"{resp.status} {resp.url}")

    def request(self, req: Any) -> None:
        if not req.url.startswith(self.base + "/"):
            self.elsewhere.append(req.url)

    def problems(self) -> list[str]:
        return self.console_errors + self.failed_requests + [f"external request {u}" for u in self.elsewhere]


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Any]:
    """`visit(path, width=1280, height=800, timezone="Asia/Tokyo", bypass_csp=False)` opens the
    page in a fresh context and returns a `Visit`; the contexts are closed after the test."""
    contexts: list[Any] = []

    def open_page(
        path: str,
        *,
        width: int = 1280,
        height: int = 800,
        timezone: str = "Asia/Tokyo",
        bypass_csp: bool = False,
    ) -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            timezone_id=timezone,
            locale="en-GB",
            bypass_csp=bypass_csp,
        )
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, site.url)
        page.on("console", seen.console)
        page.on("pageerror", lambda err: seen.console_errors.append(f"uncaught: {err}"))
        page.on("requestfailed", lambda req: seen.failed_requests.append(f"failed {req.url}"))
        page.on("response", seen.response)
        page.on("request", seen.request)
        response = page.goto(site.url + path, wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return seen

    yield open_page
    for context in contexts:
        context.close()
