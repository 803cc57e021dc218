"""The vocabulary of a case: sheet names, columns, flow kinds, stages, intervention fields.

One place for every name the case-workbook contract (``DESIGN.md``) and the intervention
library fix, so readers, writers, templates and checks cannot drift apart.

>>> "flows" in REQUIRED_SHEETS and "amount" in FLOW_COLUMNS
True
>>> bool(ID_PATTERN.match("wheel_maker-2")), bool(ID_PATTERN.match("wheel maker"))
(True, False)
"""

from __future__ import annotations

import re

#: node ids and intervention ids: letters, digits, ``-``, ``_``, ``.``
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")

SHEETS = ("case", "nodes", "flows", "interventions")
REQUIRED_SHEETS = ("case", "nodes", "flows")
INTERVENTION_SHEET = "interventions"

CASE_FIELDS = (
    "name",
    "reference_node",
    "reference_amount",
    "functional_unit",
    "annual_volume",
    "currency",
    "year",
    "region",
    "description",
)
NODE_COLUMNS = ("id", "name", "tier", "stage", "location", "output_amount", "output_unit")
FLOW_COLUMNS = (
    "node",
    "kind",
    "input",
    "amount",
    "unit",
    "distribution",
    "sd",
    "gsd",
    "min",
    "max",
    "source",
    "comment",
)

#: optional flow columns of a material flow, the circularity contract: shares 0-1 of the
#: material's mass (recycled feedstock; collected and recycled at end of life). Read into
#: ``Flow.metadata`` as floats (scenat.casefile.build), used by scenat.assessment.circularity
CIRCULARITY_COLUMNS = ("recycled_content", "eol_recycling_rate")
#: optional with them: the background process of the recycling route (secondary material),
#: for the EN 15804 module D credit (avoided primary production minus recycling)
RECYCLING_PROCESS_COLUMN = "recycling_process"

STAGES = (
    "materials",
    "manufacturing",
    "assembly",
    "transport",
    "construction",
    "operation",
    "use",
    "end_of_life",
    "other",
)
UNSPECIFIED_STAGE = "unspecified"

FLOW_KINDS = ("node", "process", "emission", "resource", "spend", "credit")
#: kinds whose ``input`` is a background technosphere process (or spend sector)
BACKGROUND_KINDS = ("process", "spend", "credit")
#: kinds whose ``input`` is an elementary flow
ELEMENTARY_KINDS = ("emission", "resource")

DISTRIBUTIONS = ("lognormal", "normal", "triangular", "uniform")

# --- the intervention library (scenat.interventions reads it; templates write it) ---------

INTERVENTION_CATEGORIES = (
    "energy",
    "materials",
    "logistics",
    "end_of_life",
    "direct_emissions",
    "water",
    "other",
)
INTERVENTION_ACTIONS = ("scale", "substitute", "add", "remove")
COST_BASES = ("fixed", "per_unit_year")
INTERVENTION_SOURCE_COLUMNS = ("source_effect", "source_capex", "source_opex", "source_lifetime")
INTERVENTION_COLUMNS = (
    "id",
    "name",
    "category",
    "group",
    "description",
    "match_input",
    "match_kind",
    "match_node",
    "match_stage",
    "match_tier",
    "match_location",
    "unit",
    "action",
    "share",
    "factor",
    "to",
    "to_kind",
    "extra_input",
    "extra_factor",
    "extra_kind",
    "capex",
    "capex_basis",
    "opex_change",
    "opex_basis",
    "lifetime",
    "currency",
    "price_year",
    "discount_rate",
    *INTERVENTION_SOURCE_COLUMNS,
)
