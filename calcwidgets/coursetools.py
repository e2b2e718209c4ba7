"""Make learner copies of the course: the same notebooks with the solutions taken out.

The solution marking
--------------------
A solution lives in the same notebook as the exercise, so there is one source:

* In a code cell, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
  are the solution. In the learner's copy they become a stub: each name the
  solution assigns becomes ``name = ...  # YOUR ANSWER HERE`` and each function it
  defines keeps its signature and docstring and gets ``return ...  # YOUR CODE
  HERE``. The exercise's ``check(...)`` call stays after the block, and it
  reports "not attempted yet" for a ``...``, so "Run All" works on a fresh copy.
* A Markdown cell tagged ``solution`` (an explanation of the answer) is left out
  of the learner's copy.

Outputs and execution counts are cleared in every copy. The sources are never
modified.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

__all__ = ["learner_notebook", "learner_source", "main", "write_learner_copies"]

SOLUTION_BEGIN = "# BEGIN SOLUTION"
SOLUTION_END = "# END SOLUTION"
SOLUTION_TAG = "solution"

_BLOCK = re.compile(
    rf"^(?P<indent>[ \t]*){re.escape(SOLUTION_BEGIN)}[^\n]*\n"
    rf"(?P<body>.*?)"
    rf"^[ \t]*{re.escape(SOLUTION_END)}[^\n]*(\n|$)",
    re.MULTILINE | re.DOTALL,
)


def _stub_lines(body: str) -> list[str]:
    tree = ast.parse(textwrap.dedent(body))
    lines: list[str] = []
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            lines.append(ast.unparse(statement))
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                written = ", ".join(ast.unparse(name) for name in names)
                placeholder = ", ".join("..." for _ in names)
                lines.append(f"{written} = {placeholder}  # YOUR ANSWER HERE")
        elif isinstance(statement, ast.FunctionDef):
            lines.append(f"def {statement.name}({ast.unparse(statement.args)}):")
            docstring = ast.get_docstring(statement, clean=False)
            if docstring is not None:
                lines.append(f"    {json.dumps(docstring, ensure_ascii=False)}")
            lines.append("    return ...  # YOUR CODE HERE")
    return lines or ["# YOUR CODE HERE"]


def learner_source(source: str) -> str:
    r"""Return a code cell's source with every solution block replaced by its stub.

    Examples
    --------
    >>> cell = "# BEGIN SOLUTION\nslope = 2 * 3.0\n# END SOLUTION\ncheck('01.1', slope)\n"
    >>> print(learner_source(cell))
    slope = ...  # YOUR ANSWER HERE
    check('01.1', slope)
    <BLANKLINE>
    """

    def replace(match: re.Match[str]) -> str:
        indent = match["indent"]
        return "".join(f"{indent}{line}\n" for line in _stub_lines(match["body"]))

    result = _BLOCK.sub(replace, source)
    if SOLUTION_BEGIN in result or SOLUTION_END in result:
        raise ValueError(f"unbalanced solution markers in a cell starting {source[:60]!r}")
    return result


def learner_notebook(notebook: dict) -> dict:
    """Return the learner's copy of a notebook (as parsed JSON): no solutions, no outputs."""
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and SOLUTION_TAG in cell.get("metadata", {}).get(
            "tags", []
        ):
            continue
        cell = dict(cell)
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            cell["source"] = learner_source(source).splitlines(keepends=True)
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    return {**notebook, "cells": cells}


def write_learner_copies(course_dir: Path, out_dir: Path) -> list[Path]:
    """Write the learner's copy of every notebook in ``course_dir`` to ``out_dir``.

    Running it twice gives the same files; the sources are only read.
    """
    course_dir, out_dir = Path(course_dir).resolve(), Path(out_dir).resolve()
    if not course_dir.is_dir():
        raise ValueError(f"course_dir must be a folder of notebooks, got {course_dir}")
    if out_dir == course_dir:
        raise ValueError("out_dir must differ from course_dir: the sources are never overwritten")
    notebooks = sorted(course_dir.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"course_dir holds no notebooks: {course_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        copy = learner_notebook(json.loads(path.read_text(encoding="utf-8")))
        target = out_dir / path.name
        target.write_text(json.dumps(copy, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``calcwidgets-course`` command."""
    parser = argparse.ArgumentParser(
        prog="calcwidgets-course", description="Instructor tools for the calcwidgets course."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser(
        "student", help="write learner copies of the course (solutions replaced by stubs)"
    )
    student.add_argument("out_dir", type=Path, help="folder for the learner copies")
    student.add_argument(
        "--course", type=Path, default=Path("course"), help="folder of the source notebooks"
    )
    arguments = parser.parse_args(argv)
    try:
        written = write_learner_copies(arguments.course, arguments.out_dir)
    except ValueError as error:
        parser.exit(2, f"calcwidgets-course: {error}\n")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
