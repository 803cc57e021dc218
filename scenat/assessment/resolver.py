"""What-if totals without re-linking: modified copies of a case scored by the foreground alone.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> case = scenat.read_case(examples_dir() / "bicycle")
>>> resolver = ForegroundResolver(case)
>>> fast = resolver(case, ["gwp100"])["gwp100"]
>>> abs(fast - scenat.assess(case).total("gwp100")) < 1e-9 * fast
True
"""

from __future__ import annotations

from collections.abc import Sequence

from scenat.assessment.result import assess
from scenat.brightway.link import link
from scenat.calc.foreground import foreground_model, foreground_totals
from scenat.calc.linked import LinkedSystem
from scenat.model.case import Case
from scenat.model.indicators import resolve


class ForegroundResolver:
    """Scores modified copies of a case without re-linking or re-factorising anything.

    Built once from a base case; each call takes a case with the same nodes (flows may be
    changed, added, removed or re-pointed at other background processes) and returns its
    totals. A case with other nodes falls back to a full assessment.
    """

    def __init__(
        self,
        case: Case,
        linked: LinkedSystem | None = None,
        indicators: Sequence[str] | None = None,
    ):
        self.indicators = resolve(list(indicators) if indicators else None)
        self.linked = linked or link(case, indicators=self.indicators)
        self.nodes = set(self.linked.node_order)

    def __call__(self, case: Case, indicator_ids: Sequence[str]) -> dict[str, float]:
        chosen = [i for i in self.indicators if i.id in set(indicator_ids)]
        missing = set(indicator_ids) - {i.id for i in chosen}
        if missing or set(case.nodes) != self.nodes:
            result = assess(case, indicators=list(indicator_ids), circular=False)
            return {i: result.total(i) for i in indicator_ids}
        return foreground_totals(foreground_model(case, self.linked, chosen))
