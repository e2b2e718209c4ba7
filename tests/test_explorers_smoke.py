"""Every public explorer builds, survives each control at its extremes, and stays error-free."""

import io
import math

import ipywidgets as widgets
import pytest
from PIL import Image

import calcwidgets

EXPLORERS = [name for name in calcwidgets.__all__ if name.endswith("Explorer")]


def _extremes(control):
    if isinstance(control, widgets.widget_selection._Selection):
        values = control._options_values
        return [values[0], values[-1], values[len(values) // 2]]
    if isinstance(control, (widgets.FloatRangeSlider, widgets.IntRangeSlider)):
        low, high = control.min, control.max
        middle = (
            (low + high) / 2 if isinstance(control, widgets.FloatRangeSlider) else (low + high) // 2
        )
        return [(low, middle), (middle, high), (low, high)]
    if isinstance(control, widgets.FloatLogSlider):
        return [
            control.base**control.min,
            control.base**control.max,
            control.base ** ((control.min + control.max) / 2),
        ]
    if isinstance(
        control,
        (widgets.FloatSlider, widgets.IntSlider, widgets.BoundedFloatText, widgets.BoundedIntText),
    ):
        return [control.min, control.max, control.value]
    if isinstance(control, widgets.Checkbox):
        return [not control.value, control.value]
    raise AssertionError(f"the smoke test does not know how to move a {type(control).__name__}")


def test_every_explorer_is_public_and_documented():
    assert len(EXPLORERS) == 6
    for name in EXPLORERS:
        explorer = getattr(calcwidgets, name)
        assert issubclass(explorer, widgets.VBox)
        assert explorer.__doc__ and "Examples" in explorer.__doc__


@pytest.mark.parametrize("name", EXPLORERS)
def test_each_control_at_its_extremes_keeps_the_explorer_error_free(name):
    explorer = getattr(calcwidgets, name)()
    for control in explorer._controls:
        if control.disabled:
            continue
        for value in _extremes(control):
            control.value = value
            assert explorer.message.value == "", (
                f"{name}: {control.description} = {value!r} showed {explorer.message.value}"
            )
    assert explorer.warnings_caught == []
    image = Image.open(io.BytesIO(explorer.image.value))
    assert image.format == "PNG"
    assert explorer.summary.value


@pytest.mark.parametrize("name", EXPLORERS)
def test_each_preset_applies_cleanly(name):
    explorer = getattr(calcwidgets, name)()
    assert len(explorer.presets) >= 2, f"{name} should offer at least two presets"
    for preset in explorer.presets:
        before = explorer.image.value
        explorer.apply_preset(preset)
        assert explorer.message.value == "", f"{name}: preset {preset!r} showed an error"
        assert explorer.image.value != before or preset == next(iter(explorer.presets))
    assert explorer.warnings_caught == []


def _steps_from_min(control):
    if isinstance(control, widgets.FloatLogSlider):
        return (math.log(control.value, control.base) - control.min) / control.step
    return (control.value - control.min) / control.step


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_default_lies_on_its_sliders_grid(name):
    # The browser snaps an off-grid value to the nearest step and sends it back,
    # so an off-grid default would change the explorer the moment it is shown.
    explorer = getattr(calcwidgets, name)()
    for control in explorer._controls:
        if isinstance(control, (widgets.FloatLogSlider, widgets.FloatSlider, widgets.IntSlider)):
            steps = _steps_from_min(control)
            assert abs(steps - round(steps)) < 1e-9, (
                f"{name}: {control.description} = {control.value!r} is between two steps"
            )
