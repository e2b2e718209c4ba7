"""Render a matplotlib figure to PNG bytes, redrawing only the artists that move.

A full ``canvas.draw()`` spends most of its time on axes, ticks and labels that a
slider does not change. So the static layer is drawn once and kept as a pixel
buffer; on each update the buffer is restored and only the moving ("animated")
artists are drawn over it. The frame is sent to the browser as a PNG with a
256-colour palette, which on our figures is about three times smaller and twice
as fast to encode as 24-bit PNG with no visible loss on lines and fills.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image


def encode_png(rgba: np.ndarray) -> bytes:
    """Encode an RGBA pixel buffer as a compact palette PNG."""
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    palette = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class BlittedFigure:
    """A figure whose static layer is cached and whose moving artists are blitted.

    Parameters
    ----------
    width, height : float
        The figure size in inches.
    dpi : int
        Pixels per inch of the rendered frame.
    """

    def __init__(self, width: float, height: float, *, dpi: int = 100) -> None:
        self.figure_ = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure_)
        self._moving: list[Artist] = []
        self._background = None

    @property
    def pixel_size(self) -> tuple[int, int]:
        """The rendered frame's ``(width, height)`` in pixels."""
        width, height = self.figure_.canvas.get_width_height()
        return int(width), int(height)

    def track(self, artist: Artist) -> Artist:
        """Mark ``artist`` as moving: left out of the cached layer, redrawn on every frame."""
        artist.set_animated(True)
        self._moving.append(artist)
        return artist

    def invalidate(self) -> None:
        """Forget the cached static layer after a change to its limits, contours or curves."""
        self._background = None

    def _restart_layout(self) -> None:
        # Constrained layout starts from the axes' current positions, so after a
        # few redraws a frame could differ by sub-pixel shifts from a fresh figure
        # in the same state. Starting every layout from the grid makes the frame a
        # function of the state alone.
        for axes in self.figure_.axes:
            spec = axes.get_subplotspec()
            if spec is not None:
                axes.set_position(spec.get_position(self.figure_))
                axes.set_in_layout(True)  # set_position takes the axes out of the layout

    def render(self) -> bytes:
        """Draw the current frame and return it as PNG bytes."""
        canvas = self.figure_.canvas
        if self._background is None:
            self._restart_layout()
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure_.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._moving:
            if artist.get_visible():
                self.figure_.draw_artist(artist)
        return encode_png(np.asarray(canvas.buffer_rgba()))
