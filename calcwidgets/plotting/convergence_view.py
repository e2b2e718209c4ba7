"""The view of the convergence explorer: a path on a quadratic bowl, and its loss gap per step.

Two panels share one figure. The left one shows the elliptical contours of a
2-D quadratic bowl whose flat direction (curvature ``μ``) lies along the first
axis and steep direction (curvature ``L``) along the second, with the iterates
``w_0, w_1, …`` of an optimizer joined by a line. The right one shows the
suboptimality ``f(w_k) − f*`` on a log axis against the iteration, with two
straight lines: the rate the theory predicts, drawn from the start, and the rate
measured on the run, drawn over the part of the run it was fitted on.

The axes and the legend form the static layer, and no control changes it: every
control's tick is a blit. The contours are the level sets of the bowl, ellipses
computed from its eigendecomposition, drawn as a tracked collection over axis
limits that do not depend on the condition number. The iteration axis keeps its
tick marks where they are for every number of iterations (always six, evenly
spaced from 0 to the end), and only the numbers under them, tracked glyph
outlines, change.
The log axis has a fixed range; values below its floor (a loss gap of exactly
zero, or one that underflowed) are drawn on the floor, so nothing breaks.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullLocator

from ..core.quadratic import QuadraticLoss
from ..core.results import OptimizationResult
from ._canvas import BlittedFigure
from ._style import PALETTE, style_context
from ._tick_numbers import BlittedTickNumbers

__all__ = [
    "CONTOUR_LEVELS",
    "GAP_LIMITS",
    "ITERATION_TICKS",
    "MAX_MARKED_ITERATES",
    "PATH_LIMITS",
    "TARGET_GAP",
    "ConvergenceView",
]

#: The fixed limits ``((w₁ low, w₁ high), (w₂ low, w₂ high))`` of the path panel,
#: symmetric about the minimum at the origin.
PATH_LIMITS = ((-1.45, 1.45), (-1.1, 1.1))

#: The fixed range of the loss-gap axis. The bottom is the floor on which gaps of
#: zero (or below it) are drawn; the top lies above the core's divergence limit
#: (10¹² times the starting loss, or 10¹²) for starts on the unit circle.
GAP_LIMITS = (1e-18, 1e13)

#: The loss gap that the summary counts steps to, drawn as a dotted line.
TARGET_GAP = 1e-8

#: Iterates are marked with a dot while there are at most this many of them.
MAX_MARKED_ITERATES = 200

#: Contour levels of the suboptimality ``f − f*``, log-spaced: the same for every
#: condition number, so the valley narrows visibly as κ grows.
CONTOUR_LEVELS = np.geomspace(1e-4, 2.0, 14)

#: The iteration axis has this many ticks, evenly spaced from 0 to the last
#: iteration, so they stay in place when the number of iterations changes.
ITERATION_TICKS = 6

# Points of the predicted line; its ends are clipped just outside the axis range.
_LINE_POINTS = 200
# Points per contour ellipse: for every κ and level, a chord strays less than a
# tenth of a pixel from the ellipse inside the path panel.
_ELLIPSE_POINTS = 97
_LOG_LOW, _LOG_HIGH = math.log10(GAP_LIMITS[0]) - 0.5, math.log10(GAP_LIMITS[1]) + 0.5


def _level_set_ellipses(bowl: QuadraticLoss, levels: np.ndarray) -> np.ndarray:
    """Return the level sets ``f(w) − f* = c`` of a 2-D bowl as closed polygons.

    In the eigenbasis of the Hessian, ``f(w) − f* = ½ Σ λᵢ zᵢ²`` with
    ``z = Vᵀ(w − w*)``: each level set is an ellipse with semi-axes
    ``√(2c/λᵢ)`` along the eigenvectors.

    Parameters
    ----------
    bowl : QuadraticLoss
        A 2-D quadratic with both curvatures positive.
    levels : ndarray, shape (m,)
        The suboptimality levels ``c > 0``.

    Returns
    -------
    ndarray, shape (m, _ELLIPSE_POINTS, 2)
        One closed polygon per level, in the ``(w₁, w₂)`` plane.
    """
    if bowl.n_features != 2 or not bowl.mu > 0:
        raise ValueError(
            "bowl must be a 2-D quadratic with both curvatures positive (elliptical contours), "
            f"got n_features={bowl.n_features}, mu={bowl.mu:g}"
        )
    levels = np.asarray(levels, dtype=float)
    if levels.ndim != 1 or not np.all(levels > 0):
        raise ValueError(f"levels must be a 1-D array of positive values, got {levels!r}")
    angles = np.linspace(0.0, 2.0 * math.pi, _ELLIPSE_POINTS)
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    semi_axes = np.sqrt(2.0 * levels[:, None] / bowl.eigenvalues)
    return (semi_axes[:, None, :] * circle) @ bowl.eigenvectors.T + bowl.minimizer


def _geometric_line(
    steps: np.ndarray, anchor_step: float, anchor_value: float, factor: float
) -> np.ndarray:
    """Return ``anchor_value · factor^(steps − anchor_step)``, clipped just outside the y-range."""
    if not (anchor_value > 0 and math.isfinite(anchor_value) and factor >= 0):
        return np.full(steps.shape, np.nan)
    offsets = steps - anchor_step
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logs = math.log10(anchor_value) + offsets * np.log10(factor)
    # A factor of 0 reaches zero after one step (0 · log 0 is the anchor itself).
    logs = np.where(offsets == 0, math.log10(anchor_value), logs)
    logs = np.nan_to_num(logs, nan=_LOG_LOW, posinf=_LOG_HIGH, neginf=_LOG_LOW)
    return 10.0 ** np.clip(logs, _LOG_LOW, _LOG_HIGH)


class ConvergenceView:
    """Two panels: an optimizer's path on a quadratic bowl, and its loss gap per iteration.

    Every artist is built once, and the static layer (axes, ticks, labels,
    legend) is drawn once: :meth:`show_bowl` (new contours), :meth:`show_horizon`
    (new numbers under the iteration ticks) and :meth:`update` change only
    tracked artists, which are blitted over the cached layer.

    Parameters
    ----------
    width, height : float
        The figure size in inches.
    max_horizon : int, default 5000
        The largest number of iterations :meth:`show_horizon` will be given; the
        layout keeps room for its tick numbers.

    Attributes
    ----------
    canvas : BlittedFigure
        The figure and its cached static layer; ``canvas.render()`` gives the PNG frame.
    max_horizon : int
        The largest horizon the layout keeps room for.
    horizon : int
        The last iteration on the iteration axis.
    contours_ : LineCollection
        The contour ellipses of the bowl, one per level.
    iteration_numbers_ : BlittedTickNumbers
        The numbers under the iteration axis' ticks, from 0 to :attr:`horizon`.
    """

    def __init__(self, *, width: float = 9.6, height: float = 3.6, max_horizon: int = 5000) -> None:
        self.canvas = BlittedFigure(width, height)
        figure = self.canvas.figure_
        track = self.canvas.track
        self.max_horizon = int(max_horizon)
        self.horizon = 0
        with style_context():
            self.path_axes_, self.gap_axes_ = figure.subplots(1, 2, width_ratios=[1.0, 1.15])

            # Left: the path on the contours.
            self.path_axes_.set(
                xlim=PATH_LIMITS[0],
                ylim=PATH_LIMITS[1],
                xlabel=r"$w_1$  (flat direction, curvature $\mu$)",
                ylabel=r"$w_2$  (steep, curvature $L$)",
            )
            self.path_axes_.set_aspect("equal", adjustable="box")
            # Tracked, and first: the contours move with κ, and lie under the path.
            self.contours_ = self.path_axes_.add_collection(
                LineCollection([], colors="#9a9a9a", linewidths=0.7), autolim=False
            )
            track(self.contours_)
            (self.minimum_,) = self.path_axes_.plot(
                [0.0], [0.0], ls="none", marker="*", ms=11, color=PALETTE["black"], zorder=4
            )
            self.minimum_.set_label(r"minimum $w^*$")
            (self.path_line_,) = self.path_axes_.plot(
                [], [], color=PALETTE["blue"], lw=1.2, ms=3, label=r"iterates $w_k$"
            )
            track(self.path_line_)
            (self.start_,) = self.path_axes_.plot(
                [], [], ls="none", marker="o", ms=7, color=PALETTE["orange"], zorder=5
            )
            self.start_.set_label(r"start $w_0$")
            track(self.start_)
            # Drawn after the path, which would otherwise hide it.
            track(self.minimum_)
            # Static titles: text is the costliest thing to redraw per frame, and the
            # numbers are in the explorer's summary line.
            self.path_axes_.set_title("the iterates on the contours of f", fontsize=10)

            # Right: the loss gap per iteration on a fixed log axis.
            self.gap_axes_.set(
                yscale="log",
                ylim=GAP_LIMITS,
                xlabel=r"iteration $k$",
                ylabel=r"$f(w_k) - f^*$",
            )
            self.gap_axes_.yaxis.set_major_locator(LogLocator(base=10.0, numticks=8))
            self.gap_axes_.yaxis.set_minor_locator(NullLocator())
            self.gap_axes_.grid(True, which="major", alpha=0.3)
            self.iteration_numbers_ = BlittedTickNumbers(
                self.canvas, self.gap_axes_, count=ITERATION_TICKS, longest_end=self.max_horizon
            )
            self.target_ = self.gap_axes_.axhline(
                TARGET_GAP, color=PALETTE["black"], lw=0.8, ls=":", label=r"$f - f^* = 10^{-8}$"
            )
            (self.gap_line_,) = self.gap_axes_.plot(
                [], [], color=PALETTE["blue"], lw=1.5, label=r"$f(w_k) - f^*$"
            )
            track(self.gap_line_)
            (self.predicted_line_,) = self.gap_axes_.plot(
                [],
                [],
                color=PALETTE["black"],
                lw=1.3,
                ls="--",
                label=r"predicted $(f_0 - f^*)\,\rho^{2k}$",
            )
            track(self.predicted_line_)
            (self.measured_line_,) = self.gap_axes_.plot(
                [], [], color=PALETTE["vermillion"], lw=3.0, alpha=0.75, label="measured rate (fit)"
            )
            track(self.measured_line_)
            self.gap_axes_.set_title(
                "suboptimality per iteration: its slope is the rate", fontsize=10
            )

            # One legend row under the figure, so no legend covers the data.
            handles: list[Line2D] = [
                self.path_line_,
                self.start_,
                self.minimum_,
                self.gap_line_,
                self.predicted_line_,
                self.measured_line_,
                self.target_,
            ]
            self.legend_ = figure.legend(
                handles=handles,
                loc="outside lower center",
                ncols=len(handles),
                frameon=False,
                handlelength=1.8,
                columnspacing=1.2,
            )
        self.show_horizon(100)

    # Tracked contours and iteration numbers ---------------------------------------------------

    def show_bowl(self, bowl: QuadraticLoss, *, levels: np.ndarray = CONTOUR_LEVELS) -> None:
        """Draw the level sets of ``bowl`` as the contours (ellipses; a blit, no redraw).

        Parameters
        ----------
        bowl : QuadraticLoss
            A 2-D quadratic with both curvatures positive; its eigendecomposition
            gives the ellipses.
        levels : ndarray
            The suboptimality levels ``f − f*`` to draw, positive.
        """
        self.contours_.set_segments(_level_set_ellipses(bowl, levels))

    def show_horizon(self, iterations: int) -> None:
        """Let the iteration axis span ``0 … iterations`` (a blit, no redraw).

        Raises
        ------
        ValueError
            If ``iterations`` is not between 1 and :attr:`max_horizon`.
        """
        iterations = int(iterations)
        if not 1 <= iterations <= self.max_horizon:
            raise ValueError(
                f"iterations must be between 1 and {self.max_horizon}, got {iterations}"
            )
        if iterations == self.horizon:
            return
        self.horizon = iterations
        self.iteration_numbers_.show(iterations)

    # Moving layer ----------------------------------------------------------------------------

    def update(
        self,
        result: OptimizationResult,
        gaps: np.ndarray,
        *,
        predicted_gap_rate: float | None,
        measured_gap_rate: float | None,
    ) -> None:
        """Draw a run: its path, its loss gap, and the predicted and measured rates.

        Parameters
        ----------
        result : OptimizationResult
            The run; ``result.path`` holds the finite iterates only (a diverged
            run stops just before ``result.diverged_at``).
        gaps : ndarray, shape (len(result.steps),)
            ``f(w_k) − f*`` at each recorded step; values below the floor of
            the axis (zeros included) are drawn on the floor.
        predicted_gap_rate : float or None
            The factor ``ρ²`` by which the theory says the loss gap shrinks (or
            grows) per step; drawn from ``(0, gaps[0])`` to the end of the
            axis. None draws no prediction.
        measured_gap_rate : float or None
            The factor fitted on ``gaps`` by ``measured_rate(gaps, steps,
            floor=0)``; drawn over the second half of the run up to its last
            positive gap (where that fit is made), through the largest gap
            there. None draws nothing.
        """
        steps = np.asarray(result.steps, dtype=float)
        gaps = np.asarray(gaps, dtype=float)
        if gaps.shape != steps.shape:
            raise ValueError(
                f"gaps must have one value per recorded step ({steps.size}), got shape {gaps.shape}"
            )
        path = result.path
        self.path_line_.set_data(path[:, 0], path[:, 1])
        self.path_line_.set_marker("o" if len(path) <= MAX_MARKED_ITERATES else "none")
        self.start_.set_data(path[:1, 0], path[:1, 1])
        last = int(result.steps[-1])

        floor = GAP_LIMITS[0]
        with np.errstate(invalid="ignore"):
            shown = np.where(np.isfinite(gaps), np.maximum(gaps, floor), np.nan)
        self.gap_line_.set_data(steps, shown)

        if predicted_gap_rate is None:
            self.predicted_line_.set_data([], [])
        else:
            line_steps = np.linspace(0.0, max(self.horizon, last), _LINE_POINTS)
            self.predicted_line_.set_data(
                line_steps, _geometric_line(line_steps, 0.0, gaps[0], predicted_gap_rate)
            )

        # measured_rate(gaps, floor=0) fits the envelope of the second half of the run
        # up to its last positive gap. The envelope is flat up to its highest point, so
        # the line starts there: drawn back to the window's start, a steep rate would
        # rise far above a run that bounces (Adam) before it settles.
        positive = np.flatnonzero(gaps > 0)
        usable = int(positive[-1]) + 1 if positive.size else 0
        if measured_gap_rate is None or usable < 2:
            self.measured_line_.set_data([], [])
        else:
            window = slice(max(0, min(usable // 2, usable - 3)), usable)
            anchor = window.start + int(np.argmax(gaps[window]))
            ends = steps[[anchor if anchor < usable - 1 else window.start, usable - 1]]
            self.measured_line_.set_data(
                ends, _geometric_line(ends, steps[anchor], gaps[anchor], measured_gap_rate)
            )
