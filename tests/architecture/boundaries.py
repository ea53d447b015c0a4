"""The layer's dependency rules, checked on the source (an AST walk, no imports):

    handlers (functions/*/app.py) -> compose, api, core, features' public surface
    api (HTTP glue)               -> core, data.aws, features' public surface
    features                      -> core, other features' public surface only
    adapters (SES, Stripe)        -> core, features' public surface
    data (the data layer)         -> core only
    core (the domain core)        -> core only

and nothing outside the data layer knows storage: no DynamoDB expression, index name,
key prefix or stored key attribute, and no key parsed by splitting on "#".
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

FEATURES = frozenset(
    {"invoices", "publish_all", "email", "payments", "portal", "overdue", "letters", "letters_delivery", "properties"}
)
PACKAGE = "hoa_billing"

# What only the data layer may write: expression syntax, index names, key formats and
# the names of the index key attributes.
STORAGE_WORDS = re.compile(
    r"ConditionExpression|UpdateExpression|KeyConditionExpression|ProjectionExpression|ExclusiveStartKey"
    r"|attribute_not_exists|attribute_exists|begins_with|list_append|if_not_exists"
    r"|ByPropertyStatus|ByResident|OpenByDueDate|ListingByStatus|PortalByResident|RESIDENT#|MSG#|FAIL#|OPEN#|counts#"
    r"|\bgsi_\w+|\bpk\b|\bsk\b"
)


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def area_of(module: str) -> str:
    """``hoa_billing.invoices.publish`` -> ``invoices``; ``hoa_billing.compose`` -> ``compose``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE else "other"


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            # ``from hoa_billing.data import aws`` imports the module ``hoa_billing.data.aws``;
            # ``from hoa_billing.invoices import Publisher`` the feature's public surface.
            if parts == [PACKAGE] or (len(parts) == 2 and parts[0] == PACKAGE and parts[1] not in FEATURES):
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _allowed(importer: str, target: str) -> bool:
    """Whether code in area ``importer`` may import module ``target`` of the layer."""
    area = area_of(target)
    public_feature = area in FEATURES and target == f"{PACKAGE}.{area}"
    if importer == "handler":
        return area in ("compose", "api", "core") or public_feature
    if importer == "api":
        return area == "core" or target == f"{PACKAGE}.data.aws" or area == "api" or public_feature
    if importer in FEATURES:
        return area == "core" or area == importer or public_feature
    if importer == "adapters":
        return area in ("core", "adapters") or public_feature
    if importer == "data":
        return area in ("core", "data")
    if importer == "core":
        return area == "core"
    return True  # compose, the package itself


def check_source(source: str, path: str, importer: str) -> list[Violation]:
    """Every rule ``source`` (a module of area ``importer``) breaks."""
    tree = ast.parse(source)
    violations = [
        Violation(path, line, f"{importer} must not import {target}")
        for line, target in _imports(tree)
        if target.startswith(PACKAGE + ".") and not _allowed(importer, target)
    ]
    if importer == "data" or importer == "compose":
        return violations
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and not _is_docstring(tree, node):
            found = STORAGE_WORDS.search(node.value)
            if found:
                violations.append(
                    Violation(path, node.lineno, f"storage detail {found.group(0)!r} outside the data layer")
                )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("split", "rsplit", "partition", "rpartition")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "#"
        ):
            violations.append(Violation(path, node.lineno, "a key parsed by splitting on '#' outside the data layer"))
    return violations


def _is_docstring(tree: ast.AST, constant: ast.Constant) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and body[0].value is constant:
                return True
    return False


def check_tree(root: Path) -> list[Violation]:
    """Every violation in the layer package and the function handlers under ``root``."""
    violations: list[Violation] = []
    layer = root / "layers" / PACKAGE / PACKAGE
    for path in sorted(layer.rglob("*.py")):
        relative = path.relative_to(layer.parent)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        importer = area_of(module) if module != PACKAGE else "package"
        violations += check_source(path.read_text(encoding="utf-8"), str(relative), importer)
    for path in sorted((root / "functions").glob("*/app.py")):
        violations += check_source(path.read_text(encoding="utf-8"), str(path.relative_to(root)), "handler")
    return violations
