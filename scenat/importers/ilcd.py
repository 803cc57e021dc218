"""ILCD XML packages (processes, flows, flow properties, unit groups) -> a Brightway background.

The ILCD format (JRC, "International Reference Life Cycle Data System", format 1.1) is how
TianGong, ÖKOBAUDAT, the EF reference data and soda4LCA nodes publish data: one XML file per
data set, in the folders ``processes/``, ``flows/``, ``flowproperties/``, ``unitgroups/`` and
``sources/`` of a zip (any depth) or folder. This importer translates each data set into the
openLCA schema objects of :mod:`scenat.importers.olca` and hands them to its converter and
writer, so that linking to biosphere3, technosphere linking, allocation, the match-rate report
and the unlinked list are the same code as the openLCA JSON-LD (USLCI) import.

**Hardened parsing.** Every file is parsed with ``defusedxml`` with DTDs forbidden: an entity
declaration (a "billion laughs" expansion, an external entity reading a local file) is refused
with an :class:`InputError` naming the file, never expanded. Zip members above
:data:`MAX_MEMBER_BYTES` uncompressed are refused too (a zip bomb would otherwise be read
into memory).

**Units.** An ILCD exchange amount (``resultingAmount``, else ``meanAmount``) is in the
reference unit of the *reference flow property* of its flow. A flow lists its flow properties
with ``meanValue`` = amount of that property per one unit of the flow; they are divided by the
reference property's own ``meanValue`` so that the reference property is 1 (ILCD says it is;
a file stating otherwise is normalised rather than misread). A unit group's units carry
``meanValue`` = size in the group's reference unit, likewise normalised by the reference
unit's value. So an elementary flow whose reference property is energy (MJ) but which
states a mass per MJ links to a biosphere3 flow in kg through that factor (olca ``Units``).

**Reference flow.** ``quantitativeReference/referenceToReferenceFlow`` names the exchange
that is the process's product; its amount (e.g. 1,000 kg) becomes the activity's production
amount, so a solve per unit of product divides by it.

**Elementary flows** get an openLCA-style category from their ILCD elementary flow
categorisation (``Emissions / Emissions to air / Emissions to urban air close to ground`` ->
``air/urban``; :data:`ILCD_COMPARTMENTS`) and are linked to biosphere3 by
:class:`IlcdMatcher`: the UUID when it is a biosphere3 code, then the olca matcher (name,
synonyms, CAS, unit) after rewriting the EF/ILCD reference-flow spellings
(``carbon dioxide (fossil)`` -> ``Carbon dioxide, fossil``; :data:`ILCD_NAMES`).

**Uncertainty** (``uncertaintyDistributionType``): ``log-normal`` with
``relativeStandardDeviation95In`` = GSD^2 (ILCD: the square of the geometric standard
deviation), ``normal`` with ``relativeStandardDeviation95In`` = 2 SD in percent of the mean,
``uniform`` and ``triangular`` with ``minimumAmount``/``maximumAmount``. A type without its
parameters (TianGong states "log-normal" on 219 exchanges without a GSD) carries none.

**Locations.** TianGong writes sub-national codes as ``<province>-CN`` (``BJ-CN`` Beijing,
``SZ-JS-CN`` Suzhou, Jiangsu); they become ISO 3166-2 order, ``CN-BJ``, ``CN-JS-SZ``.

**Licences.** A process whose name, classification or data source names one of
:data:`NON_COMMERCIAL_MARKERS` (TianGong's 153 processes derived from the CEEIO
input-output database, whose authors state non-commercial use) is kept in the Brightway
database with ``licence`` ``non-commercial`` and ``non_commercial: True`` and counted in the
report; curated sets built from the import exclude them (:mod:`scenat.importers.tiangong`).

    scenat data ilcd ../shared/data/tiangong/tiangong-lca-data-a55b302.zip tiangong_ilcd
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenat.errors import InputError, Problem
from scenat.importers.olca import (
    BiosphereMatch,
    BiosphereMatcher,
    ImportReport,
    JsonLd,
    bw2io_name_changes,
    write_import,
)

__all__ = [
    "ILCD_COMPARTMENTS",
    "MAX_MEMBER_BYTES",
    "NON_COMMERCIAL_MARKERS",
    "IlcdMatcher",
    "IlcdPackage",
    "import_ilcd",
    "read_ilcd",
]

#: ILCD folders read, and the JSON-LD folder each fills
FOLDERS = {
    "processes": "processes",
    "flows": "flows",
    "flowproperties": "flow_properties",
    "unitgroups": "unit_groups",
    "sources": "sources",
}
#: a zip member larger than this (uncompressed) is refused: no ILCD data set is that big
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: process metadata naming one of these marks the process as non-commercial (case-insensitive)
NON_COMMERCIAL_MARKERS = ("CEEIO",)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: ILCD elementary flow categories (level 1 and 2) -> an openLCA-style category path that
#: :func:`scenat.importers.olca.context` reads (top compartment / sub-compartment)
ILCD_COMPARTMENTS: dict[str, str] = {
    "emissions to air": "air",
    "emissions to water": "water",
    "emissions to soil": "soil",
    "resources from ground": "resource/in ground",
    "resources from water": "resource/in water",
    "resources from air": "resource/in air",
    "resources from biosphere": "resource/biotic",
    "land occupation": "resource/land",
    "land transformation": "resource/land",
    "emissions to air, unspecified": "air/unspecified",
    "emissions to air, unspecified (long-term)": "air/unspecified",
    "emissions to air, indoor": "air/unspecified",
    "emissions to urban air close to ground": "air/urban",
    "emissions to non-urban air or from high stacks": "air/rural",
    "emissions to lower stratosphere and upper troposphere": "air/stratosphere",
    "emissions to fresh water": "water/fresh water",
    "emissions to sea water": "water/sea water",
    "emissions to water, unspecified": "water/unspecified",
    "emissions to water, unspecified (long-term)": "water/groundwater, long-term",
    "emissions to agricultural soil": "soil/agricultural",
    "emissions to non-agricultural soil": "soil/industrial",
    "emissions to soil, unspecified": "soil/unspecified",
}

#: EF / ILCD reference-flow spellings -> biosphere3 (ecoinvent 3) names, by top compartment
ILCD_NAMES: dict[tuple[str, str], str] = {
    ("air", "nitrogen oxides"): "Nitrogen oxides",
    ("air", "particles (pm2.5)"): "Particulate Matter, < 2.5 um",
    ("air", "particles (< pm2.5)"): "Particulate Matter, < 2.5 um",
    ("air", "particles (pm2.5 - pm10)"): "Particulate Matter, > 2.5 um and < 10um",
    ("air", "particles (> pm10)"): "Particulate Matter, > 10 um",
    ("air", "particles (pm10)"): "Particulate Matter, > 2.5 um and < 10um",
    ("air", "dust (unspecified)"): "Particulate Matter, > 10 um",
    ("air", "non-methane volatile organic compounds"): (
        "NMVOC, non-methane volatile organic compounds"
    ),
    ("air", "nmvoc (unspecified)"): "NMVOC, non-methane volatile organic compounds",
    ("air", "volatile organic compounds (voc)"): "NMVOC, non-methane volatile organic compounds",
    ("air", "nitrous oxide (laughing gas)"): "Dinitrogen monoxide",
    ("air", "water vapour"): "Water",
    ("natural resource", "hard coal"): "Coal, hard",
    ("natural resource", "hard coal; 26.3 mj/kg"): "Coal, hard",
    ("natural resource", "lignite"): "Coal, brown",
    ("natural resource", "brown coal"): "Coal, brown",
    ("natural resource", "crude oil"): "Oil, crude",
    ("natural resource", "natural gas"): "Gas, natural",
    ("natural resource", "uranium"): "Uranium",
    ("natural resource", "water"): "Water, unspecified natural origin",
    ("natural resource", "fresh water"): "Water, unspecified natural origin",
    ("natural resource", "ground water"): "Water, well, in ground",
    ("natural resource", "river water"): "Water, river",
    ("natural resource", "lake water"): "Water, lake",
    ("natural resource", "sea water"): "Water, salt, ocean",
    ("natural resource", "cooling water"): "Water, cooling, unspecified natural origin",
    ("natural resource", "primary energy from wind power"): (
        "Energy, kinetic (in wind), converted"
    ),
    ("natural resource", "primary energy from hydro power"): (
        "Energy, potential (in hydropower reservoir), converted"
    ),
    ("natural resource", "primary energy from solar energy"): "Energy, solar, converted",
    ("natural resource", "primary energy from geothermics"): "Energy, geothermal, converted",
    ("natural resource", "carbon dioxide"): "Carbon dioxide, in air",
}
#: fossil resources ILCD gives in MJ (net calorific value) -> (biosphere3 name, MJ per unit of
#: the biosphere3 flow). The factor is EF v3.1's own ADP-fossil characterisation factor of
#: that flow (bundled with bw2io; inventories/elementary_flows.csv notes), so the fossil
#: energy indicator gives back exactly the MJ the data set states.
ENERGY_RESOURCES: dict[str, tuple[str, float]] = {
    "hard coal": ("Coal, hard, unspecified", 18.01),
    "brown coal": ("Coal, brown", 9.41),
    "lignite": ("Coal, brown", 9.41),
    "crude oil": ("Oil, crude", 43.4),
    "natural gas": ("Gas, natural", 36.0),
}
#: trailing ILCD qualifiers -> the biosphere3 suffix (``methane (biogenic)``)
_QUALIFIERS = {
    "fossil": ", fossil",
    "biogenic": ", non-fossil",
    "land use change": ", from soil or biomass stock",
}


def _defused() -> Any:
    try:
        from defusedxml import ElementTree
    except ImportError as exc:  # pragma: no cover  (a declared dependency)
        raise InputError(
            Problem(
                message="reading ILCD XML needs the defusedxml package",
                hint="pip install defusedxml (or reinstall scenat)",
            )
        ) from exc
    return ElementTree


# --------------------------------------------------------------------------------------
# XML helpers (namespace-agnostic: ILCD files differ in prefixes, not in local names)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c.tag) == name]


def _find(element: Any, *path: str) -> Any:
    """The first element along ``path`` of local names (None when any step is missing)."""
    current = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    return current


def _find_all(element: Any, *path: str) -> list[Any]:
    if element is None:
        return []
    if len(path) == 1:
        return _children(element, path[0])
    out = []
    for child in _children(element, path[0]):
        out += _find_all(child, *path[1:])
    return out


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def _lang_text(elements: Sequence[Any]) -> str:
    """English text of multi-language siblings, else the first non-empty one."""
    texts = [(e.get(XML_LANG, ""), _text(e)) for e in elements if _text(e)]
    for lang, text in texts:
        if lang == "en":
            return text
    return texts[0][1] if texts else ""


def _number(text: str, what: str, file: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            Problem(
                file=file,
                column=what,
                value=text,
                message="not a number",
                hint="ILCD amounts are decimal numbers",
            )
        ) from None
    if not math.isfinite(value):
        raise InputError(
            Problem(
                file=file,
                column=what,
                value=text,
                message="not a finite number",
                hint="ILCD amounts are decimal numbers",
            )
        )
    return value


# --------------------------------------------------------------------------------------
# Reading


@dataclass
class IlcdPackage:
    """What :func:`read_ilcd` found: the olca-schema objects and ILCD-only metadata."""

    data: JsonLd
    #: process id -> {"file", "year", "licence", "type", "sources", "non_commercial", ...}
    process_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    source_names: dict[str, str] = field(default_factory=dict)
    files: int = 0


def _members(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(folder, file label, bytes reader) for every ILCD data set of a zip or folder."""
    if path.is_file() and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        for info in archive.infolist():
            parts = info.filename.split("/")
            if len(parts) < 2 or parts[-2] not in FOLDERS or not parts[-1].endswith(".xml"):
                continue
            label = f"{path.name}:{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputError(
                    Problem(
                        file=label,
                        value=str(info.file_size),
                        message=f"{info.file_size} bytes uncompressed, more than the "
                        f"{MAX_MEMBER_BYTES} an ILCD data set may have",
                        hint="this is not an ILCD package (possibly a zip bomb); re-download it",
                    )
                )
            yield parts[-2], label, (lambda i=info: archive.read(i))
        return
    if path.is_dir():
        for file in sorted(path.rglob("*.xml")):
            if file.parent.name in FOLDERS:
                yield file.parent.name, str(file), file.read_bytes
        return
    raise InputError(
        Problem(
            file=str(path),
            message="not an ILCD package (a .zip or a folder)",
            hint="give the ILCD .zip (with processes/, flows/, flowproperties/, unitgroups/) "
            "or the folder it unpacks to",
        )
    )


def _parse(raw: bytes, label: str) -> Any:
    tree = _defused()
    from defusedxml import DefusedXmlException

    try:
        return tree.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(
            Problem(
                file=label,
                message=f"refused: the XML declares a DTD or entities ({type(exc).__name__}); "
                "ILCD data sets never need them and entity expansion is a known attack",
                hint="remove the <!DOCTYPE ...> declaration, or re-export the data set",
            )
        ) from None
    except tree.ParseError as exc:
        raise InputError(
            Problem(
                file=label,
                message=f"not well-formed XML: {exc}",
                hint="the file is damaged or not an ILCD data set; re-export it",
            )
        ) from None


def _ref(element: Any) -> str | None:
    return element.get("refObjectId") if element is not None else None


def _classes(info: Any) -> str:
    """Category path from an ILCD classification (``class`` elements by level)."""
    classification = _find(info, "classificationInformation", "classification")
    if classification is None:
        return ""
    levels = sorted(
        (int(c.get("level", "0") or 0), _text(c)) for c in _children(classification, "class")
    )
    return "/".join(text for _, text in levels if text)


def _unit_group(root: Any) -> dict[str, Any]:
    info = _find(root, "unitGroupInformation")
    uid = _text(_find(info, "dataSetInformation", "UUID"))
    reference = _text(_find(info, "quantitativeReference", "referenceToReferenceUnit"))
    units = []
    for unit in _find_all(root, "units", "unit"):
        units.append(
            {
                "internal": unit.get("dataSetInternalID", ""),
                "name": _text(_find(unit, "name")),
                "value": float(_text(_find(unit, "meanValue")) or 1.0),
            }
        )
    ref_value = next((u["value"] for u in units if u["internal"] == reference), 1.0) or 1.0
    return {
        "@type": "UnitGroup",
        "@id": uid,
        "name": _lang_text(_find_all(info, "dataSetInformation", "name")),
        "units": [
            {
                "@id": f"{uid}:{u['internal']}",
                "name": u["name"],
                "conversionFactor": u["value"] / ref_value,
                "isRefUnit": u["internal"] == reference,
            }
            for u in units
        ],
    }


def _flow_property(root: Any) -> dict[str, Any]:
    info = _find(root, "flowPropertiesInformation")
    group = _ref(_find(info, "quantitativeReference", "referenceToReferenceUnitGroup"))
    return {
        "@type": "FlowProperty",
        "@id": _text(_find(info, "dataSetInformation", "UUID")),
        "name": _lang_text(_find_all(info, "dataSetInformation", "name")),
        "unitGroup": {"@type": "UnitGroup", "@id": group} if group else None,
    }


def _elementary_category(info: Any) -> str:
    categorisation = _find(info, "classificationInformation", "elementaryFlowCategorization")
    levels = (
        sorted(
            (int(c.get("level", "0") or 0), _text(c).casefold())
            for c in _children(categorisation, "category")
        )
        if categorisation is not None
        else []
    )
    path = ""
    for _, text in levels:  # the deepest level that says more wins
        path = ILCD_COMPARTMENTS.get(text, path)
    return f"Elementary flows/{path}" if path else "Elementary flows"


def _flow(root: Any) -> dict[str, Any]:
    info = _find(root, "flowInformation")
    data_info = _find(info, "dataSetInformation")
    uid = _text(_find(data_info, "UUID"))
    kind = _text(_find(root, "modellingAndValidation", "LCIMethod", "typeOfDataSet")).lower()
    flow_type = {
        "elementary flow": "ELEMENTARY_FLOW",
        "waste flow": "WASTE_FLOW",
    }.get(kind, "PRODUCT_FLOW")
    reference = _text(_find(info, "quantitativeReference", "referenceToReferenceFlowProperty"))
    properties = []
    for prop in _find_all(root, "flowProperties", "flowProperty"):
        properties.append(
            {
                "internal": prop.get("dataSetInternalID", ""),
                "property": _ref(_find(prop, "referenceToFlowPropertyDataSet")),
                "value": float(_text(_find(prop, "meanValue")) or 1.0),
            }
        )
    ref_value = next((p["value"] for p in properties if p["internal"] == reference), 1.0) or 1.0
    names = _find(data_info, "name")
    name = _lang_text(_find_all(names, "baseName")) if names is not None else ""
    category = (
        _elementary_category(data_info) if flow_type == "ELEMENTARY_FLOW" else _classes(data_info)
    )
    return {
        "@type": "Flow",
        "@id": uid,
        "name": name,
        "flowType": flow_type,
        "category": category,
        "cas": _text(_find(data_info, "CASNumber")) or None,
        "flowProperties": [
            {
                "@type": "FlowPropertyFactor",
                "flowProperty": {"@type": "FlowProperty", "@id": p["property"]},
                "conversionFactor": p["value"] / ref_value,
                "isRefFlowProperty": p["internal"] == reference,
            }
            for p in properties
            if p["property"]
        ],
    }


def ilcd_location(code: str) -> str:
    """ISO 3166-2 order for TianGong's ``<sub>-CN`` codes; other codes unchanged.

    >>> ilcd_location("BJ-CN"), ilcd_location("SZ-JS-CN"), ilcd_location("CN"), ilcd_location("RER")
    ('CN-BJ', 'CN-JS-SZ', 'CN', 'RER')
    """
    parts = [p for p in (code or "").strip().split("-") if p]
    if len(parts) >= 2 and parts[-1] == "CN":
        return "-".join(reversed(parts))
    return (code or "").strip() or "GLO"


def _uncertainty(exchange: Any, amount: float, label: str) -> dict[str, Any] | None:
    kind = _text(_find(exchange, "uncertaintyDistributionType")).lower()
    rsd = _text(_find(exchange, "relativeStandardDeviation95In"))
    low = _text(_find(exchange, "minimumAmount"))
    high = _text(_find(exchange, "maximumAmount"))
    if kind == "log-normal" and rsd:
        value = _number(rsd, "relativeStandardDeviation95In", label)
        if value > 1.0:
            return {
                "distributionType": "LOG_NORMAL_DISTRIBUTION",
                "geomMean": abs(amount),
                "geomSd": math.sqrt(value),
            }
    elif kind == "normal" and rsd:
        sd = _number(rsd, "relativeStandardDeviation95In", label) / 100.0 / 2.0 * abs(amount)
        if sd > 0:
            return {"distributionType": "NORMAL_DISTRIBUTION", "mean": amount, "sd": sd}
    elif kind in ("uniform", "triangular") and low and high:
        lo = _number(low, "minimumAmount", label)
        hi = _number(high, "maximumAmount", label)
        if kind == "uniform":
            return {"distributionType": "UNIFORM_DISTRIBUTION", "minimum": lo, "maximum": hi}
        return {
            "distributionType": "TRIANGLE_DISTRIBUTION",
            "minimum": lo,
            "mode": amount,
            "maximum": hi,
        }
    return None


def _process(root: Any, label: str, source_names: Mapping[str, str]) -> tuple[dict, dict]:
    info = _find(root, "processInformation")
    data_info = _find(info, "dataSetInformation")
    uid = _text(_find(data_info, "UUID"))
    names = _find(data_info, "name")
    parts = (
        [
            _lang_text(_find_all(names, part))
            for part in (
                "baseName",
                "treatmentStandardsRoutes",
                "mixAndLocationTypes",
                "functionalUnitFlowProperties",
            )
        ]
        if names is not None
        else []
    )
    name = "; ".join(p for p in parts if p) or uid
    references = {
        _text(r) for r in _find_all(info, "quantitativeReference", "referenceToReferenceFlow")
    }
    location = _find(info, "geography", "locationOfOperationSupplyOrProduction")
    code = ilcd_location(location.get("location", "") if location is not None else "")
    modelling = _find(root, "modellingAndValidation")
    kind = _text(_find(modelling, "LCIMethodAndAllocation", "typeOfDataSet"))
    sources = [
        _ref(r)
        for r in _find_all(
            modelling, "dataSourcesTreatmentAndRepresentativeness", "referenceToDataSource"
        )
    ]
    source_texts = [source_names.get(s or "", "") for s in sources]
    category = _classes(data_info)
    licence = _text(
        _find(root, "administrativeInformation", "publicationAndOwnership", "licenseType")
    )
    haystack = " ".join([name, category, *source_texts]).casefold()
    marker = next((m for m in NON_COMMERCIAL_MARKERS if m.casefold() in haystack), None)
    exchanges = []
    for exchange in _find_all(root, "exchanges", "exchange"):
        internal = exchange.get("dataSetInternalID", "")
        reference = _find(exchange, "referenceToFlowDataSet")
        flow = _ref(reference)
        # the exchange's own short name of its flow: the report's only name for a flow the
        # package lacks (TianGong references 192 such flows)
        label_text = (
            _lang_text(_children(reference, "shortDescription")) if reference is not None else ""
        )
        direction = _text(_find(exchange, "exchangeDirection")).lower()
        text = _text(_find(exchange, "resultingAmount")) or _text(_find(exchange, "meanAmount"))
        amount = _number(text or "0", f"exchange {internal} amount", label)
        entry: dict[str, Any] = {
            "@type": "Exchange",
            "internalId": int(internal) if internal.isdigit() else len(exchanges) + 1,
            "isInput": direction == "input",
            "amount": amount,
            "flow": {"@type": "Flow", "@id": flow, "name": label_text},
            "isQuantitativeReference": internal in references,
        }
        uncertainty = _uncertainty(exchange, amount, label)
        if uncertainty:
            entry["uncertainty"] = uncertainty
        exchanges.append(entry)
    comment = _lang_text(_find_all(data_info, "generalComment"))
    process = {
        "@type": "Process",
        "@id": uid,
        "name": name,
        "category": category,
        "description": comment,
        "processType": "LCI_RESULT" if kind.lower() == "lci result" else "UNIT_PROCESS",
        "location": {"@type": "Location", "@id": code, "name": code},
        "exchanges": exchanges,
    }
    meta = {
        "file": label,
        "year": _text(_find(info, "time", "referenceYear")),
        "type": kind,
        "licence": licence,
        "sources": "; ".join(t for t in source_texts if t),
        "non_commercial": marker is not None,
        "marker": marker or "",
    }
    return process, meta


def read_ilcd(paths: str | Path | Sequence[str | Path]) -> IlcdPackage:
    """Read ILCD packages (zips or folders) into olca-schema objects (see the module text)."""
    from scenat.importers.olca import _olca

    olca = _olca()
    if isinstance(paths, (str, Path)):
        paths = [paths]
    raw: dict[str, list[tuple[str, Any]]] = {f: [] for f in FOLDERS}
    for path in paths:
        for folder, label, read in _members(Path(path)):
            raw[folder].append((label, _parse(read(), label)))
    if not raw["processes"]:
        raise InputError(
            Problem(
                file=", ".join(str(p) for p in paths),
                message="no ILCD process data sets found (processes/*.xml)",
                hint="give an ILCD package: a zip or folder with processes/, flows/, "
                "flowproperties/ and unitgroups/",
            )
        )
    package = IlcdPackage(data=JsonLd())
    package.files = sum(len(v) for v in raw.values())
    for _label, root in raw["sources"]:
        info = _find(root, "sourceInformation", "dataSetInformation")
        uid = _text(_find(info, "UUID"))
        package.source_names[uid] = " ".join(
            t
            for t in (
                _lang_text(_find_all(info, "shortName")),
                _lang_text(_find_all(info, "sourceCitation")),
            )
            if t
        )
    readers = {
        "unitgroups": (_unit_group, olca.UnitGroup, "unit_groups"),
        "flowproperties": (_flow_property, olca.FlowProperty, "flow_properties"),
        "flows": (_flow, olca.Flow, "flows"),
    }
    data = package.data
    for folder, (parse, cls, target) in readers.items():
        for label, root in raw[folder]:
            entity = parse(root)
            if not entity["@id"]:
                raise InputError(
                    Problem(
                        file=label,
                        message="data set without a UUID",
                        hint="every ILCD data set has common:UUID",
                    )
                )
            getattr(data, target)[entity["@id"]] = cls.from_dict(entity)
    for label, root in raw["processes"]:
        process, meta = _process(root, label, package.source_names)
        if not process["@id"]:
            raise InputError(
                Problem(
                    file=label,
                    message="process without a UUID",
                    hint="every ILCD data set has common:UUID",
                )
            )
        data.processes[process["@id"]] = olca.Process.from_dict(process)
        data.origin[process["@id"]] = label.split(":", 1)[0]
        package.process_info[process["@id"]] = meta
    data.sources = [str(p) for p in paths]
    return package


# --------------------------------------------------------------------------------------
# Linking


class IlcdMatcher(BiosphereMatcher):
    """:class:`BiosphereMatcher` plus the EF/ILCD reference-flow spellings.

    Tried first: the flow's UUID when it is a biosphere3 code (data sets that reuse
    ecoinvent's elementary flows); then, for each name variant of the base matcher, the
    ILCD spelling rewritten: a trailing qualifier ``(fossil)``, ``(biogenic)``, ``(land use
    change)`` becomes biosphere3's suffix, and :data:`ILCD_NAMES` renames reference flows.

    >>> m = IlcdMatcher([{"code": "c", "name": "Methane, non-fossil", "categories": ("air",),
    ...                   "unit": "kilogram"}])
    >>> m.match("methane (biogenic)", "Elementary flows/air/unspecified", "kg", None).code
    'c'
    """

    def _variants(self, name: str, top: str) -> list[tuple[str, str]]:
        from scenat.importers.olca import _key

        key = _key(name)
        extra: list[tuple[str, str]] = []
        found = re.fullmatch(r"(.*?)\s*\(([^)]*)\)", key)
        if found and found.group(2) in _QUALIFIERS:
            extra.append((_key(found.group(1) + _QUALIFIERS[found.group(2)]), "ILCD qualifier"))
        renamed = ILCD_NAMES.get((top, key))
        if renamed:
            extra.append((_key(renamed), "ILCD name"))
        base = super()._variants(name, top)
        for variant, how in list(base):
            renamed = ILCD_NAMES.get((top, variant))
            if renamed:
                extra.append((_key(renamed), f"ILCD name ({how})"))
        seen: set[str] = set()
        return [(k, h) for k, h in extra + base if not (k in seen or seen.add(k))]

    def match(
        self,
        name: str,
        category: str | None,
        unit: str,
        cas: str | None,
        convert: Any = None,
        uuid: str | None = None,
    ) -> BiosphereMatch | None:
        """As the base matcher, and a fossil resource in MJ (:data:`ENERGY_RESOURCES`) links to
        biosphere3's flow in kg or Sm3 through EF v3.1's heating value.

        >>> m = IlcdMatcher([{"code": "c", "name": "Oil, crude", "unit": "kilogram",
        ...                   "categories": ("natural resource", "in ground")}])
        >>> round(m.match("crude oil", "Elementary flows/resource/in ground", "MJ", None)
        ...       .multiplier * 43.4, 12)
        1.0
        """
        from scenat.importers.olca import _key, context

        top, _ = context(category)
        energy = ENERGY_RESOURCES.get(_key(name))
        if top == "natural resource" and energy and unit.strip().lower() == "mj":
            target, heating_value = energy
            for flow in self.by_name.get((_key(target), top), []):
                if tuple(flow["categories"][1:2]) == ("in ground",):
                    return BiosphereMatch(
                        code=flow["code"],
                        name=flow["name"],
                        categories=tuple(flow["categories"]),
                        unit=flow["unit"],
                        multiplier=1.0 / heating_value,
                        method=f"ILCD energy resource, EF v3.1 heating value {heating_value} MJ",
                    )
        return super().match(name, category, unit, cas, convert=convert, uuid=uuid)

    @classmethod
    def from_project(cls, database: str = "biosphere3") -> IlcdMatcher:
        from scenat.brightway import biosphere_flows

        return cls(biosphere_flows(database), bw2io_name_changes())


def import_ilcd(
    path: str | Path | Sequence[str | Path],
    name: str,
    allocation: str = "physical",
    metadata: dict[str, Any] | None = None,
    report_dir: str | Path | None = None,
    package: IlcdPackage | None = None,
) -> ImportReport:
    """Read ILCD, convert, and (re)write database ``name`` in scenat's Brightway project.

    As :func:`scenat.importers.olca.import_jsonld` (report files in
    ``SCENAT_HOME/imports/<name>/``), plus ``non_commercial_processes.csv`` listing the
    processes flagged by :data:`NON_COMMERCIAL_MARKERS`.
    """
    package = package or read_ilcd(path)
    info = package.process_info

    def extra(pid: str) -> dict[str, Any]:
        meta = info.get(pid, {})
        return {
            "ilcd": {k: meta.get(k, "") for k in ("file", "year", "type", "sources")},
            "licence": "non-commercial (CEEIO)"
            if meta.get("non_commercial")
            else meta.get("licence", ""),
            "non_commercial": bool(meta.get("non_commercial")),
        }

    flagged = [
        {
            "process": pid,
            "name": package.data.processes[pid].name,
            "marker": m["marker"],
            "file": m["file"],
        }
        for pid, m in info.items()
        if m["non_commercial"]
    ]
    return write_import(
        package.data,
        name,
        allocation=allocation,
        metadata={"format": "ILCD", **(metadata or {})},
        report_dir=report_dir,
        matcher_class=IlcdMatcher,
        importer="scenat.importers.ilcd",
        activity_extra=extra,
        extra_reports={
            "processes flagged non-commercial": (
                "non_commercial_processes.csv",
                flagged,
                ["process", "name", "marker", "file"],
            )
        },
        extra_counts={"processes flagged non-commercial": len(flagged)},
    )
