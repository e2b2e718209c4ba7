"""A learner with ``%matplotlib widget`` (ipympl) keeps working explorers and own figures.

The explorers draw on their own Agg canvases, never through pyplot, so the
interactive backend a learner picks must neither break them nor show their
figures a second time; and the learner's own ipympl figure must still be theirs.
The notebook runs in a real kernel, as a learner's would.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

import calcwidgets

EXPLORERS = [name for name in calcwidgets.__all__ if name.endswith("Explorer")]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

CELLS = [
    "%matplotlib widget",
    "import matplotlib\nimport matplotlib.pyplot as plt\nimport calcwidgets\n"
    "print(matplotlib.get_backend())",
    *[f"calcwidgets.{name}()" for name in EXPLORERS],
    # Move one slider of each explorer to another end, as a learner would, then report.
    "import json\n"
    "import ipywidgets as widgets\n"
    "from calcwidgets.widgets._base import Explorer\n"
    "shown = [value for value in Out.values() if isinstance(value, Explorer)]\n"
    "before = [explorer.image.value for explorer in shown]\n"
    "for explorer in shown:\n"
    "    slider = next(c for c in explorer._controls if not c.disabled and isinstance(\n"
    "        c, widgets.SelectionSlider | widgets.FloatLogSlider | widgets.FloatSlider\n"
    "        | widgets.IntSlider))\n"
    "    if isinstance(slider, widgets.SelectionSlider):\n"
    "        slider.index = 0 if slider.index else len(slider.options) - 1\n"
    "    elif isinstance(slider, widgets.FloatLogSlider):\n"
    "        top = slider.base ** slider.max\n"
    "        slider.value = slider.base ** slider.min if slider.value == top else top\n"
    "    else:\n"
    "        slider.value = slider.min if slider.value == slider.max else slider.max\n"
    "print(json.dumps({\n"
    "    'explorers': len(shown),\n"
    "    'changed': sum(e.image.value != b for e, b in zip(shown, before)),\n"
    "    'messages': [e.message.value for e in shown if e.message.value],\n"
    "    'warnings': [str(w) for e in shown for w in e.warnings_caught],\n"
    "    'pyplot_figures': plt.get_fignums(),\n"
    "}))",
    "fig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\nprint(plt.get_fignums())",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path_factory.mktemp("ipympl"))}},
    ).execute()
    return notebook.cells


def _text(cell) -> str:
    return "".join(
        output.get("text", "") for output in cell.outputs if output.output_type == "stream"
    )


def test_the_kernel_runs_the_ipympl_backend(executed):
    # matplotlib ≥ 3.9 names it "widget"; older versions gave the module path.
    assert _text(executed[1]).strip() in {"widget", "ipympl", "module://ipympl.backend_nbagg"}


@pytest.mark.parametrize("position", range(len(EXPLORERS)), ids=EXPLORERS)
def test_each_explorer_shows_once_as_a_widget_and_never_as_a_pyplot_figure(executed, position):
    cell = executed[2 + position]
    assert [output.output_type for output in cell.outputs] == ["execute_result"]
    data = cell.outputs[0]["data"]
    assert WIDGET_VIEW in data
    assert "image/png" not in data


def test_sliders_move_every_explorer_without_messages_warnings_or_pyplot_figures(executed):
    report = json.loads(_text(executed[2 + len(EXPLORERS)]))
    assert report == {
        "explorers": len(EXPLORERS),
        "changed": len(EXPLORERS),
        "messages": [],
        "warnings": [],
        "pyplot_figures": [],
    }


def test_the_learners_own_figure_is_an_ipympl_figure(executed):
    cell = executed[-1]
    assert _text(cell).strip() == "[1]"
    views = [output for output in cell.outputs if WIDGET_VIEW in output.get("data", {})]
    assert len(views) == 1, "the learner's figure should be shown once, as an ipympl canvas"
