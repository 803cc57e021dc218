"""File and key names from untrusted text: the one place names are sanitised.

>>> safe_name("../../etc/Stadium 2025 (draft).xlsx")
'Stadium_2025_draft_.xlsx'
>>> display_name("C:\\\\Users\\\\ana\\\\wheels.xlsx")
'wheels.xlsx'
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from scenat.errors import InputError, Problem


def safe_name(text: str, default: str = "case", length: int = 80) -> str:
    """``text``'s last path part reduced to letters, digits, ``_``, ``.`` and ``-`` (runs of
    anything else become ``_``), without leading or trailing dots and dashes; ``default``
    when nothing is left. Safe as a file name and as a store key."""
    last = re.split(r"[\\/]", str(text or ""))[-1]
    stem = re.sub(r"[^A-Za-z0-9_.\-]+", "_", PurePosixPath(last).name).strip("._-")
    return stem[:length] or default


def display_name(filename: str | None, default: str = "submission.xlsx") -> str:
    """The file name to show: its last path part, printable, at most 120 characters."""
    name = re.split(r"[\\/]", str(filename or ""))[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:120] or default


def output_file(
    path: str | Path,
    suffixes: tuple[str, ...],
    option: str | None = None,
    what: str = "unsupported output file type",
) -> Path:
    """A file the user asked scenat to write: one of ``suffixes``, and not a folder; else an
    :class:`InputError` naming the option that gave it (``what``: the message)."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise InputError(
            Problem(
                file=str(path),
                column=option,
                message=what,
                value=path.suffix,
                hint="use a name ending in " + " or ".join(suffixes),
            )
        )
    if path.is_dir():
        raise InputError(
            Problem(
                file=str(path),
                column=option,
                message="this is a folder, not a file name",
                hint=f"give a file name, e.g. {path / ('report' + suffixes[0])}",
            )
        )
    return path
