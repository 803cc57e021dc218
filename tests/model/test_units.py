"""Unit spellings, conversion factors and the hints of unit errors.

Factors are worked out by hand (1 t = 1000 kg, 1 MWh = 1000 kWh, 1 GJ = 1e6 kJ / 3600 kJ per
kWh, 1 kg*km = 1e-3 t*km, ...). bw2parameters rewrites pint's global parser regexes when
bw2data imports it, so the same table is checked again in a fresh process that imports
bw2data first.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scenat.model.units import UnitMismatch, conversion_factor, is_currency, parse_unit
from tests.conftest import ROOT

CONVERSIONS = [
    ("g", "kg", 1e-3),
    ("t", "kg", 1e3),
    ("tonnes", "kg", 1e3),
    ("Mg", "kg", 1e3),
    ("kilograms", "kg", 1.0),
    ("MWh", "kWh", 1e3),
    ("mwh", "kWh", 1e3),
    ("GWh", "MWh", 1e3),
    ("GJ", "kWh", 1e6 / 3600),
    ("MJ", "kWh", 1 / 3.6),
    ("kWh (Net CV)", "kWh", 1.0),
    ("kWh (gross CV)", "MJ", 3.6),
    ("kg*km", "tkm", 1e-3),
    ("kg.km", "tkm", 1e-3),
    ("kg km", "tkm", 1e-3),
    ("t*km", "tkm", 1.0),
    ("t.km", "tkm", 1.0),
    ("t km", "tkm", 1.0),
    ("t·km", "tkm", 1.0),
    ("tonne.km", "tkm", 1.0),
    ("tonne km", "tkm", 1.0),
    ("tkm", "kg*km", 1e3),
    ("m³", "m3", 1.0),
    ("L", "m3", 1e-3),
    ("litres", "m3", 1e-3),
    ("cubic metres", "m3", 1.0),
    ("g CO2", "kg", 1e-3),
    ("kg CO2e", "kg", 1.0),
    ("t CO2-eq", "kg", 1e3),
    ("kg CO2eq", "kg", 1.0),
    ("g CH4", "kg", 1e-3),
    ("kGBP", "GBP", 1e3),
    ("pcs", "item", 1.0),
    ("piece", "unit", 1.0),
    ("pkm", "passenger*km", 1.0),
]

#: (from, to, words the message must contain, words the hint must contain)
FAILURES = [
    ("kgg", "kg", "unknown unit", "kWh"),
    ("kg", "kWh", "cannot be converted", "energy, e.g. kWh"),
    ("kWh", "kg", "cannot be converted", "mass, e.g. kg"),
    ("km", "tkm", "cannot be converted", "freight (mass x distance), e.g. tkm"),
    ("m3", "kg", "cannot be converted", "give this amount in kg"),
    ("GBP", "USD", "cannot be converted", "currency USD"),
    ("kg/item", "kg", "cannot be converted", "mass"),
    ("1000 kg", "kg", "carries a number", "amount column"),
    ("2", "kg", "number", "amount column"),
    ("", "kg", "empty", "kg"),
    ("m3 water", "m3", "unknown unit", "m3"),
]


@pytest.mark.parametrize(("source", "target", "factor"), CONVERSIONS)
def test_conversion_factor(source, target, factor):
    assert conversion_factor(source, target) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize(("source", "target", "message", "hint"), FAILURES)
def test_conversion_errors_carry_a_hint(source, target, message, hint):
    with pytest.raises(UnitMismatch) as info:
        conversion_factor(source, target)
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)
    assert hint in info.value.hint


def test_round_trip_is_the_inverse():
    for source, target, _ in CONVERSIONS:
        forward = conversion_factor(source, target)
        assert conversion_factor(target, source) == pytest.approx(1 / forward, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("GBP", True), ("kGBP", True), ("EUR", True), ("kg", False), ("item", False), ("xyz", False)],
)
def test_is_currency(unit, expected):
    assert is_currency(unit) is expected


def test_spellings_parse_to_the_same_unit():
    assert parse_unit("t*km") == parse_unit("tonne.km") == parse_unit("t·km") == parse_unit("t km")
    assert parse_unit("m³") == parse_unit("m3") == parse_unit("cubic meter")


_CHILD = """
import json, sys
from scenat.paths import prepare_brightway_environment
prepare_brightway_environment()
import bw2data  # noqa: F401  (imports bw2parameters, which patches pint's parser)
import bw2parameters  # noqa: F401
from scenat.model.units import UnitMismatch, conversion_factor
cases = json.loads(sys.argv[1])
out = []
for source, target in cases:
    try:
        out.append(conversion_factor(source, target))
    except UnitMismatch as exc:
        out.append(["error", str(exc), exc.hint])
print(json.dumps({"bw2parameters": "bw2parameters" in sys.modules, "results": out}))
"""


def test_conversions_unchanged_after_bw2data_import(cli_env):
    cases = [(s, t) for s, t, _ in CONVERSIONS] + [(s, t) for s, t, _, _ in FAILURES]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(cases)],
        capture_output=True,
        text=True,
        env=cli_env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # bw2data may log to stdout; the JSON document is the last line.
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["bw2parameters"]
    results = report["results"]
    for (source, target, factor), got in zip(CONVERSIONS, results):
        assert got == pytest.approx(factor, rel=1e-12), (source, target, got)
    for (source, target, message, hint), got in zip(FAILURES, results[len(CONVERSIONS) :]):
        assert isinstance(got, list) and got[0] == "error", (source, target, got)
        assert message in got[1] and hint in got[2], (source, target, got)
