"""scenat: supply-chain environmental assessment on Brightway.

>>> import scenat
>>> callable(scenat.read_case) and callable(scenat.assess)
True
"""

from __future__ import annotations

from typing import Any

from scenat.errors import BackgroundError, InputError, Problem, ScenatError, UnitError

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "BackgroundError",
    "InputError",
    "Problem",
    "ScenatError",
    "UnitError",
    "assess",
    "assess_many",
    "evaluate_interventions",
    "monte_carlo",
    "read_case",
    "validate",
    "write_template",
]

# Heavy modules (bw2data, polars, openpyxl) load on first use so `import scenat` stays fast.
_LAZY = {
    "read_case": ("scenat.casefile.build", "read_case"),
    "validate": ("scenat.casefile.build", "validate"),
    "write_template": ("scenat.casefile.template", "write_template"),
    "assess": ("scenat.assessment.result", "assess"),
    "Assessment": ("scenat.assessment.result", "Assessment"),
    "evaluate_interventions": ("scenat.interventions.library", "evaluate"),
    "monte_carlo": ("scenat.uncertainty.montecarlo", "monte_carlo"),
    "assess_many": ("scenat.distributed.runs", "assess_many"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'scenat' has no attribute {name!r}")
