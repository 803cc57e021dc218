"""Report files: the assessment (or the client report) as ``.json``, ``.xlsx``, ``.html``
or ``.pdf`` bytes, and written atomically by suffix.

>>> sorted(REPORT_FORMATS)
['.html', '.json', '.pdf', '.xlsx']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenat.assessment import Assessment
from scenat.atomic import write_atomic
from scenat.calc import ALL_BREAKDOWNS
from scenat.casefile.spreadsheet import frame_rows, xlsx_bytes
from scenat.errors import InputError, Problem
from scenat.report.assessment import assessment_document, json_bytes
from scenat.report.client import ReportChoices, client_document


def write_report(
    result: Assessment, path: Path, document: dict[str, Any] | None = None, **options: Any
) -> None:
    """Write the assessment as ``.json``, ``.xlsx``, ``.html`` or ``.pdf`` (by suffix).

    A ``.json`` report is ``document`` (default :func:`assessment_document` of ``result``,
    or the client document with ``choices=``), so ``--out r.json`` holds what ``--json``
    prints; ``choices`` (:class:`~scenat.report.client.ReportChoices`) make every format the
    client report; other ``options`` go to :func:`~scenat.report.html.html_report`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise InputError(
            Problem(
                file=str(path),
                message=f"unsupported report type {suffix!r}",
                value=suffix,
                hint="use a .json, .xlsx, .html or .pdf file name",
            )
        )
    write_atomic(path, report_bytes(result, suffix.lstrip("."), document, **options))


#: report file suffixes and their media types
REPORT_FORMATS = {
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
    ".pdf": "application/pdf",
}


def report_bytes(
    result: Assessment,
    fmt: str,
    document: dict[str, Any] | None = None,
    choices: ReportChoices | None = None,
    **options: Any,
) -> bytes:
    """The report as bytes: ``fmt`` is ``json``, ``xlsx``, ``html`` or ``pdf``.

    With ``choices`` every format carries them (the client report); ``document`` overrides
    the json document.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt == "json":
        if document is None:
            document = (
                client_document(result, choices)
                if choices is not None
                else assessment_document(result)
            )
        return json_bytes(document)
    if fmt == "xlsx":
        return _xlsx_bytes(result, choices)
    if fmt in ("html", "pdf"):
        from scenat.report.html import html_report

        html = html_report(result, choices=choices, **options)
        if fmt == "html":
            return html.encode("utf-8")
        from scenat.report.pdf import html_to_pdf

        return html_to_pdf(html)
    raise InputError(
        Problem(
            message=f"unknown report format {fmt!r}",
            value=fmt,
            hint="use json, xlsx, html or pdf",
        )
    )


def _with_unit(frame: Any, unit: str) -> Any:
    import polars as pl

    return frame.with_columns(pl.lit(unit).alias("unit"))


def _xlsx_bytes(result: Assessment, choices: ReportChoices | None = None) -> bytes:
    """Case metadata, totals and every breakdown (each row with its unit), then the
    consultant's interventions, portfolio, paths, Monte Carlo and data sources."""
    from scenat.report.client import case_metadata, data_sources

    sheets: dict[str, list[list[Any]]] = {
        "case": [["field", "value"], *case_metadata(result, choices)],
        "totals": frame_rows(result.totals_table()),
    }
    for ind in result.indicators:
        for by in ALL_BREAKDOWNS:
            sheets[f"{ind.id[:20]}_{by}"[:31]] = frame_rows(
                _with_unit(result.hotspots(ind.id, by), ind.unit)
            )
    sheets["methods"] = [
        ["indicator", "label", "unit", "method", "source"],
        *[[i.id, i.label, i.unit, " | ".join(i.method), i.source] for i in result.indicators],
    ]
    sheets["data_sources"] = frame_rows(data_sources(result))
    if choices is not None:
        sheets.update(_choice_sheets(result, choices))
    return xlsx_bytes(sheets)


def _choice_sheets(result: Assessment, choices: ReportChoices) -> dict[str, list[list[Any]]]:
    import polars as pl

    from scenat.report.client import choices_summary, uncertainty_statement

    currency = result.case.currency
    summary = choices_summary(choices)
    rows: list[list[Any]] = [["choice", "value"], ["ranking", summary["ranking_label"]]]
    for name, weight in (summary["weights"] or {}).items():
        rows.append([f"weight: {name}", weight])
    sheets: dict[str, list[list[Any]]] = {"choices": rows}
    ranked = choices.ranked()
    if ranked is not None:
        # Units in the headers: the sheet is read without the report around it.
        units = {
            "abatement_t_year": "abatement_t_year [t CO2-eq/yr]",
            "mac": f"mac [{currency}/t CO2-eq]",
            "capex": f"capex [{currency}]",
            "opex_change_year": f"opex_change_year [{currency}/yr]",
            "annual_cost": f"annual_cost [{currency}/yr]",
            "npv": f"npv [{currency}]",
            "payback_years": "payback_years [years]",
        }
        flat = ranked.select([c for c, t in ranked.schema.items() if t != pl.List(pl.String)])
        flat = flat.with_columns(
            pl.when(pl.col(c).is_infinite()).then(None).otherwise(pl.col(c)).alias(c)
            for c, t in flat.schema.items()
            if t == pl.Float64
        )
        sheets["interventions"] = frame_rows(
            flat.rename({k: v for k, v in units.items() if k in flat.columns})
        )
    plan = choices.portfolio
    if plan is not None:
        sheets["portfolio"] = [
            ["field", "value"],
            ["budget [" + currency + "]", plan.budget],
            ["chosen", ", ".join(plan.chosen)],
            ["capex [" + currency + "]", plan.capex],
            ["abatement, evaluated together [t CO2-eq/yr]", plan.benefit],
            ["abatement, sum of the options [t CO2-eq/yr]", plan.additive_benefit],
            ["method", plan.method],
            ["proven best", plan.certified],
        ]
    if choices.paths:
        frames = [
            found.table.with_columns(
                pl.lit(ind).alias("indicator"), pl.lit(found.coverage).alias("coverage")
            )
            for ind, found in choices.paths.items()
        ]
        sheets["paths"] = frame_rows(pl.concat(frames, how="diagonal_relaxed"))
    mc = choices.monte_carlo
    if mc is not None:
        statement = uncertainty_statement(result.case, mc)
        sheets["monte_carlo"] = frame_rows(
            mc.summary().with_columns(
                pl.lit(mc.iterations).alias("iterations"),
                pl.lit(mc.seed).alias("seed"),
                pl.lit(statement["anything_uncertain"]).alias("anything_uncertain"),
            )
        )
        drivers = [
            mc.drivers(ind.id, top=10).with_columns(pl.lit(ind.id).alias("indicator"))
            for ind in mc.indicators
        ]
        drivers = [d for d in drivers if d.height]
        if drivers:
            sheets["mc_drivers"] = frame_rows(pl.concat(drivers, how="diagonal_relaxed"))
    return sheets


#: file types of ``--mc-samples``
SAMPLE_FORMATS = (".csv", ".parquet")


def samples_bytes(frame: Any, suffix: str) -> bytes:
    """Monte Carlo samples (one row per iteration) as ``.csv`` (the one CSV writer,
    :func:`scenat.casefile.spreadsheet.csv_bytes`) or ``.parquet`` bytes."""
    import io

    from scenat.casefile.spreadsheet import csv_bytes

    if suffix == ".csv":
        return csv_bytes(frame_rows(frame), escape=True)
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def write_samples(mc: Any, path: Path) -> None:
    """Write a Monte Carlo run's samples (iteration, each indicator's total, and the
    sampled inputs behind its variance drivers) to ``.csv`` or ``.parquet``, atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SAMPLE_FORMATS:
        raise InputError(
            Problem(
                file=str(path),
                column="--mc-samples",
                message=f"unsupported samples file type {suffix!r}",
                value=suffix,
                hint="use a .csv or .parquet file name",
            )
        )
    write_atomic(path, samples_bytes(samples_frame(mc), suffix))


def samples_frame(mc: Any) -> Any:
    """One row per iteration: each indicator's total, then the sampled inputs kept for its
    variance drivers (column ``indicator: input KEY``)."""
    import polars as pl

    frame = mc.samples()
    columns = {
        f"{ind}: input {key}": found.samples[:, j]
        for ind, found in mc.driver_inputs.items()
        for j, key in enumerate(found.keys)
    }
    return frame.hstack(pl.DataFrame(columns)) if columns else frame
