#!/usr/bin/env python3
"""The board in a real browser (Debian's chromium, chromium-driver and
python3-selenium), against a running engine.

usage: board_selenium.py URL PASSWORD CUT_SCRIPT PROFILE_DIR SHOTS_DIR

Opens the board with no tickets, logs in as op1, runs CUT_SCRIPT (which
sends a fibre cut into the engine) and sees the incident appear without a
reload; sees a running clock's text change; acknowledges the incident with a
note and finds op1 and the note in its history; adds a maintenance window
from the form as adm1 (op1 is refused) and sees it listed; sees the cut span
drawn as cut on the map and the rest of its ring unprotected; switches the
labels to English and finds them remembered after a reload; and at a phone's
width finds the wide columns hidden. Screenshots of the board and the map go
to SHOTS_DIR. Every wait is bounded (WebDriverWait); the browser runs
headless with a private profile and is stopped by PID at the end."""
import datetime
import os
import signal
import subprocess
import sys
import zoneinfo

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

URL, PASSWORD, CUT_SCRIPT, PROFILE, SHOTS = sys.argv[1:6]
WAIT_S = 90  # generous: two shared cores, an engine and a browser


def start_browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--lang=zh-CN", "--window-size=1280,900",
                "--user-data-dir=" + PROFILE):
        opts.add_argument(arg)
    # navigator.language: the board's labels default to it
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"),
                      log_path=PROFILE + ".driver.log")
    return webdriver.Chrome(options=opts, service=service), service


def browser_pids():
    """Processes started with our private profile: the browser and its helpers."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                if ("--user-data-dir=" + PROFILE).encode() in f.read():
                    pids.append(int(entry))
        except OSError:
            pass
    return pids


def stop(driver, service):
    try:
        driver.quit()
    except Exception:  # the session may be gone already; the PIDs below still go
        pass
    for pid in browser_pids() + ([service.process.pid] if service.process else []):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait(driver, cond, what):
    try:
        # the board redraws its rows when the store changes: an element read
        # a moment ago may be gone, and the next poll reads the new one
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.2,
                             ignored_exceptions=(StaleElementReferenceException,)).until(cond)
    except Exception:
        err = driver.find_element(By.ID, "error").text
        raise AssertionError("%s never happened (board error: %r)" % (what, err))


def css(driver, sel):
    return driver.find_elements(By.CSS_SELECTOR, sel)


def text_when(driver, sel, what):
    """The text of the first element sel selects, read inside the wait: the
    board redraws its lists as it polls, and an element found before a
    redraw is stale by the time its text is read."""
    return wait(driver, lambda d: (lambda found: found[0].text if found else None)(css(d, sel)), what)


def click(driver, sel):
    """Clicks sel in a row, found again if the row was redrawn meanwhile."""
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, sel).click() or True, "clicking " + sel)


def log_in(driver, user):
    """Reading needs a login here: the board shows its form, then loads."""
    driver.execute_script("sessionStorage.clear()")
    driver.get(URL)
    wait(driver, EC.visibility_of_element_located((By.ID, "login-btn")), "the login form")
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "pass").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-btn").click()
    wait(driver, lambda d: user in d.find_element(By.ID, "who").text, user + " logged in")
    wait(driver, lambda d: d.execute_script("return document.body.dataset.loaded") == "yes", "the board loading")


def incident_live(driver):
    driver.execute_script("window.notReloaded = 42")
    subprocess.run(["sh", CUT_SCRIPT], check=True, timeout=120)
    # read in one go in the page: the rows are redrawn as the engine writes
    read = """const r = document.querySelector("#tickets tr[id^='t-']");
        if (!r) return null;
        const t = tickets.find(x => "t-" + x.id === r.id);
        return [r.id.slice(2), r.textContent, r.querySelector("span.opened").textContent, t && t.opened];"""
    tid, text, shown, opened = wait(driver, lambda d: d.execute_script(read), "the fibre cut appearing")
    assert driver.execute_script("return window.notReloaded") == 42, "the page reloaded"
    assert "HC-YZ-R01-S02" in text, text
    # opened in the plan's zone (Asia/Shanghai), whatever the browser's (UTC here)
    want = datetime.datetime.fromisoformat(opened.replace("Z", "+00:00")).astimezone(
        zoneinfo.ZoneInfo("Asia/Shanghai")).strftime("%m/%d %H:%M:%S")
    assert shown == want, (shown, want)
    return tid


def clock_counts(driver, tid):
    sel = "#t-%s span.clock[data-deadline]" % tid
    first = text_when(driver, sel, "a running clock")
    wait(driver, lambda d: css(d, sel) and css(d, sel)[0].text != first, "the clock's text changing")


def acknowledge(driver, tid):
    driver.find_element(By.ID, "note").send_keys("王工 on the way")
    click(driver, "#t-%s button[data-verb='ack']" % tid)
    wait(driver, lambda d: css(d, "#t-%s[data-state='acknowledged']" % tid), "the acknowledgement")
    click(driver, "#t-%s a.tid" % tid)

    def acked_entry(d):
        for li in css(d, "#history li[data-what='open -> acknowledged']"):
            if "op1" in li.text and "王工 on the way" in li.text:
                return li
        return None
    wait(driver, acked_entry, "the history entry with op1 and the note")


def local_input(dt):
    return dt.strftime("%Y-%m-%dT%H:%M")


def add_window(driver, expect_refusal):
    driver.find_element(By.ID, "tab-maint").click()
    target = driver.find_element(By.ID, "m-target")
    target.clear()
    target.send_keys("HC-YZ-R01")
    wait(driver, lambda d: d.execute_script(
        "return [...document.querySelectorAll('#m-targets option')].some(o => o.value === 'HC-YZ-R01-S02')"),
        "the inventory's targets in the form")
    target.send_keys("-S02")
    wait(driver, lambda d: d.find_element(By.ID, "m-scope").get_attribute("value") == "span", "the scope of the target")
    now = datetime.datetime.now()
    driver.execute_script("document.getElementById('m-from').value = arguments[0];"
                          "document.getElementById('m-to').value = arguments[1];",
                          local_input(now + datetime.timedelta(hours=1)),
                          local_input(now + datetime.timedelta(hours=3)))
    driver.find_element(By.ID, "m-reason").send_keys("光缆割接 splice")
    driver.find_element(By.ID, "m-add").click()
    if expect_refusal:
        wait(driver, lambda d: "403" in d.find_element(By.ID, "error").text, "an operator refused a window")
        return
    row = text_when(driver, "#maint tr[data-target='HC-YZ-R01-S02']", "the window listed")
    assert "光缆割接 splice" in row and "adm1" in row, row
    # The engine runs the plan with its inventory: the window records the
    # customers of the circuits over the span (one here, 河池市电子政务外网), none
    # has consented, and it starts within the notice period: the board warns.
    item = driver.execute_script("return maint.find(m => m.target === 'HC-YZ-R01-S02')")
    assert item["consent"]["customers"] == 1 and item["consent_warning"] is True, item
    cell = text_when(driver, "#maint tr[data-target='HC-YZ-R01-S02'] .consent", "the window's consent shown")
    assert cell == "0/1", cell
    assert css(driver, "#maint tr[data-target='HC-YZ-R01-S02'] .consent-warning"), "no consent warning"


def consent_shown(driver):
    """Windows whose store keeps customers' consent: the counts, and the
    badge only where consent_warning is true."""
    got = driver.execute_script("""
        const base = maint[0];
        maint = [Object.assign({}, base, {id: 901, target: "W-WARN", consent_warning: true,
                  consent: {customers: 5, asked: 4, given: 2, refused: 1, missing: 1}}),
                 Object.assign({}, base, {id: 902, target: "W-OK", consent_warning: false,
                  consent: {customers: 3, asked: 3, given: 3, refused: 0, missing: 0}})];
        renderMaint();
        const row = (t) => document.querySelector("#maint tr[data-target='" + t + "']");
        return [row("W-WARN").querySelector(".consent").textContent,
                !!row("W-WARN").querySelector(".consent-warning"),
                row("W-OK").querySelector(".consent").textContent,
                !!row("W-OK").querySelector(".consent-warning")];""")
    assert got == ["2/5", True, "3/3", False], got
    driver.execute_script("loadMaint()")


def map_edges(driver):
    """A network of one site draws it in the middle; one of none says so; a
    site without coordinates is listed under the map."""
    got = driver.execute_script("""
        const saved = mapData;
        mapData = {sites: [{id: "ONE", name: "一", lat_e6: 24000000, lon_e6: 109000000, state: "ok"}],
                   unplaced: [{id: "NOWHERE", name: "无", state: "ok"}], spans: []};
        renderMap();
        const c = document.querySelector("#map-svg circle[data-site='ONE']");
        const one = [c.getAttribute("cx"), c.getAttribute("cy"), document.getElementById("unplaced").textContent];
        mapData = {sites: [], unplaced: [], spans: []};
        renderMap();
        const none = [document.getElementById("map-empty").hidden, document.querySelectorAll("#map-svg *").length];
        mapData = saved;
        renderMap();
        return one.concat(none);""")
    assert got[:2] == ["400.0", "250.0"], got
    assert "NOWHERE" in got[2], got
    assert got[3:] == [False, 0], got


def map_shows_cut(driver):
    driver.find_element(By.ID, "tab-map").click()
    read = ("return Object.fromEntries([...document.querySelectorAll('#map-svg line')]"
            ".map(l => [l.dataset.span, l.getAttribute('class')]))")
    spans = wait(driver, lambda d: d.execute_script(read).get("HC-YZ-R01-S02") and d.execute_script(read),
                 "the map")
    assert spans["HC-YZ-R01-S02"] == "cut", spans["HC-YZ-R01-S02"]
    unprotected = {s for s, state in spans.items() if state == "unprotected"}
    assert {"HC-YZ-R01-S01", "HC-YZ-R01-S03"} <= unprotected, unprotected
    assert all(s.startswith("HC-YZ-R01-") for s in unprotected), unprotected
    assert [s for s, state in spans.items() if state == "cut"] == ["HC-YZ-R01-S02"], spans
    assert driver.execute_script("return document.querySelectorAll('#map-svg circle[data-site]').length") > 10


def labels_switch(driver):
    """The labels start in the browser's language, switch, and stay switched."""
    zh = driver.execute_script("return navigator.language").lower().startswith("zh")
    first, other = ("地图", "Map") if zh else ("Map", "地图")
    assert driver.find_element(By.ID, "tab-map").text == first, driver.find_element(By.ID, "tab-map").text
    driver.find_element(By.ID, "lang").click()
    assert driver.find_element(By.ID, "tab-map").text == other
    driver.refresh()
    wait(driver, lambda d: d.find_element(By.ID, "tab-map").text == other, "the language remembered after a reload")
    if zh:
        return
    driver.find_element(By.ID, "lang").click()  # back to English for the phone's screenshot


def phone(driver):
    driver.set_window_size(390, 844)
    wait(driver, lambda d: d.execute_script("return document.body.dataset.loaded") == "yes", "the board at a phone's width")
    hidden = driver.execute_script(
        "return [...document.querySelectorAll('th.wide')].every(e => getComputedStyle(e).display === 'none')")
    assert hidden, "the wide columns still show at a phone's width"
    driver.save_screenshot(os.path.join(SHOTS, "phone.png"))


def main():
    os.makedirs(SHOTS, exist_ok=True)
    driver, service = start_browser()
    try:
        driver.get(URL)
        log_in(driver, "op1")
        assert not css(driver, "#tickets tr"), "tickets before the cut"
        tid = incident_live(driver)
        clock_counts(driver, tid)
        acknowledge(driver, tid)
        driver.save_screenshot(os.path.join(SHOTS, "board.png"))
        add_window(driver, expect_refusal=True)
        log_in(driver, "adm1")
        add_window(driver, expect_refusal=False)
        consent_shown(driver)
        map_shows_cut(driver)
        map_edges(driver)
        driver.find_element(By.ID, "map-pane").screenshot(os.path.join(SHOTS, "map.png"))
        labels_switch(driver)
        phone(driver)
    finally:
        stop(driver, service)
    print("board_selenium: ok", tid)


if __name__ == "__main__":
    main()
