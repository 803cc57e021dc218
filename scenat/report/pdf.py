"""The html report printed to PDF by a headless Chromium already on the machine.

The html report draws its charts with plotly.js, so whatever prints it must run JavaScript.
WeasyPrint (checked: it installs from PyPI and works offline) renders no script, so every
chart would be missing; Chromium's ``--print-to-pdf`` prints the page as a browser shows
it. Chromium is found at ``SCENAT_CHROMIUM``, else ``/usr/bin/chromium`` or on ``PATH``
(``chromium``, ``chromium-browser``, ``google-chrome``); Debian's package is
``apt-get install chromium``. It runs with networking off, on a file in a private
temporary folder, and nothing is fetched: the report links to nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from scenat.errors import ScenatError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-pdf-header-footer",
    # plotly draws on load; a few seconds of virtual time let every chart finish first
    "--virtual-time-budget=4000",
)
TIMEOUT = 120


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable to print with, or None."""
    configured = os.environ.get("SCENAT_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def html_to_pdf(html: str) -> bytes:
    """Print an html document to PDF (A4, backgrounds kept) with headless Chromium."""
    executable = find_chromium()
    if executable is None:
        raise ScenatError(
            "a PDF report needs Chromium or Chrome on this machine (Debian: apt-get install "
            "chromium; or set SCENAT_CHROMIUM to its path); the html report prints to PDF "
            "from any browser too"
        )
    with tempfile.TemporaryDirectory(prefix="scenat-pdf-") as folder:
        source = Path(folder) / "report.html"
        target = Path(folder) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            executable,
            *FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT, check=False, cwd=folder
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ScenatError(f"Chromium could not print the report: {err}") from err
        if not target.exists() or target.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ScenatError(
                f"Chromium printed no PDF (exit {done.returncode}): " + " | ".join(tail)
            )
        return target.read_bytes()
