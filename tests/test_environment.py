"""The environment check: it names what is missing or of the wrong version, with the fix."""

import html
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from calcwidgets.environment import FRONT_ENDS, PACKAGES, PYTHON_MINIMUM, check_environment

ROOT = Path(__file__).resolve().parents[1]


def _item(report, name):
    return next(item for item in report.items if item.name == name)


def test_this_environment_has_everything_the_course_needs():
    report = check_environment()
    assert report.ok, str(report)
    assert report.problems == () and report.fix_command is None
    names = [item.name for item in report.items]
    assert names == ["Python", "numpy", "matplotlib", "ipywidgets", "pillow", "widget front end"]
    assert "Everything the course needs is installed." in str(report)
    assert "Everything the course needs is installed." in report._repr_html_()


@pytest.mark.parametrize(
    ("name", "version", "status", "fix"),
    [
        ("numpy", None, "missing", 'pip install "numpy>=1.26,<3"'),
        ("numpy", "1.21.6", "too old", 'pip install "numpy>=1.26,<3"'),
        ("numpy", "3.0.0", "too new", 'pip install "numpy>=1.26,<3"'),
        ("ipywidgets", "7.7.2", "too old", 'pip install "ipywidgets>=8.1,<9"'),
        ("ipywidgets", "8.0.7", "too old", 'pip install "ipywidgets>=8.1,<9"'),
        ("matplotlib", "3.7.5", "too old", 'pip install "matplotlib>=3.8,<4"'),
        ("pillow", None, "missing", 'pip install "pillow>=9"'),
        ("numpy", "dev", "unreadable version", 'pip install "numpy>=1.26,<3"'),
    ],
)
def test_a_package_problem_is_named_with_the_exact_command(name, version, status, fix):
    report = check_environment(installed={name: version})
    assert not report.ok
    assert [(item.name, item.status) for item in report.problems] == [(name, status)]
    assert report.problems[0].fix == fix
    assert report.fix_command == fix
    text = str(report)
    assert f"✘ {name}" in text and fix in text and "restart the kernel" in text
    assert html.escape(fix) in report._repr_html_()


@pytest.mark.parametrize("version", ["1.26", "1.26.0", "1.26.0rc1", "2.4.6", "v2.0"])
def test_versions_inside_the_bounds_are_accepted(version):
    assert _item(check_environment(installed={"numpy": version}), "numpy").ok


def test_an_old_python_gets_instructions_not_a_pip_command():
    report = check_environment(installed={"python": "3.10.12"})
    python = _item(report, "Python")
    assert python.status == "too old" and "Python 3.11 or newer" in python.fix
    assert report.fix_command is None


def test_the_front_end_is_fine_when_either_package_works():
    lab_only = {"jupyterlab_widgets": "3.0.11", "widgetsnbextension": None}
    classic_only = {"jupyterlab_widgets": None, "widgetsnbextension": "4.0.11"}
    for installed in (lab_only, classic_only):
        assert _item(check_environment(installed=installed), "widget front end").ok


def test_a_missing_or_old_front_end_is_named_with_both_packages():
    missing = check_environment(installed={"jupyterlab_widgets": None, "widgetsnbextension": None})
    front_end = _item(missing, "widget front end")
    assert front_end.status == "missing" and front_end.found is None
    assert front_end.fix == 'pip install "jupyterlab_widgets>=3,<4" "widgetsnbextension>=4,<5"'
    assert "environment that runs JupyterLab" in str(missing)
    old = check_environment(installed={"jupyterlab_widgets": "1.1.1", "widgetsnbextension": None})
    front_end = _item(old, "widget front end")
    assert front_end.status == "too old" and front_end.found == "jupyterlab_widgets 1.1.1"


def test_several_problems_are_fixed_by_one_command():
    report = check_environment(installed={"numpy": None, "ipywidgets": "7.8.1"})
    assert report.fix_command == 'pip install "numpy>=1.26,<3" "ipywidgets>=8.1,<9"'


def test_html_escapes_what_it_shows():
    shown = check_environment(installed={"numpy": "<b>1.0"})._repr_html_()
    assert "<b>1.0" not in shown and "&lt;b&gt;1.0" in shown


def test_wrong_overrides_are_refused_with_the_known_names():
    with pytest.raises(ValueError, match="ipywidgets"):
        check_environment(installed={"ipywidget": "8.1"})
    with pytest.raises(TypeError, match="version string"):
        check_environment(installed={"numpy": 2.0})


def test_the_bounds_are_those_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=" + ".".join(map(str, PYTHON_MINIMUM))
    declared = {}
    for requirement in project["dependencies"]:
        name, _, specifier = requirement.partition(">=")
        bounds = specifier.split(",<")
        declared[name.strip().lower()] = (bounds[0], bounds[1] if len(bounds) > 1 else None)
    assert declared == {name: (low, high) for name, (low, high, _) in PACKAGES.items()}
    # ipywidgets 8 requires these front ends; the check must ask for the same majors.
    for name, (low, high, _) in FRONT_ENDS.items():
        assert int(high) == int(low) + 1, f"{name}: one major version of the front end"


def test_the_check_imports_none_of_the_packages_it_checks():
    probe = (
        "import sys; from calcwidgets.environment import check_environment; "
        "check_environment(); "
        "names = ('numpy', 'matplotlib', 'ipywidgets', 'PIL'); "
        "print(' '.join(m for m in names if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
