#!/usr/bin/env python
"""Accessibility check of the public site: every page type, in Debian's headless Chromium,
with axe-core (WCAG 2.1 A and AA rules). Exits 1 on any violation, printing them.

It builds a throw-away site (a temporary SQLite database with the demo content), serves it
with Django's server, and visits one page of each type plus the search, the accreditation form
(empty and with errors), an English page and the 404 page.

Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium, chromium-driver)
and node_modules/axe-core (npm ci).

    .venv/bin/python scripts/check_accessibility.py
"""

import json
import shutil
import sys
import time
import urllib.request
from pathlib import Path

from demo_site import free_port, serving, throwaway_site  # the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
RULESETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def main() -> int:
    missing = [str(path) for path in (AXE, Path(CHROMIUM), Path(CHROMEDRIVER)) if not path.exists()]
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    with throwaway_site() as env:
        port = free_port()
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"]
        with serving(command, env, port) as base:
            return check(base)


def page_urls(base) -> list[str]:
    """One live page of each type, found through the headless API."""
    urls = []
    for page_type in (
        "cms.HomePage",
        "cms.NoticeIndexPage",
        "cms.NoticePage",
        "cms.CallGuidelinePage",
        "cms.FaqIndexPage",
        "cms.StandardPage",
    ):
        with urllib.request.urlopen(f"{base}/api/v2/pages/?type={page_type}&limit=1") as response:
            items = json.load(response)["items"]
        if not items:
            raise SystemExit(f"no live page of type {page_type} in the demo content")
        urls.append(items[0]["meta"]["html_url"].replace("http://localhost", base))
    notices = next(url for url in urls if url.rstrip("/").endswith("avvisi"))
    return urls + [
        notices + "?categoria=bandi",
        f"{base}/cerca/?q=bando",
        f"{base}/accreditamento/",
        f"{base}/en/faq/",
        f"{base}/pagina-che-non-esiste/",
    ]


def run_axe(driver) -> list[dict]:
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', description: String(e), nodes: []}]));",
        RULESETS,
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation.get("impact"),
            "help": violation.get("help") or violation.get("description"),
            "where": [node.get("target") for node in violation.get("nodes", [])][:5],
        }
        for violation in result
    ]


def headless_chromium(*, console_log=False):
    """Debian's Chromium, headless, driven by Debian's chromedriver (also scripts/check_csp.py,
    which reads the console for Content-Security-Policy violations)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1024",
    ):
        options.add_argument(argument)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    return driver


def check(base) -> int:
    from selenium.webdriver.common.by import By

    driver = headless_chromium()
    found = {}
    try:
        urls = page_urls(base)
        for url in urls:
            driver.get(url)
            problems = run_axe(driver)
            print(f"{'FAIL' if problems else 'ok  '} {url.replace(base, '')}")
            if problems:
                found[url.replace(base, "")] = problems
        # The accreditation form after a failed submission: errors must be announced properly.
        driver.get(f"{base}/accreditamento/")
        driver.find_element(By.ID, "id_fiscal_code").send_keys("RSSMRA85T10A562T")
        driver.execute_script("document.querySelector('main form').requestSubmit()")
        time.sleep(0.5)
        problems = run_axe(driver)
        print(f"{'FAIL' if problems else 'ok  '} /accreditamento/ (with errors)")
        if problems:
            found["/accreditamento/ (with errors)"] = problems
    finally:
        driver.quit()
    if found:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        print(f"accessibility: {sum(len(v) for v in found.values())} violations on {len(found)} pages", file=sys.stderr)
        return 1
    print(f"accessibility: no violations on {len(urls) + 1} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
