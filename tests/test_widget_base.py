"""The explorer base: frames, errors shown in place, presets that redraw once."""

import io

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

from calcwidgets.plotting._canvas import BlittedFigure
from calcwidgets.widgets._base import Explorer, penalty_controls


class LineExplorer(Explorer):
    """A minimal explorer: a slope slider moving one line."""

    def __init__(self):
        super().__init__()
        self.slope = widgets.FloatSlider(value=1.0, min=-3, max=3, description="slope")
        self.offset = widgets.FloatSlider(value=0.0, min=-1, max=1, description="offset")
        self.view = BlittedFigure(4, 3)
        axes = self.view.figure_.add_subplot()
        axes.set(xlim=(0, 1), ylim=(-4, 4))
        (self.line_,) = axes.plot([0, 1], [0, 1])
        self.view.track(self.line_)
        self.updates = 0
        self._start(
            [self.slope, self.offset], self.view, presets={"steep": {"slope": 3.0, "offset": 1.0}}
        )

    def _update(self):
        self.updates += 1
        if self.slope.value == 0:
            raise ValueError("slope must not be zero")
        self.line_.set_ydata([self.offset.value, self.offset.value + self.slope.value])
        return f"slope {self.slope.value:g}"


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_moving_a_slider_redraws_the_frame_and_summary():
    explorer = LineExplorer()
    first = explorer.image.value
    explorer.slope.value = -2.0
    assert explorer.image.value != first
    assert "slope -2" in explorer.summary.value
    np.testing.assert_allclose(explorer.line_.get_ydata(), [0.0, -2.0])


def test_blitted_frame_equals_a_full_draw():
    explorer = LineExplorer()
    explorer.slope.value = 2.5
    blitted = _pixels(explorer.image.value)
    explorer.view.invalidate()
    full = _pixels(explorer.view.render())
    np.testing.assert_array_equal(blitted, full)


def test_an_error_is_shown_in_place_and_the_explorer_keeps_working():
    explorer = LineExplorer()
    before = explorer.image.value
    explorer.slope.value = 0.0
    assert "slope must not be zero" in explorer.message.value
    assert explorer.message.layout.display != "none"
    assert explorer.image.value == before
    explorer.slope.value = 1.5
    assert explorer.message.value == ""
    assert explorer.message.layout.display == "none"
    assert explorer.image.value != before


def test_a_preset_moves_several_controls_with_one_redraw():
    explorer = LineExplorer()
    count = explorer.updates
    explorer.apply_preset("steep")
    assert explorer.updates == count + 1
    assert (explorer.slope.value, explorer.offset.value) == (3.0, 1.0)
    explorer.preset_buttons[0].click()
    assert explorer.updates == count + 2


def test_an_unknown_preset_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"one of \['steep'\]"):
        LineExplorer().apply_preset("flat")


def test_frames_are_small_valid_pngs():
    explorer = LineExplorer()
    image = Image.open(io.BytesIO(explorer.image.value))
    assert image.format == "PNG"
    assert image.size == explorer.view.pixel_size
    assert len(explorer.image.value) < 64 * 1024


def test_the_penalty_kind_is_disabled_exactly_while_lambda_is_zero():
    regularization, penalty = penalty_controls((0.0, 1e-4, 0.3))
    assert [label for label, _ in regularization.options] == ["0", "1e-4", "0.3"]
    assert penalty.disabled
    regularization.value = 1e-4
    assert not penalty.disabled
    regularization.value = 0.0
    assert penalty.disabled
    _, starts_on = penalty_controls((0.0, 1.0), value=1.0)
    assert not starts_on.disabled
