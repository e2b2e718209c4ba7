"""Every notebook of the course, run in JupyterLab in Chromium, shows no error anywhere.

For each notebook: open ``/lab/tree/<notebook>?reset`` on a temporary copy of the
course, wait for the status bar to say the kernel is idle, Run All, wait until
every code cell has an execution count (or one failed), then assert that no
output is an error or stderr, that every widget rendered, and that no explorer
shows an error message. A failure names the cell and shows its source.
"""

from __future__ import annotations

import pytest

from .conftest import COURSE, format_problems

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(path.name for path in COURSE.glob("*.ipynb"))


def test_the_course_has_notebooks():
    assert NOTEBOOKS, f"no notebooks in {COURSE}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_all_in_lab_without_errors(name, notebook, screenshots):
    notebook.open_in_lab(name)
    state = notebook.run_all()
    problems = notebook.problems()

    outputs = notebook.widget_outputs()
    for index in range(outputs.count()):
        output = outputs.nth(index)
        output.scroll_into_view_if_needed()
        screenshots.take(output, f"{name.removesuffix('.ipynb')}-widget-{index + 1}")
    if outputs.count():
        outputs.first.scroll_into_view_if_needed()
    screenshots.take(notebook.page, f"{name.removesuffix('.ipynb')}-page")

    assert not problems, f"{name}:\n{format_problems(problems)}"
    unran = [cell["index"] for cell in state["cells"] if cell["executionCount"] is None]
    assert not unran, f"{name}: code cells {unran} never ran"
