"""The shipped example cases.

An example is a folder of ``examples/``: either a case as CSV files (``case.csv``,
``nodes.csv``, ``flows.csv``) or one or more ``.xlsx`` case workbooks. A folder's default case
is its CSV files, else the workbook named like the folder (``stadium_retrofit.xlsx``), else
its first workbook in name order; the others are listed as its ``cases``.

>>> names = [e["name"] for e in list_examples()]
>>> "bicycle" in names and "stadium_retrofit" in names
True
>>> resolve_case("stadium_retrofit").name
'stadium_retrofit.xlsx'
>>> resolve_case("stadium_retrofit/stadium_retrofit_after").name
'stadium_retrofit_after.xlsx'
"""

from __future__ import annotations

from pathlib import Path

from scenat.paths import examples_dir

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _title(folder: Path) -> str:
    readme = folder / "README.md"
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                return line.lstrip("# ").strip()
    return folder.name


def _workbooks(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in WORKBOOK_SUFFIXES
        and not p.name.startswith((".", "~$"))
    )


def _is_csv_case(folder: Path) -> bool:
    return (folder / "case.csv").exists()


def example_case_path(folder: Path) -> Path:
    """The default case inside an example folder.

    The folder itself when it holds ``case.csv``; else the workbook named like the folder;
    else its first workbook in name order; else the folder (which then does not read).
    """
    folder = Path(folder)
    if _is_csv_case(folder):
        return folder
    workbooks = _workbooks(folder)
    for workbook in workbooks:
        if workbook.stem == folder.name:
            return workbook
    return workbooks[0] if workbooks else folder


def resolve_case(text: str | Path) -> Path:
    """A case path from what a user typed: a path, an example name, or ``example/workbook``.

    * an existing file is returned as it is;
    * an existing folder is resolved with :func:`example_case_path` (so an example folder
      holding workbooks reads as its default workbook);
    * otherwise ``text`` is looked up in ``examples/``: ``stadium_retrofit`` is that example's
      default case, ``stadium_retrofit/stadium_retrofit_after`` (suffix optional) one of its
      workbooks;
    * anything else comes back unchanged, for the reader to report as missing.
    """
    path = Path(text)
    if path.is_file():
        return path
    if path.is_dir():
        return example_case_path(path)
    root = examples_dir()
    candidate = root / path
    if candidate.is_dir():
        return example_case_path(candidate)
    if candidate.is_file():
        return candidate
    if not candidate.suffix:
        for suffix in WORKBOOK_SUFFIXES:
            if candidate.with_suffix(suffix).is_file():
                return candidate.with_suffix(suffix)
    return path


def list_examples() -> list[dict[str, object]]:
    """Name, title, default case path and all case paths of every shipped example."""
    root = examples_dir()
    out: list[dict[str, object]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        workbooks = _workbooks(folder)
        if not (_is_csv_case(folder) or workbooks):
            continue
        default = example_case_path(folder)
        cases = [default, *(w for w in workbooks if w != default)]
        out.append(
            {
                "name": folder.name,
                "title": _title(folder),
                "path": str(default),
                "cases": [str(c) for c in cases],
            }
        )
    return out
