"""Result types shared by the optimizers: one trajectory, one status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

__all__ = ["OptimizationResult", "Status"]


class Status(StrEnum):
    """How an optimization run ended."""

    CONVERGED = "converged"
    MAX_ITERATIONS = "reached the iteration limit"
    DIVERGED = "diverged"
    EARLY_STOPPED = "stopped early"


def _frozen(array: np.ndarray | None) -> np.ndarray | None:
    if array is None:
        return None
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class OptimizationResult:
    """The trajectory of one optimization run.

    Attributes
    ----------
    method : str
        The optimizer that produced the run (``"gd"``, ``"sgd"``, ``"momentum"``, ...).
    steps : ndarray of int, shape (k,)
        The iteration number of each recorded row; 0 is the starting point. Runs
        evaluated in closed form may record a log-spaced subset of iterations.
    path : ndarray, shape (k, d)
        The parameters after each recorded iteration.
    losses : ndarray, shape (k,)
        The objective (data loss plus any penalty) at each recorded row.
    gradient_norms : ndarray, shape (k,)
        The Euclidean norm of the objective's gradient at each recorded row.
    status : Status
        Converged, reached the iteration limit, diverged or stopped early.
    message : str
        One sentence that explains the status to a learner.
    diverged_at : int or None
        The first iteration whose loss or parameters were not finite (or grew
        past the divergence threshold); the path stops just before it.
    validation_losses : ndarray or None
        The loss on held-out data at each recorded row, when it was given.
    best_step : int or None
        With early stopping, the iteration with the lowest validation loss.
    """

    method: str
    steps: np.ndarray
    path: np.ndarray
    losses: np.ndarray
    gradient_norms: np.ndarray
    status: Status
    message: str
    diverged_at: int | None = None
    validation_losses: np.ndarray | None = None
    best_step: int | None = None

    def __post_init__(self) -> None:  # noqa: D105 - freezes the arrays, nothing to document
        for name in ("steps", "path", "losses", "gradient_norms", "validation_losses"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        if not (len(self.steps) == len(self.path) == len(self.losses) == len(self.gradient_norms)):
            raise ValueError("steps, path, losses and gradient_norms must have one row per record")

    @property
    def final_weights(self) -> np.ndarray:
        """The last finite parameters of the run."""
        return self.path[-1]

    @property
    def final_loss(self) -> float:
        """The last finite loss of the run."""
        return float(self.losses[-1])

    @property
    def diverged(self) -> bool:
        """Whether the run left the finite range."""
        return self.status is Status.DIVERGED


#: A run whose loss grows past this many times its starting size (or past 1, if
#: it started smaller) is reported as diverged, even before it overflows.
DIVERGENCE_FACTOR = 1e12


def divergence_limit(initial_loss: float) -> float:
    """Return the loss above which a run that started at ``initial_loss`` has diverged."""
    return DIVERGENCE_FACTOR * max(abs(float(initial_loss)), 1.0)
