"""Partner submissions: intake, the hostile corpus, the validation report, merge, round trip.

The case is the shipped bicycle; partners fill in the workbook of node ``frame_maker``
(``tests/data/hostile/corpus.py`` describes its rows). Every test uses its own store in
``tmp_path``.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from scenat.casefile.build import read_case
from scenat.casefile.names import display_name
from scenat.casefile.screening import Limits
from scenat.errors import InputError
from scenat.paths import examples_dir
from scenat.report.documents import diff_text
from scenat.report.validation import validation_report
from scenat.store import (
    Store,
    SubmissionRejected,
    accept,
    case_content,
    export_version,
    merge_content,
    preview,
    submit,
)
from tests.data.hostile.corpus import CORPUS, GOOD, NODE, base_workbook, csv_files, edit, set_cells

BICYCLE = examples_dir() / "bicycle"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return base_workbook(tmp_path_factory.mktemp("partner"))


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.import_case("bicycle", read_case(BICYCLE), author="owner")
    yield store
    store.close()


def filled(base: Path, folder: Path, name: str = "filled.xlsx", **cells) -> Path:
    return edit(base, folder / name, set_cells(**cells))


# --- intake ----------------------------------------------------------------------------------


def test_valid_submission_is_stored_byte_for_byte(store, base, tmp_path):
    path = filled(base, tmp_path, flows__D2=0.3)
    sub = submit(store, "bicycle", path, "Frames Ltd")
    assert sub.status == "valid" and sub.node == NODE and sub.errors == []
    stored = store.submission(sub.id)
    data = path.read_bytes()
    assert stored.data == data and stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.submitter == "Frames Ltd" and stored.filename == "filled.xlsx"
    assert stored.received_at and stored.base_version == 1
    assert stored.parsed["flows"]["rows"][0][0] == 2  # rows as the spreadsheet numbers them
    assert stored.parsed["flows"]["rows"][0][1]["amount"] == 0.3
    assert [r[:5] for r in stored.flows[1:2]] == [
        [NODE, "process", "okobaudat_aluminium_section", 0.3, "t"]
    ]
    assert store.latest_number("bicycle") == 1  # submitting does not change the case


def test_upload_bytes_with_a_hostile_name_never_becomes_a_path(store, base, tmp_path):
    data = filled(base, tmp_path, flows__D3="oops").read_bytes()
    name = "../../../etc/cron.d/evil\x00.xlsx"
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", data, "Mallory", filename=name)
    sub = info.value.submission
    assert sub.filename == "evil.xlsx" == info.value.problems[0].file
    assert not Path("/etc/cron.d/evil.xlsx").exists()
    assert display_name("C:\\Users\\a\\b.xlsx") == "b.xlsx"
    assert display_name("") == "submission.xlsx"


def test_rejected_submission_is_stored_and_the_case_untouched(store, base, tmp_path):
    path = filled(base, tmp_path, flows__D3="1,5", flows__C4="natural_gas_combustion_kwhh")
    before = store.counts()
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", path, "Frames Ltd")
    err = info.value
    assert isinstance(err, InputError)
    assert [(p.sheet, p.row, p.column) for p in err.errors] == [
        ("flows", 3, "amount"),
        ("flows", 4, "input"),
    ]
    assert all(p.file == "filled.xlsx" for p in err.problems)
    after = store.counts()
    assert after["scenat_versions"] == before["scenat_versions"]
    assert after["scenat_submissions"] == before["scenat_submissions"] + 1
    sub = store.submission(err.submission.id)
    assert sub.status == "rejected" and sub.data == path.read_bytes() and sub.node == NODE
    assert [(p.row, p.column) for p in sub.errors] == [(3, "amount"), (4, "input")]
    with pytest.raises(InputError, match="rejected"):
        accept(store, sub.id, "owner")


def test_usage_errors_store_nothing(store, base):
    before = store.counts()
    with pytest.raises(InputError, match="submitter"):
        submit(store, "bicycle", base, "  ")
    with pytest.raises(InputError, match="no case 'stadium'"):
        submit(store, "stadium", base, "x")
    with pytest.raises(InputError, match="no such file"):
        submit(store, "bicycle", base.parent / "missing.xlsx", "x")
    assert store.counts() == before


# --- the hostile corpus ----------------------------------------------------------------------


def test_corpus_has_at_least_25_bad_files():
    assert len(CORPUS) >= 25
    assert len({bad.id for bad in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.id for bad in CORPUS])
def test_bad_file_is_rejected_at_its_location(store, base, tmp_path, bad):
    path = bad.build(base, tmp_path / bad.id)
    versions = store.history("bicycle")
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", path, "Partner", limits=bad.limits)
    errors = info.value.errors
    located = [(p.sheet, p.row, p.column) for p in errors]
    assert (bad.sheet, bad.row, bad.column) in located, "\n".join(map(str, errors))
    match = next(p for p in errors if (p.sheet, p.row, p.column) == (bad.sheet, bad.row,
                                                                      bad.column))  # fmt: skip
    assert bad.words in match.message, match
    # a member of a zip is named file.zip:member
    assert match.hint and match.file.partition(":")[0] == path.name
    # The store is unchanged except for the rejected submission, kept as sent.
    assert store.history("bicycle") == versions
    (sub,) = store.submissions("bicycle")
    assert sub.status == "rejected" and sub.kept == bad.kept
    stored = store.submission(sub.id)
    assert stored.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stored.data == (path.read_bytes() if bad.kept else None)


@pytest.mark.parametrize(("name", "build"), GOOD, ids=[g[0] for g in GOOD])
def test_odd_but_fine_files_are_accepted(store, base, tmp_path, name, build):
    path = build(base, tmp_path / name)
    sub = submit(store, "bicycle", path, "Partner")
    assert sub.status == "valid", sub.problems


def test_formula_is_read_as_its_saved_value_never_evaluated(store, base, tmp_path):
    build = dict(GOOD)["formula-with-saved-value"]
    sub = submit(store, "bicycle", build(base, tmp_path / "f"), "Partner")
    assert sub.parsed["flows"]["rows"][1][1]["amount"] == 1.5  # the cached value of =1+0.5


def _node_case() -> dict[str, list[list]]:
    """The bicycle reduced to frame_maker as a plain case (not a partner template): its node,
    the nodes it buys from, its flows; frame_maker is the reference node."""
    content = case_content(read_case(BICYCLE))
    content["case"] = [r if r[0] != "reference_node" else ["reference_node", NODE]
                       for r in content["case"]]  # fmt: skip
    content["nodes"] = [content["nodes"][0]] + [
        r for r in content["nodes"][1:] if r[0] in (NODE, "tool_shop", "paint_supplier")
    ]
    content["flows"] = [content["flows"][0]] + [r for r in content["flows"][1:] if r[0] == NODE]
    return content


def test_csv_zip_with_semicolons_in_windows_1252_is_read_with_warnings(store, tmp_path):
    content = _node_case()
    content["flows"][1][11] = "Tôle d'aluminium"  # a comment with an accent
    files = csv_files(content, ";", "cp1252")
    path = tmp_path / "partner.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    sub = submit(store, "bicycle", path, "Partner", node=NODE)  # not a signed template
    assert sub.status == "valid"
    messages = " ".join(p.message for p in sub.problems)
    assert "separated by ';'" in messages and "Windows-1252" in messages
    assert sub.flows[1][11] == "Tôle d'aluminium"


def test_csv_folder_in_utf16_is_read(store, tmp_path):
    content = _node_case()
    folder = tmp_path / "utf16"
    folder.mkdir()
    for name, data in csv_files(content, ",", "utf-16").items():
        (folder / name).write_bytes(data)
    sub = submit(store, "bicycle", folder, "Partner", node=NODE)  # not a signed template
    assert sub.status == "valid" and sub.filename == "utf16.zip"


def test_csv_with_a_giant_field_is_located(store, tmp_path):
    content = case_content(read_case(BICYCLE))
    folder = tmp_path / "giant"
    folder.mkdir()
    for name, data in csv_files(content, ",", "utf-8").items():
        (folder / name).write_bytes(data)
    flows = (folder / "flows.csv").read_bytes()
    (folder / "flows.csv").write_bytes(flows + b'"' + b"x" * 200_000 + b'"\n')
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", folder, "Partner")
    located = [(p.sheet, p.row) for p in info.value.errors]
    assert ("flows", 24) in located


# --- property: random corruption never yields a traceback or a partial write ----------------

CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.datetimes(),
    st.sampled_from(["=1/0", "=A1", "+1", "@SUM(A1)", "node", "kg", "\u200b", " ", "NaN"]),
)


@pytest.fixture(scope="module")
def base_rows(base) -> dict[str, list[list]]:
    """The case sheets of the partner workbook as rows (a fast base for many variants)."""
    book = openpyxl.load_workbook(base)
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows()]
        for name in ("case", "nodes", "flows")
    }


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory) -> Store:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 's.sqlite'}")
    store.import_case("bicycle", read_case(BICYCLE), author="owner")
    yield store
    store.close()


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    changes=st.lists(
        st.tuples(
            st.sampled_from(["case", "nodes", "flows"]),
            st.integers(min_value=1, max_value=9),
            st.integers(min_value=1, max_value=12),
            CELL_VALUES,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_cell_corruption_never_breaks_the_store(base_rows, fuzz_store, changes):
    rows = {name: [list(r) + [None] * 12 for r in table] for name, table in base_rows.items()}
    for sheet, row, column, value in changes:
        while len(rows[sheet]) < row:
            rows[sheet].append([None] * 12)
        rows[sheet][row - 1][column - 1] = value
    book = openpyxl.Workbook()
    book.remove(book.active)
    try:
        for name, table in rows.items():
            ws = book.create_sheet(name)
            for r, values in enumerate(table, start=1):
                for c, value in enumerate(values, start=1):
                    if value is not None:
                        ws.cell(row=r, column=c, value=value)
        buffer = io.BytesIO()
        book.save(buffer)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses: not a file
        assume(False)
    store = fuzz_store
    before = store.counts()
    try:
        sub = submit(store, "bicycle", buffer.getvalue(), "Fuzz", filename="fuzz.xlsx")
        assert sub.status == "valid"
    except SubmissionRejected as err:
        sub = err.submission
        assert err.errors and all(p.file == "fuzz.xlsx" and p.hint for p in err.errors)
        validation_report(store.submission(sub.id))  # the report is always buildable
    after = store.counts()
    assert after["scenat_versions"] == before["scenat_versions"] == 1
    assert after["scenat_submissions"] == before["scenat_submissions"] + 1
    assert store.submission(sub.id).data == buffer.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=8))
def test_random_byte_corruption_never_breaks_the_store(base, fuzz_store, flips):
    data = bytearray(base.read_bytes())
    for where, mask in flips:
        data[int(where * (len(data) - 1))] ^= mask
    before = fuzz_store.counts()
    try:
        submit(fuzz_store, "bicycle", bytes(data), "Fuzz", filename="fuzz.xlsx")
    except SubmissionRejected as err:
        assert err.errors and all(p.file == "fuzz.xlsx" for p in err.errors)
    after = fuzz_store.counts()
    assert after["scenat_versions"] == before["scenat_versions"] == 1
    assert after["scenat_submissions"] == before["scenat_submissions"] + 1


# --- validation report -----------------------------------------------------------------------


def test_validation_report_highlights_and_comments_offending_cells(store, base, tmp_path):
    path = edit(
        base,
        tmp_path / "bad.xlsx",
        set_cells(flows__D3="lots", flows__C4="gas", flows__L5='=HYPERLINK("http://x")'),
    )
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", path, "Partner")
    report = openpyxl.load_workbook(io.BytesIO(validation_report(info.value.submission)))
    assert report.sheetnames[0] == "problems"
    problems = report["problems"]
    header = [c.value for c in problems[1]]
    assert header[:7] == ["severity", "sheet", "row", "column", "value", "problem", "hint"]
    rows = [[c.value for c in r] for r in problems.iter_rows(min_row=2)]
    assert [(r[1], r[2], r[3]) for r in rows] == [("flows", 3, "amount"), ("flows", 4, "input")]
    assert problems.cell(row=2, column=8).hyperlink.location in (None, "'flows'!D3") or (
        problems.cell(row=2, column=8).hyperlink.target == "#'flows'!D3"
    )
    flows = report["flows"]
    for ref, words in (("D3", "must be a number"), ("C4", "unknown background process")):
        cell = flows[ref]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), ref
        assert words in cell.comment.text and "Hint:" in cell.comment.text
    assert flows["D2"].comment is None
    # Text that a spreadsheet would take for a formula stays text in the report.
    assert flows["L5"].data_type == "s" and flows["L5"].value.startswith("=HYPERLINK")


def test_report_of_a_file_that_is_not_a_workbook_lists_the_problems(store, tmp_path):
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", b"<html>not a workbook</html>", "P", filename="x.xlsx")
    report = openpyxl.load_workbook(io.BytesIO(validation_report(info.value.submission)))
    assert report.sheetnames == ["problems"]
    assert "web page" in report["problems"]["F2"].value


def test_report_of_merged_cells_marks_the_merged_range(store, base, tmp_path):
    path = edit(base, tmp_path / "merged.xlsx", lambda book: book["flows"].merge_cells("A2:A3"))
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", path, "P")
    assert ("flows", 3, "node") in [(p.sheet, p.row, p.column) for p in info.value.errors]
    report = openpyxl.load_workbook(io.BytesIO(validation_report(info.value.submission)))
    assert "merged cells A2:A3" in report["flows"]["A2"].comment.text
    assert "node is required" in report["flows"]["A2"].comment.text


def test_report_unhides_a_hidden_sheet_with_problems(store, base, tmp_path):
    from tests.data.hostile.corpus import _hide_sheet

    path = edit(base, tmp_path / "hidden.xlsx", _hide_sheet("flows"))
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", path, "P")
    report = openpyxl.load_workbook(io.BytesIO(validation_report(info.value.submission)))
    assert report["flows"].sheet_state == "visible"


# --- merge -----------------------------------------------------------------------------------


def test_merge_content_replaces_the_nodes_flows_in_place():
    content = {
        "flows": [
            ["node", "kind", "input", "amount", "unit"],
            ["a", "emission", "n2o", 1, "kg"],
            ["b", "emission", "n2o", 2, "kg"],
            ["b", "emission", "ch4_fossil", 3, "kg"],
            ["c", "emission", "n2o", 4, "kg"],
        ]
    }
    new = [["node", "kind", "input", "amount", "unit", "source"], ["b", "emission", "sf6", 5, "g",
           "log"]]  # fmt: skip
    merged, placed = merge_content(content, "b", new)
    assert merged["flows"][0] == ["node", "kind", "input", "amount", "unit", "source"]
    assert [r[0] for r in merged["flows"][1:]] == ["a", "b", "c"]
    assert merged["flows"][2] == ["b", "emission", "sf6", 5, "g", "log"] and placed == [1]
    merged, placed = merge_content(content, "d", [new[0], ["d", "emission", "n2o", 1, "kg"]])
    assert placed == [4] and merged["flows"][-1][0] == "d"


def test_round_trip_template_fill_submit_merge_export_reimport(store, base, tmp_path):
    path = filled(base, tmp_path, flows__D2=0.25, flows__K2="mill certificate 2025", flows__D4=850)
    book = openpyxl.load_workbook(path)
    book["flows"].append([NODE, "emission", "ch4_fossil", 0.02, "kg", None, None, None, None,
                          None, "leak survey", "new row"])  # fmt: skip
    book.save(path)
    sub = submit(store, "bicycle", path, "Frames Ltd")
    version = accept(store, sub.id, "owner")
    assert (version.number, version.action, version.submission_id) == (2, "merge", sub.id)
    assert store.submission(sub.id).status == "merged"
    assert store.submission(sub.id).merged_version == 2
    exported = export_version(store, "bicycle", tmp_path / "export.xlsx")
    again = read_case(exported)
    assert case_content(again) == store.version("bicycle").content
    flows = {(f.node, f.input): f for f in again.flows}
    assert flows[(NODE, "okobaudat_aluminium_section")].amount == 0.25
    assert flows[(NODE, "okobaudat_aluminium_section")].source == "mill certificate 2025"
    assert flows[(NODE, "natural_gas_combustion_kwh")].amount == 850
    assert flows[(NODE, "ch4_fossil")].comment == "new row"
    # Other nodes' flows are untouched, in their order.
    original = read_case(BICYCLE)
    assert [f for f in case_content(again)["flows"][1:] if f[0] != NODE] == [
        f for f in case_content(original)["flows"][1:] if f[0] != NODE
    ]


def test_preview_shows_the_diff_and_stores_nothing(store, base, tmp_path):
    sub = submit(store, "bicycle", filled(base, tmp_path, flows__D3=2.5), "Frames Ltd")
    plan = preview(store, sub.id, impact=False)
    assert [(f["change"], f["input"], f["old_amount"], f["new_amount"]) for f in plan.diff.flows
            ] == [("changed", "electricity_uk_grid_delivered", 1.5, 2.5)]  # fmt: skip
    assert plan.diff.flows[0]["old_reference"] == pytest.approx(1500.0)
    assert plan.diff.flows[0]["new_reference"] == pytest.approx(2500.0)
    assert store.latest_number("bicycle") == 1
    assert store.submission(sub.id).status == "valid"


def test_accept_twice_is_refused(store, base, tmp_path):
    sub = submit(store, "bicycle", filled(base, tmp_path, flows__D3=2), "Frames Ltd")
    accept(store, sub.id, "owner")
    with pytest.raises(InputError, match="already merged"):
        accept(store, sub.id, "owner")
    assert store.latest_number("bicycle") == 2


def test_accept_merges_on_the_latest_version(store, base, tmp_path):
    first = submit(store, "bicycle", filled(base, tmp_path, "a.xlsx", flows__D3=2), "A")
    second = submit(store, "bicycle", filled(base, tmp_path, "b.xlsx", flows__D4=700), "B")
    # A change of another node lands between submission and acceptance.
    wheel = edit_other_node(store)
    accept(store, second.id, "owner")
    accept(store, first.id, "owner")
    case = store.version("bicycle").case()
    amounts = {(f.node, f.input): f.amount for f in case.flows}
    assert amounts[(NODE, "electricity_uk_grid_delivered")] == 2  # the last accepted wins
    assert amounts[(NODE, "natural_gas_combustion_kwh")] == 900  # first's copy of the node
    assert amounts[("wheel_maker", "steel_cans_primary")] == wheel
    assert [v.action for v in store.history("bicycle")] == ["import", "import", "merge", "merge"]


def edit_other_node(store: Store) -> float:
    content = store.version("bicycle").content
    for row in content["flows"][1:]:
        if row[0] == "wheel_maker" and row[2] == "steel_cans_primary":
            row[3] = 1.3
    from scenat.store.database import content_case

    store.import_case("bicycle", content_case(content), "owner")
    return 1.3


def test_preview_with_impact_gives_the_effect_on_totals_and_hotspots(store, base, tmp_path):
    sub = submit(store, "bicycle", filled(base, tmp_path, flows__D3=3.0), "Frames Ltd")
    plan = preview(store, sub.id, impact=True, indicators=["gwp100"])
    totals = {r["indicator"]: r for r in plan.diff.totals.to_dicts()}
    assert totals["gwp100"]["b"] > totals["gwp100"]["a"]
    nodes = plan.diff.hotspots["gwp100"]
    top = nodes.row(0, named=True)
    assert top["key"] == NODE and top["difference"] > 0
    changed = [r for r in nodes.to_dicts() if r["key"] != NODE and abs(r["difference"]) > 1e-9]
    # frame_maker's electricity also reaches the nodes that buy from it only through supply.
    assert sum(r["difference"] for r in nodes.to_dicts()) == pytest.approx(
        totals["gwp100"]["difference"], rel=1e-9
    )
    assert all(r["key"] in ("tool_shop", "paint_supplier", "bike_assembly") for r in changed)
    assert "Effect on the totals" in diff_text(plan.diff)


def test_too_big_file_keeps_only_its_hash(store, base):
    limits = Limits(max_file_bytes=1000)
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", base, "P", limits=limits)
    sub = store.submission(info.value.submission.id)
    assert sub.data is None and not sub.kept and sub.size == base.stat().st_size
    assert sub.sha256 == hashlib.sha256(base.read_bytes()).hexdigest()


# --- command line ----------------------------------------------------------------------------


def test_cli_submit_accept_history_diff_rollback(base, tmp_path, capsys):
    from scenat.cli import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    good = filled(base, tmp_path, "good.xlsx", flows__D3=2.0)
    bad = filled(base, tmp_path, "bad.xlsx", flows__D3="two")
    report = tmp_path / "report.xlsx"
    store = ["--store", url]
    assert main(["submit", "bicycle", str(bad), "--submitter", "Frames", "--report",
                 str(report), *store]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "bad.xlsx, sheet flows, row 3, column amount" in err and "Traceback" not in err
    assert openpyxl.load_workbook(report).sheetnames[0] == "problems"
    assert main(["submit", "bicycle", str(good), "--submitter", "Frames", *store]) == 0
    out = capsys.readouterr().out
    assert "Submission #2 for node frame_maker of case bicycle: valid" in out
    assert main(["accept", "bicycle", "2", "--no-impact", *store]) == 0
    out = capsys.readouterr().out
    assert "electricity_uk_grid_delivered: 1.5 MWh -> 2 MWh" in out and "Preview only" in out
    assert Store(url).latest_number("bicycle") == 1
    assert main(["accept", "bicycle", "2", "--yes", "--author", "owner", "--no-impact",
                 *store]) == 0  # fmt: skip
    assert "now version 2" in capsys.readouterr().out
    assert main(["accept", "bicycle", "1", "--yes", *store]) == 2
    assert "rejected" in capsys.readouterr().err
    assert main(["history", "bicycle", "--submissions", "--export", str(tmp_path / "v.xlsx"),
                 "--report", "1", str(tmp_path / "r1.xlsx"), *store]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "v2" in out and "merge" in out and "#1" in out and "rejected" in out
    assert case_content(read_case(tmp_path / "v.xlsx")) == Store(url).version("bicycle").content
    assert main(["diff", "bicycle", "1", "2", "--no-impact", "--json", *store]) == 0
    import json

    document = json.loads(capsys.readouterr().out)
    assert [(f["change"], f["new_amount"]) for f in document["flows"]] == [("changed", 2.0)]
    assert main(["rollback", "bicycle", "1", "--author", "owner", *store]) == 0
    assert "now version 3" in capsys.readouterr().out
    assert main(["history", "bicycle", "--json", *store]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [v["action"] for v in document["versions"]] == ["import", "merge", "rollback"]
    assert [s["status"] for s in document["submissions"]] == ["rejected", "merged"]
    assert main(["history", "nothing", *store]) == 2


def test_cli_hostile_file_exits_2_without_traceback(tmp_path, cli_env):
    import subprocess
    import sys

    path = tmp_path / "evil.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    process = subprocess.run(
        [sys.executable, "-m", "scenat.cli", "submit", "bicycle", str(path), "--submitter",
         "x", "--store", url],
        capture_output=True, text=True, env=cli_env, timeout=120,
    )  # fmt: skip
    assert process.returncode == 2, process.stderr
    assert "evil.xlsx" in process.stderr and "damaged" in process.stderr
    assert "Traceback" not in process.stderr
    assert Store(url).counts()["scenat_submissions"] == 1


# --- the node a template is issued for -------------------------------------------------------


def test_a_template_is_signed_for_its_case_and_node(base):
    from scenat.casefile.partner_template import SIGNATURE_FIELD, template_signature

    rows = {r[0].value: r[1].value for r in openpyxl.load_workbook(base)["case"].iter_rows()}
    assert rows[SIGNATURE_FIELD] == template_signature("bicycle", NODE)
    assert template_signature("bicycle", "tool_shop") != rows[SIGNATURE_FIELD]


def test_an_edited_submission_node_cannot_overwrite_another_node(store, base, tmp_path):
    """A partner who wrote another supplier's node into submission_node replaced that
    supplier's flows. The node is signed when the template is issued."""
    path = filled(base, tmp_path, case__B9="paint_supplier", flows__A2="paint_supplier",
                  flows__A3="paint_supplier")  # fmt: skip
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", path, "Mallory")
    located = [(p.sheet, p.row, p.column) for p in info.value.errors]
    assert ("case", 9, "value") in located, info.value.errors
    problem = next(p for p in info.value.errors if (p.sheet, p.row) == ("case", 9))
    assert "signed" in problem.message and "--node" in problem.hint


def test_a_template_signed_elsewhere_is_rejected(store, tmp_path, monkeypatch):
    """A partner running scenat on their own machine signs with their own key: the case
    owner's intake does not accept it."""
    from scenat.casefile.partner_template import write_partner_template

    monkeypatch.setenv("SCENAT_SIGNING_KEY", "the partner's own key")
    forged = write_partner_template(read_case(BICYCLE), "paint_supplier",
                                    tmp_path / "forged.xlsx", "bicycle")  # fmt: skip
    monkeypatch.delenv("SCENAT_SIGNING_KEY")
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", forged, "Mallory")
    assert any("signed" in p.message for p in info.value.errors)


def test_an_unsigned_workbook_needs_the_owner_to_name_its_node(store, tmp_path):
    """A plain case workbook says its node only by reference_node, which anyone can edit:
    the case owner names the node (``--node``)."""
    content = _node_case()
    folder = tmp_path / "plain"
    folder.mkdir()
    for name, data in csv_files(content, ",", "utf-8").items():
        (folder / name).write_bytes(data)
    with pytest.raises(SubmissionRejected) as info:
        submit(store, "bicycle", folder, "Partner")
    (problem,) = info.value.errors
    assert "--node" in problem.hint
    assert submit(store, "bicycle", folder, "Partner", node=NODE).status == "valid"
