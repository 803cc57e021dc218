"""One pint registry for all of scenat, and conversions between user units.

Spreadsheets spell units in many ways (``t*km``, ``tonne.km``, ``m³``, ``kWh (Net CV)``);
:func:`parse_unit` normalises the common spellings before pint sees them, and
:func:`conversion_factor` says how many of one unit make another, or raises
:class:`UnitMismatch` (a plain ``ValueError``) that the workbook reader turns into a
located problem.

>>> conversion_factor("t*km", "tkm")
1.0
>>> round(conversion_factor("kg*km", "tkm"), 12)
0.001
>>> conversion_factor("MWh", "kWh")
1000.0
>>> conversion_factor("GBP", "GBP")
1.0
"""

from __future__ import annotations

import math
import pickle
import re
from functools import lru_cache

import pint

from scenat.errors import UnitMismatch

# Currencies are separate dimensions: converting between them needs an exchange rate and a
# price year, which belong to the spend-data importer, never to a silent unit conversion.
CURRENCIES = ("GBP", "USD", "EUR", "CNY", "JPY")

_DEFINITIONS = [
    "item = [item] = piece = pcs = unit_item",
    "unit = item",
    "seat = item",
    "tkm = tonne * kilometer = tonne_km",
    "passenger = [passenger] = person",
    "pkm = passenger * kilometer = passenger_km",
    "vehicle = [vehicle]",
    "vkm = vehicle * kilometer = vehicle_km",
    *(f"{c} = [currency_{c}]" for c in CURRENCIES),
    "thousand_GBP = 1000 * GBP = kGBP",
    "thousand_USD = 1000 * USD = kUSD",
    "thousand_EUR = 1000 * EUR = kEUR",
]

# Spreadsheet spellings -> pint spellings. Order matters: longer patterns first.
_REPLACEMENTS: list[tuple[re.Pattern[str], str]] = [
    # "g CO2", "kg CO2e": the substance belongs to the input id, the unit is the mass.
    (re.compile(r"\s+(CO2-?eq|CO2e?|CH4|N2O|SF6)\b", re.IGNORECASE), ""),
    (re.compile(r"\((net|gross) cv\)", re.IGNORECASE), ""),
    (re.compile(r"\btonnes?\b", re.IGNORECASE), "tonne"),
    (re.compile(r"(?<![A-Za-z])t(?=\s*[*.·]\s*km\b)"), "tonne"),
    (re.compile(r"(?<=\w)\s*[.·×]\s*(?=[A-Za-z])"), "*"),
    (re.compile(r"m³"), "m**3"),
    (re.compile(r"m²"), "m**2"),
    (re.compile(r"\bm3\b"), "m**3"),
    (re.compile(r"\bm2\b"), "m**2"),
    (re.compile(r"\blitres?\b", re.IGNORECASE), "liter"),
    (re.compile(r"\bkwh\b", re.IGNORECASE), "kWh"),
    (re.compile(r"\bmwh\b", re.IGNORECASE), "MWh"),
    (re.compile(r"\bgwh\b", re.IGNORECASE), "GWh"),
    (re.compile(r"\bcubic meters?\b|\bcubic metres?\b", re.IGNORECASE), "m**3"),
    (re.compile(r"\bkilograms?\b", re.IGNORECASE), "kg"),
    (re.compile(r"\bmegajoules?\b", re.IGNORECASE), "MJ"),
    (re.compile(r"\bkilowatt hours?\b", re.IGNORECASE), "kWh"),
]


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The single, cached unit registry (building one takes a few hundred ms)."""
    from scenat.paths import scenat_home

    # pint parses its definition files on every start (0.2-0.6 s); its cache cuts that to a
    # few ms. The cache lives in SCENAT_HOME because scenat writes nowhere else.
    cache = scenat_home() / "cache" / "pint"
    try:
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=cache)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError):
        # Another process may be writing the cache this very moment: parse without it.
        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        ureg.define(line)
    return ureg


def normalise_spelling(text: str) -> str:
    """Rewrite common spreadsheet spellings of a unit into a form pint parses."""
    out = text.strip()
    for pattern, repl in _REPLACEMENTS:
        out = pattern.sub(repl, out)
    return out.strip()


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string; raise :class:`UnitMismatch` with a hint when pint cannot."""
    if text is None or not str(text).strip():
        raise UnitMismatch("the unit is empty", "write a unit such as kg, t, kWh, tkm or item")
    ureg = registry()
    spelled = normalise_spelling(str(text))
    try:
        quantity = ureg.parse_expression(spelled)
    except Exception as exc:  # pint raises several unrelated classes here
        raise UnitMismatch(
            f"unknown unit {text!r}",
            "write a unit pint knows, such as kg, g, t, kWh, MWh, MJ, m3, L, km, tkm, "
            "item, or a currency (GBP, USD, EUR)",
        ) from exc
    if isinstance(quantity, (int, float)) or not hasattr(quantity, "units"):
        raise UnitMismatch(
            f"{text!r} is a number, not a unit", "write a unit such as kg, kWh or item"
        )
    if quantity.magnitude != 1:
        raise UnitMismatch(
            f"unit {text!r} carries a number ({quantity.magnitude})",
            "put the number in the amount column and only the unit here",
        )
    return quantity.units


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """How many ``to_unit`` make one ``from_unit``; raises :class:`UnitMismatch`."""
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    ureg = registry()
    try:
        factor = float(ureg.Quantity(1.0, source).to(target).magnitude)
    except pint.DimensionalityError as exc:
        raise UnitMismatch(
            f"{from_unit!r} cannot be converted to {to_unit!r}",
            f"give this amount in {to_unit} or a unit of the same kind "
            f"({_dimension_words(target)})",
        ) from exc
    if not math.isfinite(factor):
        raise UnitMismatch(f"{from_unit!r} to {to_unit!r} is not finite", "check the unit")
    return factor


def is_currency(unit: str) -> bool:
    """True when ``unit`` is (a multiple of) one of the known currencies."""
    try:
        dims = parse_unit(unit).dimensionality
    except UnitMismatch:
        return False
    return len(dims) == 1 and next(iter(dims)).startswith("[currency_")


_KINDS = {
    "mass": "kg",
    "energy": "kWh",
    "volume": "m**3",
    "area": "m**2",
    "length": "km",
    "freight (mass x distance)": "tkm",
    "passenger distance": "pkm",
    "count": "item",
    "time": "year",
}


def _dimension_words(unit: pint.Unit) -> str:
    ureg = registry()
    for word, example in _KINDS.items():
        if ureg.parse_units(example).dimensionality == unit.dimensionality:
            return f"{word}, e.g. {example.replace('**', '')}"
    dims = dict(unit.dimensionality)
    if len(dims) == 1 and next(iter(dims)).startswith("[currency_"):
        return f"currency {next(iter(dims))[10:-1]}"
    return str(unit.dimensionality) or "dimensionless"
