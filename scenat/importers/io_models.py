"""Environmentally-extended input-output (EEIO) models as matrices and as Brightway databases.

An EEIO model is the triple ``A`` (sectors x sectors: input of each sector's output per unit
of a buying sector's output, in money), ``B`` (elementary flows x sectors: direct flows per
unit of output) and ``C`` (indicators x flows: characterisation factors). Its published
multipliers are ``N = C B L`` with the Leontief inverse ``L = (I - A)^-1``; the footprint of
a final demand ``y`` is ``C B L y``. Two sources are read:

* **USEEIO** in the layout of its published API (``matrix/A.json``, ``B.json``, ``C.json``
  (and the optional ``D``, ``L``, ``N``), ``sectors.json``, ``flows.json``,
  ``indicators.json``, ``demands.json`` + ``demands/<id>.json``):
  :func:`read_useeio`;
* **EXIOBASE 3** (or any MRIO) through pymrio: :func:`read_exiobase` for a downloaded
  EXIOBASE zip or folder, :func:`from_pymrio` for an ``IOSystem`` already in memory.

``L`` is never inverted densely: ``(I - A)`` is factorised once (:mod:`scenat.calc.solver`) and
``N`` comes from one adjoint solve per indicator.

:func:`write_brightway` writes a model into scenat's Brightway project with bw2data: one
activity per sector (unit: the model's currency, with its price year), technosphere
exchanges from ``A``, biosphere exchanges from ``B`` on ``biosphere3`` flows where the
model's flow has one (:data:`USEEIO_BIOSPHERE3`; others go to a small flow database of the
model's own), and the model's indicators as Brightway methods built from ``C``, so the
published multipliers are reproduced by bw2calc (within Brightway's float32 storage).
Spend flows can then buy from an IO sector, and supply-chain paths run through the whole
economy. :func:`hybrid_shares` splits a case's result into process, IO and spend parts.

>>> import numpy as np
>>> m = IOModel.from_arrays("toy", np.array([[0.1, 0.2], [0.0, 0.1]]),
...                         np.array([[1.0, 2.0]]), np.array([[3.0]]))
>>> np.round(m.multipliers(), 6).tolist()
[[3.333333, 7.407407]]
>>> round(m.total(np.array([1.0, 0.0]))["I0"], 6)
3.333333
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

from scenat.calc.solver import FactorisedSystem
from scenat.errors import InputError, Problem

__all__ = [
    "IODatabase",
    "IOModel",
    "USEEIO_BIOSPHERE3",
    "from_pymrio",
    "hybrid_shares",
    "io_databases",
    "read_exiobase",
    "read_useeio",
    "write_brightway",
]

#: USEEIO flowable (context ``emission/air``) -> biosphere3 code (ecoinvent 3.9 list in bw2io).
#: USEEIO's methane does not say fossil or biogenic; it is booked as fossil methane (IPCC 2021
#: then counts 29.8 instead of 27 kg CO2-eq/kg for the biogenic part). HFC-236fa,
#: perfluorocyclobutane, perfluoropropane and "HFCs and PFCs, unspecified" (kg CO2e) have no
#: biosphere3 flow: they go to the model's own flow database, characterised only by the
#: model's own indicator methods.
USEEIO_BIOSPHERE3: Mapping[str, str] = {
    "Carbon dioxide": "349b29d1-3e58-4c66-98b9-9d1a076efd2e",  # Carbon dioxide, fossil
    "Carbon tetrafluoride": "33681770-a0e1-4ce8-93c3-941fd607fa5f",  # Methane, tetrafluoro-
    "Hexafluoroethane": "acc39720-dda7-4b3a-80c7-c6394cad4191",  # Ethane, hexafluoro-, HFC-116
    "HFC-125": "281e1011-f121-4d5b-ad4d-22d562b2c2cd",
    "HFC-134a": "e87f039d-d9ce-4242-ac18-c9284cc80f3d",
    "HFC-143a": "e86bfec2-1025-4fa2-90b1-81e35e621e91",
    "HFC-23": "e5ba3517-a93f-422e-9ce2-f1007fcf6c06",
    "HFC-32": "151212b4-079b-43a2-96d5-a6eef59166ac",
    "Methane": "0795345f-c7ae-410c-ad25-1845784c75f5",  # Methane, fossil
    "Nitrogen trifluoride": "e79e03c3-5b19-45f6-b3f3-bf710c6663d2",  # Nitrogen fluoride
    "Nitrous oxide": "20185046-64bb-4c09-a8e7-e8a9e144ca98",  # Dinitrogen monoxide
    "Sulfur hexafluoride": "35d1dff5-b535-4628-9826-4a8fce08a1f2",
}

_MATRIX_NAMES = ("A", "B", "C", "D", "L", "N")


@dataclass
class IOModel:
    """An EEIO model: matrices, labels, final demand vectors, money basis and provenance.

    ``sectors`` (columns id, code, name, location), ``flows`` (id, name, context, unit) and
    ``indicators`` (id, name, unit) are in matrix order. ``published`` holds matrices the
    publisher ships next to A, B, C (``N``, ``D``) to check the import against.
    """

    name: str
    sectors: pl.DataFrame
    flows: pl.DataFrame
    indicators: pl.DataFrame
    A: sparse.csr_matrix
    B: sparse.csr_matrix
    C: np.ndarray
    demands: dict[str, np.ndarray] = field(default_factory=dict)
    currency: str = "USD"
    price_year: int | None = None
    money_unit: float = 1.0  # e.g. 1e6 for EXIOBASE's million EUR, already scaled out of B
    source: str = ""
    published: dict[str, np.ndarray] = field(default_factory=dict)
    _system: FactorisedSystem | None = field(default=None, repr=False)

    @classmethod
    def from_arrays(
        cls,
        name: str,
        a: Any,
        b: Any,
        c: Any,
        *,
        sector_ids: Sequence[str] | None = None,
        flow_ids: Sequence[str] | None = None,
        indicator_ids: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> IOModel:
        """A model from bare arrays (tests, synthetic benchmarks); labels default to S0, F0, I0."""
        a = sparse.csr_matrix(a, dtype=np.float64)
        b = sparse.csr_matrix(b, dtype=np.float64)
        c = np.atleast_2d(np.asarray(c, dtype=np.float64))
        sector_ids = list(sector_ids or [f"S{i}" for i in range(a.shape[0])])
        flow_ids = list(flow_ids or [f"F{i}" for i in range(b.shape[0])])
        indicator_ids = list(indicator_ids or [f"I{i}" for i in range(c.shape[0])])
        return cls(
            name=name,
            sectors=pl.DataFrame(
                {"id": sector_ids, "code": sector_ids, "name": sector_ids, "location": ""}
            ),
            flows=pl.DataFrame({"id": flow_ids, "name": flow_ids, "context": "", "unit": ""}),
            indicators=pl.DataFrame({"id": indicator_ids, "name": indicator_ids, "unit": ""}),
            A=a,
            B=b,
            C=c,
            **kwargs,
        )

    def __post_init__(self) -> None:
        n = self.A.shape[0]
        problems = []
        if self.A.shape != (n, n):
            problems.append(f"A is {self.A.shape}, not square")
        if self.B.shape[1] != n:
            problems.append(f"B has {self.B.shape[1]} columns for {n} sectors")
        if self.C.shape[1] != self.B.shape[0]:
            problems.append(f"C has {self.C.shape[1]} columns for {self.B.shape[0]} flows")
        if len(self.sectors) != n or len(self.flows) != self.B.shape[0]:
            problems.append("labels do not match the matrices")
        if len(self.indicators) != self.C.shape[0]:
            problems.append("indicator labels do not match C")
        if problems:
            raise InputError(
                [Problem(message=p, file=self.source or None) for p in problems],
                f"input-output model {self.name} is inconsistent",
            )

    @property
    def sector_ids(self) -> list[str]:
        return self.sectors["id"].to_list()

    @property
    def indicator_ids(self) -> list[str]:
        return self.indicators["id"].to_list()

    def system(self) -> FactorisedSystem:
        """``I - A``, factorised once."""
        if self._system is None:
            n = self.A.shape[0]
            self._system = FactorisedSystem.from_matrix(sparse.identity(n, format="csr") - self.A)
        return self._system

    def direct_intensities(self) -> np.ndarray:
        """``D = C B``: indicator per unit of each sector's output, direct only."""
        return np.asarray(self.B.T @ self.C.T).T

    def multipliers(self) -> np.ndarray:
        """``N = C B L`` (indicators x sectors), one adjoint solve per indicator."""
        d = self.direct_intensities()
        return np.vstack([self.system().solve_transposed(row) for row in d])

    def output(self, demand: np.ndarray) -> np.ndarray:
        """Total output ``x = L y`` for a final demand ``y`` (money per sector)."""
        return self.system().solve(np.asarray(demand, dtype=float))

    def total(self, demand: np.ndarray | str) -> dict[str, float]:
        """Footprint ``C B L y`` per indicator; ``demand`` a vector or a demand vector's id."""
        y = self.demand(demand) if isinstance(demand, str) else np.asarray(demand, dtype=float)
        inventory = self.B @ self.output(y)
        return dict(zip(self.indicator_ids, (self.C @ inventory).tolist()))

    def demand(self, demand_id: str) -> np.ndarray:
        if demand_id not in self.demands:
            raise InputError(
                Problem(
                    message=f"no demand vector {demand_id!r} in {self.name}",
                    value=demand_id,
                    hint="known: " + ", ".join(self.demands),
                )
            )
        return self.demands[demand_id]

    def check_published(self) -> dict[str, float]:
        """Largest relative difference between recomputed and published ``N`` (and ``D``)."""
        out = {}
        for key, computed in (("N", self.multipliers), ("D", self.direct_intensities)):
            if key in self.published:
                mine, theirs = computed(), self.published[key]
                scale = np.abs(theirs).max() or 1.0
                out[key] = float(np.abs(mine - theirs).max() / scale)
        return out

    def digest(self) -> str:
        h = hashlib.sha256(self.name.encode())
        for matrix in (self.A, self.B):
            h.update(np.ascontiguousarray(matrix.indptr).tobytes())
            h.update(np.ascontiguousarray(matrix.indices).tobytes())
            h.update(np.ascontiguousarray(matrix.data).tobytes())
        h.update(np.ascontiguousarray(self.C).tobytes())
        h.update(json.dumps([self.sector_ids, self.flows["id"].to_list()]).encode())
        h.update(f"{self.currency}{self.price_year}".encode())
        return h.hexdigest()[:16]


# --- USEEIO -------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise InputError(
            Problem(
                file=str(path),
                message="file of the USEEIO API layout is missing",
                hint="a model folder holds matrix/A.json, B.json, C.json, sectors.json, "
                "flows.json, indicators.json",
            )
        ) from exc
    except ValueError as exc:
        raise InputError(Problem(file=str(path), message=f"not valid JSON: {exc}")) from exc


def _matrix(path: Path) -> np.ndarray:
    array = np.asarray(_read_json(path), dtype=np.float64)
    if array.ndim != 2:
        raise InputError(Problem(file=str(path), message="not a matrix (a list of rows)"))
    return array


def _ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item.get("index", 0))


def read_useeio(
    folder: str | Path, *, currency: str = "USD", price_year: int | None = None
) -> IOModel:
    """Read a USEEIO model in its published API layout (the folder named after the model).

    ``price_year`` defaults to the year of the model's demand vectors (2012 for v2.1: its
    matrices are per 2012 USD, producer price). Published ``N`` and ``D`` are kept to check
    against (:meth:`IOModel.check_published`).
    """
    root = Path(folder)
    matrices = root / "matrix"
    sectors = _ordered(_read_json(root / "sectors.json"))
    flows = _ordered(_read_json(root / "flows.json"))
    indicators = _ordered(_read_json(root / "indicators.json"))
    a, b, c = (_matrix(matrices / f"{name}.json") for name in "ABC")
    published = {
        name: _matrix(matrices / f"{name}.json")
        for name in ("D", "N")
        if (matrices / f"{name}.json").exists()
    }
    index = {s["id"]: i for i, s in enumerate(sectors)}
    demands: dict[str, np.ndarray] = {}
    years = []
    if (root / "demands.json").exists():
        for entry in _read_json(root / "demands.json"):
            path = root / "demands" / f"{entry['id']}.json"
            if not path.exists():
                continue
            vector = np.zeros(len(sectors))
            problems = []
            for number, item in enumerate(_read_json(path)):
                position = index.get(item["sector"])
                if position is None:
                    problems.append(
                        Problem(
                            file=str(path),
                            row=number,
                            column="sector",
                            value=item["sector"],
                            message="sector not in sectors.json",
                        )
                    )
                    continue
                vector[position] += float(item["amount"])
            if problems:
                raise InputError(problems)
            demands[entry["id"]] = vector
            if entry.get("year"):
                years.append(int(entry["year"]))
    return IOModel(
        name=root.name,
        sectors=pl.DataFrame(
            {
                "id": [s["id"] for s in sectors],
                "code": [s.get("code", s["id"]) for s in sectors],
                "name": [s.get("name", s["id"]) for s in sectors],
                "location": [s.get("location", "") for s in sectors],
                "description": [s.get("description", "") for s in sectors],
            }
        ),
        flows=pl.DataFrame(
            {
                "id": [f["id"] for f in flows],
                "name": [f.get("flowable", f["id"]) for f in flows],
                "context": [f.get("context", "") for f in flows],
                "unit": [f.get("unit", "") for f in flows],
            }
        ),
        indicators=pl.DataFrame(
            {
                "id": [i["id"] for i in indicators],
                "name": [i.get("name", i["id"]) for i in indicators],
                "unit": [i.get("unit", "") for i in indicators],
            }
        ),
        A=sparse.csr_matrix(a),
        B=sparse.csr_matrix(b),
        C=c,
        demands=demands,
        currency=currency,
        price_year=price_year or (max(set(years), key=years.count) if years else None),
        source=str(root),
        published=published,
    )


# --- EXIOBASE / pymrio --------------------------------------------------------------


def from_pymrio(
    mrio: Any,
    extension: str,
    *,
    characterisation: Any = None,
    name: str | None = None,
    currency: str = "EUR",
    price_year: int | None = None,
    money_unit: float = 1.0,
) -> IOModel:
    """An :class:`IOModel` from a pymrio ``IOSystem`` and one of its extensions.

    ``A`` and the extension's ``S`` (stressors per unit of output) come from pymrio
    (``calc_all`` is run when they are missing). ``characterisation`` is a pandas
    DataFrame indicators x stressors (same stressor index as ``S``); without it every
    stressor is its own indicator (``C = I``), so ``N`` equals pymrio's ``M``.
    ``money_unit`` is how many units of ``currency`` one unit of the tables is (EXIOBASE:
    1e6, million EUR); ``B`` is scaled to per unit of currency, ``A`` is a ratio and stays.
    """
    if getattr(mrio, "A", None) is None or getattr(getattr(mrio, extension), "S", None) is None:
        mrio.calc_all()
    ext = getattr(mrio, extension)
    a = mrio.A
    s = ext.S
    sectors = list(a.columns)
    if list(s.columns) != sectors:
        s = s.reindex(columns=a.columns)
    stressors = list(s.index)
    if characterisation is None:
        c = np.eye(len(stressors))
        indicator_ids = [_label(x) for x in stressors]
        indicator_units = _units(ext, stressors)
    else:
        cf = characterisation.reindex(columns=s.index).fillna(0.0)
        c = cf.to_numpy(dtype=float)
        indicator_ids = [_label(x) for x in cf.index]
        indicator_units = [""] * len(indicator_ids)
    regions = [x[0] if isinstance(x, tuple) else "" for x in sectors]
    names = [x[1] if isinstance(x, tuple) else str(x) for x in sectors]
    return IOModel(
        name=name or str(getattr(mrio, "name", None) or "mrio"),
        sectors=pl.DataFrame(
            {
                "id": [_label(x) for x in sectors],
                "code": [_slug(_label(x)) for x in sectors],
                "name": names,
                "location": regions,
            }
        ),
        flows=pl.DataFrame(
            {
                "id": [_label(x) for x in stressors],
                "name": [x[0] if isinstance(x, tuple) else str(x) for x in stressors],
                "context": [
                    "/".join(map(str, x[1:])) if isinstance(x, tuple) else "" for x in stressors
                ],
                "unit": _units(ext, stressors),
            }
        ),
        indicators=pl.DataFrame(
            {"id": indicator_ids, "name": indicator_ids, "unit": indicator_units}
        ),
        A=sparse.csr_matrix(a.to_numpy(dtype=float)),
        B=sparse.csr_matrix(s.to_numpy(dtype=float) / money_unit),
        C=c,
        currency=currency,
        price_year=price_year if price_year is not None else _year(mrio),
        money_unit=money_unit,
        source=str(getattr(mrio, "meta", "") or ""),
        published={"N": ext.M.to_numpy(dtype=float) / money_unit}
        if characterisation is None and getattr(ext, "M", None) is not None
        else {},
    )


def read_exiobase(
    path: str | Path,
    extension: str = "impacts",
    *,
    characterisation: Any = None,
    price_year: int | None = None,
) -> IOModel:
    """Read a downloaded EXIOBASE 3 release (zip or folder) with pymrio.

    ``pymrio.download_exiobase3`` fetches one; scenat never downloads. EXIOBASE is in
    million EUR of the table's year; the model is scaled to per EUR.
    """
    import pymrio

    mrio = pymrio.parse_exiobase3(path=str(path))
    return from_pymrio(
        mrio,
        extension,
        characterisation=characterisation,
        name=f"EXIOBASE {getattr(mrio, 'version', '') or ''} {getattr(mrio, 'year', '')}".strip(),
        currency="EUR",
        price_year=price_year,
        money_unit=1e6,
    )


def _label(item: Any) -> str:
    return "/".join(map(str, item)) if isinstance(item, tuple) else str(item)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def _units(ext: Any, stressors: list[Any]) -> list[str]:
    unit = getattr(ext, "unit", None)
    if unit is None:
        return [""] * len(stressors)
    try:
        return [str(unit.loc[s].iloc[0]) for s in stressors]
    except (KeyError, AttributeError, IndexError):
        return [""] * len(stressors)


def _year(mrio: Any) -> int | None:
    try:
        return int(getattr(mrio, "year", None))
    except (TypeError, ValueError):
        return None


# --- Brightway ------------------------------------------------------------------------


@dataclass
class IODatabase:
    """What :func:`write_brightway` wrote (or found already written)."""

    database: str
    flow_database: str | None
    codes: dict[str, str]  # sector id -> activity code in the database
    methods: dict[str, tuple[str, ...]]  # indicator id -> Brightway method name
    unmapped_flows: list[str]
    currency: str
    price_year: int | None
    written: bool
    seconds: float

    def node_ids(self) -> dict[str, int]:
        """Sector id -> Brightway node id (bw2data 4 ids are 64-bit integers)."""
        from scenat.brightway import node_ids

        by_code = node_ids(self.database)
        return {sector: by_code[code] for sector, code in self.codes.items()}

    @property
    def process_ids(self) -> dict[str, str]:
        """Sector id -> the id a case's flow names: ``<database>:<code>``."""
        return {sector: f"{self.database}:{code}" for sector, code in self.codes.items()}

    def spend_sectors(self) -> dict[str, tuple[str, int | None]]:
        """Process id -> (currency, price year), for the ledger screening
        (:func:`scenat.casefile.ledger.screen_ledger`)."""
        return {pid: (self.currency, self.price_year) for pid in self.process_ids.values()}

    def total(self, demand: Mapping[str, float] | np.ndarray, indicator: str) -> float:
        """Footprint of a demand (sector id -> money, or a vector in sector order) by bw2calc."""
        from scenat.brightway import lca_score

        if not isinstance(demand, Mapping):
            demand = dict(zip(self.codes, np.asarray(demand, dtype=float).tolist()))
        fu = {(self.database, self.codes[s]): float(v) for s, v in demand.items() if v}
        databases = [self.database] + ([self.flow_database] if self.flow_database else [])
        return lca_score(fu, self.methods[indicator], databases)


def sector_codes(model: IOModel) -> list[str]:
    """Activity codes of the sectors: the sector code where codes are unique (a
    single-region model: ``331110``), else the sector id made safe (``DE_Cultivation_of_...``).

    >>> m = IOModel.from_arrays("t", [[0.0]], [[1.0]], [[1.0]], sector_ids=["1111A0/US"])
    >>> sector_codes(m)
    ['1111A0_US']
    """
    codes = [_slug(c) for c in model.sectors["code"].to_list()]
    if len(set(codes)) == len(codes):
        return codes
    return [_slug(s) for s in model.sector_ids]


def default_database_name(model: IOModel) -> str:
    """``useeio`` for a USEEIO model, else the model's name made safe, lower case."""
    return "useeio" if model.name.lower().startswith("useeio") else _slug(model.name).lower()


def write_brightway(
    model: IOModel,
    *,
    database: str | None = None,
    biosphere: Mapping[str, str] | None = None,
    rebuild: bool = False,
) -> IODatabase:
    """Write ``model`` into scenat's Brightway project (idempotent; rewritten when it changed).

    Database name default: :func:`default_database_name` (``useeio``); one activity per
    sector, code :func:`sector_codes` (``331110``), so a case names it ``useeio:331110``;
    unit the model's currency, with ``price_year`` and
    ``currency`` in the activity data so spend flows are converted to the sector's money.
    Technosphere inputs are ``A`` as is (no cut-off: small coefficients add up), biosphere
    exchanges ``B``. Flows named in ``biosphere`` (flow name -> biosphere3 code; default
    :data:`USEEIO_BIOSPHERE3`) link to biosphere3; the rest to ``<database> flows``. One
    Brightway method per indicator, named ``(model name, indicator name)``, from ``C``.
    """
    from scenat.brightway import (
        BIOSPHERE,
        database_metadata,
        delete_database,
        ensure_project,
        method_names,
        node_ids,
        set_database_metadata,
        setup_lock,
        write_database,
        write_method,
    )

    started = time.perf_counter()
    ensure_project()
    database = database or default_database_name(model)
    flow_database = f"{database}-flows"
    mapping = dict(USEEIO_BIOSPHERE3 if biosphere is None else biosphere)
    codes = sector_codes(model)
    if len(set(codes)) != len(codes):
        raise InputError(Problem(message=f"sector ids of {model.name} clash once made codes"))
    code_of = dict(zip(model.sector_ids, codes))
    methods = {
        ind: (model.name, name)
        for ind, name in zip(model.indicator_ids, model.indicators["name"].to_list())
    }
    digest = (
        model.digest()
        + hashlib.sha256(json.dumps(sorted(mapping.items())).encode()).hexdigest()[:8]
    )
    flow_names = model.flows["name"].to_list()
    unmapped = [f for f, n in zip(model.flows["id"].to_list(), flow_names) if n not in mapping]
    info = IODatabase(
        database=database,
        flow_database=flow_database if unmapped else None,
        codes=code_of,
        methods=methods,
        unmapped_flows=unmapped,
        currency=model.currency,
        price_year=model.price_year,
        written=False,
        seconds=0.0,
    )
    with setup_lock():
        current = database_metadata(database).get("scenat_io_digest")
        written = set(method_names())
        if current == digest and all(m in written for m in methods.values()) and not rebuild:
            info.seconds = time.perf_counter() - started
            return info
        known = set(node_ids(BIOSPHERE))
        flow_keys: list[tuple[str, str]] = []
        own: dict[tuple[str, str], dict[str, Any]] = {}
        for flow_id, flow_name, context, unit in model.flows.select(
            "id", "name", "context", "unit"
        ).iter_rows():
            code = mapping.get(flow_name)
            if code is not None and code in known:
                flow_keys.append((BIOSPHERE, code))
                continue
            key = (flow_database, _slug(flow_id))
            own[key] = {
                "name": flow_name,
                "categories": tuple(p for p in str(context).split("/")[1:] if p) or ("air",),
                "unit": unit,
                "type": "emission",
                "io_flow": flow_id,
            }
            flow_keys.append(key)
        info.flow_database = flow_database if own else None
        info.unmapped_flows = [v["io_flow"] for v in own.values()]
        for name in (database, flow_database):
            delete_database(name)
        if own:
            write_database(flow_database, own)
        a = model.A.tocsc()
        b = model.B.tocsc()
        data: dict[tuple[str, str], dict[str, Any]] = {}
        sectors = model.sectors.to_dicts()
        for j, (sector, code) in enumerate(zip(sectors, codes)):
            exchanges = [{"input": (database, code), "amount": 1.0, "type": "production"}]
            start, stop = a.indptr[j], a.indptr[j + 1]
            for i, value in zip(a.indices[start:stop].tolist(), a.data[start:stop].tolist()):
                exchanges.append(
                    {"input": (database, codes[i]), "amount": value, "type": "technosphere"}
                )
            start, stop = b.indptr[j], b.indptr[j + 1]
            for f, value in zip(b.indices[start:stop].tolist(), b.data[start:stop].tolist()):
                exchanges.append({"input": flow_keys[f], "amount": value, "type": "biosphere"})
            data[(database, code)] = {
                "name": sector["name"],
                "reference product": sector["name"],
                "unit": model.currency,
                "location": sector.get("location") or "GLO",
                "type": "process",
                "currency": model.currency,
                "price_year": model.price_year,
                "io_model": model.name,
                "io_sector": sector["id"],
                "exchanges": exchanges,
            }
        write_database(database, data)
        set_database_metadata(
            database,
            scenat_io_digest=digest,
            io_model=model.name,
            currency=model.currency,
            price_year=model.price_year,
            source=model.source,
        )
        for k, (ind, method_name) in enumerate(methods.items()):
            factors = [
                (flow_keys[f], float(model.C[k, f])) for f in np.flatnonzero(model.C[k]).tolist()
            ]
            unit = model.indicators.filter(pl.col("id") == ind)["unit"].item()
            write_method(
                method_name, factors, unit=unit, description=f"{model.name}: C matrix row {ind}"
            )
    info.written = True
    info.seconds = time.perf_counter() - started
    return info


# --- tiered hybrid: process, IO and spend shares -------------------------------------------


def io_databases() -> list[str]:
    """Databases of the project written by :func:`write_brightway` (they carry ``io_model``)."""
    from scenat.brightway import database_metadata, database_names

    return [name for name in database_names() if database_metadata(name).get("io_model")]


def hybrid_shares(
    case: Any,
    linked: Any = None,
    indicators: Sequence[str] | None = None,
    io: Iterable[str] | None = None,
) -> pl.DataFrame:
    """A case's total split into ``process``, ``io`` and ``spend`` parts, per indicator.

    Every flow of the case is credited with its cradle-to-gate impact (amount x node supply x
    the impact per unit of its input, :mod:`scenat.calc.foreground`): direct emissions and
    process purchases are ``process``; a purchase from an input-output model's sector
    (``<database>:<code>`` with a database in ``io``, default :func:`io_databases`) is
    ``io``, whatever the flow's kind, so a process node that names an IO sector as the
    source of its truncated upstream is counted there; other ``spend`` flows (EEIO factors
    such as EPA's) are ``spend``. The parts sum to the total. Columns: indicator, part,
    value, share.
    """
    from scenat.brightway import link
    from scenat.calc.foreground import foreground_model, solve_foreground
    from scenat.model.indicators import resolve

    chosen = resolve(list(indicators) if indicators else None)
    linked = linked or link(case, indicators=chosen)
    model = foreground_model(case, linked, chosen)
    amounts = np.array([[f.amount_in_reference for f in model.flows]])
    runs = solve_foreground(model, amounts)[:, model.node_of_flow][0]
    io_names = set(io_databases() if io is None else io)

    def part(flow: Any) -> str | None:
        if flow.kind == "node":
            return None
        database, sep, _code = flow.input.partition(":")
        if flow.kind in ("process", "spend", "credit") and sep and database in io_names:
            return "io"
        return "spend" if flow.kind == "spend" else "process"

    parts = [part(f) for f in model.flows]
    rows = []
    for ind in chosen:
        values = amounts[0] * runs * model.weights[ind.id]
        total = float(values.sum())
        for name in ("process", "io", "spend"):
            value = float(sum(v for v, p in zip(values, parts) if p == name))
            rows.append(
                {
                    "indicator": ind.id,
                    "part": name,
                    "value": value,
                    "share": value / total if total else 0.0,
                }
            )
    return pl.DataFrame(rows)
