#!/usr/bin/env python
"""Content-Security-Policy check: the public site and the Wagtail admin, loaded in Debian's
headless Chromium, log no CSP violation. Exits 1 on any violation, printing them.

The header alone proves nothing about the pages: a policy that the site's own markup breaks
shows as a page without styles or scripts, reported only in the browser's console. This loads
the home page (rendered, then from the page cache), every public page type, the search and the
accreditation form, then signs in to the admin as the demo regional administrator and opens
the dashboard, lists, and edit forms (an entity, a page, a call: date pickers, rich text,
inline panels), reading Chromium's console after each.

Built on the same throw-away site as scripts/check_accessibility.py.

    .venv/bin/python scripts/check_csp.py
"""

import subprocess
import sys
from pathlib import Path

from check_accessibility import CHROMEDRIVER, CHROMIUM, headless_chromium, page_urls
from demo_site import ROOT, free_port, serving, throwaway_site

DEMO_ADMIN, DEMO_PASSWORD = "regione.admin", "push-demo-2026"
IDS = (
    "from registry.models import Entity; from cms.models import HomePage, NoticePage; from calls.models import Call; "
    "print(Entity.objects.get(code='072006').pk, HomePage.objects.get().pk, NoticePage.objects.first().pk, "
    "Call.objects.order_by('-year').first().pk)"
)


def main() -> int:
    missing = [str(path) for path in (Path(CHROMIUM), Path(CHROMEDRIVER)) if not path.exists()]
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    with throwaway_site() as env:
        ids = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", IDS], cwd=ROOT, env=env, check=True, capture_output=True
        )
        # The last line: apps may print their own banners first.
        entity, home, notice, call = ids.stdout.decode().strip().splitlines()[-1].split()
        admin_urls = [
            "/admin/",
            "/admin/registry/entity/",
            f"/admin/registry/entity/edit/{entity}/",
            "/admin/registry/unit/",
            f"/admin/pages/{home}/",
            f"/admin/pages/{notice}/edit/",
            f"/admin/pages/{home}/edit/",
            "/admin/calls/call/",
            f"/admin/calls/call/edit/{call}/",
            "/admin/users/",
        ]
        port = free_port()
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"]
        with serving(command, env, port) as base:
            return check(base, admin_urls)


def violations(driver) -> list[str]:
    return [
        entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry.get("message", "")
    ]


def visit(driver, base, url, found, label=None) -> None:
    driver.get(url if url.startswith("http") else base + url)
    problems = violations(driver)
    name = label or url.replace(base, "")
    print(f"{'FAIL' if problems else 'ok  '} {name}")
    if problems:
        found[name] = problems


def check(base, admin_urls) -> int:
    from selenium.webdriver.common.by import By

    driver = headless_chromium(console_log=True)
    found = {}
    try:
        public = page_urls(base)
        visit(driver, base, base + "/", found, "/ (rendered)")
        visit(driver, base, base + "/", found, "/ (from the page cache)")
        for url in public:
            visit(driver, base, url, found)

        driver.get(base + "/admin/login/")
        violations(driver)  # read below, after signing in: the login page is checked on its own
        visit(driver, base, "/admin/login/", found)
        driver.find_element(By.ID, "id_username").send_keys(DEMO_ADMIN)
        driver.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        if "/admin/login/" in driver.current_url:
            print("could not sign in to the admin as the demo administrator", file=sys.stderr)
            return 1
        for url in admin_urls:
            visit(driver, base, url, found)
    finally:
        driver.quit()
    if found:
        for page, problems in found.items():
            print(f"\n{page}:")
            for problem in problems:
                print(f"  {problem}")
        print(f"csp: {sum(len(v) for v in found.values())} violations on {len(found)} pages", file=sys.stderr)
        return 1
    print(f"csp: no violations on {len(public) + 3 + len(admin_urls)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
