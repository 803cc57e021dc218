"""Case files in and out: screening, sheets from a path or bytes, a validated Case with every
problem located, the one safe xlsx writer, templates, shipped examples, ledgers.

>>> from scenat.casefile import read_case, resolve_case
>>> read_case(resolve_case("bicycle")).name
'Aluminium bicycle (starter example)'
"""

from scenat.casefile.build import CheckedCase, build_case, check_case, read_case, validate
from scenat.casefile.examples import list_examples, resolve_case
from scenat.casefile.sheets import RawSheet, read_sheets, read_upload_sheets
from scenat.casefile.template import template_bytes, write_template
from scenat.casefile.writer import case_sheets, write_case, write_sheets

__all__ = [
    "CheckedCase",
    "RawSheet",
    "build_case",
    "case_sheets",
    "check_case",
    "list_examples",
    "read_case",
    "read_sheets",
    "read_upload_sheets",
    "resolve_case",
    "template_bytes",
    "validate",
    "write_case",
    "write_sheets",
    "write_template",
]
