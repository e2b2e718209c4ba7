"""The view of LimitExplorer: f near a with its ε- and δ-bands, and the approach on log axes."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from matplotlib.patches import Rectangle

from ..core.limits import EpsilonDelta, LimitEstimate
from ._canvas import BlittedFigure
from ._style import PALETTE, style_context

__all__ = ["DISTANCE_FLOOR", "LimitView", "curve_without_jumps"]

#: |f(x) − L| of exactly 0 cannot go on a log axis; it is drawn at this height.
DISTANCE_FLOOR = 1e-16
_DISTANCE_LIMITS = (3e-17, 1e5)

# A jump is a step between neighbouring samples this many times larger than the
# steps on either side of it, and at least this fraction of the y-range.
_JUMP_RATIO = 10.0
_JUMP_FRACTION = 0.02


def curve_without_jumps(
    x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Prepare samples of f for drawing: break the line at jumps and asymptotes.

    matplotlib joins consecutive points, so a jump or a pole would be drawn as a
    vertical line that is not part of the graph. A NaN is inserted wherever one
    step is far larger than its neighbours (a jump), and values far outside the
    y-range (near a pole) become NaN, so the curve leaves the frame and stops.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        Sample points, increasing, and f at them (NaN and ±inf allowed).

    Returns
    -------
    x, y : ndarray
        The samples with NaN breaks inserted.
    y_limits : tuple of float
        A y-range holding the bulk of the values (5th to 95th percentile, padded),
        so a pole does not squash the rest of the curve.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-1, 1, 6)
    >>> _, y, _ = curve_without_jumps(x, np.sign(x))
    >>> int(np.isnan(y).sum())
    1
    """
    x = np.asarray(x, dtype=float)
    y = np.array(y, dtype=float)
    y[~np.isfinite(y)] = np.nan
    finite = y[np.isfinite(y)]
    if finite.size == 0:
        return x, y, (-1.0, 1.0)
    low, high = np.percentile(finite, [5, 95])
    # Keep the whole curve when it is bounded; clip only a curve with a pole.
    spread = float(np.ptp(finite))
    if spread <= 4 * max(high - low, 1e-12):
        low, high = float(finite.min()), float(finite.max())
    span = high - low if high > low else max(1.0, abs(high))
    y_limits = (float(low - 0.12 * span), float(high + 0.12 * span))
    height = y_limits[1] - y_limits[0]
    y[(y < y_limits[0] - height) | (y > y_limits[1] + height)] = np.nan
    steps = np.abs(np.diff(y))
    padded = np.concatenate([[0.0], np.nan_to_num(steps), [0.0]])
    neighbours = np.maximum(padded[:-2], padded[2:])
    jumps = np.flatnonzero((steps > _JUMP_FRACTION * height) & (steps > _JUMP_RATIO * neighbours))
    x = np.insert(x, jumps + 1, np.nan)
    y = np.insert(y, jumps + 1, np.nan)
    return x, y, y_limits


class LimitView:
    r"""f near a with the ε-band around L and the δ-band around a; the approach on log axes.

    Left: the graph of f, the points a ± h of the shrinking sequence marching in
    from both sides (values beyond the frame drawn as triangles on its edge), the
    band L ± ε, the band a ± δ of x that keeps f inside it, open circles at the
    limit (one per side at a jump) and a dot at (a, f(a)) where f is defined.
    Right: the distance |f(x) − L| against |x − a| on log axes, with ε and δ as
    lines: δ works when every point left of δ lies below ε.

    Parameters
    ----------
    width, height : float
        The figure size in inches.

    Examples
    --------
    >>> import numpy as np
    >>> from calcwidgets.core.limits import estimate_limit, find_delta
    >>> f = lambda x: np.sin(x) / x
    >>> view = LimitView()
    >>> x = np.linspace(-2, 2, 400)  # even: 0 is not a sample
    >>> view.set_curve(x, f(x), offset_limits=(1e-6, 2.0), name="sin(x)/x")
    >>> estimate = estimate_limit(f, 0.0, h_max=1.0, decades=4, points_per_decade=5)
    >>> delta = find_delta(f, 0.0, 1.0, 0.1)
    >>> view.update(estimate, steps=5, limit=1.0, epsilon=0.1, delta=delta, note="L = 1")
    >>> view.render()[:4] == b"\x89PNG"
    True
    """

    def __init__(self, width: float = 9.6, height: float = 3.6) -> None:
        self.canvas_ = BlittedFigure(width, height)
        self.figure_ = self.canvas_.figure_
        track = self._track
        with style_context():
            self.curve_axes_, self.distance_axes_ = self.figure_.subplots(
                1, 2, width_ratios=[1.3, 1]
            )
            self._build_curve_axes(track)
            self._build_distance_axes(track)
            handles = [
                self.curve_,
                self.left_points_,
                self.right_points_,
                self.hole_,
                self.value_,
                (self.epsilon_band_, self.epsilon_line_),
                (self.delta_band_, self.delta_line_),
                self.witness_,
            ]
            labels = [
                "f(x)",
                "from the left",
                "from the right",
                "limit at a",
                "f(a)",
                "ε: band L ± ε",
                "δ: band a ± δ",
                "x leaving the ε-band",
            ]
            self.legend_ = self.figure_.legend(
                handles,
                labels,
                loc="outside lower center",
                ncols=4,
                fontsize=8,
                frameon=False,
                handlelength=1.5,
                columnspacing=1.0,
            )
        self._y_limits = (-1.0, 1.0)

    def _track(self, artist):
        # Moving artists change extent on every tick: they must not move the layout.
        artist.set_in_layout(False)
        return self.canvas_.track(artist)

    def _build_curve_axes(self, track) -> None:
        axes = self.curve_axes_
        axes.set(title="f near a: the ε-band and a δ-band", xlabel="x", ylabel="f(x)")
        (self.curve_,) = axes.plot([], [], color=PALETTE["black"], lw=1.4, label="f(x)")
        self.epsilon_band_ = track(
            axes.add_patch(
                Rectangle(
                    (0, 0),
                    1,
                    0,
                    transform=axes.get_yaxis_transform(),
                    facecolor=PALETTE["yellow"],
                    edgecolor=PALETTE["orange"],
                    alpha=0.45,
                    lw=0.8,
                    label="L ± ε",
                )
            )
        )
        self.delta_band_ = track(
            axes.add_patch(
                Rectangle(
                    (0, 0),
                    0,
                    1,
                    transform=axes.get_xaxis_transform(),
                    facecolor=PALETTE["sky_blue"],
                    edgecolor=PALETTE["blue"],
                    alpha=0.3,
                    lw=0.8,
                    label="a ± δ",
                )
            )
        )
        self.point_line_ = track(axes.axvline(0.0, color=PALETTE["black"], lw=0.8, ls=":"))
        self.limit_line_ = track(axes.axhline(0.0, color=PALETTE["orange"], lw=1.0, ls="--"))
        (self.left_points_,) = axes.plot(
            [], [], "o", ms=4.5, color=PALETTE["vermillion"], label="from the left"
        )
        (self.right_points_,) = axes.plot(
            [], [], "s", ms=4.0, color=PALETTE["blue"], label="from the right"
        )
        off_frame = {"ls": "none", "ms": 5, "color": "0.45", "clip_on": False}
        (self.above_,) = axes.plot([], [], "^", **off_frame)
        (self.below_,) = axes.plot([], [], "v", **off_frame)
        (self.hole_,) = axes.plot(
            [], [], "o", ms=9, mfc="white", mec=PALETTE["black"], mew=1.5, label="limit at a"
        )
        (self.value_,) = axes.plot([], [], "o", ms=4.5, color=PALETTE["black"], label="f(a)")
        for artist in (
            self.left_points_,
            self.right_points_,
            self.above_,
            self.below_,
            self.hole_,
            self.value_,
        ):
            track(artist)

    def _build_distance_axes(self, track) -> None:
        axes = self.distance_axes_
        axes.set(
            title="closer to a, closer to L?",
            xlabel="distance |x − a| (log)",
            ylabel="|f(x) − L| (log)",
            xscale="log",
            yscale="log",
            ylim=_DISTANCE_LIMITS,
        )
        self.box_ = track(
            axes.add_patch(
                Rectangle(
                    (1e-300, 1e-300), 0, 0, facecolor=PALETTE["sky_blue"], ec="none", alpha=0.25
                )
            )
        )
        self.epsilon_line_ = track(axes.axhline(1.0, color=PALETTE["orange"], lw=1.2, ls="--"))
        self.delta_line_ = track(axes.axvline(1.0, color=PALETTE["blue"], lw=1.2, ls="--"))
        (self.left_distance_,) = axes.plot([], [], "o-", ms=5, lw=0.8, color=PALETTE["vermillion"])
        (self.right_distance_,) = axes.plot([], [], "s-", ms=3.0, lw=0.8, color=PALETTE["blue"])
        (self.witness_,) = axes.plot(
            [], [], "X", ms=9, color=PALETTE["purple"], label="x leaving the ε-band"
        )
        for artist in (self.left_distance_, self.right_distance_, self.witness_):
            track(artist)
        self.note_ = track(
            axes.text(
                0.98,
                0.97,
                "",
                transform=axes.transAxes,
                ha="right",
                va="top",
                fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "0.7", "alpha": 0.9},
            )
        )

    def render(self) -> bytes:
        """Return the current frame as PNG bytes."""
        return self.canvas_.render()

    def set_curve(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        offset_limits: tuple[float, float],
        name: Hashable,
    ) -> None:
        """Draw the graph of f (static) and fix both panels' axis limits.

        Parameters
        ----------
        x, y : ndarray, shape (n,)
            Samples of f over the window shown, x increasing.
        offset_limits : tuple of float
            The smallest and largest |x − a| the approach will use, for the
            right panel's x-range.
        name : hashable
            What determines ``x``, ``y`` and ``offset_limits`` (the function's
            menu entry): a static layer drawn before for the same name is reused.
        """
        x_drawn, y_drawn, self._y_limits = curve_without_jumps(x, y)
        self.curve_.set_data(x_drawn, y_drawn)
        self.curve_axes_.set(xlim=(float(x[0]), float(x[-1])), ylim=self._y_limits)
        smallest, largest = offset_limits
        self.distance_axes_.set_xlim(smallest / 2, largest * 2)
        self.canvas_.describe_static(function=name)

    def update(
        self,
        estimate: LimitEstimate,
        *,
        steps: int,
        limit: float | None,
        epsilon: float,
        delta: EpsilonDelta | None,
        note: str,
        value_at_point: float = float("nan"),
    ) -> None:
        """Move the approach, the bands and the markers to a new state.

        Parameters
        ----------
        estimate : LimitEstimate
            The core's estimate at a: its offsets and the values on both sides.
        steps : int
            How many offsets of the shrinking sequence to show (from the largest).
        limit : float or None
            The L the bands are drawn around (the limit, or a candidate when there
            is none); None when no finite L makes sense (f runs off to ±∞). The
            right panel then shows |f(x)|.
        epsilon : float
            The half-width of the ε-band.
        delta : EpsilonDelta or None
            The core's δ for this ε (None with ``limit``).
        note : str
            A short line shown in the right panel, saying what L is.
        value_at_point : float, optional
            f(a), drawn as a dot when finite (NaN where f is undefined at a).
        """
        a = estimate.point
        offsets = estimate.offsets[:steps]
        left = estimate.left_values[:steps]
        right = estimate.right_values[:steps]
        low, high = self._y_limits
        sides = (np.concatenate([a - offsets, a + offsets]), np.concatenate([left, right]))
        with np.errstate(invalid="ignore"):
            inside = (left >= low) & (left <= high), (right >= low) & (right <= high)
            self.left_points_.set_data(a - offsets[inside[0]], left[inside[0]])
            self.right_points_.set_data(a + offsets[inside[1]], right[inside[1]])
            above, below = sides[1] > high, sides[1] < low
        self.above_.set_data(sides[0][above], np.full(above.sum(), high))
        self.below_.set_data(sides[0][below], np.full(below.sum(), low))
        self.point_line_.set_xdata([a, a])

        if estimate.kind == "exists":
            self.hole_.set_data([a], [estimate.value if limit is None else limit])
        elif estimate.kind == "jump":
            self.hole_.set_data([a, a], [estimate.left, estimate.right])
        else:
            self.hole_.set_data([], [])
        finite = bool(np.isfinite(value_at_point))
        self.value_.set_data([a] if finite else [], [value_at_point] if finite else [])

        has_limit = limit is not None
        for artist in (self.epsilon_band_, self.limit_line_, self.epsilon_line_):
            artist.set_visible(has_limit)
        reference = limit if has_limit else 0.0
        x_low = self.distance_axes_.get_xlim()[0]
        if has_limit:
            self.epsilon_band_.set_y(limit - epsilon)
            self.epsilon_band_.set_height(2 * epsilon)
            self.limit_line_.set_ydata([limit, limit])
            self.epsilon_line_.set_ydata([epsilon, epsilon])

        found = delta is not None and delta.found
        for artist in (self.delta_band_, self.delta_line_, self.box_):
            artist.set_visible(found)
        if found:
            self.delta_band_.set_x(a - delta.delta)
            self.delta_band_.set_width(2 * delta.delta)
            self.delta_line_.set_xdata([delta.delta, delta.delta])
            self.box_.set_bounds(x_low, _DISTANCE_LIMITS[0], delta.delta - x_low, epsilon)
        if delta is not None and not delta.found:
            self.witness_.set_data(
                [abs(delta.worst_x - a)], [max(delta.worst_deviation, DISTANCE_FLOOR)]
            )
        else:
            self.witness_.set_data([], [])

        with np.errstate(invalid="ignore"):
            for line, values in ((self.left_distance_, left), (self.right_distance_, right)):
                distance = np.abs(values - reference)
                line.set_data(offsets, np.where(distance == 0, DISTANCE_FLOOR, distance))
        self.note_.set_text(note)
