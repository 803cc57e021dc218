"""One pint registry for all of scenat, and conversions between user units.

Spreadsheets spell units in many ways (``t*km``, ``tonne.km``, ``m³``); :func:`parse_unit`
normalises the common spellings before pint sees them, and :func:`conversion_factor` says how
many of one unit make another, or raises :class:`UnitMismatch` (a plain ``ValueError``) that
the workbook reader turns into a located problem.

A unit is only a measure. What a spreadsheet writes after it, a substance (``kg CO2e``,
``g CH4``) or a calorific basis (``kWh (Gross CV)``), changes the number: 1 kg CO2e of methane
is 1/29.8 kg of methane, and 1 kWh gross CV of natural gas is 0.9 kWh net CV. So such labels
are never dropped: :func:`split_labels` separates them for the flow reader, which checks them
against the input, and everything else refuses them. Units whose meaning differs between the
US and the UK (``ton``, ``gallon``, ``pint``, ``cwt``, ``oz``, ...) and temperatures (an offset,
not an amount) are refused with a hint naming the explicit spellings. A unit is checked by its
spelling (length, exponents) before pint evaluates it, because pint computes ``9**9**9``.

>>> conversion_factor("t*km", "tkm")
1.0
>>> round(conversion_factor("kg*km", "tkm"), 12)
0.001
>>> conversion_factor("MWh", "kWh")
1000.0
>>> conversion_factor("GBP", "GBP")
1.0
>>> split_labels("t CO2-eq")
UnitLabels(unit='t', substance='CO2e', calorific=None)
>>> conversion_factor("ton", "kg")
Traceback (most recent call last):
...
scenat.errors.UnitMismatch: 'ton' is ambiguous: ton means 2000 lb (US short ton) to pint, ...
"""

from __future__ import annotations

import math
import pickle
import re
from dataclasses import dataclass
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
    # explicit US spellings the hints of ambiguous units offer, where pint has none
    "US_gallon = US_liquid_gallon",
    "US_quart = US_liquid_quart",
]

# Spreadsheet spellings -> pint spellings. Order matters: longer patterns first.
_REPLACEMENTS: list[tuple[re.Pattern[str], str]] = [
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


@dataclass(frozen=True)
class UnitLabels:
    """A unit as a spreadsheet writes it, split into the measure and what follows it."""

    unit: str  # the measure alone, e.g. "kg", "kWh"
    substance: str | None = None  # "CO2e", "CO2", "CH4", "N2O" or "SF6"
    calorific: str | None = None  # "net" or "gross" (calorific value basis of a fuel)


_SUBSTANCE = re.compile(
    r"\s+(?P<label>CO2[-\s]?(?:eq(?:uivalents?)?|e)|CO2|CH4|N2O|SF6)\s*$", re.IGNORECASE
)
_CALORIFIC = re.compile(
    r"\s*\(\s*(?P<basis>net|gross)\s*(?:cv|calorific\s+value)\s*\)\s*$", re.IGNORECASE
)
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def split_labels(text: str) -> UnitLabels:
    """``"kg CO2e"`` -> ``UnitLabels("kg", "CO2e")``; ``"kWh (Gross CV)"`` -> basis ``gross``.

    The labels change the amount (see the module notes): a reader that allows them checks
    them against the input; :func:`parse_unit` refuses them.
    """
    rest = str(text).translate(_SUBSCRIPTS).strip()
    calorific = substance = None
    found = _CALORIFIC.search(rest)
    if found:
        calorific = found["basis"].lower()
        rest = rest[: found.start()].strip()
    found = _SUBSTANCE.search(rest)
    if found:
        label = found["label"].upper().replace(" ", "").replace("-", "")
        substance = "CO2e" if label.startswith("CO2") and label != "CO2" else label
        rest = rest[: found.start()].strip()
    return UnitLabels(rest, substance, calorific)


#: longest unit text scenat parses (``kg*km``, ``m3*year`` and ``kWh/item`` are far shorter)
MAX_UNIT_LENGTH = 40
#: largest power a unit may carry (``m**3``, ``s**-2``)
MAX_EXPONENT = 12
_EXPONENT = re.compile(r"\*\*|\^")
_EXPONENT_HINT = (
    f"write powers of unit names with small whole exponents (up to {MAX_EXPONENT}), such as "
    "m**3, m^2 or s**-1"
)


def _check_spelling(text: str, spelled: str) -> None:
    """Refuse what pint would be slow to evaluate, before it sees it.

    pint evaluates the unit as arithmetic, so ``kg*9**9**9`` computes a number of 370 million
    digits. Every power must raise a unit name (not a number or a bracket) to a small whole
    exponent, once.
    """
    if len(spelled) > MAX_UNIT_LENGTH:
        raise UnitMismatch(
            f"the unit {text[:MAX_UNIT_LENGTH]!r}... is too long ({len(spelled)} characters)",
            "write a unit such as kg, kWh, tkm or kg*km",
        )
    for found in _EXPONENT.finditer(spelled):
        before = spelled[: found.start()].rstrip()
        after = re.match(r"\s*(\(?\s*[-+]?\s*)(\d+)\s*\)?", spelled[found.end() :])
        base_ok = bool(re.search(r"[^\W\d]\w*$", before))
        if (
            not base_ok
            or after is None
            or int(after[2]) > MAX_EXPONENT
            or _EXPONENT.match(spelled[found.end() + after.end() :].lstrip())
        ):
            raise UnitMismatch(f"the unit {text!r} has an exponent scenat does not take",
                               _EXPONENT_HINT)  # fmt: skip


#: pint's name of a unit whose US and UK meanings differ -> (the spellings of the US meaning
#: that pint files under that name, the hint); every other spelling of it is refused
_AMBIGUOUS: dict[str, tuple[frozenset[str], str]] = {
    "ton": (
        frozenset({"short_ton", "US_ton"}),
        "t (tonne, 1000 kg), short_ton (US, 907.18 kg) or long_ton (UK, 1016.05 kg)",
    ),
    "gallon": (
        frozenset({"US_liquid_gallon", "liquid_gallon"}),
        "imperial_gallon (UK, 4.546 L) or US_gallon (3.785 L), or L",
    ),
    "pint": (
        frozenset({"US_pint", "liquid_pint"}),
        "imperial_pint (UK, 568.3 mL) or US_pint (473.2 mL), or L",
    ),
    "quart": (
        frozenset({"US_liquid_quart", "liquid_quart"}),
        "imperial_quart (UK, 1.137 L) or US_quart (0.946 L), or L",
    ),
    "fluid_ounce": (
        frozenset({"US_fluid_ounce", "US_liquid_ounce"}),
        "imperial_fluid_ounce (UK, 28.41 mL) or US_fluid_ounce (29.57 mL), or mL",
    ),
    "gill": (frozenset({"US_liquid_gill", "liquid_gill"}), "imperial_gill or US_liquid_gill"),
    "cup": (frozenset({"US_liquid_cup", "liquid_cup"}), "imperial_cup or US_liquid_cup, or mL"),
    "hundredweight": (
        frozenset({"short_hundredweight", "US_hundredweight", "US_cwt"}),
        "short_hundredweight (US, 100 lb) or long_hundredweight (UK, 112 lb), or kg",
    ),
    "ounce": (
        frozenset({"avoirdupois_ounce", "avdp_ounce"}),
        "avoirdupois_ounce (28.35 g), troy_ounce (31.10 g, precious metals), or for a volume "
        "US_fluid_ounce or imperial_fluid_ounce",
    ),
    "barrel": (
        frozenset(),
        "oil_barrel (42 US gallons, 159.0 L), beer_barrel, imperial_barrel, or L",
    ),
    "bushel": (frozenset(), "imperial_bushel (UK, 36.37 L) or m3"),
    "peck": (frozenset(), "imperial_peck or L"),
    "dry_gallon": (frozenset(), "imperial_gallon or L"),
    "dry_quart": (frozenset(), "imperial_quart or L"),
    "dry_pint": (frozenset(), "imperial_pint or L"),
}


def _check_ambiguous(text: str, spelled: str, ureg: pint.UnitRegistry) -> None:
    for token in re.findall(r"[^\W\d]\w*", spelled):
        try:
            names = {name for _, name, _ in ureg.parse_unit_name(token)}
        except Exception:  # not a unit name: pint reports it when parsing
            continue
        for name in names & set(_AMBIGUOUS):
            explicit, choices = _AMBIGUOUS[name]
            if token not in explicit:
                raise UnitMismatch(
                    f"{text!r} is ambiguous: {token} means "
                    f"{_us_meaning(name, ureg)} to pint, but UK and EU readers mean otherwise",
                    f"write {choices}",
                )


def _us_meaning(name: str, ureg: pint.UnitRegistry) -> str:
    if name == "ton":
        return "2000 lb (US short ton)"
    quantity = ureg.Quantity(1.0, name)
    base = "kg" if quantity.check("[mass]") else "L"
    return f"{quantity.to(base).magnitude:.4g} {base} (the US {name.replace('_', ' ')})"


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string; raise :class:`UnitMismatch` with a hint when pint cannot, or when
    the unit is ambiguous, a temperature, labelled (:func:`split_labels`) or too complex."""
    if text is None or not str(text).strip():
        raise UnitMismatch("the unit is empty", "write a unit such as kg, t, kWh, tkm or item")
    labels = split_labels(str(text))
    if labels.substance:
        raise UnitMismatch(
            f"the unit {text!r} names the substance ({labels.substance}); a unit is only the "
            "measure",
            f"write {labels.unit or 'kg'} here: the substance is the flow's input",
        )
    if labels.calorific:
        raise UnitMismatch(
            f"the unit {text!r} names a calorific basis ({labels.calorific} CV), which only "
            "a fuel flow can take",
            "write the energy unit alone (kWh, MJ) for an input without a net or gross "
            "calorific value",
        )
    ureg = registry()
    spelled = normalise_spelling(str(text))
    _check_spelling(str(text), spelled)
    _check_ambiguous(str(text), spelled, ureg)
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
    if "[temperature]" in quantity.dimensionality:
        raise UnitMismatch(
            f"{text!r} is a temperature unit",
            "a temperature is a state, not an amount of anything: give the flow as energy "
            "(kWh, MJ), mass (kg) or volume (m3)",
        )
    if quantity.magnitude != 1:
        raise UnitMismatch(
            f"unit {text!r} carries a number ({quantity.magnitude})",
            "put the number in the amount column and only the unit here",
        )
    return quantity.units


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """How many ``to_unit`` make one ``from_unit``; raises :class:`UnitMismatch`.

    Remembered per pair of unit strings (the registry is fixed): a 50,000-node case converts
    a few dozen pairs hundreds of thousands of times."""
    factor, problem = _conversion(from_unit, to_unit)
    if problem is not None:
        raise UnitMismatch(*problem)
    return factor


@lru_cache(maxsize=4096)
def _conversion(from_unit: str, to_unit: str) -> tuple[float, tuple[str, str] | None]:
    """``(factor, None)``, or ``(nan, (message, hint))`` of the mismatch (a fresh exception is
    raised per call, never a cached one)."""
    try:
        source = parse_unit(from_unit)
        target = parse_unit(to_unit)
    except UnitMismatch as exc:
        return math.nan, (exc.message, exc.hint)
    ureg = registry()
    try:
        factor = float(ureg.Quantity(1.0, source).to(target).magnitude)
    except pint.DimensionalityError:
        return math.nan, (
            f"{from_unit!r} cannot be converted to {to_unit!r}",
            f"give this amount in {to_unit} or a unit of the same kind "
            f"({_dimension_words(target)})",
        )
    if not math.isfinite(factor):
        return math.nan, (f"{from_unit!r} to {to_unit!r} is not finite", "check the unit")
    return factor, None


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
