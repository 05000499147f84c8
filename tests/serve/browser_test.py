#!/usr/bin/python3
"""The review server in a real browser: Debian's Chromium driven by chromedriver (Selenium).

Makes an output folder of fixture cases (intake-serve-fixture, one of them with markup in the
patient's name), adds a clerk with `intake user add`, starts `intake serve` on a free port, then:
logs in through the form, checks that the markup is shown as text and ran no script, jumps to the
next case to review with the keyboard (n), opens a needs_review case, accepts its requirement
with the keyboard (a, a reason, Enter), sees the verdict change to complete, and checks that
`intake audit CASE` shows the decision and `intake audit --verify` passes. With --sample, a real
submission is processed into the same folder first, and its case page must show each page image
with the boxes of the facts' words and of the classification's keywords over it. Then an admin
adds a user on the user page, and that user logs in. Screenshots of the case page before and
after, of the page images and of the user page are kept in WORK/ for a look.

Usage: browser_test.py --intake BIN --fixture BIN --work DIR [--sample SUBMISSION]
Exit codes: 0 pass, 1 a check failed, 77 Chromium, chromedriver or python3-selenium missing.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
CASES = 11  # fixture cases in the list (+1 with --sample)
PASSWORD = "clerk-password-1"
ADMIN_PASSWORD = "admin-password-1"
failures = 0


def check(ok, what, detail=""):
    global failures
    print(f"  {'ok' if ok else 'FAIL':6} {what}{': ' + str(detail) if detail else ''}", flush=True)
    if not ok:
        failures += 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return True
        except Exception:  # not up yet
            time.sleep(0.2)
    return False


def make_driver(profile_dir):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                f"--user-data-dir={profile_dir}", "--window-size=1280,1800", "--lang=ja"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def wait_for_next_page(driver, action):
    """Runs an action that loads a new page (a click on a link or a form's button, Enter in a
    form) and waits until the old page is gone: the action returns before the browser has
    navigated, so a check made at once races with the server's answer."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(page))


def log_in(driver, base, user="clerk1", password=PASSWORD):
    from selenium.webdriver.common.by import By

    driver.get(base + "/cases")
    check(driver.current_url.endswith("/login"), "without a session the list sends to the login")
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    wait_for_next_page(driver, driver.find_element(By.ID, "login").click)
    check(driver.current_url.endswith("/cases"), f"{user} logged in, on the case list",
          driver.current_url)


def log_out(driver):
    from selenium.webdriver.common.by import By

    button = driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button")
    wait_for_next_page(driver, button.click)
    check(driver.current_url.endswith("/login"), "logged out")


def check_page_images(driver, base, case_id, work):
    from selenium.webdriver.common.by import By

    driver.get(base + "/cases/" + case_id)
    views = driver.find_elements(By.CSS_SELECTOR, "section.page-view")
    check(len(views) >= 2, "the case page shows the page images", len(views))
    facts = driver.find_elements(By.CSS_SELECTOR, "section.page-view svg.overlay rect.box-fact")
    words = driver.find_elements(By.CSS_SELECTOR, "section.page-view svg.overlay rect.box-class")
    check(len(facts) > 0, "boxes of the facts' words are drawn on the images", len(facts))
    check(len(words) > 0, "boxes of the classification's keywords are drawn", len(words))
    for image in driver.find_elements(By.CSS_SELECTOR, "section.page-view img"):  # lazy images
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)
        for _ in range(50):
            if driver.execute_script("return arguments[0].complete", image):
                break
            time.sleep(0.1)
    loaded = driver.execute_script(
        "return Array.from(document.querySelectorAll('section.page-view img'))"
        ".filter(function (i) { return i.complete && i.naturalWidth > 0; }).length")
    check(loaded == len(views), "every page image loaded behind the login", f"{loaded}/{len(views)}")
    box = facts[0].rect if facts else {"width": 0}
    check(box["width"] > 0, "a fact box has a size on the screen", box)
    if facts:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", facts[0])
    driver.save_screenshot(os.path.join(work, "case_page_images.png"))


def admin_adds_user(driver, base, work):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    log_out(driver)
    log_in(driver, base, "admin1", ADMIN_PASSWORD)
    wait_for_next_page(driver, driver.find_element(By.ID, "users-link").click)
    form = driver.find_element(By.ID, "add-user")
    form.find_element(By.NAME, "name").send_keys("clerk2")
    Select(form.find_element(By.NAME, "role")).select_by_value("clerk")
    form.find_element(By.NAME, "password").send_keys("clerk2-password")
    wait_for_next_page(driver, form.find_element(By.TAG_NAME, "button").click)
    check(len(driver.find_elements(By.ID, "saved")) == 1, "the user page says the user was added")
    check(len(driver.find_elements(By.ID, "user-clerk2")) == 1, "clerk2 is listed")
    check("clerk2-password" not in driver.page_source, "the password is not echoed")
    driver.save_screenshot(os.path.join(work, "users_page.png"))
    log_out(driver)
    log_in(driver, base, "clerk2", "clerk2-password")
    driver.get(base + "/admin/users")
    check("403" in driver.page_source, "a clerk may not open the user page")


def check_list(driver, base, markup_id, work):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.save_screenshot(os.path.join(work, "case_list.png"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#cases tbody tr")
    check(len(rows) == CASES, "the list shows every case", len(rows))
    check(driver.title != "pwned", "markup in a patient's name ran no script", driver.title)
    names = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#cases td.name")]
    check(any("<script>" in n for n in names), "the markup is shown as text")
    search = driver.find_element(By.ID, "q")
    search.send_keys("やまだ" + Keys.ENTER)  # hiragana finds the katakana reading
    # The search is a GET of the list: wait for the new page before counting its rows.
    for _ in range(100):
        found = driver.find_elements(By.CSS_SELECTOR, "#cases tbody tr")
        if "q=" in driver.current_url and len(found) < CASES:
            break
        time.sleep(0.1)
    check(0 < len(found) < CASES, "search by reading narrows the list", len(found))
    driver.get(base + "/cases/" + markup_id)
    check(driver.title != "pwned", "the case page of the markup case ran no script")
    driver.get(base + "/cases")
    body = driver.find_element(By.TAG_NAME, "body")
    wait_for_next_page(driver, lambda: body.send_keys("n"))
    verdict = driver.find_element(By.ID, "verdict").get_attribute("data-verdict")
    check(verdict == "needs_review", "key n opens the next case to review", driver.current_url)


def decide(driver, base, case_id, work):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(base + "/cases/" + case_id)
    verdict = driver.find_element(By.ID, "verdict")
    check(verdict.get_attribute("data-verdict") == "needs_review", "the case needs review")
    driver.save_screenshot(os.path.join(work, "case_page_before.png"))
    todo = driver.find_element(By.CSS_SELECTOR, "tr.item.todo.current")
    check(todo.get_attribute("id") == "req-consent_form", "the item to review is marked",
          todo.get_attribute("id"))
    driver.find_element(By.TAG_NAME, "body").send_keys("a")  # accept: present, reason focused
    active = driver.switch_to.active_element
    check(active.get_attribute("name") == "reason", "key a focuses the reason")
    wait_for_next_page(driver, lambda: active.send_keys("署名を確認しました" + Keys.ENTER))
    check(len(driver.find_elements(By.ID, "saved")) == 1, "the decision was saved")
    verdict = driver.find_element(By.ID, "verdict")
    check(verdict.get_attribute("data-verdict") == "complete", "the verdict changed to complete",
          verdict.get_attribute("data-verdict"))
    check("完備" in verdict.text, "the verdict word is 完備", verdict.text)
    audit = driver.find_element(By.ID, "audit").text
    check("review_decision" in audit and "consent_form needs_review → present" in audit,
          "the page's audit trail shows the decision")
    status = driver.find_element(By.CSS_SELECTOR, "#req-consent_form .badge").text
    check(status == "提出あり", "the requirement shows 提出あり", status)
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.path.join(work, "case_page.png"))


def check_audit(intake, out, case_id):
    records = [json.loads(line) for line in open(os.path.join(out, "audit.log"))]
    added = [r for r in records if r["event"] == "user_changed"]
    check(len(added) == 0 or (added[-1]["details"]["user"] == "clerk2"
                              and added[-1]["details"]["by"] == "admin1"),
          "the audit trail records who added whom")
    shown = subprocess.run([intake, "audit", case_id, "--out", out], capture_output=True, text=True)
    check("review_decision" in shown.stdout and "clerk1" in shown.stdout,
          "intake audit shows the decision")
    verified = subprocess.run([intake, "audit", "--verify", "--out", out], capture_output=True)
    check(verified.returncode == 0, "intake audit --verify passes", verified.returncode)
    decisions = json.load(open(os.path.join(out, case_id, "decisions.json")))
    check(len(decisions) == 1 and decisions[0]["user"] == "clerk1", "decisions.json holds it")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--intake", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--sample")
    args = parser.parse_args()
    global CASES
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("SKIP: python3-selenium is not installed (scripts/setup.sh)")
        return SKIP
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        print("SKIP: chromium or chromedriver is not installed (scripts/setup.sh)")
        return SKIP
    shutil.rmtree(args.work, ignore_errors=True)
    out = os.path.join(args.work, "out")
    os.makedirs(out)
    made = subprocess.run([args.fixture, out, "10", "--markup"], capture_output=True, text=True,
                          check=True)
    ids = dict(line.split() for line in made.stdout.splitlines())
    CASES = 11
    if args.sample:
        processed = subprocess.run([args.intake, "process", args.sample, "--out", out],
                                   capture_output=True, text=True, check=True)
        ids["sample"] = processed.stdout.split()[1]
        CASES += 1
    subprocess.run([args.intake, "user", "add", "clerk1", "--role", "clerk", "--out", out],
                   input=PASSWORD + "\n", text=True, check=True)
    subprocess.run([args.intake, "user", "add", "admin1", "--role", "admin", "--out", out],
                   input=ADMIN_PASSWORD + "\n", text=True, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([args.intake, "serve", "--out", out, "--listen",
                               f"127.0.0.1:{port}"])
    profile_dir = tempfile.mkdtemp(prefix="intake-chromium-")
    driver = None
    try:
        check(wait_for(base + "/login"), "intake serve answers")
        driver = make_driver(profile_dir)
        log_in(driver, base)
        check_list(driver, base, ids["markup"], args.work)
        decide(driver, base, ids["needs_review"], args.work)
        if args.sample:
            check_page_images(driver, base, ids["sample"], args.work)
        admin_adds_user(driver, base, args.work)
        check_audit(args.intake, out, ids["needs_review"])
    finally:
        if driver:
            driver.quit()
        server.terminate()
        check(server.wait(timeout=20) == 0, "intake serve stops on SIGTERM with 0")
        shutil.rmtree(profile_dir, ignore_errors=True)
    print("browser test:", "FAIL" if failures else "ok", f"(screenshots in {args.work})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
