"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's
``live_server``. Skipped (with the reason) when /usr/bin/chromium or Playwright is missing.

Two browser contexts per test: ``page`` keeps the strict CSP enforced and records every CSP
violation (console "Refused to ..." messages and ``securitypolicyviolation`` events); the
accessibility checker (``axe``) revisits pages in a separate context with ``bypass_csp=True``,
because axe-core has to be injected as a script.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.fixtures import checker, gp, gp_around_the_clock, trained_model  # noqa: F401
from tests.browser.support import CHROMIUM, AxeChecker, BrowserPage, axe_missing_reason

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures and
# of the assertions happen outside it, in plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev installs it
        pytest.skip("browser tests need Playwright for Python: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_settings(settings, live_server):
    """Booking rules that let a journey book the next slot and cancel it straight away."""
    # A quarter of an hour: with none, the first slot offered starts now, and booking it a second
    # later was "in the past" when the clock crossed the slot's start in between.
    settings.BOOKING_MIN_NOTICE_MINUTES = 15
    settings.CANCEL_CUTOFF_HOURS = 0
    settings.CLINIC_BASE_URL = live_server.url
    return settings


@pytest.fixture
def context(browser, live_server, browser_settings):
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> BrowserPage:
    """A page with the CSP enforced; ``page.csp_violations`` lists what the browser refused."""
    return BrowserPage.open(context)


@pytest.fixture
def axe(browser, live_server) -> AxeChecker:
    """Runs axe-core on a URL as the user logged in on a page (no-op if axe-core is missing)."""
    axe_checker = AxeChecker(browser, live_server.url)
    yield axe_checker
    axe_checker.close()


@pytest.fixture
def axe_required():
    reason = axe_missing_reason()
    if reason:
        pytest.skip(reason)
