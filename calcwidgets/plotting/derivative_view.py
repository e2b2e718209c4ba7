"""The view of DerivativeExplorer: the secant turning into the tangent, and error against h."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from ..core.derivatives import Line, StepErrorCurve
from ._canvas import BlittedFigure
from ._style import PALETTE, style_context

__all__ = ["ERROR_FLOOR", "DerivativeView", "on_log_axis"]

#: An error of exactly 0 cannot go on a log axis; it is drawn at this height.
ERROR_FLOOR = 1e-17
_ERROR_LIMITS = (4e-19, 1e7)
_STEP_LIMITS = (4e-17, 2.5)
# What the legends say of the secant and of the marked h, per method.
_SECANT_LABELS = {
    "forward": "secant through x₀ and x₀ + h",
    "central": "secant through x₀ − h and x₀ + h",
    "complex_step": "complex step: no secant",
}
_MARKED_H_LABELS = {
    "forward": "best h",
    "central": "best h",
    "complex_step": "truncation meets round-off",
}


def on_log_axis(values: np.ndarray, *, floor: float | None = None) -> np.ndarray:
    """Prepare values for a log axis: 0 goes to ``floor`` (or becomes NaN, leaving a gap).

    Examples
    --------
    >>> import numpy as np
    >>> on_log_axis(np.array([0.0, 1e-3, np.nan]), floor=1e-17)
    array([1.e-17, 1.e-03,    nan])
    """
    values = np.array(values, dtype=float)
    values[values == 0] = np.nan if floor is None else floor
    return values


def _emptiest_corner(x: np.ndarray, y: np.ndarray, axes) -> str:
    """Return the corner of ``axes`` that the curve (x, y) crosses least, for the legend.

    Unlike ``loc="best"``, this depends on the curve alone, not on where the
    moving lines happened to be when the static layer was drawn.
    """
    (x_low, x_high), (y_low, y_high) = axes.get_xlim(), axes.get_ylim()
    with np.errstate(invalid="ignore"):
        u = (np.asarray(x, dtype=float) - x_low) / (x_high - x_low)
        v = (np.asarray(y, dtype=float) - y_low) / (y_high - y_low)
    corners = {
        "upper left": (u < 0.45) & (v > 0.6),
        "upper right": (u > 0.55) & (v > 0.6),
        "lower left": (u < 0.45) & (v < 0.4),
        "lower right": (u > 0.55) & (v < 0.4),
    }
    return min(corners, key=lambda corner: int(np.count_nonzero(corners[corner])))


class DerivativeView:
    r"""f with its tangent and a secant; the error of the difference quotient against h.

    Left: f, the tangent at x₀, and the secant through the two points the
    difference quotient uses ((x₀, x₀ + h) forward, (x₀ − h, x₀ + h) central),
    which turns into the tangent as h shrinks. Right: the measured error
    against h on log–log axes with the modelled truncation and round-off parts
    (dashed), the current h and the best h (for the complex step, whose error
    has no round-off rise, the h below which truncation is under round-off).
    Errors of exactly 0 sit on a dotted floor line.

    Parameters
    ----------
    width, height : float
        The figure size in inches.

    Examples
    --------
    >>> import numpy as np
    >>> from calcwidgets.core.derivatives import difference_error, secant_line, tangent_line
    >>> view = DerivativeView()
    >>> x = np.linspace(-3, 3, 301)
    >>> view.set_function(x, np.sin(x), name="sin")
    >>> view.set_method("forward")
    >>> curve = difference_error(np.sin, 1.0, method="forward")
    >>> at_h = difference_error(np.sin, 1.0, method="forward", h=np.array([0.5]))
    >>> view.update(
    ...     curve,
    ...     at_h,
    ...     tangent=tangent_line(np.sin, 1.0),
    ...     secant=secant_line(np.sin, 1.0, 0.5),
    ...     secant_x=[1.0, 1.5],
    ...     best_h=curve.best_h,
    ... )
    >>> view.render()[:4] == b"\x89PNG"
    True
    """

    def __init__(self, width: float = 9.6, height: float = 3.6) -> None:
        self.canvas_ = BlittedFigure(width, height)
        self.figure_ = self.canvas_.figure_
        with style_context():
            self.function_axes_, self.error_axes_ = self.figure_.subplots(
                1, 2, width_ratios=[1, 1.15]
            )
            self._build_function_axes()
            self._build_error_axes()

    def _track(self, artist):
        # Moving artists change extent on every tick: they must not move the layout.
        artist.set_in_layout(False)
        return self.canvas_.track(artist)

    def _build_function_axes(self) -> None:
        axes = self.function_axes_
        axes.set(title="the secant turns into the tangent as h → 0", xlabel="x", ylabel="f(x)")
        (self.curve_,) = axes.plot([], [], color=PALETTE["black"], lw=1.5, label="f")
        (self.tangent_,) = axes.plot(
            [], [], color=PALETTE["green"], lw=1.6, label="tangent, slope f′(x₀)"
        )
        (self.secant_,) = axes.plot(
            [], [], color=PALETTE["vermillion"], lw=1.4, ls="--", label=_SECANT_LABELS["forward"]
        )
        (self.secant_points_,) = axes.plot(
            [], [], "o", ms=6, mfc="white", mec=PALETTE["vermillion"], mew=1.5
        )
        (self.point_,) = axes.plot([], [], "o", ms=5, color=PALETTE["black"])
        for artist in (self.tangent_, self.secant_, self.secant_points_, self.point_):
            self._track(artist)
        self.function_legend_ = axes.legend(
            handles=[self.curve_, self.tangent_, self.secant_],
            loc="upper left",
            fontsize=8,
            framealpha=0.9,
        )

    def _build_error_axes(self) -> None:
        axes = self.error_axes_
        axes.set(
            title="error of the difference quotient",
            xlabel="step h (log)",
            ylabel="|estimate − f′(x₀)| (log)",
            xscale="log",
            yscale="log",
            xlim=_STEP_LIMITS,
            ylim=_ERROR_LIMITS,
        )
        axes.axhline(ERROR_FLOOR, color="0.6", lw=0.8, ls=":")
        axes.text(
            _STEP_LIMITS[1],
            ERROR_FLOOR / 1.6,
            "error exactly 0 ",
            color="0.4",
            fontsize=7.5,
            ha="right",
            va="top",
        )
        (self.error_line_,) = axes.plot(
            [], [], color=PALETTE["blue"], lw=1.6, label="measured error"
        )
        (self.truncation_line_,) = axes.plot(
            [], [], color=PALETTE["orange"], lw=1.3, ls="--", label="truncation (model)"
        )
        (self.rounding_line_,) = axes.plot(
            [], [], color=PALETTE["purple"], lw=1.3, ls="--", label="round-off (model)"
        )
        self.best_line_ = axes.axvline(
            1.0, color=PALETTE["green"], lw=1.3, ls=":", label=_MARKED_H_LABELS["forward"]
        )
        self.current_line_ = axes.axvline(1.0, color=PALETTE["vermillion"], lw=0.8, alpha=0.6)
        (self.current_,) = axes.plot(
            [], [], "o", ms=8, color=PALETTE["vermillion"], label="current h"
        )
        for artist in (
            self.error_line_,
            self.truncation_line_,
            self.rounding_line_,
            self.best_line_,
            self.current_line_,
            self.current_,
        ):
            self._track(artist)
        self.error_legend_ = axes.legend(
            handles=[
                self.error_line_,
                self.truncation_line_,
                self.rounding_line_,
                self.best_line_,
                self.current_,
            ],
            loc="upper center",
            ncols=3,
            fontsize=7.5,
            framealpha=0.9,
            columnspacing=1.0,
        )

    def render(self) -> bytes:
        """Return the current frame as PNG bytes."""
        return self.canvas_.render()

    def set_function(self, x: np.ndarray, y: np.ndarray, *, name: Hashable) -> None:
        """Draw the graph of f (static) and fix the left panel's limits to it.

        Parameters
        ----------
        x, y : ndarray, shape (n,)
            Samples of f over the window shown, x increasing.
        name : hashable
            What determines ``x`` and ``y`` (the function's menu entry): a static
            layer drawn before for the same name (and method) is reused.
        """
        y = np.asarray(y, dtype=float)
        finite = y[np.isfinite(y)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        pad = 0.12 * (high - low) if high > low else 1.0
        self.curve_.set_data(x, y)
        self.function_axes_.set(xlim=(float(x[0]), float(x[-1])), ylim=(low - pad, high + pad))
        self.function_legend_.set_loc(_emptiest_corner(x, y, self.function_axes_))
        self.canvas_.describe_static(function=name)

    def set_method(self, method: str) -> None:
        """Name the method in the legends: which points the secant joins, what h is marked.

        Parameters
        ----------
        method : {"forward", "central", "complex_step"}
            The difference quotient.
        """
        secant_entry = self.function_legend_.texts[2]
        secant_entry.set_text(_SECANT_LABELS[method])
        self.function_legend_.legend_handles[2].set_visible(method != "complex_step")
        self.error_legend_.texts[3].set_text(_MARKED_H_LABELS[method])
        self.canvas_.describe_static(method=method)

    def update(
        self,
        curve: StepErrorCurve,
        at_h: StepErrorCurve,
        *,
        tangent: Line,
        secant: Line | None,
        secant_x: Sequence[float],
        best_h: float | None,
    ) -> None:
        """Move the lines and markers to a new state.

        Parameters
        ----------
        curve : StepErrorCurve
            The core's error curve over many h, for the method at x₀.
        at_h : StepErrorCurve
            The same at the current h alone (one step).
        tangent : Line
            The tangent at x₀.
        secant : Line or None
            The secant through the points the quotient uses; None hides it
            (the complex step has no second real point).
        secant_x : sequence of float
            The x of those points (drawn as open circles on the secant).
        best_h : float or None
            The h to mark as best (for the complex step, where truncation meets
            round-off); None hides the mark.
        """
        x_limits = np.array(self.function_axes_.get_xlim())
        self.tangent_.set_data(x_limits, tangent(x_limits))
        self.point_.set_data([tangent.x0], [tangent.y0])
        self.secant_.set_visible(secant is not None)
        self.secant_points_.set_visible(secant is not None)
        if secant is not None:
            self.secant_.set_data(x_limits, secant(x_limits))
            secant_x = np.asarray(secant_x, dtype=float)
            self.secant_points_.set_data(secant_x, secant(secant_x))

        self.error_line_.set_data(curve.h, on_log_axis(curve.error, floor=ERROR_FLOOR))
        self.truncation_line_.set_data(curve.h, on_log_axis(curve.truncation))
        self.rounding_line_.set_data(curve.h, on_log_axis(curve.rounding))
        h = float(at_h.h[0])
        self.current_line_.set_xdata([h, h])
        self.current_.set_data([h], on_log_axis(at_h.error, floor=ERROR_FLOOR))
        self.best_line_.set_visible(best_h is not None)
        if best_h is not None:
            self.best_line_.set_xdata([best_h, best_h])
