"""Every document scenat produces: the JSON of each command, readable text, xlsx and html
reports, and the charts (:mod:`scenat.report.charts`, which needs plotly: ``[app]``).

>>> from scenat.report import assessment_document, write_report
>>> callable(assessment_document) and callable(write_report)
True
"""

from scenat.report.assessment import (
    REPORT_FORMATS,
    assessment_document,
    json_bytes,
    report_bytes,
    text_report,
    write_report,
)
from scenat.report.interventions import interventions_document, json_records

__all__ = [
    "REPORT_FORMATS",
    "assessment_document",
    "interventions_document",
    "json_bytes",
    "json_records",
    "report_bytes",
    "text_report",
    "write_report",
]
