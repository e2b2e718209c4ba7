"""LimitExplorer: the approach, the ε- and δ-bands, the verdict, presets and robustness."""

import html
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from PIL import Image

from calcwidgets.core.limits import estimate_limit, find_delta
from calcwidgets.plotting.limit_view import DISTANCE_FLOOR, LimitView, curve_without_jumps
from calcwidgets.widgets import limit_explorer
from calcwidgets.widgets.limit_explorer import CASES, YOUR_FUNCTION, LimitExplorer

DECADES, PER_DECADE = 4, 5  # the approach the explorer asks the core for


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def core_state(name, a, epsilon):
    """What the core says at (function, a, ε), computed here without the explorer."""
    case = CASES[name]
    radius = case.half_width / 2
    if a != case.point:
        radius = min(radius, abs(a - case.point) / 2)
    estimate = estimate_limit(
        case.f, a, h_max=radius, decades=DECADES, points_per_decade=PER_DECADE
    )
    limit = estimate.value
    if a == case.point and case.limit is not None:
        limit = case.limit
    delta = None
    if limit is not None:
        delta = find_delta(case.f, a, limit, epsilon, radius=radius)
    return estimate, limit, delta


def reference_for(estimate, limit):
    """The L the explorer measures distances from: the limit, else a candidate, else 0."""
    if limit is not None:
        return limit
    if estimate.kind == "jump":
        return (estimate.left + estimate.right) / 2
    if estimate.kind == "oscillating":
        values = np.concatenate([estimate.left_values, estimate.right_values])
        values = values[np.isfinite(values)]
        return (values.max() + values.min()) / 2
    return 0.0


def assert_clean(explorer):
    assert explorer.message.value == ""
    assert explorer.warnings_caught == []


@pytest.fixture
def explorer():
    return LimitExplorer()


def test_starts_on_sin_x_over_x_with_the_core_verdict(explorer):
    estimate, limit, delta = core_state("sin(x)/x", 0.0, explorer.epsilon.value)
    assert explorer.function.value == "sin(x)/x"
    assert estimate.verdict in explorer.summary.value
    assert (
        f"with ε = 0.1, δ = {delta.delta:.4g}: no sampled x with 0 < |x − a| < δ leaves the band "
        "(checked on samples, not a proof)"
    ) in html.unescape(explorer.summary.value)
    assert_allclose(explorer.view.hole_.get_data(), [[0.0], [limit]])
    assert_clean(explorer)


@pytest.mark.parametrize("name", list(CASES))
def test_every_function_shows_its_core_verdict_and_approach(explorer, name):
    before = explorer.image.value
    explorer.function.value = name
    case = CASES[name]
    assert explorer.point.value == case.point
    assert explorer.point.min == pytest.approx(case.point - case.half_width / 2)
    assert explorer.point.max == pytest.approx(case.point + case.half_width / 2)
    estimate, limit, delta = core_state(name, case.point, explorer.epsilon.value)
    assert estimate.verdict in explorer.summary.value
    if name != "sin(x)/x":
        assert explorer.image.value != before
    x, _ = explorer.view.curve_.get_data()
    assert np.nanmin(x) == pytest.approx(case.point - case.half_width)
    assert np.nanmax(x) == pytest.approx(case.point + case.half_width)
    # The right panel: |f(a ± h) − L| for every step, 0 drawn on the floor.
    reference = reference_for(estimate, limit)
    offsets, distance = explorer.view.right_distance_.get_data()
    assert_allclose(offsets, estimate.offsets)
    expected = np.abs(estimate.right_values - reference)
    assert_allclose(distance, np.where(expected == 0, DISTANCE_FLOOR, expected))
    assert_clean(explorer)


def test_the_verdicts_say_what_each_case_teaches(explorer):
    expected = {
        "sin(x)/x": "the limit is 1",
        "(x² − 1)/(x − 1)": "the limit is 2",
        "1/x": "no two-sided limit (unbounded)",
        "|x|/x": "left → −1, right → 1: no two-sided limit (jump)",
        "x·sin(1/x)": "the limit is 0",
        "sin(1/x)": "no limit (oscillates)",
        "x² if x < 1, else x + 1": "left → 1, right → 2: no two-sided limit (jump)",
    }
    for name, phrase in expected.items():
        explorer.function.value = name
        assert phrase in explorer.summary.value, name
    assert_clean(explorer)


@pytest.mark.parametrize("where", ["min", "max", "middle"])
def test_the_point_slider_moves_a_and_the_approach(explorer, where):
    explorer.function.value = "1/x"
    before = explorer.image.value
    slider = explorer.point
    slider.value = {"min": slider.min, "max": slider.max, "middle": 0.5}[where]
    a = slider.value
    estimate, limit, delta = core_state("1/x", a, explorer.epsilon.value)
    assert estimate.kind == "exists"  # off the pole, an ordinary limit 1/a
    assert limit == pytest.approx(1 / a, rel=1e-6)
    assert explorer.image.value != before
    assert estimate.verdict in explorer.summary.value
    view = explorer.view
    assert_allclose(view.point_line_.get_xdata(), [a, a])
    low, high = view.curve_axes_.get_ylim()
    inside = (estimate.right_values >= low) & (estimate.right_values <= high)
    assert_allclose(view.right_points_.get_xdata(), a + estimate.offsets[inside])
    assert_allclose(view.right_points_.get_ydata(), estimate.right_values[inside])
    # The approach starts at half the distance to the pole, so it never crosses it.
    assert np.all(a - estimate.offsets > 0) if a > 0 else np.all(a + estimate.offsets < 0)
    assert view.epsilon_band_.get_visible()
    assert view.epsilon_band_.get_y() == pytest.approx(limit - explorer.epsilon.value)
    assert view.delta_band_.get_width() == pytest.approx(2 * delta.delta)
    assert view.value_.get_xdata()[0] == a  # f(a) is defined off the pole
    assert view.value_.get_ydata()[0] == pytest.approx(1 / a)
    assert_clean(explorer)


@pytest.mark.parametrize("epsilon", ["min", "max", "middle"])
def test_the_epsilon_slider_moves_both_bands(explorer, epsilon):
    before = explorer.image.value
    slider = explorer.epsilon
    slider.value = {"min": 10.0**slider.min, "max": 10.0**slider.max, "middle": 0.03}[epsilon]
    value = slider.value
    estimate, limit, delta = core_state("sin(x)/x", 0.0, value)
    view = explorer.view
    assert explorer.image.value != before
    assert view.epsilon_band_.get_y() == pytest.approx(limit - value)
    assert view.epsilon_band_.get_height() == pytest.approx(2 * value)
    assert_allclose(view.epsilon_line_.get_ydata(), [value, value])
    assert delta.found
    assert view.delta_band_.get_x() == pytest.approx(-delta.delta)
    assert view.delta_band_.get_width() == pytest.approx(2 * delta.delta)
    assert_allclose(view.delta_line_.get_xdata(), [delta.delta, delta.delta])
    assert f"δ = {delta.delta:.4g}: no sampled x with 0 < |x − a| < δ" in html.unescape(
        explorer.summary.value
    )
    assert_clean(explorer)


def test_a_smaller_epsilon_needs_a_smaller_delta(explorer):
    widths = []
    for value in (0.5, 0.05, 0.005):
        explorer.epsilon.value = value
        widths.append(explorer.view.delta_band_.get_width())
    assert widths[0] > widths[1] > widths[2] > 0


def test_the_squeeze_preset_reports_a_delta_that_holds_between_the_samples(explorer):
    explorer.apply_preset("squeezed to 0")
    _, _, delta = core_state("x·sin(1/x)", 0.0, 0.01)
    # At this peak of |sin(1/x)|, |f(x)| = x ≥ ε: a δ beyond it would be wrong.
    peak = 1 / (np.pi / 2 + 31 * np.pi)
    assert 0.01 <= delta.delta < peak  # |x·sin(1/x)| ≤ |x|, so δ = ε works
    x = np.linspace(delta.delta / 2, delta.delta, 1_000_001)
    assert np.all(np.abs(x * np.sin(1 / x)) < 0.01)
    assert (
        f"with ε = 0.01, δ = {delta.delta:.4g}: no sampled x with 0 < |x − a| < δ leaves the band "
        "(checked on samples, not a proof)"
    ) in html.unescape(explorer.summary.value)
    assert explorer.view.delta_band_.get_width() == pytest.approx(2 * delta.delta)
    assert_clean(explorer)


@pytest.mark.parametrize("steps", ["min", "max", "middle"])
def test_the_steps_slider_shows_that_many_points_per_side(explorer, steps):
    explorer.function.value = "|x|/x"
    explorer.steps.value = 5  # away from the default, so every target value is a change
    before = explorer.image.value
    slider = explorer.steps
    slider.value = {"min": slider.min, "max": slider.max, "middle": 11}[steps]
    count = slider.value
    estimate, _, _ = core_state("|x|/x", 0.0, explorer.epsilon.value)
    limit = (estimate.left + estimate.right) / 2  # the candidate tried at a jump
    view = explorer.view
    assert explorer.image.value != before
    assert_allclose(view.left_points_.get_xdata(), -estimate.offsets[:count])
    assert_allclose(view.left_points_.get_ydata(), estimate.left_values[:count])
    assert_allclose(view.left_distance_.get_ydata(), np.abs(estimate.left_values[:count] - limit))
    assert f"step {count} of {slider.max} reaches x = a ± {estimate.offsets[count - 1]:.4g}" in (
        explorer.summary.value
    )
    assert_clean(explorer)


def test_a_jump_shows_both_one_sided_limits_and_no_delta(explorer):
    explorer.function.value = "|x|/x"
    explorer.epsilon.value = 0.5
    estimate, limit, delta = core_state("|x|/x", 0.0, 0.5)
    assert limit is None and estimate.kind == "jump"
    view = explorer.view
    assert_allclose(view.hole_.get_ydata(), [estimate.left, estimate.right])
    assert len(view.value_.get_xdata()) == 0  # |x|/x is undefined at 0
    # Bands around the candidate midway between the sides; no δ works for it.
    assert view.epsilon_band_.get_y() == pytest.approx(0.0 - 0.5)
    assert not view.delta_band_.get_visible()
    candidate = find_delta(CASES["|x|/x"].f, 0.0, 0.0, 0.5, radius=1.0)
    assert not candidate.found
    assert_allclose(
        view.witness_.get_data(), [[abs(candidate.worst_x)], [candidate.worst_deviation]]
    )
    assert "trying L = 0 with ε = 0.5: no δ works" in explorer.summary.value
    assert "midway" in view.note_.get_text()
    assert_clean(explorer)


def test_a_jump_candidate_can_pass_a_large_epsilon_but_not_a_small_one(explorer):
    explorer.function.value = "x² if x < 1, else x + 1"
    explorer.epsilon.value = 1.0  # the sides are 1 and 2: ε = 1 around 1.5 holds both
    assert (
        "leaves this band (checked on samples, not a proof), but a smaller ε defeats every δ"
        in (explorer.summary.value)
    )
    assert explorer.view.delta_band_.get_visible()
    explorer.epsilon.value = 0.3
    assert "no δ works" in explorer.summary.value
    assert not explorer.view.delta_band_.get_visible()


def test_a_pole_has_no_band(explorer):
    explorer.function.value = "1/x"
    view = explorer.view
    assert not view.epsilon_band_.get_visible()
    assert not view.delta_band_.get_visible()
    assert len(view.hole_.get_xdata()) == 0
    assert "no finite L" in explorer.summary.value
    # Values beyond the frame are drawn as triangles on its edge.
    low, high = view.curve_axes_.get_ylim()
    assert_allclose(view.above_.get_ydata(), high)
    assert_allclose(view.below_.get_ydata(), low)
    assert len(view.above_.get_xdata()) > 0 and len(view.below_.get_xdata()) > 0
    assert np.all(view.right_points_.get_ydata() <= high)


@pytest.mark.parametrize(
    ("name", "where"), [("|x|/x", 0.0), ("1/x", 0.0), ("x² if x < 1, else x + 1", 1.0)]
)
def test_the_curve_has_no_vertical_connector_across_a_jump_or_pole(explorer, name, where):
    explorer.function.value = name
    x, y = explorer.view.curve_.get_data()
    finite = np.isfinite(y)
    joined = finite[:-1] & finite[1:]  # segments matplotlib draws
    crossing = (x[:-1] < where) & (x[1:] >= where)
    assert not np.any(joined & crossing)
    assert finite.mean() > 0.9  # but the rest of the curve is all there


def test_curve_without_jumps_keeps_a_smooth_curve_whole():
    x = np.linspace(-3, 3, 301)
    x_drawn, y_drawn, limits = curve_without_jumps(x, np.sin(x))
    assert_allclose(x_drawn, x)
    assert not np.isnan(y_drawn).any()
    assert limits[0] < -1 < 1 < limits[1]


def test_presets_move_the_controls_and_redraw_once(explorer):
    calls = []
    update = explorer._update
    explorer._update = lambda: calls.append(1) or update()
    for name, values in explorer.presets.items():
        before = len(calls)
        explorer.apply_preset(name)
        assert len(calls) == before + 1, name
        for attribute, value in values.items():
            assert getattr(explorer, attribute).value == pytest.approx(value)
    explorer.apply_preset("jump: no δ works")
    assert "no δ works" in explorer.summary.value
    explorer.apply_preset("removable hole")
    assert "the limit is 2" in explorer.summary.value
    assert_clean(explorer)


def test_your_own_function(explorer):
    mine = LimitExplorer(f=lambda x: (np.exp(x) - 1) / x, point=0.0)
    assert mine.function.value == YOUR_FUNCTION
    assert mine.function.options[0] == YOUR_FUNCTION
    assert "the limit is 1" in mine.summary.value
    assert (mine.point.min, mine.point.max) == (-1.0, 1.0)
    mine.function.value = "1/x"
    mine.function.value = YOUR_FUNCTION
    assert mine.point.value == 0.0
    assert "the limit is 1" in mine.summary.value
    assert_clean(mine)


def test_an_invalid_state_is_shown_in_place_and_recovers():
    explorer = LimitExplorer(f=np.sqrt, point=0.0)
    assert "from the right only" in explorer.summary.value
    assert "undefined on the left of a, so there is no two-sided δ" in explorer.summary.value
    assert not explorer.view.delta_band_.get_visible()
    before = explorer.image.value
    explorer.point.value = -0.5  # sqrt is undefined on both sides of −0.5
    assert "undefined near a" in explorer.message.value
    assert explorer.image.value == before
    explorer.point.value = 0.5
    assert explorer.message.value == ""
    assert "the limit is 0.7071" in explorer.summary.value
    assert explorer.warnings_caught == []


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"f": 3}, TypeError, "f must be a function"),
        ({"f": np.sin, "point": "0"}, TypeError, "point must be a real number"),
        ({"f": np.sin, "half_width": 0}, ValueError, "half_width must be > 0"),
        ({"point": 1.0}, ValueError, "pass f as well"),
        ({"function": "tan(x)"}, ValueError, "function must be one of"),
        ({"f": np.sin, "function": "1/x"}, ValueError, "leave it out"),
        ({"f": lambda x: 1.0j * x}, TypeError, "real numbers"),
    ],
)
def test_constructor_arguments_are_checked(arguments, error, match):
    with pytest.raises(error, match=match):
        LimitExplorer(**arguments)


def test_the_frame_equals_one_drawn_from_the_core_directly(explorer):
    explorer.function.value = "(x² − 1)/(x − 1)"
    explorer.epsilon.value = 0.2
    explorer.steps.value = 8
    case = CASES["(x² − 1)/(x − 1)"]
    estimate, limit, delta = core_state("(x² − 1)/(x − 1)", 1.0, 0.2)
    view = LimitView()
    x = np.linspace(case.point - case.half_width, case.point + case.half_width, 2001)
    with np.errstate(all="ignore"):
        y = case.f(x)
    view.set_curve(
        x, y, offset_limits=(case.half_width / 200 * 1e-4, case.half_width / 2), name="removable"
    )
    view.update(
        estimate,
        steps=8,
        limit=limit,
        epsilon=0.2,
        delta=delta,
        note="L = 2: the limit",
        value_at_point=float("nan"),
    )
    assert_allclose(view.hole_.get_data(), explorer.view.hole_.get_data())
    np.testing.assert_array_equal(pixels(view.render()), pixels(explorer.image.value))


@settings(max_examples=40)
@given(
    name=st.sampled_from(list(CASES)),
    fraction=st.floats(0, 1),
    exponent=st.floats(-3, 0),
    steps=st.integers(1, 21),
)
def test_random_states_stay_clean(name, fraction, exponent, steps):
    explorer = _shared_explorer()
    with explorer.batch_updates():
        explorer.function.value = name
        explorer.point.value = explorer.point.min + fraction * (
            explorer.point.max - explorer.point.min
        )
        explorer.epsilon.value = 10.0**exponent
        explorer.steps.value = steps
    assert explorer.message.value == ""
    assert explorer.warnings_caught == []
    png = explorer.image.value
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == explorer.view.canvas_.pixel_size
    assert len(png) <= 64 * 1024
    assert "step " in explorer.summary.value


_SHARED = []


def _shared_explorer():
    # One explorer for every example: hypothesis drives it through many states.
    if not _SHARED:
        _SHARED.append(LimitExplorer())
    return _SHARED[0]


def test_a_limit_too_steep_for_the_samples_says_no_delta_was_found():
    steep = LimitExplorer(f=lambda x: 1e5 * x, point=0.0)
    steep.epsilon.value = 1e-3  # needs δ = 1e-8, below the sampled offsets
    result = find_delta(lambda x: 1e5 * x, 0.0, 0.0, 1e-3, radius=1.0)
    assert not result.found
    assert "the limit is 0; with ε = 0.001, no δ found" in steep.summary.value
    assert_allclose(
        steep.view.witness_.get_data(), [[abs(result.worst_x)], [result.worst_deviation]]
    )
    steep.epsilon.value = 1.0
    assert "δ = " in steep.summary.value and "no sampled x" in steep.summary.value
    assert_clean(steep)


def test_a_function_shown_before_is_restored_not_redrawn_and_looks_as_if_drawn_afresh(
    explorer, count_calls
):
    names = list(CASES)
    for name in names:  # each function's layer is drawn once, with its own layout
        explorer.function.value = name
    draws = count_calls(explorer.view.figure_.canvas, "draw")
    for name in reversed(names[:-1]):
        explorer.function.value = name
        assert_clean(explorer)
        fresh = LimitExplorer(function=name)
        np.testing.assert_array_equal(
            pixels(explorer.image.value), pixels(fresh.image.value), err_msg=name
        )
    assert draws == []


def test_point_epsilon_and_steps_never_redraw_the_static_layer(explorer, count_calls):
    draws = count_calls(explorer.view.figure_.canvas, "draw")
    explorer.point.value = 1.5
    explorer.epsilon.value = 0.02
    explorer.steps.value = 4
    explorer.point.value = explorer.point.min
    assert draws == []
    assert_clean(explorer)


def test_a_state_shown_before_reuses_the_cores_delta(explorer, monkeypatch):
    calls = []
    find = limit_explorer.find_delta
    monkeypatch.setattr(
        limit_explorer,
        "find_delta",
        lambda *args, **kwargs: calls.append(args) or find(*args, **kwargs),
    )
    explorer.epsilon.value = 0.02  # a new ε: the only δ the core is asked for
    explorer.steps.value = 3  # the same (f, a, L, ε)
    explorer.epsilon.value = 0.1  # the state the explorer started in
    explorer.epsilon.value = 0.02
    assert len(calls) == 1
    _, _, delta = core_state("sin(x)/x", 0.0, 0.02)
    assert explorer.view.delta_band_.get_width() == pytest.approx(2 * delta.delta)
