"""The versioned store: versions, history, diff, rollback, export, and concurrent writers.

Each test has its own SQLite file in ``tmp_path``. ``SCENAT_TEST_STORE_URL`` (e.g. a
``postgresql+psycopg://`` URL of a scratch database) runs the basic tests against a server
database as well.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

import pytest

from scenat.casefile.build import read_case
from scenat.casefile.spreadsheet import xlsx_bytes as content_xlsx
from scenat.errors import InputError
from scenat.paths import examples_dir
from scenat.report.documents import diff_text
from scenat.store import (
    Store,
    StoreError,
    case_content,
    case_key_for,
    content_case,
    diff_cases,
    diff_versions,
    export_version,
    open_case,
)

BICYCLE = examples_dir() / "bicycle"
URLS = ["sqlite"] + ([os.environ["SCENAT_TEST_STORE_URL"]] if os.environ.get(
    "SCENAT_TEST_STORE_URL") else [])  # fmt: skip


@pytest.fixture(params=URLS)
def store(request, tmp_path) -> Store:
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    else:  # a server database: tables are shared, so use a fresh case key per test
        store = Store(request.param)
    yield store
    store.close()


@pytest.fixture
def key(request) -> str:
    return f"bike-{os.getpid()}-{time.monotonic_ns()}"


@pytest.fixture(scope="module")
def bicycle():
    return read_case(BICYCLE)


def changed(case, node: str, input_id: str, amount: float):
    """A copy of ``case`` with one flow's amount changed (and its reference amount)."""
    from dataclasses import replace

    flows = [
        replace(f, amount=amount, amount_in_reference=f.amount_in_reference * amount / f.amount)
        if (f.node, f.input) == (node, input_id)
        else f
        for f in case.flows
    ]
    return case.copy(flows=flows)


def test_content_round_trip_is_exact(bicycle):
    content = case_content(bicycle)
    again = content_case(content)
    assert case_content(again) == content
    assert [(f.node, f.input, f.amount_in_reference) for f in again.flows] == [
        (f.node, f.input, f.amount_in_reference) for f in bicycle.flows
    ]
    assert content["nodes"][0][-1] == "note"  # unknown columns kept


def test_every_change_is_a_new_version(store, key, bicycle):
    v1 = store.import_case(key, bicycle, "ana", "first")
    same = store.import_case(key, bicycle, "ana")
    assert same.number == 1  # an unchanged case is not stored twice
    v2 = store.import_case(key, changed(bicycle, "wheel_maker", "steel_cans_primary", 1.3), "bo")
    history = store.history(key)
    assert [(v.number, v.action, v.author, v.parent) for v in history] == [
        (1, "import", "ana", None),
        (2, "import", "bo", 1),
    ]
    assert history[0].message == "first" and history[0].content is None
    assert v1.sha256 != v2.sha256 and history[1].nodes == 5 and history[1].flows == 22
    assert store.version(key).number == 2 and store.version(key, -1).number == 1
    assert store.version(key, 1).content == case_content(bicycle)


def test_diff_lists_added_removed_changed_flows(store, key, bicycle):
    store.import_case(key, bicycle, "ana")
    case = changed(bicycle, "wheel_maker", "steel_cans_primary", 1.3)
    case.flows = [f for f in case.flows if f.input != "water_supply"]
    from scenat.model.case import Flow

    case.flows.append(
        Flow("tool_shop", "emission", "co2_fossil", 2.0, "kg", 2.0, "kg", source="log")
    )
    store.import_case(key, case, "bo")
    diff = diff_versions(store, key, impact=False)
    rows = {(f["change"], f["node"], f["input"]): f for f in diff.flows}
    assert set(rows) == {
        ("changed", "wheel_maker", "steel_cans_primary"),
        ("removed", "paint_supplier", "water_supply"),
        ("added", "tool_shop", "co2_fossil"),
    }
    steel = rows[("changed", "wheel_maker", "steel_cans_primary")]
    assert (steel["old_amount"], steel["new_amount"], steel["details"]) == (1.1, 1.3, "amount")
    water = rows[("removed", "paint_supplier", "water_supply")]
    assert (water["old_amount"], water["old_unit"], water["new_amount"]) == (0.004, "m3", None)
    assert diff.flows_table().height == 3
    assert "steel_cans_primary: 1.1 kg -> 1.3 kg" in diff_text(diff)
    assert diff_versions(store, key, 2, 2, impact=False).empty


def test_diff_of_nodes_and_fields(bicycle):
    from dataclasses import replace

    other = bicycle.copy(name="Renamed", year=2024)
    other.nodes["tool_shop"] = replace(other.nodes["tool_shop"], location="FR")
    diff = diff_cases(bicycle, other, impact=False)
    assert {(f["field"], f["old"], f["new"]) for f in diff.fields} == {
        ("name", bicycle.name, "Renamed"),
        ("year", 2025, 2024),
    }
    assert diff.nodes == [{"change": "changed", "id": "tool_shop", "details": "location"}]


def test_rollback_is_a_new_version_equal_to_the_old_one(store, key, bicycle):
    store.import_case(key, bicycle, "ana")
    store.import_case(key, changed(bicycle, "wheel_maker", "steel_cans_primary", 9.0), "bo")
    v3 = store.rollback(key, 1, "ana")
    assert (v3.number, v3.action, v3.parent) == (3, "rollback", 2)
    assert v3.sha256 == store.version(key, 1).sha256
    assert store.version(key).content == store.version(key, 1).content
    assert len(store.history(key)) == 3  # nothing deleted
    with pytest.raises(InputError, match="no version 7"):
        store.rollback(key, 7, "ana")


def test_unknown_case_and_bad_keys(store, key, bicycle):
    with pytest.raises(InputError, match="no case"):
        store.history("no-such-case-" + key)
    with pytest.raises(InputError, match="case key"):
        store.import_case("../evil", bicycle, "x")
    with pytest.raises(InputError, match="case key"):
        store.import_case("", bicycle, "x")


def test_export_reimports_to_the_same_case_and_escapes_formulas(store, key, bicycle, tmp_path):
    case = bicycle.copy(description='=HYPERLINK("http://evil","x")')
    flows = list(case.flows)
    from dataclasses import replace

    flows[0] = replace(flows[0], comment="-2 for spares; +1 @ plant")
    store.import_case(key, case.copy(flows=flows), "ana")
    path = export_version(store, key, tmp_path / "out.xlsx")
    again = read_case(path)
    assert case_content(again) == store.version(key).content
    import openpyxl

    book = openpyxl.load_workbook(path)
    cells = [c for row in book["case"].iter_rows() for c in row if c.value]
    description = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert description.data_type == "s" and description.quotePrefix
    comment = book["flows"]["L2"]
    assert comment.value == "-2 for spares; +1 @ plant" and comment.quotePrefix
    with pytest.raises(InputError, match="xlsx"):
        export_version(store, key, tmp_path / "out.csv")


def test_content_xlsx_never_writes_a_formula():
    import io
    import zipfile

    data = content_xlsx({"flows": [["comment"], ["=1+1"], ["@SUM(A1)"], ["+cmd"]]})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


def test_open_case_imports_a_path_once(store, tmp_path):
    from tests.conftest import VALID_SHEETS, write_sheets

    path = write_sheets(tmp_path / "my case.xlsx", VALID_SHEETS, "xlsx")
    assert case_key_for(path) == "my_case"
    assert open_case(store, str(path), "ana") == "my_case"
    assert open_case(store, str(path), "ana") == "my_case"
    assert open_case(store, "my_case", "ana") == "my_case"
    assert len(store.history("my_case")) == 1
    with pytest.raises(InputError, match="no case"):
        open_case(store, str(tmp_path / "missing"), "ana")


def test_default_store_lives_in_scenat_home(scenat_home, monkeypatch):
    monkeypatch.delenv("SCENAT_STORE_URL", raising=False)
    store = Store()
    assert store.url == f"sqlite:///{scenat_home / 'store.sqlite'}"
    store.close()
    monkeypatch.setenv("SCENAT_STORE_URL", f"sqlite:///{scenat_home / 'other.sqlite'}")
    assert Store().url.endswith("other.sqlite")


def test_a_write_that_keeps_failing_raises_store_error(tmp_path, bicycle):
    import sqlite3

    path = tmp_path / "locked.sqlite"
    store = Store(f"sqlite:///{path}", busy_timeout=0.05, retries=2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="could not complete"):
            store.import_case("bicycle", bicycle, "ana")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.import_case("bicycle", bicycle, "ana").number == 1


# --- concurrency: two processes writing at once ----------------------------------------------


def _writer(url: str, tag: str, count: int, start, errors) -> None:
    try:
        from scenat.store.database import Store as _Store

        store = _Store(url, busy_timeout=5.0)
        content = {"case": [["field", "value"], ["name", tag]], "nodes": [["id"]], "flows": [
            ["node"]]}  # fmt: skip
        start.wait()
        for i in range(count):
            content["case"][1][1] = f"{tag}-{i}"
            store.add_version("shared", content, tag, "import")
        store.close()
    except BaseException as exc:  # reported to the parent
        errors.put(f"{tag}: {type(exc).__name__}: {exc}")
        raise


def _submitter(url: str, tag: str, rounds: int, workbook: str, start, errors) -> None:
    try:
        from scenat.store.database import Store as _Store
        from scenat.store.submissions import accept, submit

        store = _Store(url, busy_timeout=5.0)
        data = Path(workbook).read_bytes()
        start.wait()
        for i in range(rounds):
            sub = submit(store, "bicycle", data, f"{tag}", filename=f"{tag}-{i}.xlsx")
            accept(store, sub.id, tag)
        store.close()
    except BaseException as exc:
        errors.put(f"{tag}: {type(exc).__name__}: {exc}")
        raise


def _run(targets: list[tuple]) -> list[str]:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(len(targets))
    errors = context.Queue()
    processes = [
        context.Process(target=target, args=(*args, start, errors)) for target, args in targets
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert [p.exitcode for p in processes] == [0] * len(processes), found
    return found


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_two_processes_writing_versions_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    Store(url).close()  # schema first, then two writers at once
    assert _run([(_writer, (url, "a", 25)), (_writer, (url, "b", 25))]) == []
    store = Store(url)
    history = store.history("shared")
    assert [v.number for v in history] == list(range(1, 51))
    assert [v.parent for v in history] == [None, *range(1, 50)]
    names = [store.version("shared", v.number).content["case"][1][1] for v in history]
    for tag in "ab":  # each writer's versions are all there, in its order
        assert [n for n in names if n.startswith(tag)] == [f"{tag}-{i}" for i in range(25)]
    assert store.latest_number("shared") == 50


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_two_processes_submitting_to_one_case_both_become_versions(tmp_path):
    from tests.data.hostile.corpus import base_workbook, edit, set_cells

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    store = Store(url)
    store.import_case("bicycle", read_case(BICYCLE), "owner")
    store.close()
    base = base_workbook(tmp_path)
    one = edit(base, tmp_path / "one.xlsx", set_cells(flows__D3=2.0))
    two = edit(base, tmp_path / "two.xlsx", set_cells(flows__D4=800))
    rounds = 3
    found = _run([(_submitter, (url, "one", rounds, str(one))),
                  (_submitter, (url, "two", rounds, str(two)))])  # fmt: skip
    assert found == []
    store = Store(url)
    history = store.history("bicycle")
    assert [v.number for v in history] == list(range(1, 2 * rounds + 2))
    subs = store.submissions("bicycle")
    assert len(subs) == 2 * rounds and {s.status for s in subs} == {"merged"}
    assert sorted(s.merged_version for s in subs) == list(range(2, 2 * rounds + 2))
    merged_from = {v.number: v.submission_id for v in history[1:]}
    assert all(merged_from[s.merged_version] == s.id for s in subs)
    last = store.version("bicycle").case()
    winner = next(s for s in subs if s.merged_version == 2 * rounds + 1).submitter
    amounts = {f.input: f.amount for f in last.flows if f.node == "frame_maker"}
    expected = {"one": (2.0, 900), "two": (1.5, 800)}[winner]
    assert (amounts["electricity_uk_grid_delivered"], amounts["natural_gas_combustion_kwh"]) == (
        expected
    )


# --- a store that is not scenat's, or not writable -------------------------------------------


def test_rollback_to_0_or_to_the_latest_is_refused(store, key, bicycle):
    """``rollback X 0`` re-added the latest version as a new one."""
    store.import_case(key, bicycle, "ana")
    store.import_case(key, changed(bicycle, "wheel_maker", "steel_cans_primary", 9.0), "bo")
    with pytest.raises(InputError) as info:
        store.rollback(key, 0, "ana")
    assert "numbered from 1" in info.value.problems[0].message and info.value.hint
    with pytest.raises(InputError, match="already version 2"):
        store.rollback(key, 2, "ana")
    assert store.rollback(key, -1, "ana").number == 3  # the one before the latest
    assert [v.number for v in store.history(key)] == [1, 2, 3]


def test_a_file_that_is_not_a_store_is_an_input_error(tmp_path):
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(InputError) as info:
        Store(f"sqlite:///{path}")
    problem = info.value.problems[0]
    assert problem.file == str(path) and "not a scenat store" in problem.message
    assert problem.hint and path.read_bytes() == before


def test_a_store_of_a_newer_schema_is_refused_and_not_written(tmp_path, bicycle):
    import sqlite3

    path = tmp_path / "store.sqlite"
    Store(f"sqlite:///{path}").import_case("bicycle", bicycle, "ana")
    with sqlite3.connect(path) as db:
        db.execute("update scenat_meta set value = '2' where key = 'schema'")
    counts = _counts(path)
    with pytest.raises(InputError) as info:
        Store(f"sqlite:///{path}").rollback("bicycle", 1, "ana")
    assert "schema 2" in info.value.problems[0].message and "newer" in info.value.problems[0].hint
    assert _counts(path) == counts


def _counts(path: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return tuple(db.execute(f"select count(*) from {t}").fetchone()[0]
                     for t in ("scenat_versions", "scenat_submissions"))  # fmt: skip


def test_a_read_only_store_is_read_and_a_write_is_an_input_error(tmp_path, bicycle, monkeypatch):
    """A read-only SCENAT_HOME failed even for ``history``. The store is opened read-only
    when its file or folder may not be written (``os.access``; patched here, because root,
    as the tests may run, may write anything); a write is then a located error."""
    path = tmp_path / "store.sqlite"
    writable = Store(f"sqlite:///{path}")
    writable.import_case("bicycle", bicycle, "ana")
    writable.close()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK and str(
        p).startswith(str(tmp_path)) else real_access(p, mode, **kw))  # fmt: skip
    store = Store(f"sqlite:///{path}")
    assert [v.number for v in store.history("bicycle")] == [1]
    with pytest.raises(InputError) as info:
        store.import_case("other", bicycle, "ana")
    assert "read-only" in info.value.problems[0].message
    assert info.value.problems[0].file == str(path)


def test_a_write_to_a_database_sqlite_refuses_is_an_input_error(tmp_path, bicycle):
    """A store opened read-only by its URL: SQLite itself refuses the write."""
    path = tmp_path / "store.sqlite"
    Store(f"sqlite:///{path}").import_case("bicycle", bicycle, "ana")
    store = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert store.latest_number("bicycle") == 1
    with pytest.raises(InputError, match="read-only"):
        store.import_case("other", bicycle, "ana")


def test_a_second_case_with_the_same_file_name_is_refused_not_merged(store, tmp_path):
    """Partner B's b/case.xlsx took the key 'case' of partner A's a/case.xlsx and was filed
    under it. A path's key is its file name only while the stored case is that file's
    content (any version of it); another case under the same name is refused."""
    import copy

    from tests.conftest import VALID_SHEETS, write_sheets

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    mine = write_sheets(tmp_path / "a" / "case.xlsx", VALID_SHEETS, "xlsx")
    theirs = copy.deepcopy(VALID_SHEETS)
    theirs["flows"][2][3] = 99
    other = write_sheets(tmp_path / "b" / "case.xlsx", theirs, "xlsx")
    assert open_case(store, str(mine), "ana") == "case"
    with pytest.raises(InputError) as info:
        open_case(store, str(other), "bo")
    problem = info.value.problems[0]
    assert problem.file == str(other) and "already holds a different case" in problem.message
    assert "case" in problem.hint
    assert len(store.history("case")) == 1
    (tmp_path / "c").mkdir()
    same = write_sheets(tmp_path / "c" / "case.xlsx", VALID_SHEETS, "xlsx")
    assert open_case(store, str(same), "bo") == "case"  # the same content: the same case
