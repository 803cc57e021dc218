"""openLCA JSON-LD exports (schema 1.x and 2.x) -> a Brightway background database.

Any openLCA JSON-LD export works: a ``.zip`` as openLCA writes it, an unpacked folder, or
a folder holding several of either (a database and the add-on packages that reference it,
e.g. USLCI with its transport-mix and rail packages). Reading is done with GreenDelta's
``olca-schema`` classes; openLCA 1.x exports are first upgraded to the schema 2 layout
(:func:`upgrade_v1`), because they differ in ways the schema 2 reader (and bw2io 0.9.17's
JSON-LD importer) cannot take: categories are references to ``categories/*.json`` instead
of paths, exchanges say ``input`` instead of ``isInput``, allocation factors point at
exchanges by flow instead of by internal id.

**Precedence.** When several sources hold the same entity (same ``@id``), a schema 2
version wins over a schema 1 version, otherwise the source read later wins (sources are
read in the order given; inside a folder, archives in name order); the report counts such
replacements.

**Units.** Every exchange is converted to the reference unit of its flow: the amount in
the exchange's unit times that unit's factor in its unit group gives the amount in the
unit group's reference unit of the exchange's flow property; dividing by the flow's
conversion factor for that property gives the amount in the flow's reference property.
An activity's unit is the reference unit of its product flow, spelled the way bw2io
spells units (``kg`` -> ``kilogram``, ``t*km`` -> ``ton kilometer``, ``Item(s)`` ->
``unit``).

**Activities and allocation.** A process with one provider flow (a product output or a
waste input) becomes one activity, code = the process ``@id``. A multi-functional process
(several provider flows) becomes one activity per provider flow: the quantitative
reference keeps the process ``@id`` as its code, every other one gets
``<process id>.<flow id>``; each of them carries the process's elementary flows, product
inputs and waste outputs times an allocation factor. The default allocation method is
**physical** (``allocation=`` takes ``physical``, ``economic``, ``causal``, ``none`` or
``default``, the last being each process's own ``defaultAllocationMethod``):

1. factors the process stores for the method are used; a product without a stored factor
   gets 1, as openLCA does (``AllocationIndex``: a missing factor is 1);
2. a process that stores no factor for the method (common in the openLCA 1.5 export of
   USLCI, which lost them) gets physical factors computed from the amounts of its provider
   flows in **mass** when every one of them has a mass (through the flows' flow property
   factors, or ``masses=`` given to the importer for flows that state none, e.g. fuel
   densities), else in its reference product's flow property when all share it;
3. otherwise each provider flow keeps the whole burden (factor 1, openLCA's behaviour)
   and the report lists the process.

**Technosphere links.** A product input or waste output links to its exchange's
``defaultProvider`` when that process is in the import and provides the flow; otherwise
to the only process providing the flow; when several do, to the one whose quantitative
reference it is, then the one in the consumer's location, then the first by name (listed
as ambiguous in the report). An input nobody provides (USLCI marks many as ``CUTOFF ...``)
is cut off and listed. Avoided products become negative inputs. Waste treatment activities
produce "treatment of" their waste (positive production), and a waste output is a positive
input of that treatment.

**Elementary flows** are linked to ``biosphere3`` by :class:`BiosphereMatcher` (context,
name, synonyms, CAS and unit; see there) and the match rate is reported; flows that do not
link are left out of the database and listed (CSV). An emission booked as an input (an
uptake) or a resource booked as an output gets a negative amount.

Parameters and formulas are not re-evaluated: openLCA exports the evaluated ``amount``.
Uncertainty (log-normal, normal, triangular, uniform) is carried over as stats_arrays
fields, scaled with the amount.

>>> matcher = BiosphereMatcher([
...     {"code": "c1", "name": "Carbon dioxide, fossil", "categories": ("air",),
...      "unit": "kilogram", "CAS number": "000124-38-9"}])
>>> matcher.match("Carbon dioxide", "Elementary flows/emission/air", "kg", None).code
'c1'
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import time
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scenat.errors import InputError, Problem
from scenat.paths import bw2io_data_dir

__all__ = [
    "ALLOCATION_METHODS",
    "BiosphereMatch",
    "BiosphereMatcher",
    "Conversion",
    "JsonLd",
    "import_jsonld",
    "read_jsonld",
    "to_brightway",
    "upgrade_v1",
    "write_import",
]

#: entity folders of a JSON-LD export that the importer reads
FOLDERS = ("processes", "flows", "flow_properties", "unit_groups", "locations", "categories")
ALLOCATION_METHODS = ("physical", "economic", "causal", "none", "default")
_METHOD_TYPES = {
    "physical": "PHYSICAL_ALLOCATION",
    "economic": "ECONOMIC_ALLOCATION",
    "causal": "CAUSAL_ALLOCATION",
}
MASS_PROPERTY_NAME = "mass"


def _olca() -> Any:
    try:
        import olca_schema
    except ImportError as exc:  # pragma: no cover  (a declared dependency)
        raise InputError(
            Problem(
                message="reading openLCA JSON-LD needs GreenDelta's olca-schema package",
                hint="pip install olca-schema (or reinstall scenat)",
            )
        ) from exc
    return olca_schema


# --------------------------------------------------------------------------------------
# Reading


@dataclass
class JsonLd:
    """The entities of one or more JSON-LD exports, merged, as olca-schema objects."""

    processes: dict[str, Any] = field(default_factory=dict)
    flows: dict[str, Any] = field(default_factory=dict)
    flow_properties: dict[str, Any] = field(default_factory=dict)
    unit_groups: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    schema_versions: dict[str, int] = field(default_factory=dict)
    replaced: Counter = field(default_factory=Counter)
    origin: dict[str, str] = field(default_factory=dict)  # process id -> source label
    #: reference flow of a process version that a newer version (same @id) replaced -> id
    superseded: dict[str, str] = field(default_factory=dict)


def _entries(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(source label, folder, reader) for every entity file of a zip or folder tree."""
    if path.is_file() and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        for name in archive.namelist():
            parts = name.split("/")
            if len(parts) >= 2 and parts[-2] in FOLDERS and name.endswith(".json"):
                yield str(path), parts[-2], (lambda n=name: archive.read(n))
        return
    if path.is_dir():
        archives = sorted(p for p in path.rglob("*.zip") if zipfile.is_zipfile(p))
        for archive in archives:
            yield from _entries(archive)
        for file in sorted(path.rglob("*.json")):
            if file.parent.name in FOLDERS:
                yield str(path), file.parent.name, file.read_bytes
        return
    raise InputError(
        Problem(
            file=str(path),
            message="not an openLCA JSON-LD export (a .zip or a folder)",
            hint="give the .zip openLCA exported, or the folder it unpacks to",
        )
    )


def _is_v1(folder: str, data: dict[str, Any]) -> bool:
    if "@context" in data or isinstance(data.get("category"), dict):
        return True
    if folder == "processes":
        return any("input" in e and "isInput" not in e for e in data.get("exchanges", []))
    return False


def _category_paths(categories: dict[str, dict[str, Any]]) -> dict[str, str]:
    paths: dict[str, str] = {}

    def path_of(cid: str, seen: tuple[str, ...] = ()) -> str:
        if cid in paths:
            return paths[cid]
        entity = categories.get(cid)
        if entity is None or cid in seen:
            return ""
        parent = entity.get("category") or entity.get("parentCategory")
        prefix = path_of(parent["@id"], (*seen, cid)) if isinstance(parent, dict) else ""
        paths[cid] = f"{prefix}/{entity['name']}" if prefix else entity["name"]
        return paths[cid]

    for cid in categories:
        path_of(cid)
    return paths


_V1_KEYS = {
    "input": "isInput",
    "quantitativeReference": "isQuantitativeReference",
    "avoidedProduct": "isAvoidedProduct",
    "referenceFlowProperty": "isRefFlowProperty",
    "referenceUnit": "isRefUnit",
    "infrastructureProcess": "isInfrastructureProcess",
    "infrastructureFlow": "isInfrastructureFlow",
}


def upgrade_v1(folder: str, data: dict[str, Any], category_paths: dict[str, str]) -> dict:
    """Rewrite an openLCA 1.x entity dict in the schema 2 layout olca-schema reads.

    >>> d = upgrade_v1("processes", {"@id": "p", "category": {"@id": "c"}, "exchanges": [
    ...     {"@id": "e", "input": False, "quantitativeReference": True, "amount": 1.0,
    ...      "flow": {"@id": "f"}}],
    ...     "allocationFactors": [{"exchange": {"flow": {"@id": "f"}}, "value": 1.0}]},
    ...     {"c": "Utilities"})
    >>> d["category"], d["exchanges"][0]["isInput"], d["exchanges"][0]["internalId"]
    ('Utilities', False, 1)
    >>> d["allocationFactors"][0]["exchange"]
    {'internalId': 1}
    """

    def rename(obj: dict[str, Any]) -> dict[str, Any]:
        return {_V1_KEYS.get(k, k): v for k, v in obj.items()}

    out = rename(data)
    category = out.get("category")
    if isinstance(category, dict):
        out["category"] = category_paths.get(category.get("@id", ""), category.get("name"))
    if folder == "flows":
        out["flowProperties"] = [rename(f) for f in out.get("flowProperties", [])]
    elif folder == "unit_groups":
        out["units"] = [rename(u) for u in out.get("units", [])]
    elif folder == "processes":
        exchanges = []
        by_flow: dict[str, list[int]] = defaultdict(list)
        for number, exchange in enumerate(out.get("exchanges", []), start=1):
            exchange = rename(exchange)
            exchange.setdefault("internalId", number)
            exchanges.append(exchange)
            by_flow[(exchange.get("flow") or {}).get("@id", "")].append(exchange["internalId"])
        out["exchanges"] = exchanges
        factors = []
        for factor in out.get("allocationFactors", []):
            ref = factor.get("exchange")
            if isinstance(ref, dict) and "internalId" not in ref:
                ids = by_flow.get((ref.get("flow") or {}).get("@id", ""), [])
                for internal_id in ids:
                    factors.append({**factor, "exchange": {"internalId": internal_id}})
                if not ids:
                    factors.append({k: v for k, v in factor.items() if k != "exchange"})
            else:
                factors.append(factor)
        out["allocationFactors"] = factors
    return out


def _reference_flow(process: dict[str, Any]) -> str | None:
    for exchange in process.get("exchanges", []):
        if exchange.get("isQuantitativeReference") or exchange.get("quantitativeReference"):
            return (exchange.get("flow") or {}).get("@id")
    return None


def read_jsonld(paths: str | Path | Sequence[str | Path]) -> JsonLd:
    """Read and merge JSON-LD exports (zips or folders) into olca-schema objects."""
    olca = _olca()
    if isinstance(paths, (str, Path)):
        paths = [paths]
    raw: dict[str, dict[str, tuple[int, dict[str, Any], str]]] = {f: {} for f in FOLDERS}
    result = JsonLd()
    for path in paths:
        path = Path(path)
        for source, folder, read in _entries(path):
            data = json.loads(read())
            if not isinstance(data, dict) or "@id" not in data:
                continue
            version = 1 if _is_v1(folder, data) else 2
            result.schema_versions[source] = max(result.schema_versions.get(source, 0), version)
            previous = raw[folder].get(data["@id"])
            if previous is not None:
                result.replaced[folder] += 1
                older, newer = (data, previous[1]) if previous[0] > version else (previous[1], data)
                if folder == "processes":
                    old, new = _reference_flow(older), _reference_flow(newer)
                    if old and old != new:
                        result.superseded[old] = data["@id"]
                if previous[0] > version:
                    continue
            raw[folder][data["@id"]] = (version, data, source)
    result.sources = list(result.schema_versions)
    if not raw["processes"]:
        raise InputError(
            Problem(
                file=", ".join(str(p) for p in paths),
                message="no openLCA JSON-LD processes found",
                hint="give an openLCA JSON-LD export (.zip or folder with processes/ and "
                "flows/); EcoSpold or ILCD files are not read by this importer",
            )
        )
    category_paths = _category_paths({k: v[1] for k, v in raw["categories"].items()})
    classes = {
        "processes": olca.Process,
        "flows": olca.Flow,
        "flow_properties": olca.FlowProperty,
        "unit_groups": olca.UnitGroup,
        "locations": olca.Location,
    }
    for folder, cls in classes.items():
        target = getattr(result, folder)
        for uid, (version, data, source) in raw[folder].items():
            if folder == "locations":  # geometries are large and unused
                data = {k: v for k, v in data.items() if k != "geometry"}
            if version == 1:
                data = upgrade_v1(folder, data, category_paths)
            target[uid] = cls.from_dict(data)
            if folder == "processes":
                result.origin[uid] = source
    return result


# --------------------------------------------------------------------------------------
# Units


class _UnitProblem(ValueError):
    """A flow's unit that the import cannot convert; caught and reported per exchange."""


class Units:
    """Unit groups, flow properties and flow property factors of an import.

    ``masses`` supplements flows that state no mass: kg per reference unit of the flow, by
    flow name or ``@id`` (used only to compute physical allocation factors).
    """

    def __init__(self, data: JsonLd, masses: Mapping[str, float] | None = None):
        self.unit_factor: dict[str, tuple[str, float, str]] = {}  # unit id -> group, f, name
        self.group_units: dict[str, dict[str, float]] = {}  # group -> unit name -> factor
        self.group_ref: dict[str, str] = {}
        for gid, group in data.unit_groups.items():
            self.group_units[gid] = {}
            for unit in group.units or []:
                factor = float(unit.conversion_factor if unit.conversion_factor else 1.0)
                self.unit_factor[unit.id] = (gid, factor, unit.name)
                self.group_units[gid][unit.name] = factor
                for synonym in unit.synonyms or []:
                    self.group_units[gid].setdefault(synonym, factor)
                if unit.is_ref_unit:
                    self.group_ref[gid] = unit.name
        self.property_group = {
            pid: prop.unit_group.id
            for pid, prop in data.flow_properties.items()
            if prop.unit_group is not None
        }
        self.property_name = {
            pid: (prop.name or "").strip().lower() for pid, prop in data.flow_properties.items()
        }
        self.flows = data.flows
        mass = [p for p, n in self.property_name.items() if n == MASS_PROPERTY_NAME]
        self.supplement: dict[str, dict[str, float]] = {}
        if masses and mass:
            for flow in data.flows.values():
                value = masses.get(flow.id, masses.get((flow.name or "").strip()))
                if value is not None:
                    self.supplement[flow.id] = {mass[0]: float(value)}

    def factors(self, flow: Any) -> tuple[str, dict[str, float]]:
        """(reference flow property id, {property id: amount per reference amount})."""
        props = {}
        ref = None
        for factor in flow.flow_properties or []:
            if factor.flow_property is None:
                continue
            props[factor.flow_property.id] = float(factor.conversion_factor or 1.0)
            if factor.is_ref_flow_property:
                ref = factor.flow_property.id
        if ref is None and props:
            ref = next(iter(props))
        if ref is None:
            raise _UnitProblem(f"flow {flow.name!r} has no flow property")
        return ref, props

    def reference_unit(self, flow: Any) -> str:
        ref, _ = self.factors(flow)
        group = self.property_group.get(ref)
        if group is None or group not in self.group_ref:
            raise _UnitProblem(
                f"flow {flow.name!r}: flow property {ref} or its unit group is not in the "
                "import (a package that extends another database needs that database beside it)"
            )
        return self.group_ref[group]

    def to_reference(self, flow: Any, exchange: Any) -> float:
        """The exchange amount in the flow's reference unit."""
        ref, props = self.factors(flow)
        prop = exchange.flow_property.id if exchange.flow_property else ref
        if prop not in props:
            raise _UnitProblem(f"flow {flow.name!r} has no flow property {prop}")
        group = self.property_group.get(prop)
        if group is None:
            raise _UnitProblem(
                f"flow property {prop} of {flow.name!r} is not in the import (a package that "
                "extends another database needs that database beside it)"
            )
        unit = exchange.unit
        if unit is not None and unit.id in self.unit_factor:
            unit_group, factor, _ = self.unit_factor[unit.id]
            if unit_group != group:
                raise _UnitProblem(f"unit {unit.name!r} does not measure that flow property")
        elif unit is not None and unit.name in self.group_units.get(group, {}):
            factor = self.group_units[group][unit.name]
        elif unit is None:
            factor = 1.0
        else:
            raise _UnitProblem(f"unit {unit.name!r} of {flow.name!r} is not in its unit group")
        return float(exchange.amount or 0.0) * factor / props[prop]

    def amount_in(self, flow: Any, property_id: str) -> float | None:
        """Amount of a property per reference unit of the flow (None if it has none)."""
        _, props = self.factors(flow)
        if property_id in props:
            return props[property_id]
        return self.supplement.get(flow.id, {}).get(property_id)

    def multiplier_to(self, flow: Any, unit_name: str) -> float | None:
        """How many ``unit_name`` one reference unit of the flow is, through its properties."""
        ref, props = self.factors(flow)
        wanted = {_bw_unit(unit_name), unit_name}
        for prop, per_ref in props.items():
            group = self.property_group.get(prop)
            for name, factor in self.group_units.get(group, {}).items():
                if name in wanted or _bw_unit(name) in wanted:
                    return per_ref / factor
        return None


#: openLCA unit symbols -> the names bw2io gives them (the common ones, without importing bw2io)
_BW_UNITS = {
    "kg": "kilogram",
    "g": "gram",
    "t": "ton",
    "m3": "cubic meter",
    "m2": "square meter",
    "m2*a": "square meter-year",
    "m3*a": "cubic meter-year",
    "mj": "megajoule",
    "kwh": "kilowatt hour",
    "kbq": "kilo Becquerel",
    "t*km": "ton kilometer",
    "kg*km": "kilogram kilometer",
    "item(s)": "unit",
    "p*km": "person kilometer",
    "l": "litre",
    "km": "kilometer",
    "m": "meter",
    "ha": "hectare",
    "h": "hour",
    "a": "year",
}


def _bw_unit(symbol: str) -> str:
    """The unit name bw2io would give an openLCA unit symbol (``t*km`` -> ``ton kilometer``)."""
    text = (symbol or "").strip()
    if text.lower() in _BW_UNITS:
        return _BW_UNITS[text.lower()]
    from scenat.brightway import normalize_unit

    return normalize_unit(text)


# --------------------------------------------------------------------------------------
# Elementary flows -> biosphere3

#: openLCA / FEDEFL / USLCI context words -> ecoinvent 3 compartment
_TOP = {
    "air": "air",
    "emission to air": "air",
    "emissions to air": "air",
    "emission output to atmosphere": "air",
    "water": "water",
    "emission to water": "water",
    "emissions to water": "water",
    "emission output to freshwater": "water",
    "soil": "soil",
    "emission to soil": "soil",
    "emissions to soil": "soil",
    "resource": "natural resource",
    "resources": "natural resource",
    "natural resource": "natural resource",
    "[resource] water needed during mine operations": "natural resource",
}
_PREFIXES = {
    "elementary flows",
    "netl coal elementary flows",
    "netl elementary flows",
    "uslci elementary flows",
    "emission",
    "emissions",
}
#: sub-compartments -> ecoinvent 3 (ecoinvent 2 and SimaPro spellings, FEDEFL contexts)
_SUB = {
    "unspecified": None,
    "": None,
    "high population density": "urban air close to ground",
    "high. pop.": "urban air close to ground",
    "urban": "urban air close to ground",
    "low population density": "non-urban air or from high stacks",
    "low. pop.": "non-urban air or from high stacks",
    "rural": "non-urban air or from high stacks",
    "stratosphere": "lower stratosphere + upper troposphere",
    "stratosphere + troposphere": "lower stratosphere + upper troposphere",
    "lower stratosphere + upper troposphere": "lower stratosphere + upper troposphere",
    "low population density, long-term": "low population density, long-term",
    "river": "surface water",
    "river, long-term": "surface water",
    "lake": "surface water",
    "fresh water": "surface water",
    "freshwater": "surface water",
    "surface water": "surface water",
    "ground-": "ground-",
    "groundwater": "ground-",
    "ground-, long-term": "ground-, long-term",
    "groundwater, long-term": "ground-, long-term",
    "ocean": "ocean",
    "sea water": "ocean",
    "agricultural": "agricultural",
    "industrial": "industrial",
    "forestry": "forestry",
    "in ground": "in ground",
    "ground": "in ground",
    "fossil-": "in ground",
    "in water": "in water",
    "in air": "in air",
    "land": "land",
    "biotic": "biotic",
}
_RESOURCE_SUB = {"water": "in water", "air": "in air", "ground-": "in water"}

#: Names that openLCA's reference list, FEDEFL (the Federal LCA Commons elementary flow list)
#: and USLCI give flows that biosphere3 (ecoinvent 3.9) calls otherwise; keyed by (ecoinvent 3
#: top compartment or "*", normalised name). Tried after bw2io's own name tables.
SYNONYMS: dict[tuple[str, str], str] = {
    # FEDEFL's plain "Carbon dioxide"/"Methane"/"Carbon monoxide" are fossil; biogenic flows
    # carry ", biogenic" there and in USLCI.
    ("air", "carbon dioxide"): "Carbon dioxide, fossil",
    ("air", "carbon dioxide, biogenic"): "Carbon dioxide, non-fossil",
    ("natural resource", "carbon dioxide"): "Carbon dioxide, in air",
    ("air", "methane"): "Methane, fossil",
    ("air", "methane, biogenic"): "Methane, non-fossil",
    ("air", "carbon monoxide"): "Carbon monoxide, fossil",
    ("air", "carbon monoxide, biogenic"): "Carbon monoxide, non-fossil",
    ("air", "nitrous oxide"): "Dinitrogen monoxide",
    ("air", "nitrogen oxide"): "Nitrogen oxides",
    # NOx is reported as NO2 mass; biosphere3 has no nitrogen dioxide emission to air
    ("air", "nitrogen dioxide"): "Nitrogen oxides",
    ("air", "particulate matter, > 2.5um and ≤ 10um"): "Particulate Matter, > 2.5 um and < 10um",
    ("air", "particulate matter, ≤ 2.5um"): "Particulate Matter, < 2.5 um",
    ("air", "particulate matter, > 10um"): "Particulate Matter, > 10 um",
    ("air", "particulates, > 2.5 um, and < 10um"): "Particulate Matter, > 2.5 um and < 10um",
    ("air", "particulates, < 2.5 um"): "Particulate Matter, < 2.5 um",
    ("air", "particulates, > 10 um"): "Particulate Matter, > 10 um",
    ("air", "particulates, < 10 um"): "Particulate Matter, > 2.5 um and < 10um",
    # Total VOC and non-methane hydrocarbons are booked as NMVOC, as SimaPro's and bw2io's
    # tables do; methane is reported separately in these datasets.
    ("air", "volatile organic compounds"): "NMVOC, non-methane volatile organic compounds",
    ("air", "voc, volatile organic compounds"): "NMVOC, non-methane volatile organic compounds",
    ("air", "hydrocarbons (other than methane)"): "NMVOC, non-methane volatile organic compounds",
    ("air", "nmvoc, non-methane volatile organic compounds, unspecified origin"): (
        "NMVOC, non-methane volatile organic compounds"
    ),
    ("air", "sulfur oxides"): "Sulfur dioxide",
    ("*", "sulphur dioxide"): "Sulfur dioxide",
    # Resources: ecoinvent 2 / USLCI names -> ecoinvent 3 (energy carriers and water)
    ("natural resource", "coal, hard"): "Coal, hard, unspecified",
    ("natural resource", "coal"): "Coal, hard, unspecified",
    ("natural resource", "coal, bituminous"): "Coal, hard, unspecified",
    ("natural resource", "coal, unprocessed bituminous"): "Coal, hard, unspecified",
    ("natural resource", "coal, lignite"): "Coal, brown",
    ("natural resource", "lignite"): "Coal, brown",
    ("natural resource", "energy, geothermal"): "Energy, geothermal, converted",
    ("natural resource", "energy, solar"): "Energy, solar, converted",
    ("natural resource", "energy, from biomass"): "Energy, gross calorific value, in biomass",
    ("natural resource", "energy, from hydro power"): (
        "Energy, potential (in hydropower reservoir), converted"
    ),
    ("natural resource", "energy, potential, stock, in barrage water"): (
        "Energy, potential (in hydropower reservoir), converted"
    ),
    ("natural resource", "energy, kinetic, flow, in wind"): "Energy, kinetic (in wind), converted",
    ("natural resource", "energy, wind"): "Energy, kinetic (in wind), converted",
    ("natural resource", "energy, from wind power"): "Energy, kinetic (in wind), converted",
    ("natural resource", "water"): "Water, unspecified natural origin",
    ("natural resource", "water, process"): "Water, unspecified natural origin",
    ("natural resource", "water, process, unspecified natural origin"): (
        "Water, unspecified natural origin"
    ),
    ("natural resource", "water, fresh"): "Water, unspecified natural origin",
    ("natural resource", "water, well"): "Water, well, in ground",
    ("natural resource", "water, process, well"): "Water, well, in ground",
    ("natural resource", "water, cooling, well"): "Water, well, in ground",
    ("natural resource", "water, process, surface"): "Water, river",
    ("natural resource", "water, cooling, surface"): "Water, river",
    ("natural resource", "water, process and cooling, surface"): "Water, river",
    ("natural resource", "water, cooling"): "Water, cooling, unspecified natural origin",
}
#: an emission to air or water whose name starts like this is water (biosphere3 "Water")
_WATER_EMISSION = re.compile(
    r"^(water|cooling water|process water|waste ?water|process effluent|water vapou?r)\b"
)
#: refrigerant / halocarbon designations (HCFC-22, R-14, FC-14, CFC-11, HFC-245fa, Halon 1301)
_HALOCARBON = re.compile(r"(?:^|[, ])(?:h?c?fc|h?cfc|hfc|pfc|fc|r|halon|hcc)[- ]?(\d+[a-z]*)$")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).replace("µ", "u").replace("μ", "u")
    return re.sub(r"\s+", " ", text.strip().casefold())


def _cas(text: str | None) -> str | None:
    if not text:
        return None
    match = re.fullmatch(r"0*(\d+)-(\d\d)-(\d)", str(text).strip())
    return "-".join(match.groups()) if match else None


@dataclass(frozen=True)
class BiosphereMatch:
    code: str
    name: str
    categories: tuple[str, ...]
    unit: str
    multiplier: float
    method: str


def context(category: str | None) -> tuple[str | None, str | None]:
    """(ecoinvent 3 top compartment, sub-compartment) of an openLCA category path.

    >>> context("Elementary flows/emission/air")
    ('air', None)
    >>> context("air/low population density")
    ('air', 'non-urban air or from high stacks')
    >>> context("resource/in ground")
    ('natural resource', 'in ground')
    >>> context("final-waste-flow/unspecified")
    (None, None)
    """
    parts = [_key(p) for p in re.split(r"\s*/\s*", category or "") if p.strip()]
    while parts and parts[0] in _PREFIXES:
        parts.pop(0)
    if not parts or parts[0] not in _TOP:
        return None, None
    top = _TOP[parts[0]]
    rest = ", ".join(parts[1:])
    if top == "natural resource" and rest in _RESOURCE_SUB:
        return top, _RESOURCE_SUB[rest]
    if parts[0].startswith("emission output to freshwater"):
        return top, "surface water"
    return top, _SUB.get(rest, None)


#: sub-compartment used when neither the flow's own nor an unspecified biosphere3 flow exists
_DEFAULT_SUB = {
    "water": "surface water",
    "air": "non-urban air or from high stacks",
    "soil": "agricultural",
}


class BiosphereMatcher:
    """Links openLCA elementary flows to biosphere3 flows.

    The compartment comes from the flow's category (:func:`context`); a flow filed under a
    bare "Elementary flows" folder gets the only compartment in which its name exists. Then,
    in order, the first biosphere3 flow found whose unit agrees:

    1. by name: the flow's name; the name cleaned of USLCI's decorations (``.../m3``,
       ``, 24.8 MJ per kg``, ``, in ground``, ``, ion`` -> `` ion``); each of these after
       bw2io's ecoinvent 2 -> 3 name changes (``ecoinvent elementary flows 2-3.xlsx``) and
       SimaPro -> ecoinvent names (``simapro-biosphere.json``), both bundled in bw2io, and
       after :data:`SYNONYMS`; water emitted to air or water is biosphere3's ``Water``;
    2. by biosphere3's own synonyms of each flow, for the same names;
    3. by halocarbon designation (``HCFC-22``, ``FC-14`` = ``R-14``) in the compartment;
    4. by CAS number, when every biosphere3 flow with that CAS in the compartment has the
       same name (so CO2, whose CAS covers fossil, non-fossil and land-use flows, never
       links by CAS alone);
    5. by the name without a trailing qualifier (``, unspecified``, ``(...)``).

    Before all of these, a flow whose own UUID is a biosphere3 code links to that flow
    (``uuid`` of :meth:`match`). Inside the compartment the flow's sub-compartment is
    preferred, then the compartment's unspecified flow, then :data:`_DEFAULT_SUB`, then the
    only flow of that name. Units must agree directly, through the flow's own flow
    properties (a resource in kg links to a biosphere3 flow in MJ only if the flow states
    its energy content), or for water, 1,000 kg per m3.
    """

    def __init__(self, flows: Iterable[dict[str, Any]], name_changes: dict | None = None):
        self.by_name: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.by_synonym: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.by_cas: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.by_halocarbon: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.by_code: dict[str, dict[str, Any]] = {}
        for flow in flows:
            categories = tuple(flow.get("categories") or ())
            if not categories:
                continue
            self.by_code[flow["code"]] = flow
            top = categories[0]
            key = _key(flow["name"])
            self.by_name[(key, top)].append(flow)
            for synonym in flow.get("synonyms") or []:
                self.by_synonym[(_key(synonym), top)].append(flow)
            cas = _cas(flow.get("CAS number"))
            if cas:
                self.by_cas[(cas, top)].append(flow)
            halocarbon = _HALOCARBON.search(key)
            if halocarbon:
                self.by_halocarbon[(halocarbon.group(1), top)].append(flow)
        self.name_changes = name_changes or {}

    @classmethod
    def from_project(cls, database: str = "biosphere3") -> BiosphereMatcher:
        """A matcher over the flows of a biosphere database of scenat's project."""
        from scenat.brightway import biosphere_flows

        return cls(biosphere_flows(database), bw2io_name_changes())

    @staticmethod
    def _pick(candidates: list[dict], sub: str | None, top: str) -> dict | None:
        """The flow in the sub-compartment, else the unspecified one, else a default one."""
        if len({f["name"] for f in candidates}) > 1:
            return None
        for wanted in (sub, None, _DEFAULT_SUB.get(top)):
            for flow in candidates:
                if tuple(flow["categories"][1:2]) == ((wanted,) if wanted else ()):
                    return flow
        return candidates[0] if len(candidates) == 1 else None

    def _variants(self, name: str, top: str) -> list[tuple[str, str]]:
        key = _key(name)
        cleaned = _clean(key)
        simple = re.sub(r"\s*\([^)]*\)$|, (unspecified|total)$", "", cleaned)
        out = [(key, "name"), (cleaned, "cleaned name"), (simple, "name without qualifier")]
        for variant, _ in list(out):
            changed = self.name_changes.get((variant, top)) or self.name_changes.get(
                (variant, None)
            )
            if changed:
                out.append((_key(changed), "bw2io name table"))
            synonym = SYNONYMS.get((top, variant)) or SYNONYMS.get(("*", variant))
            if synonym:
                out.append((_key(synonym), "scenat synonym"))
        if top in ("air", "water") and _WATER_EMISSION.match(cleaned):
            out.append(("water", "water emission"))
        seen: set[str] = set()
        return [(k, how) for k, how in out if not (k in seen or seen.add(k))]

    def _candidates(
        self, name: str, top: str, sub: str | None, cas: str | None
    ) -> list[tuple[dict, str]]:
        found: list[tuple[dict, str]] = []
        variants = self._variants(name, top)
        for table, label in ((self.by_name, None), (self.by_synonym, "biosphere3 synonym")):
            for key, how in variants:
                flow = self._pick(table.get((key, top), []), sub, top)
                if flow is not None:
                    found.append((flow, label or how))
        halocarbon = _HALOCARBON.search(_key(name))
        if halocarbon:
            flow = self._pick(self.by_halocarbon.get((halocarbon.group(1), top), []), sub, top)
            if flow is not None:
                found.append((flow, "halocarbon designation"))
        if _cas(cas):
            flow = self._pick(self.by_cas.get((_cas(cas), top), []), sub, top)
            if flow is not None:
                found.append((flow, "CAS"))
        return found

    def match(
        self,
        name: str,
        category: str | None,
        unit: str,
        cas: str | None,
        convert: Any = None,
        uuid: str | None = None,
    ) -> BiosphereMatch | None:
        """The biosphere3 flow for an openLCA elementary flow, or None.

        ``unit`` is the flow's reference unit (openLCA symbol); ``convert(unit_name)``, when
        given, says how many of another unit one reference unit is (through the flow's
        properties), for flows whose unit differs from biosphere3's. ``uuid``, the flow's
        own id, links first when it is a biosphere3 code (a package reusing ecoinvent's
        elementary flows) and the units agree.
        """
        same = self.by_code.get(uuid or "")
        if same is not None:
            water = _key(same["name"]).startswith("water")
            multiplier = _unit_multiplier(unit, same["unit"], convert, water)
            if multiplier is not None:
                return BiosphereMatch(
                    code=same["code"],
                    name=same["name"],
                    categories=tuple(same["categories"]),
                    unit=same["unit"],
                    multiplier=multiplier,
                    method="UUID",
                )
        top, sub = context(category)
        inferred = ""
        if top is None and _generic(category):
            tops = [
                t
                for t in ("air", "water", "soil", "natural resource")
                if self._candidates(name, t, None, cas)
            ]
            if len(tops) != 1:
                return None
            top, inferred = tops[0], " (compartment from the name)"
        if top is None:
            return None
        water = _key(name).startswith("water") or "water" in _key(name).split(",")[0]
        gas = natural_gas_per_kg(name) if top == "natural resource" else None
        for flow, method in self._candidates(name, top, sub, cas):
            multiplier = _unit_multiplier(unit, flow["unit"], convert, water)
            if multiplier is None and gas is not None and flow["unit"] == "standard cubic meter":
                if _unit_multiplier(unit, "kilogram", None) == 1.0:
                    multiplier, method = gas[0], f"{method}; {gas[1]}"
            if multiplier is not None:
                return BiosphereMatch(
                    code=flow["code"],
                    name=flow["name"],
                    categories=tuple(flow["categories"]),
                    unit=flow["unit"],
                    multiplier=multiplier,
                    method=method + inferred,
                )
        return None


def _clean(key: str) -> str:
    """A normalised name without USLCI's decorations.

    >>> _clean("coal, bituminous, 24.8 mj per kg, in ground"), _clean("copper, ion")
    ('coal, bituminous', 'copper ion')
    """
    cleaned = re.sub(r"\s*\[[^\]]*\]$", "", key)  # NETL: "Methane [Organic emissions to air]"
    cleaned = re.sub(r"/(m3|kg)$", "", cleaned)
    cleaned = re.sub(r", [\d.]+ [mg]j per kg", "", cleaned)
    cleaned = re.sub(r", (in ground|in water|in air|biotic)$", "", cleaned)
    return re.sub(r", ion$", " ion", cleaned).strip()


def _generic(category: str | None) -> bool:
    """True for a category that names no compartment at all (e.g. "Elementary Flows")."""
    parts = [_key(p) for p in re.split(r"\s*/\s*", category or "") if p.strip()]
    return all(p in _PREFIXES for p in parts)


_SAME_UNITS = {
    "standard cubic meter": "cubic meter",
    "normal cubic meter": "cubic meter",
    "m3": "cubic meter",
    "kilo becquerel": "kilo Becquerel",
    "kbq": "kilo Becquerel",
}
_UNIT_FACTORS = {
    ("kilowatt hour", "megajoule"): 3.6,
    ("gram", "kilogram"): 1e-3,
    ("ton", "kilogram"): 1e3,
    ("becquerel", "kilo Becquerel"): 1e-3,
    ("Becquerel", "kilo Becquerel"): 1e-3,
    ("hectare", "square meter"): 1e4,
    ("litre", "cubic meter"): 1e-3,
    ("square meter-year", "square meter-year"): 1.0,
}


#: kg of natural gas per standard m3 where the flow states no heating value: the density
#: DESNZ 2025 implies (kg CO2e per m3 / per tonne), as scenat.importers.uslci uses
NATURAL_GAS_DENSITY = 0.80246
#: MJ per Sm3 of biosphere3's "Gas, natural": EF v3.1's ADP-fossil factor (bw2io bundle)
NATURAL_GAS_MJ_PER_SM3 = 36.0


def natural_gas_per_kg(name: str) -> tuple[float, str] | None:
    """Sm3 of biosphere3's natural gas per kg of a resource flow named as natural gas.

    A name stating a heating value (USLCI's ``Gas, natural, 46.8 MJ per kg, in ground``) is
    converted by energy, so that EF v3.1's fossil energy gives back the stated MJ (46.8 / 36
    Sm3 per kg); otherwise by :data:`NATURAL_GAS_DENSITY`.

    >>> natural_gas_per_kg("Gas, natural, 46.8 MJ per kg, in ground")[0] == 46.8 / 36.0
    True
    >>> round(natural_gas_per_kg("Gas, natural, in ground ")[0], 4), natural_gas_per_kg("Coal")
    (1.2462, None)
    """
    key = _key(name)
    if not (key.startswith("gas, natural") or key.startswith("natural gas")):
        return None
    found = re.search(r"([\d.]+) ?mj (?:per|/) ?kg", key)
    if found:
        value = float(found.group(1))
        return value / NATURAL_GAS_MJ_PER_SM3, f"kg -> Sm3 at {value:g} MJ/kg / 36 MJ/Sm3"
    return 1.0 / NATURAL_GAS_DENSITY, f"kg -> Sm3 at {NATURAL_GAS_DENSITY} kg/Sm3"


def _unit_multiplier(
    olca_unit: str, bw_unit: str, convert: Any, water: bool = False
) -> float | None:
    ours = _bw_unit(olca_unit)
    ours = _SAME_UNITS.get(ours, _SAME_UNITS.get(ours.lower(), ours))
    theirs = _SAME_UNITS.get(bw_unit, _SAME_UNITS.get(bw_unit.lower(), bw_unit))
    if ours == theirs:
        return 1.0
    if (ours, theirs) in _UNIT_FACTORS:
        return _UNIT_FACTORS[(ours, theirs)]
    if water and (ours, theirs) == ("kilogram", "cubic meter"):
        return 1e-3  # 1,000 kg of water per m3, as bw2io's water migrations assume
    if convert is not None:
        for candidate in {bw_unit, theirs}:
            found = convert(candidate)
            if found is not None:
                return found
    return None


def bw2io_name_changes() -> dict[tuple[str, str | None], str]:
    """Old -> new elementary-flow names from bw2io's bundled tables (ecoinvent 2 -> 3, SimaPro).

    Keyed by (normalised old name, ecoinvent 3 top compartment or None for any).
    """
    dirpath = bw2io_data_dir()
    changes: dict[tuple[str, str | None], str] = {}
    try:
        from openpyxl import load_workbook

        book = load_workbook(
            dirpath / "lci" / "ecoinvent elementary flows 2-3.xlsx", read_only=True
        )
        sheet = book["ElementaryExchanges"]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            old, new, top = row[1], row[8], row[9]
            if old and new and old != new:
                top3 = _TOP.get(_key(top or ""), _key(top or "")) if top else None
                changes.setdefault((_key(old), top3), new)
                changes.setdefault((_key(old), None), new)
        book.close()
    except (OSError, KeyError):  # pragma: no cover  (bundled with bw2io)
        pass
    simapro = dirpath / "simapro-biosphere.json"
    if simapro.exists():
        for top, old, new in json.loads(simapro.read_text(encoding="utf-8")):
            top3 = {"resource": "natural resource", "raw": "natural resource"}.get(top, top)
            changes.setdefault((_key(old), top3), new)
    return changes


# --------------------------------------------------------------------------------------
# Conversion to Brightway


@dataclass
class Conversion:
    """A converted database (``data`` for ``Database.write``) and what happened on the way."""

    name: str
    data: dict[tuple[str, str], dict[str, Any]]
    allocation: str
    counts: Counter = field(default_factory=Counter)
    unlinked_flows: list[dict[str, Any]] = field(default_factory=list)
    cutoff_inputs: list[dict[str, Any]] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    allocation_notes: list[dict[str, Any]] = field(default_factory=list)
    unit_problems: list[dict[str, Any]] = field(default_factory=list)
    matches: dict[str, dict[str, Any]] = field(default_factory=dict)

    def match_rate(self) -> dict[str, float]:
        c = self.counts
        flows = c["elementary flows used"]
        exchanges = c["elementary exchanges"]
        return {
            "flows": c["elementary flows linked"] / flows if flows else 1.0,
            "exchanges": c["elementary exchanges linked"] / exchanges if exchanges else 1.0,
        }


def _type_name(value: Any) -> str:
    return getattr(value, "value", value) or ""


def _location(data: JsonLd, ref: Any) -> str:
    if ref is None:
        return "GLO"
    entity = data.locations.get(ref.id)
    if entity is not None and entity.code:
        return entity.code
    return ref.name or "GLO"


def _uncertainty(unc: Any, amount: float, given: float | None) -> dict[str, Any]:
    """stats_arrays fields for an openLCA uncertainty, scaled as ``given`` became ``amount``.

    >>> u = _olca().Uncertainty.from_dict({"distributionType": "TRIANGLE_DISTRIBUTION",
    ...     "minimum": 1.0, "mode": 2.0, "maximum": 4.0})
    >>> _uncertainty(u, -4.0, 2.0)
    {'uncertainty type': 5, 'minimum': -8.0, 'maximum': -2.0, 'loc': -4.0}
    """
    if unc is None or unc.distribution_type is None or not given:
        return {}
    scale = amount / given
    kind = _type_name(unc.distribution_type)
    try:
        if kind == "LOG_NORMAL_DISTRIBUTION" and unc.geom_sd and unc.geom_sd > 0 and amount:
            return {
                "uncertainty type": 2,
                "loc": math.log(abs(amount)),
                "scale": math.log(unc.geom_sd),
                "negative": amount < 0,
            }
        if kind == "NORMAL_DISTRIBUTION" and unc.sd:
            return {"uncertainty type": 3, "loc": amount, "scale": abs(unc.sd * scale)}
        if kind in ("TRIANGLE_DISTRIBUTION", "UNIFORM_DISTRIBUTION"):
            low, high = sorted((unc.minimum * scale, unc.maximum * scale))
            if not low <= amount <= high or low == high:
                return {}
            fields = {"uncertainty type": 5 if kind.startswith("TRIANGLE") else 4}
            fields.update({"minimum": low, "maximum": high, "loc": amount})
            return fields
    except (TypeError, ValueError):
        return {}
    return {}


@dataclass
class _Row:
    exchange: Any
    flow: Any
    kind: str  # product | waste | elementary
    amount: float  # in the flow's reference unit, signed as in openLCA (always >= 0 there)


def to_brightway(
    data: JsonLd,
    name: str,
    matcher: BiosphereMatcher,
    allocation: str = "physical",
    biosphere: str = "biosphere3",
    masses: Mapping[str, float] | None = None,
) -> Conversion:
    """Convert merged JSON-LD into Brightway activity dicts (see the module docstring)."""
    if allocation not in ALLOCATION_METHODS:
        raise InputError(
            Problem(
                message=f"unknown allocation method {allocation!r}",
                value=allocation,
                hint="use one of " + ", ".join(ALLOCATION_METHODS),
            )
        )
    units = Units(data, masses)
    out = Conversion(name=name, data={}, allocation=allocation)
    counts = out.counts

    def flow_kind(flow: Any) -> str:
        return {
            "ELEMENTARY_FLOW": "elementary",
            "WASTE_FLOW": "waste",
        }.get(_type_name(flow.flow_type), "product")

    # 1. every process's exchanges, in reference units, and its provider flows
    rows: dict[str, list[_Row]] = {}
    providers: dict[str, list[tuple[str, _Row]]] = defaultdict(list)
    references: dict[str, _Row] = {}
    for pid, process in data.processes.items():
        kept: list[_Row] = []
        for exchange in process.exchanges or []:
            flow = data.flows.get(exchange.flow.id) if exchange.flow else None
            if flow is None:
                counts["exchanges with a flow missing from the import"] += 1
                out.unit_problems.append(
                    {
                        "process": pid,
                        "process_name": process.name,
                        "flow": exchange.flow.id if exchange.flow else "",
                        "flow_name": exchange.flow.name if exchange.flow else "",
                        "problem": "flow not in the import",
                    }
                )
                continue
            try:
                amount = units.to_reference(flow, exchange)
            except _UnitProblem as exc:
                counts["exchanges with a unit problem"] += 1
                out.unit_problems.append(
                    {
                        "process": pid,
                        "process_name": process.name,
                        "flow": flow.id,
                        "flow_name": flow.name,
                        "problem": str(exc),
                    }
                )
                continue
            kept.append(_Row(exchange, flow, flow_kind(flow), amount))
        rows[pid] = kept
        provider_rows = [r for r in kept if _is_provider(r)]
        reference = next(
            (r for r in provider_rows if r.exchange.is_quantitative_reference), None
        ) or (provider_rows[0] if provider_rows else None)
        if reference is None:
            counts["processes without a product output (skipped)"] += 1
            continue
        references[pid] = reference
        for row in provider_rows:
            providers[row.flow.id].append((pid, row))
    counts["processes read"] = len(data.processes)

    def code_of(pid: str, row: _Row) -> str:
        if row is references[pid]:
            return pid
        return f"{pid}.{row.flow.id}"

    # 2. elementary flows -> biosphere3, once per flow
    used = {r.flow.id: r.flow for rs in rows.values() for r in rs if r.kind == "elementary"}
    matched: dict[str, BiosphereMatch | None] = {}
    for fid, flow in used.items():
        try:
            unit = units.reference_unit(flow)
        except _UnitProblem:
            unit = ""
        found = matcher.match(
            flow.name or "",
            flow.category,
            unit,
            flow.cas,
            convert=lambda target, f=flow: units.multiplier_to(f, target),
            uuid=fid,
        )
        matched[fid] = found
        if found is not None:
            out.matches[fid] = {
                "name": flow.name,
                "category": flow.category,
                "biosphere3_name": found.name,
                "code": found.code,
                "categories": "/".join(found.categories),
                "unit": found.unit,
                "multiplier": found.multiplier,
                "method": found.method,
            }
    counts["elementary flows used"] = len(used)
    counts["elementary flows linked"] = sum(1 for m in matched.values() if m is not None)

    # 3. technosphere provider for a linked exchange
    def provider_for(pid: str, row: _Row) -> tuple[str, _Row] | None:
        candidates = providers.get(row.flow.id, [])
        default = row.exchange.default_provider
        if default is not None and default.id:
            for cand in candidates:
                if cand[0] == default.id:
                    counts["inputs linked to their default provider"] += 1
                    return cand
            counts["default providers not in the import"] += 1
        if not candidates:
            # The process that made this flow was replaced by a newer version (same @id)
            # making a renamed product in the same flow property: link to the new version.
            newer = data.superseded.get(row.flow.id)
            if newer in references:
                new_flow = references[newer].flow
                if units.factors(new_flow)[0] == units.factors(row.flow)[0]:
                    counts["inputs linked to a newer version of their provider"] += 1
                    return newer, references[newer]
            return None
        if len(candidates) == 1:
            counts["inputs linked to the only provider"] += 1
            return candidates[0]
        here = _location(data, data.processes[pid].location)

        def rank(cand: tuple[str, _Row]) -> tuple[int, int, str]:
            cpid, crow = cand
            process = data.processes[cpid]
            return (
                0 if crow is references[cpid] else 1,
                0 if _location(data, process.location) == here else 1,
                process.name or "",
            )

        best = min(candidates, key=rank)
        counts["inputs linked among several providers"] += 1
        out.ambiguous.append(
            {
                "process": pid,
                "process_name": data.processes[pid].name,
                "flow": row.flow.id,
                "flow_name": row.flow.name,
                "chosen": best[0],
                "chosen_name": data.processes[best[0]].name,
                "candidates": len(candidates),
            }
        )
        return best

    # 4. activities
    cutoff: Counter = Counter()
    cutoff_info: dict[str, dict[str, Any]] = {}
    unlinked: Counter = Counter()
    for pid, process in data.processes.items():
        if pid not in references:
            continue
        provider_rows = [r for r in rows[pid] if _is_provider(r)]
        others = [r for r in rows[pid] if not _is_provider(r)]
        factors = _allocation(process, provider_rows, others, allocation, units, data, out)
        location = _location(data, process.location)
        for prow in provider_rows:
            code = code_of(pid, prow)
            unit = units.reference_unit(prow.flow)
            production = abs(prow.amount)
            activity: dict[str, Any] = {
                "name": process.name,
                "reference product": prow.flow.name,
                "unit": _bw_unit(unit),
                "location": location,
                "type": "process",
                "code": code,
                "database": name,
                "comment": (process.description or "")[:2000],
                "categories": tuple(c for c in (process.category or "").split("/") if c),
                "olca": {
                    "process": pid,
                    "flow": prow.flow.id,
                    "unit": unit,
                    "source": data.origin.get(pid, ""),
                    "allocation": factors.get("__method__", {}).get(prow.flow.id, "none"),
                },
                "exchanges": [
                    {
                        "input": (name, code),
                        "amount": production,
                        "type": "production",
                        "unit": _bw_unit(unit),
                    }
                ],
            }
            if len(provider_rows) > 1:
                counts["co-product activities"] += 1 if prow is not references[pid] else 0
            for row in others:
                factor = factors.get(prow.flow.id, {}).get(row.exchange.internal_id, 1.0)
                if factor == 0.0:
                    continue
                amount = row.amount * factor
                if row.kind == "elementary":
                    counts["elementary exchanges"] += 1
                    found = matched.get(row.flow.id)
                    if found is None:
                        unlinked[row.flow.id] += 1
                        continue
                    counts["elementary exchanges linked"] += 1
                    top = (found.categories or ("",))[0]
                    resource = top == "natural resource"
                    sign = 1.0 if bool(row.exchange.is_input) == resource else -1.0
                    value = sign * amount * found.multiplier
                    activity["exchanges"].append(
                        {
                            "input": (biosphere, found.code),
                            "amount": value,
                            "type": "biosphere",
                            "unit": found.unit,
                            **_uncertainty(row.exchange.uncertainty, value, row.exchange.amount),
                        }
                    )
                    continue
                counts["technosphere exchanges"] += 1
                linked = provider_for(pid, row)
                if linked is None:
                    cutoff[row.flow.id] += 1
                    cutoff_info[row.flow.id] = {
                        "flow": row.flow.id,
                        "flow_name": row.flow.name,
                        "kind": row.kind,
                        "unit": units.reference_unit(row.flow),
                    }
                    continue
                counts["technosphere exchanges linked"] += 1
                sign = -1.0 if row.exchange.is_avoided_product else 1.0
                value = sign * amount
                activity["exchanges"].append(
                    {
                        "input": (name, code_of(*linked)),
                        "amount": value,
                        "type": "technosphere",
                        "unit": _bw_unit(units.reference_unit(row.flow)),
                        **_uncertainty(row.exchange.uncertainty, value, row.exchange.amount),
                    }
                )
            out.data[(name, code)] = activity
    counts["activities"] = len(out.data)
    for fid, n in unlinked.most_common():
        flow = data.flows[fid]
        try:
            unit = units.reference_unit(flow)
        except _UnitProblem:
            unit = ""
        top, sub = context(flow.category)
        out.unlinked_flows.append(
            {
                "flow": fid,
                "name": flow.name,
                "category": flow.category,
                "compartment": "/".join(x for x in (top, sub) if x),
                "unit": unit,
                "cas": flow.cas or "",
                "exchanges": n,
                "reason": "no biosphere3 compartment" if top is None else "no match",
            }
        )
    for fid, n in cutoff.most_common():
        out.cutoff_inputs.append({**cutoff_info[fid], "exchanges": n})
    return out


def _is_provider(row: _Row) -> bool:
    if row.kind == "elementary" or row.exchange.is_avoided_product:
        return False
    if row.kind == "product":
        return not row.exchange.is_input
    return bool(row.exchange.is_input)  # a waste input: the process treats that waste


def _allocation(
    process: Any,
    provider_rows: list[_Row],
    others: list[_Row],
    allocation: str,
    units: Units,
    data: JsonLd,
    out: Conversion,
) -> dict[str, Any]:
    """{provider flow id: {exchange internal id: factor}} for a multi-functional process.

    An exchange missing from a product's map has factor 1. ``"__method__"`` maps each
    provider flow to how its factor was found (for the activity metadata).
    """
    if len(provider_rows) < 2:
        return {}
    out.counts["multi-functional processes"] += 1
    method = allocation
    if method == "default":
        default = _type_name(process.default_allocation_method)
        method = {v: k for k, v in _METHOD_TYPES.items()}.get(default, "physical")
    flows = [r.flow.id for r in provider_rows]
    result: dict[str, Any] = {f: {} for f in flows}
    how = "none"
    if method in ("physical", "economic"):
        stored = {
            f.product.id: float(f.value if f.value is not None else 1.0)
            for f in process.allocation_factors or []
            if _type_name(f.allocation_type) == _METHOD_TYPES[method]
            and f.product is not None
            and f.product.id in flows
        }
        if stored:
            how = f"{method}, stored factors"
            product_factor = {f: stored.get(f, 1.0) for f in flows}
        elif method == "physical":
            product_factor, basis = _computed_physical(provider_rows, units)
            how = f"physical, computed from {basis}" if basis else "none (no common property)"
        else:
            product_factor = {}
            how = "none (no stored factors)"
        for flow_id, value in product_factor.items():
            result[flow_id] = {r.exchange.internal_id: value for r in others}
    elif method == "causal":
        stored_c = [
            f
            for f in process.allocation_factors or []
            if _type_name(f.allocation_type) == "CAUSAL_ALLOCATION"
            and f.product is not None
            and f.product.id in flows
            and f.exchange is not None
        ]
        for factor in stored_c:
            result[factor.product.id][factor.exchange.internal_id] = float(factor.value or 0.0)
        how = "causal, stored factors" if stored_c else "none (no stored factors)"
    out.counts[f"allocation: {how}"] += 1
    if how.startswith("none"):
        out.allocation_notes.append(
            {
                "process": process.id,
                "process_name": process.name,
                "provider_flows": len(provider_rows),
                "allocation": how,
                "note": "each provider flow carries the whole burden (openLCA: missing factor = 1)",
            }
        )
    result["__method__"] = {f: how for f in flows}
    return result


def _computed_physical(rows: list[_Row], units: Units) -> tuple[dict[str, float], str]:
    """Physical factors from the provider flows' amounts: mass, else the reference property."""
    candidates: list[tuple[str, str]] = []
    mass = [p for p, n in units.property_name.items() if n == MASS_PROPERTY_NAME]
    candidates += [(p, "mass") for p in mass]
    reference = next((r for r in rows if r.exchange.is_quantitative_reference), rows[0])
    ref_prop, _ = units.factors(reference.flow)
    candidates.append((ref_prop, units.property_name.get(ref_prop, ref_prop)))
    for prop, label in candidates:
        amounts = {}
        for row in rows:
            per_ref = units.amount_in(row.flow, prop)
            if per_ref is None:
                break
            amounts[row.flow.id] = abs(row.amount) * per_ref
        else:
            total = sum(amounts.values())
            if total > 0:
                return {f: a / total for f, a in amounts.items()}, label
    return {}, ""


# --------------------------------------------------------------------------------------
# Writing and reporting


@dataclass
class ImportReport:
    database: str
    sources: list[str]
    seconds: float
    counts: dict[str, int]
    match_rate: dict[str, float]
    unlinked_flows: list[dict[str, Any]]
    cutoff_inputs: list[dict[str, Any]]
    files: dict[str, str]
    allocation: str

    def summary(self) -> str:
        c = self.counts
        rate = self.match_rate
        lines = [
            f"Brightway database {self.database!r}: {c.get('activities', 0)} activities from "
            f"{c.get('processes read', 0)} processes in {self.seconds:.1f} s",
            f"  elementary flows linked to biosphere3: {c.get('elementary flows linked', 0)} of "
            f"{c.get('elementary flows used', 0)} ({rate['flows']:.1%}); exchanges "
            f"{c.get('elementary exchanges linked', 0)} of {c.get('elementary exchanges', 0)} "
            f"({rate['exchanges']:.1%})",
            f"  technosphere inputs linked: {c.get('technosphere exchanges linked', 0)} of "
            f"{c.get('technosphere exchanges', 0)}; the rest are cut off (no provider)",
            f"  allocation: {self.allocation}; multi-functional processes: "
            f"{c.get('multi-functional processes', 0)}",
        ]
        lines += [f"  {k}: {v}" for k, v in sorted(c.items()) if k.startswith("allocation: ")]
        lines += [f"  {label}: {path}" for label, path in self.files.items()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def import_jsonld(
    paths: str | Path | Sequence[str | Path],
    name: str,
    allocation: str = "physical",
    metadata: dict[str, Any] | None = None,
    report_dir: str | Path | None = None,
    masses: Mapping[str, float] | None = None,
) -> ImportReport:
    """Read JSON-LD, convert, and (re)write database ``name`` in scenat's Brightway project.

    The project is built first if needed (biosphere3 must be there to link to). The
    report's CSV files (unlinked elementary flows, cut-off inputs, ambiguous providers,
    processes without allocation) and a JSON summary go to ``report_dir``, by default
    ``SCENAT_HOME/imports/<name>/``.
    """
    _check_name(name)
    data = read_jsonld(paths)
    return write_import(
        data,
        name,
        allocation=allocation,
        metadata={"format": "openLCA JSON-LD", **(metadata or {})},
        report_dir=report_dir,
        masses=masses,
    )


def _check_name(name: str) -> None:
    from scenat.brightway import BIOSPHERE, DATABASE_PREFIX

    if name.startswith(DATABASE_PREFIX) or name == BIOSPHERE or ":" in name or not name:
        raise InputError(
            Problem(
                message=f"database name {name!r} is reserved or invalid",
                value=name,
                hint=f"pick a name without ':' that does not start with {DATABASE_PREFIX!r}",
            )
        )


def write_import(
    data: JsonLd,
    name: str,
    allocation: str = "physical",
    metadata: dict[str, Any] | None = None,
    report_dir: str | Path | None = None,
    masses: Mapping[str, float] | None = None,
    matcher_class: type[BiosphereMatcher] | None = None,
    importer: str = "scenat.importers.olca",
    activity_extra: Callable[[str], dict[str, Any]] | None = None,
    extra_reports: Mapping[str, tuple[str, list[dict[str, Any]], Sequence[str]]] | None = None,
    extra_counts: Mapping[str, int] | None = None,
) -> ImportReport:
    """Convert read entities (JSON-LD, or ILCD translated to them) and write database ``name``.

    The one writer of both importers: links elementary flows with ``matcher_class``
    (default :class:`BiosphereMatcher`), writes the database, the report CSV files and
    ``report.json``. ``activity_extra(process id)`` adds fields to each activity of that
    process; ``extra_reports`` adds CSV files (label -> (file name, rows, columns)).
    """
    from scenat.brightway import (
        BIOSPHERE,
        database_changed,
        delete_database,
        ensure_project,
        quiet_stdout,
        write_database,
    )
    from scenat.paths import scenat_home

    started = time.perf_counter()
    _check_name(name)
    metadata = dict(metadata or {})
    fmt = metadata.pop("format", "openLCA JSON-LD")
    ensure_project()
    with quiet_stdout():
        matcher = (matcher_class or BiosphereMatcher).from_project(BIOSPHERE)
        conversion = to_brightway(data, name, matcher, allocation=allocation, masses=masses)
        if not conversion.data:
            first = (conversion.unit_problems or [{"problem": "no process has a product"}])[0]
            raise InputError(
                Problem(
                    file=", ".join(data.sources),
                    message="no activity could be built from this export: " + first["problem"],
                    hint="an add-on package (e.g. USLCI's transport or rail package) needs the "
                    "database it extends in the same import: pass both, or their folder",
                )
            )
        if activity_extra is not None:
            for activity in conversion.data.values():
                activity.update(activity_extra(activity["olca"]["process"]))
        conversion.counts.update(dict(extra_counts or {}))
        delete_database(name)
        write_database(
            name,
            conversion.data,
            searchable=True,
            format=fmt,
            importer=importer,
            sources=data.sources,
            allocation=allocation,
            elementary_match_rate=conversion.match_rate(),
            imported=time.strftime("%Y-%m-%d %H:%M:%S"),
            **metadata,
        )
    database_changed(name)
    folder = Path(report_dir) if report_dir else scenat_home() / "imports" / name
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "unlinked elementary flows": folder / "unlinked_elementary_flows.csv",
        "cut-off inputs (no provider)": folder / "cutoff_inputs.csv",
        "inputs with several providers": folder / "ambiguous_providers.csv",
        "multi-functional processes without allocation": folder / "unallocated_processes.csv",
        "linked elementary flows": folder / "linked_elementary_flows.csv",
        "unit problems": folder / "unit_problems.csv",
    }
    _write_csv(
        files["unlinked elementary flows"],
        conversion.unlinked_flows,
        ["flow", "name", "category", "compartment", "unit", "cas", "exchanges", "reason"],
    )
    _write_csv(
        files["cut-off inputs (no provider)"],
        conversion.cutoff_inputs,
        ["flow", "flow_name", "kind", "unit", "exchanges"],
    )
    _write_csv(
        files["inputs with several providers"],
        conversion.ambiguous,
        ["process", "process_name", "flow", "flow_name", "chosen", "chosen_name", "candidates"],
    )
    _write_csv(
        files["multi-functional processes without allocation"],
        conversion.allocation_notes,
        ["process", "process_name", "provider_flows", "allocation", "note"],
    )
    _write_csv(
        files["linked elementary flows"],
        [{"flow": k, **v} for k, v in conversion.matches.items()],
        [
            "flow",
            "name",
            "category",
            "biosphere3_name",
            "categories",
            "code",
            "unit",
            "multiplier",
            "method",
        ],
    )
    _write_csv(
        files["unit problems"],
        conversion.unit_problems,
        ["process", "process_name", "flow", "flow_name", "problem"],
    )
    for label, (file_name, rows, columns) in (extra_reports or {}).items():
        files[label] = folder / file_name
        _write_csv(files[label], rows, columns)
    report = ImportReport(
        database=name,
        sources=data.sources,
        seconds=time.perf_counter() - started,
        counts=dict(conversion.counts),
        match_rate=conversion.match_rate(),
        unlinked_flows=conversion.unlinked_flows,
        cutoff_inputs=conversion.cutoff_inputs,
        files={k: str(v) for k, v in files.items()},
        allocation=allocation,
    )
    summary = {k: v for k, v in report.to_dict().items() if k not in ("unlinked_flows",)}
    summary["cutoff_inputs"] = len(report.cutoff_inputs)
    summary["unlinked_flows"] = len(report.unlinked_flows)
    (folder / "report.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return report
