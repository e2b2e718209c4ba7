"""The check framework: specific feedback, "not attempted yet" for stubs, strict mode for tests."""

import pytest

from calcwidgets.exercises import Incorrect, Outcome, check, exercise


@exercise("test.square", title="square a number", hint="multiply the number by itself")
def _check_square(answer):
    if answer != 9:
        raise Incorrect(f"{answer} is not 3²", hint="3² = 3 · 3" if answer == 6 else None)
    return "3² = 9."


@pytest.fixture(autouse=True)
def _learner_mode(monkeypatch):
    monkeypatch.delenv("CALCWIDGETS_CHECKS", raising=False)


def test_a_right_answer_gets_full_points_and_praise():
    feedback = check("test.square", 9)
    assert feedback.correct and feedback.points == feedback.max_points == 1.0
    assert "3² = 9" in str(feedback) and "correct" in feedback._repr_html_()


def test_a_wrong_answer_gets_its_specific_message_and_hint():
    feedback = check("test.square", 6)
    assert feedback.outcome is Outcome.INCORRECT and feedback.points == 0
    assert feedback.message == "6 is not 3²" and feedback.hint == "3² = 3 · 3"
    assert check("test.square", 8).hint == "multiply the number by itself"


@pytest.mark.parametrize("stub", [..., None, (1, ...)])
def test_a_stub_is_not_attempted_yet(stub):
    feedback = check("test.square", stub)
    assert feedback.outcome is Outcome.NOT_ATTEMPTED
    assert "not attempted yet" in feedback._repr_html_()


def test_an_answer_that_breaks_the_check_is_feedback_not_a_crash():
    feedback = check("test.square", object())
    assert feedback.outcome is Outcome.INCORRECT


def test_strict_mode_raises_on_wrong_answers_only(monkeypatch):
    monkeypatch.setenv("CALCWIDGETS_CHECKS", "strict")
    with pytest.raises(AssertionError, match="is not 3²"):
        check("test.square", 5)
    assert check("test.square", ...).outcome is Outcome.NOT_ATTEMPTED
    assert check("test.square", 9).correct


def test_unknown_exercises_list_the_known_ones():
    with pytest.raises(ValueError, match="test.square"):
        check("99.9", 1)


def test_registering_an_exercise_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        exercise("test.square", title="again", hint="again")(lambda answer: None)
