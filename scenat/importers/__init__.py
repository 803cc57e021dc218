"""Importers: published open data in, scenat's inventory schema (:mod:`.inventory`) or a
Brightway database out, each run through :func:`run_importer` (``scenat data SOURCE ...``).

One module per source: DESNZ (:mod:`.desnz`), US EPA spend factors (:mod:`.epa`), Ember grid
intensities (:mod:`.grid`), curated USLCI materials (:mod:`.curated`), ÖKOBAUDAT construction
products as EN 15804 indicator results (:mod:`.okobaudat`), openLCA JSON-LD and USLCI
(:mod:`.olca`, :mod:`.uslci`), ILCD XML (:mod:`.ilcd`) and the reviewed TianGong set
(:mod:`.tiangong`), USEEIO and EXIOBASE (:mod:`.io_models`).
"""

from scenat.importers.inventory import (
    EXCHANGE_COLUMNS,
    PROCESS_COLUMNS,
    UNCERTAINTY_COLUMNS,
    write_inventory,
)
from scenat.importers.runner import SOURCES, run_importer

__all__ = [
    "EXCHANGE_COLUMNS",
    "PROCESS_COLUMNS",
    "SOURCES",
    "UNCERTAINTY_COLUMNS",
    "run_importer",
    "write_inventory",
]
