"""The located-cell reader: what counts as a number, and the problem a bad one gets."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from scenat.model.cells import Cells, to_number


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (12.5, 12.5),
        (3, 3.0),
        ("12.5", 12.5),
        (" 12.5 ", 12.5),
        ("\u00a012.5\u00a0", 12.5),  # a non-breaking space around it, as Excel pastes
        ("-4", -4.0),
        ("1e3", 1000.0),
        ("2.5E-3", 0.0025),
    ],
)
def test_numbers(value, number):
    assert to_number(value) == number


@pytest.mark.parametrize(
    "value",
    [
        "1_000",  # Python reads it as 1000; a spreadsheet never wrote it
        "1 000",  # a thousands separator (French, Swedish): 1000 or a typo?
        "2 5",  # two numbers in one cell, or 2.5 with a slip
        "1\u00a0000",  # the same with a non-breaking space
        "1,5",
        "1.000,5",
        "twelve",
        "12 kg",
        True,
        datetime(2024, 1, 5),
        None,
    ],
)
def test_not_numbers(value):
    assert to_number(value) is None


def test_a_number_with_a_space_is_an_error_at_its_cell():
    cells = Cells(file="case.xlsx", sheet="flows")
    assert cells.number(7, {"amount": "1 000"}, "amount", required=True) is None
    (problem,) = cells.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "flows", 7, "amount", "1 000",
    )  # fmt: skip
    assert "must be a number" in problem.message
    assert "spaces" in problem.hint and "thousands" in problem.hint


def test_infinite_and_nan_text_are_errors_at_the_cell():
    cells = Cells(file="case.xlsx", sheet="flows")
    assert cells.number(3, {"amount": "nan"}, "amount") is None
    assert cells.number(4, {"amount": "-inf"}, "amount", minimum=None) is None
    assert cells.number(5, {"amount": math.inf}, "amount") is None
    assert [(p.row, "finite" in p.message) for p in cells.problems] == [
        (3, True), (4, True), (5, True),
    ]  # fmt: skip
