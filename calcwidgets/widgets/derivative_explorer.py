"""DerivativeExplorer: the secant turning into the tangent, and why h should not be too small."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..core._validate import check_callable, check_interval, check_real
from ..core.derivatives import (
    Line,
    StepErrorCurve,
    difference_error,
    finite_difference,
    secant_line,
    tangent_line,
)
from ..core.limits import _evaluate_real
from ..plotting.derivative_view import DerivativeView
from ._base import CONTROL_LAYOUT, DESCRIPTION_STYLE, Explorer, snap_to_grid

__all__ = ["DerivativeExplorer"]

_CURVE_POINTS = 400
_CACHE_SIZE = 256
_METHOD_NAMES = {
    "forward": "forward difference",
    "central": "central difference",
    "complex_step": "complex step",
}


@dataclass(frozen=True)
class _Case:
    """A function of the menu with its derivative, the x₀ range and the window drawn."""

    f: Callable
    derivative: Callable | None
    interval: tuple[float, float]
    x0: float
    window: tuple[float, float]


def _cubic(x):
    return x**3 - 2 * x


def _cubic_derivative(x):
    return 3 * x**2 - 2


def _reciprocal(x):
    return 1 / x


def _bump(x):
    return np.exp(-(x**2))


def _bump_derivative(x):
    return -2 * x * np.exp(-(x**2))


#: The menu, each function with its exact derivative.
CASES: dict[str, _Case] = {
    "sin x": _Case(np.sin, np.cos, (-3.0, 3.0), 1.0, (-3.5, 3.5)),
    "eˣ": _Case(np.exp, np.exp, (-2.0, 2.0), 1.0, (-2.5, 2.5)),
    "x³ − 2x": _Case(_cubic, _cubic_derivative, (-2.0, 2.0), 1.0, (-2.3, 2.3)),
    "ln x": _Case(np.log, _reciprocal, (0.25, 4.0), 1.0, (0.05, 4.5)),
    "bump e^(−x²)": _Case(_bump, _bump_derivative, (-2.5, 2.5), 0.5, (-3.0, 3.0)),
}
YOUR_FUNCTION = "your f"


def _number(value: float, digits: int = 4) -> str:
    """Format a number with a true minus sign."""
    text = f"{value + 0.0:.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


class DerivativeExplorer(Explorer):
    """Explore f′(x₀) by difference quotients: the secant, the tangent and the U-shaped error.

    The left panel shows f, its tangent at x₀ and the secant through the points
    the difference quotient uses; as h shrinks the secant turns into the
    tangent. The right panel shows the error of the quotient against h on
    log–log axes: truncation error falls like h (forward) or h² (central) while
    round-off error grows like 1/h, so the measured error is U-shaped with its
    bottom at the best h. The complex step subtracts nothing and has no
    round-off growth. The error curve is computed once per function, x₀ and
    method; moving h only moves the marks.

    Parameters
    ----------
    f : callable, optional
        Your own function of x, written with numpy so it works on arrays. By
        default a menu is offered: sin, exp, x³ − 2x, ln and a smooth bump.
    derivative : callable, optional
        The exact f′ of your f, for exact errors. Without it, the reference is a
        complex step (exact to rounding) when f accepts complex input, else a
        central difference at its best step (errors below ~1e-10 then mean little).
    function : str, optional
        The menu entry to start with (a key of `CASES`); only without ``f``.
    x0 : float, optional
        The starting point x₀ (default: the menu's, or 1 for your f when in ``interval``).
    interval : tuple of float, optional
        The range of the x₀ slider for your f (default (−2, 2)); only with ``f``.

    Attributes
    ----------
    function : ipywidgets.Dropdown
        The function.
    x0 : ipywidgets.FloatSlider
        The point x₀ where f is differentiated.
    h : ipywidgets.FloatLogSlider
        The step h, from 1e-16 to 1.
    method : ipywidgets.Dropdown
        The difference quotient: ``"forward"``, ``"central"`` or ``"complex_step"``
        (offered only when f accepts complex input).
    method_note : ipywidgets.HTML
        Says why the complex step is not offered, when it is not.

    Examples
    --------
    >>> explorer = DerivativeExplorer()
    >>> explorer.method.value = "central"
    >>> explorer.h.value = 1e-5
    >>> "central difference at x₀ = 1 with h = 1e-05" in explorer.summary.value
    True
    >>> explorer.h.value = 1e-15
    >>> "round-off dominates" in explorer.summary.value
    True
    """

    def __init__(
        self,
        f: Callable | None = None,
        derivative: Callable | None = None,
        *,
        function: str | None = None,
        x0: float | None = None,
        interval: tuple[float, float] | None = None,
    ) -> None:
        super().__init__()
        self._cases = dict(CASES)
        self._complex_problem = ""
        if f is None:
            if derivative is not None or interval is not None:
                raise ValueError(
                    "derivative and interval belong to your own f: pass f as well, "
                    "e.g. DerivativeExplorer(f=my_function, derivative=my_derivative)"
                )
            function = next(iter(CASES)) if function is None else function
            if function not in CASES:
                raise ValueError(f"function must be one of {list(CASES)}, got {function!r}")
            case = CASES[function]
            if x0 is not None:
                x0 = check_real("x0", x0)
                if not case.interval[0] <= x0 <= case.interval[1]:
                    raise ValueError(f"x0 must lie in {case.interval} for {function}, got {x0:g}")
        else:
            if function is not None:
                raise ValueError("function picks a menu entry; with your own f leave it out")
            case, x0 = self._your_case(f, derivative, x0, interval)
            self._cases = {YOUR_FUNCTION: case, **CASES}
            function = YOUR_FUNCTION
        x0 = case.x0 if x0 is None else x0
        self._curves: OrderedDict[tuple, tuple[StepErrorCurve, bool]] = OrderedDict()
        self._drawn: str | None = None
        self._method_shown: str | None = None

        self.function = widgets.Dropdown(
            options=list(self._cases),
            value=function,
            description="function f",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.x0 = widgets.FloatSlider(
            value=x0,
            min=case.interval[0],
            max=case.interval[1],
            step=0.01,
            readout_format=".2f",
            continuous_update=True,
            description="point x₀",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.h = widgets.FloatLogSlider(
            value=0.5,
            base=10,
            min=-16,
            max=0,
            step=0.1,
            readout_format=".1e",
            continuous_update=True,
            description="step h",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        snap_to_grid(self.h)
        methods = [("forward", "forward"), ("central", "central")]
        if not self._complex_problem:
            methods.append(("complex step", "complex_step"))
        self.method = widgets.Dropdown(
            options=methods,
            value="forward",
            description="method",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.method_note = widgets.HTML(
            value=(
                "<i>complex step not offered: your f does not accept complex input "
                f"({self._complex_problem})</i>"
                if self._complex_problem
                else ""
            ),
            layout=widgets.Layout(display="" if self._complex_problem else "none"),
        )
        presets = {
            "h too large": {"method": "forward", "h": 0.5},
            "h too small (round-off)": {"method": "forward", "h": 1e-15},
            "best h": {"method": "central", "h": 6e-6},
        }
        if not self._complex_problem:
            presets["complex step"] = {"method": "complex_step", "h": 1e-16}
        self.view = DerivativeView()
        # Registered before the base's observer, so x₀ is moved to the new
        # function's range before the single redraw.
        self.function.observe(self._on_function_change, names="value")
        self._start([self.function, self.x0, self.h, self.method], self.view.canvas_, presets)
        self.children = (self.children[0], self.method_note, *self.children[1:])

    def _your_case(
        self,
        f: Callable,
        derivative: Callable | None,
        x0: float | None,
        interval: tuple[float, float] | None,
    ) -> tuple[_Case, float]:
        """Check the learner's f (and f′) and find out whether f takes complex input."""
        check_callable("f", f)
        if derivative is not None:
            check_callable("derivative", derivative)
        if interval is None:
            low, high = -2.0, 2.0
        else:
            if len(interval) != 2:
                raise ValueError(f"interval must be a pair (low, high), got {interval!r}")
            low, high = check_interval(*interval, a_name="interval[0]", b_name="interval[1]")
        if x0 is None:
            x0 = 1.0 if low <= 1.0 <= high else (low + high) / 2
        x0 = check_real("x0", x0)
        if not low <= x0 <= high:
            raise ValueError(f"x0 must lie in the interval ({low:g}, {high:g}), got {x0:g}")
        tangent_line(f, x0)  # fails now, with the core's message, if f is unusable at x₀
        try:
            finite_difference(f, x0, 1e-20, "complex_step")
        except TypeError as error:
            reason = str(error).split(", but ", 1)[-1]
            self._complex_problem = reason.removesuffix("; use another method")
        width = high - low
        case = _Case(f, derivative, (low, high), x0, (low - 0.1 * width, high + 0.1 * width))
        self._reference(case, x0)  # a derivative that fails at x₀ fails now
        return case, x0

    def _on_function_change(self, change: dict) -> None:
        case = self._cases[change["new"]]
        low, high = case.interval
        with self._without_redraw(), self.x0.hold_trait_notifications():
            self.x0.min = min(low, self.x0.min)
            self.x0.max = max(high, self.x0.max)
            self.x0.value = case.x0
            self.x0.min, self.x0.max = low, high

    def _reference(self, case: _Case, x0: float) -> tuple[float | None, bool]:
        """Return f′(x₀) to measure errors against (None: the core's complex step) and if exact."""
        if case.derivative is not None:
            with np.errstate(all="ignore"):
                value = np.asarray(case.derivative(x0), dtype=float)
            if value.size != 1:
                raise ValueError(
                    f"derivative(x₀) must be one number, got an array of shape {value.shape}"
                )
            exact = float(value.reshape(-1)[0])
            if not math.isfinite(exact):
                raise ValueError(f"derivative(x₀) must be finite, got {exact} at x₀ = {x0:g}")
            return exact, True
        if not self._complex_problem:
            return None, True
        return tangent_line(case.f, x0, method="central").slope, False

    def _error_curve(self, name: str, x0: float, method: str) -> tuple[StepErrorCurve, bool]:
        """Return the error curve for (function, x₀, method), cached, and if it is exact."""
        key = (name, x0, method)
        if key in self._curves:
            self._curves.move_to_end(key)
            return self._curves[key]
        case = self._cases[name]
        exact, exact_reference = self._reference(case, x0)
        self._curves[key] = (
            difference_error(case.f, x0, method=method, exact=exact),
            exact_reference,
        )
        if len(self._curves) > _CACHE_SIZE:
            self._curves.popitem(last=False)
        return self._curves[key]

    def _draw_function(self, name: str) -> None:
        case = self._cases[name]
        x = np.linspace(*case.window, _CURVE_POINTS)
        self.view.set_function(x, _evaluate_real(case.f, x), name=name)
        self._drawn = name

    def _update(self) -> str:
        name, x0, h, method = self.function.value, self.x0.value, self.h.value, self.method.value
        case = self._cases[name]
        if self._drawn != name:
            self._draw_function(name)
        if self._method_shown != method:
            self.view.set_method(method)
            self._method_shown = method
        curve, exact_reference = self._error_curve(name, x0, method)
        at_h = difference_error(case.f, x0, method=method, h=np.array([h]), exact=curve.exact)
        estimate = float(at_h.estimates[0])
        if not math.isfinite(estimate):
            where = "x₀ ± h" if method == "central" else "x₀ + h"
            raise ValueError(
                f"the {_METHOD_NAMES[method]} needs f at {where}, and f is not finite there "
                f"(x₀ = {x0:g}, h = {h:.2g}): take a smaller h or move x₀"
            )
        tangent = tangent_line(case.f, x0, slope=curve.exact)
        # x₀ + h can round to x₀ itself: then there is no second point and the
        # quotient is 0/h.
        collapsed = method != "complex_step" and (
            x0 + h == x0 or (method == "central" and x0 - h == x0)
        )
        secant: Line | None = None
        secant_x: list[float] = []
        if method == "forward" and not collapsed:
            secant, secant_x = secant_line(case.f, x0, h), [x0, x0 + h]
        elif method == "central" and not collapsed:
            secant, secant_x = secant_line(case.f, x0 - h, 2 * h), [x0 - h, x0 + h]
        elif collapsed:
            secant, secant_x = Line(x0=x0, y0=tangent.y0, slope=estimate), [x0]
        # The complex step has no round-off rise, so no best h: its mark is where
        # truncation falls below round-off, and only the model knows that h.
        best_h = curve.best_h if method == "complex_step" else self._best_h(curve)
        # The "best h" preset moves h to the best central step for this f and x₀.
        self.presets["best h"] = {
            "method": "central",
            "h": self._best_h(self._error_curve(name, x0, "central")[0]) or 6e-6,
        }
        self.view.update(
            curve, at_h, tangent=tangent, secant=secant, secant_x=secant_x, best_h=best_h
        )
        return self._summary(curve, at_h, best_h, collapsed, exact_reference)

    @staticmethod
    def _best_h(curve: StepErrorCurve) -> float | None:
        """Return the modelled best h, or the observed one where the model has no balance."""
        return curve.best_h if curve.best_h is not None else curve.observed_best_h

    @staticmethod
    def _summary(
        curve: StepErrorCurve,
        at_h: StepErrorCurve,
        best_h: float | None,
        collapsed: bool,
        exact_reference: bool,
    ) -> str:
        method, h, error = curve.method, float(at_h.h[0]), float(at_h.error[0])
        accuracy = "exact to machine precision" if error == 0 else f"error {error:.2g}"
        text = (
            f"{_METHOD_NAMES[method]} at x₀ = {_number(curve.x)} with h = {h:.2g}: "
            f"{_number(float(at_h.estimates[0]), 10)} ({accuracy})"
        )
        if method == "complex_step":
            # The complex step has no best h: below this one its error stays at round-off.
            if curve.best_h is not None:
                text += f"; truncation falls below round-off once h ≲ {curve.best_h:.1g}"
        elif best_h is not None:
            text += f"; best h ≈ {best_h:.1g}"
        truncation, rounding = float(at_h.truncation[0]), float(at_h.rounding[0])
        if collapsed:
            where = "x₀ ± h" if method == "central" else "x₀ + h"
            text += (
                f"; h is so small that {where} rounds to x₀ in floating point, "
                "so the difference of f values is 0"
            )
        elif truncation == rounding == 0:
            text += "; both modelled error terms vanish at this x₀"
        elif method != "complex_step" and best_h is not None and 0.5 <= h / best_h <= 2:
            text += "; near the best h, truncation and round-off balance"
        elif truncation > rounding:
            text += "; truncation dominates: a smaller h helps"
        elif method == "complex_step":
            text += "; nothing is subtracted, so a smaller h never hurts the complex step"
        else:
            text += "; round-off dominates: a smaller h makes it worse"
        if not exact_reference:
            text += (
                "; errors are measured against a central difference "
                "(pass derivative= for exact ones)"
            )
        return text + "."
