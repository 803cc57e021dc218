"""Atomic writes keep normal permissions (mkstemp's owner-only mode must not leak)."""

from __future__ import annotations

import os
import stat

import pytest

from scenat.atomic import write_atomic, write_many_atomic


def test_new_file_gets_the_umask_mode_and_an_existing_file_keeps_its_mode(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "report.json"
        write_atomic(target, b"{}")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o600)
        write_atomic(target, b"[]")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert target.read_bytes() == b"[]"
    finally:
        os.umask(old)


def test_nothing_is_replaced_when_one_of_several_files_fails(tmp_path, monkeypatch):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real = os.fdopen
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(os, "fdopen", failing)
    with pytest.raises(OSError):
        write_many_atomic({a: b"new a", b: b"new b"})
    monkeypatch.undo()
    assert a.read_bytes() == b"old a" and b.read_bytes() == b"old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
