"""IntegralExplorer: integrals as areas of pieces, how fast rules converge, expected losses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..core._validate import check_callable, check_interval, check_real
from ..core.integrals import (
    RULES,
    convergence_order,
    expectation,
    integration_pieces,
    monte_carlo_expectation,
    monte_carlo_integral,
    normal_pdf,
    riemann_sum,
)
from ..plotting.integral_view import MAX_DRAWN_POINTS, IntegralView, rule_name, with_uncertainty
from ._base import CONTROL_LAYOUT, DESCRIPTION_STYLE, Explorer, RecentCache

__all__ = ["IntegralExplorer"]

MONTE_CARLO = "monte carlo"

# Ten round numbers per decade, so that doubling n stays possible (10, 20, 40, 80).
_ROUND_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)

#: Piece counts offered by the ``pieces`` slider: every count up to 10, then
#: ten round numbers per decade up to 10⁴.
PIECE_COUNTS: tuple[int, ...] = (
    tuple(range(1, 10))
    + tuple(round(step * 10**decade) for decade in range(1, 4) for step in _ROUND_STEPS)
    + (10_000,)
)

#: Sample counts offered by the ``samples`` slider, ten round numbers per decade.
SAMPLE_COUNTS: tuple[int, ...] = tuple(
    round(step * 10**decade) for decade in range(1, 5) for step in _ROUND_STEPS
) + (100_000,)

# The error-vs-n curve is drawn over these counts, three per decade: it is
# recomputed whenever the interval moves, and more points would cost more time
# than they show. The measured order is fitted over the core's default counts
# (8 … 4096), past the first few n.
_CURVE_COUNTS = np.unique(np.rint(np.geomspace(1, 10_000, 13)).astype(int))

# Without an exact value, the error is measured against Simpson's rule with this
# many pieces: its error (∝ n⁻⁴) is far below that of any n on the slider.
REFERENCE_PIECES = 100_000

# The Monte Carlo error curve of the area mode uses the largest n on the slider.
_MONTE_CARLO_CURVE_SAMPLES = PIECE_COUNTS[-1]

# Points on which the curves of the left panel are drawn.
_CURVE_POINTS = 600
_EXPECTATION_GRID = np.linspace(-8.0, 8.0, 801)

# The quadrature of E[loss(X)] integrates over μ ± this many σ.
_EXPECTATION_HALF_WIDTH = 10.0
_EXPECTATION_PIECES = 2000

_CACHE_SIZE = 256


@dataclass(frozen=True)
class _Case:
    """A function of the menu, with an antiderivative for its exact integral when known."""

    label: str
    f: Callable
    antiderivative: Callable[[float], float] | None
    domain: tuple[float, float]
    interval: tuple[float, float]


def _square(x):
    return x**2


def _bell(x):
    return np.exp(-(x**2))


def _lorentzian(x):
    return 1.0 / (1.0 + x**2)


def _cubic(x):
    return x**3 - 3.0 * x + 1.0


_CASES: dict[str, _Case] = {
    "sin": _Case("sin(x)", np.sin, lambda x: -math.cos(x), (0.0, 2 * math.pi), (0.0, math.pi)),
    "square": _Case("x²", _square, lambda x: x**3 / 3, (-2.0, 2.0), (0.0, 2.0)),
    "bell": _Case(
        "exp(−x²)", _bell, lambda x: math.sqrt(math.pi) / 2 * math.erf(x), (-3.0, 3.0), (0.0, 1.0)
    ),
    "lorentzian": _Case("1 / (1 + x²)", _lorentzian, math.atan, (-5.0, 5.0), (0.0, 1.0)),
    "cubic": _Case(
        "x³ − 3x + 1 (a cubic)",
        _cubic,
        lambda x: x**4 / 4 - 1.5 * x**2 + x,
        (-2.0, 2.0),
        (-1.0, 2.0),
    ),
    "sqrt": _Case(
        "√x (not smooth at 0)", np.sqrt, lambda x: 2 / 3 * x**1.5, (0.0, 4.0), (0.0, 1.0)
    ),
}

_YOURS = "yours"
_INTERVAL_STEPS = 80


def _squared_error(prediction: float) -> Callable:
    return lambda x: (x - prediction) ** 2


def _absolute_error(prediction: float) -> Callable:
    return lambda x: np.abs(x - prediction)


_LOSSES = {
    "squared": ("squared error (x − c)²", _squared_error, "E[(X − c)²]"),
    "absolute": ("absolute error |x − c|", _absolute_error, "E[|X − c|]"),
}


class _Recorder:
    """Wrap ``f`` to keep the points the core evaluates it at, and the values."""

    def __init__(self, f: Callable) -> None:
        self.f = f
        self.points = np.empty(0)
        self.values = np.empty(0)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            values = self.f(x)
        self.points = np.asarray(x, dtype=float)
        self.values = np.broadcast_to(np.asarray(values, dtype=float), self.points.shape)
        return values


def _evaluate_curve(f: Callable, x: np.ndarray) -> np.ndarray:
    """Evaluate ``f`` on a grid for drawing; failures become NaN gaps, not warnings."""
    with np.errstate(all="ignore"):
        values = np.asarray(f(x), dtype=float)
    return np.array(np.broadcast_to(values, x.shape), dtype=float)


def _order_clause(order: float, expected: int) -> str:
    rounded = f"{round(order * 2) / 2:g}"
    if abs(order - expected) <= 0.25:
        return f"the error falls like n^-{rounded} (measured order {order:.1f})"
    return f"the error falls like n^-{rounded} (measured order {order:.1f}, expected {expected})"


class IntegralExplorer(Explorer):
    """Explore integrals as areas of pieces, the order of each rule, and expected losses.

    In the *area* mode, a quadrature rule cuts ``[a, b]`` into ``n`` pieces and
    puts a rectangle, trapezoid or parabola on each; Monte Carlo instead
    averages ``f`` at ``n`` random points. The left panel shows the pieces (or
    points) under ``f``; the right panel the error against ``n`` on log-log
    axes, whose slope is the rule's order. In the *expectation* mode,
    ``E[loss(X)]`` for ``X ~ Normal(μ, σ)`` is the area under loss × density,
    next to a Monte Carlo estimate from a chosen number of samples.

    Parameters
    ----------
    f : callable, optional
        Your own function, written with numpy (``np.sin``, not ``math.sin``),
        added to the function menu and selected first.
    exact : float, optional
        The exact integral of ``f`` over ``interval``. Without it (or after the
        interval is moved), errors are measured against Simpson's rule with
        100 000 pieces, and the explorer says so.
    interval : tuple of float, optional
        The first ``(a, b)`` for ``f``; defaults to ``(0, 1)``.
    domain : tuple of float, optional
        The range the interval slider spans for ``f``; defaults to ``interval``.
        It must contain ``interval``.
    seed : int
        The seed of the random points and samples, so a state always looks the same.

    Attributes
    ----------
    mode : ipywidgets.ToggleButtons
        "area" or "expectation".
    function : ipywidgets.Dropdown
        The function f of the area mode.
    interval : ipywidgets.FloatRangeSlider
        The interval ``[a, b]``.
    pieces : ipywidgets.SelectionSlider
        The number n of pieces (or random points), 1 to 10⁴ on a log-like scale.
    rule : ipywidgets.Dropdown
        "left", "right", "midpoint", "trapezoid", "simpson" or "monte carlo".
    loss : ipywidgets.Dropdown
        The loss of the expectation mode: "squared" or "absolute".
    mean, std : ipywidgets.FloatSlider, ipywidgets.FloatLogSlider
        μ and σ of the normal X.
    prediction : ipywidgets.FloatSlider
        The fixed prediction c in the loss.
    samples : ipywidgets.SelectionSlider
        The number of Monte Carlo samples, 10 to 10⁵.
    view : IntegralView
        The figure.

    Examples
    --------
    >>> explorer = IntegralExplorer()
    >>> explorer.rule.value = "simpson"
    >>> explorer.pieces.value = 8
    >>> "with n = 8: 2.0000166 vs exact 2" in explorer.summary.value
    True
    >>> explorer.mode.value = "expectation"
    >>> explorer.warnings_caught, explorer.message.value
    ([], '')
    """

    def __init__(
        self,
        f: Callable | None = None,
        exact: float | None = None,
        interval: tuple[float, float] | None = None,
        *,
        domain: tuple[float, float] | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self._cases = dict(_CASES)
        self._own_exact: tuple[tuple[float, float], float] | None = None
        if f is None:
            if exact is not None or interval is not None or domain is not None:
                raise ValueError(
                    "exact, interval and domain describe your own function: pass it as f too, "
                    "e.g. IntegralExplorer(f=np.cos, interval=(0, 1))"
                )
            first = "sin"
        else:
            self._cases = {_YOURS: self._own_case(f, exact, interval, domain), **_CASES}
            first = _YOURS
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {seed!r}")
        self._seed = seed
        self._caches = {
            name: RecentCache(_CACHE_SIZE)
            for name in ("curve", "reference", "convergence", "largest loss")
        }
        self._shown_function: str | None = None

        start = self._cases[first]
        self.mode = widgets.ToggleButtons(
            options=[("area", "area"), ("expectation", "expectation")],
            value="area",
            description="mode",
            tooltips=["an integral as an area", "an expected loss as an integral"],
            style={**DESCRIPTION_STYLE, "button_width": "auto"},
            layout=CONTROL_LAYOUT,
        )
        self.function = widgets.Dropdown(
            options=[(case.label, key) for key, case in self._cases.items()],
            value=first,
            description="function f",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.interval = widgets.FloatRangeSlider(
            value=start.interval,
            min=start.domain[0],
            max=start.domain[1],
            step=(start.domain[1] - start.domain[0]) / _INTERVAL_STEPS,
            description="interval [a, b]",
            readout_format=".3g",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.pieces = widgets.SelectionSlider(
            options=PIECE_COUNTS,
            value=8,
            description="pieces n",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.rule = widgets.Dropdown(
            options=[(rule.replace("simpson", "Simpson"), rule) for rule in RULES]
            + [("Monte Carlo", MONTE_CARLO)],
            value="midpoint",
            description="rule",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.loss = widgets.Dropdown(
            options=[(label, key) for key, (label, _, _) in _LOSSES.items()],
            value="squared",
            description="loss",
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.mean = widgets.FloatSlider(
            value=0.0,
            min=-2.0,
            max=2.0,
            step=0.1,
            description="mean μ",
            readout_format=".1f",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.std = widgets.FloatLogSlider(
            value=1.0,
            base=10,
            min=-0.6,
            max=0.4,
            step=0.05,
            description="std σ",
            readout_format=".2f",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.prediction = widgets.FloatSlider(
            value=1.0,
            min=-4.0,
            max=4.0,
            step=0.1,
            description="prediction c",
            readout_format=".1f",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self.samples = widgets.SelectionSlider(
            options=SAMPLE_COUNTS,
            value=100,
            description="samples n",
            continuous_update=True,
            style=DESCRIPTION_STYLE,
            layout=CONTROL_LAYOUT,
        )
        self._area_controls = [self.function, self.interval, self.pieces, self.rule]
        self._expectation_controls = [self.loss, self.mean, self.std, self.prediction, self.samples]
        self.view = IntegralView()
        # Registered before the base's observer, so the interval fits the new
        # function before the frame is drawn, and only one frame is drawn.
        self.function.observe(self._on_function_change, names="value")
        self._start(
            [self.mode, *self._area_controls, *self._expectation_controls],
            self.view.canvas,
            presets={
                "left rule, few pieces": {
                    "mode": "area",
                    "function": "square",
                    "interval": (0.0, 2.0),
                    "rule": "left",
                    "pieces": 4,
                },
                "Simpson converges fast": {
                    "mode": "area",
                    "function": "sin",
                    "interval": (0.0, math.pi),
                    "rule": "simpson",
                    "pieces": 8,
                },
                "Monte Carlo is slow": {
                    "mode": "area",
                    "function": "sin",
                    "interval": (0.0, math.pi),
                    "rule": MONTE_CARLO,
                    "pieces": 1000,
                },
                "expected squared loss": {
                    "mode": "expectation",
                    "loss": "squared",
                    "mean": 1.0,
                    "std": 1.0,
                    "prediction": 0.0,
                    "samples": 100,
                },
            },
        )

    # Construction ----------------------------------------------------------------------------

    def _own_case(self, f: Any, exact: Any, interval: Any, domain: Any) -> _Case:
        f = check_callable("f", f)
        a, b = check_interval(*self._pair("interval", interval or (0.0, 1.0)))
        low, high = (a, b) if domain is None else check_interval(*self._pair("domain", domain))
        if not low <= a < b <= high:
            raise ValueError(
                f"domain must contain interval: got interval ({a:g}, {b:g}) "
                f"and domain ({low:g}, {high:g})"
            )
        # Fails now, with the core's explanation, if f is not a numpy function.
        riemann_sum(f, a, b, 2, rule="midpoint")
        if exact is not None:
            self._own_exact = ((a, b), check_real("exact", exact))
        return _Case("your f", f, None, (low, high), (a, b))

    @staticmethod
    def _pair(name: str, value: Any) -> tuple[Any, Any]:
        try:
            first, second = value
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a pair (a, b), got {value!r}") from None
        return first, second

    def _on_function_change(self, change: dict) -> None:
        case = self._cases[change["new"]]
        with self._without_redraw(), self.interval.hold_trait_notifications():
            self.interval.min, self.interval.max = case.domain
            self.interval.step = (case.domain[1] - case.domain[0]) / _INTERVAL_STEPS
            self.interval.value = case.interval

    # Cached, per function and interval -------------------------------------------------------

    def _function_curve(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        def compute():
            low, high = self._cases[key].domain
            x = np.linspace(low, high, _CURVE_POINTS)
            return x, _evaluate_curve(self._cases[key].f, x)

        return self._caches["curve"].get(key, compute)

    def _reference(self, key: str, a: float, b: float) -> tuple[float, bool]:
        """Return the integral over [a, b] and whether it is exact (else Simpson's, high n)."""

        def compute():
            case = self._cases[key]
            if case.antiderivative is not None:
                return case.antiderivative(b) - case.antiderivative(a), True
            if self._own_exact is not None and np.allclose(self._own_exact[0], (a, b)):
                return self._own_exact[1], True
            return riemann_sum(case.f, a, b, REFERENCE_PIECES, rule="simpson"), False

        return self._caches["reference"].get((key, a, b), compute)

    def _convergence(self, key: str, a: float, b: float, rule: str, reference: float):
        """Return the static error curve for (function, interval, rule), computed once."""

        def compute():
            f = self._cases[key].f
            if rule == MONTE_CARLO:
                return monte_carlo_integral(f, a, b, _MONTE_CARLO_CURVE_SAMPLES, seed=self._seed)
            curve = convergence_order(f, a, b, rule, exact=reference, ns=_CURVE_COUNTS)
            order = convergence_order(f, a, b, rule, exact=reference).observed_order
            return curve, order

        return self._caches["convergence"].get((key, a, b, rule), compute)

    def _largest_loss(self, key: str) -> float:
        """Return the largest loss drawn on the grid, over every prediction the slider offers."""

        def compute():
            make_loss = _LOSSES[key][1]
            slider = self.prediction
            predictions = np.linspace(
                slider.min, slider.max, round((slider.max - slider.min) / slider.step) + 1
            )
            return max(float(np.max(make_loss(c)(_EXPECTATION_GRID))) for c in predictions)

        return self._caches["largest loss"].get(key, compute)

    # Per tick --------------------------------------------------------------------------------

    def _update(self) -> str:
        area = self.mode.value == "area"
        for control in self._area_controls:
            control.layout.display = "" if area else "none"
        for control in self._expectation_controls:
            control.layout.display = "none" if area else ""
        return self._update_area() if area else self._update_expectation()

    def _update_area(self) -> str:
        key, rule, n = self.function.value, self.rule.value, self.pieces.value
        a, b = self.interval.value
        if not a < b:
            raise ValueError(
                f"the interval [{a:.3g}, {b:.3g}] is empty: drag its ends apart so that a < b"
            )
        sampled = rule == MONTE_CARLO
        self.pieces.description = "random points n" if sampled else "pieces n"
        if sampled and n < 2:
            raise ValueError(
                "Monte Carlo needs at least 2 random points to estimate its error: move n up"
            )
        reference, exact = self._reference(key, a, b)
        if not math.isfinite(reference):
            raise ValueError(
                f"the integral of {self._cases[key].label} over [{a:.3g}, {b:.3g}] could not be "
                "computed: f is infinite or undefined at a point Simpson's rule samples; "
                "choose another interval"
            )
        self.view.show_mode("area", monte_carlo=sampled, exact=exact)
        if self._shown_function != key:
            x, y = self._function_curve(key)
            label = "f(x)" if key == _YOURS else f"f(x) = {self._cases[key].label.split(' (')[0]}"
            self.view.show_function(x, y, label=label, key=key)
            self._shown_function = key
        study = self._convergence(key, a, b, rule, reference)
        target = "exact" if exact else "reference"
        if sampled:
            recorder = _Recorder(self._cases[key].f)
            estimate = monte_carlo_integral(recorder, a, b, n, seed=self._seed)
            self.view.update_monte_carlo(
                recorder.points,
                recorder.values,
                estimate,
                (a, b),
                reference=reference,
                exact=exact,
            )
            self.view.update_sampling_convergence(study, reference=reference)
            value = estimate.estimate
            error = abs(value - reference)
            summary = (
                f"Monte Carlo with n = {n} random points: "
                f"{with_uncertainty(value, estimate.standard_error)} "
                f"(one standard error) vs {target} "
                f"{reference:.8g} (error {error:.1e}); the error falls like n^(-1/2), so 100 "
                "times more points buy one more correct digit"
            )
        else:
            pieces = integration_pieces(self._cases[key].f, a, b, n, rule=rule)
            curve, order = study
            self.view.update_pieces(pieces, reference=reference, exact=exact)
            self.view.update_convergence(curve, order=order)
            value = pieces.total
            error = abs(value - reference)
            name = rule_name(rule)
            name = name[0].upper() + name[1:]
            if not math.isfinite(value):
                summary = (
                    f"{name} with n = {n}: the estimate is {value} because f is infinite or "
                    "undefined at a point the rule samples; try another rule or n"
                )
            else:
                summary = (
                    f"{name} with n = {n}: {value:.8g} vs {target} "
                    f"{reference:.8g} (error {error:.1e}); "
                )
                if math.isfinite(order):
                    summary += _order_clause(order, curve.expected_order)
                else:
                    article = "" if rule == "simpson" else "the "
                    summary += f"{article}{rule_name(rule)} is exact for this f up to round-off"
        if not exact:
            summary += (
                f"; the exact value is not known, so the reference is Simpson's rule with "
                f"n = {REFERENCE_PIECES}"
            )
        self.view.update_current(n, error)
        return summary + "."

    def _update_expectation(self) -> str:
        self.view.show_mode(
            "expectation",
            exact=self.loss.value == "squared",
            largest_loss=self._largest_loss(self.loss.value),
        )
        mean, std, prediction, n = (
            self.mean.value,
            self.std.value,
            self.prediction.value,
            self.samples.value,
        )
        label, make_loss, name = _LOSSES[self.loss.value]
        loss = make_loss(prediction)

        def density(x):
            return normal_pdf(x, mean, std)

        quadrature = expectation(
            loss,
            density,
            mean - _EXPECTATION_HALF_WIDTH * std,
            mean + _EXPECTATION_HALF_WIDTH * std,
            n=_EXPECTATION_PIECES,
            rule="simpson",
        )
        drawn: list[np.ndarray] = []

        def sampler(rng, count):
            drawn.append(rng.normal(mean, std, count))
            return drawn[-1]

        estimate = monte_carlo_expectation(loss, sampler, n, seed=self._seed)
        samples = drawn[0]
        grid = _EXPECTATION_GRID
        self.view.update_expectation(
            grid,
            density(grid),
            loss(grid),
            samples,
            loss(samples[:MAX_DRAWN_POINTS]),
            name=name,
            area=quadrature,
            estimate=estimate,
        )
        if self.loss.value == "squared":
            # The bias–variance split of the squared error: E[(X − c)²] = σ² + (μ − c)².
            reference = std**2 + (mean - prediction) ** 2
            closed = f"closed form σ² + (μ − c)² = {reference:.6g}, "
        else:
            reference = quadrature
            closed = ""
        error = abs(estimate.estimate - reference)
        self.view.update_sampling_convergence(estimate, reference=reference)
        self.view.update_current(n, error)
        return (
            f"{name} for X ~ Normal(μ = {mean:.1f}, σ = {std:.2f}) and c = {prediction:.1f}: "
            f"{closed}quadrature of loss × density {quadrature:.8g}, Monte Carlo with {n} "
            f"samples {with_uncertainty(estimate.estimate, estimate.standard_error)} "
            f"(error {error:.1e}); the Monte Carlo error falls like n^(-1/2)."
        )
