"""The embedded Brightway project: set-up, versioning, and the lookups an assessment needs.

First use builds, offline, a project holding the ``biosphere3`` flows, scenat's own
indicator flows (``inventories/indicator_flows.csv``, database ``scenat_flows``), the
methods of every indicator of ``methods/`` (read from the LCIA data bundled in the bw2io
wheel, or, for scenat's own methods such as USEEIO's, from ``methods/scenat_methods.csv``),
and one background database per folder of ``inventories/``. A stamp records what was
built; a changed inventory rebuilds its databases, a changed method list rewrites the
methods. A file lock in ``SCENAT_HOME`` makes two processes starting at once safe: the
second waits and then finds the work done.

``bw2io.create_default_lcia_methods()`` fails on bw2data 4.8 (the bundled data stores flow
keys as JSON lists), so methods are written here from the same bundled data.

>>> project = ensure_project()
>>> sorted(project.indicator_ids)[:4]
['fossil_energy', 'gwp100', 'metals_minerals', 'okobaudat_fw']
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from scenat.errors import BackgroundError
from scenat.model.case import Uncertainty
from scenat.model.catalogue import (
    BIOSPHERE_UNITS,
    EXTERNAL_SEPARATOR,
    Catalogue,
    ProcessTable,
    brightway_unit,
    database_folders,
    inventory_version,
    shipped_catalogue,
    split_background_id,
)
from scenat.model.indicators import (
    Indicator,
    all_indicators,
    bundled_methods,
    scenat_methods,
    scenat_methods_version,
)
from scenat.paths import (
    brightway_dir,
    inventories_dir,
    prepare_brightway_environment,
    scenat_home,
)

PROJECT_NAME = "scenat"
DATABASE_PREFIX = "scenat-"
BIOSPHERE = "biosphere3"
#: scenat's own indicator flows (a biosphere database; not prefixed, so not a shipped folder)
INDICATOR_FLOWS = "scenat_flows"
#: bump when the way databases are written changes, so existing projects rebuild
SCHEMA_VERSION = 3  # 2: exchange distributions; 3: indicator flows and scenat's own methods
STAMP_FILE = "scenat-stamp.json"

_BRIGHTWAY_FOLDER: Path | None = None


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send anything Brightway prints (progress bars, log lines) to stderr.

    ``scenat assess --json`` prints one JSON document on stdout; nothing else may land there.
    """
    with contextlib.redirect_stdout(sys.stderr):
        yield


def import_brightway() -> Any:
    """Import bw2data with its folder inside ``SCENAT_HOME`` and its logging kept off stdout."""
    global _BRIGHTWAY_FOLDER
    folder = prepare_brightway_environment()
    if _BRIGHTWAY_FOLDER is not None and folder != _BRIGHTWAY_FOLDER:
        raise BackgroundError(
            f"SCENAT_HOME changed from {_BRIGHTWAY_FOLDER.parent} to {folder.parent} after "
            "Brightway was loaded; start a new Python process to use another SCENAT_HOME"
        )
    # bw2data's structlog logger prints to stdout; the plain logging one can be redirected.
    os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
    # Import-time chatter ("Using environment variable BRIGHTWAY2_DIR ...") is not for users.
    chatter = io.StringIO()
    # The first import creates Brightway's project registry and a "default" project; two
    # processes doing that at once race, so the first import happens under a lock.
    first_use = not (folder / "projects.db").exists()
    lock = _lock("import.lock") if first_use else contextlib.nullcontext()
    with lock, contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import bw2calc  # noqa: F401  (import here so its solver warning is silenced too)
            import bw2data
    # bw2data runs gc.collect() twice when it opens a project; freezing the objects the
    # imports created keeps those collections short (0.2 s -> a few ms).
    gc.freeze()
    feedback = logging.getLogger("brightway-stdout-feedback")
    for handler in list(feedback.handlers):
        feedback.removeHandler(handler)
    feedback.addHandler(logging.StreamHandler(sys.stderr))
    # Its warnings are about optional importers (SimaPro, ecoinvent) scenat does not use.
    feedback.setLevel(logging.ERROR)
    _BRIGHTWAY_FOLDER = folder
    return bw2data


@dataclass
class Project:
    """Handles on a ready Brightway project: databases, methods and id lookups."""

    name: str
    databases: list[str]
    methods: dict[str, tuple[str, ...]]
    catalogue: Catalogue
    process_ids: dict[str, int] = field(default_factory=dict)
    process_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    biosphere_ids: dict[str, int] = field(default_factory=dict)
    biosphere_info: dict[int, tuple[str, str, str]] = field(default_factory=dict)

    #: user databases (see :func:`user_databases`) opened so far, with their dependencies
    external: list[str] = field(default_factory=list)
    #: per user database: its biosphere node ids -> biosphere3 node ids (same code)
    relinked: dict[str, dict[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.process_ids, _BackgroundIds):
            self.process_ids = _BackgroundIds(self.process_ids, self)

    @property
    def indicator_ids(self) -> list[str]:
        return list(self.methods)

    def background_datapackages(self) -> list[Any]:
        """The shipped databases, plus every user database a case has used in this process.

        A user database stays included once opened (results are unchanged: its activities
        are simply not reached by a case that does not use it).
        """
        bd = import_brightway()
        packages = [bd.Database(name).datapackage() for name in self.databases]
        for name in self.external:
            packages.extend(_user_datapackages(bd, name, self.relinked.get(name, {})))
        return packages

    def method_datapackage(self, indicator_id: str) -> Any:
        bd = import_brightway()
        return bd.Method(self.methods[indicator_id]).datapackage()

    def open_database(self, name: str) -> bool:
        """Make a user database's processes available as ``<name>:<code>``; False if none."""
        if name in self.external:
            return True
        bd = import_brightway()
        with quiet_stdout():
            _reload_metadata(bd)
            if not _is_user_database(bd, name):
                return False
            for database in _technosphere_closure(bd, name):
                if database in self.external:
                    continue
                self._index(bd, database)
                self.external.append(database)
        return True

    def _index(self, bd: Any, database: str) -> None:
        from bw2data.backends import ActivityDataset as AD

        lci = set(bd.labels.lci_node_types)
        query = AD.select(AD.code, AD.id, AD.name, AD.product, AD.type, AD.location)
        for code, node_id, label, product, kind, location in query.where(
            AD.database == database
        ).tuples():
            if kind not in lci:
                continue
            key = f"{database}{EXTERNAL_SEPARATOR}{code}"
            dict.__setitem__(self.process_ids, key, node_id)
            text = label if not product or product == label else f"{label} | {product}"
            self.process_names[node_id] = (key, f"{text} ({location})" if location else text)
        relink = _biosphere_relink(bd, database)
        if relink:
            self.relinked[database] = relink


class _BackgroundIds(dict):
    """Process id -> node id; ``<database>:<code>`` ids of user databases load on demand."""

    def __init__(self, data: dict[str, int], project: Project):
        super().__init__(data)
        self._project = project

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        parts = split_background_id(key) if isinstance(key, str) else None
        if parts is None or parts[0] in self._project.external:
            return False
        return self._project.open_database(parts[0]) and dict.__contains__(self, key)

    def __missing__(self, key: str) -> int:
        if self.__contains__(key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key] if key in self else default


def _shipped_database_names() -> set[str]:
    return {DATABASE_PREFIX + folder.name for folder in database_folders()}


def _is_technosphere(bd: Any, database: str) -> bool:
    from bw2data.backends import ActivityDataset as AD

    lci = list(bd.labels.lci_node_types)
    query = AD.select(AD.id).where((AD.database == database) & (AD.type << lci)).limit(1)
    return query.exists()


def _is_user_database(bd: Any, name: str) -> bool:
    """A technosphere database of the project that scenat did not build itself."""
    if name == BIOSPHERE or name in _shipped_database_names() or name not in bd.databases:
        return False
    return _is_technosphere(bd, name)


def _technosphere_closure(bd: Any, name: str) -> list[str]:
    """``name`` and every user technosphere database it depends on, recursively."""
    found: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found or not _is_user_database(bd, current):
            continue
        found.append(current)
        todo.extend(bd.databases[current].get("depends", []))
    return found


def _biosphere_relink(bd: Any, database: str) -> dict[int, int]:
    """Node ids of another biosphere database used by ``database`` -> biosphere3 ids by code.

    ecoinvent imported with current bw2io brings its own biosphere database (e.g.
    ``ecoinvent-3.10-biosphere``); scenat's indicators characterise ``biosphere3`` nodes, so
    flows are linked to biosphere3 by their ids (codes), which ecoinvent keeps across 3.x.
    """
    from bw2data.backends import ActivityDataset as AD

    others = [
        d
        for d in bd.databases[database].get("depends", [])
        if d != BIOSPHERE and d in bd.databases and not _is_technosphere(bd, d)
    ]
    if not others:
        return {}
    ours = _biosphere_code_to_id(bd)
    mapping = {}
    query = AD.select(AD.id, AD.code).where(AD.database << others)
    for node_id, code in query.tuples():
        if code in ours:
            mapping[node_id] = ours[code]
    return mapping


def _user_datapackages(bd: Any, name: str, relink: dict[int, int]) -> list[Any]:
    package = bd.Database(name).datapackage()
    if not relink:
        return [package]
    import bw_processing as bwp
    import numpy as np

    biosphere = package.filter_by_attribute("matrix", "biosphere_matrix")
    groups = sorted({r["group"] for r in biosphere.resources})
    kept = package.exclude({"matrix": "biosphere_matrix"})
    moved = bwp.create_datapackage(sequential=True)
    for group in groups:
        indices = np.array(package.get_resource(f"{group}.indices")[0]).copy()
        rows = indices["row"]
        indices["row"] = np.array([relink.get(int(r), int(r)) for r in rows], dtype=rows.dtype)
        extra = {}
        for kind in ("flip", "distributions"):
            try:
                extra[f"{kind}_array"] = np.array(package.get_resource(f"{group}.{kind}")[0])
            except Exception:  # noqa: BLE001  (the resource is optional)
                pass
        moved.add_persistent_vector(
            matrix="biosphere_matrix",
            name=f"{group}-relinked",
            indices_array=indices,
            data_array=np.array(package.get_resource(f"{group}.data")[0]),
            **extra,
        )
    return [kept, moved]


def _use_project(bd: Any) -> bool:
    """Make scenat's project current if it exists (never creates or builds it)."""
    if bd.projects.current == PROJECT_NAME:
        return True
    if PROJECT_NAME not in bd.projects:
        return False
    bd.projects.set_current(PROJECT_NAME)
    return True


def user_databases() -> list[dict[str, Any]]:
    """Databases of scenat's Brightway project a case can use as ``<database>:<code>``.

    Anything imported into the project (``scenat data uslci``, or bw2io run inside
    :func:`brightway_project`) that holds processes, except scenat's own databases.
    """
    bd = import_brightway()
    with quiet_stdout():
        if not _use_project(bd):
            return []
        _reload_metadata(bd)
        return [
            {
                "name": name,
                "processes": len(bd.Database(name)),
                "depends": list(bd.databases[name].get("depends", [])),
                "format": bd.databases[name].get("format", ""),
                "imported": bd.databases[name].get("imported", ""),
            }
            for name in sorted(bd.databases)
            if _is_user_database(bd, name)
        ]


def lookup_process(database: str, code: str) -> dict[str, Any] | None:
    """Name, unit and location of a process of a user database, without building anything."""
    bd = import_brightway()
    from bw2data.backends import ActivityDataset as AD

    with quiet_stdout():
        if not _use_project(bd):
            return None
        if database == BIOSPHERE or database in _shipped_database_names():
            return None
        row = (
            AD.select(AD.name, AD.location, AD.product, AD.type, AD.data)
            .where((AD.database == database) & (AD.code == code))
            .tuples()
            .first()
        )
    if row is None or row[3] not in bd.labels.lci_node_types:
        return None
    name, location, product, _kind, data = row
    price_year = data.get("price_year")
    return {
        "name": name,
        "location": location,
        "product": product,
        "unit": data.get("unit"),
        # Spend sectors of IO models carry the year of the money in their unit.
        "price_year": int(price_year) if price_year not in (None, "") else None,
    }


def process_codes(database: str) -> list[str]:
    """Every process code of a user database (for suggestions); empty if there is none."""
    bd = import_brightway()
    from bw2data.backends import ActivityDataset as AD

    with quiet_stdout():
        if not _use_project(bd):
            return []
        if database == BIOSPHERE or database in _shipped_database_names():
            return []
        lci = list(bd.labels.lci_node_types)
        query = AD.select(AD.code).where((AD.database == database) & (AD.type << lci))
        return [code for (code,) in query.tuples()]


def search_processes(database: str, text: str | None = None) -> list[dict[str, Any]]:
    """Processes of a user database (name containing ``text``), with the id a case uses."""
    bd = import_brightway()
    from bw2data.backends import ActivityDataset as AD

    with quiet_stdout():
        if not _use_project(bd) or database == BIOSPHERE:
            return []
        if database in _shipped_database_names():
            return []
        lci = list(bd.labels.lci_node_types)
        where = (AD.database == database) & (AD.type << lci)
        if text:
            where &= AD.name.contains(text) | AD.product.contains(text)
        query = AD.select(AD.code, AD.name, AD.product, AD.location, AD.data).where(where)
        rows = [
            {
                "id": f"{database}{EXTERNAL_SEPARATOR}{code}",
                "name": name if not product or product == name else f"{name} | {product}",
                "unit": brightway_unit(data.get("unit")),
                "location": location,
            }
            for code, name, product, location, data in query.tuples()
        ]
    return sorted(rows, key=lambda r: r["name"])


def search_inventory(text: str) -> list[dict[str, str | None]]:
    """Shipped processes whose id or name holds every word of ``text`` (any case), then the
    processes of user Brightway databases (``<database>:<code>``) whose name holds ``text``.
    """
    words = text.lower().split()
    rows: list[dict[str, str | None]] = [
        {"id": p.id, "unit": p.unit, "name": p.name, "database": p.database, "location": p.location}
        for p in shipped_catalogue().processes.values()
        if all(w in f"{p.id} {p.name}".lower() for w in words)
    ]
    if brightway_dir().exists():  # a user database exists only in a project already built
        for database in user_databases():
            for row in search_processes(database["name"], text):
                rows.append({**row, "database": database["name"]})
    return rows


@contextlib.contextmanager
def brightway_project() -> Iterator[Any]:
    """bw2data with scenat's project current: import your own databases inside this block,
    e.g. a licensed ecoinvent with ``bw2io.SingleOutputEcospold2Importer(path, name)``, then
    ``apply_strategies()`` and ``write_database()``.

    >>> with brightway_project() as bd:
    ...     bd.Database("doc-example").write(
    ...         {("doc-example", "a"): {"name": "a", "unit": "kilogram", "exchanges": []}})
    ...     "doc-example" in bd.databases
    True
    >>> with brightway_project() as bd:
    ...     del bd.databases["doc-example"]
    """
    ensure_project()
    bd = import_brightway()
    bd.projects.set_current(PROJECT_NAME)
    yield bd
    _reload_metadata(bd)


def database_changed(name: str) -> None:
    """Forget what this process cached about a user database after it was (re)written."""
    _ensure_project.cache_clear()
    processes = project_catalogue().processes
    if isinstance(processes, ProcessTable):
        processes.forget(name)


class _ProjectProcesses:
    """The user databases of scenat's project, as a catalogue's source of ``<db>:<code>`` ids."""

    def lookup(self, database: str, code: str) -> dict[str, Any] | None:
        return lookup_process(database, code)

    def codes(self, database: str) -> list[str]:
        return process_codes(database)


@lru_cache(maxsize=4)
def _project_catalogue(root: str) -> Catalogue:
    return shipped_catalogue().with_external(_ProjectProcesses())


def project_catalogue() -> Catalogue:
    """What a case may name: the shipped catalogue plus processes of the project's user
    databases (``uslci:<code>``, looked up on first use; bw2data is imported only then).

    >>> "electricity_uk_grid_delivered" in project_catalogue().processes
    True
    """
    return _project_catalogue(str(inventories_dir()))


def _stamp_path(bd: Any) -> Path:
    return Path(bd.projects.dir) / STAMP_FILE


def _read_stamp(bd: Any) -> dict[str, Any]:
    """The stamp's identifying fields (schema, inventory, methods); {} when there is none."""
    try:
        stamp = json.loads(_stamp_path(bd).read_text())
    except (OSError, ValueError):
        return {}
    return {key: stamp.get(key) for key in ("schema", "inventory", "methods")}


def _write_stamp(bd: Any, stamp: dict[str, Any]) -> None:
    path = _stamp_path(bd)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stamp, indent=2))
    os.replace(tmp, path)


def _wanted_stamp(indicators: list[Indicator]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "inventory": inventory_version(),
        # scenat's own factors are part of what the methods are: a changed table rewrites them
        "methods": {i.id: list(i.method) for i in indicators}
        | {"scenat_methods": scenat_methods_version()},
    }


def ensure_project(indicators: list[Indicator] | None = None) -> Project:
    """Open the embedded project, building or updating it first when needed.

    Cheap when the project is up to date (a stamp comparison); takes a file lock only when
    something has to be built. The methods of every known indicator are built (default and
    optional ones), so asking for an optional indicator never rebuilds the project.
    """
    indicators = indicators or all_indicators()
    return _ensure_project(tuple(indicators), str(scenat_home()))


@lru_cache(maxsize=4)
def _ensure_project(indicators: tuple[Indicator, ...], home: str) -> Project:
    bd = import_brightway()
    wanted = _wanted_stamp(list(indicators))
    with quiet_stdout():
        if PROJECT_NAME in bd.projects:
            bd.projects.set_current(PROJECT_NAME)
        else:
            with _lock("setup.lock"):
                bd.projects.set_current(PROJECT_NAME)
        if _read_stamp(bd) != wanted:
            with _lock("setup.lock"):
                # Another process may have finished the work while we waited: bw2data keeps
                # its metadata (databases.json, methods.json) in memory, so read it again.
                _reload_metadata(bd)
                if _read_stamp(bd) != wanted:
                    _build(bd, list(indicators), wanted)
        return _open(bd, list(indicators))


def _lock(name: str) -> Any:
    """A lock file in SCENAT_HOME shared by every scenat process using it."""
    from filelock import FileLock

    return FileLock(str(scenat_home() / name), timeout=600)


def _reload_metadata(bd: Any) -> None:
    for metadata in (bd.databases, bd.methods, bd.geomapping):
        metadata.load()


def _build(bd: Any, indicators: list[Indicator], wanted: dict[str, Any]) -> None:
    """Build what the stamp says is missing; Brightway's progress output goes to a log file."""
    logs = scenat_home() / "logs"
    logs.mkdir(exist_ok=True)
    log_path = logs / "setup.log"
    print(
        f"scenat: setting up the embedded Brightway project in {scenat_home()} "
        f"(first use or new data; about 10 s; log: {log_path})",
        file=sys.stderr,
    )
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"--- set-up {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _build_logged(bd, indicators, wanted)


def _build_logged(bd: Any, indicators: list[Indicator], wanted: dict[str, Any]) -> None:
    started = time.perf_counter()
    stamp = _read_stamp(bd)
    if BIOSPHERE not in bd.databases or len(bd.Database(BIOSPHERE)) == 0:
        import bw2io

        if BIOSPHERE in bd.databases:
            del bd.databases[BIOSPHERE]
        bw2io.create_default_biosphere3()
    inventory_changed = (
        stamp.get("inventory") != wanted["inventory"] or stamp.get("schema") != wanted["schema"]
    )
    flows_rewritten = inventory_changed or INDICATOR_FLOWS not in bd.databases
    if flows_rewritten:
        # before the methods and the inventories: both refer to these flows' node ids, which a
        # rewrite renews, so both are written again after it
        _write_indicator_flows(bd)
    if (
        flows_rewritten
        or stamp.get("methods") != wanted["methods"]
        or stamp.get("schema") != wanted["schema"]
    ):
        _write_methods(bd, indicators)
    if inventory_changed:
        _write_inventories(bd)
    _write_stamp(bd, {**wanted, "built_in_seconds": round(time.perf_counter() - started, 3)})


def _biosphere_code_to_id(bd: Any) -> dict[str, int]:
    from bw2data.backends import ActivityDataset as AD

    return {
        code: node_id
        for code, node_id in AD.select(AD.code, AD.id).where(AD.database == BIOSPHERE).tuples()
    }


def _write_indicator_flows(bd: Any) -> None:
    """(Re)write the ``scenat_flows`` biosphere database from ``indicator_flows.csv``."""
    flows = [f for f in shipped_catalogue().elementary.values() if f.database == INDICATOR_FLOWS]
    data = {
        (INDICATOR_FLOWS, flow.code): {
            "name": flow.name,
            "categories": flow.categories,
            "unit": flow.unit,
            "type": "inventory indicator",
            "comment": f"scenat indicator flow {flow.id}",
        }
        for flow in flows
    }
    if INDICATOR_FLOWS in bd.databases:
        del bd.databases[INDICATOR_FLOWS]
    with contextlib.redirect_stderr(io.StringIO()):
        bd.Database(INDICATOR_FLOWS).write(data, searchable=False, check_typos=False)


def _indicator_flow_ids(bd: Any) -> dict[str, int]:
    """Flow id of the catalogue -> node id, for scenat's indicator flows."""
    from bw2data.backends import ActivityDataset as AD

    by_code = {
        f.code: f.id
        for f in shipped_catalogue().elementary.values()
        if f.database == INDICATOR_FLOWS
    }
    query = AD.select(AD.code, AD.id).where(AD.database == INDICATOR_FLOWS)
    return {by_code[code]: node for code, node in query.tuples() if code in by_code}


def _write_methods(bd: Any, indicators: list[Indicator]) -> None:
    wanted = {i.method: i for i in indicators}
    code_to_id = _biosphere_code_to_id(bd)
    found = set()
    own = scenat_methods()
    flow_ids = _indicator_flow_ids(bd) if any(name in own for name in wanted) else {}
    for name, method in own.items():
        if name not in wanted:
            continue
        found.add(name)
        missing_flows = [flow for flow, _ in method.factors if flow not in flow_ids]
        if missing_flows:
            raise BackgroundError(
                f"method {' | '.join(name)} characterises flows that inventories/"
                f"indicator_flows.csv lacks: {', '.join(missing_flows)}"
            )
        write_method_nodes(
            bd,
            name,
            [(flow_ids[flow], factor) for flow, factor in method.factors],
            unit=method.unit,
            description=method.description,
            filename="methods/scenat_methods.csv",
            scenat_indicator=wanted[name].id,
        )
    for name, bundled in bundled_methods().items():
        if name not in wanted:
            continue
        found.add(name)
        factors = [
            (code_to_id[code], amount)
            for database, code, amount in bundled.factors
            if database == BIOSPHERE and code in code_to_id
        ]
        write_method_nodes(
            bd,
            name,
            factors,
            unit=bundled.unit,
            description=bundled.description,
            filename=bundled.filename,
            scenat_indicator=wanted[name].id,
        )
    missing = set(wanted) - found
    if missing:
        raise BackgroundError(
            "these indicator methods are not in the LCIA data bundled with bw2io: "
            + "; ".join(" | ".join(m) for m in sorted(missing))
            + ". Check methods/indicators.csv and methods/scenat_methods.csv"
        )


def write_method_nodes(
    bd: Any, name: tuple[str, ...], factors: list[tuple[int, float]], **metadata: Any
) -> None:
    """(Re)write method ``name`` from (biosphere node id, factor) pairs; ``metadata`` is what
    ``Method.register`` records (``unit``, ``description``, ...)."""
    method = bd.Method(name)
    if name in bd.methods:
        method.deregister()
    method.register(**metadata)
    method.write(factors)


def _read_table(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _write_inventories(bd: Any) -> None:
    catalogue = shipped_catalogue()
    root = inventories_dir()
    folders = database_folders(root)
    wanted_names = {DATABASE_PREFIX + folder.name for folder in folders}
    for name in list(bd.databases):
        if name.startswith(DATABASE_PREFIX) and name not in wanted_names:
            del bd.databases[name]
    names = {DATABASE_PREFIX + folder.name: folder for folder in folders}
    prepared = {name: _database_data(name, folder, catalogue) for name, folder in names.items()}
    # bw2data checks that every linked process exists when a database is written, so a
    # database that buys from another (freight from the grids) is written after it.
    written: set[str] = set()
    while len(written) < len(prepared):
        ready = [
            name
            for name, (_, depends) in sorted(prepared.items())
            if name not in written and depends <= written | {name}
        ]
        if not ready:
            raise BackgroundError(
                "shipped databases link to each other in a loop: "
                + ", ".join(sorted(set(prepared) - written))
            )
        for name in ready:
            _write_data(bd, name, prepared[name][0])
            written.add(name)


def _uncertainty(row: dict[str, str], amount: float) -> dict[str, Any]:
    """An inventory row's distribution as Brightway exchange fields (none when it has none)."""
    distribution = (row.get("distribution") or "").strip()
    if not distribution:
        return {}

    def number(key: str) -> float | None:
        text = (row.get(key) or "").strip()
        return float(text) if text else None

    spread = Uncertainty(distribution, number("sd"), number("gsd"), number("min"), number("max"))
    return {**spread.stats_arrays(amount), "uncertainty source": row.get("uncertainty_source", "")}


def _database_data(
    name: str, folder: Path, catalogue: Catalogue
) -> tuple[dict[tuple[str, str], dict[str, Any]], set[str]]:
    """A shipped folder as bw2data's dict, and the databases its exchanges link to."""
    processes = _read_table(folder / "processes.csv")
    exchanges = _read_table(folder / "exchanges.csv")
    owner = {p["id"]: catalogue.processes[p["id"]].database for p in processes}
    data: dict[tuple[str, str], dict[str, Any]] = {}
    for row in processes:
        data[(name, row["id"])] = {
            "name": row["name"],
            "reference product": row.get("reference_product") or row["name"],
            "unit": row["unit"],
            "location": row.get("location") or "GLO",
            "type": "process",
            "comment": row.get("comment", ""),
            "provenance": {k: row.get(k, "") for k in ("source", "table", "year", "licence")},
            "exchanges": [
                {"input": (name, row["id"]), "amount": 1.0, "type": "production"},
            ],
        }
    for number, row in enumerate(exchanges, start=2):
        process = (name, row["process"])
        if process not in data:
            raise BackgroundError(
                f"{folder / 'exchanges.csv'}, row {number}, column process: unknown process "
                f"{row['process']!r}"
            )
        amount = float(row["amount"])
        provenance = {k: row.get(k, "") for k in ("source", "table", "year", "licence", "comment")}
        provenance.update(_uncertainty(row, amount))
        if row["type"] == "biosphere":
            flow = catalogue.elementary.get(row["input"])
            if flow is None:
                raise BackgroundError(
                    f"{folder / 'exchanges.csv'}, row {number}, column input: unknown elementary "
                    f"flow {row['input']!r}"
                )
            data[process]["exchanges"].append(
                {
                    "input": (flow.database, flow.code),
                    "amount": amount,
                    "type": "biosphere",
                    **provenance,
                }
            )
        elif row["type"] == "technosphere":
            supplier = row["input"]
            if supplier not in owner and supplier not in catalogue.processes:
                raise BackgroundError(
                    f"{folder / 'exchanges.csv'}, row {number}, column input: unknown process "
                    f"{supplier!r}"
                )
            database = DATABASE_PREFIX + catalogue.processes[supplier].database
            data[process]["exchanges"].append(
                {
                    "input": (database, supplier),
                    "amount": amount,
                    "type": "technosphere",
                    **provenance,
                }
            )
        else:
            raise BackgroundError(
                f"{folder / 'exchanges.csv'}, row {number}, column type: {row['type']!r} is "
                "neither 'biosphere' nor 'technosphere'"
            )
    depends = {
        exchange["input"][0]
        for activity in data.values()
        for exchange in activity["exchanges"]
        if exchange["type"] == "technosphere"
    }
    return data, depends


def _write_data(bd: Any, name: str, data: dict[tuple[str, str], dict[str, Any]]) -> None:
    if name in bd.databases:
        del bd.databases[name]
    db = bd.Database(name)
    # Database.write draws a progress bar on stdout and logs; both are redirected by callers.
    with contextlib.redirect_stderr(io.StringIO()):
        # No search index (scenat looks processes up by id) and no typo checks (the tables
        # are generated): together about 3 s of the set-up.
        db.write(data, searchable=False, check_typos=False)


def _open(bd: Any, indicators: list[Indicator]) -> Project:
    from bw2data.backends import ActivityDataset as AD

    names = [DATABASE_PREFIX + folder.name for folder in database_folders()]
    missing = [n for n in names if n not in bd.databases]
    if missing:
        raise BackgroundError(f"background databases missing from the project: {missing}")
    catalogue = project_catalogue()
    project = Project(
        name=PROJECT_NAME,
        databases=names,
        methods={i.id: i.method for i in indicators},
        catalogue=catalogue,
    )
    query = AD.select(AD.code, AD.id, AD.name, AD.database).where(AD.database << names)
    for code, node_id, label, _database in query.tuples():
        project.process_ids[code] = node_id
        project.process_names[node_id] = (code, label)
    codes = {flow.code: flow for flow in catalogue.elementary.values()}
    query = AD.select(AD.code, AD.id, AD.name, AD.data).where(
        AD.database << [BIOSPHERE, INDICATOR_FLOWS]
    )
    for code, node_id, label, data in query.tuples():
        categories = "/".join(data.get("categories", ()))
        if code in codes:
            project.biosphere_ids[codes[code].id] = node_id
            key = codes[code].id
        else:
            key = code
        unit = BIOSPHERE_UNITS.get(data.get("unit", ""), data.get("unit", ""))
        project.biosphere_info[node_id] = (key, f"{label} ({categories})", unit)
    return project
