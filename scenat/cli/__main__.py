"""``python -m scenat.cli ...`` is ``scenat ...``."""

from scenat.cli.parser import run

run()
