"""Procurement ledgers of millions of lines screened into a case's ``spend`` flows, with polars.

A ledger is a table (CSV, parquet or xlsx) with one purchase per line: ``supplier``,
``description``, ``sector_code``, ``amount``, ``currency``, ``date`` (header names are
case-insensitive; spaces count as underscores, so ``Sector Code`` works). Each line is

1. mapped to a spend sector: the ledger's ``sector_code`` through a mapping table
   (columns ``code``, ``sector``), or, without a mapping, the code itself when it is a spend
   sector id or a bare code such as NAICS ``331110`` (``epa_naics_331110``). The sectors
   are the catalogue's (EPA); to screen onto an input-output model written into the
   project, pass ``sectors={**spend_sectors(), **io_database.spend_sectors()}``
   (:mod:`scenat.importers.io_models`) and map to ids such as ``useeio:331110``;
2. converted to the sector's money (its currency and price year, e.g. USD of 2022) with
   :mod:`scenat.model.currency`, from the line's currency and the year of its date;
3. summed per sector into one ``spend`` flow.

The ledger is read lazily and the query runs on polars' streaming engine: no pandas copy,
no full table in memory (an xlsx file is read whole: the format cannot be streamed).
Conversion factors are a small table joined to the lines, computed once per currency and
year, not once per line.

Lines that cannot be screened are reported, each with its line number (as a text editor or
spreadsheet shows it: header = line 1; parquet rows count from 1) and a reason: amount
missing, not a number, negative or not finite; unknown currency; no year in the date; sector
code not mapped; no exchange rate or price index for that year. Their value is totalled per
reason, in the original currencies and, where convertible, in one report currency.
Negative amounts (refunds, credit notes) are not netted against purchases but reported:
whether a refund reduces the footprint is the analyst's call.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from scenat.casefile.sheets import read_table
from scenat.errors import InputError, Problem
from scenat.model.case import Case, Flow
from scenat.model.cells import Cells, normalise_header

__all__ = ["LedgerScreen", "read_mapping", "scan_ledger", "screen_ledger", "spend_sectors"]

#: ledger column -> accepted header spellings (after lower-casing, spaces -> underscores)
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "supplier": ("supplier", "vendor", "supplier_name"),
    "description": ("description", "item", "line_description"),
    "sector_code": ("sector_code", "sector", "code", "category", "commodity_code"),
    "amount": ("amount", "value", "net_amount", "spend"),
    "currency": ("currency", "ccy"),
    "date": ("date", "invoice_date", "posting_date", "year"),
}
REQUIRED = ("sector_code", "amount", "currency", "date")

REASONS = {
    "amount_missing": "amount missing",
    "amount_text": "amount is not a number",
    "amount_not_finite": "amount is not finite",
    "amount_negative": "negative amount (refund or credit note): not screened",
    "currency_unknown": "unknown currency",
    "date_no_year": "no year in the date",
    "sector_unmapped": "sector code not mapped to a spend sector",
    "no_conversion": "no exchange rate or price index for this currency and year",
}


def spend_sectors() -> dict[str, tuple[str, int | None]]:
    """Spend sectors scenat knows: process id -> (currency, price year), from the catalogue."""
    from scenat.model.catalogue import shipped_catalogue
    from scenat.model.currency import load_tables

    currencies = set(load_tables().currencies)
    return {
        p.id: (p.unit, p.price_year)
        for p in shipped_catalogue().processes.values()
        if p.unit in currencies
    }


def _aliases(sectors: Mapping[str, Any]) -> dict[str, str]:
    """Bare codes that name a sector: ``331110`` -> ``epa_naics_331110``; the code of a
    ``<database>:<code>`` sector (an IO model's) where no EPA sector has it."""
    aliases = {s: s for s in sectors}
    for s in sectors:
        if s.startswith("epa_naics_"):
            aliases.setdefault(s[len("epa_naics_") :], s)
    for s in sectors:
        database, sep, code = s.partition(":")
        if sep and code:
            aliases.setdefault(code, s)
    return aliases


def read_mapping(
    source: str | Path | pl.DataFrame | Mapping[str, str],
    sectors: Mapping[str, tuple[str, int | None]] | None = None,
) -> pl.DataFrame:
    """The mapping table as ``code -> sector`` (sector ids checked), from a file or a dict.

    A file (CSV or xlsx, read like a case sheet: every problem at its row) has columns
    ``code`` and ``sector``; a sector may be a spend sector id or a bare code (``331110``).
    Raises :class:`InputError` listing every row with an unknown sector or a code mapped
    twice to different sectors.
    """
    sectors = sectors if sectors is not None else spend_sectors()
    path: str | None = None
    if isinstance(source, Mapping):
        rows = [(i, {"code": k, "sector": v}) for i, (k, v) in enumerate(source.items(), 1)]
        headers = ["code", "sector"]
    elif isinstance(source, pl.DataFrame):
        frame = source.rename({c: normalise_header(c) for c in source.columns})
        rows = list(enumerate(frame.to_dicts(), 1))
        headers = frame.columns
    else:
        path = str(source)
        problems: list[Problem] = []
        table = read_table(Path(path), problems)
        if table is None or any(p.severity == "error" for p in problems):
            raise InputError(problems, "the ledger mapping table cannot be read")
        rows, headers = table.rows, table.headers
    cells = Cells(file=path)
    missing = [c for c in ("code", "sector") if c not in headers]
    for column in missing:
        cells.add(1, column, None, "required column missing", "the columns are code and sector")
    if missing:
        raise InputError(cells.problems)
    aliases = _aliases(sectors)
    seen: dict[str, str] = {}
    codes, targets = [], []
    for row, record in rows:
        code = cells.text(row, record, "code")
        if code is None:
            continue
        sector = cells.text(row, record, "sector")
        resolved = aliases.get(sector or "")
        if resolved is None:
            cells.add(
                row,
                "sector",
                sector,
                "not a spend sector",
                "a spend sector id (scenat processes) or a NAICS code, e.g. 331110",
            )
            continue
        if seen.get(code, resolved) != resolved:
            cells.add(row, "code", code, f"code already mapped to {seen[code]}")
            continue
        if code not in seen:
            seen[code] = resolved
            codes.append(code)
            targets.append(resolved)
    if cells.problems:
        raise InputError(cells.problems, "the ledger mapping table has problems")
    return pl.DataFrame(
        {"code": codes, "sector": targets}, schema={"code": pl.String, "sector": pl.String}
    )


def _read_excel(path: str) -> pl.DataFrame:
    """First sheet, every cell as text (calamine via fastexcel if installed, else openpyxl)."""
    try:
        import fastexcel  # noqa: F401

        engine = "calamine"
    except ImportError:
        engine = "openpyxl"
    return pl.read_excel(path, engine=engine, infer_schema_length=0, drop_empty_rows=False)


def scan_ledger(
    source: str | Path | pl.DataFrame | pl.LazyFrame,
) -> tuple[pl.LazyFrame, str | None]:
    """A lazy ledger with normalised column names and a ``line`` column (as the file shows it)."""
    path: str | None = None
    if isinstance(source, pl.LazyFrame):
        frame, first = source, 1
    elif isinstance(source, pl.DataFrame):
        frame, first = source.lazy(), 1
    else:
        path = str(source)
        if not Path(path).exists():
            raise InputError(Problem(file=path, message="ledger file not found"))
        suffix = Path(path).suffix.lower()
        if suffix == ".parquet":
            frame, first = pl.scan_parquet(path), 1
        elif suffix in (".xlsx", ".xlsm"):
            frame = _read_excel(path).lazy()
            first = 2
        elif suffix in (".csv", ".txt", ".tsv"):
            frame = pl.scan_csv(
                path,
                infer_schema=False,
                separator="\t" if suffix == ".tsv" else ",",
                truncate_ragged_lines=True,
            )
            first = 2
        else:
            raise InputError(
                Problem(
                    file=path,
                    message="unsupported ledger file type",
                    value=suffix,
                    hint="CSV, parquet or xlsx",
                )
            )
    names = frame.collect_schema().names()
    renames: dict[str, str] = {}
    for name in names:
        normal = normalise_header(name)
        for column, spellings in COLUMNS.items():
            if normal in spellings and column not in renames.values():
                renames[name] = column
                break
    missing = [c for c in REQUIRED if c not in renames.values()]
    if missing:
        raise InputError(
            [
                Problem(
                    file=path,
                    row=1,
                    column=c,
                    message="required ledger column missing",
                    hint="accepted headers: " + ", ".join(COLUMNS[c]),
                )
                for c in missing
            ]
        )
    frame = frame.rename(renames).with_row_index("line", offset=first)
    return frame, path


def _factor_table(targets: set[tuple[str, int | None]], tables: Any) -> pl.DataFrame:
    """Factor from every (currency, year) the tables know to each target (currency, year)."""
    from scenat.model.currency import conversion

    years = sorted({r.year for r in tables.rates} | {y for _, y in tables.indices})
    rows = []
    for target_currency, target_year in targets:
        for currency in tables.currencies:
            for year in years:
                try:
                    factor = conversion(
                        currency, year, target_currency, target_year or year, tables=tables
                    ).factor
                except InputError:
                    continue
                rows.append((currency, year, target_currency, target_year, factor))
    return pl.DataFrame(
        rows,
        schema={
            "currency": pl.String,
            "year": pl.Int32,
            "to_currency": pl.String,
            "to_year": pl.Int32,
            "factor": pl.Float64,
        },
        orient="row",
    )


@dataclass
class LedgerScreen:
    """The result of screening a ledger."""

    sectors: pl.DataFrame  # sector, currency, price_year, lines, amount (sector money)
    problems: pl.DataFrame  # line, reason, sector_code, amount, currency, date
    unscreened: pl.DataFrame  # reason, lines, value_report, report currency; per currency too
    unscreened_by_currency: pl.DataFrame  # reason, currency, lines, amount (as written)
    lines: int
    report_currency: tuple[str, int]
    source: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def screened_lines(self) -> int:
        return int(self.sectors["lines"].sum()) if len(self.sectors) else 0

    def flows(self, node: str) -> list[Flow]:
        """One ``spend`` flow per sector for ``node``, in the sector's money."""
        out = []
        for row in self.sectors.iter_rows(named=True):
            money = (
                f"{row['currency']} of {row['price_year']}"
                if row["price_year"]
                else row["currency"]
            )
            out.append(
                Flow(
                    node=node,
                    kind="spend",
                    input=row["sector"],
                    amount=row["amount"],
                    unit=row["currency"],
                    amount_in_reference=row["amount"],
                    reference_unit=row["currency"],
                    source=f"ledger {self.source}" if self.source else "ledger",
                    comment=f"{row['lines']} ledger lines, converted to {money}",
                    metadata={
                        "currency_conversion": f"per line, to {money} (scenat.model.currency)"
                    },
                )
            )
        return out

    def apply(self, case: Case, node: str, replace: bool = False) -> Case:
        """A copy of ``case`` with the ledger's spend flows added to ``node``.

        ``replace=True`` drops the node's existing spend flows first.
        """
        if node not in case.nodes:
            raise InputError(
                Problem(message=f"no node {node!r} in the case", value=node, column="node")
            )
        kept = [f for f in case.flows if not (replace and f.node == node and f.kind == "spend")]
        return case.copy(flows=kept + self.flows(node))

    def to_problems(self, limit: int | None = 1000) -> list[Problem]:
        """Bad lines as :class:`Problem` records (warnings), at most ``limit`` of them."""
        frame = self.problems if limit is None else self.problems.head(limit)
        column = {
            "amount_missing": "amount",
            "amount_text": "amount",
            "amount_not_finite": "amount",
            "amount_negative": "amount",
            "currency_unknown": "currency",
            "date_no_year": "date",
            "sector_unmapped": "sector_code",
            "no_conversion": "date",
        }
        return [
            Problem(
                file=self.source,
                row=r["line"],
                column=column[r["reason"]],
                value=r[column[r["reason"]]],
                message=REASONS[r["reason"]],
                severity="warning",
            )
            for r in frame.iter_rows(named=True)
        ]

    def summary(self) -> dict[str, Any]:
        currency, year = self.report_currency
        return {
            "source": self.source,
            "lines": self.lines,
            "screened_lines": self.screened_lines,
            "sectors": self.sectors.to_dicts(),
            "unscreened": self.unscreened.to_dicts(),
            "unscreened_by_currency": self.unscreened_by_currency.to_dicts(),
            "report_currency": f"{currency} {year}",
            "seconds": round(self.seconds, 3),
        }


def screen_ledger(
    source: str | Path | pl.DataFrame | pl.LazyFrame,
    mapping: str | Path | pl.DataFrame | Mapping[str, str] | None = None,
    *,
    sectors: Mapping[str, tuple[str, int | None]] | None = None,
    report_currency: tuple[str, int] | None = None,
    tables: Any = None,
    problem_lines: int | None = None,
    engine: str = "streaming",
) -> LedgerScreen:
    """Screen a ledger into spend per sector; see the module docstring.

    ``sectors`` (id -> (currency, price year)) defaults to the catalogue's spend sectors;
    ``report_currency`` (currency, year) values the unscreened lines (default: the money
    of the most used sector, else USD 2022). ``problem_lines`` caps how many bad lines are
    listed one by one (``None``: all); the totals always cover every line.
    """
    from scenat.model.currency import load_tables

    started = time.perf_counter()
    sectors = dict(sectors) if sectors is not None else spend_sectors()
    tables = tables or load_tables()
    frame, path = scan_ledger(source)
    if mapping is not None:
        table = read_mapping(mapping, sectors)
    else:
        table = None
    schema = frame.collect_schema()

    # amount: numbers as they are; text parsed, with what fails to parse kept for the report
    if schema["amount"] == pl.String:
        raw = pl.col("amount").str.strip_chars()
        number = raw.cast(pl.Float64, strict=False)
        missing = raw.is_null() | (raw == "")
    else:
        number = pl.col("amount").cast(pl.Float64)
        missing = pl.col("amount").is_null()
    currency = pl.col("currency").cast(pl.String).str.strip_chars().str.to_uppercase()
    date_type = schema["date"]
    if date_type in (pl.Date, pl.Datetime) or isinstance(date_type, pl.Datetime):
        year = pl.col("date").dt.year().cast(pl.Int32)
    elif date_type.is_integer():
        year = pl.col("date").cast(pl.Int32)
    else:
        year = pl.col("date").cast(pl.String).str.extract(r"((?:19|20)\d{2})", 1).cast(pl.Int32)
    code = pl.col("sector_code").cast(pl.String).str.strip_chars()
    lines = frame.with_columns(
        _number=number, _missing=missing, _currency=currency, _year=year, _code=code
    )

    # sector of each line: through the mapping, or the code itself
    if table is None:
        codes = _aliases(sectors)
        table = pl.DataFrame(
            {"code": list(codes), "sector": list(codes.values())},
            schema={"code": pl.String, "sector": pl.String},
        )
    sector_money = pl.DataFrame(
        {
            "sector": list(sectors),
            "to_currency": [c for c, _ in sectors.values()],
            "to_year": [y for _, y in sectors.values()],
        },
        schema={"sector": pl.String, "to_currency": pl.String, "to_year": pl.Int32},
    )
    table = table.join(sector_money, on="sector", how="left")
    used = {(c, y) for c, y in table.select("to_currency", "to_year").unique().iter_rows()}
    if report_currency is None:
        counts = table.group_by("to_currency", "to_year").len().sort("len", descending=True)
        report_currency = (
            tuple(counts.row(0)[:2]) if len(counts) else ("USD", 2022)  # type: ignore[assignment]
        )
    factors = _factor_table(used | {tuple(report_currency)}, tables)
    known_currencies = pl.Series(tables.currencies, dtype=pl.String)
    report = factors.filter(
        (pl.col("to_currency") == report_currency[0]) & (pl.col("to_year") == report_currency[1])
    ).select("currency", "year", pl.col("factor").alias("_report_factor"))

    joined = (
        lines.join(table.lazy(), left_on="_code", right_on="code", how="left")
        .join(
            factors.lazy(),
            left_on=["_currency", "_year", "to_currency", "to_year"],
            right_on=["currency", "year", "to_currency", "to_year"],
            how="left",
        )
        .join(
            report.lazy(), left_on=["_currency", "_year"], right_on=["currency", "year"], how="left"
        )
    )
    n = pl.col("_number")
    reason = (
        pl.when(pl.col("_missing"))
        .then(pl.lit("amount_missing"))
        .when(n.is_null())
        .then(pl.lit("amount_text"))
        .when(~n.is_finite())
        .then(pl.lit("amount_not_finite"))
        .when(n < 0)
        .then(pl.lit("amount_negative"))
        .when(~pl.col("_currency").is_in(known_currencies.implode()))
        .then(pl.lit("currency_unknown"))
        .when(pl.col("_year").is_null())
        .then(pl.lit("date_no_year"))
        .when(pl.col("sector").is_null())
        .then(pl.lit("sector_unmapped"))
        .when(pl.col("factor").is_null())
        .then(pl.lit("no_conversion"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    classified = joined.with_columns(_reason=reason)
    finite = pl.when(n.is_finite()).then(n)
    grouped = (
        classified.group_by("_reason", "sector", "_currency")
        .agg(
            pl.len().alias("lines"),
            finite.sum().alias("amount_written"),
            (n * pl.col("factor")).sum().alias("amount"),
            (finite * pl.col("_report_factor")).sum().alias("value_report"),
        )
        .collect(engine=engine)
    )
    ok = grouped.filter(pl.col("_reason").is_null())
    by_sector = (
        ok.group_by("sector")
        .agg(pl.col("lines").sum(), pl.col("amount").sum())
        .join(
            sector_money.rename({"to_currency": "currency", "to_year": "price_year"}), on="sector"
        )
        .select("sector", "currency", "price_year", "lines", "amount")
        .sort("amount", descending=True)
    )
    bad = grouped.filter(pl.col("_reason").is_not_null())
    unscreened = (
        bad.group_by("_reason")
        .agg(pl.col("lines").sum(), pl.col("value_report").sum())
        .rename({"_reason": "reason"})
        .with_columns(
            pl.col("reason").replace_strict(REASONS, default=None).alias("message"),
            pl.lit(f"{report_currency[0]} {report_currency[1]}").alias("report_currency"),
        )
        .sort("lines", descending=True)
    )
    by_currency = (
        bad.group_by("_reason", "_currency")
        .agg(pl.col("lines").sum(), pl.col("amount_written").sum().alias("amount"))
        .rename({"_reason": "reason", "_currency": "currency"})
        .sort("reason", "currency")
    )
    total_lines = int(grouped["lines"].sum()) if len(grouped) else 0
    problem_schema = {
        "line": pl.Int64,
        "reason": pl.String,
        "sector_code": pl.String,
        "amount": pl.String,
        "currency": pl.String,
        "date": pl.String,
    }
    if len(bad):
        detail = classified.filter(pl.col("_reason").is_not_null())
        if problem_lines is not None:
            detail = detail.head(problem_lines)
        problems = (
            detail.select(
                pl.col("line").cast(pl.Int64),
                pl.col("_reason").alias("reason"),
                *(pl.col(c).cast(pl.String) for c in ("sector_code", "amount", "currency", "date")),
            )
            .collect(engine=engine)
            .sort("line")
        )
    else:
        problems = pl.DataFrame(schema=problem_schema)
    return LedgerScreen(
        sectors=by_sector,
        problems=problems,
        unscreened=unscreened,
        unscreened_by_currency=by_currency,
        lines=total_lines,
        report_currency=(str(report_currency[0]), int(report_currency[1])),
        source=path,
        seconds=time.perf_counter() - started,
    )


def generate_ledger(
    rows: int,
    sectors: Sequence[str],
    seed: int = 0,
    currencies: Sequence[str] = ("USD", "GBP", "EUR"),
    years: Sequence[int] = (2022, 2023, 2024),
) -> pl.DataFrame:
    """A synthetic ledger (tests and benchmarks): random sector codes, amounts, currencies."""
    import numpy as np

    rng = np.random.default_rng(seed)
    frame = pl.DataFrame(
        {
            "_supplier": rng.integers(0, 5000, rows),
            "_sector": rng.integers(0, len(sectors), rows).astype(np.uint32),
            "amount": np.round(rng.lognormal(6, 1.5, rows), 2),
            "_currency": rng.integers(0, len(currencies), rows).astype(np.uint32),
            "_year": np.asarray(years)[rng.integers(0, len(years), rows)],
            "_month": rng.integers(1, 13, rows),
        }
    )
    sector = pl.Series(list(sectors), dtype=pl.String)
    money = pl.Series(list(currencies), dtype=pl.String)
    return frame.select(
        pl.format("supplier-{}", "_supplier").alias("supplier"),
        pl.format("goods {}", pl.col("_sector").replace_strict(range(len(sectors)), sector)).alias(
            "description"
        ),
        pl.col("_sector").replace_strict(range(len(sectors)), sector).alias("sector_code"),
        "amount",
        pl.col("_currency").replace_strict(range(len(currencies)), money).alias("currency"),
        pl.format("{}-{}-15", "_year", pl.col("_month").cast(pl.String).str.zfill(2)).alias("date"),
    )
