"""Brightway: the only part of scenat that imports bw2data, bw2calc, bw2io or bw_processing.

The embedded project (:mod:`scenat.brightway.project`: set-up on first use, shipped and user
databases, the catalogue of what a case may name), linking a case to it (:func:`link`: one
factorisation, a :class:`~scenat.calc.LinkedSystem`), and the databases and methods the
importers write and read (:mod:`scenat.brightway.databases`). Importing this package does
not import bw2data; the first call that needs it does.
"""

from scenat.brightway.databases import (
    Inventories,
    activity_exchanges,
    biosphere_flows,
    database_metadata,
    database_names,
    delete_database,
    lca_score,
    lci_of,
    method_names,
    node_ids,
    normalize_unit,
    set_database_metadata,
    setup_lock,
    spread_of,
    write_database,
    write_method,
)
from scenat.brightway.link import link
from scenat.brightway.project import (
    BIOSPHERE,
    DATABASE_PREFIX,
    Project,
    brightway_project,
    database_changed,
    ensure_project,
    project_catalogue,
    quiet_stdout,
    search_inventory,
    search_processes,
    user_databases,
)

__all__ = [
    "BIOSPHERE",
    "DATABASE_PREFIX",
    "Inventories",
    "Project",
    "activity_exchanges",
    "biosphere_flows",
    "brightway_project",
    "database_changed",
    "database_metadata",
    "database_names",
    "delete_database",
    "ensure_project",
    "lca_score",
    "lci_of",
    "link",
    "method_names",
    "node_ids",
    "normalize_unit",
    "project_catalogue",
    "quiet_stdout",
    "search_inventory",
    "search_processes",
    "set_database_metadata",
    "spread_of",
    "setup_lock",
    "user_databases",
    "write_database",
    "write_method",
]
