"""Every third-party package the code imports is a declared dependency of the part that imports it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.template.conftest import ROOT

OWN = {"openconnector_core", "openconnector_local", "functions", "tests", "benchmarks"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> dict[str, set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(requirement) for requirement in project["dependencies"]}
    local = runtime | {_name(requirement) for requirement in project["optional-dependencies"]["local"]}
    dev = local | {_name(requirement) for requirement in project["optional-dependencies"]["dev"]}
    return {
        "openconnector_core": runtime,
        "functions": runtime,
        "openconnector_local": local,
        "tests": dev,
        "benchmarks": dev,
    }


def _imported_distributions(package: Path) -> dict[str, set[str]]:
    """Distribution → the files importing it, for every import in ``package`` (lazy ones too)."""
    owners = packages_distributions()
    siblings = {path.stem for path in package.rglob("*.py")}  # e.g. tests' ``from tables import …``
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in OWN | siblings or top.startswith("mypy_boto3"):
                    continue
                for distribution in owners.get(top, [top]):
                    found.setdefault(distribution.lower().replace("_", "-"), set()).add(
                        str(path.relative_to(ROOT))
                    )
    return found


def test_every_imported_package_is_declared() -> None:
    undeclared = {}
    for part, declared in _declared().items():
        for distribution, files in _imported_distributions(ROOT / part).items():
            if distribution not in declared:
                undeclared[f"{part}: {distribution}"] = sorted(files)
    assert undeclared == {}
