"""Assessing a case: link it once, then totals, hotspots, paths, the graph, comparisons.

>>> from scenat.assessment import assess
>>> from scenat.casefile import read_case, resolve_case
>>> round(assess(read_case(resolve_case("bicycle")), ["gwp100"]).total("gwp100"), 1)
57.3
"""

from scenat.assessment.circularity import Circularity, circularity
from scenat.assessment.compare import compare_hotspots, compare_totals
from scenat.assessment.hotspots import carbon_vs_resources
from scenat.assessment.resolver import ForegroundResolver
from scenat.assessment.result import Assessment, assess

__all__ = [
    "Assessment",
    "Circularity",
    "ForegroundResolver",
    "assess",
    "carbon_vs_resources",
    "circularity",
    "compare_hotspots",
    "compare_totals",
]
