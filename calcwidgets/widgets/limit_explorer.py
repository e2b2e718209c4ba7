"""LimitExplorer: the limit of f at a from both sides, and the ε–δ definition made visible."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..core._validate import check_callable, check_positive, check_real
from ..core.limits import LimitEstimate, _evaluate_real, estimate_limit, find_delta
from ..plotting.limit_view import LimitView
from ._base import CONTROL_LAYOUT, DESCRIPTION_STYLE, Explorer, RecentCache

__all__ = ["LimitExplorer"]

# The approach: offsets over four decades, five per decade (21 steps), enough
# for the core to tell a limit from a jump, a pole or an oscillation.
_DECADES = 4
_PER_DECADE = 5
_STEPS = _DECADES * _PER_DECADE + 1
# The point slider moves a over [a₀ − w/2, a₀ + w/2] in this many steps.
_POINT_STEPS = 100
_CURVE_POINTS = 2001
_CACHE_SIZE = 128
# A δ is found on samples (see find_delta), so the summary never calls it proved.
_ON_SAMPLES = "checked on samples, not a proof"


@dataclass(frozen=True)
class _Case:
    """A function of the menu with its natural point a₀ and the half-width w of the window."""

    f: Callable
    point: float
    half_width: float
    limit: float | None = None  # the exact limit at a₀, when the menu knows it


def _sinc(x):
    return np.sin(x) / x


def _removable(x):
    return (x**2 - 1) / (x - 1)


def _reciprocal(x):
    return 1 / x


def _sign(x):
    return np.abs(x) / x


def _damped(x):
    return x * np.sin(1 / x)


def _wild(x):
    return np.sin(1 / x)


def _jump(x):
    return np.where(x < 1, x**2, x + 1)


#: The menu: instructive cases, each at its special point.
CASES: dict[str, _Case] = {
    "sin(x)/x": _Case(_sinc, 0.0, 6.0, limit=1.0),
    "(x² − 1)/(x − 1)": _Case(_removable, 1.0, 2.0, limit=2.0),
    "1/x": _Case(_reciprocal, 0.0, 2.0),
    "|x|/x": _Case(_sign, 0.0, 2.0),
    "x·sin(1/x)": _Case(_damped, 0.0, 0.5, limit=0.0),
    "sin(1/x)": _Case(_wild, 0.0, 1.0),
    "x² if x < 1, else x + 1": _Case(_jump, 1.0, 2.0),
}
YOUR_FUNCTION = "your f"


def _number(value: float) -> str:
    """Format a number with four significant digits and a true minus sign."""
    text = f"{value + 0.0:.4g}"
    return "−" + text[1:] if text.startswith("-") else text


def _offset(offset: float) -> str:
    """Show the point a + offset as "a − 1e-06" or "a + 0.25"."""
    return f"a {'−' if offset < 0 else '+'} {abs(offset):.2g}"


class LimitExplorer(Explorer):
    """Explore lim_{x→a} f(x): the approach from both sides and the ε–δ definition.

    The left panel shows f near a, the points of a shrinking sequence a ± h
    marching in from both sides, the band L ± ε and the band a ± δ of x that
    keeps f inside it (from `calcwidgets.core.limits.find_delta`, which checks
    δ on dense samples and so gives evidence, not a proof); "no δ works" when
    none does. The right panel plots |f(x) − L| against |x − a| on log axes: δ
    works when every point left of the δ line lies below the ε line.
    When the limit does not exist, the bands are drawn around a candidate L
    (midway between the one-sided limits, or the middle of the oscillation) to
    show that it fails for small ε. Moving a off the special point shows an
    ordinary limit; the approach then starts at half the distance to the special
    point, so it never crosses it.

    Parameters
    ----------
    f : callable, optional
        Your own function of x, written with numpy so it works on arrays. By
        default a menu of instructive cases is offered: sin(x)/x, (x²−1)/(x−1),
        1/x, |x|/x, x·sin(1/x), sin(1/x) and a piecewise jump.
    point : float, optional
        The point a for your f (default 0); only with ``f``.
    function : str, optional
        The menu entry to start with (a key of `CASES`); only without ``f``.
    half_width : float, optional
        Half the width of the x-range shown around ``point`` (default 2); only with ``f``.

    Attributes
    ----------
    function : ipywidgets.Dropdown
        The function.
    point : ipywidgets.FloatSlider
        The point a that x approaches.
    epsilon : ipywidgets.FloatLogSlider
        The half-width ε of the band around L.
    steps : ipywidgets.IntSlider
        How many steps of the shrinking sequence a ± h are shown.

    Examples
    --------
    >>> explorer = LimitExplorer()
    >>> explorer.function.value = "|x|/x"
    >>> explorer.epsilon.value = 0.5
    >>> "no two-sided limit" in explorer.summary.value
    True
    >>> import numpy as np
    >>> mine = LimitExplorer(f=lambda x: (np.exp(x) - 1) / x, point=0.0)
    >>> "the limit is 1" in mine.summary.value
    True
    """

    def __init__(
        self,
        f: Callable | None = None,
        point: float | None = None,
        *,
        function: str | None = None,
        half_width: float | None = None,
    ) -> None:
        super().__init__()
        self._cases = dict(CASES)
        if f is None:
            if point is not None or half_width is not None:
                raise ValueError(
                    "point and half_width belong to your own f: pass f as well, "
                    "e.g. LimitExplorer(f=my_function, point=0.0)"
                )
            function = next(iter(CASES)) if function is None else function
            if function not in CASES:
                raise ValueError(f"function must be one of {list(CASES)}, got {function!r}")
        else:
            if function is not None:
                raise ValueError("function picks a menu entry; with your own f leave it out")
            check_callable("f", f)
            point = 0.0 if point is None else check_real("point", point)
            half_width = 2.0 if half_width is None else check_positive("half_width", half_width)
            case = _Case(f, point, half_width)
            # Fail now, with the core's message, if f cannot be used near a.
            estimate_limit(
                f, point, h_max=half_width / 2, decades=_DECADES, points_per_decade=_PER_DECADE
            )
            self._cases = {YOUR_FUNCTION: case, **CASES}
            function = YOUR_FUNCTION
        case = self._cases[function]
        # Dragging a slider back and forth revisits states: the core's answers are kept.
        self._estimates = RecentCache(_CACHE_SIZE)
        self._deltas = RecentCache(_CACHE_SIZE)
        self._drawn: str | None = None

        self.function = widgets.Dropdown(
            options=list(self._cases),
            value=function,
            description="function f",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.point = widgets.FloatSlider(
            value=case.point,
            min=case.point - case.half_width / 2,
            max=case.point + case.half_width / 2,
            step=case.half_width / _POINT_STEPS,
            readout_format=".3g",
            continuous_update=True,
            description="point a",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.epsilon = widgets.FloatLogSlider(
            value=0.1,
            base=10,
            min=-3,
            max=0,
            step=0.05,
            readout_format=".2g",
            continuous_update=True,
            description="band ε",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.steps = widgets.IntSlider(
            value=_STEPS,
            min=1,
            max=_STEPS,
            continuous_update=True,
            description="approach steps",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.view = LimitView()
        # Registered before the base's observer, so the point slider is moved to
        # the new function's range before the single redraw.
        self.function.observe(self._on_function_change, names="value")
        self._start(
            [self.function, self.point, self.epsilon, self.steps],
            self.view.canvas_,
            presets={
                "removable hole": {
                    "function": "(x² − 1)/(x − 1)",
                    "point": 1.0,
                    "epsilon": 0.1,
                    "steps": _STEPS,
                },
                "jump: no δ works": {
                    "function": "|x|/x",
                    "point": 0.0,
                    "epsilon": 0.5,
                    "steps": _STEPS,
                },
                "squeezed to 0": {
                    "function": "x·sin(1/x)",
                    "point": 0.0,
                    "epsilon": 0.01,
                    "steps": _STEPS,
                },
                "endless oscillation": {
                    "function": "sin(1/x)",
                    "point": 0.0,
                    "epsilon": 0.5,
                    "steps": _STEPS,
                },
            },
        )

    def _on_function_change(self, change: dict) -> None:
        case = self._cases[change["new"]]
        low, high = case.point - case.half_width / 2, case.point + case.half_width / 2
        with self._without_redraw(), self.point.hold_trait_notifications():
            self.point.min = min(low, self.point.min)
            self.point.max = max(high, self.point.max)
            self.point.step = case.half_width / _POINT_STEPS
            self.point.value = case.point
            self.point.min, self.point.max = low, high

    def _approach(self, name: str, a: float) -> tuple[LimitEstimate, float]:
        """Return the core's estimate at a (cached) and the radius of the approach."""
        return self._estimates.get((name, a), lambda: self._estimate(name, a))

    def _estimate(self, name: str, a: float) -> tuple[LimitEstimate, float]:
        case = self._cases[name]
        # Away from the special point, start at half the distance to it, so the
        # sequence never crosses the special point on its way in.
        radius = case.half_width / 2
        if a != case.point:
            radius = min(radius, abs(a - case.point) / 2)
        estimate = estimate_limit(
            case.f, a, h_max=radius, decades=_DECADES, points_per_decade=_PER_DECADE
        )
        return estimate, radius

    def _draw_curve(self, name: str) -> None:
        case = self._cases[name]
        x = np.linspace(case.point - case.half_width, case.point + case.half_width, _CURVE_POINTS)
        y = _evaluate_real(case.f, x)
        smallest = case.half_width / (2 * _POINT_STEPS) * 10.0**-_DECADES
        self.view.set_curve(x, y, offset_limits=(smallest, case.half_width / 2), name=name)
        self._drawn = name

    def _update(self) -> str:
        name = self.function.value
        case = self._cases[name]
        if self._drawn != name:
            self._draw_curve(name)
        a = self.point.value
        if abs(a - case.point) < self.point.step / 2:
            a = case.point  # the slider's float steps land near, not on, a₀
        estimate, radius = self._approach(name, a)
        epsilon = self.epsilon.value
        steps = self.steps.value

        limit, note = self._reference(estimate)
        if limit is not None and a == case.point and case.limit is not None:
            limit = case.limit  # exact, where the estimate carries numerical noise
            note = f"L = {_number(limit)}: the limit"
        undefined = [
            side
            for side, kind in (("left", estimate.left_kind), ("right", estimate.right_kind))
            if kind == "undefined"
        ]
        delta = None
        if limit is not None and not undefined:
            delta = self._deltas.get(
                (name, a, limit, epsilon),
                lambda: find_delta(case.f, a, limit, epsilon, radius=radius),
            )
        self.view.update(
            estimate,
            steps=steps,
            limit=limit,
            epsilon=epsilon,
            delta=delta,
            note=note,
            value_at_point=self._value_at(name, a),
        )

        parts = [estimate.verdict]
        if limit is None:
            parts.append("no finite L, so no ε-band can hold f near a")
        elif undefined:
            parts.append(f"f is undefined on the {undefined[0]} of a, so there is no two-sided δ")
        elif estimate.kind == "exists":
            if delta.found:
                parts.append(
                    f"with ε = {_number(epsilon)}, δ = {_number(delta.delta)}: no sampled x with "
                    f"0 < |x − a| < δ leaves the band ({_ON_SAMPLES})"
                )
            else:
                parts.append(
                    f"with ε = {_number(epsilon)}, no δ found: even at x = "
                    f"{_offset(delta.worst_x - a)}, as close as sampled, |f(x) − L| = "
                    f"{_number(delta.worst_deviation)} ≥ ε"
                )
        elif delta.found:
            parts.append(
                f"trying L = {_number(limit)} with ε = {_number(epsilon)}: no sampled x with "
                f"0 < |x − a| < δ = {_number(delta.delta)} leaves this band ({_ON_SAMPLES}), "
                "but a smaller ε defeats every δ"
            )
        else:
            parts.append(
                f"trying L = {_number(limit)} with ε = {_number(epsilon)}: no δ works, "
                f"even at x = {_offset(delta.worst_x - a)}, |f(x) − L| = "
                f"{_number(delta.worst_deviation)} ≥ ε"
            )
        nearest = estimate.offsets[steps - 1]
        parts.append(f"step {steps} of {_STEPS} reaches x = a ± {_number(nearest)}")
        return "; ".join(parts) + "."

    def _value_at(self, name: str, a: float) -> float:
        """Return f(a), NaN where f is undefined (as sin(x)/x at 0)."""
        value = _evaluate_real(self._cases[name].f, np.array([a]))[0]
        return float(value) if np.isfinite(value) else float("nan")

    @staticmethod
    def _reference(estimate: LimitEstimate) -> tuple[float | None, str]:
        """Return the L the bands are drawn around, and a note saying what it is."""
        if estimate.kind == "exists":
            # The digits the core's verdict shows: the estimate's noise is not news.
            _, found, shown = estimate.verdict.partition("the limit is ")
            shown = shown.split()[0] if found and shown else _number(estimate.value)
            return estimate.value, f"L = {shown}: the limit"
        if estimate.kind == "jump":
            middle = (estimate.left + estimate.right) / 2
            return middle, f"no limit; trying L = {_number(middle)}\n(midway between the sides)"
        if estimate.kind == "oscillating":
            tail = np.concatenate([estimate.left_values, estimate.right_values])
            tail = tail[np.isfinite(tail)]
            if tail.size:
                middle = float((tail.max() + tail.min()) / 2)
                return middle, (
                    f"no limit; trying L = {_number(middle)}\n(the middle of the oscillation)"
                )
        return None, "no finite L: |f(x)| is shown"
