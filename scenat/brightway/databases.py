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
    """Cradle-to-gate inventories of some activities of one database (:func:`lci_of`).

    Beside ``g = B x`` per activity, the parts a spread propagation needs: the supply
    ``x`` of every activity (column) of the database, the biosphere matrix ``B`` (flows x
    activities), and per entry of ``B`` the part of its amount that carries the source's
    own distribution (``own_amount``) with that part's variance (``own_variance``, in the
    flow's unit squared); see :func:`spread_of`.
    """

    activities: dict[str, dict[str, Any]]  # code -> the activity's document
    inventories: dict[str, np.ndarray]  # code -> inventory of one unit, one value per flow
    flows: list[dict[str, Any]]  # the biosphere rows (flow document with its code)
    supply: dict[str, np.ndarray] | None = None  # code -> x, one value per column
    columns: list[dict[str, Any]] | None = None  # the activity document of each column
    biosphere: Any = None  # B, scipy CSR (flows x columns)
    own_amount: Any = None  # CSR like B: the part of each entry with its own distribution
    own_variance: Any = None  # CSR like B: that part's variance
    #: code -> (columns of its chain, rows of the technosphere they produce, the chain's LU
    #: factors): ``factors.solve(b, trans="T")`` is ``A_sub^-T b``, the sensitivity of a
    #: biosphere row's total to each product of the chain
    adjoint: dict[str, tuple[np.ndarray, np.ndarray, Any]] | None = None
    #: the variance of each technosphere entry with a stored distribution (CSR, products x
    #: columns, in the technosphere matrix's rows and columns; 0 elsewhere)
    technosphere_variance: Any = None


def spread_of(kind: int, amount: float, loc: float, scale: float, low: float, high: float) -> float:
    """The variance of one exchange from its stats_arrays distribution (nan: none).

    lognormal (2): ``amount^2 (exp(scale^2) - 1)``; normal (3): ``scale^2``; uniform (4):
    ``(high - low)^2 / 12``; triangular (5, mode ``loc``):
    ``(low^2 + high^2 + loc^2 - low high - low loc - high loc) / 18``.

    >>> spread_of(3, 2.0, 2.0, 0.5, float("nan"), float("nan"))
    0.25
    >>> spread_of(4, 2.0, 2.0, float("nan"), 1.0, 4.0)
    0.75
    """
    if kind == 2 and np.isfinite(scale) and scale > 0:
        return amount * amount * float(np.expm1(scale * scale))
    if kind == 3 and np.isfinite(scale) and scale > 0:
        return scale * scale
    if kind == 4 and np.isfinite(low) and np.isfinite(high) and high > low:
        return (high - low) ** 2 / 12.0
    if kind == 5 and np.isfinite(low) and np.isfinite(high) and high > low:
        return (low * low + high * high + loc * loc - low * high - low * loc - high * loc) / 18.0
    return float("nan")


def _reach(technosphere: Any, start: int, row_to_col: np.ndarray) -> np.ndarray:
    """Columns of the supply chain of column ``start`` (itself and everything it draws on)."""
    matrix = technosphere.tocsc()
    seen = np.zeros(matrix.shape[1], dtype=bool)
    stack = [start]
    seen[start] = True
    while stack:
        col = stack.pop()
        rows = matrix.indices[matrix.indptr[col] : matrix.indptr[col + 1]]
        for row in rows:
            nxt = row_to_col[row]
            if nxt >= 0 and not seen[nxt]:
                seen[nxt] = True
                stack.append(nxt)
    return np.flatnonzero(seen)


def lci_of(database: str, codes: Sequence[str], biosphere: str = BIOSPHERE) -> Inventories:
    """The inventory ``g = B A^-1 e`` of one unit of each activity ``codes`` of ``database``.

    Each activity's system is the part of the database its supply chain reaches (a large
    database may hold a singular corner, e.g. a process consuming what it produces, that
    none of the wanted chains touches); that part is factorised and solved. Every code must
    exist (else KeyError); a chain whose technosphere is singular raises RuntimeError naming
    the activity. The rows are the flows of ``biosphere`` the database uses.
    """
    from scipy.sparse.linalg import splu

    bd = _bd()
    with quiet_stdout(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc as bc

        db = bd.Database(database)
        ids = node_ids(database)
        missing = [code for code in codes if code not in ids]
        if missing:
            raise KeyError(f"no such nodes in {database!r}: {missing}")
        package = db.datapackage()
        lca = bc.LCA(
            {ids[codes[0]]: 1.0}, data_objs=[package, bd.Database(biosphere).datapackage()]
        )
        lca.load_lci_data()
        technosphere = lca.technosphere_matrix.tocsc()
        matrix = lca.biosphere_matrix.tocsr()
        product_of = {index: node for node, index in lca.dicts.product.items()}
        row_to_col = np.array(
            [lca.dicts.activity.get(product_of[row], -1) for row in range(technosphere.shape[0])]
        )
        by_row = {row: node_id for node_id, row in lca.dicts.biosphere.items()}
        by_id = dict(_flow_rows(biosphere))
        flows = [by_id[by_row[row]] for row in range(matrix.shape[0])]
        documents = dict(_flow_rows(database))
        by_col = {col: node_id for node_id, col in lca.dicts.activity.items()}
        columns = [documents[by_col[col]] for col in range(technosphere.shape[1])]
        col_to_row = np.full(technosphere.shape[1], -1)
        col_to_row[row_to_col[row_to_col >= 0]] = np.flatnonzero(row_to_col >= 0)
        activities, inventories, supply, adjoint = {}, {}, {}, {}
        for code in codes:
            activities[code] = dict(db.get(code).as_dict())
            start = lca.dicts.activity[ids[code]]
            cols = _reach(technosphere, start, row_to_col)
            rows = col_to_row[cols]
            sub = technosphere[rows][:, cols].tocsc()
            demand = np.zeros(len(cols))
            demand[np.searchsorted(cols, start)] = 1.0
            try:
                factors = splu(sub)
                x_sub = factors.solve(demand)
            except RuntimeError as exc:
                raise RuntimeError(
                    f"{database}:{code} ({activities[code].get('name')}): its supply chain of "
                    f"{len(cols)} activities has a singular technosphere ({exc})"
                ) from None
            x = np.zeros(technosphere.shape[1])
            x[cols] = x_sub
            supply[code] = x
            adjoint[code] = (cols, rows, factors)
            inventories[code] = np.asarray(matrix @ x).ravel()
        own_amount, own_variance = _own_spreads(package, database, lca, matrix.shape)
        tech_variance = _technosphere_spreads(package, database, lca, technosphere.shape)
    return Inventories(
        activities,
        inventories,
        flows,
        supply=supply,
        columns=columns,
        biosphere=matrix,
        own_amount=own_amount,
        own_variance=own_variance,
        adjoint=adjoint,
        technosphere_variance=tech_variance,
    )


def _technosphere_spreads(package: Any, database: str, lca: Any, shape: tuple[int, int]) -> Any:
    """Variance of each technosphere entry whose exchange has a stored distribution (CSR)."""
    from scipy import sparse

    rows, cols, variances = [], [], []
    try:
        indices, _ = package.get_resource(f"{database}_technosphere_matrix.indices")
        data, _ = package.get_resource(f"{database}_technosphere_matrix.data")
        dists, _ = package.get_resource(f"{database}_technosphere_matrix.distributions")
    except KeyError:
        return sparse.csr_matrix(shape)
    for (product, activity), amount, dist in zip(indices.tolist(), data.tolist(), dists.tolist()):
        kind, loc, scale, _, low, high, _ = dist
        variance = spread_of(int(kind), float(amount), loc, scale, low, high)
        row, col = lca.dicts.product.get(product), lca.dicts.activity.get(activity)
        if not np.isfinite(variance) or row is None or col is None:
            continue
        rows.append(row)
        cols.append(col)
        variances.append(variance)
    return sparse.csr_matrix((variances, (rows, cols)), shape=shape)


def _own_spreads(package: Any, database: str, lca: Any, shape: tuple[int, int]) -> tuple:
    """Per biosphere entry: the amount with a stored distribution and its variance (CSR)."""
    from scipy import sparse

    rows, cols, amounts, variances = [], [], [], []
    try:
        indices, _ = package.get_resource(f"{database}_biosphere_matrix.indices")
        data, _ = package.get_resource(f"{database}_biosphere_matrix.data")
        dists, _ = package.get_resource(f"{database}_biosphere_matrix.distributions")
    except KeyError:  # bw2data writes no distributions when no exchange has one
        empty = sparse.csr_matrix(shape)
        return empty, empty
    for (flow, activity), amount, dist in zip(indices.tolist(), data.tolist(), dists.tolist()):
        kind, loc, scale, _, low, high, _ = dist
        variance = spread_of(int(kind), float(amount), loc, scale, low, high)
        if not np.isfinite(variance):
            continue
        row, col = lca.dicts.biosphere.get(flow), lca.dicts.activity.get(activity)
        if row is None or col is None:
            continue
        rows.append(row)
        cols.append(col)
        amounts.append(float(amount))
        variances.append(variance)
    own = sparse.csr_matrix((amounts, (rows, cols)), shape=shape)
    var = sparse.csr_matrix((variances, (rows, cols)), shape=shape)
    return own, var


def activity_exchanges(database: str, code: str) -> list[dict[str, Any]]:
    """The exchanges of one activity as stored (``input`` ``(database, code)``, ``amount``,
    ``type``, stats_arrays uncertainty fields); KeyError when there is no such activity."""
    bd = _bd()
    try:
        activity = bd.Database(database).get(code)
    except Exception as exc:  # bw2data raises its own UnknownObject
        raise KeyError(f"no such node {database}:{code}") from exc
    return [dict(exchange.as_dict()) for exchange in activity.exchanges()]


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
