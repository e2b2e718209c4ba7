"""BlittedFigure's caches: static layers reused by description, layouts reused by their texts."""

import io

import numpy as np
import pytest
from PIL import Image

from calcwidgets.plotting import _canvas
from calcwidgets.plotting._canvas import BlittedFigure


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


class CurveFigure:
    """A static curve chosen by name and a tracked marker that moves over it."""

    CURVES = {"sin": np.sin, "cos": np.cos, "square": np.square, "cube": lambda x: x**3}

    def __init__(self):
        self.canvas = BlittedFigure(4, 3)
        self.axes, self.other_axes = self.canvas.figure_.subplots(1, 2)
        self.x = np.linspace(-1.5, 1.5, 200)
        (self.curve,) = self.axes.plot(self.x, np.sin(self.x))
        (self.marker,) = self.axes.plot([0.0], [0.0], "o")
        self.canvas.track(self.marker)
        self.other_axes.set_title("fixed")
        self.draws = 0
        draw = self.canvas.figure_.canvas.draw

        def counted_draw():
            self.draws += 1
            draw()

        self.canvas.figure_.canvas.draw = counted_draw

    def show(self, name, *, limits=(-4, 4)):
        self.curve.set_ydata(self.CURVES[name](self.x))
        self.axes.set_ylim(*limits)
        self.canvas.describe_static(curve=name, limits=limits)

    def frame(self, marker_x):
        self.marker.set_data([marker_x], [0.5])
        return self.canvas.render()


def _fresh_frame(name, marker_x, *, limits=(-4, 4)):
    figure = CurveFigure()
    figure.show(name, limits=limits)
    return figure.frame(marker_x)


def test_a_described_layer_is_drawn_once_and_reused_when_the_state_comes_back():
    figure = CurveFigure()
    figure.show("sin")
    first = figure.frame(0.3)
    figure.show("cos")
    figure.frame(0.3)
    assert figure.draws == 2
    figure.show("sin")
    again = figure.frame(0.3)
    assert figure.draws == 2, "the sin layer was drawn again instead of restored"
    assert again == first
    figure.show("cos")
    figure.frame(-0.2)
    assert figure.draws == 2


def test_a_part_of_the_description_left_unchanged_is_kept():
    figure = CurveFigure()
    figure.show("sin", limits=(-2, 2))
    figure.frame(0.0)
    figure.canvas.describe_static(curve="cos")
    figure.curve.set_ydata(np.cos(figure.x))
    cos_narrow = figure.frame(0.0)
    fresh = _fresh_frame("cos", 0.0, limits=(-2, 2))
    np.testing.assert_array_equal(_pixels(cos_narrow), _pixels(fresh))


def test_invalidate_forgets_every_cached_layer():
    figure = CurveFigure()
    figure.show("sin")
    figure.frame(0.0)
    figure.show("cos")
    figure.frame(0.0)
    figure.axes.set_facecolor("0.9")  # a static change the description does not name
    figure.canvas.invalidate()
    grey_cos = figure.frame(0.0)
    figure.show("sin")
    grey_sin = figure.frame(0.0)
    assert figure.draws == 4
    plain = CurveFigure()
    plain.axes.set_facecolor("0.9")
    plain.show("sin")
    np.testing.assert_array_equal(_pixels(grey_sin), _pixels(plain.frame(0.0)))
    assert grey_cos != grey_sin


def test_the_least_recently_used_layer_is_dropped_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(_canvas, "CACHED_LAYERS", 2)
    figure = CurveFigure()
    for name in ("sin", "cos", "sin", "square"):  # sin was used after cos: cos is dropped
        figure.show(name)
        figure.frame(0.0)
    assert figure.draws == 3
    figure.show("sin")
    figure.frame(0.0)
    assert figure.draws == 3
    figure.show("cos")
    figure.frame(0.0)
    assert figure.draws == 4


@pytest.mark.parametrize("name", ["cos", "square", "cube"])
def test_a_reused_layout_gives_the_same_pixels_as_a_fresh_constrained_layout(name):
    figure = CurveFigure()
    figure.show("sin")
    figure.frame(0.4)
    layouts = []
    engine = figure.canvas.figure_.get_layout_engine()
    execute = engine.execute
    engine.execute = lambda fig: (layouts.append(fig), execute(fig))
    figure.show(name)  # same limits, so the same tick labels: the layout is reused
    reused = figure.frame(0.4)
    assert layouts == [], "constrained layout ran although no text changed"
    assert figure.canvas.figure_.get_layout_engine() is engine
    np.testing.assert_array_equal(_pixels(reused), _pixels(_fresh_frame(name, 0.4)))


def test_new_tick_labels_get_a_new_layout():
    figure = CurveFigure()
    figure.show("sin")
    figure.frame(0.0)
    figure.show("cube", limits=(-3500.0, 3500.0))  # wider labels move the axes
    wide = figure.frame(0.0)
    np.testing.assert_array_equal(
        _pixels(wide), _pixels(_fresh_frame("cube", 0.0, limits=(-3500.0, 3500.0)))
    )


@pytest.mark.parametrize("aspect", ["auto", "equal"])
def test_a_restored_layer_brings_back_the_axes_positions_it_was_drawn_with(aspect):
    figure = CurveFigure()
    figure.axes.set_aspect(aspect, adjustable="box")
    figure.show("sin", limits=(-2, 2))
    figure.frame(0.5)
    figure.show("cube", limits=(-3500.0, 3500.0))  # wider tick labels: the axes move right
    figure.frame(0.5)
    figure.show("sin", limits=(-2, 2))
    restored = figure.frame(0.5)
    assert figure.draws == 2
    fresh = CurveFigure()
    fresh.axes.set_aspect(aspect, adjustable="box")
    fresh.show("sin", limits=(-2, 2))
    np.testing.assert_array_equal(_pixels(restored), _pixels(fresh.frame(0.5)))


def test_a_text_left_out_of_the_layout_does_not_stop_the_layout_being_reused(count_calls):
    figure = CurveFigure()
    readout = figure.canvas.track(figure.axes.text(0.1, 0.9, "area 0.1", in_layout=False))
    figure.show("sin")
    figure.frame(0.0)
    layouts = count_calls(figure.canvas.figure_.get_layout_engine(), "execute")
    readout.set_text("area 123.456")
    figure.show("cos")
    reused = figure.frame(0.0)
    assert layouts == []
    fresh = CurveFigure()
    fresh.canvas.track(fresh.axes.text(0.1, 0.9, "area 123.456", in_layout=False))
    fresh.show("cos")
    np.testing.assert_array_equal(_pixels(reused), _pixels(fresh.frame(0.0)))


def test_a_frame_of_at_most_256_colours_is_encoded_without_loss_and_alpha_dropped():
    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, size=(40, 3), dtype=np.uint8)
    rgb = colours[rng.integers(0, len(colours), size=(30, 50))]
    alpha = rng.integers(0, 256, size=(30, 50, 1), dtype=np.uint8)
    png = _canvas.encode_png(np.concatenate([rgb, alpha], axis=-1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).mode == "P"
    np.testing.assert_array_equal(_pixels(png), rgb)
