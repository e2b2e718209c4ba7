"""The course's exercise checks: ``check("02.1", answer)`` gives specific feedback and a hint."""

from ._framework import Feedback, Incorrect, Outcome, check, exercise, registered_exercises

__all__ = ["Feedback", "Incorrect", "Outcome", "check", "exercise", "registered_exercises"]
