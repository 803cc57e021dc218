"""The supply-chain model and its vocabulary: no case files, no Brightway.

A :class:`Case` of :class:`Node` and :class:`Flow` objects (units already converted), the
names of the workbook contract (:mod:`scenat.model.schema`), what a case may reference
(:class:`Catalogue` of shipped processes and elementary flows), the indicators
(:mod:`scenat.model.indicators`), units (:mod:`scenat.model.units`, one pint registry),
money (:mod:`scenat.model.currency`) and the one reader of located cells
(:class:`Cells`). Everything above builds on these; they import nothing of scenat but
:mod:`scenat.errors` and :mod:`scenat.paths`.
"""

from scenat.model.case import Case, Flow, Node, Uncertainty
from scenat.model.catalogue import Catalogue, ElementaryFlow, ProcessInfo, shipped_catalogue
from scenat.model.cells import Cells
from scenat.model.indicators import Indicator

__all__ = [
    "Case",
    "Catalogue",
    "Cells",
    "ElementaryFlow",
    "Flow",
    "Indicator",
    "Node",
    "ProcessInfo",
    "Uncertainty",
    "shipped_catalogue",
]
