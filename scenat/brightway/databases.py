"""Databases and methods of scenat's project, for the importers: their one way into Brightway.

The importers (:mod:`scenat.importers`) write databases and methods into the embedded
project and run small LCAs there through these functions, so that only
:mod:`scenat.brightway` imports bw2data, bw2calc and bw2io. Every function opens the
project first (building it on first use) and keeps Brightway's output off stdout. A node
is named ``(database, code)``; a biosphere3 flow may be named by its code alone.

>>> BIOSPHERE in database_names()
True
>>> database_metadata("no such database")
{}
>>> normalize_unit("kg"), normalize_unit("t*km"), normalize_unit("widgets")
('kilogram', 'ton kilometer', 'widgets')
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from scenat.brightway.project import (
    BIOSPHERE,
    PROJECT_NAME,
    _lock,
    _reload_metadata,
    ensure_project,
    import_brightway,
    quiet_stdout,
    write_method_nodes,
)

#: a node: ``(database, code)``, or a biosphere3 flow's code alone
Key = tuple[str, str] | str


def _bd() -> Any:
    """bw2data with scenat's project built and current."""
    ensure_project()  # cached: a stamp check at most, and no lock once the project is built
    bd = import_brightway()
    if bd.projects.current != PROJECT_NAME:
        bd.projects.set_current(PROJECT_NAME)
    return bd


def _key(key: Key) -> tuple[str, str]:
    return (BIOSPHERE, key) if isinstance(key, str) else (key[0], key[1])


@contextlib.contextmanager
def setup_lock() -> Iterator[None]:
    """Hold the set-up lock every scenat process of this ``SCENAT_HOME`` shares, with the
    project's metadata read afresh: for a check-then-write (is it written yet? write it).

    The project is built before the lock is taken, so this module's functions work inside it.
    """
    bd = _bd()
    with quiet_stdout(), _lock("setup.lock"):
        _reload_metadata(bd)
        yield


def database_names() -> list[str]:
    """Every database of the project (biosphere3, scenat's own, imported ones)."""
    return list(_bd().databases)


def database_metadata(name: str) -> dict[str, Any]:
    """A copy of what the project records about database ``name``; ``{}`` if there is none."""
    return dict(_bd().databases.get(name, {}))


def set_database_metadata(name: str, **fields: Any) -> None:
    """Add ``fields`` to the metadata of database ``name`` (written to disk at once)."""
    bd = _bd()
    bd.databases[name] = {**bd.databases[name], **fields}
    bd.databases.flush()


def delete_database(name: str) -> None:
    """Delete database ``name`` with its nodes; nothing happens if there is none."""
    bd = _bd()
    with quiet_stdout():
        if name in bd.databases:
            del bd.databases[name]


def write_database(
    name: str,
    data: dict[tuple[str, str], dict[str, Any]],
    searchable: bool = False,
    **metadata: Any,
) -> None:
    """Write ``data`` (``(name, code)`` -> activity or flow document, as ``Database.write``
    takes it) as database ``name``, replacing its nodes; ``metadata``, if any, is registered
    first. No typo checks (importers generate the documents); a search index if
    ``searchable``."""
    bd = _bd()
    db = bd.Database(name)
    with quiet_stdout():
        if metadata:
            db.register(**metadata)
        with contextlib.redirect_stderr(io.StringIO()):  # progress bars
            db.write(data, searchable=searchable, check_typos=False)


def method_names() -> list[tuple[str, ...]]:
    """Names of every LCIA method of the project."""
    return list(_bd().methods)


def write_method(
    name: tuple[str, ...],
    factors: Sequence[tuple[Key, float]],
    unit: str,
    description: str = "",
    **metadata: Any,
) -> None:
    """(Re)write method ``name`` from (flow, characterisation factor) pairs; a flow is a
    biosphere3 code or ``(database, code)``, and must exist (else KeyError)."""
    bd = _bd()
    keys = [_key(flow) for flow, _ in factors]
    ids = {database: node_ids(database) for database in {k[0] for k in keys}}
    nodes = [(ids[db][code], float(cf)) for (db, code), (_, cf) in zip(keys, factors)]
    with quiet_stdout():
        write_method_nodes(bd, tuple(name), nodes, unit=unit, description=description, **metadata)


def node_ids(database: str) -> dict[str, int]:
    """Code -> Brightway node id (a 64-bit integer) of every node of ``database``."""
    _bd()
    from bw2data.backends import ActivityDataset as AD

    return dict(AD.select(AD.code, AD.id).where(AD.database == database).tuples())


def _flow_rows(database: str) -> list[tuple[int, dict[str, Any]]]:
    _bd()
    from bw2data.backends import ActivityDataset as AD

    rows = AD.select(AD.id, AD.code, AD.data).where(AD.database == database).tuples()
    return [(node_id, {**data, "code": code}) for node_id, code, data in rows]


def biosphere_flows(database: str = BIOSPHERE) -> list[dict[str, Any]]:
    """Every flow of a biosphere database: its document (name, categories, unit, CAS number,
    synonyms, ...) with its ``code``."""
    return [flow for _, flow in _flow_rows(database)]


class Inventories(NamedTuple):
    """Cradle-to-gate inventories of some activities of one database (:func:`lci_of`)."""

    activities: dict[str, dict[str, Any]]  # code -> the activity's document
    inventories: dict[str, np.ndarray]  # code -> inventory of one unit, one value per flow
    flows: list[dict[str, Any]]  # the biosphere rows (flow document with its code)


def lci_of(database: str, codes: Sequence[str], biosphere: str = BIOSPHERE) -> Inventories:
    """The inventory ``g = B A^-1 e`` of one unit of each activity ``codes`` of ``database``:
    its technosphere factorised once, one solve per activity. Every code must exist (else
    KeyError); the rows are the flows of ``biosphere`` the database uses."""
    from scipy.sparse.linalg import factorized

    bd = _bd()
    with quiet_stdout(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc as bc

        db = bd.Database(database)
        ids = node_ids(database)
        missing = [code for code in codes if code not in ids]
        if missing:
            raise KeyError(f"no such nodes in {database!r}: {missing}")
        lca = bc.LCA(
            {ids[codes[0]]: 1.0}, data_objs=[db.datapackage(), bd.Database(biosphere).datapackage()]
        )
        lca.load_lci_data()
        solve = factorized(lca.technosphere_matrix.tocsc())
        matrix = lca.biosphere_matrix.tocsr()
        by_row = {row: node_id for node_id, row in lca.dicts.biosphere.items()}
        by_id = dict(_flow_rows(biosphere))
        flows = [by_id[by_row[row]] for row in range(matrix.shape[0])]
        activities, inventories = {}, {}
        for code in codes:
            activities[code] = dict(db.get(code).as_dict())
            demand = np.zeros(lca.technosphere_matrix.shape[0])
            demand[lca.dicts.product[ids[code]]] = 1.0
            inventories[code] = np.asarray(matrix @ solve(demand)).ravel()
    return Inventories(activities, inventories, flows)


def lca_score(
    demand: Mapping[tuple[str, str], float], method: tuple[str, ...], databases: Sequence[str]
) -> float:
    """Score of ``demand`` (``(database, code)`` -> amount) for ``method`` by bw2calc, with the
    matrices of ``databases`` (the demand's own and those it draws on)."""
    bd = _bd()
    ids = {database: node_ids(database) for database in {d for d, _ in demand}}
    fu = {ids[database][code]: float(v) for (database, code), v in demand.items()}
    with quiet_stdout(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc as bc

        data = [bd.Database(name).datapackage() for name in databases]
        data.append(bd.Method(tuple(method)).datapackage())
        lca = bc.LCA(fu, data_objs=data)
        lca.lci()
        lca.lcia()
    return float(lca.score)


def normalize_unit(text: str) -> str:
    """bw2io's name for a unit (``kg`` -> ``kilogram``); a unit it does not know is kept."""
    return _bw2io_normalize_units()(text)


@lru_cache(maxsize=1)
def _bw2io_normalize_units() -> Any:
    import_brightway()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from bw2io.units import normalize_units
    return normalize_units
