"""Learner copies: solutions become stubs, outputs are cleared, sources are never touched."""

import json

import pytest

from calcwidgets.coursetools import learner_notebook, learner_source, main, write_learner_copies

SOLVED = '''import numpy as np
# BEGIN SOLUTION
h = 1e-5
slope = (np.sin(1 + h) - np.sin(1 - h)) / (2 * h)
low, high = 0.5, 0.6


def mse_gradient(w, X, y):
    """Return the gradient of the mean squared error."""
    residual = X @ w - y
    return 2 / len(y) * X.T @ residual
# END SOLUTION
check("02.1", slope)
'''


def test_a_solution_block_becomes_stubs_for_its_names_and_functions():
    stub = learner_source(SOLVED)
    assert "np.sin(1 + h)" not in stub and "residual" not in stub
    assert "h = ...  # YOUR ANSWER HERE" in stub
    assert "slope = ...  # YOUR ANSWER HERE" in stub
    assert "low, high = ..., ...  # YOUR ANSWER HERE" in stub
    assert "def mse_gradient(w, X, y):" in stub
    assert '"""Return the gradient of the mean squared error."""' not in stub  # re-quoted
    assert '"Return the gradient of the mean squared error."' in stub
    assert "    return ...  # YOUR CODE HERE" in stub
    assert stub.startswith("import numpy as np\n") and stub.endswith('check("02.1", slope)\n')
    namespace = {}
    exec(compile(stub.replace('check("02.1", slope)', ""), "<stub>", "exec"), namespace)
    assert namespace["slope"] is Ellipsis
    assert namespace["mse_gradient"](None, None, None) is Ellipsis


def test_indented_blocks_keep_their_indentation():
    source = "def f(x):\n    # BEGIN SOLUTION\n    y = 2 * x\n    # END SOLUTION\n    return y\n"
    assert learner_source(source) == "def f(x):\n    y = ...  # YOUR ANSWER HERE\n    return y\n"


def test_a_block_without_assignments_leaves_a_prompt():
    source = "# BEGIN SOLUTION\nprint('done')\n# END SOLUTION\n"
    assert learner_source(source) == "# YOUR CODE HERE\n"


def test_unbalanced_markers_are_reported():
    with pytest.raises(ValueError, match="unbalanced solution markers"):
        learner_source("# BEGIN SOLUTION\nx = 1\n")


def _notebook():
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Lesson"]},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 3,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["0.54"]}],
                "source": SOLVED.splitlines(keepends=True),
            },
            {
                "cell_type": "markdown",
                "metadata": {"tags": ["solution"]},
                "source": ["The answer is 0.5403 because cos(1) = 0.5403."],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_learner_notebook_drops_solution_cells_and_outputs():
    source = _notebook()
    original = json.dumps(source)
    copy = learner_notebook(source)
    assert json.dumps(source) == original, "the source notebook was modified"
    assert [cell["cell_type"] for cell in copy["cells"]] == ["markdown", "code"]
    code = copy["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert "np.sin(1 + h)" not in "".join(code["source"])


def test_write_learner_copies_is_idempotent_and_leaves_sources_alone(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "01_lesson.ipynb").write_text(json.dumps(_notebook()))
    before = (course / "01_lesson.ipynb").read_bytes()
    out = tmp_path / "learners"
    first = [path.read_bytes() for path in write_learner_copies(course, out)]
    second = [path.read_bytes() for path in write_learner_copies(course, out)]
    assert first == second
    assert (course / "01_lesson.ipynb").read_bytes() == before
    with pytest.raises(ValueError, match="must differ from course_dir"):
        write_learner_copies(course, course)


def test_the_command_line_writes_copies_and_reports_bad_folders(tmp_path, capsys):
    course = tmp_path / "course"
    course.mkdir()
    (course / "01_lesson.ipynb").write_text(json.dumps(_notebook()))
    assert main(["student", str(tmp_path / "out"), "--course", str(course)]) == 0
    assert "01_lesson.ipynb" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        main(["student", str(tmp_path / "out"), "--course", str(tmp_path / "missing")])
    assert stopped.value.code == 2
    assert "course_dir must be a folder" in capsys.readouterr().err
