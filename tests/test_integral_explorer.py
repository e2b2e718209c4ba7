"""IntegralExplorer: every control drives the core and the view, presets redraw once."""

import io
import itertools
import math

import ipywidgets as widgets
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from PIL import Image

from calcwidgets.core.integrals import (
    convergence_order,
    expectation,
    integration_pieces,
    monte_carlo_expectation,
    monte_carlo_integral,
    normal_pdf,
    riemann_sum,
)
from calcwidgets.plotting.integral_view import (
    MAX_DRAWN_PIECES,
    MAX_DRAWN_POINTS,
    IntegralView,
    with_uncertainty,
)
from calcwidgets.widgets import integral_explorer as module
from calcwidgets.widgets.integral_explorer import (
    PIECE_COUNTS,
    REFERENCE_PIECES,
    SAMPLE_COUNTS,
    IntegralExplorer,
)

QUADRATURE_RULES = ("left", "right", "midpoint", "trapezoid", "simpson")


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _assert_healthy(explorer):
    assert explorer.message.value == ""
    assert [str(caught.message) for caught in explorer.warnings_caught] == []
    image = Image.open(io.BytesIO(explorer.image.value))
    assert image.format == "PNG"
    assert image.size == explorer.view.canvas.pixel_size
    assert len(explorer.image.value) <= 64 * 1024


def _summary(explorer):
    return explorer.summary.value.replace("&#x27;", "'")


def _polygons(collection):
    return [path.vertices[:-1] for path in collection.get_paths()]


def _signed_area(vertices):
    """Area of a polygon drawn left to right along its top, positive above the axis."""
    x, y = vertices[:, 0], vertices[:, 1]
    return -0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _expected_polygons(pieces):
    """The polygon of each piece as documented by IntegrationPieces."""
    return [
        np.vstack([[edge_left, 0.0], np.column_stack([x, y]), [edge_right, 0.0]])
        for edge_left, edge_right, x, y in zip(
            pieces.edges[:-1], pieces.edges[1:], pieces.x, pieces.y, strict=True
        )
    ]


@pytest.fixture
def explorer():
    return IntegralExplorer()


# The area mode ---------------------------------------------------------------------------------


def test_the_first_frame_shows_sin_on_zero_to_pi_with_the_midpoint_rule(explorer):
    _assert_healthy(explorer)
    a, b = explorer.interval.value
    assert (a, b) == pytest.approx((0.0, math.pi))
    pieces = integration_pieces(np.sin, a, b, explorer.pieces.value, rule="midpoint")
    drawn = _polygons(explorer.view.pieces_)
    for got, want in zip(drawn, _expected_polygons(pieces), strict=True):
        assert_allclose(got, want, atol=1e-12)
    assert f"Midpoint rule with n = 8: {pieces.total:.8g} vs exact 2 " in _summary(explorer)


@pytest.mark.parametrize("n", [PIECE_COUNTS[0], PIECE_COUNTS[len(PIECE_COUNTS) // 2], 60, 400])
def test_each_piece_is_drawn_as_the_core_shapes_it(explorer, n):
    explorer.rule.value = "trapezoid"
    before = explorer.image.value
    explorer.pieces.value = n
    _assert_healthy(explorer)
    assert explorer.image.value != before
    a, b = explorer.interval.value
    pieces = integration_pieces(np.sin, a, b, n, rule="trapezoid")
    drawn = _polygons(explorer.view.pieces_)
    assert len(drawn) == n
    for got, want in zip(drawn, _expected_polygons(pieces), strict=True):
        assert_allclose(got, want, atol=1e-12)
    error = abs(pieces.total - 2.0)
    assert f"n = {n}: {pieces.total:.8g} vs exact 2 (error {error:.1e})" in _summary(explorer)
    marker_x, marker_y = explorer.view.current_marker_.get_data()
    assert marker_x[0] == n
    assert_allclose(marker_y[0], max(error, 1.5e-16), rtol=1e-9)


def test_many_pieces_are_merged_into_a_few_hundred_polygons_of_the_same_area(explorer):
    explorer.rule.value = "left"
    explorer.pieces.value = PIECE_COUNTS[-1]
    _assert_healthy(explorer)
    drawn = _polygons(explorer.view.pieces_)
    assert len(drawn) <= MAX_DRAWN_PIECES
    assert explorer.view.pieces_.get_linewidth()[0] == 0
    a, b = explorer.interval.value
    total = riemann_sum(np.sin, a, b, PIECE_COUNTS[-1], rule="left")
    # Merged tops keep each piece's two ends: the drawn area is the rule's.
    assert_allclose(sum(_signed_area(polygon) for polygon in drawn), total, rtol=1e-9)
    assert f"n = 10000: {total:.8g}" in _summary(explorer)


def test_each_rule_draws_its_cached_error_curve_and_measured_order(explorer):
    explorer.function.value = "bell"
    for rule in QUADRATURE_RULES:
        explorer.rule.value = rule
        _check_error_curve(explorer, rule)


def _check_error_curve(explorer, rule):
    _assert_healthy(explorer)
    a, b = explorer.interval.value
    exact = math.sqrt(math.pi) / 2 * (math.erf(b) - math.erf(a))
    ns, errors = explorer.view.error_line_.get_data()
    study = convergence_order(module._CASES["bell"].f, a, b, rule, exact=exact, ns=ns)
    shown = study.errors > 0
    assert_allclose(errors[shown], study.errors[shown], rtol=1e-12)
    assert np.all(np.isnan(errors[~shown]))
    order = convergence_order(module._CASES["bell"].f, a, b, rule, exact=exact).observed_order
    assert f"measured order {order:.1f}" in explorer.view.error_axes_.get_title()
    # The guide has the expected slope.
    guide_x, guide_y = explorer.view.guide_line_.get_data()
    slope = np.polyfit(np.log(guide_x), np.log(guide_y), 1)[0]
    assert slope == pytest.approx(-study.expected_order)
    assert f"measured order {order:.1f}" in _summary(explorer)


def test_simpson_on_a_cubic_is_exact_and_says_so(explorer):
    explorer.function.value = "cubic"
    explorer.rule.value = "simpson"
    _assert_healthy(explorer)
    assert "Simpson's rule is exact for this f up to round-off" in _summary(explorer)
    assert "round-off" in explorer.view.error_axes_.get_title()


def test_monte_carlo_draws_the_points_the_core_sampled(explorer):
    explorer.rule.value = "monte carlo"
    for n in (2, 1000, PIECE_COUNTS[-1]):
        explorer.pieces.value = n
        _assert_healthy(explorer)
        a, b = explorer.interval.value
        estimate = monte_carlo_integral(np.sin, a, b, n, seed=0)
        points = explorer.view.points_.get_xydata()
        assert len(points) == min(n, MAX_DRAWN_POINTS)
        assert np.all((points[:, 0] >= a) & (points[:, 0] <= b))
        assert_allclose(points[:, 1], np.sin(points[:, 0]))
        # The drawn rectangle has the estimate as its area.
        (rectangle,) = _polygons(explorer.view.pieces_)
        assert_allclose(_signed_area(rectangle), estimate.estimate, rtol=1e-12)
        text = with_uncertainty(estimate.estimate, estimate.standard_error)
        assert f"Monte Carlo with n = {n} random points: {text}" in _summary(explorer)
        assert "n^(-1/2)" in _summary(explorer)
        assert explorer.pieces.description == "random points n"
    # The error curve is the running error of one large run, the same for every n.
    curve = monte_carlo_integral(np.sin, a, b, PIECE_COUNTS[-1], seed=0)
    counts, errors = explorer.view.error_line_.get_data()
    assert_allclose(counts, curve.counts)
    assert_allclose(errors, np.abs(curve.running_estimates - 2.0), rtol=1e-9)
    assert_allclose(explorer.view.spread_line_.get_ydata(), curve.running_standard_errors)


@pytest.mark.parametrize("rules", [QUADRATURE_RULES[:3], (*QUADRATURE_RULES[3:], "monte carlo")])
def test_moving_the_interval_moves_the_pieces_and_the_exact_value(explorer, rules):
    low, high = explorer.interval.min, explorer.interval.max
    middle = (low + high) / 2
    for rule, (a, b) in itertools.product(rules, [(low, high), (low, middle), (middle, high)]):
        explorer.rule.value = rule
        before = explorer.image.value
        explorer.interval.value = (a, b)
        _assert_healthy(explorer)
        assert explorer.image.value != before
        exact = math.cos(a) - math.cos(b)
        assert f"vs exact {exact:.8g}" in _summary(explorer)
        xs = np.concatenate([polygon[:, 0] for polygon in _polygons(explorer.view.pieces_)])
        assert xs.min() == pytest.approx(a)
        assert xs.max() == pytest.approx(b)


def test_each_function_redraws_its_curve_and_resets_the_interval_once(explorer, count_calls):
    renders = count_calls(explorer.view.canvas, "render")
    keys = [*list(module._CASES)[1:], "sin"]
    for count, key in enumerate(keys, start=1):
        explorer.interval.value = (explorer.interval.min, explorer.interval.max)
        explorer.function.value = key
        assert len(renders) == 2 * count
        _check_function(explorer, key)


def _check_function(explorer, key):
    case = module._CASES[key]
    _assert_healthy(explorer)
    assert (explorer.interval.min, explorer.interval.max) == pytest.approx(case.domain)
    assert explorer.interval.value == pytest.approx(case.interval)
    x, y = explorer.view.curve_.get_data()
    assert x[0] == pytest.approx(case.domain[0]) and x[-1] == pytest.approx(case.domain[1])
    assert_allclose(y, case.f(x))
    a, b = case.interval
    exact = case.antiderivative(b) - case.antiderivative(a)
    estimate = riemann_sum(case.f, a, b, explorer.pieces.value, rule="midpoint")
    assert f"{estimate:.8g} vs exact {exact:.8g}" in _summary(explorer)


def test_an_empty_interval_is_shown_in_place_and_the_explorer_recovers(explorer):
    before = explorer.image.value
    explorer.interval.value = (1.0, 1.0)
    assert "drag its ends apart" in explorer.message.value
    assert explorer.image.value == before
    explorer.interval.value = (1.0, 2.0)
    _assert_healthy(explorer)
    assert explorer.image.value != before


def test_monte_carlo_with_one_point_asks_for_more(explorer):
    explorer.rule.value = "monte carlo"
    explorer.pieces.value = 1
    assert "at least 2 random points" in explorer.message.value
    explorer.pieces.value = 2
    _assert_healthy(explorer)


# Caching ---------------------------------------------------------------------------------------


def test_the_error_curve_is_computed_once_per_function_interval_and_rule(explorer, monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[3])
        return convergence_order(*args, **kwargs)

    monkeypatch.setattr(module, "convergence_order", counted)
    explorer.rule.value = "left"
    assert calls == ["left", "left"]
    for n in PIECE_COUNTS[::4]:
        explorer.pieces.value = n
    explorer.rule.value = "midpoint"
    explorer.rule.value = "left"
    assert calls == ["left", "left"]
    explorer.interval.value = (0.5, 2.0)
    assert calls == ["left", "left", "left", "left"]
    _assert_healthy(explorer)


def test_moving_n_redraws_nothing_static(explorer, count_calls):
    draws = count_calls(explorer.view.canvas.figure_.canvas, "draw")
    for rule in ("simpson", "monte carlo"):
        explorer.rule.value = rule
        explorer.interval.value = (0.0, math.pi)
        draws.clear()
        for n in PIECE_COUNTS[1::3]:
            explorer.pieces.value = n
        # Sin's measured order on [0.5, 2.5] is the same as on [0, π]: one static layer.
        explorer.interval.value = (0.5, 2.5)
        assert draws == []


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("mode", ["expectation", "area"]),
        ("function", list(module._CASES)),
        ("rule", [*QUADRATURE_RULES, "monte carlo"]),
        ("loss", ["absolute", "squared"]),
    ],
)
def test_a_choice_shown_before_gets_its_static_layer_back(explorer, name, values, count_calls):
    if name == "loss":
        explorer.mode.value = "expectation"
    control = getattr(explorer, name)
    for value in values:
        control.value = value
    draws = count_calls(explorer.view.canvas.figure_.canvas, "draw")
    for value in values:
        control.value = value
        _assert_healthy(explorer)
    assert draws == []


def _grid_values(slider):
    """Every value a slider offers, from its min to its max."""
    steps = round((slider.max - slider.min) / slider.step)
    values = slider.min + slider.step * np.arange(steps + 1)
    return list(10**values if isinstance(slider, widgets.FloatLogSlider) else values)


@pytest.mark.parametrize("name", ["mean", "std", "prediction"])
def test_expectation_sliders_redraw_the_static_layer_only_for_a_new_round_top(
    explorer, name, count_calls
):
    explorer.mode.value = "expectation"
    control = getattr(explorer, name)
    values = _grid_values(control)[::2]
    draws = count_calls(explorer.view.canvas.figure_.canvas, "draw")
    tops = {explorer.view.area_axes_.get_ylim()[1]}
    for value in values:
        control.value = value
        tops.add(explorer.view.area_axes_.get_ylim()[1])
    # A few round tops cover the slider's whole range, each drawn once.
    assert len(draws) < len(tops) <= 5
    draws.clear()
    for value in reversed(values):
        control.value = value
    assert draws == []


@pytest.mark.parametrize("loss", ["squared", "absolute"])
def test_the_loss_axis_stays_put_and_the_density_axis_holds_its_curves(explorer, loss):
    explorer.mode.value = "expectation"
    explorer.loss.value = loss
    view = explorer.view
    loss_limits = view.loss_axes_.get_ylim()
    reached = 0.0
    for mean, std, c in itertools.product(
        [-2.0, 0.5, 2.0], [10**-0.6, 1.0, 10**0.4], _grid_values(explorer.prediction)[::16]
    ):
        with explorer.batch_updates():
            explorer.mean.value, explorer.std.value, explorer.prediction.value = mean, std, c
        _check_expectation(explorer)
        assert view.loss_axes_.get_ylim() == loss_limits
        reached = max(reached, np.max(view.loss_line_.get_ydata()))
        (product,) = _polygons(view.product_)
        highest = max(np.max(view.density_line_.get_ydata()), np.max(product[:, 1]))
        bottom, top = view.area_axes_.get_ylim()
        # Room above the curves, but at least 39 % of the height filled.
        assert bottom == 0 and highest < top < highest / 0.39
    # The loss axis is fitted to the largest loss over every prediction: c = ±4 reaches it.
    assert 0.95 * loss_limits[1] < reached <= loss_limits[1]


def test_a_frame_on_a_restored_layer_equals_a_fresh_explorers(explorer, count_calls):
    state = {"mode": "expectation", "mean": 0.5, "std": 10**-0.6, "prediction": -1.0}
    for name, value in state.items():
        getattr(explorer, name).value = value
    explorer.prediction.value = 4.0  # another round top, then back
    explorer.mode.value = "area"
    explorer.rule.value = "simpson"
    explorer.mode.value = "expectation"
    draws = count_calls(explorer.view.canvas.figure_.canvas, "draw")
    explorer.prediction.value = state["prediction"]
    assert draws == []
    fresh = IntegralExplorer()
    with fresh.batch_updates():
        for name, value in state.items():
            getattr(fresh, name).value = value
    np.testing.assert_array_equal(_pixels(explorer.image.value), _pixels(fresh.image.value))

    explorer.mode.value = "area"
    explorer.rule.value = "midpoint"
    assert draws == []
    np.testing.assert_array_equal(
        _pixels(explorer.image.value), _pixels(IntegralExplorer().image.value)
    )


def test_unnamed_curves_never_share_a_static_layer(count_calls):
    view = IntegralView()
    x = np.linspace(0, 1, 50)
    draws = count_calls(view.canvas.figure_.canvas, "draw")
    frames = []
    for y in (x, 1 - x, x):
        view.show_function(x, y)
        frames.append(_pixels(view.canvas.render()))
    assert len(draws) == 3
    assert not np.array_equal(frames[0], frames[1])
    view.show_function(x, 1 - x, key="falling")
    view.canvas.render()
    view.show_function(x, x, key="rising")
    view.canvas.render()
    view.show_function(x, 1 - x, key="falling")
    np.testing.assert_array_equal(_pixels(view.canvas.render()), frames[1])
    assert len(draws) == 5


def test_the_expectation_mode_needs_the_largest_loss():
    with pytest.raises(ValueError, match="largest_loss must be a positive number"):
        IntegralView().show_mode("expectation")


# Your own function -----------------------------------------------------------------------------


def test_your_function_with_its_exact_value():
    explorer = IntegralExplorer(f=np.exp, exact=math.e - 1, interval=(0, 1), domain=(-1, 2))
    _assert_healthy(explorer)
    assert explorer.function.value == "yours"
    assert (explorer.interval.min, explorer.interval.max) == (-1, 2)
    estimate = riemann_sum(np.exp, 0, 1, 8, rule="midpoint")
    assert f"{estimate:.8g} vs exact {math.e - 1:.8g}" in _summary(explorer)
    # Elsewhere the exact value is unknown: a high-n Simpson reference stands in, and says so.
    explorer.interval.value = (0.0, 2.0)
    reference = riemann_sum(np.exp, 0, 2, REFERENCE_PIECES, rule="simpson")
    assert f"vs reference {reference:.8g}" in _summary(explorer)
    assert f"Simpson's rule with n = {REFERENCE_PIECES}" in _summary(explorer)
    assert "reference" in explorer.view.error_axes_.get_ylabel()
    _assert_healthy(explorer)


def test_your_function_without_an_exact_value_uses_the_reference():
    explorer = IntegralExplorer(f=lambda x: np.cos(x) ** 2, interval=(0, 2))
    _assert_healthy(explorer)
    reference = riemann_sum(lambda x: np.cos(x) ** 2, 0, 2, REFERENCE_PIECES, rule="simpson")
    assert f"vs reference {reference:.8g}" in _summary(explorer)
    explorer.function.value = "sin"
    assert "vs exact 2" in _summary(explorer)
    explorer.function.value = "yours"
    assert explorer.interval.value == (0, 2)
    _assert_healthy(explorer)


def test_an_estimate_that_meets_a_singularity_is_explained():
    explorer = IntegralExplorer(f=lambda x: 1 / np.sqrt(x), exact=2.0, interval=(0, 1))
    explorer.rule.value = "left"
    _assert_healthy(explorer)
    assert "the estimate is inf because f is infinite" in _summary(explorer)
    assert "no finite error" in explorer.view.error_axes_.get_title()
    # The pieces stay inside the axes.
    top = explorer.view.area_axes_.get_ylim()[1]
    assert max(polygon[:, 1].max() for polygon in _polygons(explorer.view.pieces_)) <= top
    explorer.rule.value = "midpoint"
    _assert_healthy(explorer)
    estimate = riemann_sum(lambda x: 1 / np.sqrt(x), 0, 1, 8, rule="midpoint")
    assert f"{estimate:.8g} vs exact 2" in _summary(explorer)
    # Away from the given interval the Simpson reference meets the singularity at 0.
    explorer.interval.value = (0.0, 0.5)
    assert "could not be computed" in explorer.message.value
    explorer.interval.value = (0.5, 1.0)
    _assert_healthy(explorer)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"f": 3.0}, TypeError, "f must be a function"),
        ({"f": math.sin}, TypeError, "numpy"),
        ({"f": np.sin, "interval": (1, 0)}, ValueError, "a must be less than b"),
        ({"f": np.sin, "interval": 5}, TypeError, "interval must be a pair"),
        ({"f": np.sin, "exact": float("nan")}, ValueError, "exact must be finite"),
        ({"f": np.sin, "interval": (0, 2), "domain": (0, 1)}, ValueError, "must contain"),
        ({"exact": 2.0}, ValueError, "pass it as f too"),
        ({"seed": True}, TypeError, "seed must be an int"),
    ],
)
def test_constructor_arguments_are_checked(arguments, error, match):
    with pytest.raises(error, match=match):
        IntegralExplorer(**arguments)


# The expectation mode --------------------------------------------------------------------------


def _expected_expectation(explorer):
    mean, std, c, n = (
        explorer.mean.value,
        explorer.std.value,
        explorer.prediction.value,
        explorer.samples.value,
    )
    loss = (lambda x: (x - c) ** 2) if explorer.loss.value == "squared" else (lambda x: abs(x - c))
    quadrature = expectation(
        loss, lambda x: normal_pdf(x, mean, std), mean - 10 * std, mean + 10 * std, n=2000
    )
    estimate = monte_carlo_expectation(loss, lambda rng, k: rng.normal(mean, std, k), n, seed=0)
    return loss, quadrature, estimate


def _check_expectation(explorer):
    _assert_healthy(explorer)
    mean, std, c = explorer.mean.value, explorer.std.value, explorer.prediction.value
    loss, quadrature, estimate = _expected_expectation(explorer)
    x, density = explorer.view.density_line_.get_data()
    assert_allclose(density, normal_pdf(x, mean, std))
    assert_allclose(explorer.view.loss_line_.get_ydata(), loss(x))
    (outline,) = _polygons(explorer.view.product_)
    assert_allclose(outline[1:-1, 1], loss(x) * normal_pdf(x, mean, std))
    samples = explorer.view.samples_.get_xydata()
    assert len(samples) == min(explorer.samples.value, MAX_DRAWN_POINTS)
    assert_allclose(samples[:, 1], loss(samples[:, 0]))
    summary = _summary(explorer)
    assert f"quadrature of loss × density {quadrature:.8g}" in summary
    assert with_uncertainty(estimate.estimate, estimate.standard_error) in summary
    if explorer.loss.value == "squared":
        closed = std**2 + (mean - c) ** 2
        assert f"σ² + (μ − c)² = {closed:.6g}" in summary
        assert quadrature == pytest.approx(closed, rel=1e-9)
    else:
        closed = quadrature
    assert_allclose(
        explorer.view.error_line_.get_ydata(),
        np.abs(estimate.running_estimates - closed),
        rtol=1e-9,
    )
    assert explorer.view.current_marker_.get_xdata()[0] == explorer.samples.value


def test_the_mode_switches_controls_and_panels(explorer):
    before = explorer.image.value
    explorer.mode.value = "expectation"
    assert explorer.image.value != before
    for control in explorer._area_controls:
        assert control.layout.display == "none"
    for control in explorer._expectation_controls:
        assert control.layout.display == ""
    assert explorer.view.loss_axes_.get_visible()
    assert not explorer.view.pieces_.get_visible()
    assert explorer.view.density_line_.get_visible()
    _check_expectation(explorer)
    explorer.mode.value = "area"
    for control in explorer._expectation_controls:
        assert control.layout.display == "none"
    assert explorer.view.pieces_.get_visible()
    assert not explorer.view.density_line_.get_visible()
    assert explorer.view.area_axes_.get_xlim() == pytest.approx((0, 2 * math.pi))
    _assert_healthy(explorer)


@pytest.mark.parametrize("name", ["mean", "std", "prediction", "samples", "loss"])
def test_each_expectation_control_moves_the_density_loss_and_estimate(explorer, name):
    explorer.mode.value = "expectation"
    control = getattr(explorer, name)
    if name == "samples":
        values = [SAMPLE_COUNTS[0], SAMPLE_COUNTS[len(SAMPLE_COUNTS) // 2], SAMPLE_COUNTS[-1]]
    elif name == "loss":
        values = ["absolute", "squared"]
    elif name == "std":
        values = [10**control.min, 10 ** ((control.min + control.max) / 2), 10**control.max]
    else:
        values = [control.min, (control.min + control.max) / 2, control.max]
    for value in values:
        before = explorer.image.value
        control.value = value
        assert explorer.image.value != before
        _check_expectation(explorer)


# Presets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(IntegralExplorer().presets))
def test_each_preset_moves_its_controls_and_redraws_once(explorer, name, count_calls):
    explorer.rule.value = "right"
    explorer.pieces.value = 3
    renders = count_calls(explorer.view.canvas, "render")
    explorer.apply_preset(name)
    assert len(renders) == 1
    for attribute, value in explorer.presets[name].items():
        assert getattr(explorer, attribute).value == pytest.approx(value)
    _assert_healthy(explorer)


def test_the_presets_teach_what_they_say(explorer):
    explorer.apply_preset("Simpson converges fast")
    simpson = riemann_sum(np.sin, 0, math.pi, 8, rule="simpson")
    assert f"Simpson's rule with n = 8: {simpson:.8g} vs exact 2" in _summary(explorer)
    assert "n^-4 (measured order 4.0)" in _summary(explorer)
    explorer.apply_preset("Monte Carlo is slow")
    estimate = monte_carlo_integral(np.sin, 0, math.pi, 1000, seed=0)
    assert abs(estimate.estimate - 2) > 1000 * abs(simpson - 2)
    assert with_uncertainty(estimate.estimate, estimate.standard_error) in _summary(explorer)
    explorer.apply_preset("left rule, few pieces")
    assert "Left rule with n = 4: 1.75 vs exact 2.6666667" in _summary(explorer)
    explorer.apply_preset("expected squared loss")
    _check_expectation(explorer)


# Frames ----------------------------------------------------------------------------------------


def _fresh_area_view(key, a, b, n, rule):
    case = module._CASES[key]
    exact = case.antiderivative(b) - case.antiderivative(a)
    view = IntegralView()
    x = np.linspace(*case.domain, 600)
    view.show_function(x, case.f(x), label=f"f(x) = {case.label.split(' (')[0]}")
    view.show_mode("area", monte_carlo=rule == "monte carlo")
    if rule == "monte carlo":
        points = []

        def recorded(t):
            points.append(t)
            return case.f(t)

        estimate = monte_carlo_integral(recorded, a, b, n, seed=0)
        view.update_monte_carlo(points[0], case.f(points[0]), estimate, (a, b), reference=exact)
        view.update_sampling_convergence(
            monte_carlo_integral(case.f, a, b, PIECE_COUNTS[-1], seed=0), reference=exact
        )
        error = abs(estimate.estimate - exact)
    else:
        pieces = integration_pieces(case.f, a, b, n, rule=rule)
        view.update_pieces(pieces, reference=exact)
        curve = convergence_order(case.f, a, b, rule, exact=exact, ns=module._CURVE_COUNTS)
        order = convergence_order(case.f, a, b, rule, exact=exact).observed_order
        view.update_convergence(curve, order=order)
        error = abs(pieces.total - exact)
    view.update_current(n, error)
    return view.canvas.render()


@pytest.mark.parametrize(
    ("key", "n", "rule"), [("cubic", 12, "trapezoid"), ("sin", 300, "monte carlo")]
)
def test_a_frame_from_the_sliders_equals_one_drawn_from_the_core(explorer, key, n, rule):
    # A history of other states first: the frame must depend on the state only.
    explorer.apply_preset("expected squared loss")
    explorer.mode.value = "area"
    explorer.function.value = "sqrt"
    explorer.pieces.value = PIECE_COUNTS[-1]
    explorer.rule.value = "left" if rule == "monte carlo" else "monte carlo"
    explorer.function.value = key
    explorer.rule.value = rule
    explorer.pieces.value = n
    _assert_healthy(explorer)
    a, b = explorer.interval.value
    fresh = _fresh_area_view(key, a, b, n, rule)
    np.testing.assert_array_equal(_pixels(explorer.image.value), _pixels(fresh))


def test_an_expectation_frame_equals_one_drawn_from_the_core(explorer):
    explorer.apply_preset("expected squared loss")
    _assert_healthy(explorer)
    loss, quadrature, estimate = _expected_expectation(explorer)
    samples = np.random.default_rng(0).normal(1.0, 1.0, 100)
    view = IntegralView()
    x = np.linspace(-8, 8, 801)
    # The loss axis is fitted to the squared loss of the farthest predictions, c = ±4.
    view.show_mode("expectation", exact=True, largest_loss=float(np.max((x + 4) ** 2)))
    view.update_expectation(
        x,
        normal_pdf(x, 1.0, 1.0),
        loss(x),
        samples,
        loss(samples),
        name="E[(X − c)²]",
        area=quadrature,
        estimate=estimate,
    )
    closed = 1.0 + 1.0
    view.update_sampling_convergence(estimate, reference=closed)
    view.update_current(100, abs(estimate.estimate - closed))
    np.testing.assert_array_equal(_pixels(explorer.image.value), _pixels(view.canvas.render()))


# Random states ---------------------------------------------------------------------------------


@st.composite
def _states(draw):
    mode = draw(st.sampled_from(["area", "expectation"]))
    key = draw(st.sampled_from(list(module._CASES)))
    low, high = module._CASES[key].domain
    ends = sorted(draw(st.lists(st.floats(low, high), min_size=2, max_size=2)))
    return {
        "mode": mode,
        "function": key,
        "interval": tuple(ends),
        "pieces": draw(st.sampled_from(PIECE_COUNTS)),
        "rule": draw(st.sampled_from([*QUADRATURE_RULES, "monte carlo"])),
        "loss": draw(st.sampled_from(["squared", "absolute"])),
        "mean": draw(st.floats(-2, 2)),
        "std": 10 ** draw(st.floats(-0.6, 0.4)),
        "prediction": draw(st.floats(-4, 4)),
        "samples": draw(st.sampled_from(SAMPLE_COUNTS)),
    }


_SHARED = IntegralExplorer()


@settings(max_examples=30)
@given(state=_states())
def test_random_states_draw_valid_frames_without_warnings(state):
    explorer = _SHARED
    with explorer.batch_updates():
        for name, value in state.items():
            getattr(explorer, name).value = value
    a, b = explorer.interval.value
    invalid = state["mode"] == "area" and (
        not a < b or (state["rule"] == "monte carlo" and state["pieces"] < 2)
    )
    assert [str(caught.message) for caught in explorer.warnings_caught] == []
    if invalid:
        assert explorer.message.value != ""
    else:
        _assert_healthy(explorer)
