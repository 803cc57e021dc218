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

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import Any

import numpy as np

from scenat.assessment.resolver import BaseChanges, FlowChanges
from scenat.brightway import project_catalogue
from scenat.interventions.functions import Functions, shipped_functions
from scenat.model.case import Case, Flow, Node
from scenat.model.catalogue import Catalogue

_KEY = attrgetter("kind", "input", "reference_unit")
_NODE = attrgetter("node")
_AMOUNT = attrgetter("amount_in_reference")
#: the integer type of a table's index columns: half of int64's memory, and a case has
#: far fewer than 2**31 flows
INDEX = np.int32
_NONE = np.zeros(0, dtype=INDEX)


@dataclass(eq=False)
class Context:
    """What every table of one base case shares: the case, the catalogue and functions
    matched against, the key registry (append-only), per-option decisions, and the very
    nodes and flows the first table was made from (held, so their ids stay theirs)."""

    case: Case
    catalogue: Catalogue
    functions: Functions
    node_ids: list[str]
    base_amount: np.ndarray
    flows: list[Flow] = field(default_factory=list)
    flow_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    nodes: list[Node] = field(default_factory=list)
    #: ``(kind, input, reference_unit)`` of each key, and the reverse
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    index: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: per option (by identity): its decisions per key and per node, see ``matching``
    decisions: dict[int, Any] = field(default_factory=dict)
    #: added inputs decided, see ``apply``: (target, kind, input bought, place) -> (key, factor)
    added: dict[tuple[str, str, str, int], tuple[int, float]] = field(default_factory=dict)
    _by_kind: dict[str, list[int]] = field(default_factory=dict)
    _places: dict[str, tuple[list[Any], np.ndarray]] = field(default_factory=dict)

    def code(self, kind: str, put: str, unit: str) -> int:
        """The registry index of ``(kind, input, reference_unit)``, added when new."""
        key = (kind, put, unit)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.keys)
            self.keys.append(key)
            self._by_kind.setdefault(kind, []).append(found)
        return found

    def keys_of_kinds(self, kinds: Sequence[str], first: int = 0) -> list[int]:
        """Registry indices from ``first`` on of the keys of these kinds, in order."""
        found: list[int] = []
        for kind in set(kinds):
            codes = self._by_kind.get(kind, [])
            found.extend(codes[bisect_left(codes, first) :])
        return sorted(found)

    def locations(self) -> tuple[list[str | None], np.ndarray]:
        """The distinct node locations, and each node's index into them."""
        return self._distinct("location", lambda node: node.location)

    def places(self) -> tuple[list[tuple[str, int, str | None]], np.ndarray]:
        """The distinct ``(stage, tier, location)`` of the nodes, and each node's index into
        them (what an option's stage, tier and location filters look at)."""
        return self._distinct("place", lambda node: (node.stage, node.tier, node.location))

    def _distinct(self, name: str, of: Callable[[Node], Any]) -> tuple[list[Any], np.ndarray]:
        if name not in self._places:
            seen: dict[Any, int] = {}
            nodes = self.case.nodes
            where = np.fromiter(
                (seen.setdefault(of(nodes[n]), len(seen)) for n in self.node_ids),
                dtype=np.int64,
                count=len(self.node_ids),
            )
            self._places[name] = (list(seen), where)
        return self._places[name]


@dataclass(eq=False)
class FlowTable:
    """One case's flows as columns (see the module docstring); made by :meth:`of` for a
    case, by :func:`scenat.interventions.apply.apply_rows` for a modified one."""

    context: Context
    node: np.ndarray  # int32 (:data:`INDEX`), index into context.node_ids
    key: np.ndarray  # int32, index into context.keys
    amount: np.ndarray  # float, amount_in_reference
    origin: np.ndarray  # int32, index into the base case's flows, -1 for an added flow
    materialise: Callable[[], Case]
    _case: Case | None = None
    #: the table this one was made from, and the step from it as signed rows
    #: ``(node, key, amount)`` (a row taken out has minus its amount)
    parent: FlowTable | None = None
    step: tuple[np.ndarray, np.ndarray, np.ndarray] = (_NONE, _NONE, np.zeros(0))
    _changes: FlowChanges | None = None

    @classmethod
    def of(
        cls, case: Case, catalogue: Catalogue | None = None, functions: Functions | None = None
    ) -> FlowTable:
        """The flows of ``case`` as columns (one pass over them)."""
        node_ids = list(case.nodes)
        where = {n: i for i, n in enumerate(node_ids)}
        flows = case.flows
        count = len(flows)
        context = Context(
            case,
            catalogue or project_catalogue(),
            functions or shipped_functions(),
            node_ids,
            np.fromiter(map(_AMOUNT, flows), dtype=float, count=count),
        )
        # Attribute getters mapped over the flows: no Python frame per flow.
        triples = list(map(_KEY, flows))
        for kind, put, unit in dict.fromkeys(triples):
            context.code(kind, put, unit)
        key = np.fromiter(map(context.index.__getitem__, triples), dtype=INDEX, count=count)
        node = np.fromiter(map(where.__getitem__, map(_NODE, flows)), dtype=INDEX, count=count)
        origin = np.arange(count, dtype=INDEX)
        # What the table was made from, the very objects (``unchanged``); held, so ids stay.
        context.flows = list(flows)
        context.flow_ids = np.fromiter(map(id, context.flows), np.uint64, count)
        context.nodes = list(case.nodes.values())
        return cls(context, node, key, context.base_amount.copy(), origin, lambda: case, case)

    def unchanged(self) -> bool:
        """Whether the base case still has the nodes and flows this table was made from
        (the very objects: nodes and flows are immutable)."""
        case = self.context.case
        flows = case.flows
        return (
            len(flows) == len(self.context.flow_ids)
            and list(case.nodes) == self.context.node_ids
            and all(a is b for a, b in zip(case.nodes.values(), self.context.nodes))
            and bool(
                (np.fromiter(map(id, flows), np.uint64, len(flows)) == self.context.flow_ids).all()
            )
        )

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
        """This table as :class:`FlowChanges`: the signed rows of the step from its parent
        table (none for a case's own table), with the whole difference from the base case
        when asked for."""
        if self._changes is None:
            node, key, amount = self.step
            used, inverse = np.unique(key, return_inverse=True)
            keys = self.context.keys
            self._changes = FlowChanges(
                base=self.base,
                parent=self.parent.changes() if self.parent is not None else None,
                node=node,
                keys=[keys[k][:2] for k in used.tolist()],
                key=inverse.astype(np.int64).ravel(),
                amount=amount,
                # Neither refers to the table (which holds the changes): no reference cycle
                # keeps a table alive once the evaluation is done with it.
                against_base=partial(
                    _against_base, self.context, self.node, self.key, self.amount, self.origin
                ),
                materialise=self.materialise,
            )
        return self._changes


def _against_base(
    context: Context, node: np.ndarray, key: np.ndarray, amount: np.ndarray, origin: np.ndarray
) -> BaseChanges:
    """The base flows a table's rows do not keep as they were, and the rows the base has
    not (rescaled base flows among them)."""
    base = context.base_amount
    from_base = origin >= 0
    same = np.zeros(len(origin), dtype=bool)
    same[from_base] = amount[from_base] == base[origin[from_base]]
    present = np.zeros(len(base), dtype=bool)
    present[origin[same]] = True
    put = np.flatnonzero(~same)
    used, inverse = np.unique(key[put], return_inverse=True)
    return (
        np.flatnonzero(~present),
        node[put],
        [context.keys[k][:2] for k in used.tolist()],
        inverse.astype(np.int64).ravel(),
        amount[put],
    )
