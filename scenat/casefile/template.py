"""The blank case workbook partners fill in: sheets, column notes, drop-downs, an example row.

The example row is valid against the shipped inventory, so a partner who only changes the
numbers gets a workbook that validates.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "blank.xlsx"
>>> write_template(path)
>>> from scenat.casefile.build import validate
>>> [p for p in validate(path) if p.severity == "error"]
[]
"""

from __future__ import annotations

import io
from pathlib import Path

from scenat.atomic import write_atomic
from scenat.model.schema import DISTRIBUTIONS, FLOW_KINDS, INTERVENTION_COLUMNS, STAGES
from scenat.model.units import CURRENCIES

CASE_NOTES = {
    "name": "required: the case name",
    "reference_node": "required: id of the node whose output is the functional unit",
    "reference_amount": "optional (1): how much of that node's output",
    "functional_unit": "optional: in words, e.g. 'one bicycle at the factory gate'",
    "annual_volume": "optional (1): reference amounts per year",
    "currency": "optional (GBP): " + ", ".join(CURRENCIES),
    "year": "optional: data year",
    "region": "optional",
    "description": "optional",
}
NODE_NOTES = {
    "id": "required, unique: letters, digits, - _ . (no spaces)",
    "name": "required",
    "tier": "required: whole number, 0 = focal organisation, 1 = direct suppliers, ...",
    "stage": "optional: " + ", ".join(STAGES),
    "location": "optional: ISO 3166 country code or region",
    "output_amount": "optional (1): the output the node's flows are given per",
    "output_unit": "required: kg, t, kWh, item, tkm, m3, ...",
}
FLOW_NOTES = {
    "node": "required: id of the node that consumes or emits",
    "kind": "required: " + ", ".join(FLOW_KINDS),
    "input": "required: node id, background process id, or emission/resource id",
    "amount": "required: number >= 0, per the node's output_amount",
    "unit": "required: convertible to the input's unit (t -> kg, MWh -> kWh, t*km -> tkm)",
    "distribution": "optional: " + ", ".join(DISTRIBUTIONS),
    "sd": "optional: standard deviation (normal) or of ln(amount) (lognormal)",
    "gsd": "optional: geometric standard deviation (lognormal), > 1",
    "min": "optional: minimum (triangular, uniform)",
    "max": "optional: maximum (triangular, uniform)",
    "source": "recommended: where the number comes from",
    "comment": "optional",
    "recycled_content": "optional, with eol_recycling_rate: share 0-1 of a material's mass "
    "that is recycled feedstock (material flows by mass only)",
    "eol_recycling_rate": "optional, with recycled_content: share 0-1 of the material's mass "
    "collected and recycled at end of life",
    "recycling_process": "optional: background process of the recycling route (secondary "
    "material, by mass) for the EN 15804 module D credit",
}

EXAMPLE_CASE = [
    ("name", "Example: one tonne of bread"),
    ("reference_node", "bakery"),
    ("reference_amount", 1),
    ("functional_unit", "one tonne of bread at the bakery gate"),
    ("annual_volume", 120),
    ("currency", "GBP"),
    ("year", 2025),
    ("region", "GB"),
]
EXAMPLE_NODES = [("bakery", "Bakery", 0, "manufacturing", "GB", 1, "t")]
EXAMPLE_FLOWS = [
    (
        "bakery",
        "process",
        "electricity_uk_grid_delivered",
        0.35,
        "MWh",
        None,
        None,
        None,
        None,
        None,
        "meter readings 2025",
        "example row: replace with your own",
    ),
]


def write_template(path: str | Path) -> None:
    """Write an empty case workbook with notes, drop-downs and one valid example row."""
    write_atomic(Path(path), template_bytes())


def template_bytes() -> bytes:
    """The blank case workbook of :func:`write_template`, as bytes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    readme = book.active
    readme.title = "instructions"
    for line in (
        "scenat case workbook",
        "Fill in the sheets case, nodes and flows (interventions is optional).",
        "Header cells carry a note describing the column (hover over them).",
        "Rows are checked all at once: `scenat validate THIS_FILE` lists every problem with "
        "its sheet, row and column.",
        "Flows are given per the node's output_amount of output_unit.",
        "Kinds: node = another node's output; process = a background process; emission / "
        "resource = a direct elementary flow; credit = an avoided background burden; spend = "
        "money paid to a sector.",
        "`scenat processes` lists background process ids; emission ids include co2_fossil, "
        "ch4_fossil, ch4_biogenic, n2o, sf6, hfc134a.",
    ):
        readme.append([line])
    readme.column_dimensions["A"].width = 110
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")

    def sheet_with(title: str, notes: dict[str, str], rows: list[tuple]) -> object:
        ws = book.create_sheet(title)
        ws.append(list(notes))
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = fill
            cell.comment = Comment(notes[cell.value], "scenat")
            ws.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
        ws.freeze_panes = "A2"
        for row in rows:
            ws.append(list(row))
        return ws

    case_ws = book.create_sheet("case")
    case_ws.append(["field", "value", "note"])
    for cell in case_ws[1]:
        cell.font = header_font
        cell.fill = fill
    for field, value in EXAMPLE_CASE:
        case_ws.append([field, value, CASE_NOTES[field]])
    for field in CASE_NOTES:
        if field not in dict(EXAMPLE_CASE):
            case_ws.append([field, None, CASE_NOTES[field]])
    case_ws.column_dimensions["A"].width = 18
    case_ws.column_dimensions["B"].width = 40
    case_ws.column_dimensions["C"].width = 70

    nodes_ws = sheet_with("nodes", NODE_NOTES, EXAMPLE_NODES)
    flows_ws = sheet_with("flows", FLOW_NOTES, EXAMPLE_FLOWS)
    sheet_with(
        "interventions",
        {
            c: f"{c}: see the intervention library's columns (scenat.interventions)"
            for c in INTERVENTION_COLUMNS
        },
        [],
    )

    stage_list = DataValidation(
        type="list", formula1='"' + ",".join(STAGES) + '"', allow_blank=True
    )
    nodes_ws.add_data_validation(stage_list)  # type: ignore[attr-defined]
    stage_list.add("D2:D2000")
    kind_list = DataValidation(
        type="list", formula1='"' + ",".join(FLOW_KINDS) + '"', allow_blank=False
    )
    flows_ws.add_data_validation(kind_list)  # type: ignore[attr-defined]
    kind_list.add("B2:B20000")
    dist_list = DataValidation(
        type="list", formula1='"' + ",".join(DISTRIBUTIONS) + '"', allow_blank=True
    )
    flows_ws.add_data_validation(dist_list)  # type: ignore[attr-defined]
    dist_list.add("F2:F20000")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
