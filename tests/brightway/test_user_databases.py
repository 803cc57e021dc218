"""Any Brightway database in scenat's project as background: ``<database>:<code>`` in a case.

The test writes a three-process database with bw2data (as a user importing ecoinvent with
bw2io would) and assesses a case that buys from it. By hand, with the IPCC 2021 GWP100
factors (CO2 fossil 1, CH4 fossil 29.8, N2O 273):

* power, per kWh: 0.4 kg CO2 + 0.001 kg CH4 -> 0.4 + 0.0298 = 0.4298
* steel, per kg: 1.5 kg CO2 + 0.5 kWh power -> 1.5 + 0.5 x 0.4298 = 1.7149
* truck, per tkm: written per 2 tkm (production 2) as 0.2 kg CO2 + 0.0002 kg N2O
  -> (0.2 + 0.0546) / 2 = 0.1273
* the case: 10 kg steel (given as 0.01 t) + 20 tkm truck + 1 kg CO2 directly
  -> 17.149 + 2.546 + 1 = 20.695 kg CO2-eq

Brightway stores the database's values as float32, hence 1e-6 relative.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import scenat
from scenat.errors import InputError

REPO = Path(__file__).resolve().parents[2]
CO2 = "349b29d1-3e58-4c66-98b9-9d1a076efd2e"
CH4 = "0795345f-c7ae-410c-ad25-1845784c75f5"
N2O = "20185046-64bb-4c09-a8e7-e8a9e144ca98"
DB = "mydb"
CASE = [["field", "value"], ["name", "User background"], ["reference_node", "plant"]]
NODES = [
    ["id", "name", "tier", "stage", "location", "output_amount", "output_unit"],
    ["plant", "Plant", 0, "assembly", "GB", 1, "item"],
]
FLOWS = ["node", "kind", "input", "amount", "unit"]


def _activity(name, unit, production, exchanges, code):
    return {
        "name": name,
        "reference product": name,
        "unit": unit,
        "location": "GLO",
        "type": "process",
        "exchanges": [{"input": (DB, code), "amount": production, "type": "production"}]
        + exchanges,
    }


@pytest.fixture(scope="module")
def user_db():
    from scenat.brightway.project import brightway_project, database_changed

    bio = "biosphere3"
    data = {
        (DB, "power"): _activity(
            "electricity, grid",
            "kilowatt hour",
            1.0,
            [
                {"input": (bio, CO2), "amount": 0.4, "type": "biosphere"},
                {"input": (bio, CH4), "amount": 0.001, "type": "biosphere"},
            ],
            "power",
        ),
        (DB, "steel"): _activity(
            "steel, hot rolled",
            "kilogram",
            1.0,
            [
                {"input": (bio, CO2), "amount": 1.5, "type": "biosphere"},
                {"input": (DB, "power"), "amount": 0.5, "type": "technosphere"},
            ],
            "steel",
        ),
        (DB, "truck"): _activity(
            "transport, lorry",
            "ton kilometer",
            2.0,
            [
                {"input": (bio, CO2), "amount": 0.2, "type": "biosphere"},
                {"input": (bio, N2O), "amount": 0.0002, "type": "biosphere"},
            ],
            "truck",
        ),
    }
    with brightway_project() as bd:
        bd.Database(DB).write(data)
    database_changed(DB)
    yield DB
    with brightway_project() as bd:
        del bd.databases[DB]
    database_changed(DB)


def _case(write_case, *rows):
    return write_case(sheets={"case": CASE, "nodes": NODES, "flows": [FLOWS, *rows]})


def test_case_buys_from_a_user_database(user_db, write_case):
    path = _case(
        write_case,
        ["plant", "process", f"{DB}:steel", 0.01, "t"],
        ["plant", "process", f"{DB}:truck", 20, "tkm"],
        ["plant", "emission", "co2_fossil", 1, "kg"],
    )
    case = scenat.read_case(path)
    assert [f.amount_in_reference for f in case.flows][:2] == [pytest.approx(10.0), 20.0]
    result = scenat.assess(case, ["gwp100"])
    assert result.total("gwp100") == pytest.approx(20.695, rel=1e-6)
    by_process = dict(
        zip(*result.hotspots("gwp100", by="process").select("key", "value").to_dict().values())
    )
    assert by_process[f"{DB}:steel"] == pytest.approx(15.0, rel=1e-6)
    assert by_process[f"{DB}:power"] == pytest.approx(10 * 0.5 * 0.4298, rel=1e-6)
    assert by_process[f"{DB}:truck"] == pytest.approx(2.546, rel=1e-6)


def test_catalogue_gives_units_in_scenat_spelling(user_db):
    from scenat.brightway.project import project_catalogue

    processes = project_catalogue().processes
    assert processes[f"{DB}:truck"].unit == "tkm"
    assert processes.get(f"{DB}:power").unit == "kWh"
    assert processes[f"{DB}:steel"].database == DB
    assert f"{DB}:nothing" not in processes
    assert "nodb:steel" not in processes


def test_unknown_database_or_code_is_a_located_problem(user_db, write_case):
    path = _case(
        write_case,
        ["plant", "process", f"{DB}:steal", 1, "kg"],
        ["plant", "process", "nodb:steel", 1, "kg"],
    )
    with pytest.raises(InputError) as info:
        scenat.read_case(path)
    problems = {p.row: p for p in info.value.problems}
    assert problems[2].column == "input" and problems[2].value == f"{DB}:steal"
    assert f"{DB}:steel" in problems[2].hint  # the closest code of that database
    assert problems[3].value == "nodb:steel"


def test_shipped_databases_are_not_reachable_by_prefix(user_db, write_case):
    # scenat's own databases are already in the background; a prefixed id would count twice
    path = _case(write_case, ["plant", "process", "scenat-starter:water_supply", 1, "m3"])
    with pytest.raises(InputError):
        scenat.read_case(path)


def test_other_biosphere_database_is_linked_by_code(user_db, write_case):
    """ecoinvent via bw2io brings its own biosphere database: flows link to biosphere3 by id."""
    from scenat.brightway.project import brightway_project, database_changed

    with brightway_project() as bd:
        bd.Database("my-biosphere").write(
            {
                ("my-biosphere", CO2): {
                    "name": "Carbon dioxide, fossil",
                    "categories": ("air",),
                    "unit": "kilogram",
                    "type": "emission",
                }
            }
        )
        bd.Database("otherdb").write(
            {
                ("otherdb", "cement"): {
                    "name": "cement",
                    "unit": "kilogram",
                    "location": "GLO",
                    "type": "process",
                    "exchanges": [
                        {"input": ("otherdb", "cement"), "amount": 1.0, "type": "production"},
                        {"input": ("my-biosphere", CO2), "amount": 0.8, "type": "biosphere"},
                    ],
                }
            }
        )
    database_changed("otherdb")
    try:
        path = _case(write_case, ["plant", "process", "otherdb:cement", 3, "kg"])
        result = scenat.assess(scenat.read_case(path), ["gwp100"])
        assert result.total("gwp100") == pytest.approx(2.4, rel=1e-6)
    finally:
        with brightway_project() as bd:
            del bd.databases["otherdb"]
            del bd.databases["my-biosphere"]
        database_changed("otherdb")


def test_shipped_only_case_does_not_import_brightway(cli_env, bicycle):
    code = "import sys, scenat; scenat.read_case(sys.argv[1]); print('bw2data' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code, str(bicycle)],
        env=cli_env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert out.stdout.strip() == "False"


def test_backgrounds_command_lists_databases_and_processes(user_db, cli_env):
    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "scenat.cli", "backgrounds", *args, "--json"],
            env=cli_env,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert {"name": DB, "processes": 3}.items() <= next(d for d in run() if d["name"] == DB).items()
    rows = run(DB, "--search", "steel")
    assert rows == [{"id": f"{DB}:steel", "name": "steel, hot rolled", "unit": "kg",
                     "location": "GLO"}]  # fmt: skip
