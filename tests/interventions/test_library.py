"""The intervention library: the shipped entries, located problems, overriding by id."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.errors import InputError  # noqa: E402
from scenat.interventions.functions import FUNCTION_PREFIX, shipped_functions  # noqa: E402
from scenat.model.case import Case  # noqa: E402
from scenat.model.catalogue import shipped_catalogue  # noqa: E402
from scenat.model.schema import INTERVENTION_COLUMNS, INTERVENTION_SOURCE_COLUMNS  # noqa: E402
from tests.interventions.conftest import (  # noqa: E402
    GRID,
    case_row,
)


def test_shipped_library_is_complete(library: list[iv.Intervention]) -> None:
    assert len(library) >= 30
    assert iv.validate_library() == []
    categories = {i.category for i in library}
    assert {"energy", "materials", "logistics", "end_of_life"} <= categories
    catalogue = shipped_catalogue()
    for entry in library:
        assert set(entry.sources) == set(INTERVENTION_SOURCE_COLUMNS), entry.id
        assert all(len(text) > 20 for text in entry.sources.values()), entry.id
        for target in (*entry.inputs, *([entry.to] if entry.to else [])):
            if target.startswith(FUNCTION_PREFIX):
                assert target[len(FUNCTION_PREFIX) :] in shipped_functions().members, target
            elif not target.startswith(iv.CATEGORY_PREFIX):
                assert target in catalogue.processes or target in catalogue.elementary, target
    ids = {i.id for i in library}
    for expected in (
        "led_lighting",
        "heat_pump",
        "rooftop_solar_pv",
        "renewable_electricity_ppa",
        "vsd_motors",
        "heat_recovery",
        "recycled_aluminium",
        "eaf_steel",
        "ggbs_concrete",
        "recycled_plastics",
        "timber_substitution",
        "road_to_rail",
        "road_to_sea",
        "electric_trucks",
        "hvo_trucks",
        "load_factor",
        "nearshoring",
        "eol_recycling_aluminium",
        "take_back_remanufacture",
    ):
        assert expected in ids


def test_bad_library_entries_are_located(tmp_path: Path) -> None:
    header = ",".join(INTERVENTION_COLUMNS)
    good = dict.fromkeys(INTERVENTION_COLUMNS, "")
    good.update(
        id="ok",
        name="fine",
        category="energy",
        match_input=GRID,
        unit="kWh",
        action="scale",
        factor="0.5",
        capex="0",
        opex_change="0",
        lifetime="5",
        price_year="2024",
        **{c: "a source" for c in INTERVENTION_SOURCE_COLUMNS},
    )
    rows = [
        {**good, "id": "typo_target", "match_input": "electricity_uk_grid_delivred"},
        {**good, "id": "negative_life", "lifetime": "-3"},
        {**good, "id": "no_capex", "capex": ""},
        {**good, "id": "bad_sub", "action": "substitute", "to": "unobtainium"},
        {**good, "id": "no_source", "source_capex": ""},
        {**good, "id": "no_year", "price_year": ""},
        good,
    ]
    path = tmp_path / "lib.csv"
    path.write_text(
        header + "\n" + "\n".join(",".join(r[c] for c in INTERVENTION_COLUMNS) for r in rows) + "\n"
    )
    with pytest.raises(InputError) as caught:
        iv.load_library(path)
    problems = {(p.row, p.column): p for p in caught.value.errors}
    typo = problems[(2, "match_input")]
    assert "typo_target" in typo.message and "unknown target id" in typo.message
    assert typo.value == "electricity_uk_grid_delivred" and GRID in typo.hint
    assert typo.file == str(path)
    assert "negative_life" in problems[(3, "lifetime")].message
    assert "no_capex" in problems[(4, "capex")].message
    assert "required" in problems[(4, "capex")].message
    assert "unobtainium" in str(problems[(5, "to")].value)
    assert "every figure needs a source" in problems[(6, "source_capex")].message
    assert "price_year is missing" in problems[(7, "price_year")].message
    assert len(caught.value.errors) == 6


def test_case_rows_override_library_ids(bicycle: Case) -> None:
    case = bicycle.copy(
        interventions=[
            case_row(
                id="renewable_electricity_ppa",
                match_input=GRID,
                action="scale",
                share=0.5,
                factor=0.1,
            ),
            case_row(
                _row=3,
                id="own_idea",
                match_input="frame_maker",
                match_kind="node",
                unit="item",
                action="scale",
                factor=0.9,
            ),
        ]
    )
    merged = iv.collect(case)
    by_id = {i.id: i for i in merged}
    assert by_id["renewable_electricity_ppa"].share == 0.5
    assert by_id["renewable_electricity_ppa"].origin == "case"
    # The override keeps the library entry's place; new case entries come last.
    assert [i.id for i in merged].index("renewable_electricity_ppa") == [
        i.id for i in iv.load_library()
    ].index("renewable_electricity_ppa")
    assert merged[-1].id == "own_idea"
    # Case rows without sources are allowed (warnings only).
    assert by_id["own_idea"].sources == {}


def test_bad_case_row_names_sheet_row_and_entry(bicycle: Case) -> None:
    case = bicycle.copy(
        interventions=[case_row(_row=4, id="x", match_input=GRID, action="scale", factor="-1")]
    )
    with pytest.raises(InputError) as caught:
        iv.collect(case)
    (problem,) = caught.value.errors
    assert (problem.sheet, problem.row, problem.column) == ("interventions", 4, "factor")
    assert "'x'" in problem.message


# --------------------------------------------------------------------------- applying


def test_user_library_overrides_the_shipped_one(tmp_path: Path) -> None:
    shipped = {i.id: i for i in iv.load_library()}
    path = tmp_path / "mine.csv"
    with iv.shipped_library_path().open() as handle:
        header, *rows = handle.read().splitlines()
    led = next(r for r in rows if r.startswith("led_lighting,"))
    path.write_text(header + "\n" + led.replace(",0.15,0.4,", ",0.3,0.4,") + "\n")
    merged = {i.id: i for i in iv.collect(libraries=[path])}
    assert merged["led_lighting"].share == 0.3
    assert merged["led_lighting"].origin == "user library mine.csv"
    assert shipped["led_lighting"].share == 0.15
    assert len(merged) == len(shipped)
