"""What every explorer shares: the frame, the summary line, errors shown in place, presets."""

from __future__ import annotations

import html
import logging
import math
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets

from ..plotting._canvas import BlittedFigure

logger = logging.getLogger("calcwidgets")

#: Wide enough for every control's description, so no label is cut off.
DESCRIPTION_STYLE = {"description_width": "9em"}
CONTROL_LAYOUT = {"width": "24em"}


def lambda_label(value: float) -> str:
    """Return a short label for a penalty strength: ``"0"``, ``"3e-6"``, ``"0.001"``.

    Examples
    --------
    >>> [lambda_label(v) for v in (0.0, 3e-6, 1e-4, 0.001, 0.3, 1.0)]
    ['0', '3e-6', '1e-4', '0.001', '0.3', '1']
    """
    if value == 0:
        return "0"
    if value < 1e-3:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:g}"


def penalty_controls(
    strengths: Sequence[float], *, value: float = 0.0, penalised: str = "weight"
) -> tuple[widgets.SelectionSlider, widgets.ToggleButtons]:
    """Return the penalty strength λ and its kind, L2 or L1, as two linked controls.

    λ moves over ``strengths`` (a ladder that includes 0, which a log slider
    cannot reach). The kind is disabled while λ = 0, where L2 and L1 are the same
    loss, so keyboard users skip a control that would change nothing.

    Parameters
    ----------
    strengths : sequence of float
        The values of λ, increasing, starting at 0.
    value : float, default 0.0
        The starting λ, one of ``strengths``.
    penalised : str, default "weight"
        What the penalty acts on, for the kinds' tooltips ("coefficient", …).

    Returns
    -------
    tuple of SelectionSlider and ToggleButtons
        ``regularization`` (λ) and ``penalty`` (``"l2"`` or ``"l1"``).
    """
    regularization = widgets.SelectionSlider(
        options=[(lambda_label(strength), strength) for strength in strengths],
        value=value,
        description="penalty λ",
        continuous_update=True,
        style=DESCRIPTION_STYLE,
        layout=CONTROL_LAYOUT,
    )
    penalty = widgets.ToggleButtons(
        options=[("L2 (ridge)", "l2"), ("L1 (lasso)", "l1")],
        value="l2",
        description="penalty kind",
        disabled=value == 0,
        tooltips=[
            f"λ‖w‖²: shrinks every {penalised}",
            f"λ‖w‖₁: sets small {penalised}s to exactly 0",
        ],
        style={**DESCRIPTION_STYLE, "button_width": "7em"},
        layout=CONTROL_LAYOUT,
    )

    def follow(change: dict) -> None:
        penalty.disabled = change["new"] == 0

    regularization.observe(follow, "value")
    return regularization, penalty


def snap_to_grid(slider: widgets.FloatLogSlider | widgets.FloatSlider) -> None:
    """Move a slider's value onto its own grid of steps, as the browser would.

    The front end snaps a value that lies between two steps and sends the snapped
    value back, so an explorer built with an off-grid default would change the
    moment it is displayed. Snapping here, with the same arithmetic, keeps the
    first frame the learner sees equal to the state the explorer was built in.
    """
    if isinstance(slider, widgets.FloatLogSlider):
        steps = round((math.log(slider.value, slider.base) - slider.min) / slider.step)
        slider.value = slider.base ** (slider.min + steps * slider.step)
    else:
        steps = round((slider.value - slider.min) / slider.step)
        slider.value = slider.min + steps * slider.step


class RecentCache:
    """Keep the ``size`` most recently used results of what the sliders do not change."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Return the result stored under ``key``, computing and storing it if absent."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = compute()
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return value

    def __len__(self) -> int:  # noqa: D105 - how many results are kept
        return len(self._items)


class Explorer(widgets.VBox):
    """Base class of the explorers: controls, one rendered frame, a summary line and presets.

    A subclass builds its controls and its view, then calls :meth:`_start`. It
    implements :meth:`_update`, which reads the controls, asks the core, hands the
    result to the view and returns the summary sentence. Nothing raised inside
    ``_update`` reaches the front end: the learner sees a short message in place
    and the explorer keeps working.
    """

    def _start(
        self,
        controls: list[widgets.Widget],
        canvas: BlittedFigure,
        presets: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._canvas = canvas
        self._controls = controls
        self._holding = False
        self.warnings_caught: list[warnings.WarningMessage] = []
        width, height = canvas.pixel_size
        self.image = widgets.Image(
            format="png",
            layout=widgets.Layout(
                width=f"{width}px", height=f"{height}px", max_width="100%", object_fit="contain"
            ),
        )
        self.summary = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.presets = dict(presets or {})
        self.preset_buttons = [self._preset_button(name) for name in self.presets]
        grid = widgets.GridBox(
            controls,
            layout=widgets.Layout(
                grid_template_columns="repeat(auto-fill, minmax(24em, 1fr))", grid_gap="2px 12px"
            ),
        )
        rows: list[widgets.Widget] = [grid]
        if self.preset_buttons:
            rows.append(widgets.HBox([widgets.Label("Presets:"), *self.preset_buttons]))
        rows += [self.message, self.image, self.summary]
        self.children = rows
        for control in controls:
            control.observe(self._on_params_change, names="value")
        self._on_params_change()

    def _preset_button(self, name: str) -> widgets.Button:
        button = widgets.Button(
            description=name,
            tooltip=f"Set the controls to '{name}'",
            layout=widgets.Layout(width="auto"),
        )
        button.on_click(lambda _button: self.apply_preset(name))
        return button

    def apply_preset(self, name: str) -> None:
        """Move several controls at once to the preset ``name``, redrawing once."""
        if name not in self.presets:
            raise ValueError(f"name must be one of {sorted(self.presets)}, got {name!r}")
        with self.batch_updates():
            for attribute, value in self.presets[name].items():
                getattr(self, attribute).value = value

    @contextmanager
    def batch_updates(self) -> Iterator[None]:
        """Hold redraws while several controls change; redraw once at the end."""
        with self._without_redraw():
            yield
        self._on_params_change()

    @contextmanager
    def _without_redraw(self) -> Iterator[None]:
        """Change controls with no redraw; for handlers whose own redraw follows."""
        holding, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = holding

    def _on_params_change(self, change: dict | None = None) -> None:
        if self._holding:
            return
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Python hides these from everyone by default, and they come from whatever
            # the garbage collector finalises during the update, not from the update.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                summary = self._update()
                frame = self._canvas.render()
            except Exception as error:  # a widget must never raise into the front end
                logger.debug("explorer update failed", exc_info=True)
                self._show_message(f"{error}")
            else:
                self._show_message("")
                self.image.value = frame
                self.summary.value = (
                    f'<span role="status" aria-live="polite">{html.escape(summary)}</span>'
                )
        self.warnings_caught.extend(caught)

    def _show_message(self, text: str) -> None:
        self.message.value = (
            f'<span role="alert" style="color:#B00020">⚠ {html.escape(text)}</span>' if text else ""
        )
        self.message.layout.display = "" if text else "none"

    def _update(self) -> str:
        raise NotImplementedError
