"""The view of the integral explorer: pieces under a curve, and how fast their error shrinks.

Two modes share one figure of two panels. In the *area* mode the left panel
shows ``f`` with the pieces of a quadrature rule (or the random points of Monte
Carlo) under it, and the right panel the error against the number of pieces on
log-log axes, with a guide of the expected slope and the current ``n`` marked.
In the *expectation* mode the left panel shows a loss, a normal density and
their product, whose area is the expected loss, and the right panel the error
of a Monte Carlo estimate of it against the number of samples.

The curves that depend only on the function and the interval are computed once
by the explorer and cached; the view draws them as tracked artists over fixed
log-log axes, so dragging the interval or changing the rule never needs a full
redraw, and rules can be compared on the same scale.

Everything the static layer shows is named to the canvas
(:meth:`BlittedFigure.describe_static`): the layout of the mode, the function,
the limits of the axes and the static titles. A state shown before, e.g. the
other mode or a rule picked again, gets its layer back without a full draw.
In the expectation mode the loss axis is fixed for all predictions and the
density axis steps through a few round limits, so the sliders rarely change
the static layer at all.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator

from ..core.integrals import IntegrationPieces, MonteCarloEstimate, QuadratureConvergence
from ._canvas import BlittedFigure
from ._style import PALETTE, style_context

__all__ = [
    "MAX_DRAWN_PIECES",
    "MAX_DRAWN_POINTS",
    "IntegralView",
    "round_top",
    "rule_name",
    "with_uncertainty",
]

#: Beyond this many pieces neighbours are drawn merged: each would be narrower
#: than a pixel or two, and the frame would cost more without showing more.
MAX_DRAWN_PIECES = 400

#: At most this many random points are drawn; the estimate uses all of them.
MAX_DRAWN_POINTS = 300

# Errors below this are rounding noise for the functions of the explorer; the
# error axes start here and widen upwards only, so rules compare on one scale.
_ERROR_FLOOR = 1e-16
# The top decades stay free for the legend.
_ERROR_CEILING = 1e4
_SAMPLE_ERROR_LIMITS = (1e-5, 1e3)

# Pieces are outlined while they are wide enough for an outline to help.
_OUTLINED_PIECES = 60

# The density axis of the expectation mode tops out at the first of these round
# numbers (times a power of ten) above its curves, with this much room to spare:
# a few static layers cover the sliders' whole range, each filled to 39 % or more.
_ROUND_TOPS = (1.0, 2.0, 5.0)
_HEADROOM = 1.02

# Area above the axis counts positive (blue), below it negative (vermillion).
_FILLS = np.array([to_rgba(PALETTE["blue"], 0.45), to_rgba(PALETTE["vermillion"], 0.45)])
_RULE_NAMES = {
    "left": "left rule",
    "right": "right rule",
    "midpoint": "midpoint rule",
    "trapezoid": "trapezoid rule",
    "simpson": "Simpson's rule",
    "monte carlo": "Monte Carlo",
}


def rule_name(rule: str) -> str:
    """Return how a rule is named in titles and summaries ("Simpson's rule")."""
    return _RULE_NAMES[rule]


def _number(value: float) -> str:
    return f"{value:.8g}"


def with_uncertainty(value: float, standard_error: float) -> str:
    """Return ``"value ± standard_error"`` with the value rounded where the error starts.

    Examples
    --------
    >>> with_uncertainty(36.06631, 0.009512)
    '36.0663 ± 0.0095'
    >>> with_uncertainty(2.0262, 0.3)
    '2.03 ± 0.3'
    """
    if not (np.isfinite(value) and np.isfinite(standard_error) and standard_error > 0):
        return f"{value:.6g} ± {standard_error:.2g}"
    decimals = max(0, 1 - int(np.floor(np.log10(standard_error))))
    return f"{value:.{decimals}f} ± {standard_error:.2g}"


def _positive_or_nan(values: np.ndarray) -> np.ndarray:
    """Return ``values`` with zeros and non-finite entries replaced by NaN, for log axes."""
    values = np.asarray(values, dtype=float)
    keep = np.isfinite(values) & (values > 0)
    return np.where(keep, values, np.nan)


def round_top(value: float) -> float:
    """Return a round upper limit (1, 2 or 5 times a power of ten) with room above ``value``.

    Examples
    --------
    >>> round_top(0.4), round_top(0.99), round_top(36.0)
    (0.5, 2.0, 50.0)
    """
    if not (np.isfinite(value) and value > 0):
        return 1.0
    needed = value * _HEADROOM
    decade = 10.0 ** np.floor(np.log10(needed))
    return float(next(step * decade for step in (*_ROUND_TOPS, 10.0) if step * decade >= needed))


def _piece_polygons(
    pieces: IntegrationPieces, max_polygons: int, y_range: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Return the polygons (k, m, 2) to draw for ``pieces`` and the area sign of each.

    More than ``max_polygons`` pieces are drawn in groups of neighbours, each
    group one polygon whose top follows the tops of its pieces. Values outside
    ``y_range`` (infinite ones included) are clipped to it, so a blow-up shows
    as a piece reaching the edge of the axes.
    """
    low, high = y_range
    with np.errstate(all="ignore"):
        top_y = np.clip(np.nan_to_num(pieces.y, nan=0.0, posinf=high, neginf=low), low, high)
        areas = np.nan_to_num(pieces.areas, nan=0.0)
    edges, top_x = pieces.edges, pieces.x
    count = areas.size
    if count <= max_polygons:
        left = np.column_stack([edges[:-1], np.zeros(count)])[:, np.newaxis]
        right = np.column_stack([edges[1:], np.zeros(count)])[:, np.newaxis]
        tops = np.stack([top_x, top_y], axis=-1)
        return np.concatenate([left, tops, right], axis=1), np.sign(areas)
    size = -(-count // max_polygons)
    groups = -(-count // size)
    padding = groups * size - count
    # Merged pieces are narrower than a pixel: the ends of each top suffice.
    ends_x = np.concatenate([top_x[:, [0, -1]], np.full((padding, 2), top_x[-1, -1])])
    ends_y = np.concatenate([top_y[:, [0, -1]], np.full((padding, 2), top_y[-1, -1])])
    tops = np.stack([ends_x.reshape(groups, 2 * size), ends_y.reshape(groups, 2 * size)], axis=-1)
    left = np.column_stack([tops[:, 0, 0], np.zeros(groups)])[:, np.newaxis]
    right = np.column_stack([tops[:, -1, 0], np.zeros(groups)])[:, np.newaxis]
    signs = np.sign(np.concatenate([areas, np.zeros(padding)]).reshape(groups, size).sum(axis=1))
    return np.concatenate([left, tops, right], axis=1), signs


class IntegralView:
    """Two panels: the pieces (or samples) under a curve, and the error against their number.

    Every artist is built once. :meth:`show_mode` and :meth:`show_function`
    change the static layer (axes, labels, legends, the curve of ``f``); the
    ``update_*`` methods change tracked artists, which are blitted over the
    cached layer, and now and then a static part: the error axis' title (the
    measured order) or ceiling, the round top of the density axis. Each change
    names the whole static layer to the canvas, which reuses a layer it drew
    for the same description.

    Parameters
    ----------
    width, height : float
        The figure size in inches.

    Attributes
    ----------
    canvas : BlittedFigure
        The figure and its cached static layer; ``canvas.render()`` gives the PNG frame.
    """

    def __init__(self, *, width: float = 9.6, height: float = 3.6) -> None:
        self.canvas = BlittedFigure(width, height)
        figure = self.canvas.figure_
        track = self.canvas.track
        with style_context():
            self.area_axes_, self.error_axes_ = figure.subplots(1, 2, width_ratios=[1.15, 1])
            self.loss_axes_ = self.area_axes_.twinx()
            self.loss_axes_.spines["right"].set_visible(True)

            # Area mode, left panel.
            (self.curve_,) = self.area_axes_.plot(
                [], [], color=PALETTE["black"], lw=1.6, label="f(x)"
            )
            self.pieces_ = track(PolyCollection(np.empty((0, 3, 2)), edgecolor=PALETTE["black"]))
            self.area_axes_.add_collection(self.pieces_)
            # Points are drawn as the markers of a line: a third of the cost of a scatter.
            (self.points_,) = self.area_axes_.plot(
                [],
                [],
                ls="none",
                marker="o",
                ms=3.5,
                color=PALETTE["vermillion"],
                zorder=3,
                label=f"random points (up to {MAX_DRAWN_POINTS} shown)",
            )
            track(self.points_)
            self.area_axes_.axhline(0.0, color=PALETTE["black"], lw=0.6)

            # Expectation mode, left panel: density and integrand share an axis,
            # the loss has its own on the right.
            self.product_ = track(
                PolyCollection(
                    np.empty((0, 3, 2)),
                    facecolor=PALETTE["blue"],
                    alpha=0.35,
                    edgecolor="none",
                    label="loss × density: its area is E[loss]",
                )
            )
            self.area_axes_.add_collection(self.product_)
            (self.density_line_,) = self.area_axes_.plot(
                [], [], color=PALETTE["green"], lw=1.8, label="density p(x)"
            )
            track(self.density_line_)
            (self.loss_line_,) = self.loss_axes_.plot(
                [], [], color=PALETTE["orange"], lw=1.8, label="loss (right axis)"
            )
            track(self.loss_line_)
            (self.samples_,) = self.loss_axes_.plot(
                [],
                [],
                ls="none",
                marker="o",
                ms=3.2,
                color=PALETTE["purple"],
                zorder=3,
                label="samples (x, loss)",
            )
            track(self.samples_)

            # Right panel, shared by both modes.
            (self.error_line_,) = self.error_axes_.plot(
                [], [], color=PALETTE["blue"], lw=1.5, marker="o", ms=3
            )
            track(self.error_line_)
            (self.spread_line_,) = self.error_axes_.plot(
                [], [], color=PALETTE["green"], lw=1.5, label="standard error"
            )
            track(self.spread_line_)
            (self.guide_line_,) = self.error_axes_.plot(
                [], [], color=PALETTE["black"], lw=1.0, ls="--"
            )
            track(self.guide_line_)
            # A stem from the bottom up to the current error, clear of the legend above.
            (self.current_line_,) = self.error_axes_.plot(
                [], [], color=PALETTE["black"], lw=0.8, ls=":"
            )
            track(self.current_line_)
            (self.current_marker_,) = self.error_axes_.plot(
                [], [], ls="none", marker="o", ms=8, color=PALETTE["vermillion"], zorder=4
            )
            track(self.current_marker_)
            self.error_axes_.set(xscale="log", yscale="log")
            # Minor ticks over twenty decades cost more to draw than they help.
            self.error_axes_.xaxis.set_minor_locator(NullLocator())
            self.error_axes_.yaxis.set_minor_locator(NullLocator())
            self.error_axes_.grid(True, which="major", alpha=0.3)
            # Text is costly to draw, about 0.1 ms a letter: what the left panel
            # estimates (a rule, an expected loss) is named by a static title;
            # only the numbers, which follow it on the same line, are drawn
            # every frame.
            self.estimate_name_ = self.area_axes_.set_title(" ", loc="left")
            self.estimate_title_ = self.area_axes_.annotate(
                " ",
                xy=(1, 0),
                xycoords=self.estimate_name_,
                xytext=(4, 0),
                textcoords="offset points",
                va="bottom",
                fontproperties=self.estimate_name_.get_fontproperties(),
            )
            # Left out of the layout, whose margins the name already sets.
            self.estimate_title_.set_in_layout(False)
            track(self.estimate_title_)

        self._area_artists = [self.curve_, self.pieces_, self.points_]
        self._expectation_artists = [
            self.product_,
            self.density_line_,
            self.loss_line_,
            self.samples_,
        ]
        self.mode = ""
        self.legend_: Legend | None = None
        self._legends: dict[tuple, tuple[Legend, Legend]] = {}
        self._layout: tuple | None = None
        self._function_label = "f(x)"
        self._function_key: Hashable = None
        self._function_limits: tuple | None = None
        self._quadrature_ylim = (_ERROR_FLOOR, _ERROR_CEILING)
        self.show_mode("area")

    # Static layer ----------------------------------------------------------------------------

    def show_mode(
        self,
        mode: str,
        *,
        monte_carlo: bool = False,
        exact: bool = True,
        largest_loss: float | None = None,
    ) -> None:
        """Lay out the panels for ``mode`` ("area" or "expectation").

        Does nothing when the layout is already the one asked for.

        Parameters
        ----------
        mode : {"area", "expectation"}
            Which integral the figure explains.
        monte_carlo : bool
            In the area mode, whether the rule is Monte Carlo (random points and
            a standard error) rather than a quadrature rule.
        exact : bool
            Whether errors are measured against the exact value (else against a
            reference), which the axis label says.
        largest_loss : float, optional
            In the expectation mode (where it is required), the largest loss the
            curve can reach, over the explorer's whole range of predictions: the
            loss axis is fitted to it once and stays put as they move.
        """
        if mode not in ("area", "expectation"):
            raise ValueError(f"mode must be 'area' or 'expectation', got {mode!r}")
        area = mode == "area"
        if not area and not (
            largest_loss is not None and np.isfinite(largest_loss) and largest_loss > 0
        ):
            raise ValueError(f"largest_loss must be a positive number, got {largest_loss!r}")
        layout = (mode, monte_carlo and area, exact, None if area else largest_loss)
        if layout == self._layout:
            return
        self._layout = layout
        self.mode = mode
        sampled = monte_carlo or not area
        for artist in self._area_artists:
            artist.set_visible(area)
        for artist in self._expectation_artists:
            artist.set_visible(not area)
        self.points_.set_visible(area and monte_carlo)
        self.loss_axes_.set_visible(not area)
        self.spread_line_.set_visible(sampled)
        target = "exact" if exact else "reference"
        if area:
            self.area_axes_.set(xlabel="x", ylabel=self._function_label)
            if self._function_limits is not None:
                self.area_axes_.set(xlim=self._function_limits[0], ylim=self._function_limits[1])
            self.error_axes_.set(
                xlabel="random points n" if monte_carlo else "pieces n",
                xlim=(0.8, 1.25e4),
            )
        else:
            self.area_axes_.set(
                xlabel="x", ylabel="density, loss × density", xlim=(-8.0, 8.0), ylim=(0, 1)
            )
            self.loss_axes_.set(ylabel="loss", ylim=(0, largest_loss * _HEADROOM))
            self.error_axes_.set(xlabel="samples n", xlim=(1.6, 1.25e5))
        self.error_axes_.set(
            ylabel=f"|estimate − {target}|",
            ylim=_SAMPLE_ERROR_LIMITS if sampled else self._quadrature_ylim,
        )
        self.error_line_.set_marker("none" if sampled else "o")
        # Building a legend costs a few milliseconds: each kind of panel's
        # pair is built once and swapped in.
        kind = (mode, monte_carlo and area)
        if kind not in self._legends:
            self._legends[kind] = self._build_legends(area, monte_carlo)
        self.legend_, self.error_axes_.legend_ = self._legends[kind]
        self.canvas.figure_.legends[:] = [self.legend_]
        self.error_axes_.title.set_text("Monte Carlo error falls like n^(−1/2)" if sampled else "")
        self._describe()

    def _build_legends(self, area: bool, monte_carlo: bool) -> tuple[Legend, Legend]:
        """Return the figure's legend and the error panel's legend for one kind of panels."""
        sampled = monte_carlo or not area
        if area:
            # A stand-in patch, as the pieces' colours change with the signs of their areas.
            pieces = Patch(
                facecolor=_FILLS[0],
                edgecolor=PALETTE["black"],
                linewidth=0.8,
                label="rectangle: (b − a) × mean height = estimate"
                if monte_carlo
                else "pieces: their area is the estimate",
            )
            handles = [self.curve_, pieces] + ([self.points_] if monte_carlo else [])
        else:
            handles = [self.density_line_, self.product_, self.loss_line_, self.samples_]
        self.error_line_.set_label("error" if sampled else "error of the rule")
        self.guide_line_.set_label("slope −1/2" if sampled else "expected slope")
        self.current_marker_.set_label("current n")
        error_handles = [self.error_line_, self.guide_line_, self.current_marker_]
        if sampled:
            error_handles.insert(1, self.spread_line_)
        with style_context():
            # One legend row under the figure, so no legend covers what it explains.
            figure_legend = self.canvas.figure_.legend(
                handles=handles, loc="outside lower left", ncols=len(handles), frameon=False
            )
            error_legend = self.error_axes_.legend(
                handles=error_handles, loc="upper right", framealpha=0.85
            )
        return figure_legend, error_legend

    def show_function(
        self, x: np.ndarray, y: np.ndarray, *, label: str = "f(x)", key: Hashable = None
    ) -> None:
        """Draw the curve of ``f`` over its domain and fit the left panel's limits to it.

        Parameters
        ----------
        x, y : ndarray
            The curve; non-finite values leave gaps.
        label : str
            How ``f`` is named on the y-axis.
        key : hashable, optional
            A name of the curve and label: shown again under the same key, the
            static layer drawn for it is reused. Without a key the curve counts
            as new.
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        finite = y[np.isfinite(y)]
        low = min(0.0, float(finite.min(initial=0.0)))
        high = max(0.0, float(finite.max(initial=1.0)))
        if high - low < 1e-12:
            high = low + 1.0
        pad = 0.08 * (high - low)
        self.curve_.set_data(x, np.where(np.isfinite(y), y, np.nan))
        self._function_label = label
        # A fresh object equals no other key, so no layer of another curve is reused.
        self._function_key = object() if key is None else key
        self._function_limits = ((x[0], x[-1]), (low - pad, high + pad))
        # A new function starts from the default error axis again.
        self._quadrature_ylim = (_ERROR_FLOOR, _ERROR_CEILING)
        if self._layout is not None and self._layout[:2] == ("area", False):
            self.error_axes_.set_ylim(*self._quadrature_ylim)
        if self.mode == "area":
            self.area_axes_.set(
                xlim=self._function_limits[0], ylim=self._function_limits[1], ylabel=label
            )
        self._describe()

    def _fit_error_ceiling(self, values: np.ndarray) -> None:
        """Widen the quadrature error axis upwards, once, when an error would leave it."""
        largest = float(np.max(values[np.isfinite(values)], initial=0.0))
        if largest * 2 > self._quadrature_ylim[1]:
            ceiling = 10.0 ** np.ceil(np.log10(largest * 2))
            self._quadrature_ylim = (_ERROR_FLOOR, float(ceiling))
            self.error_axes_.set_ylim(*self._quadrature_ylim)

    def _describe(self) -> None:
        """Name everything the static layer now shows, so that a layer drawn before is reused."""
        area = self.mode == "area"
        self.canvas.describe_static(
            layout=self._layout,
            # The curve of f is hidden in the expectation mode.
            function=self._function_key if area else None,
            area_limits=(self.area_axes_.get_xlim(), self.area_axes_.get_ylim()),
            estimate_name=self.estimate_name_.get_text(),
            error_limits=self.error_axes_.get_ylim(),
            error_title=self.error_axes_.get_title(),
        )

    # Moving layer ----------------------------------------------------------------------------

    def update_pieces(
        self, pieces: IntegrationPieces, *, reference: float, exact: bool = True
    ) -> None:
        """Draw the pieces of a quadrature rule and name the estimate in the title.

        Parameters
        ----------
        pieces : IntegrationPieces
            The core's pieces; more than :data:`MAX_DRAWN_PIECES` are drawn merged.
        reference : float
            The exact value, or the reference standing in for it.
        exact : bool
            Whether ``reference`` is exact.
        """
        verts, signs = _piece_polygons(pieces, MAX_DRAWN_PIECES, self.area_axes_.get_ylim())
        self.pieces_.set_verts(verts)
        self.pieces_.set_facecolor(_FILLS[(signs < 0).astype(int)])
        count = pieces.areas.size
        self.pieces_.set_linewidth(0.8 if count <= _OUTLINED_PIECES else 0.0)
        self.points_.set_data([], [])
        target = "exact" if exact else "reference"
        self.estimate_name_.set_text(f"{rule_name(pieces.rule)},")
        self.estimate_title_.set_text(
            f"n = {count}: {_number(pieces.total)} ({target} {_number(reference)})"
        )
        self._describe()

    def update_monte_carlo(
        self,
        points: np.ndarray,
        heights: np.ndarray,
        estimate: MonteCarloEstimate,
        interval: tuple[float, float],
        *,
        reference: float,
        exact: bool = True,
    ) -> None:
        """Draw random points ``(x, f(x))`` and the rectangle of their mean height.

        Parameters
        ----------
        points, heights : ndarray
            The random points and ``f`` at them, in the order drawn; the first
            :data:`MAX_DRAWN_POINTS` are shown.
        estimate : MonteCarloEstimate
            The core's estimate from all the points.
        interval : tuple of float
            ``(a, b)``; the rectangle of width ``b − a`` has the estimate as area.
        reference : float
            The exact value, or the reference standing in for it.
        exact : bool
            Whether ``reference`` is exact.
        """
        a, b = interval
        low, high = self.area_axes_.get_ylim()
        shown = slice(0, MAX_DRAWN_POINTS)
        with np.errstate(all="ignore"):
            mean_height = float(np.clip(np.nan_to_num(estimate.estimate / (b - a)), low, high))
            shown_heights = np.clip(heights[shown], low, high)
        self.points_.set_data(points[shown], shown_heights)
        self.pieces_.set_verts([[(a, 0.0), (a, mean_height), (b, mean_height), (b, 0.0)]])
        self.pieces_.set_facecolor(_FILLS[int(mean_height < 0)])
        self.pieces_.set_linewidth(0.8)
        target = "exact" if exact else "reference"
        self.estimate_name_.set_text(f"{rule_name('monte carlo')},")
        self.estimate_title_.set_text(
            f"n = {estimate.n_samples}: "
            f"{with_uncertainty(estimate.estimate, estimate.standard_error)} "
            f"({target} {_number(reference)})"
        )
        self._describe()

    def update_convergence(self, study: QuadratureConvergence, *, order: float) -> None:
        """Draw the error-vs-n curve of a quadrature rule with its expected slope.

        Parameters
        ----------
        study : QuadratureConvergence
            The core's errors over many ``n``; the guide of slope
            ``-study.expected_order`` passes through the middle fitted error.
        order : float
            The measured order to print (``nan`` when the rule is exact for ``f``).
        """
        errors = _positive_or_nan(study.errors)
        self._fit_error_ceiling(errors)
        self.error_line_.set_data(study.ns, errors)
        self.spread_line_.set_data([], [])
        fitted = np.flatnonzero(study.fitted)
        if fitted.size:
            anchor = fitted[fitted.size // 2]
            ns = study.ns.astype(float)
            guide = study.errors[anchor] * (ns / ns[anchor]) ** -study.expected_order
            self.guide_line_.set_data(ns, guide)
        else:
            self.guide_line_.set_data([], [])
        if np.isfinite(order):
            title = f"measured order {order:.1f}, expected {study.expected_order}"
        elif not np.any(np.isfinite(study.errors)):
            title = "no finite error: f is infinite where the rule samples"
        else:
            title = "exact up to round-off: no order to measure"
        # The order changes with the interval or the rule, rarely in its first decimal,
        # so the title stays in the static layer.
        self.error_axes_.title.set_text(title)
        self._describe()

    def update_sampling_convergence(
        self, estimate: MonteCarloEstimate, *, reference: float
    ) -> None:
        """Draw the running error and standard error of a Monte Carlo estimate.

        Parameters
        ----------
        estimate : MonteCarloEstimate
            The core's running estimates.
        reference : float
            The value the estimates approach.
        """
        counts = estimate.counts.astype(float)
        with np.errstate(all="ignore"):
            errors = _positive_or_nan(np.abs(estimate.running_estimates - reference))
        spread = _positive_or_nan(estimate.running_standard_errors)
        self.error_line_.set_data(counts, errors)
        self.spread_line_.set_data(counts, spread)
        final = estimate.running_standard_errors[-1]
        if np.isfinite(final) and final > 0:
            guide = final * (counts / counts[-1]) ** -0.5
            self.guide_line_.set_data(counts, guide)
        else:
            self.guide_line_.set_data([], [])

    def update_current(self, n: int, error: float) -> None:
        """Mark the current ``n`` and its error on the right panel (clipped to the axes)."""
        low, high = self.error_axes_.get_ylim()
        if np.isfinite(error):
            height = float(np.clip(error, low * 1.5, high / 1.5))
            self.current_marker_.set_data([n], [height])
        else:
            height = high
            self.current_marker_.set_data([], [])
        self.current_line_.set_data([n, n], [low, height])

    def update_expectation(
        self,
        x: np.ndarray,
        density: np.ndarray,
        loss: np.ndarray,
        samples: np.ndarray,
        sample_losses: np.ndarray,
        *,
        name: str,
        area: float,
        estimate: MonteCarloEstimate,
    ) -> None:
        """Draw the density, the loss, their product shaded, and the first samples.

        The density axis tops out at a round number above the density and the
        product (see :func:`round_top`); the loss axis keeps the limit
        :meth:`show_mode` gave it.

        Parameters
        ----------
        x : ndarray
            The grid over the left panel.
        density, loss : ndarray
            ``p(x)`` and ``loss(x)`` on the grid; the shaded area is their product.
        samples, sample_losses : ndarray
            The Monte Carlo samples and their losses; the first
            :data:`MAX_DRAWN_POINTS` are drawn.
        name : str
            The expected loss, as the title names it ("E[(X − c)²]").
        area : float
            The area under loss × density: the expected loss by quadrature.
        estimate : MonteCarloEstimate
            The Monte Carlo estimate of the expected loss from the samples.
        """
        with np.errstate(all="ignore"):
            product = density * loss
        self.density_line_.set_data(x, density)
        self.loss_line_.set_data(x, loss)
        outline = np.column_stack(
            [np.concatenate([x[:1], x, x[-1:]]), np.concatenate([[0.0], product, [0.0]])]
        )
        self.product_.set_verts([outline])
        shown = slice(0, MAX_DRAWN_POINTS)
        self.samples_.set_data(samples[shown], sample_losses[shown])
        self.area_axes_.set_ylim(0.0, round_top(float(max(np.max(density), np.max(product)))))
        self.estimate_name_.set_text(f"{name} =")
        self.estimate_title_.set_text(
            f"area {area:.6g}; Monte Carlo "
            f"{with_uncertainty(estimate.estimate, estimate.standard_error)}"
        )
        self._describe()
