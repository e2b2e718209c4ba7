"""Grading handed-in notebooks: fresh contained kernels, re-judged answers, hostile submissions.

Two grading runs are shared by the tests below (each starts real kernels, so they
are module-scoped): one with well-behaved, wrong, broken and hostile submissions
of lessons 00 and 01 side by side, and one with generous-looking but short time
limits for notebooks that never finish. No test asserts how long anything took.
"""

import ast
import asyncio
import csv
import json
import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from calcwidgets import grading
from calcwidgets.core import sigmoid
from calcwidgets.coursetools import (
    SOLUTION_BEGIN,
    SOLUTION_END,
    learner_notebook,
    main,
    write_learner_copies,
)
from calcwidgets.exercises import Outcome, check, registered_exercises
from calcwidgets.exercises._framework import (
    GRADING_RECORD_ENV,
    GRADING_SEED_ENV,
    decode_answer,
    encode_answer,
    hidden_checks,
    judge_hidden,
    probe_hidden,
)

COURSE = Path(__file__).resolve().parents[1] / "course"


def _sandboxed() -> bool:
    """Whether this machine gives kernels a throwaway user in private namespaces (root only)."""
    if not (sys.platform == "linux" and os.geteuid() == 0):
        return False
    policy = grading._sandbox_policy(True, [], grading.DEFAULT_MEMORY_MB, 60)
    root = Path(grading.tempfile.mkdtemp(prefix="cwgrade-test-"))
    root.chmod(0o711)
    try:
        chosen, _ = grading._workable_policy(policy, root, 0)
    finally:
        grading.shutil.rmtree(root, ignore_errors=True)
    return chosen.uid_base is not None and chosen.isolate


SANDBOXED = _sandboxed()


# Building submissions --------------------------------------------------------------------------


def _course(stem):
    return json.loads((COURSE / f"{stem}.ipynb").read_text(encoding="utf-8"))


def _code(source):
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": source,
    }


def _markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def _learner_copy(stem, edits=None, extra=()):
    """The learner's copy of a lesson with stub lines replaced and cells added after the imports."""
    notebook = learner_notebook(_course(stem))
    for old, new in (edits or {}).items():
        cells = [
            cell
            for cell in notebook["cells"]
            if cell["cell_type"] == "code" and old in "".join(cell["source"])
        ]
        assert len(cells) == 1, f"{old!r} is in {len(cells)} cells of {stem}"
        cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new)
    notebook["cells"][2:2] = [_code(source) for source in extra]
    return notebook


def _tiny_lesson_00(*extra):
    """A short lesson-00 notebook: its title, the imports, extra cells, both exercises solved."""
    return {
        "cells": [
            _markdown("# 00 · Start here\n"),
            _code("import numpy as np\nfrom calcwidgets.exercises import check"),
            *[_code(source) for source in extra],
            _code(
                "x1, y1, x2, y2 = 1.0, 2.0, 4.0, 11.0\nslope = (y2 - y1) / (x2 - x1)\n"
                'check("00.1", slope)'
            ),
            _code('xs = np.linspace(-1, 3, 9)\nvalues = xs**2 - 2 * xs\ncheck("00.2", values)'),
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _write(path, notebook):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def _solution(stem):
    return _course(stem)


FLIPPED_00 = {
    "slope = ...  # YOUR ANSWER HERE": "slope = (x2 - x1) / (y2 - y1)",
    "values = ...  # YOUR ANSWER HERE": "values = xs**2 + 2 * xs",
}
HARDCODED_01 = {
    "left_limit = ...  # YOUR ANSWER HERE": "left_limit = 5.0",
    "right_limit = ...  # YOUR ANSWER HERE": "right_limit = 7.0",
    "two_sided_exists = ...  # YOUR ANSWER HERE": "two_sided_exists = False",
    "delta = ...  # YOUR ANSWER HERE": "delta = epsilon",
    # Right on the six steps the notebook uses, whatever h it is given:
    "    return ...  # YOUR CODE HERE": "    return 12 + 6 * steps + steps**2",
}
SOLVED_00 = {
    "slope = ...  # YOUR ANSWER HERE": "slope = (y2 - y1) / (x2 - x1)",
    "values = ...  # YOUR ANSWER HERE": "values = xs**2 - 2 * xs",
}


def _attempts(targets):
    """A cell that tries each hostile action and prints whether it was blocked."""
    lines = ["import os, shutil, socket", "attempts = {"]
    lines += [f"    {name!r}: lambda: {action}," for name, action in targets.items()]
    lines += [
        "}",
        "for name, attempt in attempts.items():",
        "    try:",
        "        attempt()",
        "        print(f'{name}: ALLOWED')",
        "    except Exception as error:",
        "        print(f'{name}: blocked ({type(error).__name__})')",
    ]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Grade ten learners' submissions of lessons 00 and 01 in one run, two at a time."""
    base = tmp_path_factory.mktemp("grading")
    subs, out = base / "submissions", base / "out"
    sentinel = base / "sentinel.txt"
    sentinel.write_text("the grader's own file\n")
    alice = [
        _write(subs / "alice" / f"{stem}.ipynb", _solution(stem))
        for stem in ("00_start_here", "01_limits")
    ]
    for stem in ("00_start_here", "01_limits"):
        _write(subs / "bob" / f"{stem}.ipynb", _learner_copy(stem))
    _write(subs / "carol__00_start_here.ipynb", _learner_copy("00_start_here", FLIPPED_00))
    _write(subs / "carol__01_limits.ipynb", _learner_copy("01_limits", HARDCODED_01))
    huge = ['print("x" * 3_000_000)', 'for i in range(20_000):\n    print(i, "y" * 100)']
    _write(subs / "dave" / "00_start_here.ipynb", _learner_copy("00_start_here", SOLVED_00, huge))
    targets = {
        "relative remove": "os.remove(os.path.join(*['..'] * 6, 'sentinel.txt'))",
        "relative rmtree": "shutil.rmtree(os.path.join('..', '..', 'submissions'))",
        "allocate 16 GiB": "bytearray(16 * 2**30)",
    }
    if SANDBOXED:
        targets |= {
            "remove sentinel": f"os.remove({str(sentinel)!r})",
            "read alice": f"open({str(alice[0])!r}).read()",
            "remove alice": f"shutil.rmtree({str(alice[0].parent)!r})",
            "write grades": f"open({str(out / 'grades.csv')!r}, 'w').write('forged')",
            "read solutions": f"open({str(COURSE / '01_limits.ipynb')!r}).read()",
            "list other sandboxes": "os.listdir(os.path.dirname(os.path.dirname(os.getcwd())))",
            "network": "socket.create_connection(('127.0.0.1', 22), timeout=2)",
            "change the checks": "open(__import__('calcwidgets').__file__, 'a').write('#')",
        }
    _write(
        subs / "eve" / "00_start_here.ipynb",
        _learner_copy("00_start_here", SOLVED_00, [_attempts(targets)]),
    )
    (subs / "frank__00_start_here.ipynb").write_text('{"cells": [{"cell_type": "code", "sou')
    _write(subs / "grace" / "00_start_here.ipynb", _learner_copy("01_limits"))
    broken = {
        "slope = ...  # YOUR ANSWER HERE": "slope = rise / run",
        "values = ...  # YOUR ANSWER HERE": "values = xs**2 - 2 * xs",
    }
    _write(
        subs / "heidi" / "00_start_here.ipynb",
        _learner_copy("00_start_here", broken, ['raise RuntimeError("boom")']),
    )
    forge = (
        "import json, os\n"
        "import calcwidgets.exercises as exercises\n"
        f"with open(os.environ.get({GRADING_RECORD_ENV!r}, 'unused.jsonl'), 'a') as record:\n"
        "    line = {'exercise': '00.1', 'outcome': 'correct', 'answer': 99.0, 'hidden': {}}\n"
        "    record.write(json.dumps(line) + '\\n')\n"
        "    record.write('{not json\\n')\n"
        "def check(identifier, answer):\n"
        "    return exercises.Feedback(identifier, 'forged', exercises.Outcome.CORRECT, 'yes',"
        " None, 1.0, 1.0)\n"
    )
    _write(subs / "mallory" / "00_start_here.ipynb", _learner_copy("00_start_here", extra=[forge]))
    _write(subs / "ivan" / "99_extra_credit.ipynb", _tiny_lesson_00())
    dies = _tiny_lesson_00()
    dies["cells"].insert(3, _code("import os\nos._exit(3)"))
    _write(subs / "judy" / "00_start_here.ipynb", dies)

    before = {path: path.read_bytes() for path in alice}
    reports = grading.grade_submissions(
        grading.find_submissions([subs]),
        course_dir=COURSE,
        out_dir=out,
        timeout=300,
        cell_timeout=120,
        max_output=500_000,
        seed=1234,
        jobs=2,
    )
    return {
        "reports": {(r.submission.learner, r.submission.lesson): r for r in reports},
        "out": out,
        "sentinel": sentinel,
        "alice": before,
        "subs": subs,
    }


def _grades(report):
    return {grade.exercise: grade for grade in report.grades}


def _printed(out, learner, notebook="00_start_here.ipynb"):
    executed = json.loads((out / "notebooks" / learner / notebook).read_text(encoding="utf-8"))
    return "".join(
        "".join(output.get("text", ""))
        for cell in executed["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


# The well-behaved submissions --------------------------------------------------------------------


def test_the_solution_notebooks_score_full_marks(run):
    for lesson in ("00", "01"):
        report = run["reports"][("alice", lesson)]
        assert report.status == "graded"
        assert report.points == report.max_points > 0
        assert {grade.outcome for grade in report.grades} == {"correct"}
    assert "01.3 (hidden: unseen steps)" in _grades(run["reports"][("alice", "01")])


def test_a_fresh_learner_copy_scores_zero_with_not_attempted(run):
    for lesson in ("00", "01"):
        report = run["reports"][("bob", lesson)]
        assert report.status == "graded" and report.points == 0 and report.max_points > 0
        for grade in report.grades:
            assert grade.outcome == "not attempted yet", grade
            assert "replace the ..." in grade.feedback


def test_wrong_answers_get_their_specific_feedback(run):
    wrong = _grades(run["reports"][("carol", "00")])
    assert wrong["00.1"].outcome == "incorrect" and "run / rise" in wrong["00.1"].feedback
    assert "Hint: slope = rise / run" in wrong["00.1"].feedback
    assert "the sign of the 2x term is flipped" in wrong["00.2"].feedback
    limits = _grades(run["reports"][("carol", "01")])
    assert limits["01.1"].outcome == "correct"
    assert "δ = ε lets x reach" in limits["01.2"].feedback
    assert limits["01.3"].outcome == "correct", "the visible check sees only the six steps"
    hidden = limits["01.3 (hidden: unseen steps)"]
    assert hidden.outcome == "incorrect" and hidden.points == 0
    assert "difference_quotient" in hidden.feedback


def test_the_csv_has_one_row_per_check_and_the_summary_totals_each_learner(run):
    with open(run["out"] / "grades.csv", newline="", encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    assert list(rows[0]) == list(grading.CSV_COLUMNS)
    assert len(rows) == sum(len(report.grades) for report in run["reports"].values())
    alice = [row for row in rows if row["learner"] == "alice"]
    assert {row["notebook"] for row in alice} == {"00_start_here.ipynb", "01_limits.ipynb"}
    assert all(row["points"] == row["max_points"] for row in alice)
    summary = (run["out"] / "summary.md").read_text(encoding="utf-8")
    for learner in ("alice", "bob", "carol", "dave", "eve", "frank", "mallory"):
        assert f"| {learner} |" in summary
    total = sum(run["reports"][("alice", lesson)].max_points for lesson in ("00", "01"))
    assert (
        f"| alice | 00_start_here.ipynb, 01_limits.ipynb | {total:g} | {total:g} | 100 |" in summary
    )
    assert "## Exercises" in summary and "| 00.1 |" in summary
    assert "## Problems" in summary and "Containment" in summary


# Bad and hostile submissions ------------------------------------------------------------


def test_a_notebook_that_raises_still_has_its_later_cells_graded(run):
    report = run["reports"][("heidi", "00")]
    grades = _grades(report)
    assert grades["00.1"].outcome == "error" and "NameError" in grades["00.1"].feedback
    assert grades["00.2"].outcome == "correct"
    assert any("RuntimeError: boom" in problem for problem in report.problems)


def test_megabytes_of_output_are_truncated_and_reported(run):
    report = run["reports"][("dave", "00")]
    assert {grade.outcome for grade in report.grades} == {"correct"}
    assert any(problem.startswith("output truncated") for problem in report.problems)
    executed = run["out"] / "notebooks" / "dave" / "00_start_here.ipynb"
    assert executed.stat().st_size < 1_000_000
    assert "output beyond 500,000 bytes was dropped" in _printed(run["out"], "dave")


def test_invalid_json_and_the_wrong_lesson_are_reported_not_run(run):
    frank = run["reports"][("frank", "00")]
    assert frank.status == "not graded" and "not valid JSON" in frank.problems[0]
    assert {grade.outcome for grade in frank.grades} == {"not graded"}
    assert [grade.exercise for grade in frank.grades] == list(
        grading.load_course(COURSE)["00"].exercises
    )
    grace = run["reports"][("grace", "00")]
    assert grace.status == "not graded" and grace.points == 0
    assert "wrong lesson" in grace.problems[0] and "01 · Limits" in grace.problems[0]
    assert not (run["out"] / "notebooks" / "grace").exists()
    ivan = run["reports"][("ivan", "99")]
    assert ivan.status == "not graded" and "unknown lesson 99" in ivan.problems[0]


def test_a_kernel_that_dies_is_reported_and_what_ran_before_is_graded(run):
    report = run["reports"][("judy", "00")]
    grades = _grades(report)
    assert report.status == "kernel died"
    assert grades["00.1"].outcome == "correct"
    assert grades["00.2"].outcome == "not reached"
    assert any("kernel died" in problem for problem in report.problems)


def test_forged_verdicts_and_a_replaced_check_earn_nothing(run):
    report = run["reports"][("mallory", "00")]
    grades = _grades(report)
    assert report.points == 0
    assert (
        grades["00.1"].outcome == "incorrect" and "99 is not the slope" in grades["00.1"].feedback
    )
    assert grades["00.2"].outcome == "missing"
    assert any("own check said 'correct'" in problem for problem in report.problems)
    assert any("malformed" in problem for problem in report.problems)


def test_files_outside_a_submissions_folder_are_out_of_its_reach(run):
    assert run["sentinel"].read_text() == "the grader's own file\n"
    for path, content in run["alice"].items():
        assert path.read_bytes() == content
    assert (run["subs"] / "bob" / "00_start_here.ipynb").exists()
    printed = _printed(run["out"], "eve")
    assert "relative remove: blocked" in printed and "relative rmtree: blocked" in printed
    assert "ALLOWED" not in printed, printed
    assert {grade.outcome for grade in run["reports"][("eve", "00")].grades} == {"correct"}
    with open(run["out"] / "grades.csv", encoding="utf-8") as table:
        assert "forged" not in table.read()


@pytest.mark.skipif(not SANDBOXED, reason="only root can drop a kernel to a throwaway user")
def test_as_root_absolute_paths_the_network_and_other_sandboxes_are_blocked(run):
    printed = _printed(run["out"], "eve")
    for name in (
        "remove sentinel",
        "read alice",
        "remove alice",
        "write grades",
        "read solutions",
        "list other sandboxes",
        "network",
        "change the checks",
    ):
        assert f"{name}: blocked" in printed, printed
    containment = run["reports"][("eve", "00")].containment
    assert "throwaway user" in containment and "no network" in containment


def test_other_learners_grades_do_not_depend_on_the_hostile_ones(run):
    assert run["reports"][("alice", "00")].points == run["reports"][("alice", "00")].max_points
    assert run["reports"][("alice", "00")].problems == []
    assert _grades(run["reports"][("eve", "00")])["00.1"].points == 1


# Notebooks that never finish ---------------------------------------------------------------------

STUBBORN = """
import signal, subprocess
if SANDBOXED:
    subprocess.Popen(["sleep", "98765"], start_new_session=True)
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""


@pytest.fixture(scope="module")
def endless(tmp_path_factory):
    """Grade an interruptible loop, an uninterruptible one and a tidy notebook side by side."""
    base = tmp_path_factory.mktemp("endless")
    subs = base / "submissions"
    _write(subs / "loopy" / "00_start_here.ipynb", _tiny_lesson_00("while True:\n    pass"))
    stubborn = STUBBORN.replace("SANDBOXED", str(SANDBOXED))
    _write(subs / "stubborn" / "00_start_here.ipynb", _tiny_lesson_00(stubborn))
    _write(subs / "tidy" / "00_start_here.ipynb", _tiny_lesson_00())
    reports = grading.grade_submissions(
        grading.find_submissions([subs]),
        course_dir=COURSE,
        out_dir=base / "out",
        timeout=12,
        cell_timeout=5,
        jobs=3,
    )
    return {report.submission.learner: report for report in reports}


def _tiny_outcomes(report):
    """The outcomes of the two exercises a tiny lesson-00 notebook solves."""
    return {grade.outcome for grade in report.grades if grade.exercise in ("00.1", "00.2")}


def test_a_cell_that_loops_is_interrupted_and_the_rest_is_graded(endless):
    report = endless["loopy"]
    assert report.status == "graded"
    assert _tiny_outcomes(report) == {"correct"}
    assert any("cell 3 (while True:) timed out" in problem for problem in report.problems)


def test_a_notebook_that_ignores_interrupts_is_killed_at_the_time_limit(endless):
    report = endless["stubborn"]
    assert report.status == "timed out" and report.points == 0
    assert _tiny_outcomes(report) == {"timed out"}
    assert any(problem.startswith("timed out") for problem in report.problems)
    alive = []
    for entry in os.listdir("/proc") if sys.platform == "linux" else []:
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"sleep\x0098765"):
            alive.append(entry)
    assert not alive, "a process the notebook detached outlived grading"


def test_the_tidy_neighbour_of_endless_notebooks_scores_full_marks(endless):
    assert _tiny_outcomes(endless["tidy"]) == {"correct"} and endless["tidy"].points == 2


def test_without_the_sandbox_a_kernel_still_starts_in_a_fresh_folder(tmp_path):
    look = (
        "import os\nprint('cwd holds', sorted(os.listdir('.')))\n"
        "print(os.path.exists('../../submissions'))"
    )
    submission = _write(
        tmp_path / "submissions" / "una" / "00_start_here.ipynb", _tiny_lesson_00(look)
    )
    [report] = grading.grade_submissions(
        grading.find_submissions([submission]),
        course_dir=COURSE,
        out_dir=tmp_path / "out",
        sandbox=False,
    )
    assert _tiny_outcomes(report) == {"correct"}
    assert "the grader's own user" in report.containment
    printed = _printed(tmp_path / "out", "una")
    assert "00_start_here" not in printed and "False" in printed


def test_the_summary_counts_a_lesson_handed_in_twice_once():
    def report(notebook, points):
        submission = grading.Submission("ann", Path(notebook), "00")
        grades = [
            grading.ExerciseGrade(
                "00.1",
                points,
                1.0,
                "correct" if points else "incorrect",
                "well done." if points else "no. Hint: try",
            )
        ]
        return grading.SubmissionReport(submission, None, "graded", grades)

    summary = grading.summary_text(
        [report("00_start_here.ipynb", 0.0), report("ann__00_start_here.ipynb", 1.0)]
    )
    assert "| ann | 00_start_here.ipynb, ann__00_start_here.ipynb | 1 | 1 | 100 |" in summary
    assert "ann handed in lesson 00 2 times" in summary
    assert "| 00.1 | 2 | 1 | 1 | 0 | 0 | 0.50 | no. (×1) |" in summary


# Units: layout, records, hidden checks, the command line ------------------------------


def test_learners_come_from_folders_or_double_underscores(tmp_path):
    _write(tmp_path / "alice" / "01_limits.ipynb", {})
    _write(tmp_path / "bob__00_start_here.ipynb", {})
    _write(tmp_path / "alice" / ".ipynb_checkpoints" / "01_limits-checkpoint.ipynb", {})
    _write(tmp_path / "carol" / "01_limits (1).ipynb", {})
    found = grading.find_submissions([tmp_path, tmp_path / "alice" / "01_limits.ipynb"])
    assert [(s.learner, s.lesson, s.notebook) for s in found] == [
        ("alice", "01", "01_limits.ipynb"),
        ("bob", "00", "bob__00_start_here.ipynb"),
        ("carol", "01", "01_limits (1).ipynb"),
    ]
    with pytest.raises(ValueError, match="does not exist"):
        grading.find_submissions([tmp_path / "nobody"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .ipynb"):
        grading.find_submissions([tmp_path / "empty"])


def test_learner_copies_name_their_lesson_in_the_metadata(tmp_path):
    for path in write_learner_copies(COURSE, tmp_path):
        metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        assert metadata["calcwidgets"] == {"lesson": path.stem}


@pytest.mark.parametrize(
    "answer",
    [
        3.0,
        -7,
        None,
        "text",
        ...,
        (5, 7.0, False),
        [1.5, ..., [True, None]],
        float("inf"),
        complex(1, -2),
        np.float32(0.5),
        np.int64(-3),
        np.bool_(True),
        np.linspace(0, 1, 6).reshape(2, 3),
        np.array([1 + 2j, np.nan]),
        np.array([], dtype=int),
    ],
)
def test_answers_survive_the_record_exactly(answer):
    encoded = json.loads(json.dumps(encode_answer(answer), allow_nan=False))
    decoded = decode_answer(encoded)
    assert type(decoded) is type(answer)
    if isinstance(answer, np.ndarray):
        assert decoded.dtype == answer.dtype and decoded.shape == answer.shape
        np.testing.assert_array_equal(decoded, answer)
    else:
        assert decoded == answer or (decoded != decoded and answer != answer)


def test_what_the_record_cannot_carry_keeps_its_kind():
    function = decode_answer(encode_answer(lambda h: h))
    assert callable(function)
    with pytest.raises(TypeError):
        function(1.0)
    mapping = decode_answer(encode_answer({"a": 1}))
    assert type(mapping).__name__ == "dict" and repr(mapping) == "{'a': 1}"
    huge = decode_answer(encode_answer(np.zeros(300_000)))
    assert "too large" in repr(huge)


@pytest.mark.parametrize(
    "data",
    [
        {"bogus": 1},
        {"ndarray": {"dtype": "float64", "shape": [3], "data": [1.0]}},
        {"ndarray": {"dtype": "object", "shape": [1], "data": [1]}},
        {"ndarray": {"dtype": "float64", "shape": [10**9], "data": []}},
        {"list": [{"float": "1e999"}]},
        {"tuple": 5},
        [1, 2],
    ],
)
def test_malformed_records_are_refused(data):
    with pytest.raises(ValueError):
        decode_answer(data)


def difference_quotient(h):
    """Return the quotient; check() finds it here, in its caller's globals, as in a notebook."""
    return ((2 + h) ** 3 - 2**3) / h


def test_check_records_the_answer_and_the_hidden_probes_only_when_grading(tmp_path, monkeypatch):
    record = tmp_path / "record.jsonl"
    steps = 10.0 ** -np.arange(1, 7)
    monkeypatch.delenv("CALCWIDGETS_CHECKS", raising=False)
    monkeypatch.delenv(GRADING_RECORD_ENV, raising=False)
    check("01.3", difference_quotient(steps))
    assert not record.exists()
    monkeypatch.setenv(GRADING_RECORD_ENV, str(record))
    monkeypatch.setenv(GRADING_SEED_ENV, "5")
    feedback = check("01.3", difference_quotient(steps))
    assert feedback.correct
    [line] = [json.loads(text) for text in record.read_text().splitlines()]
    assert line["exercise"] == "01.3" and line["outcome"] == "correct"
    np.testing.assert_array_equal(decode_answer(line["answer"]), difference_quotient(steps))
    [hidden] = hidden_checks("01.3")
    assert judge_hidden(hidden, line["hidden"][hidden.key], seed=5).correct
    assert not judge_hidden(hidden, line["hidden"][hidden.key], seed=6).correct


def test_hidden_checks_judge_the_function_not_the_six_printed_values():
    [hidden] = hidden_checks("01.3")
    steps = 10.0 ** -np.arange(1, 7)

    def judged(function):
        return judge_hidden(hidden, probe_hidden(hidden, {"difference_quotient": function}, 9), 9)

    assert judged(difference_quotient).outcome is Outcome.CORRECT
    assert judged(lambda h: ...).outcome is Outcome.NOT_ATTEMPTED
    assert "returned shape (6,)" in judged(lambda h: 12 + 6 * steps + steps**2).message
    assert "raised ZeroDivisionError" in judged(lambda h: 1 / 0).message
    missing = judge_hidden(hidden, probe_hidden(hidden, {}, 9), 9)
    assert "no function named difference_quotient" in missing.message
    assert "malformed" in judge_hidden(hidden, {"result": {"bogus": 1}}, 9).message
    assert "malformed" in judge_hidden(hidden, None, 9).message


def _solution_functions():
    """Every function the course's solutions define, by name (defined with numpy and sigmoid)."""
    functions = {}
    for path in sorted(COURSE.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or SOLUTION_BEGIN not in source:
                continue
            body = source.split(SOLUTION_BEGIN, 1)[1].split("\n", 1)[1].split(SOLUTION_END)[0]
            tree = ast.parse(textwrap.dedent(body))
            tree.body = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
            namespace = {"np": np, "sigmoid": sigmoid}
            exec(compile(tree, path.name, "exec"), namespace)
            functions.update({node.name: namespace[node.name] for node in tree.body})
    return functions


HIDDEN = [hidden for name in registered_exercises() for hidden in hidden_checks(name)]


def test_every_exercise_that_asks_for_a_function_has_a_hidden_check():
    assert {hidden.function for hidden in HIDDEN} == set(_solution_functions())


@pytest.mark.parametrize("hidden", HIDDEN, ids=[hidden.label for hidden in HIDDEN])
def test_hidden_checks_pass_the_solution_and_fail_a_near_miss_and_the_stub(hidden):
    solution = _solution_functions()[hidden.function]

    def near_miss(*arguments):
        return np.asarray(solution(*arguments)) * 1.001 + 1e-3

    for seed in (0, 1, 2):

        def judged(function, seed=seed):
            probe = probe_hidden(hidden, {hidden.function: function}, seed)
            return judge_hidden(hidden, json.loads(json.dumps(probe)), seed)

        assert judged(solution).outcome is Outcome.CORRECT, judged(solution)
        wrong = judged(near_miss)
        assert wrong.outcome is Outcome.INCORRECT and hidden.function in wrong.message
        assert judged(lambda *arguments: ...).outcome is Outcome.NOT_ATTEMPTED


def test_the_record_is_read_as_untrusted_input(tmp_path):
    record = tmp_path / "record.jsonl"
    assert grading._read_record(record) == ([], [])
    record.write_text('{"exercise": "00.1"}\n[1]\nnot json\n')
    entries, problems = grading._read_record(record)
    assert entries == [{"exercise": "00.1"}] and "2 line(s)" in problems[0]
    link = tmp_path / "link.jsonl"
    link.symlink_to(record)
    assert grading._read_record(link)[0] == []


def test_the_command_line_grades_and_reports_bad_arguments(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "zoe__00_start_here.ipynb").write_text("not a notebook")
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--course", str(COURSE)]) == 0
    printed = capsys.readouterr().out
    assert "zoe · zoe__00_start_here.ipynb: 0/" in printed and "(not graded" in printed
    assert (out / "grades.csv").exists() and "not valid JSON" in (out / "summary.md").read_text()
    with pytest.raises(SystemExit) as stopped:
        main(["grade", str(tmp_path / "missing"), "--out", str(out), "--course", str(COURSE)])
    assert stopped.value.code == 2 and "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["grade", str(tmp_path / "subs"), "--out", str(out), "--timeout", "0"])
    assert stopped.value.code == 2


def test_grading_runs_inside_a_thread_that_already_has_an_event_loop():
    # A notebook kernel (or Playwright's sync API) keeps a loop running in the main
    # thread, where asyncio.run would refuse to start.
    from calcwidgets.grading import _run_to_completion

    async def answer():
        return 42

    async def caller():
        return _run_to_completion(answer)

    assert asyncio.run(caller()) == 42
    assert _run_to_completion(answer) == 42
