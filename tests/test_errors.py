"""Every scenat error pickles and unpickles with its fields (Dask moves errors between
processes), and every one of them is covered here: a new error class fails this test until
it is added to ``EXAMPLES``."""

from __future__ import annotations

import importlib
import pickle
import pkgutil

import pytest

import scenat
from scenat.errors import BackgroundError, InputError, Problem, ScenatError, UnitError, UnitMismatch
from scenat.store import Submission, SubmissionRejected
from scenat.store.database import StoreError, VersionConflict

PROBLEM = Problem(
    "unknown unit", file="case.xlsx", sheet="flows", row=7, column="unit", value="kgg", hint="kg"
)
SUBMISSION = Submission(
    id=3,
    case_key="bicycle",
    node="wheel_maker",
    submitter="Wheel Co",
    filename="wheels.xlsx",
    received_at="2026-12-03T00:00:00+00:00",
    size=10,
    sha256="0" * 64,
    status="rejected",
    problems=[PROBLEM],
    base_version=1,
    merged_version=None,
    kept=True,
)
EXAMPLES: dict[type, ScenatError] = {
    ScenatError: ScenatError("something went wrong"),
    InputError: InputError([PROBLEM, PROBLEM], "2 problems in case.xlsx"),
    UnitError: UnitError(PROBLEM),
    UnitMismatch: UnitMismatch("'kgg' is not a unit", "use kg"),
    BackgroundError: BackgroundError("the project is missing"),
    StoreError: StoreError("the store is unreachable"),
    VersionConflict: VersionConflict("the case changed"),
    SubmissionRejected: SubmissionRejected(SUBMISSION),
}


def _all_error_classes() -> set[type]:
    for info in pkgutil.walk_packages(scenat.__path__, "scenat."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    found: set[type] = set()
    todo = [ScenatError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return {c for c in found if c.__module__.startswith("scenat")}


def test_every_error_class_has_an_example():
    assert _all_error_classes() <= set(EXAMPLES), _all_error_classes() - set(EXAMPLES)


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda c: c.__name__)
def test_error_pickles_with_its_fields(cls):
    error = EXAMPLES[cls]
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert str(again) == str(error)
    assert again.args == error.args
    for field in ("problems", "message", "hint", "submission"):
        if hasattr(error, field):
            assert getattr(again, field) == getattr(error, field), field


def test_bad_input_errors_are_value_errors():
    for cls in (InputError, UnitError, UnitMismatch, SubmissionRejected):
        assert issubclass(cls, ValueError)
