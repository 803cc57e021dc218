"""The app in a real browser: ``streamlit run`` headless on a free loopback port, driven by
Playwright for Python with Debian's Chromium (``/usr/bin/chromium``; no browser download).

The first test selects the stadium example when one is shipped (the first example
otherwise), opens every page, checks what a consultant sees (totals, the top hotspot, a
ranked intervention) against the API, fails on any exception or error message in the page,
and saves a screenshot of each page into ``$SCENAT_TEST_ARTIFACTS`` (default: the test's
tmp_path). The second does a client job: edits a flow, saves a version, reloads the page and
finds it, compares two variants, switches the UI to Chinese and downloads the PDF report,
whose pages it renders; no request may leave the machine.

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


def _outside(url: str) -> bool:
    """A request to anything but this machine (data: and blob: URLs stay in the page)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
        return False
    return parsed.hostname not in ("127.0.0.1", "localhost", "::1")


def _edit_cell(page, grid, row: int, column: int, text: str) -> None:
    """Type ``text`` into a data editor's cell: ``row`` 0 is the first line, ``column`` 0
    the first data column. glide-data-grid draws on a canvas, so the cell is reached with the
    keyboard from the first column (whose place is fixed); a first key opens its editor."""
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 70, box["y"] + 35 + 17 + 35 * row)  # 35 px header and lines
    page.wait_for_timeout(200)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.type(text[:1])
    page.wait_for_timeout(400)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")


def test_a_client_job_edit_save_reload_compare_chinese_pdf(server, chromium, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    import scenat
    from scenat.casefile import resolve_case
    from scenat.report.charts import format_quantity

    pdfium = pytest.importorskip("pypdfium2")
    shots = Path(os.environ.get("SCENAT_TEST_ARTIFACTS") or tmp_path) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    # The edit: the bicycle's natural gas (flows row 5, 25 kWh) doubled. Expected total from
    # a full assessment of the changed case (the app re-solves the foreground only).
    case = scenat.read_case(resolve_case("bicycle"))
    gas = next(i for i, f in enumerate(case.flows) if f.input == "natural_gas_combustion_kwh")
    assert gas == 3 and case.flows[gas].amount == 25
    changed = case.copy()
    changed.flows[gas] = type(case.flows[gas])(
        **{**case.flows[gas].__dict__, "amount": 50.0, "amount_in_reference": 50.0}
    )
    expected = format_quantity(scenat.assess(changed).total("gwp100"), "kg CO2-eq")
    outside: list[str] = []
    message = "doubled gas after the 2026 audit"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1366, "height": 1300}, accept_downloads=True
            )
            page = context.new_page()
            page.on("request", lambda r: outside.append(r.url) if _outside(r.url) else None)
            try:
                # 1. edit a flow of a fresh copy of the bicycle, saved as a new case key
                page.goto(server + "/edit?case=bicycle")
                _settle(page)
                _healthy(page, "Edit")
                grid = page.locator("[data-testid='stDataFrame']").first
                grid.wait_for()
                page.wait_for_timeout(1000)
                _edit_cell(page, grid, row=3, column=3, text="50")  # node, kind, input, amount
                _settle(page)
                _expect_metric(page, "Climate change (GWP100)", expected)
                page.get_by_label("Message").fill(message)
                page.get_by_label("Message").press("Enter")
                _settle(page)
                save = page.get_by_role("button", name=re.compile(r"Save as version \d+"))
                number = int(re.search(r"\d+", save.inner_text()).group())
                save.click()
                page.get_by_text(f"Saved as version {number}.").wait_for(timeout=60_000)
                _settle(page)
                page.wait_for_url(re.compile(rf"v={number}"))
                # 2. reload: the same case and version, with the message in its history
                page.reload()
                _settle(page)
                _healthy(page, "Edit after reload")
                page.locator("[data-testid='stSidebar']").get_by_text(
                    f"version {number}", exact=False
                ).first.wait_for(timeout=60_000)
                _expect_metric(page, "Climate change (GWP100)", expected)
                history = page.locator("[data-testid='stDataFrame']").last
                expect(history).to_be_visible()
                page.screenshot(path=str(shots / "job-1-edit.png"), full_page=True)
                # 3. compare two variants of the car
                page.goto(server + "/compare?case=car_ice")
                _settle(page)
                _healthy(page, "Compare")
                page.get_by_text("Hotspots:").first.wait_for(timeout=90_000)
                ice = scenat.assess(
                    scenat.read_case(resolve_case("automotive_supply_chain/car_ice"))
                )
                bev = scenat.assess(
                    scenat.read_case(resolve_case("automotive_supply_chain/car_bev"))
                )
                # B (the BEV, the ICE's sibling variant) shown with its total
                _expect_metric(
                    page,
                    "Climate change (GWP100)",
                    format_quantity(bev.total("gwp100"), "kg CO2-eq"),
                )
                assert ice.total("gwp100") != bev.total("gwp100")
                page.screenshot(path=str(shots / "job-2-compare.png"), full_page=True)
                # 4. the UI in Chinese, from the sidebar; the language goes into the address
                sidebar = page.locator("[data-testid='stSidebar']")
                sidebar.locator("[data-testid='stSelectbox']").first.click()
                page.get_by_role("option", name="简体中文").click()
                _settle(page)
                page.locator("[data-testid='stSidebarNavLink']", has_text="热点").wait_for()
                page.get_by_role("heading", name="比较", exact=True).wait_for(timeout=60_000)
                page.wait_for_url(re.compile(r"lang=zh"))
                _healthy(page, "Compare (zh)")
                page.screenshot(path=str(shots / "job-3-chinese.png"), full_page=True)
                # 5. the client report as PDF, its pages rendered
                page.locator("[data-testid='stSidebarNavLink']", has_text="报告").click()
                page.get_by_role("heading", name="报告", exact=True).wait_for(timeout=60_000)
                _settle(page)
                _healthy(page, "Report (zh)")
                with page.expect_download(timeout=180_000) as info:
                    page.get_by_role("button", name=re.compile("下载 pdf")).click()
                pdf_path = tmp_path / "report.pdf"
                info.value.save_as(pdf_path)
                pdf = pdfium.PdfDocument(pdf_path.read_bytes())
                assert len(pdf) >= 3
                for index in range(len(pdf)):
                    image = pdf[index].render(scale=0.6).to_pil().convert("L")
                    assert min(image.getdata()) < 100, f"page {index + 1} is blank"
                pdf[0].render(scale=1).to_pil().save(shots / "job-4-pdf-page-1.png")
                text = pdf[0].get_textpage().get_text_range()
                assert "Car" in text or "car" in text, text[:500]
            except Exception:
                page.screenshot(path=str(shots / "failure-job.png"), full_page=True)
                raise
        finally:
            browser.close()
    assert outside == [], f"requests left the machine: {outside[:5]}"
