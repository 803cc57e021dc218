"""The shipped example cases.

>>> names = [e["name"] for e in list_examples()]
>>> "bicycle" in names
True
"""

from __future__ import annotations

from pathlib import Path

from scenat.paths import examples_dir


def _title(folder: Path) -> str:
    readme = folder / "README.md"
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                return line.lstrip("# ").strip()
    return folder.name


def example_case_path(folder: Path) -> Path:
    """The case inside an example folder: its .xlsx if it has one, else its CSV folder."""
    workbooks = sorted(folder.glob("*.xlsx"))
    if workbooks:
        return workbooks[0]
    return folder


def list_examples() -> list[dict[str, str]]:
    """Name, title and case path of every shipped example."""
    root = examples_dir()
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if (folder / "case.csv").exists() or any(folder.glob("*.xlsx")):
            out.append(
                {
                    "name": folder.name,
                    "title": _title(folder),
                    "path": str(example_case_path(folder)),
                }
            )
    return out
