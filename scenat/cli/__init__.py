"""``scenat ...``: argument parsing (:mod:`.main`) and one function per command (:mod:`.commands`).

Exit codes: 0 success, 2 bad input (a message naming file, sheet, row and column on stderr,
never a traceback), 1 internal error.
"""

from scenat.cli.parser import main, run

__all__ = ["main", "run"]
