#!/usr/bin/env python
"""Accessibility check of the public site and of the officers' admin screens, in Debian's
headless Chromium, with axe-core (WCAG 2.1 A and AA rules). Exits 1 on any violation, printing
them, except the known ones inside Wagtail's own admin (WAGTAIL_KNOWN, listed in
docs/ACCESSIBILITY.md), which are printed as "known" and do not fail the check.

It builds a throw-away site (a temporary SQLite database with the demo content), serves it
with Django's server, and visits one page of each type plus the search, the accreditation form
(empty and with errors), an English page and the 404 page; then it signs in through the real
form as the demo officers and visits their main screens (ADMIN_SCREENS), found by following the
links a person would follow.

Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium, chromium-driver)
and node_modules/axe-core (npm ci).

    .venv/bin/python scripts/check_accessibility.py [http://127.0.0.1:8000]  (a running demo site)
"""

import json
import re
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
DEMO_PASSWORD = "push-demo-2026"

# Violations inside Wagtail's own admin markup (not our templates): (rule, a fragment of the
# offending element's selector). Reported, not failed; docs/ACCESSIBILITY.md lists them.
WAGTAIL_KNOWN: list[tuple[str, str]] = [
    # wagtail-modeladmin's inspect footer (modeladmin/inspect.html, ButtonHelper) draws "Modifica"
    # as button-secondary, teal on the footer's purple (2.9:1). Our unit page overrides the footer.
    ("color-contrast", 'class="button button-secondary" title="'),
    # Wagtail's tag field (jQuery tag-it) adds a text input of its own, without a label, beside the
    # labelled hidden field it fills ("Categorie" of a notice).
    ("label", 'class="ui-widget-content ui-autocomplete-input"'),
]


def main() -> int:
    missing = [str(path) for path in (AXE, Path(CHROMIUM), Path(CHROMEDRIVER)) if not path.exists()]
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    if len(sys.argv) > 1:
        return check(sys.argv[1].rstrip("/"))
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
    # The public dashboard: charts, their data tables and the filters (also applied).
    with urllib.request.urlopen(
        f"{base}/api/v2/pages/?type=dashboards.DashboardPage&slug=patrimonio-erp-in-puglia&limit=1"
    ) as response:
        items = json.load(response)["items"]
    if not items:
        raise SystemExit("no live public dashboard in the demo content")
    dashboard = items[0]["meta"]["html_url"].replace("http://localhost", base)
    return urls + [
        dashboard,
        dashboard + "?province=BA",
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
            "html": [node.get("html", "")[:200] for node in violation.get("nodes", [])][:5],
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


def sign_in(driver, base, username) -> None:
    """Through the real sign-in form (django-axes counts failures: the right password only)."""
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{base}/admin/login/")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login-form button[type=submit]").click()
    for _ in range(100):
        if "/admin/login/" not in driver.current_url:
            return
        time.sleep(0.1)
    raise SystemExit(f"could not sign in as {username}")


def first_link(driver, fragment, text=None) -> str | None:
    """The address of the first link on the page whose address contains `fragment` (and whose
    row shows `text`): how a person goes from a list to one of its items."""
    from selenium.webdriver.common.by import By

    for link in driver.find_elements(By.CSS_SELECTOR, "main a[href], #main a[href]"):
        href = link.get_attribute("href") or ""
        if fragment in href:
            row = link.find_elements(By.XPATH, "ancestor::tr[1]")
            if text is None or (row and text in row[0].text):
                return href
    return None


def refused_import(driver, upload_url) -> str | None:
    """Send the import form a units file with a wrong row and return the report's address: the
    report with its table of problems is the screen an officer reads most."""
    import tempfile

    from selenium.webdriver.common.by import By

    driver.get(upload_url)
    header = "ID alloggio proprietario;Codice ISTAT Comune;Indirizzo;Stato di occupazione\n"
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as units:
        units.write(header + "1;999999;Via Nessuna 1;abitato\n")
    driver.find_element(By.CSS_SELECTOR, "main input[type=file]").send_keys(units.name)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    for _ in range(100):
        if "/inspect/" in driver.current_url:
            return driver.current_url
        time.sleep(0.2)
    return None


# Links to the confirmation steps of irreversible actions (they only show a summary and a form).
CONFIRMATIONS = ("/confirm/", "/move/", "/riparto/publish/")


def confirmations(driver, page_url, person):
    """The confirmation steps offered on a page: each summary a person reads before confirming."""
    from selenium.webdriver.common.by import By

    driver.get(page_url)
    links = []
    for link in driver.find_elements(By.CSS_SELECTOR, "main a[href], #main a[href]"):
        href = link.get_attribute("href") or ""
        if any(fragment in href for fragment in CONFIRMATIONS) and href not in links:
            links.append(href)
    for href in links:
        yield person, "confirmation step " + "/".join(href.rstrip("/").rsplit("/", 2)[-2:]), href


def exists(driver, url) -> bool:
    driver.get(url)
    return not any(marker in driver.title.lower() for marker in ("404", "non trovata", "not found"))


def admin_screens(driver, base):
    """The officers' main screens, as (person, screen, address): each found from the one before."""
    sign_in(driver, base, "sudsalento.referente")
    yield "sudsalento.referente", "home", "/admin/"
    yield "sudsalento.referente", "unit list", "/admin/registry/unit/"
    yield "sudsalento.referente", "unit page", first_link(driver, "/admin/registry/unit/inspect/")
    driver.get(f"{base}/admin/registry/unit/")
    yield "sudsalento.referente", "unit form", first_link(driver, "/admin/registry/unit/edit/")
    yield "sudsalento.referente", "building list", "/admin/registry/building/"
    yield "sudsalento.referente", "building page", first_link(driver, "/admin/registry/building/inspect/")
    yield "sudsalento.referente", "import list", "/admin/registry/importjob/"
    upload = first_link(driver, "/admin/registry/importjob/create/")
    yield "sudsalento.referente", "import upload", upload
    yield "sudsalento.referente", "import report (refused file)", refused_import(driver, upload)
    yield "sudsalento.referente", "yearly snapshots", "/admin/registry/stocksnapshot/"

    sign_in(driver, base, "bari.referente")
    yield "bari.referente", "submission list", "/admin/calls/submission/"
    draft = first_link(driver, "/admin/calls/submission/inspect/", "Bozza")
    yield "bari.referente", "draft submission", draft
    yield from confirmations(driver, draft, "bari.referente")
    # The summary before sending, even while the draft still misses something (it says what).
    summary = re.sub(r"/inspect/(\d+)/$", r"/\1/confirm/submit/", draft)
    if exists(driver, summary):
        yield "bari.referente", "summary before sending", summary

    sign_in(driver, base, "regione.istruttore")
    yield "regione.istruttore", "home", "/admin/"
    yield "regione.istruttore", "submission list", "/admin/calls/submission/"
    yield "regione.istruttore", "accepted submission", first_link(driver, "/admin/calls/submission/inspect/", "Accolta")
    driver.get(f"{base}/admin/calls/submission/")
    waiting = first_link(driver, "/admin/calls/submission/inspect/", "Inviata")
    if waiting:
        yield "regione.istruttore", "submission to review", waiting
        yield from confirmations(driver, waiting, "regione.istruttore")
    if exists(driver, f"{base}/admin/calls/review-queue/"):
        yield "regione.istruttore", "review queue", "/admin/calls/review-queue/"

    sign_in(driver, base, "regione.redattore")
    yield "regione.redattore", "page tree", "/admin/pages/"
    notices = first_link(driver, "/admin/pages/", "Avvisi")
    yield "regione.redattore", "notice form", notices and notices.replace("/edit/", "/add_subpage/")

    sign_in(driver, base, "regione.admin")
    yield "regione.admin", "user guide", "/admin/guida/"
    yield "regione.admin", "call list", "/admin/calls/call/"
    call = first_link(driver, "/admin/calls/call/inspect/", "2024")
    yield "regione.admin", "call page", call
    yield "regione.admin", "riparto (published)", first_link(driver, "/riparto/")
    driver.get(f"{base}/admin/calls/call/")
    open_call = first_link(driver, "/admin/calls/call/inspect/", "locazioni – annualità 2025")
    yield "regione.admin", "open call page", open_call
    yield "regione.admin", "riparto (open call)", first_link(driver, "/riparto/")
    yield from confirmations(driver, open_call, "regione.admin")


def known_in_wagtail(problem) -> bool:
    return any(
        problem["rule"] == rule and problem.get("html") and all(fragment in html for html in problem["html"])
        for rule, fragment in WAGTAIL_KNOWN
    )


def check(base) -> int:
    from selenium.webdriver.common.by import By

    driver = headless_chromium()
    found, known = {}, {}
    checked = 0
    try:
        urls = page_urls(base)
        for url in urls:
            driver.get(url)
            problems = run_axe(driver)
            checked += 1
            print(f"{'FAIL' if problems else 'ok  '} {url.replace(base, '')}")
            if problems:
                found[url.replace(base, "")] = problems
        # The accreditation form after a failed submission: errors must be announced properly.
        driver.get(f"{base}/accreditamento/")
        driver.find_element(By.ID, "id_fiscal_code").send_keys("RSSMRA85T10A562T")
        driver.execute_script("document.querySelector('main form').requestSubmit()")
        time.sleep(0.5)
        problems = run_axe(driver)
        checked += 1
        print(f"{'FAIL' if problems else 'ok  '} /accreditamento/ (with errors)")
        if problems:
            found["/accreditamento/ (with errors)"] = problems

        for person, screen, url in admin_screens(driver, base):
            name = f"{person}: {screen}"
            if not url:
                found[name] = [{"rule": "not-found", "help": "no link to this screen", "where": []}]
                print(f"FAIL {name} (no link to it)")
                continue
            driver.get(url if url.startswith("http") else base + url)
            problems = run_axe(driver)
            checked += 1
            ours = [problem for problem in problems if not known_in_wagtail(problem)]
            theirs = [problem for problem in problems if known_in_wagtail(problem)]
            label = f"{name} {driver.current_url.replace(base, '')}"
            print(f"{'FAIL' if ours else 'known' if theirs else 'ok  '} {label}")
            if ours:
                found[label] = ours
            if theirs:
                known[label] = theirs
    finally:
        driver.quit()
    if known:
        print("known violations inside Wagtail's admin (docs/ACCESSIBILITY.md):")
        print(json.dumps(known, indent=2, ensure_ascii=False))
    if found:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        print(f"accessibility: {sum(len(v) for v in found.values())} violations on {len(found)} pages", file=sys.stderr)
        return 1
    print(f"accessibility: no violations on {checked} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
