"""Private working copies of partner files: under SCENAT_HOME, owner-only, gone afterwards,
and swept when a killed process left them behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from scenat.casefile import sheets
from scenat.paths import scenat_home
from tests.conftest import VALID_SHEETS, save_xlsx


def test_an_upload_is_read_from_an_owner_only_copy_in_scenat_home(tmp_path, monkeypatch):
    """App uploads were copied to a world-readable /tmp folder (mkdtemp's folder is 0700 but
    lives in /tmp, and a killed process never removed it); the copy now lives in
    SCENAT_HOME/tmp, folder 0700 and file 0600, and is removed when read."""
    data = save_xlsx(tmp_path / "case.xlsx", VALID_SHEETS).read_bytes()
    seen = {}
    real = sheets.read_sheets

    def spy(path, problems, strict=False):
        seen["path"] = path
        seen["file"] = stat.S_IMODE(path.stat().st_mode)
        seen["folder"] = stat.S_IMODE(path.parent.stat().st_mode)
        return real(path, problems, strict)

    monkeypatch.setattr(sheets, "read_sheets", spy)
    problems: list = []
    read = sheets.read_upload_sheets(data, "partner.xlsx", problems)
    assert set(read) == {"case", "nodes", "flows"} and problems == []
    copy = seen["path"]
    assert copy.parent.parent == scenat_home() / "tmp"
    assert (seen["folder"], seen["file"]) == (0o700, 0o600)
    assert not copy.parent.exists()


def test_copies_left_by_a_killed_process_are_swept():
    from scenat.paths import private_folder

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    left = scenat_home() / "tmp" / f"upload-{pid}-deadbeef"
    left.mkdir(parents=True)
    (left / "upload.xlsx").write_bytes(b"a partner's data")
    mine = None
    with private_folder("upload") as folder:
        mine = folder
        assert folder.is_dir() and not left.exists()
    assert not mine.exists()
    assert os.getpid() != pid
