"""The Submissions page without a browser (``streamlit.testing.v1.AppTest``).

Each test has its own store (``SCENAT_STORE_URL`` in a temporary folder; the default is
SQLite in ``SCENAT_HOME``, which the session fixture keeps private anyway) and works on the
bicycle example. Partner workbooks are built with :mod:`scenat.casefile.partner_template`
and openpyxl.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("plotly")

from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "main.py"
if str(APP.parent) not in sys.path:
    sys.path.insert(0, str(APP.parent))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = 120
PAGE = "views/submissions.py"
KEY = "bicycle"  # the store key of the shipped example (its folder name)


@pytest.fixture
def store(tmp_path, monkeypatch):
    from scenat.store.database import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SCENAT_STORE_URL", url)
    yield Store(url)


def open_page(example: str = "bicycle") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["example"] = example
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Submissions"
    return at


TABLES = {  # AppTest does not expose a dataframe's key: each table by its own columns
    "sub_history": ("version", "action"),
    "sub_problems": ("severity", "hint"),
    "sub_received": ("submitter", "status"),
    "sub_flow_diff": ("old_amount", "new_amount"),
    "sub_totals": ("indicator", "before", "after"),
    "sub_node_changes": ("share before [%]", "change"),
}


def table(at: AppTest, key: str):
    """The table the page shows under ``key`` (as pandas)."""
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in TABLES[key]):
            return frame.value
    raise AssertionError(f"no table {key} on the page")


def partner_workbook(store, node: str, change=None) -> bytes:
    """The partner template of ``node`` for the stored case, edited by ``change(flows_sheet)``."""
    from openpyxl import load_workbook

    from scenat.casefile.partner_template import partner_template_bytes

    book = load_workbook(io.BytesIO(partner_template_bytes(store.version(KEY).case(), node, KEY)))
    if change:
        change(book["flows"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def amount_column(sheet) -> int:
    return [c.value for c in sheet[1]].index("amount") + 1


def send(at: AppTest, name: str, data: bytes, submitter: str = "Frame Co") -> AppTest:
    at.file_uploader(key="sub_upload").set_value((name, data, XLSX))
    at.text_input(key="sub_submitter").set_value(submitter).run()
    at.button(key="sub_submit").click().run()
    assert not at.exception, at.exception
    return at


def test_page_loads_for_every_example(store):
    from scenat.casefile.examples import list_examples

    for example in list_examples():
        at = open_page(example["name"])
        assert not at.error, [e.value for e in at.error]
        assert at.get("download_button")[0].label == "Download the partner template (.xlsx)"
        history = table(at, "sub_history")
        assert list(history["version"]) == [1] and list(history["action"]) == ["import"]
    assert set(store.case_keys()) >= {KEY}


def test_bad_workbook_shows_each_problem_and_is_stored_rejected(store):
    at = open_page()
    node = at.selectbox(key="sub_template_node").value

    def spoil(sheet):
        sheet.cell(row=3, column=amount_column(sheet)).value = "lots"

    data = partner_workbook(store, node, spoil)
    send(at, "frame.xlsx", data)
    assert at.error and "stored all the same" in at.error[0].value
    problems = table(at, "sub_problems")
    assert list(problems.columns[:5]) == ["severity", "sheet", "row", "column", "value"]
    assert "hint" in problems.columns
    hit = problems[(problems["sheet"] == "flows") & (problems["row"] == 3)]
    assert list(hit["column"]) == ["amount"] and list(hit["value"]) == ["lots"]
    assert hit["hint"].iloc[0]
    labels = [b.label for b in at.get("download_button")]
    assert "Download the validation report (.xlsx)" in labels
    # the store kept it, rejected, byte for byte; the case is untouched
    (sub,) = store.submissions(KEY)
    assert sub.status == "rejected" and sub.submitter == "Frame Co"
    assert store.submission(sub.id).data == data
    assert store.latest_number(KEY) == 1
    received = table(at, "sub_received")
    assert list(received["status"]) == ["rejected"]
    assert not at.get("button") or "sub_accept" not in [b.key for b in at.button]


def test_valid_workbook_preview_matches_the_api_and_accept_adds_a_version(store):
    from scenat.store.submissions import preview

    at = open_page()
    node = at.selectbox(key="sub_template_node").value
    column = {}

    def double_first_amount(sheet):
        column["amount"] = amount_column(sheet)
        cell = sheet.cell(row=2, column=column["amount"])
        column["old"] = cell.value
        cell.value = cell.value * 2

    send(at, "frame.xlsx", partner_workbook(store, node, double_first_amount))
    assert not at.error, [e.value for e in at.error]
    (sub,) = store.submissions(KEY)
    assert sub.status == "valid"
    expected = preview(store, sub.id).diff
    flows = table(at, "sub_flow_diff")
    assert list(flows["change"]) == [f["change"] for f in expected.flows] == ["changed"]
    assert flows["old_amount"].iloc[0] == pytest.approx(column["old"])
    assert flows["new_amount"].iloc[0] == pytest.approx(2 * column["old"])
    totals = table(at, "sub_totals")
    assert list(totals["indicator"]) == expected.totals["indicator"].to_list()
    assert list(totals["before"]) == pytest.approx(expected.totals["a"].to_list())
    assert list(totals["after"]) == pytest.approx(expected.totals["b"].to_list())
    assert list(totals["change"]) == pytest.approx(expected.totals["difference"].to_list())
    assert any(v != 0 for v in totals["change"]), "doubling an input moves a total"
    moved = table(at, "sub_node_changes")
    gwp = expected.hotspots["gwp100"].filter(expected.hotspots["gwp100"]["difference"] != 0)
    assert list(moved["node"]) == gwp["key"].to_list()
    assert list(moved["change"]) == pytest.approx(gwp["difference"].to_list())
    # accept: a new version, visible in the history
    at.button(key="sub_accept").click().run()
    assert not at.exception, at.exception
    assert store.latest_number(KEY) == 2
    assert store.submission(sub.id).status == "merged"
    history = table(at, "sub_history")
    assert list(history["version"]) == [2, 1]
    assert list(history["action"]) == ["merge", "import"]
    assert history["submission"].iloc[0] == sub.id
    assert any("version 2" in s.value for s in at.success)
    # and rolled back again: version 3 with the content of version 1
    at.selectbox(key="sub_rollback_version").set_value(1)
    at.button(key="sub_rollback").click().run()
    assert not at.exception, at.exception
    assert list(table(at, "sub_history")["action"])[:1] == ["rollback"]
    assert store.version(KEY, 3).sha256 == store.version(KEY, 1).sha256


def test_missing_submitter_is_a_message_and_stores_nothing(store):
    at = open_page()
    node = at.selectbox(key="sub_template_node").value
    send(at, "frame.xlsx", partner_workbook(store, node), submitter="  ")
    assert at.error and "submitter" in at.error[0].value
    assert store.submissions(KEY) == []
