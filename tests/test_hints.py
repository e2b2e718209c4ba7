"""Graduated hints: a new level per changed wrong answer, targeted hints first, no answer early."""

import dataclasses
import json
import re
from pathlib import Path

import pytest

from calcwidgets.coursetools import SOLUTION_BEGIN, SOLUTION_END
from calcwidgets.exercises import (
    Incorrect,
    Outcome,
    _framework,
    check,
    exercise,
    registered_exercises,
)
from calcwidgets.exercises._framework import judge_answer

COURSE = Path(__file__).resolve().parents[1] / "course"

LEVELS = ("think of 9 as a square", "3² means 3 times itself", "multiply 3 by 3")


@exercise("test.graduated", title="square three", hint=LEVELS)
def _check_square_of_three(answer):
    if answer == "broken":
        raise RuntimeError("the check itself failed")
    if answer != 9:
        raise Incorrect(f"{answer} is not 3²", hint="you added 3 + 3" if answer == 6 else None)
    return "3² = 9."


@exercise("test.other", title="another exercise", hint=("first", "second"))
def _check_other(answer):
    if answer != 1:
        raise Incorrect("not 1")


@exercise("test.single", title="one hint", hint="the only hint")
def _check_with_one_hint(answer):
    raise Incorrect("never right")


@pytest.fixture(autouse=True)
def _fresh_learner_kernel(monkeypatch):
    monkeypatch.delenv("CALCWIDGETS_CHECKS", raising=False)
    monkeypatch.setattr(_framework, "_HINTS_SHOWN", {})


def _levels(identifier, answers):
    return [check(identifier, answer).hint_level for answer in answers]


def test_each_changed_wrong_answer_shows_the_next_level_and_the_last_one_stays():
    shown = [check("test.graduated", answer) for answer in (1, 2, 3, 4)]
    assert [feedback.hint for feedback in shown] == [*LEVELS, LEVELS[-1]]
    assert [feedback.hint_level for feedback in shown] == [1, 2, 3, 3]
    assert {feedback.hint_levels for feedback in shown} == {3}


def test_running_the_same_wrong_answer_again_repeats_its_hint():
    assert _levels("test.graduated", [1, 1, 1, 2, 2]) == [1, 1, 1, 2, 2]


def test_a_correct_answer_or_a_stub_does_not_use_up_a_level():
    assert check("test.graduated", 1).hint_level == 1
    correct = check("test.graduated", 9)
    assert correct.correct and correct.hint is None and correct.hint_level == 0
    assert check("test.graduated", ...).outcome is Outcome.NOT_ATTEMPTED
    assert check("test.graduated", 2).hint_level == 2


def test_a_hint_for_the_particular_mistake_wins_and_does_not_use_up_a_level():
    targeted = check("test.graduated", 6)
    assert targeted.hint == "you added 3 + 3"
    assert targeted.hint_level == targeted.hint_levels == 0
    assert "Hint: you added 3 + 3" in str(targeted) and "further hint" not in str(targeted)
    assert check("test.graduated", 1).hint == LEVELS[0]
    assert check("test.graduated", 6).hint == "you added 3 + 3"


def test_a_check_that_breaks_on_the_answer_gets_the_next_level():
    assert check("test.graduated", "broken").hint == LEVELS[0]
    assert check("test.graduated", 1).hint == LEVELS[1]


def test_levels_are_counted_per_exercise():
    assert _levels("test.graduated", [1, 2]) == [1, 2]
    assert check("test.other", 5).hint == "first"


def test_the_text_and_html_name_the_level_and_promise_another_only_before_the_last():
    first = check("test.graduated", 1)
    assert "\n  Hint 1 of 3: think of 9 as a square" in str(first)
    assert "Run the cell again after another try for a further hint." in str(first)
    assert "<b>Hint 1 of 3:</b> think of 9 as a square" in first._repr_html_()
    assert "further hint" in first._repr_html_()
    check("test.graduated", 2)
    last = check("test.graduated", 3)
    assert "Hint 3 of 3: multiply 3 by 3" in str(last) and "further hint" not in str(last)
    assert "further hint" not in last._repr_html_()


def test_an_exercise_with_one_hint_labels_it_plainly():
    feedback = check("test.single", 1)
    assert (feedback.hint_level, feedback.hint_levels) == (1, 1)
    assert "Hint: the only hint" in str(feedback) and "further hint" not in str(feedback)


def test_the_grader_always_sees_the_first_level_and_changes_nothing():
    for answer in (1, 2, 3):
        feedback = judge_answer("test.graduated", answer)
        assert (feedback.hint, feedback.hint_level) == (LEVELS[0], 1)
    assert _framework._HINTS_SHOWN == {}
    assert check("test.graduated", 1).hint_level == 1


def test_feedback_stays_immutable():
    feedback = check("test.graduated", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        feedback.hint_level = 3


@pytest.mark.parametrize(
    ("hint", "error"),
    [
        ((), ValueError),
        ([""], ValueError),
        (["a nudge", "   "], ValueError),
        (["a nudge", 3], TypeError),
    ],
)
def test_hints_must_be_non_empty_strings(hint, error):
    with pytest.raises(error):
        exercise("test.invalid", title="invalid", hint=hint)


# The course's own hints ------------------------------------------------------------------------


def _solution_lines():
    """Return the code lines of each exercise's solution in the course, by exercise."""
    solutions = {}
    for path in sorted(COURSE.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or SOLUTION_BEGIN not in source:
                continue
            [identifier] = re.findall(r'check\("(\d\d\.\d)"', source)
            body = source.split(SOLUTION_BEGIN)[1].split(SOLUTION_END)[0]
            code = [line.split("#")[0].strip() for line in body.splitlines()[1:]]
            solutions[identifier] = [
                line for line in code if line and not line.startswith(('"', "def "))
            ]
    return solutions


def _all_levels(identifier):
    """Collect an exercise's hint levels as a learner meets them, with answers of the wrong type."""
    wrong_answers = [object() for _ in range(4)]
    levels = []
    for answer in wrong_answers:
        feedback = check(identifier, answer)
        assert feedback.outcome is Outcome.INCORRECT and feedback.hint_level, feedback
        if feedback.hint not in levels:
            levels.append(feedback.hint)
    return levels


def _squeezed(text):
    """Return ``text`` without white space and with the course's − and · as Python's - and *."""
    return re.sub(r"\s+", "", text).replace("−", "-").replace("·", "*")


def _giveaways(line):
    """Return the parts of a solution line that a hint must not contain: the line, its value."""
    code = _squeezed(line.removeprefix("return "))
    value = code.split("=", 1)[1] if re.match(r"^[\w,]+=[^=]", code) else code
    return {part for part in (code, value) if len(part) >= 8}


SOLUTIONS = _solution_lines()


def test_every_course_exercise_has_a_solution_in_the_notebooks():
    course = {key for key in registered_exercises() if not key.startswith("test.")}
    assert set(SOLUTIONS) == course


@pytest.mark.parametrize("identifier", sorted(SOLUTIONS))
def test_every_exercise_has_two_or_three_graduated_levels(identifier):
    levels = _all_levels(identifier)
    assert 2 <= len(levels) <= 3, levels
    assert judge_answer(identifier, object()).hint_levels == len(levels)


@pytest.mark.parametrize("identifier", sorted(SOLUTIONS))
def test_the_first_hint_shares_no_line_with_the_solution(identifier):
    first = _squeezed(judge_answer(identifier, object()).hint)
    for line in SOLUTIONS[identifier]:
        for giveaway in _giveaways(line):
            assert giveaway not in first, f"the first hint of {identifier} gives away {line!r}"


@pytest.mark.parametrize(
    "identifier", [key for key, lines in sorted(SOLUTIONS.items()) if len(lines) > 1]
)
def test_no_hint_pastes_a_whole_solution(identifier):
    for level in _all_levels(identifier):
        pasted = [
            line
            for line in SOLUTIONS[identifier]
            if any(giveaway in _squeezed(level) for giveaway in _giveaways(line))
        ]
        assert len(pasted) < len(SOLUTIONS[identifier]), level
