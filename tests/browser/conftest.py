"""Browser tests: a real Chromium drives a real server, the way people use PUSH.

One server per session, on a throw-away SQLite site with the demo data (scripts/demo_site.py, the
same site the accessibility check uses), and one headless Chromium (Debian's, with the flags of
scripts/check_accessibility.py). The journeys run in the order of the file and build on each other
(the Comune sends, the Region accepts, the administrator divides the fund), as they do in life.

Skipped unless PUSH_BROWSER_TESTS=1 (the fast suite stays fast); `.ci/run` runs them. Set
PUSH_BROWSER_BASE_URL to drive a server you started yourself (with fresh demo data) instead.
On failure a screenshot goes to var/screenshots/; with PUSH_GUIDE_SCREENSHOTS=1 the journeys also
save the user guide's pictures to docs/guide/.
"""

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
GUIDE = ROOT / "docs" / "guide"
PASSWORD = "push-demo-2026"  # every demo account's password (README)
WAIT = 20  # seconds: a page of the admin on a busy 2-core machine

sys.path.insert(0, str(ROOT / "scripts"))


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PUSH_BROWSER_TESTS") != "1":
        skip = pytest.mark.skip(reason="browser test: set PUSH_BROWSER_TESTS=1 to run it")
    elif os.environ.get("PYTEST_XDIST_WORKER"):
        # The journeys build on each other on one site: spread over workers they would not.
        skip = pytest.mark.skip(reason="browser tests run in one process: run them without -n")
    else:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_site():
    """The base URL of a server with fresh demo data, for the whole session."""
    if os.environ.get("PUSH_BROWSER_BASE_URL"):
        yield os.environ["PUSH_BROWSER_BASE_URL"].rstrip("/")
        return
    from demo_site import free_port, serving, throwaway_site

    # `timeout` in CI ends the run with SIGTERM: unwind, so that the server and its site go too.
    signal.signal(signal.SIGTERM, _interrupt)
    with throwaway_site() as env:
        port = free_port()
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        with serving(command, env, port) as base:
            yield base


@pytest.fixture(scope="session")
def chromium():
    from check_accessibility import headless_chromium

    driver = headless_chromium()
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def browser(request, chromium, live_site):
    """A person at the browser: starts signed out; a screenshot is kept if the test fails."""
    chromium.delete_all_cookies()
    person = Browser(chromium, live_site)
    yield person
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}.png"
        chromium.save_screenshot(str(path))
        print(f"\nscreenshot of the failure: {path} (page {chromium.current_url})")


class Browser:
    """What a person does: open an address, click what a label says, type into the field a label
    names, read the page. Selectors go by visible labels and roles, so that markup can change."""

    def __init__(self, driver, base):
        self.driver = driver
        self.base = base

    # --- reading ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.TAG_NAME, "body").text

    def see(self, *texts, timeout=WAIT) -> str:
        """Wait until one of `texts` is on the page; return the one seen."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.text
            for text in texts:
                if text in body:
                    return text
            if time.monotonic() > deadline:
                raise AssertionError(f"none of {texts!r} on {self.driver.current_url}:\n{body[:3000]}")
            time.sleep(0.2)

    def no_longer_see(self, text, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while text in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} still on {self.driver.current_url}")
            time.sleep(0.2)

    def see_match(self, pattern, timeout=WAIT) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.text)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not on {self.driver.current_url}:\n{self.text[:3000]}")
            time.sleep(0.2)

    def row(self, *texts):
        """The table row (or list item) that shows every one of `texts`."""
        from selenium.webdriver.common.by import By

        for selector in ("tr", "li"):
            matches = [
                element
                for element in self.driver.find_elements(By.CSS_SELECTOR, selector)
                if element.is_displayed() and all(text in element.text for text in texts)
            ]
            if matches:
                return min(matches, key=lambda element: len(element.text))  # the innermost
        raise AssertionError(f"no row with {texts!r} on {self.driver.current_url}:\n{self.text[:3000]}")

    # --- acting -------------------------------------------------------------------------

    def open(self, path):
        self.driver.get(self.base + path)

    def _clickable(self, labels, within=None, kinds=("a", "button", "input", "summary", "*[@role='button']")):
        from selenium.webdriver.common.by import By

        scope = within or self.driver
        for label in labels:
            for exact in (True, False):
                test = "normalize-space(.)={0} or normalize-space(@value)={0} or @aria-label={0}"
                if not exact:
                    test = "contains(normalize-space(.),{0}) or contains(@aria-label,{0})"
                condition = test.format(_xpath_literal(label))
                xpath = " | ".join(f".//{kind}[{condition}]" for kind in kinds)
                for element in scope.find_elements(By.XPATH, xpath):
                    if element.is_displayed() and element.is_enabled():
                        return element
        return None

    def click(self, *labels, within=None, timeout=WAIT):
        """Click the first visible link or button whose text (or value, or aria-label) is one of
        `labels` (several spellings: the Italian catalogue may not have a new string yet)."""
        deadline = time.monotonic() + timeout
        while True:
            element = self._clickable(labels, within)
            if element is not None:
                self._press(element)
                self.settle()
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing to click labelled {labels!r} on {self.driver.current_url}")
            time.sleep(0.2)

    def _press(self, element):
        from selenium.common.exceptions import ElementClickInterceptedException

        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        for _ in range(10):
            try:
                element.click()
                return
            except ElementClickInterceptedException:
                time.sleep(0.3)  # a message or an animation still covers it
        raise AssertionError(f"{element.text!r} stays covered on {self.driver.current_url}")

    def can_click(self, *labels, within=None) -> bool:
        return self._clickable(labels, within) is not None

    def reload_until_clickable(self, *labels, reloads=20) -> bool:
        """What a person does while something is prepared in the background: reload and look."""
        for _ in range(reloads):
            if self.can_click(*labels):
                return True
            time.sleep(1)
            self.driver.refresh()
            self.settle()
        return self.can_click(*labels)

    def field(self, *labels, timeout=WAIT):
        """The form field whose <label> (or aria-label, or placeholder) says one of `labels`."""
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + timeout
        while True:
            for label in labels:
                literal = _xpath_literal(label)
                exact = self.driver.find_elements(
                    By.XPATH, f"//label[normalize-space(translate(., '*', ''))={literal}]"
                )
                for tag in exact or self.driver.find_elements(
                    By.XPATH, f"//label[starts-with(normalize-space(.),{literal})]"
                ):
                    target = tag.get_attribute("for")
                    if target:
                        # The control in the label's own form first: two forms of a page may
                        # repeat an id (the browser would then pick the first of the page).
                        found = tag.find_elements(
                            By.XPATH, f"ancestor::form[1]//*[@id={_xpath_literal(target)}]"
                        ) or self.driver.find_elements(By.ID, target)
                        if found:
                            return found[0]
                    inner = tag.find_elements(By.CSS_SELECTOR, "input, select, textarea")
                    if inner:
                        return inner[0]
                found = self.driver.find_elements(
                    By.XPATH, f"//*[@aria-label={literal} or @placeholder={literal}][self::input or self::textarea]"
                )
                if found:
                    return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no field labelled {labels!r} on {self.driver.current_url}")
            time.sleep(0.2)

    def type(self, labels, value):
        """Type `value` into the field labelled `labels` (a string or a tuple of spellings)."""
        element = self.field(*((labels,) if isinstance(labels, str) else labels))
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        if element.get_attribute("type") != "file":
            element.clear()
        element.send_keys(str(value))
        return element

    def choose(self, labels, option_text):
        from selenium.webdriver.support.select import Select

        element = self.field(*((labels,) if isinstance(labels, str) else labels))
        Select(element).select_by_visible_text(option_text)

    def settle(self):
        """Wait for the page the click led to (or for the same page to be ready)."""
        time.sleep(0.3)
        deadline = time.monotonic() + WAIT
        while self.driver.execute_script("return document.readyState") != "complete":
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)

    def sign_in(self, username, password=PASSWORD):
        """Through the real sign-in form, as a person does (django-axes counts failures)."""
        self.driver.delete_all_cookies()
        self.open("/admin/login/")
        self.type(("Nome utente", "Username"), username)
        self.type(("Password",), password)
        self.click("Accedi", "Sign in")
        self.see("Esci", "Sign out", "Account")

    def menu(self, *path):
        """Open an item of the admin's side menu: menu("Bandi e fondi", "Domande")."""
        from selenium.webdriver.common.by import By

        sidebar = self.driver.find_element(By.CSS_SELECTOR, "#wagtail-sidebar, aside")
        for step in path:
            self.click(step, within=sidebar)

    def screenshot_for_guide(self, name):
        """A small picture of the page for docs/USER_GUIDE.md, when PUSH_GUIDE_SCREENSHOTS=1."""
        if os.environ.get("PUSH_GUIDE_SCREENSHOTS") != "1":
            return
        from io import BytesIO

        from PIL import Image

        GUIDE.mkdir(parents=True, exist_ok=True)
        image = Image.open(BytesIO(self.driver.get_screenshot_as_png())).convert("RGB")
        image.thumbnail((1024, 1024))
        image = image.quantize(colors=64)  # a few tens of KB: screens are flat colours
        image.save(GUIDE / f"{name}.png", optimize=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"
