"""The embedded Brightway project: built offline in an empty SCENAT_HOME, idempotent, versioned,
safe when two processes start at once, and writing nothing outside SCENAT_HOME.

Each scenario runs in fresh Python processes, because bw2data fixes its folder at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, time
t = time.perf_counter()
from scenat.brightway.project import ensure_project, import_brightway
project = ensure_project()
bd = import_brightway()
print(json.dumps({
    "seconds": time.perf_counter() - t,
    "databases": sorted(bd.databases),
    "methods": sorted(" | ".join(m) for m in bd.methods),
    "processes": len(bd.Database("scenat-starter")),
    "biosphere": len(bd.Database("biosphere3")),
    "ids": {k: project.process_ids[k] for k in sorted(project.process_ids)[:3]},
    "co2": project.biosphere_ids["co2_fossil"],
}))
"""


def _run(home: Path, user_home: Path, code: str = PROBE) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SCENAT_HOME": str(home),
        "HOME": str(user_home),
        "XDG_DATA_HOME": "",
        "XDG_STATE_HOME": "",
        "XDG_CACHE_HOME": "",
        "PYTHONPATH": str(REPO),
    }
    env.pop("BRIGHTWAY2_DIR", None)
    return subprocess.Popen(  # type: ignore[return-value]
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_first_use_builds_everything_and_writes_only_inside_scenat_home(tmp_path):
    home, user_home = tmp_path / "scenat-home", tmp_path / "user-home"
    user_home.mkdir()
    first = _finish(_run(home, user_home))
    assert {"biosphere3", "scenat-starter", "scenat-freight", "scenat_flows"} <= set(
        first["databases"]
    )
    # the four default indicators, the eight optional USEEIO and two ÖKOBAUDAT ones (scenat's
    # own methods)
    assert len(first["methods"]) == 14
    assert "ÖKOBAUDAT 2020-II | EN 15804 | net use of fresh water (FW)" in first["methods"]
    assert "IPCC 2021 | climate change | global warming potential (GWP100)" in first["methods"]
    assert "USEEIO v2.0.1 | energy | non-renewable energy (NNRG)" in first["methods"]
    assert first["biosphere"] == 4709  # the ecoinvent 3.9 list bundled in bw2io
    with (REPO / "inventories" / "starter" / "processes.csv").open() as handle:
        assert first["processes"] == sum(1 for _ in handle) - 1
    # bw2data would otherwise create ~/.local/share/Brightway3 at import.
    assert _files(user_home) == []
    assert (home / "brightway").is_dir()


def test_second_use_is_idempotent_and_keeps_node_ids(tmp_path):
    home, user_home = tmp_path / "h", tmp_path / "u"
    user_home.mkdir()
    first = _finish(_run(home, user_home))
    stamp = next(home.rglob("scenat-stamp.json"))
    before = stamp.stat().st_mtime_ns
    second = _finish(_run(home, user_home))
    assert second["ids"] == first["ids"] and second["co2"] == first["co2"]
    assert stamp.stat().st_mtime_ns == before  # nothing rebuilt
    assert second["databases"] == first["databases"]


def test_a_changed_inventory_version_rebuilds_the_background(tmp_path):
    home, user_home = tmp_path / "h", tmp_path / "u"
    user_home.mkdir()
    first = _finish(_run(home, user_home))
    stamp_path = next(home.rglob("scenat-stamp.json"))
    stamp = json.loads(stamp_path.read_text())
    stamp["inventory"] = "an-older-version"
    stamp_path.write_text(json.dumps(stamp))
    rebuilt = _finish(_run(home, user_home))
    assert json.loads(stamp_path.read_text())["inventory"] != "an-older-version"
    assert rebuilt["processes"] == first["processes"]
    # Rewritten database: new snowflake ids, same content.
    assert rebuilt["ids"] != first["ids"]


def test_two_processes_starting_at_once_build_one_project(tmp_path):
    home, user_home = tmp_path / "h", tmp_path / "u"
    user_home.mkdir()
    a = _run(home, user_home)
    b = _run(home, user_home)
    first, second = _finish(a), _finish(b)
    # Both see the same, complete project: the loser of the lock waited and built nothing.
    assert first["ids"] == second["ids"]
    assert first["processes"] == second["processes"]
    # 4 default indicators + 8 USEEIO + 2 ÖKOBAUDAT (methods/*.csv)
    assert len(first["methods"]) == len(second["methods"]) == 14


USEEIO_PROBE = """
import json
from scenat.brightway.project import ensure_project, import_brightway
project = ensure_project()
bd = import_brightway()
method = bd.Method(project.methods["useeio_nnrg"])
flows = bd.Database("scenat_flows")
print(json.dumps({
    "factors": [[bd.get_node(id=node)["code"], cf] for node, cf in method.load()],
    "flows": sorted(f["code"] for f in flows),
}))
"""


def test_scenat_methods_characterise_only_their_indicator_flow_and_are_versioned(tmp_path):
    home, user_home = tmp_path / "h", tmp_path / "u"
    user_home.mkdir()
    first = _finish(_run(home, user_home, USEEIO_PROBE))
    assert first["factors"] == [["scenat-useeio-nnrg", 1.0]]
    assert len(first["flows"]) == 10  # 8 USEEIO + 2 ÖKOBAUDAT indicator flows
    # a changed methods/scenat_methods.csv (its digest in the stamp) rewrites the methods
    stamp_path = next(home.rglob("scenat-stamp.json"))
    stamp = json.loads(stamp_path.read_text())
    stamp["methods"]["scenat_methods"] = "an-older-table"
    stamp_path.write_text(json.dumps(stamp))
    again = _finish(_run(home, user_home, USEEIO_PROBE))
    assert again == first
    assert json.loads(stamp_path.read_text())["methods"]["scenat_methods"] != "an-older-table"
    # a changed inventory rewrites the indicator flows (new node ids): the methods must
    # follow, or an EPA purchase would score 0 on the USEEIO indicators
    stamp = json.loads(stamp_path.read_text())
    stamp["inventory"] = "an-older-version"
    stamp_path.write_text(json.dumps(stamp))
    assert _finish(_run(home, user_home, USEEIO_PROBE)) == first
    scored = _finish(_run(home, user_home, SPEND_PROBE))
    assert scored["nnrg"] == pytest.approx(1000 * 26.674017 * 0.769 / 1.14252, rel=1e-4)


SPEND_PROBE = """
import json, pathlib, tempfile
import scenat
folder = pathlib.Path(tempfile.mkdtemp())
(folder / "case.csv").write_text("field,value\\nname,steel\\nreference_node,buyer\\n"
    "reference_amount,1\\ncurrency,USD\\nyear,2022\\n")
(folder / "nodes.csv").write_text("id,name,tier,stage,location,output_amount,output_unit\\n"
    "buyer,Buyer,0,assembly,US,1,item\\n")
(folder / "flows.csv").write_text("node,kind,input,amount,unit,source\\n"
    "buyer,spend,epa_naics_331110_no_margins,1000,USD,invoice\\n")
result = scenat.assess(scenat.read_case(folder), indicators=["useeio_nnrg"])
print(json.dumps({"nnrg": result.total("useeio_nnrg")}))
"""
