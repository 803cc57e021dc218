"""The app in a real browser: page switches and edits, timed as a consultant waits for them.

Run: python bench/bench_app.py [--repeat N] [--example NAME ...]

Starts ``streamlit run app/main.py`` on a free loopback port (a private SCENAT_HOME unless
one is set), drives it with Playwright and Debian's Chromium (``/usr/bin/chromium``), and
measures, from the click to the page finished (the script idle, no skeleton, the expected
text shown):

* **page switch**: after the first assessment of the case (its first visit to every page
  is not counted), each sidebar link clicked ``--repeat`` times; median and worst;
* **edit**: on the Edit page, the amount of a flow changed in the table, from the key that
  commits it until the metric card shows the re-assessed total (the check of the draft as
  a workbook and the foreground re-solve, plus the page's rerun), for each example.

Floor, in the same run: a rerun of the same page after a sidebar widget changes (Streamlit's
own round trip with every result cached). Targets: page switch < 0.5 s, edit < 1 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PAGES = ["Supply chain", "Hotspots", "Interventions", "Compare", "Report", "Case"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(log: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app" / "main.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"streamlit did not start:\n{log.read_text()}")


def _settled(page) -> None:
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0",
        timeout=60_000,
    )


def _timed(page, action, done) -> float:
    start = time.perf_counter()
    action()
    done()
    _settled(page)
    return time.perf_counter() - start


def _switch(page, name: str) -> float:
    def click() -> None:
        page.locator("[data-testid='stSidebarNavLink']", has_text=name).first.click()

    def shown() -> None:
        page.get_by_role("heading", name=name, exact=True).wait_for(timeout=120_000)
        page.wait_for_timeout(50)  # the run that draws it has started

    return _timed(page, click, shown)


def _metric(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    )
    return card.first.locator("[data-testid='stMetricValue']").inner_text()


def _type_in_cell(page, grid, row: int, column: int, text: str) -> None:
    """Type into a data editor's cell without pressing Enter: ``row`` 0 is the first line,
    ``column`` 0 the first data column. glide-data-grid draws on a canvas, so the cell is
    reached with the keyboard from the first column (whose place is fixed); a first key
    opens its editor, then the text replaces what it holds."""
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 70, box["y"] + 35 + 17 + 35 * row)  # 35 px header and lines
    page.wait_for_timeout(200)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.type(text[:1])
    page.wait_for_timeout(400)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.wait_for_timeout(200)


def _edit(page, url: str, key: str) -> float:
    """Set the amount of a flow (the 4th line) to 12345; seconds from the Enter that commits
    it until the metric card shows the re-assessed total."""
    page.goto(f"{url}/edit?case={key}")
    _settled(page)
    label = "Climate change (GWP100)"
    page.locator("[data-testid='stMetricLabel']", has_text=label).first.wait_for()
    page.wait_for_timeout(500)
    before = _metric(page, label)
    grid = page.locator("[data-testid='stDataFrame']").first
    _type_in_cell(page, grid, row=3, column=3, text="12345")  # flows: node, kind, input, amount
    start = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(
        """([label, before]) => [...document.querySelectorAll("[data-testid='stMetric']")]
        .some(m => m.innerText.includes(label) && !m.innerText.includes(before))""",
        arg=[label, before],
        timeout=60_000,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--example",
        action="append",
        help="cases to edit (default: bicycle, stadium_retrofit, car_ice)",
    )
    args = parser.parse_args()
    examples = args.example or ["bicycle", "stadium_retrofit", "car_ice"]
    from playwright.sync_api import sync_playwright

    home = os.environ.get("SCENAT_HOME") or tempfile.mkdtemp(prefix="scenat-bench-app-")
    os.environ["SCENAT_HOME"] = home
    log = Path(tempfile.mkdtemp()) / "server.log"
    process, url = _serve(log)
    switches: list[float] = []
    by_page: dict[str, list[float]] = {}
    floors: list[float] = []
    edits: dict[str, float] = {}
    first = 0.0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 1000})
            start = time.perf_counter()
            page.goto(f"{url}/?case=stadium_retrofit")
            page.locator("[data-testid='stMetricLabel']", has_text="Climate change").first.wait_for(
                timeout=180_000
            )
            _settled(page)
            first = time.perf_counter() - start
            print(f"first page: {first:.1f} s", file=sys.stderr, flush=True)
            for name in PAGES:  # first visits: interventions evaluated, paths searched
                _switch(page, name)
                print(f"first visit: {name}", file=sys.stderr, flush=True)
            for _ in range(args.repeat):
                for name in PAGES:
                    switches.append(_switch(page, name))
                    by_page.setdefault(name, []).append(switches[-1])
                # floor: the Case page rerun by a sidebar widget, everything cached
                select = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']")
                for option in ("Non-renewable energy resources", "Climate change (GWP100)"):

                    def choose(option=option, select=select) -> None:
                        select.nth(1).click()
                        page.get_by_role("option", name=option).click()

                    floors.append(_timed(page, choose, lambda: page.wait_for_timeout(50)))
            for key in examples:
                _edit(page, url, key)  # the first edit builds the foreground re-solver
                edits[key] = min(_edit(page, url, key) for _ in range(args.repeat))
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    floor = statistics.median(floors)
    median, worst = statistics.median(switches), max(switches)
    print(f"app in Chromium, SCENAT_HOME={home}; {len(switches)} page switches")
    print(f"{'figure':<46}  {'seconds':>8}  {'floor':>8}  {'ratio':>6}  {'target':>7}")
    print(
        f"{'first page with the first assessment (stadium)':<46}  {first:>8.2f}  "
        f"{'-':>8}  {'-':>6}  {'-':>7}"
    )
    print(
        f"{'page switch, median':<46}  {median:>8.3f}  {floor:>8.3f}  "
        f"{median / floor:>6.1f}  {'< 0.5':>7}"
    )
    print(
        f"{'page switch, worst':<46}  {worst:>8.3f}  {floor:>8.3f}  "
        f"{worst / floor:>6.1f}  {'< 0.5':>7}"
    )
    for name, seconds in by_page.items():
        print(
            f"{'  page switch to ' + name + ', median':<46}  {statistics.median(seconds):>8.3f}"
            f"  {floor:>8.3f}  {statistics.median(seconds) / floor:>6.1f}  {'< 0.5':>7}"
        )
    for key, seconds in edits.items():
        print(
            f"{'edit re-assessed: ' + key:<46}  {seconds:>8.3f}  {floor:>8.3f}  "
            f"{seconds / floor:>6.1f}  {'< 1':>7}"
        )


if __name__ == "__main__":
    main()
