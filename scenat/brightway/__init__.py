"""Brightway: the only part of scenat that imports bw2data, bw2calc or bw_processing.

The embedded project (:mod:`scenat.brightway.project`: set-up on first use, shipped and user
databases, the catalogue of what a case may name) and linking a case to it
(:func:`link`: one factorisation, a :class:`~scenat.calc.LinkedSystem`). Importing this
package does not import bw2data; the first call that needs it does.
"""

from scenat.brightway.link import link
from scenat.brightway.project import (
    Project,
    brightway_project,
    ensure_project,
    project_catalogue,
    search_inventory,
    search_processes,
    user_databases,
)

__all__ = [
    "Project",
    "brightway_project",
    "ensure_project",
    "link",
    "project_catalogue",
    "search_inventory",
    "search_processes",
    "user_databases",
]
