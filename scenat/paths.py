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
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def scenat_home() -> Path:
    """The folder holding everything scenat writes; created on first use."""
    home = Path(os.environ.get("SCENAT_HOME") or Path.home() / ".scenat").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def private_folder_root() -> Path:
    """Where working copies of partners' files live: ``SCENAT_HOME/tmp``, owner-only."""
    root = scenat_home() / "tmp"
    root.mkdir(mode=0o700, exist_ok=True)
    os.chmod(root, 0o700)
    return root


@contextmanager
def private_folder(prefix: str) -> Iterator[Path]:
    """A fresh owner-only folder (0700) for working copies of a partner's file, removed on
    leaving. Never in the shared /tmp: the copies are partners' data. A process killed inside
    leaves its folder behind; the next one sweeps the folders of processes that are gone.

    Files written in it should be created owner-only too (:func:`write_private`).
    """
    root = private_folder_root()
    _sweep(root)
    folder = root / f"{prefix}-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new file readable by its owner only (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return path


def _sweep(root: Path) -> None:
    """Remove the working folders of processes that no longer run (named ``prefix-PID-x``)."""
    for folder in root.iterdir():
        parts = folder.name.rsplit("-", 2)
        if len(parts) != 3 or not parts[1].isdigit() or _running(int(parts[1])):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True


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
