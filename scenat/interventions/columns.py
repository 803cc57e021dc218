"""A case's flows as columns, so that options are matched and applied by array operations.

An option on a 50,000-node case matches and rescales hundreds of thousands of flows; as
:class:`~scenat.model.case.Flow` objects that is most of an evaluation's time. A
:class:`FlowTable` holds, per flow, its node (index into the case's ``nodes``), its key
``(kind, input, reference_unit)`` (index into a registry shared by every table made from
the same base case), its ``amount_in_reference`` and the base flow it stems from (-1 for a
flow an option added). Whether an option takes a flow depends only on its key and its node,
so :func:`scenat.interventions.matching.matched_rows` decides once per key and per node;
:func:`scenat.interventions.apply.apply_rows` makes the modified table. A table is the
case :func:`scenat.interventions.apply.apply` would make, row for row (same flows in the
same order, same amounts); :attr:`FlowTable.case` builds that case when a solve needs one,
and :meth:`FlowTable.changes` gives the difference from the base case for
:class:`scenat.assessment.ForegroundResolver`, which scores it without a case.

>>> from scenat.casefile import read_case, resolve_case
>>> case = read_case(resolve_case("bicycle"))
>>> table = FlowTable.of(case)
>>> len(table) == len(case.flows), table.case is case
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scenat.assessment.resolver import FlowChanges
from scenat.brightway import project_catalogue
from scenat.interventions.functions import Functions, shipped_functions
from scenat.model.case import Case
from scenat.model.catalogue import Catalogue


@dataclass(eq=False)
class Context:
    """What every table of one base case shares: the case, the catalogue and functions
    matched against, the key registry (append-only) and per-option decisions."""

    case: Case
    catalogue: Catalogue
    functions: Functions
    node_ids: list[str]
    base_amount: np.ndarray
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    index: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: per option (by identity): its decisions per key and per node, see ``matching``
    decisions: dict[int, Any] = field(default_factory=dict)
    #: added inputs decided, see ``apply``: (target, kind, input bought, place) -> (key, factor)
    added: dict[tuple[str, str, str, int], tuple[int, float]] = field(default_factory=dict)
    _places: tuple[list[str | None], np.ndarray] | None = None

    def locations(self) -> tuple[list[str | None], np.ndarray]:
        """The distinct node locations, and each node's index into them."""
        if self._places is None:
            places: dict[str | None, int] = {}
            where = np.fromiter(
                (
                    places.setdefault(self.case.nodes[n].location, len(places))
                    for n in self.node_ids
                ),
                dtype=np.int64,
                count=len(self.node_ids),
            )
            self._places = (list(places), where)
        return self._places

    def code(self, kind: str, put: str, unit: str) -> int:
        """The registry index of ``(kind, input, reference_unit)``, added when new."""
        key = (kind, put, unit)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.keys)
            self.keys.append(key)
        return found


@dataclass(eq=False)
class FlowTable:
    """One case's flows as columns (see the module docstring); made by :meth:`of` for a
    case, by :func:`scenat.interventions.apply.apply_rows` for a modified one."""

    context: Context
    node: np.ndarray  # int64, index into context.node_ids
    key: np.ndarray  # int64, index into context.keys
    amount: np.ndarray  # float, amount_in_reference
    origin: np.ndarray  # int64, index into the base case's flows, -1 for an added flow
    materialise: Callable[[], Case]
    _case: Case | None = None
    _changes: FlowChanges | None = None

    @classmethod
    def of(
        cls, case: Case, catalogue: Catalogue | None = None, functions: Functions | None = None
    ) -> FlowTable:
        """The flows of ``case`` as columns (one pass over them)."""
        node_ids = list(case.nodes)
        where = {n: i for i, n in enumerate(node_ids)}
        flows = case.flows
        context = Context(
            case,
            catalogue or project_catalogue(),
            functions or shipped_functions(),
            node_ids,
            np.fromiter((f.amount_in_reference for f in flows), dtype=float, count=len(flows)),
        )
        code = context.code
        key = np.fromiter(
            (code(f.kind, f.input, f.reference_unit) for f in flows),
            dtype=np.int64,
            count=len(flows),
        )
        node = np.fromiter((where[f.node] for f in flows), dtype=np.int64, count=len(flows))
        origin = np.arange(len(flows), dtype=np.int64)
        return cls(context, node, key, context.base_amount.copy(), origin, lambda: case, case)

    def __len__(self) -> int:
        return len(self.key)

    @property
    def base(self) -> Case:
        """The case every table of this context was made from."""
        return self.context.case

    @property
    def case(self) -> Case:
        """This table as a :class:`Case` (built once, when asked for)."""
        if self._case is None:
            self._case = self.materialise()
        return self._case

    def changes(self) -> FlowChanges:
        """The difference from the base case: the base flows not kept as they were, and the
        flows this table has that the base has not (rescaled base flows among them)."""
        if self._changes is None:
            base = self.context.base_amount
            origin = self.origin
            from_base = origin >= 0
            same = np.zeros(len(origin), dtype=bool)
            same[from_base] = self.amount[from_base] == base[origin[from_base]]
            present = np.zeros(len(base), dtype=bool)
            present[origin[same]] = True
            put = np.flatnonzero(~same)
            used, key = np.unique(self.key[put], return_inverse=True)
            keys = self.context.keys
            self._changes = FlowChanges(
                base=self.base,
                removed=np.flatnonzero(~present),
                node=self.node[put],
                keys=[keys[k][:2] for k in used],
                key=key.astype(np.int64).ravel(),
                amount=self.amount[put],
                materialise=lambda: self.case,
            )
        return self._changes
