"""Numbers under an x-axis whose end follows a slider, blitted instead of redrawn.

An axis from 0 to a number of iterations would normally change its ticks, and
so the cached static layer, with every move of the iterations slider. Here the
ticks sit at fixed fractions of the axis (0, 1/5, …, 1), so the static pixels
are the same for every end; only the numbers under them change, and those are
drawn as glyph outlines in one tracked collection. Six texts drawn per frame
would cost some twenty times as much.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter, LinearLocator
from matplotlib.transforms import Affine2D, IdentityTransform

from ._canvas import BlittedFigure


def _number(tick: float) -> str:
    return f"{tick:g}"


class BlittedTickNumbers:
    """The tick numbers of ``axes``' x-axis from 0 to an end set by :meth:`show`.

    The axis's own tick labels stay, invisible, as stand-ins showing the numbers
    for ``longest_end``: they place the axis label and keep room in the layout for
    the widest numbers (the last overhangs the axes' right edge), so the layout
    never depends on the end either.

    Parameters
    ----------
    canvas : BlittedFigure
        The figure of ``axes``; the numbers are tracked there.
    axes : matplotlib.axes.Axes
        The axes whose x-axis runs from 0 to the end.
    count : int
        How many evenly spaced ticks, both ends included.
    longest_end : float
        The largest end :meth:`show` will be given.

    Attributes
    ----------
    labels : tuple of str
        The numbers shown, from 0 to the end.
    collection_ : PathCollection
        Their glyph outlines, a tracked artist.
    """

    def __init__(
        self, canvas: BlittedFigure, axes: Axes, *, count: int, longest_end: float
    ) -> None:
        self.count = int(count)
        self.labels: tuple[str, ...] = ()
        self._axes = axes
        self._figure = canvas.figure_
        axis = axes.xaxis
        axis.set_major_locator(LinearLocator(self.count))
        longest = np.linspace(0.0, longest_end, self.count)
        axis.set_major_formatter(FuncFormatter(lambda _, position: _number(longest[position])))
        stand_in = axis.get_major_ticks()[0].label1
        self._font = stand_in.get_fontproperties().copy()
        renderer = self._figure.canvas.get_renderer()
        _, line_height, line_descent = renderer.get_text_width_height_descent(
            "lp", self._font, ismath=False
        )
        # A tick label hangs from its anchor (va="top"): its baseline lies one line
        # height, less the descent, below it; matplotlib measures lines on "lp".
        self._baseline = line_height - line_descent
        self._outlines: dict[str, Path] = {}
        numbers = PathCollection(
            [],
            sizes=[1.0],  # outlines in points, scaled to pixels as scatter's markers are
            offsets=np.zeros((0, 2)),
            offset_transform=stand_in.get_transform(),
            transform=IdentityTransform(),
            facecolors=stand_in.get_color(),
            edgecolors="none",
            clip_on=False,
        )
        numbers.set_in_layout(False)
        axes.tick_params(axis="x", labelcolor="none")
        self.collection_ = canvas.track(axes.add_collection(numbers, autolim=False))

    def show(self, end: float) -> None:
        """Let the axis run from 0 to ``end`` and put the numbers under its ticks."""
        self._axes.set_xlim(0, end)
        ticks = np.linspace(0.0, end, self.count)
        self.labels = tuple(_number(tick) for tick in ticks)
        self.collection_.set_paths([self._outline(label) for label in self.labels])
        self.collection_.set_offsets(np.column_stack([ticks, np.zeros(self.count)]))

    def _outline(self, number: str) -> Path:
        """Return ``number`` as a glyph outline in points, centred under its anchor, hanging."""
        outline = self._outlines.get(number)
        if outline is None:
            renderer = self._figure.canvas.get_renderer()
            width, _, _ = renderer.get_text_width_height_descent(number, self._font, ismath=False)
            points_per_pixel = 72.0 / self._figure.dpi
            placement = Affine2D().translate(
                -width / 2 * points_per_pixel, -self._baseline * points_per_pixel
            )
            outline = TextPath((0.0, 0.0), number, prop=self._font).transformed(placement)
            self._outlines[number] = outline
        return outline
