"""The view of the overfitting explorer: a polynomial fit, its errors, and its coefficients.

Four panels share one figure. On the left, the fitted polynomial over the
training and validation points, with the true curve faint behind them. In the
middle, the training and validation errors against the polynomial degree (top)
and against the penalty strength λ (bottom), each with the current choice
marked and the noise variance σ² (the error no model can beat on average)
dashed. On the right, the coefficients ``w_k`` as bars (thick stems) on a symmetric log
scale, with the ones that are exactly zero (an L1 penalty makes some) marked
by open circles.

Every axis limit is fixed, so the static layer (axes, ticks, labels, legends,
the true curve) is drawn once; everything that moves is a tracked artist.
Values beyond the fixed limits are clipped by the axes, visibly: a curve or a
bar runs off the edge of its panel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.ticker import FixedLocator, NullLocator

from ..core.datasets import CurveData, true_curve
from ._canvas import BlittedFigure
from ._style import PALETTE, style_context

__all__ = [
    "COEFFICIENT_LIMIT",
    "ERROR_LIMITS",
    "FIT_LIMITS",
    "OverfittingView",
]

#: The y-range of the error panels (mean squared error, log scale).
ERROR_LIMITS = (1e-4, 1e4)

#: The coefficient panel spans ±this on a symmetric log scale.
COEFFICIENT_LIMIT = 1e5

#: The y-range of the fit panel: the data lie within about ±2, the top is left for the legend.
FIT_LIMITS = (-2.6, 3.3)

# Below this size a coefficient is drawn on a linear scale (the symlog threshold).
_LINEAR_COEFFICIENTS = 1e-2

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(exponent: int) -> str:
    if exponent == 0:
        return "1"
    if exponent == 1:
        return "10"
    return "10" + str(exponent).translate(_SUPERSCRIPTS)


def _positive_or_tiny(values: np.ndarray) -> np.ndarray:
    """Return errors for a log axis: zero or non-finite ones fall off the bottom of the panel."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, 1e-300)


class OverfittingView:
    """Four panels: the fit, error against degree, error against λ, and the coefficients.

    Every artist is built once; :meth:`update` only changes the data of tracked
    artists, which are blitted over the cached static layer.

    Parameters
    ----------
    regularizations : sequence of float
        The penalty strengths λ of the error-against-λ panel, ascending; the
        first may be 0, drawn one decade left of the smallest positive one.
    max_degree : int, default 15
        The highest polynomial degree; the error-against-degree panel spans
        ``1 … max_degree``.
    width, height : float
        The figure size in inches.

    Attributes
    ----------
    canvas : BlittedFigure
        The figure and its cached static layer; ``canvas.render()`` gives the PNG frame.
    fit_axes_, degree_axes_, lambda_axes_, coefficient_axes_ : matplotlib.axes.Axes
        The four panels.
    """

    def __init__(
        self,
        regularizations: Sequence[float],
        *,
        max_degree: int = 15,
        width: float = 9.6,
        height: float = 3.6,
    ) -> None:
        self.regularizations = np.asarray(regularizations, dtype=float)
        positive = self.regularizations[self.regularizations > 0]
        if positive.size == 0 or np.any(np.diff(self.regularizations) <= 0):
            raise ValueError(
                "regularizations must be ascending and hold at least one positive value, "
                f"got {list(regularizations)}"
            )
        self.max_degree = int(max_degree)
        self.degrees = np.arange(1, self.max_degree + 1)
        smallest = int(np.floor(np.log10(positive[0])))
        largest = int(np.ceil(np.log10(positive[-1])))
        #: Where each λ sits on the λ axis: log10(λ), and 0 one decade left of the rest.
        self.lambda_positions = np.where(
            self.regularizations > 0,
            np.log10(np.where(self.regularizations > 0, self.regularizations, 1.0)),
            smallest - 1.0,
        )

        self.canvas = BlittedFigure(width, height)
        figure = self.canvas.figure_
        track = self.canvas.track
        with style_context():
            grid = figure.add_gridspec(2, 3, width_ratios=[1.3, 1.0, 1.0])
            self.fit_axes_ = figure.add_subplot(grid[:, 0])
            self.degree_axes_ = figure.add_subplot(grid[0, 1])
            self.lambda_axes_ = figure.add_subplot(grid[1, 1])
            self.coefficient_axes_ = figure.add_subplot(grid[:, 2])
            self._build_fit_panel(track)
            self._build_error_panels(track, smallest, largest)
            self._build_coefficient_panel(track)

    # Building ------------------------------------------------------------------------------

    def _build_fit_panel(self, track) -> None:
        axes = self.fit_axes_
        x = np.linspace(-1.0, 1.0, 301)
        axes.plot(
            x, true_curve(x), color=PALETTE["black"], lw=2.5, alpha=0.18, label="true sin(πx)"
        )
        # Points as marker-only lines: blitted several times faster than a scatter.
        (self.validation_points_,) = axes.plot(
            [],
            [],
            ls="none",
            marker="s",
            ms=3,
            color=PALETTE["vermillion"],
            alpha=0.6,
            label="validation",
        )
        (self.train_points_,) = axes.plot(
            [],
            [],
            ls="none",
            marker="o",
            ms=5,
            color=PALETTE["blue"],
            mec="white",
            mew=0.5,
            zorder=3,
            label="training",
        )
        (self.fit_line_,) = axes.plot(
            [], [], color=PALETTE["green"], lw=2.2, zorder=4, label="fitted polynomial"
        )
        for artist in (self.validation_points_, self.train_points_, self.fit_line_):
            track(artist)
        axes.set(xlim=(-1.05, 1.05), ylim=FIT_LIMITS, xlabel="x", ylabel="y")
        axes.legend(loc="upper center", ncol=2, fontsize=8, handlelength=1.5, columnspacing=1.0)
        axes.set_title("the fit over the data")

    def _build_error_panels(self, track, smallest: int, largest: int) -> None:
        for axes in (self.degree_axes_, self.lambda_axes_):
            axes.set_yscale("log")
            axes.set_ylim(*ERROR_LIMITS)
            axes.yaxis.set_major_locator(FixedLocator([1e-4, 1e-2, 1.0, 1e2, 1e4]))
            axes.yaxis.set_minor_locator(NullLocator())
            axes.grid(True, which="major", alpha=0.3)
            axes.set_ylabel("MSE")

        axes = self.degree_axes_
        (self.degree_train_line_,) = axes.plot(
            [], [], color=PALETTE["blue"], lw=1.4, marker="o", ms=3, label="train"
        )
        (self.degree_validation_line_,) = axes.plot(
            [], [], color=PALETTE["vermillion"], lw=1.4, marker="s", ms=3, label="validation"
        )
        self.degree_noise_ = axes.axhline(
            1.0, color=PALETTE["black"], lw=0.9, ls="--", label="noise σ²"
        )
        self.degree_marker_ = axes.axvline(1.0, color=PALETTE["black"], lw=1.0, ls=":")
        for artist in (
            self.degree_train_line_,
            self.degree_validation_line_,
            self.degree_noise_,
            self.degree_marker_,
        ):
            track(artist)
        axes.set_xlim(0.5, self.max_degree + 0.5)
        axes.xaxis.set_major_locator(FixedLocator([1, 3, 5, 7, 9, 11, 13, 15]))
        axes.set_xlabel("polynomial degree", labelpad=1)
        axes.set_title("error against degree", fontsize=10)
        axes.legend(loc="upper left", fontsize=7, ncol=3, handlelength=1.4, columnspacing=0.8)

        axes = self.lambda_axes_
        (self.lambda_train_line_,) = axes.plot(
            [], [], color=PALETTE["blue"], lw=1.4, marker="o", ms=3
        )
        (self.lambda_validation_line_,) = axes.plot(
            [], [], color=PALETTE["vermillion"], lw=1.4, marker="s", ms=3
        )
        self.lambda_noise_ = axes.axhline(1.0, color=PALETTE["black"], lw=0.9, ls="--")
        self.lambda_marker_ = axes.axvline(0.0, color=PALETTE["black"], lw=1.0, ls=":")
        for artist in (
            self.lambda_train_line_,
            self.lambda_validation_line_,
            self.lambda_noise_,
            self.lambda_marker_,
        ):
            track(artist)
        zero_position = smallest - 1.0
        axes.set_xlim(zero_position - 0.4, largest + 0.4)
        decades = list(range(largest, smallest - 1, -2))[::-1]
        ticks = [zero_position, *decades] if 0 in self.regularizations else decades
        labels = ["0", *map(_power_of_ten, decades)] if 0 in self.regularizations else None
        axes.xaxis.set_major_locator(FixedLocator(ticks))
        if labels is not None:
            axes.set_xticks(ticks, labels)
        # A break between λ = 0 and the log-spaced values.
        axes.axvline(zero_position + 0.5, color=PALETTE["black"], lw=0.6, alpha=0.4)
        axes.set_xlabel("penalty λ (log scale)", labelpad=1)
        axes.set_title("error against λ, at this degree", fontsize=10)

    def _build_coefficient_panel(self, track) -> None:
        axes = self.coefficient_axes_
        # One thick vertical segment per coefficient: bars drawn as a single
        # collection, far cheaper to blit than one rectangle per coefficient.
        self.coefficient_bars_ = track(
            LineCollection(
                np.zeros((0, 2, 2)), colors=PALETTE["blue"], linewidths=7.0, capstyle="butt"
            )
        )
        axes.add_collection(self.coefficient_bars_)
        (self.zero_markers_,) = axes.plot(
            [],
            [],
            ls="none",
            marker="o",
            ms=5,
            mfc="white",
            mec=PALETTE["vermillion"],
            mew=1.3,
            zorder=3,
        )
        track(self.zero_markers_)
        axes.axhline(0.0, color=PALETTE["black"], lw=0.6)
        axes.set_yscale("symlog", linthresh=_LINEAR_COEFFICIENTS, linscale=0.6)
        axes.set_ylim(-COEFFICIENT_LIMIT, COEFFICIENT_LIMIT)
        ticks = [-1e4, -1e2, -1.0, 0.0, 1.0, 1e2, 1e4]
        labels = ["−10⁴", "−100", "−1", "0", "1", "100", "10⁴"]
        axes.set_yticks(ticks, labels)
        axes.yaxis.set_minor_locator(NullLocator())
        axes.set_xlim(-0.7, self.max_degree + 0.7)
        axes.xaxis.set_major_locator(FixedLocator([0, 3, 6, 9, 12, 15]))
        axes.grid(True, axis="y", alpha=0.3)
        axes.set_xlabel("power k of the term wₖxᵏ", labelpad=1)
        axes.set_ylabel("coefficient wₖ (symlog)")
        axes.set_title("coefficients (○ exactly 0)", fontsize=10)

    # Updating ------------------------------------------------------------------------------

    def update(
        self,
        data: CurveData,
        *,
        curve_x: np.ndarray,
        curve_y: np.ndarray,
        weights: np.ndarray,
        degree: int,
        regularization: float,
        degree_errors: tuple[np.ndarray, np.ndarray],
        lambda_errors: tuple[np.ndarray, np.ndarray],
        noise: float,
    ) -> None:
        """Show one state of the explorer.

        Parameters
        ----------
        data : CurveData
            The training and validation points.
        curve_x, curve_y : ndarray
            The fitted polynomial evaluated on a grid of x.
        weights : ndarray, shape (degree + 1,)
            The fitted coefficients ``w_0 … w_degree``.
        degree : int
            The current degree, marked on the error-against-degree panel.
        regularization : float
            The current λ, one of the view's ``regularizations``.
        degree_errors : (ndarray, ndarray)
            Training and validation errors for degrees ``1 … max_degree``.
        lambda_errors : (ndarray, ndarray)
            Training and validation errors for each of the view's ``regularizations``.
        noise : float
            The noise standard deviation σ; ``σ²`` is dashed on the error panels.
        """
        self.train_points_.set_data(data.x_train, data.y_train)
        self.validation_points_.set_data(data.x_validation, data.y_validation)
        self.fit_line_.set_data(curve_x, curve_y)
        train, validation = degree_errors
        self.degree_train_line_.set_data(self.degrees, _positive_or_tiny(train))
        self.degree_validation_line_.set_data(self.degrees, _positive_or_tiny(validation))
        self.degree_marker_.set_xdata([degree, degree])

        train, validation = lambda_errors
        self.lambda_train_line_.set_data(self.lambda_positions, _positive_or_tiny(train))
        self.lambda_validation_line_.set_data(self.lambda_positions, _positive_or_tiny(validation))
        index = int(np.argmin(np.abs(self.regularizations - regularization)))
        position = self.lambda_positions[index]
        self.lambda_marker_.set_xdata([position, position])

        variance = float(noise) ** 2
        for line in (self.degree_noise_, self.lambda_noise_):
            line.set_visible(variance > 0)
            line.set_ydata([variance, variance])

        weights = np.asarray(weights, dtype=float)
        shown = np.flatnonzero(np.isfinite(weights) & (weights != 0))
        segments = np.zeros((shown.size, 2, 2))
        segments[:, :, 0] = shown[:, None]
        segments[:, 1, 1] = weights[shown]
        self.coefficient_bars_.set_segments(segments)
        zeros = np.flatnonzero(weights == 0)
        self.zero_markers_.set_data(zeros, np.zeros(zeros.size))
