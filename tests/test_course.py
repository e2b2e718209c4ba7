"""The course's shape: order, headers, exercises with checks, recaps, no network, no absolute paths.

The notebooks themselves run under nbval (``course/`` is a test path); this file
checks what running them cannot see, and runs the learner copies.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from calcwidgets.coursetools import SOLUTION_BEGIN, write_learner_copies
from calcwidgets.exercises import registered_exercises

COURSE = Path(__file__).resolve().parents[1] / "course"
LESSONS = [
    "00_start_here",
    "01_limits",
    "02_derivatives",
    "03_integrals",
    "04_gradient_descent",
    "05_overfitting_regularization",
    "06_convergence",
    "07_capstone",
]


def _load(name):
    return json.loads((COURSE / f"{name}.ipynb").read_text(encoding="utf-8"))


def _sources(notebook, cell_type):
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == cell_type]


def test_the_course_is_exactly_the_ordered_lessons():
    assert sorted(path.stem for path in COURSE.glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_opens_with_objectives_time_and_prerequisites(name):
    header = _sources(_load(name), "markdown")[0]
    number = name[:2]
    assert re.match(rf"# {number} · \S", header), f"{name} must start with '# {number} · Title'"
    assert re.search(r"\*\*Estimated time:\*\* \d+ minutes", header)
    assert "**Prerequisites:**" in header
    objectives = header.split("## Learning objectives", 1)
    assert len(objectives) == 2 and objectives[1].count("\n- ") >= 2


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_ends_with_a_recap(name):
    assert _sources(_load(name), "markdown")[-1].startswith("## Recap")


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_has_at_least_two_checked_exercises_with_solutions(name):
    notebook = _load(name)
    number = name[:2]
    headings = re.findall(
        rf"^### Exercise ({number}\.\d+)", "\n".join(_sources(notebook, "markdown")), re.MULTILINE
    )
    assert len(headings) >= 2, f"{name} has {len(headings)} exercises, at least 2 are needed"
    code = _sources(notebook, "code")
    known = registered_exercises()
    for identifier in headings:
        cells = [source for source in code if f'check("{identifier}"' in source]
        assert len(cells) == 1, f"exercise {identifier} needs exactly one check cell"
        assert SOLUTION_BEGIN in cells[0], f"exercise {identifier} has no marked solution"
        assert identifier in known, f"exercise {identifier} has no registered check"


@pytest.mark.parametrize("name", LESSONS)
def test_lessons_are_committed_clean_and_offline(name):
    notebook = _load(name)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{name} was committed with outputs"
            )
    code = "\n".join(_sources(notebook, "code"))
    for pattern in (
        r"https?://",
        r"\brequests\b",
        r"urllib",
        r"urlopen",
        r"socket",
        r"pip install",
    ):
        assert not re.search(pattern, code), f"{name} code touches the network ({pattern})"
    for source in _sources(notebook, "code") + _sources(notebook, "markdown"):
        assert not re.search(r"(?<![\w.])(/home/|/root/|/work/|/tmp/|[A-Z]:\\\\)", source), (
            f"{name} contains an absolute path"
        )


def test_learner_copies_run_top_to_bottom_with_every_exercise_not_attempted(tmp_path):
    copies = write_learner_copies(COURSE, tmp_path / "learner")
    executed = tmp_path / "executed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=120",
            "--output-dir",
            str(executed),
            *map(str, copies),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path / "learner",
    )
    for path in copies:
        code = "".join(_sources(json.loads(path.read_text(encoding="utf-8")), "code"))
        assert SOLUTION_BEGIN not in code
        notebook = json.loads((executed / path.name).read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            errors = [output for output in cell["outputs"] if output["output_type"] == "error"]
            assert not errors, f"{path.name}: a cell raised {errors[0]['ename']}"
            exercise = re.search(r'check\("(\d\d\.\d+)"', "".join(cell["source"]))
            if exercise:
                shown = json.dumps(cell["outputs"])
                assert "not attempted yet" in shown, (
                    f"{path.name}: exercise {exercise[1]} did not say 'not attempted yet'"
                )


def test_the_map_in_lesson_00_matches_every_lesson_header():
    start = "\n".join(_sources(_load("00_start_here"), "markdown"))
    rows = re.findall(r"^\| (\d\d) · (.+?) \|.*\| (\d+) min \|$", start, re.MULTILINE)
    course_map = {number: (title, int(minutes)) for number, title, minutes in rows}
    assert sorted(course_map) == [name[:2] for name in LESSONS]
    for name in LESSONS:
        header = _sources(_load(name), "markdown")[0]
        title = re.match(r"# \d\d · (.+)", header)[1].strip()
        minutes = int(re.search(r"\*\*Estimated time:\*\* (\d+) minutes", header)[1])
        assert course_map[name[:2]] == (title, minutes), f"the map in 00 disagrees with {name}"
    total = sum(minutes for _, minutes in course_map.values())
    assert f"That is {total} minutes" in start
