"""``python -m scenat.cli``: exit codes, one JSON document on stdout, located input errors.

Eight subprocess calls in all (each costs a Python start; the first assessment also builds
the Brightway project in the session's SCENAT_HOME); results are shared through
module-scoped fixtures. The internal-error path runs in-process with a monkeypatch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import scenat.assessment.result
from scenat import cli
from scenat.casefile.build import validate
from tests.conftest import BICYCLE, ROOT, VALID_SHEETS, write_sheets

INDICATORS = {
    # id: (unit, method) as DESIGN.md "Default indicators" lists them
    "gwp100": ("kg CO2-eq", ["IPCC 2021", "climate change", "global warming potential (GWP100)"]),
    "fossil_energy": (
        "MJ, net calorific value",
        [
            "EF v3.1",
            "energy resources: non-renewable",
            "abiotic depletion potential (ADP): fossil fuels",
        ],
    ),
    "metals_minerals": (
        "kg Sb-eq",
        [
            "EF v3.1",
            "material resources: metals/minerals",
            "abiotic depletion potential (ADP): elements (ultimate reserves)",
        ],
    ),
    "water": (
        "m3 world-eq deprived",
        [
            "EF v3.1",
            "water use",
            "user deprivation potential (deprivation-weighted water consumption)",
        ],
    ),
}
BREAKDOWNS = ("node", "tier", "stage", "process", "flow")
BICYCLE_NODES = {"bike_assembly", "frame_maker", "wheel_maker", "tool_shop", "paint_supplier"}


def run_cli(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scenat.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def assessed(cli_env, tmp_path_factory):
    """``assess examples/bicycle --json --out report.json`` (call 1 of 8)."""
    out = tmp_path_factory.mktemp("reports") / "report.json"
    done = run_cli(cli_env, "assess", "examples/bicycle", "--json", "--out", str(out))
    return done, out


@pytest.fixture(scope="module")
def document(assessed):
    done, _ = assessed
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def bad_case(tmp_path_factory):
    """A workbook with a negative amount on flows row 5 and an unknown unit on row 6."""
    sheets = {k: [list(r) for r in v] for k, v in VALID_SHEETS.items()}
    sheets["flows"] += [
        ["plant", "emission", "n2o", -2, "kg"],
        ["plant", "emission", "ch4_fossil", 1, "kgg"],
    ]
    return write_sheets(tmp_path_factory.mktemp("bad") / "bad case.xlsx", sheets, "xlsx")


# --- assess --json ---------------------------------------------------------------------------


def test_assess_json_exits_0_with_only_json_on_stdout(assessed):
    done, _ = assessed
    assert done.returncode == 0, done.stderr
    text = done.stdout.strip()
    assert text.startswith("{") and text.endswith("}")
    json.loads(text)  # exactly one document: trailing text would make this fail
    assert "INFO" not in done.stdout and "Brightway" not in done.stdout
    assert "Traceback" not in done.stderr


def test_assess_json_indicators(document):
    assert document["case"] == "Aluminium bicycle (starter example)"
    assert set(document["indicators"]) == set(INDICATORS)
    for ind_id, (unit, method) in INDICATORS.items():
        item = document["indicators"][ind_id]
        assert item["unit"] == unit
        assert item["method"] == method
        assert isinstance(item["total"], float)
    # DESNZ factors give greenhouse gases, fuels and water; metals come only from the frame's
    # ÖKOBAUDAT aluminium, so their coverage is flagged low.
    totals = {k: v["total"] for k, v in document["indicators"].items()}
    assert totals["gwp100"] > 0 and totals["fossil_energy"] > 0 and totals["water"] > 0
    assert totals["metals_minerals"] > 0.0
    assert document["indicators"]["metals_minerals"]["coverage"]["low"] is True


def test_assess_json_hotspot_shape(document):
    assert set(document["hotspots"]) == set(INDICATORS)
    for ind_id in INDICATORS:
        tables = document["hotspots"][ind_id]
        assert set(BREAKDOWNS) <= set(tables)
        for by in BREAKDOWNS:
            # zero contributions are dropped, so a zero total has empty breakdowns
            assert isinstance(tables[by], list), (ind_id, by)
            assert bool(tables[by]) == (document["indicators"][ind_id]["total"] != 0)
            for row in tables[by]:
                assert {"key", "label", "value", "share"} <= set(row)
                assert isinstance(row["label"], str) and row["label"]
        for row in tables["tier"]:
            assert type(row["key"]) is int
        assert {row["key"] for row in tables["tier"]} <= {0, 1, 2}
        assert {row["key"] for row in tables["node"]} <= BICYCLE_NODES
        assert {row["key"] for row in tables["stage"]} <= {"assembly", "manufacturing", "materials"}


def test_every_breakdown_sums_to_the_total(document):
    for ind_id, item in document["indicators"].items():
        total = item["total"]
        for by in BREAKDOWNS:
            rows = document["hotspots"][ind_id][by]
            assert sum(r["value"] for r in rows) == pytest.approx(total, rel=1e-9, abs=0), by
            if total != 0:
                assert sum(r["share"] for r in rows) == pytest.approx(1.0, rel=1e-9), by


def test_hand_worked_values(document):
    # Direct HFC-134a at the assembly plant: 2 g per bike x GWP100 1530 (IPCC AR6) = 3.06 kg.
    flows = {r["key"]: r for r in document["hotspots"]["gwp100"]["flow"]}
    assert flows["hfc134a"]["value"] == pytest.approx(0.002 * 1530, rel=1e-6)
    # No other node emits HFC-134a: it all sits in tier 0 next to the plant's purchases.
    tiers = {r["key"]: r["value"] for r in document["hotspots"]["gwp100"]["tier"]}
    assert tiers[0] > 3.06
    # The loop: frames f = 1 + 0.5 t and jigs t = 2/100 f, so f = 1/0.99 frames, in batches
    # of 100; paint 30 kg per batch; jigs 2 per batch; 2 wheels per bike.
    supply = document["supply"]
    assert supply["bike_assembly"] == pytest.approx(1.0, rel=1e-9)
    assert supply["frame_maker"] == pytest.approx(1 / 99, rel=1e-9)
    assert supply["tool_shop"] == pytest.approx(2 / 99, rel=1e-9)
    assert supply["paint_supplier"] == pytest.approx(30 / 99, rel=1e-9)
    assert supply["wheel_maker"] == pytest.approx(2.0, rel=1e-9)


def test_out_json_is_the_same_document(assessed, document):
    _, out = assessed
    assert json.loads(out.read_text()) == document


def test_assess_by_example_name_with_xlsx_report(cli_env, document, tmp_path):
    """``assess bicycle --out report.xlsx`` from another folder (call 2 of 8)."""
    out = tmp_path / "report.xlsx"
    done = run_cli(cli_env, "assess", "bicycle", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Aluminium bicycle" in done.stdout and str(out) in done.stdout
    book = openpyxl.load_workbook(out)
    assert "totals" in book.sheetnames
    rows = list(book["totals"].iter_rows(values_only=True))
    header = list(rows[0])
    totals = {r[header.index("indicator")]: r[header.index("total")] for r in rows[1:]}
    assert totals == pytest.approx(
        {k: v["total"] for k, v in document["indicators"].items()}, rel=1e-12
    )


# --- bad input ---------------------------------------------------------------------------


def test_assess_bad_workbook_exits_2_with_located_message(cli_env, bad_case):
    """Call 3 of 8."""
    done = run_cli(cli_env, "assess", str(bad_case), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    negative = next(line for line in lines if "negative" in line)
    assert str(bad_case) in negative
    assert "sheet flows, row 5, column amount" in negative
    unit = next(line for line in lines if "kgg" in line)
    assert "sheet flows, row 6, column unit" in unit
    assert "2 error(s)" in done.stderr


def test_validate_bad_workbook_exits_2(cli_env, bad_case):
    """Call 4 of 8."""
    done = run_cli(cli_env, "validate", str(bad_case))
    assert done.returncode == 2
    assert "row 5, column amount" in done.stdout and "row 6, column unit" in done.stdout
    assert "Traceback" not in done.stderr


def test_validate_example_exits_0(cli_env):
    """Call 5 of 8."""
    done = run_cli(cli_env, "validate", str(BICYCLE))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems" in done.stdout


def test_template_xlsx_exits_0_and_validates(cli_env, tmp_path):
    """Call 6 of 8."""
    out = tmp_path / "sub" / "partner.xlsx"
    done = run_cli(cli_env, "template", str(out))
    assert done.returncode == 0, done.stderr
    assert validate(out) == []


def test_template_other_suffix_exits_2(cli_env, tmp_path):
    """Call 7 of 8."""
    out = tmp_path / "partner.txt"
    done = run_cli(cli_env, "template", str(out))
    assert done.returncode == 2
    assert ".xlsx" in done.stderr and str(out) in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_examples_lists_bicycle(cli_env):
    """Call 8 of 8."""
    done = run_cli(cli_env, "examples")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "bicycle" or "bicycle " in done.stdout
    assert "Aluminium bicycle (starter example)" in done.stdout


# --- in process --------------------------------------------------------------------------


def test_internal_error_exits_1_without_traceback(monkeypatch, capsys):
    def broken(case, indicators=None):
        raise RuntimeError("solver exploded")

    monkeypatch.delenv("SCENAT_DEBUG", raising=False)
    monkeypatch.setattr(scenat.assessment, "assess", broken)
    assert cli.main(["assess", str(BICYCLE), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "internal error: RuntimeError: solver exploded" in captured.err
    assert "Traceback" not in captured.err


def test_input_error_in_process_exits_2(capsys, tmp_path):
    missing = tmp_path / "nope.xlsx"
    assert cli.main(["validate", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2


def test_a_store_that_is_not_one_exits_2_with_its_path(capsys, tmp_path):
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"garbage" * 100)
    assert cli.main(["history", "bicycle", "--store", f"sqlite:///{path}"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "not a scenat store" in err and "internal" not in err


def test_rollback_0_exits_2_and_adds_nothing(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert cli.main(["history", str(BICYCLE), "--store", url]) == 2  # not imported yet
    capsys.readouterr()
    from scenat.store import Store, open_case

    key = open_case(Store(url), str(BICYCLE), "ana")
    assert cli.main(["rollback", key, "0", "--store", url]) == 2
    assert "numbered from 1" in capsys.readouterr().err
    assert [v.number for v in Store(url).history(key)] == [1]


def test_an_unusable_scenat_home_exits_2_naming_it(capsys, tmp_path, monkeypatch):
    """SCENAT_HOME where a file sits (or on a read-only disk): the environment is the
    problem, so it is reported like bad input, with the path, never as an internal error."""
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("SCENAT_HOME", str(blocked / "home"))
    monkeypatch.delenv("SCENAT_STORE_URL", raising=False)
    assert cli.main(["history", "bicycle"]) == 2
    err = capsys.readouterr().err
    assert str(blocked / "home") in err and "internal" not in err and "Hint:" in err
