"""Reading without a kernel: a static HTML page of a lesson, and text before every explorer.

``jupyter nbconvert --to html --execute`` of a lesson must give a page whose
embedded widget state holds each explorer's last frame, so the explorers show
their final picture in a browser with no kernel (nbviewer, a course website,
an exported page). And every explorer cell in every lesson follows a Markdown
cell with enough text to make sense of the explorer when nobody runs it.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import calcwidgets

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
LESSON = "02_derivatives.ipynb"  # a lesson whose explorer is moved from code after it is shown
MIN_WORDS = 25
EXPLORERS = [name for name in calcwidgets.__all__ if name.endswith("Explorer")]
EXPLORER_CALL = re.compile(r"\b(" + "|".join(EXPLORERS) + r")\(")
NOTEBOOKS = sorted(COURSE.glob("*.ipynb"))

# Appended to the lesson's copy: each explorer's current frame, by the Image model's id.
DUMP_LAST_FRAMES = f"""\
import base64 as _base64
import json as _json

import calcwidgets as _calcwidgets

_explorers = tuple(getattr(_calcwidgets, _name) for _name in {EXPLORERS!r})
_frames = {{
    value.image.model_id: _base64.b64encode(value.image.value).decode("ascii")
    for value in list(globals().values())
    if isinstance(value, _explorers)
}}
with open("last_frames.json", "w", encoding="utf-8") as _file:
    _json.dump(_frames, _file)
"""


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _words(markdown: str) -> int:
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", markdown, flags=re.DOTALL)  # formulas
    text = re.sub(r"`[^`]*`", " ", text)
    return len(re.findall(r"[^\W\d_][\w'’-]*", text))


def test_the_word_counter_counts_words_not_formulas():
    assert _words("The **gradient** $\\nabla f(w)$ points `uphill`; step *against* it.") == 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_explorer_cell_follows_enough_text_to_read_without_a_kernel(path):
    cells = _cells(path)
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or not EXPLORER_CALL.search(_source(cell)):
            continue
        before = cells[index - 1] if index > 0 else None
        assert before is not None and before["cell_type"] == "markdown", (
            f"{path.name}: the explorer cell #{index} ({_source(cell).splitlines()[0]!r}) must "
            "follow a Markdown cell that says what the explorer shows"
        )
        words = _words(_source(before))
        assert words >= MIN_WORDS, (
            f"{path.name}: the Markdown before explorer cell #{index} has {words} words; "
            f"at least {MIN_WORDS} are needed to read it without a kernel"
        )


def _embedded_state(page: str) -> dict:
    match = re.search(
        r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>',
        page,
        flags=re.DOTALL,
    )
    assert match, "the page embeds no widget state"
    return json.loads(html.unescape(match.group(1)))


def _children(state: dict) -> list[str]:
    found = []

    def walk(value):
        if isinstance(value, str) and value.startswith("IPY_MODEL_"):
            found.append(value.removeprefix("IPY_MODEL_"))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(state)
    return found


def _descendants(models: dict, model_id: str) -> set[str]:
    seen, stack = set(), [model_id]
    while stack:
        current = stack.pop()
        if current in seen or current not in models:
            continue
        seen.add(current)
        stack.extend(_children(models[current]["state"]))
    return seen


def test_static_html_embeds_each_explorers_last_frame(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    lesson = course / LESSON
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    notebook["cells"].append(
        {
            "cell_type": "code",
            "id": "test-dump-last-frames",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": DUMP_LAST_FRAMES,
        }
    )
    lesson.write_text(json.dumps(notebook), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    for variable, name in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ]:
        (tmp_path / name).mkdir()
        env[variable] = str(tmp_path / name)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output-dir",
            str(tmp_path / "html"),
            str(lesson),
        ],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    page = (tmp_path / "html" / lesson.with_suffix(".html").name).read_text(encoding="utf-8")
    frames = json.loads((course / "last_frames.json").read_text(encoding="utf-8"))
    assert frames, f"{LESSON} shows no explorer"

    state = _embedded_state(page)
    models = state["state"]
    views = re.findall(
        r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>',
        page,
        flags=re.DOTALL,
    )
    shown = [json.loads(html.unescape(view))["model_id"] for view in views]
    # The page loads a widget manager that draws the views from the embedded state.
    assert "html-manager" in page or "embed-amd" in page

    for image_id, frame in frames.items():
        assert image_id in models, f"the Image model {image_id} is not in the page's state"
        image = models[image_id]
        assert image["model_name"] == "ImageModel"
        buffers = {tuple(buffer["path"]): buffer for buffer in image.get("buffers", [])}
        assert ("value",) in buffers, "the Image model's PNG is not embedded"
        embedded = base64.b64decode(buffers[("value",)]["data"])
        assert embedded.startswith(b"\x89PNG\r\n\x1a\n")
        assert embedded == base64.b64decode(frame), (
            "the embedded frame is not the explorer's last one"
        )
        # And a view on the page shows the explorer holding that image.
        assert any(image_id in _descendants(models, view) for view in shown), (
            "no output view on the page contains the explorer's image"
        )
