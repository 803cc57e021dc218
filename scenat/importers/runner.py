"""The one runner of importers: ``scenat data SOURCE INPUT [OUTPUT]``.

Each source names the function that builds it and what its output argument is. Shipped
inventories are rebuilt into a folder (``OUTPUT``, default the shipped one); USLCI, openLCA
exports, USEEIO and EXIOBASE are written into scenat's Brightway project (``OUTPUT`` is the
database name). Every failure is an :class:`~scenat.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenat.errors import InputError, Problem
from scenat.paths import inventories_dir

Options = dict[str, Any]


@dataclass(frozen=True)
class Source:
    """An importer: ``run(input, output, options) -> what to print``; ``folder`` is the
    shipped inventory folder it rebuilds (None: it writes a Brightway database)."""

    run: Callable[[Path, str | None, Options], str]
    folder: str | None = None


def _desnz(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.desnz import build_starter_inventory

    target = out or str(inventories_dir() / "starter")
    processes, exchanges = build_starter_inventory(path, target)
    return f"wrote {processes} processes and {exchanges} exchanges to {target}"


def _epa(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.epa import build_epa_inventory

    target = out or str(inventories_dir() / "epa_spend")
    processes, exchanges = build_epa_inventory(path, target)
    return f"wrote {processes} processes and {exchanges} exchanges to {target}"


def _grid(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.grid import build_grid_inventory

    target = out or str(inventories_dir() / "grid_electricity")
    processes, exchanges = build_grid_inventory(path, target)
    return f"wrote {processes} processes and {exchanges} exchanges to {target}"


def _freight(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.freight import build_freight_inventory

    target = out or str(inventories_dir() / "freight")
    processes, exchanges = build_freight_inventory(path, target)
    return f"wrote {processes} processes and {exchanges} exchanges to {target}"


def _currency(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.currency_open import build_currency_tables

    target = out or str(inventories_dir() / "currency")
    rates, indices = build_currency_tables(path, target)
    return f"wrote {target}: {rates} exchange rates and {indices} price indices added"


def _curated(path: Path, out: str | None, options: Options) -> str:
    from scenat.importers.curated import build_materials_inventory

    target = out or str(inventories_dir() / "materials")
    add_flows = bool(options.get("add_flows"))
    processes, exchanges = build_materials_inventory(path, target, add_flows=add_flows)
    return f"wrote {processes} processes, {exchanges} exchanges to {target}"


def _okobaudat(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.okobaudat import build_okobaudat_inventory

    target = out or str(inventories_dir() / "okobaudat")
    processes, exchanges = build_okobaudat_inventory(path, target)
    return f"wrote {processes} processes and {exchanges} exchanges to {target}"


def _jsonld(default_name: str | None) -> Callable[[Path, str | None, Options], str]:
    def run(path: Path, out: str | None, options: Options) -> str:
        from scenat.importers.olca import import_jsonld
        from scenat.importers.uslci import import_uslci

        name = out or default_name
        if not name:
            raise InputError(
                Problem(
                    message="an openLCA import needs a database name",
                    column="OUTPUT",
                    hint="e.g. scenat data olca export.zip mydb",
                )
            )
        load = import_uslci if default_name == "uslci" else import_jsonld
        report = load(path, name, allocation=options.get("allocation") or "physical")
        return (
            f"{report.summary()}\nuse its processes in a case as {name}:<code>; list them with "
            f"`scenat backgrounds {name} --search TEXT`"
        )

    return run


def _ilcd(path: Path, out: str | None, options: Options) -> str:
    from scenat.importers.ilcd import import_ilcd

    name = out or "ilcd"
    report = import_ilcd(path, name, allocation=options.get("allocation") or "physical")
    flagged = report.counts.get("processes flagged non-commercial", 0)
    return (
        f"{report.summary()}\n  processes flagged non-commercial (kept, licence says so): "
        f"{flagged}\nuse its processes in a case as {name}:<code>; list them with "
        f"`scenat backgrounds {name} --search TEXT`"
    )


def _tiangong(path: Path, out: str | None, _options: Options) -> str:
    from scenat.importers.tiangong import build_tiangong_inventory

    target = out or str(inventories_dir() / "tiangong")
    processes, exchanges = build_tiangong_inventory(path, target)
    return f"wrote {processes} processes, {exchanges} exchanges to {target}"


def _io(kind: str) -> Callable[[Path, str | None, Options], str]:
    def run(path: Path, out: str | None, _options: Options) -> str:
        from scenat.importers.io_models import read_exiobase, read_useeio, write_brightway

        model = read_useeio(path) if kind == "useeio" else read_exiobase(path)
        checks = model.check_published()
        info = write_brightway(model, database=out)
        lines = [
            f"{model.name}: {len(model.sector_ids)} sectors, {model.B.shape[0]} flows, "
            f"{len(model.indicator_ids)} indicators ({model.currency} {model.price_year}); "
            f"published multipliers reproduced to {checks.get('N', float('nan')):.1e}; "
            f"database {info.database!r} {'written' if info.written else 'up to date'} in "
            f"{info.seconds:.1f} s; a case buys e.g. {next(iter(info.process_ids.values()))}"
        ]
        if info.unmapped_flows:
            lines.append(
                "flows without a biosphere3 match (only the model's own methods count them): "
                + ", ".join(info.unmapped_flows)
            )
        return "\n".join(lines)

    return run


SOURCES: dict[str, Source] = {
    "desnz": Source(_desnz, "starter"),
    "epa": Source(_epa, "epa_spend"),
    "grid": Source(_grid, "grid_electricity"),
    "freight": Source(_freight, "freight"),
    "currency": Source(_currency, "currency"),
    "materials": Source(_curated, "materials"),
    "okobaudat": Source(_okobaudat, "okobaudat"),
    "uslci": Source(_jsonld("uslci")),
    "olca": Source(_jsonld(None)),
    "ilcd": Source(_ilcd),
    "tiangong": Source(_tiangong, "tiangong"),
    "useeio": Source(_io("useeio")),
    "exiobase": Source(_io("exiobase")),
}


def run_importer(source: str, path: str | Path, output: str | None = None, **options: Any) -> str:
    """Run one importer and return its summary line(s); see :data:`SOURCES`.

    ``options``: ``allocation`` (uslci, olca, ilcd: physical, economic, causal or none),
    ``add_flows`` (materials: first add missing characterised flows to
    ``elementary_flows.csv``).
    """
    if source not in SOURCES:
        raise InputError(
            Problem(
                message=f"unknown data source {source!r}",
                value=source,
                hint="use one of " + ", ".join(SOURCES),
            )
        )
    path = Path(path)
    if not path.exists():
        raise InputError(
            Problem(
                file=str(path),
                message="no such file or folder",
                hint="give the published file or folder (see inventories/README.md)",
            )
        )
    return SOURCES[source].run(path, str(output) if output is not None else None, options)
