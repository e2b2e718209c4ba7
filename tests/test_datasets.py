import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from calcwidgets.core import (
    make_curve_data,
    make_linear_data,
    make_regression_data,
    make_two_classes,
    true_curve,
)

GENERATORS = {
    "linear": lambda seed: make_linear_data(30, seed=seed),
    "regression": lambda seed: make_regression_data(30, 4, seed=seed),
    "curve": lambda seed: make_curve_data(12, 25, seed=seed),
    "two_classes": lambda seed: make_two_classes(30, seed=seed),
}


def array_fields(data):
    return {field.name: getattr(data, field.name) for field in dataclasses.fields(data)}


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_same_seed_gives_same_data_and_other_seeds_differ(make):
    first, again, other = array_fields(make(7)), array_fields(make(7)), array_fields(make(8))
    for name, values in first.items():
        assert_array_equal(values, again[name])
    assert any(not np.array_equal(values, other[name]) for name, values in first.items())


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_data_are_frozen_and_read_only(make):
    data = make(0)
    name, values = next(iter(array_fields(data).items()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(data, name, values)
    for values in array_fields(data).values():
        with pytest.raises(ValueError, match="read-only"):
            values.flat[0] = 1


def test_a_generator_seed_is_used_and_advanced():
    rng = np.random.default_rng(3)
    first, second = make_linear_data(10, seed=rng), make_linear_data(10, seed=rng)
    assert not np.array_equal(first.x, second.x)
    assert_array_equal(make_linear_data(10, seed=np.random.default_rng(3)).x, first.x)


def test_linear_data_lie_on_the_line_without_noise():
    data = make_linear_data(40, slope=-0.7, intercept=2.5, noise=0.0, x_range=(-3.0, 1.0), seed=1)
    assert data.x.shape == data.y.shape == (40,)
    assert np.all((data.x >= -3.0) & (data.x <= 1.0))
    assert_allclose(data.y, 2.5 - 0.7 * data.x, rtol=0, atol=1e-14)
    assert_array_equal(data.X, np.column_stack([np.ones(40), data.x]))
    assert_array_equal(data.true_weights, [2.5, -0.7])
    assert_allclose(data.X @ data.true_weights, data.y, atol=1e-14)


def test_linear_noise_rescales_the_same_residuals():
    quiet = make_linear_data(25, noise=0.3, seed=4)
    loud = make_linear_data(25, noise=0.9, seed=4)
    assert_array_equal(quiet.x, loud.x)
    line = quiet.X @ quiet.true_weights
    assert_allclose(loud.y - line, 3.0 * (quiet.y - line), rtol=1e-12, atol=1e-14)


def test_linear_data_recover_the_line_and_noise_level():
    data = make_linear_data(20_000, slope=1.2, intercept=-0.4, noise=0.5, seed=2)
    fitted, *_ = np.linalg.lstsq(data.X, data.y, rcond=None)
    assert_allclose(fitted, data.true_weights, atol=0.03)
    assert np.std(data.y - data.X @ data.true_weights) == pytest.approx(0.5, rel=0.03)


def test_regression_data_shapes_and_exact_targets_without_noise():
    data = make_regression_data(200, 5, noise=0.0, seed=9)
    assert data.X.shape == (200, 5) and data.y.shape == (200,) and data.true_weights.shape == (5,)
    assert_allclose(data.X @ data.true_weights, data.y, rtol=1e-12, atol=1e-12)


def test_regression_features_are_standard_normal():
    data = make_regression_data(50_000, 3, seed=5)
    assert_allclose(data.X.mean(axis=0), 0.0, atol=0.03)
    assert_allclose(np.cov(data.X, rowvar=False), np.eye(3), atol=0.03)
    residual = data.y - data.X @ data.true_weights
    assert np.std(residual) == pytest.approx(0.5, rel=0.03)


def test_true_curve_is_sin_pi_x():
    assert_allclose(true_curve([-1.0, -0.5, 0.0, 0.5, 1.0]), [0, -1, 0, 1, 0], atol=1e-15)
    assert true_curve(0.25).shape == ()


def test_curve_data_sample_the_true_curve_on_the_unit_interval():
    data = make_curve_data(15, 40, noise=0.0, seed=3)
    assert data.x_train.shape == data.y_train.shape == (15,)
    assert data.x_validation.shape == data.y_validation.shape == (40,)
    for x, y in ((data.x_train, data.y_train), (data.x_validation, data.y_validation)):
        assert np.all(np.abs(x) <= 1.0)
        assert_allclose(y, np.sin(np.pi * x), atol=1e-15)


def test_curve_data_grow_by_appending_and_splits_are_independent():
    small = make_curve_data(10, 30, seed=6)
    large = make_curve_data(14, 50, seed=6)
    assert_array_equal(large.x_train[:10], small.x_train)
    assert_array_equal(large.y_train[:10], small.y_train)
    assert_array_equal(large.x_validation[:30], small.x_validation)
    other_validation = make_curve_data(10, 5, seed=6)
    assert_array_equal(other_validation.y_train, small.y_train)


def test_curve_noise_has_the_requested_spread():
    data = make_curve_data(20_000, 1, noise=0.2, seed=1)
    assert np.std(data.y_train - np.sin(np.pi * data.x_train)) == pytest.approx(0.2, rel=0.03)


def test_two_classes_are_balanced_around_opposite_centers():
    data = make_two_classes(20_001, separation=4.0, seed=2)
    assert data.X.shape == (20_001, 2)
    assert data.labels.dtype.kind == "i"
    assert np.count_nonzero(data.labels == 0) == 10_000
    assert np.count_nonzero(data.labels == 1) == 10_001
    assert np.linalg.norm(data.centers[1] - data.centers[0]) == pytest.approx(4.0)
    assert_allclose(data.centers[0], -data.centers[1])
    for label in (0, 1):
        points = data.X[data.labels == label]
        assert_allclose(points.mean(axis=0), data.centers[label], atol=0.05)
        assert_allclose(np.cov(points, rowvar=False), np.eye(2), atol=0.05)


def test_two_classes_are_shuffled():
    labels = make_two_classes(40, seed=0).labels
    assert not np.array_equal(labels, np.sort(labels))


def test_zero_separation_puts_both_centers_at_the_origin():
    assert_array_equal(make_two_classes(10, separation=0.0).centers, np.zeros((2, 2)))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: make_linear_data(1), ValueError, "n_samples must be ≥ 2, got 1"),
        (lambda: make_linear_data(2.5), TypeError, "n_samples must be a whole number"),
        (lambda: make_linear_data(noise=-0.1), ValueError, "noise must be ≥ 0, got -0.1"),
        (lambda: make_linear_data(slope=np.nan), ValueError, "slope must be finite"),
        (lambda: make_linear_data(intercept="1"), TypeError, "intercept must be a real number"),
        (
            lambda: make_linear_data(x_range=(2.0, 1.0)),
            ValueError,
            r"x_range\[0\] must be less than x_range\[1\]",
        ),
        (lambda: make_linear_data(x_range=3.0), TypeError, r"x_range must be a pair \(low, high\)"),
        (lambda: make_linear_data(seed="a"), TypeError, "seed must be an int seed"),
        (lambda: make_regression_data(10, 0), ValueError, "n_features must be ≥ 1, got 0"),
        (lambda: make_regression_data(0, 3), ValueError, "n_samples must be ≥ 1, got 0"),
        (lambda: make_curve_data(0, 5), ValueError, "n_train must be ≥ 1, got 0"),
        (lambda: make_curve_data(5, 0), ValueError, "n_validation must be ≥ 1, got 0"),
        (lambda: make_curve_data(noise=np.inf), ValueError, "noise must be finite"),
        (lambda: make_two_classes(1), ValueError, "n_samples must be ≥ 2, got 1"),
        (lambda: make_two_classes(separation=-1), ValueError, "separation must be ≥ 0"),
        (lambda: true_curve("abc"), TypeError, "x must be an array of real numbers"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
