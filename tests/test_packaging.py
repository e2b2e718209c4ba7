"""Binder's environment.yml, postBuild and pyproject.toml must describe the same package."""

import re
import subprocess
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda_dependencies():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for entry in environment["dependencies"]:
        assert isinstance(entry, str), f"unexpected non-string entry in environment.yml: {entry!r}"
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry)
        specs[match[1].lower()] = match[2].strip()
    return environment, specs


def test_environment_uses_conda_forge_only():
    environment, _ = _conda_dependencies()
    assert environment["channels"] == ["conda-forge"]


def test_environment_pins_a_python_that_pyproject_allows():
    _, specs = _conda_dependencies()
    pinned = specs.get("python", "")
    assert re.fullmatch(r"=\d+\.\d+", pinned), f"python must be pinned like '=3.12', got {pinned!r}"
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert Version(pinned.lstrip("=")) in requires


def test_environment_has_every_runtime_and_lab_dependency_with_the_same_bounds():
    project = _pyproject()["project"]
    _, specs = _conda_dependencies()
    wanted = project["dependencies"] + project["optional-dependencies"]["lab"]
    for requirement in map(Requirement, wanted):
        name = requirement.name.lower()
        assert name in specs, (
            f"{name} is a dependency in pyproject.toml but missing from environment.yml"
        )
        assert SpecifierSet(specs[name]) == requirement.specifier, (
            f"{name}: pyproject.toml asks for {requirement.specifier}, "
            f"environment.yml for {specs[name]!r}"
        )


def test_postbuild_installs_the_package_and_stops_on_errors():
    script = (ROOT / "postBuild").read_text()
    assert script.startswith("#!/bin/bash")
    assert "set -euo pipefail" in script
    assert re.search(r"pip install --no-deps \.$", script, re.MULTILINE)
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"
    assert not (ROOT / "binder").exists(), (
        "a binder/ folder would make repo2docker ignore the root files"
    )


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- test-command -->\n```bash\n(.+?)\n```", readme, re.DOTALL)
    assert block, "README.md must hold the test command in a bash block after <!-- test-command -->"
    ci_command = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-command"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert ci_command == block[1]
