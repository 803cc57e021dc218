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
    ("kGBP", "GBP", 1e3),
    ("pcs", "item", 1.0),
    ("piece", "unit", 1.0),
    ("pkm", "passenger*km", 1.0),
    # the explicit spellings the hints of ambiguous units offer (pint's definitions, checked
    # against NIST Handbook 44 Appendix C: 1 lb = 0.45359237 kg, 1 US gal = 231 in3,
    # 1 imperial gal = 4.54609 L)
    ("short_ton", "kg", 2000 * 0.45359237),
    ("long_ton", "kg", 2240 * 0.45359237),
    ("US_gallon", "L", 231 * 2.54**3 / 1000),
    ("imperial_gallon", "L", 4.54609),
    ("UK_gallon", "L", 4.54609),
    ("US_pint", "L", 231 * 2.54**3 / 1000 / 8),
    ("imperial_pint", "L", 4.54609 / 8),
    ("short_hundredweight", "kg", 100 * 0.45359237),
    ("long_hundredweight", "kg", 112 * 0.45359237),
    ("avoirdupois_ounce", "g", 453.59237 / 16),
    ("troy_ounce", "g", 480 * 0.06479891),
    ("oil_barrel", "L", 42 * 231 * 2.54**3 / 1000),
    ("m^2", "m2", 1.0),
    ("s**-1", "1/s", 1.0),
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
    # US and UK meanings differ by 9-17 %: never guessed
    ("ton", "kg", "ambiguous", "short_ton"),
    ("tons", "kg", "ambiguous", "long_ton"),
    ("t + ton", "kg", "ambiguous", "short_ton"),
    ("gallon", "L", "ambiguous", "US_gallon"),
    ("gal", "L", "ambiguous", "imperial_gallon"),
    ("pint", "L", "ambiguous", "imperial_pint"),
    ("pt", "L", "ambiguous", "US_pint"),
    ("quart", "L", "ambiguous", "imperial_quart"),
    ("floz", "L", "ambiguous", "imperial_fluid_ounce"),
    ("cwt", "kg", "ambiguous", "long_hundredweight"),
    ("hundredweight", "kg", "ambiguous", "short_hundredweight"),
    ("oz", "g", "ambiguous", "troy_ounce"),
    ("bbl", "L", "ambiguous", "oil_barrel"),
    ("bushel", "m3", "ambiguous", "imperial_bushel"),
    # temperatures have an offset: they are not amounts of anything
    ("degC", "K", "temperature", "not an amount"),
    ("degF", "degC", "temperature", "not an amount"),
    ("kWh/degC", "kWh", "temperature", "not an amount"),
    # a substance or a calorific basis is not part of the unit (the flow reader checks it)
    ("kg CO2e", "kg", "names the substance", "input"),
    ("t CO2-eq", "kg", "names the substance", "input"),
    ("g CH4", "kg", "names the substance", "input"),
    ("kWh (Gross CV)", "kWh", "calorific basis", "net"),
    ("kWh (net CV)", "kWh", "calorific basis", "net"),
    # exponents are bounded before pint evaluates anything
    ("kg*9**9**9", "kg", "exponent", "m**3"),
    ("kg*9^9^9", "kg", "exponent", "m**3"),
    ("(kg*9)**99", "kg", "exponent", "m**3"),
    ("m**99", "m3", "exponent", "m**3"),
    ("kg" + "*g" * 40, "kg", "too long", "kg"),
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


@pytest.mark.parametrize(
    ("text", "unit", "substance", "calorific"),
    [
        ("kg CO2e", "kg", "CO2e", None),
        ("t CO2-eq", "t", "CO2e", None),
        ("kg CO2eq", "kg", "CO2e", None),
        ("kg CO₂e", "kg", "CO2e", None),
        ("g CO2", "g", "CO2", None),
        ("kg ch4", "kg", "CH4", None),
        ("t N2O", "t", "N2O", None),
        ("kg SF6", "kg", "SF6", None),
        ("kWh (Gross CV)", "kWh", None, "gross"),
        ("MWh (net CV)", "MWh", None, "net"),
        ("kWh (gross calorific value)", "kWh", None, "gross"),
        ("kWh", "kWh", None, None),
        ("t*km", "t*km", None, None),
    ],
)
def test_labels_are_split_off_never_dropped(text, unit, substance, calorific):
    from scenat.model.units import split_labels

    labels = split_labels(text)
    assert (labels.unit, labels.substance, labels.calorific) == (unit, substance, calorific)


def test_an_exponent_bomb_is_refused_without_evaluating_it(cli_env, tmp_path):
    """``kg*9**9**9`` once froze ``validate`` (pint computed 9**387420489): it is refused by
    its spelling, so the child process answers at once; the timeout only turns a regression
    into a failure instead of a hung test run."""
    child = (
        "from scenat.model.units import UnitMismatch, parse_unit\n"
        "for text in ('kg*9**9**9', 'kg*9^9^9', '((((m**9)**9)**9)**9)', 'kg*(9**9)**9'):\n"
        "    try:\n"
        "        parse_unit(text)\n"
        "    except UnitMismatch as exc:\n"
        "        print('refused', exc.hint)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, env=cli_env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("refused") == 4, done.stdout
