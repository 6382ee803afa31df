"""Fixtures of the browser tests: a real headless Chromium driven by Playwright's sync API, pages in their own
browser contexts (own cookies: two people can use the site at once), and the live server's address.

Playwright's sync API runs an event loop in the test's thread, so Django's async-safety check would refuse
the ORM calls the tests make to set up their data; the `browser` fixture allows them for these tests only
(DJANGO_ALLOW_ASYNC_UNSAFE, read by Django at each call).
"""

import pytest
from django.db import connections

from .chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (a dev dependency)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # The database connection the test's own queries opened while Playwright ran: left open, it kept
        # PostgreSQL from dropping the test database at the end of the session.
        connections.close_all()


@pytest.fixture
def new_page(browser):
    """Opens a page in a fresh browser context (a separate visitor); all are closed after the test."""
    contexts = []

    def open_page(locale="en-GB"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def site(live_server):
    """The live server's base URL by address: Chromium resolves `localhost` through its own resolver,
    which fails when requests are intercepted; 127.0.0.1 needs no resolving."""
    return live_server.url.replace("://localhost:", "://127.0.0.1:")
