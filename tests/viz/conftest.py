"""The browser the page tests drive: the system chromium through playwright, headless.
Without playwright or chromium the tests that ask for it skip and say which is missing."""
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """A headless chromium for the module's tests, or skip naming what is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright): "
        "the page is not tested in a browser")
    if CHROMIUM is None:
        pytest.skip("no system chromium on PATH (apt-get install chromium): the page is not "
                    "tested in a browser")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture()
def open_page(browser):
    """Opens a file in a fresh page; returns (page, errors seen on its console)."""
    pages = []

    def opener(path, width=1000):
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors = []
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.resolve().as_uri())
        pages.append(page)
        return page, errors
    yield opener
    for page in pages:
        page.close()
