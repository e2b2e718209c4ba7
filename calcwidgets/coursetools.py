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

Outputs and execution counts are cleared in every copy, and each copy's metadata
names its lesson (``"calcwidgets": {"lesson": "01_limits"}``), which the grader
uses to spot a notebook handed in under another lesson's name. The sources are
never modified.

Grading
-------
``calcwidgets-course grade SUBMISSIONS… --out DIR`` runs and grades handed-in
copies; see :mod:`calcwidgets.grading`.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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
        copy["metadata"] = {**copy.get("metadata", {}), "calcwidgets": {"lesson": path.stem}}
        target = out_dir / path.name
        target.write_text(json.dumps(copy, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``calcwidgets-course`` command."""
    from . import grading

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
    grade = commands.add_parser(
        "grade",
        help="run and grade handed-in notebooks",
        description=(
            "Run each handed-in notebook in a fresh, contained kernel and grade its exercises "
            "with the checks the learner sees and hidden ones. Name submissions "
            "LEARNER/NN_lesson.ipynb or LEARNER__NN_lesson.ipynb; folders are searched."
        ),
    )
    grade.add_argument("submissions", nargs="+", type=Path, help="notebooks or folders of them")
    grade.add_argument("--out", type=Path, required=True, help="folder for the results")
    grade.add_argument(
        "--course", type=Path, default=Path("course"), help="folder of the source notebooks"
    )
    grade.add_argument(
        "--timeout",
        type=_positive(float),
        default=grading.DEFAULT_TIMEOUT,
        help="seconds one notebook may run (default %(default)s)",
    )
    grade.add_argument(
        "--cell-timeout",
        type=_positive(float),
        default=grading.DEFAULT_CELL_TIMEOUT,
        help="seconds one cell may run before it is interrupted (default %(default)s)",
    )
    grade.add_argument(
        "--max-output",
        type=_positive(int),
        default=grading.DEFAULT_MAX_OUTPUT,
        help="bytes of output kept per notebook (default %(default)s)",
    )
    grade.add_argument(
        "--memory",
        type=_positive(int),
        default=grading.DEFAULT_MEMORY_MB,
        help="MiB of address space per kernel (default %(default)s)",
    )
    grade.add_argument(
        "--jobs", type=_positive(int), default=1, help="notebooks run at once (default 1)"
    )
    grade.add_argument("--seed", type=int, help="seed of the hidden checks' inputs")
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels as yourself without namespaces (only for debugging the grader)",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "grade":
        return _grade(parser, arguments)
    try:
        written = write_learner_copies(arguments.course, arguments.out_dir)
    except ValueError as error:
        parser.exit(2, f"calcwidgets-course: {error}\n")
    for path in written:
        print(f"wrote {path}")
    return 0


def _grade(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> int:
    from . import grading

    try:
        out = arguments.out.resolve()
        submissions = [  # a results folder inside the submissions holds no submissions
            submission
            for submission in grading.find_submissions(arguments.submissions)
            if out not in submission.path.parents
        ]
        reports = grading.grade_submissions(
            submissions,
            course_dir=arguments.course,
            out_dir=arguments.out,
            timeout=arguments.timeout,
            cell_timeout=arguments.cell_timeout,
            max_output=arguments.max_output,
            memory_mb=arguments.memory,
            seed=arguments.seed,
            jobs=arguments.jobs,
            sandbox=not arguments.no_sandbox,
        )
    except ValueError as error:
        parser.exit(2, f"calcwidgets-course: {error}\n")
    except ImportError as error:
        parser.exit(
            2,
            f"calcwidgets-course: grading needs nbclient and ipykernel ({error}); "
            'install them with pip install "calcwidgets[lab]" nbclient\n',
        )
    for report in reports:
        learner, notebook = report.submission.learner, report.submission.notebook
        print(
            f"{learner} · {notebook}: {report.points:g}/{report.max_points:g} "
            f"({report.status}{', problems reported' if report.problems else ''})"
        )
    print(f"wrote {out / 'grades.csv'} and {out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
