# SPDX-License-Identifier: GPL-2.0-or-later
# web_browser.py - drives headless chromium (chromium-driver, Debian's
# python3-selenium) through bmsub-web behind nginx, for
# tests/sh/web_browser.sh. Prints "ok: DESC" or "FAIL: DESC" per check.
#
#   web_browser.py URL SHOTS_DIR STEP...
# Steps are run in order; the shell script changes the license in between
# by calling this once per phase:
#   grace-user      alice on the webmail sees the banner (shot webmail-banner)
#   blocked-user    alice sees the message page (shot denied)
#   blocked-admin   admin0 on the webmail lands on the subscription page
#   add-recipient   admin0 adds ops@example.com: the banner goes
#   install=FILE    admin0 pastes FILE: the page shows ok (shot subscription)
#   upload=FILE     admin0 uploads FILE through the file field: installed
import base64
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

url, shots = sys.argv[1], sys.argv[2]
fails = 0


def check(cond, desc):
    global fails
    print(("ok: " if cond else "FAIL: ") + desc, flush=True)
    if not cond:
        fails += 1


def browser(user):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1000,1300",
              "--no-first-run", "--disable-extensions"):
        o.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(20)
    auth = base64.b64encode(("%s:secret" % user).encode()).decode()
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                      {"headers": {"Authorization": "Basic " + auth}})
    return d


def find(d, css):
    e = d.find_elements(By.CSS_SELECTOR, css)
    return e[0] if e else None


def submit(d, css):
    """Clicks a form's button and waits for the answer page: click() may
    return before the browser has left the old page (then the checks read
    the page that was, not the answer)."""
    old = d.find_element(By.TAG_NAME, "html")
    find(d, css).click()
    WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))


def shot(d, name):
    h = d.execute_script("return document.documentElement.scrollHeight")
    d.set_window_size(1000, max(600, min(int(h) + 40, 3000)))
    d.save_screenshot("%s/%s.png" % (shots, name))


for step in sys.argv[3:]:
    if step == "grace-user":
        d = browser("alice")
        d.get(url + "/webmail/")
        b = find(d, "#bmsub-banner")
        check(b is not None and b.is_displayed(), "grace: alice sees the banner")
        check(b is not None and b.location["y"] <= 1, "grace: banner at the top")
        check(find(d, "#inbox") is not None, "grace: the webmail is there")
        shot(d, "webmail-banner")
        d.quit()
    elif step == "blocked-user":
        d = browser("alice")
        d.get(url + "/webmail/")
        m = find(d, "#message")
        check(m is not None and "suspended" in m.text, "blocked: alice sees the message page")
        check(find(d, "#inbox") is None, "blocked: no webmail")
        shot(d, "denied")
        d.quit()
    elif step == "blocked-admin":
        d = browser("admin0")
        d.get(url + "/webmail/")
        check(d.current_url == url + "/bmsub/", "blocked: admin0 redirected to the page (%s)" % d.current_url)
        p = find(d, "#phase")
        check(p is not None and p.text == "blocked", "blocked: the page says blocked")
        d.quit()
    elif step == "add-recipient":
        d = browser("admin0")
        d.get(url + "/bmsub/")
        b = find(d, "#banner-admins")
        check(b is not None and "recipient" in b.text, "the no-recipient banner is shown")
        find(d, "#address").send_keys("ops@example.com")
        submit(d, "#add")
        n = find(d, "#notice")
        check(n is not None and "added ops@example.com" in n.text, "the page says added")
        b = find(d, "#banner-admins")
        check(b is None or "recipient" not in b.text, "the no-recipient banner is gone")
        check("ops@example.com" in find(d, "#recipients").text, "recipient listed")
        d.get(url + "/bmsub/")
        b = find(d, "#banner-admins")
        check(b is None or "recipient" not in b.text, "still gone at the next page")
        d.quit()
    elif step.startswith("install="):
        text = open(step[8:], encoding="utf-8").read()
        d = browser("admin0")
        d.get(url + "/bmsub/")
        d.execute_script("arguments[0].value = arguments[1]", find(d, "#license"), text)
        submit(d, "#install")
        n = find(d, "#notice")
        check(n is not None and "installed" in n.text, "the page says installed")
        p = find(d, "#phase")
        check(p is not None and p.text == "ok", "the page shows ok")
        shot(d, "subscription")
        d.quit()
    elif step.startswith("upload="):
        d = browser("admin0")
        d.get(url + "/bmsub/")
        find(d, "#license_file").send_keys(step[7:])
        submit(d, "#install")
        n = find(d, "#notice")
        check(n is not None and "installed" in n.text, "the uploaded file is installed")
        d.quit()
    else:
        check(False, "unknown step " + step)
sys.exit(1 if fails else 0)
