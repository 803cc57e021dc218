"""An import-linter contract that grimp's module graph cannot express: no private names
across subpackages.

``from scenat.casefile.sheets import _decode`` from ``scenat.store`` (or
``scenat.casefile.sheets._decode`` used as an attribute there) reaches into another package's
insides: a name that starts with ``_`` belongs to the subpackage that defines it. The
contract reads the source of every module of the root package with :mod:`ast` and lists
each such use with its line.

Configured in ``pyproject.toml``::

    [tool.importlinter]
    contract_types = ["private_names: tools.import_contracts.PrivateNamesContract"]

    [[tool.importlinter.contracts]]
    name = "No private names used across subpackages"
    type = "private_names"
    root = "scenat"
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _subpackage(module: str, root: str) -> str:
    """``scenat.casefile.sheets`` -> ``scenat.casefile``; a root module is its own."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and parts[0] == root else module


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(root: str) -> list[tuple[str, int, str]]:
    """(importer module, line, private name used) for every cross-subpackage use."""
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"cannot find the package {root!r}")
    base = Path(next(iter(spec.submodule_search_locations)))
    found: list[tuple[str, int, str]] = []
    for path in sorted(base.rglob("*.py")):
        relative = path.relative_to(base.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        module = ".".join(parts)
        own = _subpackage(module, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        aliases: dict[str, str] = {}  # local name -> module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if not node.module.startswith(root + ".") and node.module != root:
                    continue
                other = _subpackage(node.module, root)
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    if other != own and (
                        _is_private(alias.name)
                        or any(_is_private(p) for p in node.module.split(".")[1:])
                    ):
                        found.append((module, node.lineno, target))
                    aliases[alias.asname or alias.name] = target
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(root):
                        aliases[alias.asname or alias.name.split(".")[0]] = (
                            alias.name if alias.asname else alias.name.split(".")[0]
                        )
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _is_private(node.attr):
                dotted = _dotted(node.value)
                if dotted is None:
                    continue
                head, _, rest = dotted.partition(".")
                if head not in aliases:
                    continue
                target_module = aliases[head] + (f".{rest}" if rest else "")
                if not target_module.startswith(root):
                    continue
                if _subpackage(target_module, root) != own:
                    found.append((module, node.lineno, f"{target_module}.{node.attr}"))
    return found


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


class PrivateNamesContract(Contract):
    """No module uses a ``_private`` name (or module) of another subpackage of ``root``."""

    type_name = "private_names"
    root = fields.StringField()

    def check(self, graph: object, verbose: bool) -> ContractCheck:
        uses = private_uses(str(self.root))
        return ContractCheck(kept=not uses, metadata={"uses": uses})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module, line, name in check.metadata["uses"]:
            output.print_error(f"{module} (l.{line}) uses {name}", bold=False)
        output.new_line()
