"""The app in a real browser: ``streamlit run`` headless on a free loopback port, driven by
Playwright for Python with Debian's Chromium (``/usr/bin/chromium``; no browser download).

Selects the stadium example when one is shipped (the first example otherwise), opens every
page, checks what a consultant sees (totals, the top hotspot, a ranked intervention) against
the API, fails on any exception or error message in the page, and saves a screenshot of each
page into ``$SCENAT_TEST_ARTIFACTS`` (default: the test's tmp_path).

Without Chromium (or Playwright) the test is skipped on a developer machine, but fails under
CI (the ``CI`` variable set), where ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "main.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        _missing("Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python (pip install playwright)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(chromium, scenat_home, tmp_path_factory):
    """``streamlit run app/main.py`` on a free port; killed whatever happens.

    The shared SCENAT_HOME is set up first (Brightway project, pint's cache), so that the
    server and this process never build them at the same moment.
    """
    from scenat.brightway.project import ensure_project
    from scenat.model.units import registry

    registry()
    ensure_project()
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["SCENAT_HOME"] = str(scenat_home)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
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
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited early:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


def _examples() -> list[dict]:
    from scenat.casefile.examples import list_examples

    return list_examples()


def _expected(chosen: dict) -> dict:
    """The API's numbers for the example the test opens."""
    import scenat
    from scenat.assessment import ForegroundResolver
    from scenat.calc import rank
    from scenat.interventions import evaluate

    case = scenat.read_case(chosen["path"])
    result = scenat.assess(case)
    table = evaluate(case, solve=ForegroundResolver(case, linked=result.linked))
    curve = rank.macc(table)
    return {
        "example": chosen,
        "result": result,
        "top_node": result.hotspots("gwp100", "node")["label"][0],
        "top_intervention": curve["name"][0] if curve.height else None,
    }


def _settle(page) -> None:
    """Wait for the script run to finish and the skeletons to go."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0",
        timeout=30_000,
    )


def _healthy(page, name: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, f"exception on {name}"
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, f"error on {name}: {errors.all_inner_texts()}"


def _expect_metric(page, label: str, value: str) -> None:
    """The metric card ``label`` shows ``value`` (waits out stale cards of a previous run)."""
    from playwright.sync_api import expect

    card = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    )
    expect(card.first.locator("[data-testid='stMetricValue']")).to_have_text(value, timeout=90_000)


def test_consultant_walks_through_every_page(server, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    from scenat.report.charts import format_quantity

    shots = Path(os.environ.get("SCENAT_TEST_ARTIFACTS") or tmp_path) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "failure.png").unlink(missing_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 1400})
            try:
                # The stadium example is selected by its link (the Case page's selectbox is
                # driven in test_pages); the first example needs no parameter.
                examples = _examples()
                chosen = next((e for e in examples if "stadium" in e["name"]), examples[0])
                query = "" if chosen is examples[0] else f"/?example={chosen['name']}"
                page.goto(server + query)
                # The API's numbers, computed while the server assesses the same example.
                expected = _expected(chosen)
                total = format_quantity(expected["result"].total("gwp100"), "kg CO2-eq")
                _settle(page)
                _healthy(page, "Case")
                page.locator("[data-testid='stSidebar']").get_by_text(
                    expected["example"]["title"]
                ).wait_for()
                page.locator("[data-testid='stMetricLabel']", has_text="Climate change").wait_for()
                _healthy(page, "Case")
                _expect_metric(page, "Climate change (GWP100)", total)
                _settle(page)
                page.screenshot(path=str(shots / "1-case.png"), full_page=True)

                checks = {
                    "Supply chain": ["Network:"],
                    "Hotspots": ["Structural paths", expected["top_node"]],
                    "Interventions": ["Top-ranked:"]
                    + ([expected["top_intervention"]] if expected["top_intervention"] else []),
                    "Report": ["Download html"],
                }
                for number, (name, texts) in enumerate(checks.items(), start=2):
                    page.locator("[data-testid='stSidebarNavLink']", has_text=name).click()
                    page.wait_for_url(re.compile(name.lower().replace(" ", "_")))
                    page.get_by_role("heading", name=name, exact=True).wait_for(timeout=60_000)
                    for text in texts:
                        page.get_by_text(text).first.wait_for(timeout=60_000)
                    _settle(page)
                    _healthy(page, name)
                    if name == "Hotspots":
                        _expect_metric(page, "Total per functional unit", total)
                    if name == "Supply chain":
                        page.locator(".js-plotly-plot").first.wait_for()
                    if name == "Interventions":
                        # The consultant's own ranking and budget.
                        page.get_by_text("TOPSIS (closeness to the ideal)").click()
                        page.get_by_text("Set how much each criterion matters").wait_for(
                            timeout=60_000
                        )
                        budget = page.get_by_label(re.compile(r"Capital budget"))
                        budget.fill("500000")
                        budget.press("Enter")
                        _settle(page)
                        _healthy(page, name)
                        page.locator(
                            "[data-testid='stMetricLabel']", has_text="Options chosen"
                        ).wait_for(timeout=60_000)
                    if name == "Report":
                        with page.expect_download(timeout=120_000) as info:
                            page.get_by_text("Download html").first.click()
                        report = tmp_path / "report.html"
                        info.value.save_as(report)
                        html = report.read_text(encoding="utf-8")
                        assert "<html" in html[:2000].lower()
                        assert "plotly" in html.lower()
                    slug = name.lower().replace(" ", "-")
                    page.screenshot(path=str(shots / f"{number}-{slug}.png"), full_page=True)
            except Exception:
                page.screenshot(path=str(shots / "failure.png"), full_page=True)
                raise
        finally:
            browser.close()
    assert len(list(shots.glob("[1-5]-*.png"))) == 5
    print(f"screenshots: {shots}")
