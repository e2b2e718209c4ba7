"""The course's exercise checks: ``check("02.1", answer)`` gives feedback and graduated hints."""

from ._framework import Feedback, Incorrect, Outcome, check, exercise, registered_exercises

__all__ = ["Feedback", "Incorrect", "Outcome", "check", "exercise", "registered_exercises"]
