"""End-to-end journeys in Debian's headless Chromium, driven by Playwright.

Never downloads a browser: Chromium comes from the Debian package (``make test`` installs it
when it can). Without it the journeys are skipped with the reason, except under CI=true,
where a missing browser is a failure. Map tiles are routed to a local stub image, which
also proves every page works without them.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A 1×1 transparent PNG served for every tile request.
STUB_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium (/usr/bin/chromium) is required under CI=true")
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def page(browser, browser_context_args, live_server):
    context = browser.new_context(base_url=live_server.url, **browser_context_args)
    context.route(
        "**/*tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=STUB_TILE),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


def _drop(route) -> None:
    route.abort("internetdisconnected")


def cut_connection(context) -> None:
    """Take the browser off the network the way a tablet loses it.

    ``set_offline`` alone flips ``navigator.onLine``, but a document that is just reloading
    can start with the flag still true and send before the emulation reaches it; aborting
    every request as well makes the cut real whatever the page believes.
    """
    context.route("**/*", _drop)
    context.set_offline(True)


def restore_connection(context) -> None:
    context.unroute("**/*", _drop)
    context.set_offline(False)


def sign_in(page, email: str) -> None:
    """Sign in through allauth's form, in whichever language the browser is using."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/cuentas/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").filter(
        has_text=re.compile("Iniciar sesión|Sign In", re.IGNORECASE)
    ).click()
    expect(page.get_by_role("banner")).to_contain_text(email)


def wait_for_service_worker(page, *, keeps_this_page: bool = False) -> None:
    """Wait (20 s at most) until a service worker controls the page, and optionally until
    its cache holds the page itself, as it must before the connection drops."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    if not keeps_this_page:
        return
    # Polled from here: wait_for_function does not await a promise, and a pending promise
    # is truthy, so an async predicate there returns at once, cache or not.
    in_cache = """async () => {
        for (const key of await caches.keys()) {
            if (await (await caches.open(key)).match(location.href)) return true;
        }
        return false;
    }"""
    deadline = time.monotonic() + 20
    while not page.evaluate(in_cache):
        if time.monotonic() > deadline:
            raise AssertionError("the service worker never kept this page in its cache")
        page.wait_for_timeout(100)


def open_menu(page, group: str):
    """Open one module's menu in the header (a drop-down on a wide screen) and return the
    main navigation, where its entries are now visible."""
    nav = page.get_by_role("navigation", name=re.compile("^(Principal|Main)$"))
    summary = nav.locator("summary", has_text=group)
    if not summary.evaluate("s => s.parentElement.open"):
        summary.click()
    return nav
