"""Build the Binder environment as repo2docker would, as far as that goes without Docker or conda.

repo2docker sees ``environment.yml`` at the root (and no ``binder/`` folder), creates
a conda environment from it with the pinned Python, then runs ``postBuild`` from
the repository's root with that environment first on PATH, failing the build if
the script fails. Here the same packages come from PyPI into a fresh venv (their
pip names, the same version bounds), ``postBuild`` runs unchanged in a copy of the
repository, and the first lesson must then execute with no error or stderr.

Without conda the venv's Python is the pinned one when that interpreter is on
PATH, else the one running the tests (which pyproject's ``requires-python`` also
allows; tests/test_packaging.py checks that the pin does).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LESSON = Path("course") / "00_start_here.ipynb"

#: conda-forge names whose PyPI name differs (only those this project could meet).
CONDA_TO_PIP = {"matplotlib-base": "matplotlib", "pytables": "tables", "pytorch": "torch"}
#: Provided by the environment itself, not installed as packages.
NOT_PACKAGES = {"python", "pip"}

# What repo2docker leaves behind, and what the copy of the repository need not carry.
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "build",
    "dist",
    "results",
    "screenshots",
)


def conda_to_pip(entry: str) -> tuple[str, str | None]:
    """Return ``(name, pip requirement)`` for one conda dependency (``None``: not a package)."""
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry.strip())
    assert match, f"cannot read the conda dependency {entry!r}"
    name, spec = match[1].lower(), match[2].replace(" ", "")
    if name in NOT_PACKAGES:
        return name, None
    if re.fullmatch(r"=[^=<>!,]+", spec):  # conda's "=1.2" means 1.2.*
        spec = f"=={spec[1:]}" + ("" if spec.endswith("*") else ".*")
    requirement = Requirement(CONDA_TO_PIP.get(name, name) + spec)
    return name, str(requirement)


def test_conda_specs_become_pip_requirements():
    assert conda_to_pip("numpy>=1.26,<3") == ("numpy", "numpy<3,>=1.26")
    assert conda_to_pip("ipykernel =6.29") == ("ipykernel", "ipykernel==6.29.*")
    assert conda_to_pip("matplotlib-base>=3.8") == ("matplotlib-base", "matplotlib>=3.8")
    assert conda_to_pip("python=3.12") == ("python", None)


def read_binder_files() -> tuple[str, list[str]]:
    """Check environment.yml and postBuild as repo2docker reads them; return (python, pip reqs)."""
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), (
        "repo2docker would read binder/ and ignore the root's environment.yml and postBuild"
    )
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert environment["channels"] == ["conda-forge"]
    python = None
    requirements = []
    for entry in environment["dependencies"]:
        assert isinstance(entry, str), (
            f"environment.yml: {entry!r} (a pip: section) would need pip at build time"
        )
        name, requirement = conda_to_pip(entry)
        if name == "python":
            pinned = re.fullmatch(r"python\s*=\s*(\d+\.\d+)", entry.strip())
            assert pinned, f"python must be pinned like 'python=3.12', got {entry!r}"
            python = pinned[1]
        elif requirement is not None:
            requirements.append(requirement)
    assert python, "environment.yml must pin python: repo2docker otherwise picks an old one"
    requires = SpecifierSet(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    )
    assert Version(python) in requires

    post_build = ROOT / "postBuild"
    script = post_build.read_text(encoding="utf-8")
    assert script.startswith("#!"), "postBuild needs a shebang: repo2docker executes it"
    assert os.access(post_build, os.X_OK), "postBuild must be executable"
    assert re.search(r"^set -[a-z]*e", script, re.MULTILINE), (
        "postBuild must `set -e`, or a failing step would not fail the build"
    )
    assert re.search(r"pip install --no-deps \.\s*$", script, re.MULTILINE)
    return python, requirements


def _clean_environment(home: Path, venv: Path | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_", "IPYTHON", "VIRTUAL_ENV", "PYTHON", "CONDA"))
    }
    for variable, name in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ]:
        (home / name).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / name)
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    completed = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert completed.returncode == 0, (
        f"{' '.join(map(str, command))} failed with {completed.returncode}:\n"
        f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    )
    return completed


def _reports_version(python: str, pinned: str) -> bool:
    try:
        completed = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0 and completed.stdout.strip() == pinned


def _interpreter(pinned: str) -> str:
    """The pinned Python when this machine has it (on PATH or under pyenv), else ours."""
    candidates = [shutil.which(f"python{pinned}")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=60)
        versions = Path(root.stdout.strip()) / "versions"
        candidates += sorted(map(str, versions.glob(f"{pinned}.*/bin/python{pinned}")))[::-1]
    for candidate in candidates:
        if candidate and _reports_version(candidate, pinned):
            return candidate
    return sys.executable


def test_binder_environment_builds_and_runs_the_first_lesson(tmp_path):
    pinned, requirements = read_binder_files()
    repository = tmp_path / "repo"
    shutil.copytree(ROOT, repository, ignore=IGNORED)
    venv = tmp_path / "env"
    home = tmp_path / "home"
    env = _clean_environment(home, venv)

    _run([_interpreter(pinned), "-m", "venv", str(venv)], timeout=300)
    python = venv / "bin" / "python"
    # The conda environment's packages, by their pip names; the notebook runner
    # (nbconvert) comes with jupyterlab, as it does on Binder.
    _run([str(python), "-m", "pip", "install", "--quiet", *requirements], env=env, timeout=900)
    # postBuild exactly as repo2docker runs it: from the root, the environment first on PATH.
    _run([str(repository / "postBuild")], cwd=repository, env=env, timeout=600)

    where = _run(
        [str(python), "-c", "import calcwidgets; print(calcwidgets.__file__)"],
        cwd=home,
        env=env,
        timeout=120,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"calcwidgets imported from {where}, not the venv"

    executed = tmp_path / "executed.ipynb"
    _run(
        [
            str(python),
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output",
            str(executed),
            str(repository / LESSON),
        ],
        cwd=repository / LESSON.parent,
        env=env,
        timeout=600,
    )
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    problems = [
        (index, output.get("ename") or "".join(output.get("text", "")))
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
        or (output["output_type"] == "stream" and output["name"] == "stderr")
    ]
    assert not problems, f"{LESSON} in the Binder environment: {problems}"
    unran = [
        index
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code" and cell.get("execution_count") is None
    ]
    assert not unran, f"code cells {unran} of {LESSON} never ran"


@pytest.mark.parametrize("entry", ["python", "python>=3.11", "python=3"])
def test_an_unpinned_python_is_refused(entry, tmp_path, monkeypatch):
    environment = {"channels": ["conda-forge"], "dependencies": [entry, "numpy"]}
    fake = tmp_path / "repo"
    fake.mkdir()
    (fake / "environment.yml").write_text(yaml.safe_dump(environment), encoding="utf-8")
    shutil.copy2(ROOT / "postBuild", fake / "postBuild")
    shutil.copy2(ROOT / "pyproject.toml", fake / "pyproject.toml")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake)
    with pytest.raises(AssertionError, match="python"):
        read_binder_files()
