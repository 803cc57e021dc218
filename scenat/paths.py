"""Where scenat reads shipped data and writes its own state.

Everything scenat writes lives under ``SCENAT_HOME`` (default ``~/.scenat``). Brightway's
folder is set inside it through ``BRIGHTWAY2_DIR`` *before* bw2data is imported, because
bw2data creates folders in the user's home at import time otherwise.

Shipped data (``inventories/``, ``methods/``, ``examples/``) sits beside the package in a
source checkout and inside the package (``scenat/_data/``) in an installed wheel.

>>> scenat_home().exists()
True
>>> (inventories_dir() / "elementary_flows.csv").exists()
True
>>> (bw2io_data_dir() / "lcia" / "lcia_39_ecoinvent.zip").exists()
True
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def scenat_home() -> Path:
    """The folder holding everything scenat writes; created on first use."""
    home = Path(os.environ.get("SCENAT_HOME") or Path.home() / ".scenat").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def brightway_dir() -> Path:
    """Brightway's data folder inside ``SCENAT_HOME``; exported as ``BRIGHTWAY2_DIR``."""
    folder = scenat_home() / "brightway"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prepare_brightway_environment() -> Path:
    """Point bw2data at ``SCENAT_HOME`` and keep its import quiet; call before importing it.

    Once bw2data is imported its folder is fixed for the process, so a later change of
    ``SCENAT_HOME`` is refused by :mod:`scenat.brightway.project` rather than silently ignored.
    """
    folder = brightway_dir()
    # bw2data creates this at import with a check-then-create that races between processes.
    (folder / "logs").mkdir(exist_ok=True)
    os.environ["BRIGHTWAY2_DIR"] = str(folder)
    # bw2calc warns at import when pypardiso is missing; SuperLU is our default solver.
    os.environ.setdefault("BW2CALC_NO_PYPARDISO_WARNING", "1")
    return folder


def bw2io_data_dir() -> Path:
    """bw2io's bundled data folder (LCIA methods, flow lists, name-change tables).

    Found through the package's import spec, so bw2io (and with it bw2data) is not imported.
    """
    spec = importlib.util.find_spec("bw2io")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("bw2io is not installed; reinstall scenat")
    return Path(spec.submodule_search_locations[0]).resolve() / "data"


def _shipped(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"scenat's shipped folder {name!r} is missing (looked in {installed} and {checkout}); "
        "reinstall scenat"
    )


def inventories_dir() -> Path:
    """The shipped open background inventories."""
    return _shipped("inventories")


def methods_dir() -> Path:
    """The shipped indicator definitions."""
    return _shipped("methods")


def examples_dir() -> Path:
    """The shipped example cases."""
    return _shipped("examples")


def app_entry() -> Path | None:
    """The Streamlit app's ``main.py`` (beside the package in a checkout, inside it in a wheel)."""
    for candidate in (_PACKAGE.parent / "app" / "main.py", _PACKAGE / "_data" / "app" / "main.py"):
        if candidate.exists():
            return candidate
    return None
