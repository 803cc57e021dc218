"""Curated Chinese processes from TianGong (``inventories/tiangong/``), reviewed chain by chain.

TianGong (TianGong LCA Data Working Group, MIT licence) publishes 4,133 ILCD processes, but as
independent literature data sets rather than one linked database: no exchange names its
provider, 192 referenced flows are missing from the package, and an automatic link (the
only process making "Natural gas, high pressure" in the consumer's province) picks, e.g., a
geological exploration well as the supplier of a power station's gas. Solving the whole
import (``scenat data ilcd``) cradle-to-gate therefore gives meaningless numbers (negative
CO2 for whole chains). This module instead builds **small reviewed systems** (:data:`NODES`):

1. each shipped process is one TianGong data set (by UUID) with its own elementary flows as
   the ILCD import linked them to biosphere3;
2. its product inputs are linked only where :data:`NODES` says so (``links``: input flow
   name -> another node; e.g. a provincial mix's "Electricity for thermal power" -> that
   province's thermal power data set, a smelter's electricity -> the national mix);
3. fuel inputs (coal, coke, natural gas, oil products) become the fossil resource they are
   made of (:data:`FUELS`), so that fossil energy is recorded where the data set only names
   the fuel; the fuels' own supply emissions are cut off;
4. every other product input is cut off and listed, with its amount, in the process
   ``comment``; co-products carry none of the burden (the data sets state no allocation);
5. the reviewed system is written as a scratch Brightway database and solved with bw2calc
   (:func:`scenat.brightway.lci_of`); the result per shipped unit keeps the flows of
   ``inventories/elementary_flows.csv`` (as :mod:`scenat.importers.curated` does for USLCI),
   round-off dropped at :data:`ROUND_OFF_RTOL`, each with a lognormal spread
   (:func:`scenat.importers.curated.propagate_spreads`: TianGong's own uniform ranges where
   given, else :data:`TIANGONG_PEDIGREE` with a temporal score from the data set's year).

Processes flagged non-commercial by the ILCD import (CEEIO-derived) are refused as nodes.
Not shipped, because TianGong has no complete data set for them: flat glass and LFP cells
(only the pollutant-census "NESPS2" gate emission factors, which by their own use advice lack
energy and materials), PV cells and modules (their reference unit is MJ for a product
measured per module or m2, so amounts per unit cannot be read), recycled aluminium (the
ingot flow is measured in m3).

Grid electricity: ``tiangong_electricity_<province>`` is the **generation** mix of the
province in 2019 (China Energy Statistics Yearbook 2020 shares; thermal power from each
province's fuel use and emission factors). The location-based grid factor a case should buy
for purchased electricity remains ``electricity_grid_cn_<province>`` (China-grid importer:
the MEE consumption-based factor, which counts imported power); the TianGong mix adds the
fossil resource and air pollutants of the province's own generation.

    scenat data tiangong ../shared/data/tiangong/tiangong-lca-data-a55b302.zip
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.pedigree import Pedigree

__all__ = [
    "DATABASE",
    "FUELS",
    "NODES",
    "Node",
    "build_tiangong_inventory",
    "electricity_nodes",
    "temporal_score",
]

DATABASE = "tiangong_ilcd"  # the full import; the shipped folder is "tiangong"
SCRATCH = "tiangong_curated"
LICENCE = "MIT (TianGong LCA Data Working Group, TianGong-LCA-Data repository)"
REFERENCE_YEAR = 2024  # the build year the temporal pedigree score is measured from
ROUND_OFF_RTOL = 1e-9
SOURCE = "TianGong LCA Database ({archive}), ILCD process {name!r} [{uuid}]"


def temporal_score(year: str | int | None, reference: int = REFERENCE_YEAR) -> int:
    """ecoinvent v2 temporal correlation score of a data set's reference year.

    Less than 3 years older than the reference: 1; less than 6: 2; less than 10: 3; less than
    15: 4; older or unknown: 5.

    >>> [temporal_score(y) for y in (2022, 2019, 2016, 2010, 2006, None)]
    [1, 2, 3, 4, 5, 5]
    """
    try:
        age = reference - int(str(year)[:4])
    except (TypeError, ValueError):
        return 5
    for score, limit in ((1, 3), (2, 6), (3, 10), (4, 15)):
        if age < limit:
            return score
    return 5


def tiangong_pedigree(year: str | int | None) -> Pedigree:
    """Pedigree of a TianGong data set where its exchange has no distribution: reliability 3
    (non-verified data partly based on qualified estimates: literature compilations, reviewed
    only internally), completeness 3, temporal from its year, geographical 1 (Chinese data for
    a Chinese product), technological 3 (one study's plants stand for the national product)."""
    return Pedigree(3, 3, temporal_score(year), 1, 3)


TIANGONG_PEDIGREE_TEXT = (
    "TianGong data sets pedigree (3,3,t,1,3), temporal score t from each data set's "
    f"reference year against {REFERENCE_YEAR}"
)

#: fuel input (flow name, lower case) -> (biosphere3 resource, its compartment, amount of
#: resource per kg of fuel, why). Coal-based fuels book their mass as hard coal mined and
#: oil products their mass as crude oil (refinery and washing losses not counted); natural
#: gas in kg becomes standard cubic metres at 0.80246 kg/Sm3 (the density DESNZ 2025 implies,
#: as scenat.importers.uslci uses for refinery gas). Steelworks gases (coke oven, blast
#: furnace, converter gas) are by-products whose coal is booked where it is coked or
#: smelted: cut off, not converted.
FUELS: dict[str, tuple[str, float]] = {
    "raw coal": ("Coal, hard, unspecified", 1.0),
    "hard coal": ("Coal, hard, unspecified", 1.0),
    "other washed coal": ("Coal, hard, unspecified", 1.0),
    "cleaned coal": ("Coal, hard, unspecified", 1.0),
    "anthracite": ("Coal, hard, unspecified", 1.0),
    "coke": ("Coal, hard, unspecified", 1.0),
    "natural gas, high pressure": ("Gas, natural", 1.0 / 0.80246),
    "natural gas, liquefied": ("Gas, natural", 1.0 / 0.80246),
    "diesel": ("Oil, crude", 1.0),
    "diesel oil": ("Oil, crude", 1.0),
    "fuel oil": ("Oil, crude", 1.0),
    "heavy fuel oil": ("Oil, crude", 1.0),
    "heavy oil": ("Oil, crude", 1.0),
    "light gas oil": ("Oil, crude", 1.0),
    "petroleum coke": ("Oil, crude", 1.0),
    "liquefied petroleum gas": ("Oil, crude", 1.0),
    "refinery gas": ("Oil, crude", 1.0),
    "naphtha": ("Oil, crude", 1.0),
}
FUEL_NOTE = (
    "fuel inputs booked as the fossil resource they are made of (coal-based fuels 1 kg hard "
    "coal per kg, oil products 1 kg crude oil per kg, natural gas 1/0.80246 Sm3 per kg; "
    "supply emissions of the fuels cut off)"
)


@dataclass(frozen=True)
class Node:
    """One reviewed data set: shipped as ``id`` (unless it starts with ``_``), per ``unit``.

    ``per_unit``: TianGong reference units per shipped unit (3.6 MJ per kWh); ``links``:
    input flow name (lower case) -> node id supplying it.
    """

    id: str
    uuid: str
    name: str
    unit: str
    category: str
    per_unit: float = 1.0
    links: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


_ELECTRICITY = {
    "electricity": "tiangong_electricity_cn",
    "electricity, high voltage, aluminium industry": "tiangong_electricity_cn",
}

#: the reviewed material nodes (the electricity nodes come from :func:`electricity_nodes`)
NODES: tuple[Node, ...] = (
    Node(
        "tiangong_steel_hot_rolled_cn",
        "21795ee4-e4e7-432c-bc46-b1c3da51bf61",
        "steel, hot rolled coil, China (TianGong, Ji et al., 2006 data)",
        "kg",
        "materials",
        note="a literature cradle-to-gate data set: records CO2, N2O, COD and water but not the "
        "coal it burns, so fossil energy is not covered",
    ),
    Node(
        "tiangong_aluminium_primary_cn",
        "c694e5a3-5a62-454b-b1db-2aef11e64fb5",
        "aluminium, primary ingot, China (TianGong, Zhang et al., 2016 data)",
        "kg",
        "materials",
        per_unit=1.0,
        links=_ELECTRICITY,
        note="smelter electricity from the TianGong national generation mix (captive coal "
        "power would be higher); anode carbon emissions not given by the data set",
    ),
    Node(
        "tiangong_cement_cn",
        "819dca5d-3347-461b-acae-77b5b4dd39f4",
        "cement, common Portland, China average (TianGong, Jiang & Wang, 2010 data)",
        "kg",
        "materials",
        note="an LCI result (cradle-to-gate) with resources given in MJ",
    ),
    Node(
        "tiangong_copper_cn",
        "0968514d-ce83-428c-862d-70f640bcb037",
        "copper, electrolytic (refined), double side blowing smelting, China (TianGong, 2018 data)",
        "kg",
        "materials",
        links=_ELECTRICITY,
        note="smelting and refining only: the copper concentrate (mining, milling) is cut off",
    ),
    Node(
        "tiangong_copper_secondary_cn",
        "96889623-e383-42c8-8522-defc8777d6c1",
        "copper, refined from scrap (fire refining and electrorefining), China (TianGong, "
        "2018 data)",
        "kg",
        "materials",
        links=_ELECTRICITY,
        note="recycling route: the scrap input enters burden-free (cut-off approach)",
    ),
    Node(
        "tiangong_lithium_carbonate_cn",
        "fec7ad83-45fe-4a12-b9bd-0e1ff065f817",
        "lithium carbonate, battery grade, from spodumene (sulfuric acid route), Jiangsu "
        "(TianGong, 2014 data)",
        "kg",
        "materials",
        links=_ELECTRICITY,
        note="the imported spodumene concentrate and the reagents are cut off; the data set "
        "states no combustion CO2 for its natural gas, so GWP is understated",
    ),
)

_MIX_NAME = re.compile(r"^Electricity production ; Electricity mix ; (.+)$")
_THERMAL_NAME = re.compile(r"^Electricity production ; Thermal power ;\s*(.+?)\s*$")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def electricity_nodes(processes: Mapping[str, Any]) -> list[Node]:
    """The 2019 generation mix of China and of each province, and their thermal power.

    Found by their TianGong names ("Electricity production ; Electricity mix ; Beijing" and
    "... ; Thermal power ; Beijing"): per kWh (3.6 MJ), the mix's thermal share linked to the
    province's thermal power data set; hydro, nuclear, wind and solar have no TianGong
    supplier and are cut off (no fuel, so no direct emissions; nuclear's uranium is missing).
    """
    thermal = {}
    for pid, process in processes.items():
        found = _THERMAL_NAME.match(process.name or "")
        if found:
            thermal[found.group(1)] = pid
    nodes = []
    for pid, process in sorted(processes.items(), key=lambda kv: kv[1].name or ""):
        found = _MIX_NAME.match(process.name or "")
        if not found:
            continue
        place = found.group(1).strip()
        slug = "cn" if place == "China" else _slug(place)
        if place not in thermal:
            raise InputError(
                Problem(
                    message=f"TianGong has no thermal power data set for {place}",
                    value=place,
                    hint="update scenat.importers.tiangong.electricity_nodes",
                )
            )
        nodes.append(
            Node(
                f"_thermal_{slug}",
                thermal[place],
                f"electricity, thermal power, {place}, 2019 (TianGong)",
                "kWh",
                "electricity",
                per_unit=3.6,
                links={},
            )
        )
        nodes.append(
            Node(
                f"tiangong_electricity_{slug}",
                pid,
                f"electricity, generation mix, {place}, 2019 (TianGong)",
                "kWh",
                "electricity",
                per_unit=3.6,
                links={"electricity for thermal power": f"_thermal_{slug}"},
                note="generation mix: the province's own power stations, imports not counted",
            )
        )
    return nodes


# --------------------------------------------------------------------------------------


@dataclass
class _Built:
    data: dict[tuple[str, str], dict[str, Any]]
    cut_off: dict[str, list[str]]
    fuels: dict[str, list[str]]


def _reference(process: Any) -> Any:
    return next((e for e in process.exchanges if e.is_quantitative_reference), None)


def _scratch_database(nodes: Sequence[Node], package: Any) -> _Built:
    """The reviewed system as Brightway documents: own biosphere exchanges, links, fuels."""
    from scenat.brightway import BIOSPHERE, activity_exchanges, biosphere_flows
    from scenat.importers.olca import Units

    data = package.data
    units = Units(data)
    by_name = {}
    for flow in biosphere_flows(BIOSPHERE):
        if tuple(flow.get("categories") or ()) == ("natural resource", "in ground"):
            by_name[flow["name"]] = flow
    ids = {n.id for n in nodes}
    out = _Built({}, {}, {})
    for node in nodes:
        process = data.processes.get(node.uuid)
        info = package.process_info.get(node.uuid, {})
        if process is None:
            raise InputError(
                Problem(
                    message=f"TianGong has no process {node.uuid} (for {node.id})",
                    value=node.uuid,
                    hint="a newer release may have renamed it; update NODES",
                )
            )
        if info.get("non_commercial"):
            raise InputError(
                Problem(
                    message=f"{node.id}: process {node.uuid} is non-commercial (CEEIO)",
                    value=node.uuid,
                    hint="pick another data set: CEEIO data cannot ship",
                )
            )
        reference = _reference(process)
        exchanges: list[dict[str, Any]] = []
        for stored in activity_exchanges(DATABASE, node.uuid):
            if stored["type"] in ("biosphere", "production"):
                kept = {k: v for k, v in stored.items() if k not in ("output", "input")}
                kept["input"] = (
                    stored["input"] if stored["type"] == "biosphere" else (SCRATCH, node.id)
                )
                exchanges.append(kept)
        out.cut_off[node.id], out.fuels[node.id] = [], []
        for exchange in process.exchanges:
            flow = data.flows.get(exchange.flow.id) if exchange.flow else None
            if exchange is reference or not exchange.is_input:
                continue
            if flow is None or flow.flow_type.value == "ELEMENTARY_FLOW":
                continue  # elementary flows came from the import; a missing flow is reported
            amount = units.to_reference(flow, exchange)
            unit = units.reference_unit(flow)
            name = (flow.name or "").strip().lower()
            if amount == 0.0:
                continue
            if name in node.links:
                target = node.links[name]
                if target not in ids:
                    raise InputError(
                        Problem(
                            message=f"{node.id} links {name!r} to unknown node {target}",
                            value=target,
                            hint="add the node to NODES",
                        )
                    )
                exchanges.append(
                    {
                        "input": (SCRATCH, target),
                        "amount": amount,
                        "type": "technosphere",
                        "unit": unit,
                        "flow_unit": unit,
                    }
                )
            elif name in FUELS:
                resource, factor = FUELS[name]
                if unit != "kg":
                    raise InputError(
                        Problem(
                            message=f"{node.id}: fuel {name!r} in {unit}, not kg",
                            value=unit,
                            hint="extend FUELS with a factor for that unit",
                        )
                    )
                exchanges.append(
                    {
                        "input": (BIOSPHERE, by_name[resource]["code"]),
                        "amount": amount * factor,
                        "type": "biosphere",
                        "unit": by_name[resource]["unit"],
                    }
                )
                out.fuels[node.id].append(f"{flow.name} {amount:.4g} {unit}")
            else:
                out.cut_off[node.id].append(f"{flow.name} {amount:.4g} {unit}")
        ref_flow = data.flows[reference.flow.id]
        doc = {
            "name": node.name,
            "reference product": ref_flow.name,
            "unit": units.reference_unit(ref_flow),
            "location": process.location.name if process.location else "CN",
            "type": "process",
            "code": node.id,
            "database": SCRATCH,
            "exchanges": exchanges,
            "tiangong": node.uuid,
        }
        out.data[(SCRATCH, node.id)] = doc
    # a link must deliver the provider's reference unit
    for (_, code), doc in out.data.items():
        for exchange in doc["exchanges"]:
            if exchange["type"] == "technosphere":
                provider = out.data[exchange["input"]]
                if exchange.pop("flow_unit") != provider["unit"]:
                    raise InputError(
                        Problem(
                            message=f"{code} buys {provider['code']} in {exchange['unit']}"
                            f" but it is made in {provider['unit']}",
                            value=exchange["unit"],
                            hint="fix the link in scenat.importers.tiangong.NODES",
                        )
                    )
    return out


def build_tiangong_inventory(
    zip_path: str | Path, out_dir: str | Path, reimport: bool = True
) -> tuple[int, int]:
    """Import TianGong (``scenat data ilcd``), solve the reviewed systems, write the folder."""
    from scenat.brightway import database_names, delete_database, lci_of, write_database
    from scenat.importers.curated import (
        FlowInfo,
        ShippedFlows,
        _read_flow_table,
        column_scores,
        propagate_spreads,
        spread_columns,
        with_recorded_indicators,
    )
    from scenat.importers.ilcd import import_ilcd, read_ilcd
    from scenat.importers.inventory import (
        PROCESS_COLUMNS,
        UNCERTAIN_EXCHANGE_COLUMNS,
        drop_round_off,
        exchange_schema,
        write_inventory,
    )
    from scenat.model.catalogue import brightway_unit
    from scenat.paths import inventories_dir

    zip_path, out = Path(zip_path), Path(out_dir)
    package = read_ilcd(zip_path)
    if reimport or DATABASE not in database_names():
        import_ilcd(zip_path, DATABASE, package=package)
    nodes = [*electricity_nodes(package.data.processes), *NODES]
    built = _scratch_database(nodes, package)
    delete_database(SCRATCH)
    write_database(SCRATCH, built.data, format="scenat reviewed TianGong systems")
    try:
        shipped = [n for n in nodes if not n.id.startswith("_")]
        solved = lci_of(SCRATCH, [n.id for n in shipped])
    except RuntimeError as exc:
        raise InputError(Problem(message=str(exc), hint="check the links in NODES")) from None
    finally:
        delete_database(SCRATCH)
    flows_path = out.parent / "elementary_flows.csv"
    if not flows_path.exists():
        flows_path = inventories_dir() / "elementary_flows.csv"
    flows = [
        FlowInfo(f["code"], f["name"], tuple(f.get("categories") or ()), f.get("unit", ""))
        for f in solved.flows
    ]
    shipped_flows = ShippedFlows(flows, _read_flow_table(flows_path))
    info_of = package.process_info
    years = [info_of.get(c.get("tiangong", ""), {}).get("year") for c in solved.columns]
    scores = column_scores([tiangong_pedigree(y) for y in years])
    processes, exchanges = [], []
    for node in shipped:
        info = package.process_info[node.uuid]
        g = solved.inventories[node.id] * node.per_unit
        spreads = propagate_spreads(solved, node.id, shipped_flows.mapping, scores)
        source = SOURCE.format(
            archive=zip_path.name, name=package.data.processes[node.uuid].name, uuid=node.uuid
        )
        member = info["file"].split(":", 1)[-1]
        table_text = (
            f"{zip_path.name}: {member}, cradle-to-gate LCI of 1 {node.unit} of the reviewed "
            "system (bw2calc, scenat.importers.tiangong)"
        )
        year = info.get("year") or ""
        coverage = shipped_flows.coverage(g)
        chain = sorted(
            {
                n.id
                for n in nodes
                if solved.supply[node.id][_column_of(solved, n.id)] != 0.0 and n.id != node.id
            }
        )
        cut = [c for n in [node.id, *chain] for c in built.cut_off.get(n, [])]
        fuel = [c for n in [node.id, *chain] for c in built.fuels.get(n, [])]
        comment = " ".join(
            t
            for t in (
                f"TianGong data set {info.get('type', '')}, location "
                f"{package.data.processes[node.uuid].location.name}, data source: "
                f"{info.get('sources', '')[:200]}.",
                node.note + "." if node.note else "",
                f"Linked: {', '.join(chain)}." if chain else "No linked inputs.",
                f"{FUEL_NOTE}: {'; '.join(fuel)}." if fuel else "",
                f"Cut off (no reviewed supplier): {'; '.join(cut)}." if cut else "",
                "Shipped flows keep this share of the result over every linked flow: "
                + ", ".join(coverage),
            )
            if t
        )
        processes.append(
            {
                "id": node.id,
                "name": node.name,
                "reference_product": package.data.flows[
                    _reference(package.data.processes[node.uuid]).flow.id
                ].name,
                "unit": brightway_unit(node.unit) if node.unit != "kWh" else "kWh",
                "location": package.data.processes[node.uuid].location.name,
                "category": node.category,
                "source": source,
                "table": table_text,
                "year": year,
                "licence": LICENCE,
                "comment": comment,
            }
        )
        for flow_id, amount in shipped_flows.amounts(g, spreads):
            exchanges.append(
                {
                    "process": node.id,
                    "type": "biosphere",
                    "input": flow_id,
                    "amount": amount,
                    "unit": shipped_flows.units[flow_id],
                    "source": source,
                    "table": table_text,
                    "year": int(year) if str(year).isdigit() else None,
                    "licence": LICENCE,
                    "comment": "cradle-to-gate of the reviewed system, summed over "
                    "sub-compartments of the same flow",
                    **spread_columns(spreads[flow_id], "TianGong", TIANGONG_PEDIGREE_TEXT),
                }
            )
    frame = pl.DataFrame(exchanges, schema=exchange_schema(UNCERTAIN_EXCHANGE_COLUMNS))
    frame = drop_round_off(frame, ROUND_OFF_RTOL)
    table_p = pl.DataFrame(processes, schema={c: pl.Utf8 for c in PROCESS_COLUMNS})
    return write_inventory(with_recorded_indicators(table_p, frame), frame, out)


def _column_of(solved: Any, code: str) -> int:
    for index, doc in enumerate(solved.columns):
        if doc.get("code") == code:
            return index
    raise KeyError(code)
