"""Every document scenat produces: the JSON of each command, readable text, xlsx, html and
pdf reports (the client report with the consultant's choices: :mod:`scenat.report.client`),
and the charts (:mod:`scenat.report.charts`, which needs plotly: ``[app]``).

>>> from scenat.report import assessment_document, write_report
>>> callable(assessment_document) and callable(write_report)
True
"""

from scenat.report.assessment import (
    assessment_document,
    json_bytes,
    monte_carlo_lines,
    monte_carlo_section,
    text_report,
)
from scenat.report.client import ReportChoices, client_document
from scenat.report.files import (
    REPORT_FORMATS,
    SAMPLE_FORMATS,
    report_bytes,
    samples_bytes,
    samples_frame,
    write_report,
    write_samples,
)
from scenat.report.interventions import interventions_document, json_records

__all__ = [
    "REPORT_FORMATS",
    "SAMPLE_FORMATS",
    "ReportChoices",
    "assessment_document",
    "client_document",
    "interventions_document",
    "json_bytes",
    "json_records",
    "monte_carlo_lines",
    "monte_carlo_section",
    "report_bytes",
    "samples_bytes",
    "samples_frame",
    "text_report",
    "write_report",
    "write_samples",
]
