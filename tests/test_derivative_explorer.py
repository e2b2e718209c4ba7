"""DerivativeExplorer: secant and tangent, the error-vs-h curve, presets and robustness."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from PIL import Image

from calcwidgets.core.derivatives import (
    difference_error,
    finite_difference,
    secant_line,
    tangent_line,
)
from calcwidgets.plotting.derivative_view import ERROR_FLOOR, DerivativeView
from calcwidgets.widgets.derivative_explorer import CASES, YOUR_FUNCTION, DerivativeExplorer


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def floored(values):
    values = np.asarray(values, dtype=float)
    return np.where(values == 0, ERROR_FLOOR, values)


def core_curve(name, x0, method, h):
    """The core's error curve and its value at h, against the exact derivative."""
    case = CASES[name]
    exact = float(case.derivative(x0))
    curve = difference_error(case.f, x0, method=method, exact=exact)
    at_h = difference_error(case.f, x0, method=method, h=np.array([h]), exact=exact)
    return curve, at_h


def assert_clean(explorer):
    assert explorer.message.value == ""
    assert explorer.warnings_caught == []


@pytest.fixture
def explorer():
    return DerivativeExplorer()


def test_starts_with_a_forward_secant_of_sin_at_1(explorer):
    assert (explorer.function.value, explorer.x0.value, explorer.method.value) == (
        "sin x",
        1.0,
        "forward",
    )
    h = explorer.h.value
    curve, at_h = core_curve("sin x", 1.0, "forward", h)
    summary = explorer.summary.value
    assert f"forward difference at x₀ = 1 with h = {h:.2g}" in summary
    assert f"{at_h.estimates[0]:.10g} (error {at_h.error[0]:.2g})" in summary
    assert f"best h ≈ {curve.best_h:.1g}" in summary
    assert "truncation dominates" in summary  # h = 0.5 is far too large
    assert_clean(explorer)


@pytest.mark.parametrize("name", list(CASES))
def test_every_function_draws_f_and_its_error_curve(explorer, name):
    before = explorer.image.value
    explorer.function.value = name
    case = CASES[name]
    assert explorer.x0.value == case.x0
    assert (explorer.x0.min, explorer.x0.max) == case.interval
    if name != "sin x":
        assert explorer.image.value != before
    view = explorer.view
    x, y = view.curve_.get_data()
    assert (x[0], x[-1]) == case.window
    with np.errstate(all="ignore"):
        assert_allclose(y, case.f(np.asarray(x)))
    curve, at_h = core_curve(name, case.x0, "forward", explorer.h.value)
    assert_allclose(view.error_line_.get_ydata(), floored(curve.error))
    assert f"{at_h.estimates[0]:.10g}".replace("-", "−") in explorer.summary.value
    assert_clean(explorer)


@pytest.mark.parametrize("where", ["min", "max", "middle"])
def test_the_x0_slider_moves_tangent_secant_and_error_curve(explorer, where):
    explorer.function.value = "eˣ"
    before = explorer.image.value
    slider = explorer.x0
    slider.value = {"min": slider.min, "max": slider.max, "middle": 0.3}[where]
    x0, h = slider.value, explorer.h.value
    view = explorer.view
    assert explorer.image.value != before
    x_limits = np.array(view.function_axes_.get_xlim())
    tangent = tangent_line(np.exp, x0, slope=np.exp(x0))
    assert_allclose(view.tangent_.get_ydata(), tangent(x_limits))
    secant = secant_line(np.exp, x0, h)
    assert_allclose(view.secant_.get_ydata(), secant(x_limits))
    assert_allclose(view.secant_points_.get_xdata(), [x0, x0 + h])
    curve, at_h = core_curve("eˣ", x0, "forward", h)
    assert_allclose(view.error_line_.get_ydata(), floored(curve.error))
    truncation = view.truncation_line_.get_ydata()
    assert_allclose(truncation, curve.truncation)
    assert_allclose(view.rounding_line_.get_ydata(), curve.rounding)
    assert_allclose(view.best_line_.get_xdata(), [curve.best_h, curve.best_h])
    assert f"x₀ = {x0:.4g}".replace("-", "−") in explorer.summary.value
    assert_clean(explorer)


@pytest.mark.parametrize("where", ["min", "max", "middle"])
def test_the_h_slider_moves_the_secant_and_the_mark(explorer, where):
    explorer.x0.value = 0.5
    explorer.h.value = 1e-3  # away from every target value
    before = explorer.image.value
    slider = explorer.h
    slider.value = {"min": 10.0**slider.min, "max": 10.0**slider.max, "middle": 1e-8}[where]
    h = slider.value
    view = explorer.view
    assert explorer.image.value != before
    curve, at_h = core_curve("sin x", 0.5, "forward", h)
    assert_allclose(view.current_.get_xdata(), [h])
    assert_allclose(view.current_.get_ydata(), floored(at_h.error))
    assert_allclose(view.current_line_.get_xdata(), [h, h])
    x_limits = np.array(view.function_axes_.get_xlim())
    if 0.5 + h == 0.5:  # h = 1e-16 does not move x₀: the quotient is 0
        assert at_h.estimates[0] == 0
        assert_allclose(view.secant_.get_ydata(), np.sin(0.5))
        assert "rounds to x₀ in floating point" in explorer.summary.value
    else:
        assert_allclose(view.secant_.get_ydata(), secant_line(np.sin, 0.5, h)(x_limits))
    assert f"with h = {h:.2g}: {at_h.estimates[0]:.10g}" in explorer.summary.value
    assert_clean(explorer)


def test_the_summary_names_the_dominant_error(explorer):
    explorer.method.value = "central"
    explorer.h.value = 1e-1
    assert "truncation dominates: a smaller h helps" in explorer.summary.value
    explorer.h.value = 1e-12
    assert "round-off dominates: a smaller h makes it worse" in explorer.summary.value
    curve, _ = core_curve("sin x", 1.0, "central", 1e-5)
    explorer.h.value = curve.best_h
    assert "near the best h" in explorer.summary.value


@pytest.mark.parametrize("method", ["forward", "central", "complex_step"])
def test_the_method_menu_changes_quotient_secant_and_curve(explorer, method):
    explorer.method.value = "central" if method == "forward" else "forward"
    before = explorer.image.value
    explorer.method.value = method
    h = explorer.h.value
    view = explorer.view
    assert explorer.image.value != before
    curve, at_h = core_curve("sin x", 1.0, method, h)
    assert_allclose(view.error_line_.get_ydata(), floored(curve.error))
    assert_allclose(view.rounding_line_.get_ydata(), curve.rounding)
    assert at_h.estimates[0] == finite_difference(np.sin, 1.0, h, method)
    x_limits = np.array(view.function_axes_.get_xlim())
    if method == "complex_step":
        assert not view.secant_.get_visible()  # no second real point
        assert "complex step at x₀ = 1" in explorer.summary.value
    elif method == "central":
        assert_allclose(view.secant_points_.get_xdata(), [1 - h, 1 + h])
        assert_allclose(view.secant_.get_ydata(), secant_line(np.sin, 1 - h, 2 * h)(x_limits))
    else:
        assert_allclose(view.secant_points_.get_xdata(), [1, 1 + h])
    assert_clean(explorer)


def test_an_error_of_exactly_zero_sits_on_the_floor_and_is_named(explorer):
    explorer.method.value = "complex_step"
    explorer.h.value = 1e-16
    curve, at_h = core_curve("sin x", 1.0, "complex_step", 1e-16)
    assert at_h.error[0] == 0 and np.any(curve.error == 0)
    assert "(exact to machine precision)" in explorer.summary.value
    assert_allclose(explorer.view.current_.get_ydata(), [ERROR_FLOOR])
    drawn = explorer.view.error_line_.get_ydata()
    assert np.all(drawn[curve.error == 0] == ERROR_FLOOR)
    assert "nothing is subtracted, so a smaller h never hurts the complex step" in (
        explorer.summary.value
    )


def test_the_complex_step_summary_names_a_threshold_not_a_best_h(explorer):
    explorer.method.value = "complex_step"
    for h in (1e-2, 1e-12):
        explorer.h.value = h
        curve, at_h = core_curve("sin x", 1.0, "complex_step", h)
        summary = explorer.summary.value
        # Below the threshold, truncation √(6ε|f′|/|f‴|) is under the round-off floor ε|f′|.
        threshold = np.sqrt(6 * np.finfo(float).eps * np.cos(1.0) / np.cos(1.0))
        assert curve.best_h == pytest.approx(threshold, rel=1e-3)
        assert f"truncation falls below round-off once h ≲ {curve.best_h:.1g}" in summary
        assert "best h" not in summary
    explorer.h.value = 1e-2
    assert "truncation dominates: a smaller h helps" in explorer.summary.value
    explorer.h.value = 1e-12
    assert "a smaller h never hurts the complex step" in explorer.summary.value
    assert_clean(explorer)


def test_presets_move_the_controls_and_redraw_once(explorer):
    calls = []
    update = explorer._update
    explorer._update = lambda: calls.append(1) or update()
    assert set(explorer.presets) == {
        "h too large",
        "h too small (round-off)",
        "best h",
        "complex step",
    }
    for name in list(explorer.presets):
        values = dict(explorer.presets[name])
        before = len(calls)
        explorer.apply_preset(name)
        assert len(calls) == before + 1, name
        for attribute, value in values.items():
            assert getattr(explorer, attribute).value == pytest.approx(value)
    explorer.apply_preset("h too small (round-off)")
    assert "round-off dominates" in explorer.summary.value
    explorer.apply_preset("best h")
    curve, _ = core_curve("sin x", 1.0, "central", 1e-5)
    assert explorer.h.value == pytest.approx(curve.best_h)
    assert "near the best h" in explorer.summary.value
    assert_clean(explorer)


def test_an_invalid_state_is_shown_in_place_and_recovers(explorer):
    explorer.function.value = "ln x"
    explorer.x0.value = 0.3
    explorer.method.value = "central"
    before = explorer.image.value
    explorer.h.value = 0.5  # ln(0.3 − 0.5) is undefined
    assert "f is not finite there" in explorer.message.value
    assert explorer.image.value == before
    explorer.h.value = 1e-3
    assert explorer.message.value == ""
    assert explorer.image.value != before
    assert explorer.warnings_caught == []


def test_your_f_without_complex_support_hides_the_complex_step():
    mine = DerivativeExplorer(f=lambda x: np.abs(x) ** 3, x0=0.5)
    assert mine.function.value == YOUR_FUNCTION
    assert [value for _, value in mine.method.options] == ["forward", "central"]
    assert "does not accept complex input" in mine.method_note.value
    assert mine.method_note.layout.display != "none"
    assert mine.method_note in mine.children
    assert "complex step" not in mine.presets
    assert "against a central difference" in mine.summary.value
    reference = tangent_line(lambda x: np.abs(x) ** 3, 0.5, method="central").slope
    assert reference == pytest.approx(0.75, rel=1e-9)
    mine.h.value = 1e-2
    estimate = finite_difference(lambda x: np.abs(x) ** 3, 0.5, 1e-2, "forward")
    assert f"(error {abs(estimate - reference):.2g})" in mine.summary.value
    assert_clean(mine)


def test_your_f_with_its_derivative_gets_exact_errors():
    mine = DerivativeExplorer(f=np.tanh, derivative=lambda x: 1 / np.cosh(x) ** 2, x0=0.5)
    assert [value for _, value in mine.method.options][-1] == "complex_step"
    assert mine.method_note.layout.display == "none"
    exact = 1 / np.cosh(0.5) ** 2
    curve = difference_error(np.tanh, 0.5, method="forward", exact=exact)
    assert_allclose(mine.view.error_line_.get_ydata(), floored(curve.error))
    assert "central difference (pass derivative=" not in mine.summary.value
    assert (mine.x0.min, mine.x0.max) == (-2.0, 2.0)
    assert_clean(mine)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"f": 3}, TypeError, "f must be a function"),
        ({"f": np.sin, "derivative": 2}, TypeError, "derivative must be a function"),
        ({"f": np.sin, "x0": 5.0}, ValueError, "x0 must lie in the interval"),
        ({"f": np.sin, "interval": (2, 1)}, ValueError, "interval"),
        ({"f": np.sin, "interval": (0, 1, 2)}, ValueError, "a pair"),
        ({"derivative": np.cos}, ValueError, "pass f as well"),
        ({"function": "tan x"}, ValueError, "function must be one of"),
        ({"function": "ln x", "x0": -1.0}, ValueError, "x0 must lie in"),
        ({"f": np.log, "x0": -1.0}, ValueError, "must be finite"),
        ({"f": np.sin, "derivative": lambda x: np.nan, "x0": 1.0}, ValueError, "finite"),
    ],
)
def test_constructor_arguments_are_checked(arguments, error, match):
    with pytest.raises(error, match=match):
        DerivativeExplorer(**arguments)


def test_the_frame_equals_one_drawn_from_the_core_directly(explorer):
    explorer.function.value = "x³ − 2x"
    explorer.x0.value = 0.7
    explorer.method.value = "central"
    explorer.h.value = 0.1
    case = CASES["x³ − 2x"]
    h = explorer.h.value
    curve, at_h = core_curve("x³ − 2x", 0.7, "central", h)
    view = DerivativeView()
    x = np.linspace(*case.window, 400)
    view.set_function(x, case.f(x), name="x³ − 2x")
    view.set_method("central")
    view.update(
        curve,
        at_h,
        tangent=tangent_line(case.f, 0.7, slope=case.derivative(0.7)),
        secant=secant_line(case.f, 0.7 - h, 2 * h),
        secant_x=[0.7 - h, 0.7 + h],
        best_h=curve.best_h,
    )
    np.testing.assert_array_equal(pixels(view.render()), pixels(explorer.image.value))


_SHARED = []


def _shared_explorer():
    # One explorer for every example: hypothesis drives it through many states.
    if not _SHARED:
        _SHARED.append(DerivativeExplorer())
    return _SHARED[0]


@settings(max_examples=50)
@given(
    name=st.sampled_from(list(CASES)),
    fraction=st.floats(0, 1),
    exponent=st.floats(-16, 0),
    method=st.sampled_from(["forward", "central", "complex_step"]),
)
def test_random_states_stay_clean(name, fraction, exponent, method):
    explorer = _shared_explorer()
    with explorer.batch_updates():
        explorer.function.value = name
        explorer.x0.value = explorer.x0.min + fraction * (explorer.x0.max - explorer.x0.min)
        explorer.h.value = 10.0**exponent
        explorer.method.value = method
    x0, h = explorer.x0.value, explorer.h.value
    # The only invalid states: ln needs x₀ − h > 0 for the central difference.
    undefined = name == "ln x" and method == "central" and x0 - h <= 0
    assert (explorer.message.value != "") == undefined
    assert explorer.warnings_caught == []
    png = explorer.image.value
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == explorer.view.canvas_.pixel_size
    assert len(png) <= 64 * 1024
    if not undefined:
        assert f"with h = {h:.2g}" in explorer.summary.value


def test_a_function_and_method_shown_before_are_restored_and_look_as_if_drawn_afresh(
    explorer, count_calls
):
    states = [(name, "forward") for name in CASES] + [("eˣ", "central"), ("sin x", "complex_step")]
    for name, method in states:  # each layer drawn once, with its own layout
        with explorer.batch_updates():
            explorer.function.value = name
            explorer.method.value = method
    draws = count_calls(explorer.view.figure_.canvas, "draw")
    for name, method in reversed(states[:-1]):
        with explorer.batch_updates():
            explorer.function.value = name
            explorer.method.value = method
        assert_clean(explorer)
        fresh = DerivativeExplorer(function=name)
        fresh.method.value = method
        np.testing.assert_array_equal(
            pixels(explorer.image.value), pixels(fresh.image.value), err_msg=f"{name}, {method}"
        )
    assert draws == []


def test_x0_and_h_never_redraw_the_static_layer(explorer, count_calls):
    draws = count_calls(explorer.view.figure_.canvas, "draw")
    explorer.x0.value = -2.0
    explorer.h.value = 1e-9
    explorer.x0.value = 2.5
    assert draws == []
    assert_clean(explorer)


@pytest.mark.parametrize(
    ("method", "secant", "marked_h"),
    [
        ("forward", "secant through x₀ and x₀ + h", "best h"),
        ("central", "secant through x₀ − h and x₀ + h", "best h"),
        ("complex_step", "complex step: no secant", "truncation meets round-off"),
    ],
)
def test_the_legends_name_the_methods_secant_and_marked_h(explorer, method, secant, marked_h):
    explorer.method.value = method
    view = explorer.view
    assert view.function_legend_.texts[2].get_text() == secant
    assert view.function_legend_.legend_handles[2].get_visible() == (method != "complex_step")
    assert view.error_legend_.texts[3].get_text() == marked_h
    curve, _ = core_curve("sin x", 1.0, method, explorer.h.value)
    assert_allclose(view.best_line_.get_xdata(), [curve.best_h, curve.best_h])


def test_the_complex_step_marks_no_h_where_the_model_has_no_threshold(explorer):
    explorer.function.value = "bump e^(−x²)"
    explorer.x0.value = 0.0  # f′(0) = 0: round-off ε|f′| vanishes, so no threshold
    explorer.method.value = "complex_step"
    curve, _ = core_curve("bump e^(−x²)", 0.0, "complex_step", explorer.h.value)
    assert curve.best_h is None and curve.observed_best_h is not None
    assert not explorer.view.best_line_.get_visible()
    explorer.method.value = "central"  # a real best h again
    assert explorer.view.best_line_.get_visible()
    assert_clean(explorer)
