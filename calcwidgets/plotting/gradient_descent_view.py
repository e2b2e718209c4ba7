"""The view of the gradient-descent explorer: the fit, the loss per step, the path on the surface.

Three panels share one figure. The left one shows the data with the line of
the last iterate (and faint lines of a few earlier ones); for data that are not
a line fit it shows the predictions ``Xw`` against the targets instead. The
middle one shows the loss (penalty included) at each step on a log axis, with
the minimum as a dashed line. The right one shows the loss surface as contours
over two weights, with the descent path from its start to its end.

The data, the axes and the legend form the static layer, and no control
changes it: every tick is a blit. The loss axis is fixed per data set; the
contours, the minimiser and the dashed minimum change with the penalty and are
tracked, over weight axes fixed per data set. The step axis
keeps its six tick marks at the same places for every number of iterations
(evenly spaced from 0 to a round end: 5, 10, 20, 50, …); only the numbers under
them, tracked texts, change. A tick redraws only the tracked artists.
"""

from __future__ import annotations

import math

import numpy as np
from contourpy import FillType, LineType, contour_generator
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize
from matplotlib.path import Path
from matplotlib.ticker import LogLocator, NullLocator

from ..core.results import OptimizationResult
from ._canvas import BlittedFigure
from ._style import PALETTE, style_context
from ._tick_numbers import BlittedTickNumbers

__all__ = [
    "MAX_DRAWN_POINTS",
    "MAX_EARLIER_LINES",
    "STEP_TICKS",
    "GradientDescentView",
    "contour_levels",
    "is_line_design",
    "loss_limits",
    "step_limit",
]

#: At most this many samples are drawn (evenly spaced rows); the fit uses all of them.
MAX_DRAWN_POINTS = 500

#: At most this many earlier iterates are drawn as faint lines: the start, then the
#: last steps 1, 2, 4, 8, … before the final one.
MAX_EARLIER_LINES = 7

#: The step axis has this many evenly spaced ticks, from 0 to its end.
STEP_TICKS = 6

# The step axis ends at 1, 2 or 5 times a power of ten, and at least at 5: every
# end is then a multiple of STEP_TICKS − 1, so every tick is a whole step.
_SHORTEST_STEP_AXIS = 5

# Contour levels sit at these fractions of the loss range above the minimum on
# the plane: log-spaced, so the rings near the minimum are not lost.
_LEVEL_FRACTIONS = np.geomspace(2e-3, 0.7, 11)

# The first iterates of a path are marked, so a zigzag shows its steps.
_MARKED_STEPS = 40

# A loss axis spans at most this many decades below its top, so a loss of exactly
# 0 (a perfect fit) still leaves a readable axis.
_LOSS_DECADES = 12


def is_line_design(X: np.ndarray) -> bool:
    """Return whether ``X`` is a line fit: two columns, the first all ones (the intercept).

    Examples
    --------
    >>> is_line_design(np.array([[1.0, 0.5], [1.0, 2.0]]))
    True
    >>> is_line_design(np.array([[0.3, 0.5], [1.0, 2.0]]))
    False
    """
    X = np.asarray(X)
    return X.ndim == 2 and X.shape[1] == 2 and bool(np.all(X[:, 0] == 1.0))


def loss_limits(lowest: float, highest: float) -> tuple[float, float]:
    """Return fixed log-axis limits for losses between ``lowest`` and ``highest``.

    The bottom is a decade boundary at least a factor 2 below ``lowest`` (but at
    most 12 decades below the top, so that a minimum of 0 still works); the top
    is a decade boundary at least a factor 1.5 above ``highest``.

    Examples
    --------
    >>> loss_limits(0.097, 240.0)
    (0.01, 1000.0)
    >>> loss_limits(0.0, 5.0)
    (1e-11, 10.0)
    """
    highest = max(float(highest), 1e-300) if math.isfinite(highest) else 1e300
    top = 10.0 ** math.ceil(math.log10(1.5 * highest))
    floor = top * 10.0**-_LOSS_DECADES
    if lowest > 0 and math.isfinite(lowest):
        bottom = 10.0 ** math.floor(math.log10(0.5 * lowest))
        return max(bottom, floor), top
    return floor, top


def step_limit(iterations: int) -> int:
    """Return the end of the step axis: the first of 5, 10, 20, 50, 100, … from ``iterations`` on.

    Each end is a multiple of 5, so the :data:`STEP_TICKS` evenly spaced ticks
    fall on whole steps.

    Examples
    --------
    >>> [step_limit(n) for n in (1, 3, 10, 120, 250, 10_000)]
    [5, 5, 10, 200, 500, 10000]
    """
    iterations = max(int(iterations), _SHORTEST_STEP_AXIS)
    decade = 10 ** (len(str(iterations)) - 1)
    return next(step * decade for step in (1, 2, 5, 10) if step * decade >= iterations)


def contour_levels(surface: np.ndarray) -> np.ndarray:
    """Return the contour levels of a loss surface: log-spaced above its lowest value.

    The levels sit at fractions 0.002 to 0.7 of the surface's range above its
    minimum, so that the rings near the minimum are not lost whatever the
    penalty does to the range.

    Examples
    --------
    >>> levels = contour_levels(np.array([[1.0, 2.0], [3.0, 101.0]]))
    >>> levels.size, float(levels[0]), float(levels[-1])
    (11, 1.2, 71.0)
    """
    surface = np.asarray(surface, dtype=float)
    lowest = float(np.min(surface))
    spread = max(float(np.max(surface)) - lowest, 1e-300)
    return np.unique(lowest + spread * _LEVEL_FRACTIONS)


def _earlier_rows(steps: np.ndarray) -> np.ndarray:
    """Return the rows of ``steps`` to draw faintly: 0, then powers of 2 before the last.

    Examples
    --------
    >>> _earlier_rows(np.arange(201))
    array([  0,   4,   8,  16,  32,  64, 128])
    >>> _earlier_rows(np.array([0, 1, 2, 3]))
    array([0, 1, 2])
    """
    last = int(steps[-1])
    powers = [2**k for k in range(max(last, 1).bit_length()) if 2**k < last]
    wanted = ([0] if last > 0 else []) + powers[-(MAX_EARLIER_LINES - 1) :]
    rows = np.searchsorted(steps, wanted)
    return rows[steps[rows] == wanted]


class GradientDescentView:
    """Three panels: the fit to the data, the loss per step, and the path on the loss surface.

    Every artist is built once. :meth:`show_data` and :meth:`set_loss_range`
    change the static layer and invalidate it (once per data set); so does the
    first :meth:`show_surface`, which fixes the weight axes. Later calls of
    :meth:`show_surface` (the penalty), :meth:`set_iterations` and
    :meth:`update` only change tracked artists, which are blitted over the
    cached layer.

    Parameters
    ----------
    width, height : float
        The figure size in inches.
    max_iterations : int
        The most iterations :meth:`set_iterations` accepts; the step axis keeps
        room for the numbers of the longest axis.

    Attributes
    ----------
    canvas : BlittedFigure
        The figure and its cached static layer; ``canvas.render()`` gives the PNG frame.
    line_mode : bool
        Whether the data are a line fit (weights intercept and slope); otherwise the
        left panel shows predictions against targets.
    step_numbers_ : BlittedTickNumbers
        The numbers under the :data:`STEP_TICKS` ticks of the step axis.

    Examples
    --------
    >>> from calcwidgets.core.datasets import make_linear_data
    >>> from calcwidgets.core.quadratic import (
    ...     QuadraticLoss, gradient_descent_closed_form, loss_surface)
    >>> from calcwidgets.core.models import LeastSquares
    >>> data = make_linear_data(20)
    >>> loss = QuadraticLoss.from_least_squares(LeastSquares(data.X, data.y))
    >>> view = GradientDescentView()
    >>> view.show_data(data.X, data.y)
    >>> grid = np.linspace(-2.0, 4.0, 41)
    >>> view.set_loss_range(loss.min_value, 100.0)
    >>> view.show_surface(grid, grid, loss_surface(loss, grid, grid),
    ...                   minimiser=loss.minimizer, minimum=loss.min_value)
    >>> view.set_iterations(50)
    >>> view.update(gradient_descent_closed_form(loss, [0.0, 0.0], 0.3, 50))
    >>> view.canvas.render()[1:4]
    b'PNG'
    """

    def __init__(
        self, *, width: float = 9.6, height: float = 3.6, max_iterations: int = 10_000
    ) -> None:
        self.canvas = BlittedFigure(width, height)
        self.max_iterations = int(max_iterations)
        figure = self.canvas.figure_
        track = self.canvas.track
        with style_context():
            self.data_axes_, self.loss_axes_, self.surface_axes_ = figure.subplots(
                1, 3, width_ratios=[1.0, 1.0, 1.0]
            )

            # Left: the data and the fitted line (or predictions against targets).
            self.points_ = self.data_axes_.scatter(
                [], [], s=12, color=PALETTE["sky_blue"], edgecolor="none", label="data"
            )
            (self.diagonal_,) = self.data_axes_.plot(
                [], [], color=PALETTE["black"], lw=0.8, ls="--", label="perfect fit"
            )
            self.earlier_lines_ = track(
                LineCollection(
                    [], colors=PALETTE["orange"], linewidths=1.0, alpha=0.45, label="earlier steps"
                )
            )
            self.data_axes_.add_collection(self.earlier_lines_)
            (self.fit_line_,) = self.data_axes_.plot(
                [], [], color=PALETTE["vermillion"], lw=2.0, label="fit at last step"
            )
            track(self.fit_line_)
            self.predictions_ = track(
                self.data_axes_.scatter(
                    [], [], s=10, color=PALETTE["vermillion"], zorder=3, label="predictions Xw"
                )
            )

            # Middle: the loss per step.
            self.loss_axes_.set(
                yscale="log",
                xlabel="step k",
                ylabel="loss f(wₖ), penalty included",
                title="loss per step",
            )
            self.loss_axes_.yaxis.set_major_locator(LogLocator(numticks=8))
            self.loss_axes_.yaxis.set_minor_locator(NullLocator())
            self.loss_axes_.grid(True, which="major", alpha=0.3)
            self.step_numbers_ = BlittedTickNumbers(
                self.canvas,
                self.loss_axes_,
                count=STEP_TICKS,
                longest_end=step_limit(self.max_iterations),
            )
            (self.minimum_line_,) = self.loss_axes_.plot(
                [0.0, 1.0],
                [1.0, 1.0],
                transform=self.loss_axes_.get_yaxis_transform(),
                color=PALETTE["black"],
                lw=1.0,
                ls="--",
                label="minimum f*",
            )
            track(self.minimum_line_)
            (self.loss_line_,) = self.loss_axes_.plot(
                [], [], color=PALETTE["blue"], lw=1.6, label="loss f(wₖ)"
            )
            track(self.loss_line_)

            # Right: the loss surface and the path. Tracked in the order of drawing:
            # the bands under their lines, under the path, under the markers.
            self.contour_bands_ = track(
                self.surface_axes_.add_collection(
                    PathCollection([], alpha=0.55, linewidths=0.0), autolim=False
                )
            )
            self.contour_lines_ = track(
                self.surface_axes_.add_collection(
                    LineCollection([], colors=PALETTE["blue"], linewidths=0.6, alpha=0.7),
                    autolim=False,
                )
            )
            (self.path_,) = self.surface_axes_.plot(
                [],
                [],
                color=PALETTE["vermillion"],
                lw=1.0,
                marker="o",
                ms=2.5,
                markevery=slice(0, _MARKED_STEPS),
                label="descent path",
            )
            track(self.path_)
            (self.minimiser_marker_,) = self.surface_axes_.plot(
                [],
                [],
                ls="none",
                marker="*",
                ms=11,
                color=PALETTE["yellow"],
                mec=PALETTE["black"],
                mew=0.8,
                label="minimiser w*",
            )
            track(self.minimiser_marker_)
            (self.start_marker_,) = self.surface_axes_.plot(
                [],
                [],
                ls="none",
                marker="o",
                ms=7,
                mfc="white",
                mec=PALETTE["black"],
                mew=1.5,
                clip_on=False,  # a start on the edge of the box stays whole
                label="start",
            )
            # Unclipped, it would count in the layout wherever it is.
            self.start_marker_.set_in_layout(False)
            track(self.start_marker_)
            (self.end_marker_,) = self.surface_axes_.plot(
                [],
                [],
                ls="none",
                marker="s",
                ms=6,
                color=PALETTE["vermillion"],
                mec=PALETTE["black"],
                mew=0.8,
                label="last step",
            )
            track(self.end_marker_)

            # Fewer tick labels: text is most of the cost of a full redraw.
            self.data_axes_.locator_params(nbins=5)
            self.surface_axes_.locator_params(nbins=6)

        self.line_mode = True
        self.legend_ = None
        self._line_x = np.zeros(2)
        self._rows = np.zeros((0, 2))
        self._loss_floor = 1e-300
        self._step_end = 0
        self.set_iterations(1)

    # Static layer ----------------------------------------------------------------------------

    def show_data(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        weight_labels: tuple[str, str] | None = None,
    ) -> None:
        """Draw the data and set the labels and the title of the weight axes.

        A line fit (:func:`is_line_design`) is drawn as the points ``(x, y)``;
        other data as targets against predictions, for at most
        :data:`MAX_DRAWN_POINTS` evenly spaced rows. With more than two weights,
        the surface panel shows the plane of the first two through the minimiser.

        Parameters
        ----------
        X : ndarray, shape (n, d)
            The design matrix.
        y : ndarray, shape (n,)
            The targets.
        weight_labels : tuple of str, optional
            The names of the two weights on the surface axes; by default
            "intercept w₀" and "slope w₁" for a line, "weight w₀" and "weight w₁" else.
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.line_mode = is_line_design(X)
        rows = np.unique(np.linspace(0, X.shape[0] - 1, MAX_DRAWN_POINTS).astype(int))
        shown = "" if rows.size == X.shape[0] else f" ({rows.size} of {X.shape[0]} shown)"
        if self.line_mode:
            x = X[:, 1]
            low, high = float(x.min()), float(x.max())
            pad = 0.05 * (high - low) if high > low else 1.0
            self._line_x = np.array([low - pad, high + pad])
            self.points_.set_offsets(np.column_stack([x[rows], y[rows]]))
            self.points_.set_label(f"data{shown}")
            self.diagonal_.set_data([], [])
            self.predictions_.set_visible(False)
            self.fit_line_.set_visible(True)
            self.earlier_lines_.set_visible(True)
            y_low, y_high = float(y[rows].min()), float(y[rows].max())
            y_pad = 0.12 * (y_high - y_low) if y_high > y_low else 1.0
            data_labels = ("x", "y")
            title = "data and the fitted line"
            limits = (tuple(self._line_x), (y_low - y_pad, y_high + y_pad))
            handles = [self.points_, self.fit_line_, self.earlier_lines_]
            default_labels = ("intercept w₀", "slope w₁")
        else:
            self._rows = X[rows]
            targets = y[rows]
            self.points_.set_offsets(np.empty((0, 2)))
            self.predictions_.set_offsets(np.column_stack([targets, targets]))
            self.predictions_.set_label(f"predictions Xw{shown}")
            self.predictions_.set_visible(True)
            self.fit_line_.set_visible(False)
            self.earlier_lines_.set_visible(False)
            y_low, y_high = float(targets.min()), float(targets.max())
            pad = 0.12 * (y_high - y_low) if y_high > y_low else 1.0
            span = (y_low - pad, y_high + pad)
            self.diagonal_.set_data(span, span)
            data_labels = ("target y", "prediction Xw")
            title = "predictions against targets"
            limits = (span, span)
            handles = [self.predictions_, self.diagonal_]
            default_labels = ("weight w₀", "weight w₁")
        first, second = weight_labels or default_labels
        # The title stays the same for every penalty (its strength is on the slider
        # and in the summary): text is the costliest thing to redraw per frame.
        surface_title = "loss surface, penalty included"
        if X.shape[1] > 2:
            surface_title += "\non the (w₀, w₁) plane through w*"
        with style_context():
            self.data_axes_.set(
                xlabel=data_labels[0],
                ylabel=data_labels[1],
                xlim=limits[0],
                ylim=limits[1],
                title=title,
            )
            self.surface_axes_.set(xlabel=first, ylabel=second, title=surface_title)
            if self.legend_ is not None:
                self.legend_.remove()
            handles += [
                self.loss_line_,
                self.minimum_line_,
                self.path_,
                self.start_marker_,
                self.end_marker_,
                self.minimiser_marker_,
            ]
            # One row under the panels, so that no legend covers what it explains.
            self.legend_ = self.canvas.figure_.legend(
                handles=handles,
                loc="outside lower center",
                ncols=len(handles),
                frameon=False,
                handlelength=1.5,
                columnspacing=1.0,
                fontsize=8.5,
            )
        self.canvas.invalidate()

    def set_loss_range(self, lowest: float, highest: float) -> None:
        """Fix the loss axis for losses from ``lowest`` to ``highest`` (see :func:`loss_limits`).

        Parameters
        ----------
        lowest : float
            The smallest minimum the loss can have (without any penalty).
        highest : float
            The largest loss a start in the box can have (with the strongest penalty).
        """
        bottom, top = loss_limits(lowest, highest)
        self._loss_floor = bottom
        self.loss_axes_.set_ylim(bottom, top)
        self.canvas.invalidate()

    def show_surface(
        self,
        first_values: np.ndarray,
        second_values: np.ndarray,
        surface: np.ndarray,
        *,
        minimiser: np.ndarray,
        minimum: float,
    ) -> None:
        """Draw the contours of the loss, the minimiser, and the minimum on the loss axis.

        All of them are tracked artists: a new surface over the same grid (another
        penalty) is a blit. Only a grid with another extent changes the axis
        limits, and so the static layer.

        Parameters
        ----------
        first_values, second_values : ndarray
            The grid of the two weights; its extent becomes the axis limits.
        surface : ndarray, shape (len(second_values), len(first_values))
            The loss on the grid, as :func:`~calcwidgets.core.quadratic.loss_surface` returns it.
        minimiser : ndarray
            The minimiser; its first two coordinates are marked.
        minimum : float
            The minimum loss, drawn as a dashed line on the loss panel.
        """
        first_values = np.asarray(first_values, dtype=float)
        second_values = np.asarray(second_values, dtype=float)
        surface = np.asarray(surface, dtype=float)
        lowest = float(np.min(surface))
        spread = float(np.max(surface)) - lowest
        levels = contour_levels(surface)
        # Two outer bands take in the rest of the surface, so the bands fill the box.
        edges = np.concatenate([[lowest - spread], levels, [lowest + 2.0 * spread]])
        generator = contour_generator(
            first_values,
            second_values,
            surface,
            line_type=LineType.Separate,
            fill_type=FillType.OuterCode,
        )
        bands, shades = [], []
        for lower, upper in zip(edges[:-1], edges[1:], strict=True):
            points, codes = generator.filled(lower, upper)
            if points:
                bands.append(Path(np.concatenate(points), np.concatenate(codes)))
                shades.append((lower + upper) / 2)
        shading = Normalize(edges[0], edges[-1])
        self.contour_bands_.set_paths(bands)
        self.contour_bands_.set_facecolor(colormaps["Blues_r"](shading(np.asarray(shades))))
        self.contour_lines_.set_segments(
            [line for level in levels for line in generator.lines(level)]
        )
        self.minimiser_marker_.set_data([minimiser[0]], [minimiser[1]])
        self.minimum_line_.set_ydata([max(minimum, self._loss_floor)] * 2)
        limits = ((first_values[0], first_values[-1]), (second_values[0], second_values[-1]))
        if limits != (self.surface_axes_.get_xlim(), self.surface_axes_.get_ylim()):
            self.surface_axes_.set(xlim=limits[0], ylim=limits[1])
            self.surface_axes_.set_aspect("equal", adjustable="box")
            self.canvas.invalidate()

    def set_iterations(self, iterations: int) -> None:
        """Let the step axis run from 0 to :func:`step_limit` of ``iterations`` (a blit).

        Raises
        ------
        ValueError
            If ``iterations`` is not between 1 and :attr:`max_iterations`.
        """
        iterations = int(iterations)
        if not 1 <= iterations <= self.max_iterations:
            raise ValueError(
                f"iterations must be between 1 and {self.max_iterations}, got {iterations}"
            )
        end = step_limit(iterations)
        if end == self._step_end:
            return
        self._step_end = end
        self.step_numbers_.show(end)

    # Moving layer ----------------------------------------------------------------------------

    def update(self, result: OptimizationResult) -> None:
        """Draw a run: its fit, its loss per step and its path.

        Parameters
        ----------
        result : OptimizationResult
            The core's run; a diverged run is drawn up to its last finite step.
        """
        steps = np.asarray(result.steps)
        path = np.asarray(result.path, dtype=float)
        with np.errstate(all="ignore"):
            losses = np.asarray(result.losses, dtype=float)
            losses = np.where(np.isfinite(losses), np.maximum(losses, self._loss_floor), np.nan)
        self.loss_line_.set_data(steps, losses)
        self.path_.set_data(path[:, 0], path[:, 1])
        self.start_marker_.set_data(path[:1, 0], path[:1, 1])
        self.end_marker_.set_data(path[-1:, 0], path[-1:, 1])
        final = path[-1]
        with np.errstate(all="ignore"):
            if self.line_mode:
                self.fit_line_.set_data(self._line_x, final[0] + final[1] * self._line_x)
                earlier = path[_earlier_rows(steps)]
                heights = earlier[:, :1] + earlier[:, 1:2] * self._line_x
                widths = np.broadcast_to(self._line_x, heights.shape)
                self.earlier_lines_.set_segments(np.stack([widths, heights], axis=-1))
            else:
                targets = self.predictions_.get_offsets()[:, 0]
                self.predictions_.set_offsets(np.column_stack([targets, self._rows @ final]))
