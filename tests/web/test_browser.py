"""A labeler in a real browser: Debian's Chromium, driven by Playwright, logs in through nginx's
`auth_basic`, types a whole ranking in one burst before clicking anywhere, and the database
holds exactly what was typed."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from bench.pty_run import poll
from tests.e2e.test_typeahead import rankings_as_typed, shown_order, stored

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "no playwright (a test extra)"
    if missing is None and not os.path.exists(CHROMIUM):
        missing = "no chromium (.ci/setup-e2e.sh installs Debian's)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        # Playwright's own browser download is not used: Debian's Chromium, headless.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


def test_a_ranking_typed_in_the_browser_is_stored_as_typed(proxied, browser):
    served, where = proxied
    page = browser.new_page(http_credentials={"username": "ana", "password": "ana-secret"},
                            viewport={"width": 1000, "height": 700})
    page.goto(f"http://{where}/")
    assert page.title() == "LabelDesk"
    # The terminal has the keyboard without a click once the app has drawn its first screen.
    page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=30_000)
    page.wait_for_timeout(500)
    page.keyboard.type("c", delay=0)
    page.wait_for_timeout(1500)
    page.keyboard.type("B=ADC", delay=0)  # one burst, as fast typing arrives
    page.keyboard.press("Enter")
    conn = sqlite3.connect(served.db)
    try:
        poll(lambda: conn.execute("SELECT count(*) FROM labels WHERE labeler = 'ana' "
                                  "AND task = 'ranking'").fetchone()[0],
             "the ranking typed in the browser", timeout=30)
        typed = rankings_as_typed(stored(conn, "ana"), shown_order(served.db, "ana"))
    finally:
        conn.close()
    assert typed == ["B=A>D>C"]
    page.close()
