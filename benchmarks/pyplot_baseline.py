"""The explorer written the common way: ``interactive_output`` + a new pyplot figure per change.

The handler asks the explorer for the same result (its ``_update``, which runs
the core and leaves the answer in the view's artists) and then does what a
first notebook version does on every change: ``plt.figure``, one subplot per
panel, ``plot``/``scatter``/``fill``/``contour``/``legend`` calls for every
element from the data, and ``savefig`` to PNG as the inline backend does for
``plt.show()`` (``bbox_inches="tight"``), then ``plt.close``. The figure is
rebuilt from the view's own artists, so both sides draw the same lines, points,
patches, texts and contours; contour sets are recomputed from the arguments of
the original ``contour``/``contourf`` call (recorded by :func:`record_contours`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.collections import Collection, LineCollection, PathCollection, PolyCollection
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import NullLocator

from calcwidgets.plotting._style import style_context

from .moves import control_names

_CALLS = "_benchmark_contour_call"


@contextmanager
def record_contours() -> Iterator[None]:
    """Remember the arguments of every ``contour``/``contourf`` call on the returned set."""
    originals = {name: getattr(Axes, name) for name in ("contour", "contourf")}

    def recording(name):
        original = originals[name]

        def method(self, *args, **kwargs):
            contours = original(self, *args, **kwargs)
            setattr(contours, _CALLS, (name, args, kwargs))
            return contours

        return method

    for name in originals:
        setattr(Axes, name, recording(name))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(Axes, name, original)


def _transform(source: Axes, target: Axes, transform) -> Any:
    """Map an artist's transform on ``source`` to the same kind on ``target``."""
    if transform == source.transAxes:
        return target.transAxes
    if transform == source.get_xaxis_transform():
        return target.get_xaxis_transform()
    if transform == source.get_yaxis_transform():
        return target.get_yaxis_transform()
    return target.transData


def _copy_line(source: Axes, target: Axes, line: Line2D) -> None:
    target.plot(
        line.get_xdata(),
        line.get_ydata(),
        color=line.get_color(),
        linewidth=line.get_linewidth(),
        linestyle=line.get_linestyle(),
        marker=line.get_marker(),
        markersize=line.get_markersize(),
        markerfacecolor=line.get_markerfacecolor(),
        markeredgecolor=line.get_markeredgecolor(),
        alpha=line.get_alpha(),
        zorder=line.get_zorder(),
        label=line.get_label(),
        transform=_transform(source, target, line.get_transform()),
    )


def _copy_collection(source: Axes, target: Axes, collection: Collection) -> None:
    if isinstance(collection, ContourSet):
        call = getattr(collection, _CALLS, None)
        if call is not None:
            name, args, kwargs = call
            getattr(target, name)(*args, **kwargs)
            return
    common = {
        "alpha": collection.get_alpha(),
        "zorder": collection.get_zorder(),
        "label": collection.get_label(),
    }
    # A scatter's markers have sizes; a PathCollection without them (e.g. filled
    # contour bands) holds its paths in data coordinates, copied below as they are.
    is_scatter = isinstance(collection, PathCollection) and len(collection.get_sizes())
    if is_scatter and len(collection.get_offsets()):
        offsets = collection.get_offsets()
        target.scatter(
            offsets[:, 0],
            offsets[:, 1],
            s=collection.get_sizes(),
            c=collection.get_facecolors() if len(collection.get_facecolors()) else "none",
            edgecolors=collection.get_edgecolors(),
            linewidths=collection.get_linewidths(),
            **common,
        )
        return
    segments = [path.vertices for path in collection.get_paths()]
    if isinstance(collection, PathCollection) and not is_scatter:
        copy = PathCollection(
            collection.get_paths(),
            facecolors=collection.get_facecolors(),
            edgecolors=collection.get_edgecolors(),
            linewidths=collection.get_linewidths(),
            **common,
        )
    elif isinstance(collection, LineCollection):
        copy = LineCollection(
            segments,
            colors=collection.get_colors(),
            linewidths=collection.get_linewidths(),
            linestyles=collection.get_linestyles(),
            **common,
        )
    else:
        copy = PolyCollection(
            segments,
            facecolors=collection.get_facecolors(),
            edgecolors=collection.get_edgecolors(),
            linewidths=collection.get_linewidths(),
            **common,
        )
    copy.set_transform(_transform(source, target, collection.get_transform()))
    target.add_collection(copy, autolim=False)


def _copy_patch(source: Axes, target: Axes, patch) -> None:
    common = {
        "facecolor": patch.get_facecolor(),
        "edgecolor": patch.get_edgecolor(),
        "linewidth": patch.get_linewidth(),
        "alpha": patch.get_alpha(),
        "zorder": patch.get_zorder(),
        "label": patch.get_label(),
        "transform": _transform(source, target, patch.get_data_transform()),
    }
    if isinstance(patch, Rectangle):
        copy = Rectangle(patch.get_xy(), patch.get_width(), patch.get_height(), **common)
    elif isinstance(patch, Polygon):
        copy = Polygon(patch.get_xy(), closed=patch.get_closed(), **common)
    else:
        copy = PathPatch(patch.get_patch_transform().transform_path(patch.get_path()), **common)
    target.add_patch(copy)


def _copy_text(source: Axes, target: Axes, text: Text) -> None:
    x, y = text.get_position()
    target.text(
        x,
        y,
        text.get_text(),
        fontsize=text.get_fontsize(),
        color=text.get_color(),
        horizontalalignment=text.get_horizontalalignment(),
        verticalalignment=text.get_verticalalignment(),
        zorder=text.get_zorder(),
        transform=_transform(source, target, text.get_transform()),
    )


def _copy_axes(source: Axes, target: Axes) -> None:
    for line in source.get_lines():
        if line.get_visible():
            _copy_line(source, target, line)
    for collection in source.collections:
        if collection.get_visible():
            _copy_collection(source, target, collection)
    for patch in source.patches:
        if patch.get_visible():
            _copy_patch(source, target, patch)
    for text in source.texts:
        if text.get_visible() and text.get_text():
            _copy_text(source, target, text)
    for axis, setter in ((source.xaxis, target.set_xscale), (source.yaxis, target.set_yscale)):
        scale = axis.get_scale()
        if scale == "symlog":
            setter(scale, linthresh=axis._scale._transform.linthresh)
        else:
            setter(scale)
    target.set_xlim(source.get_xlim())
    target.set_ylim(source.get_ylim())
    for axis, copy in ((source.xaxis, target.xaxis), (source.yaxis, target.yaxis)):
        if isinstance(axis.get_major_locator(), NullLocator):
            copy.set_major_locator(NullLocator())
        if isinstance(axis.get_minor_locator(), NullLocator):
            copy.set_minor_locator(NullLocator())
        if axis._major_tick_kw.get("gridOn"):
            copy.grid(True, alpha=axis._major_tick_kw.get("grid_alpha"))
    for location in ("left", "center", "right"):
        title = source.get_title(location)
        if title:
            target.set_title(title, loc=location)
    target.set_xlabel(source.get_xlabel())
    target.set_ylabel(source.get_ylabel())
    target.set_aspect(source.get_aspect())
    legend = source.get_legend()
    if legend is not None and legend.get_visible():
        target.legend(loc=legend._loc, fontsize=legend._fontsize, ncols=legend._ncols)
    if not source.axison:
        target.set_axis_off()


def _copy_figure_legend(legend: Legend, figure: Figure) -> None:
    if not legend.get_visible():
        return
    labelled = {}
    for axes in figure.axes:
        for artist in (*axes.get_lines(), *axes.collections, *axes.patches):
            labelled.setdefault(artist.get_label(), artist)
    labels = [text.get_text() for text in legend.texts if text.get_text() in labelled]
    location = legend._loc
    if getattr(legend, "_outside_loc", None):
        names = {code: name for name, code in Legend.codes.items()}
        location = f"outside {names[legend._loc]}"
    figure.legend(
        [labelled[label] for label in labels],
        labels,
        loc=location,
        ncols=legend._ncols,
        fontsize=legend._fontsize,
        frameon=legend.get_frame_on(),
    )


def replicate(figure: Figure) -> Figure:
    """Re-create ``figure`` with pyplot from its artists' data: a new figure, every call."""
    with style_context():
        return _replicate(figure)


def _replicate(figure: Figure) -> Figure:
    width, height = figure.get_size_inches()
    copy = plt.figure(figsize=(width, height), dpi=figure.dpi, layout="constrained")
    made: dict[int, Axes] = {}
    for axes in figure.axes:
        if not axes.get_visible():
            continue
        spec = axes.get_subplotspec()
        if spec is None:
            continue
        key = id(axes._twinned_axes.get_siblings(axes)[0])
        if key in made:
            target = made[key].twinx()  # the second y-axis of a panel
        else:
            grid = spec.get_gridspec()
            rows, columns = grid.get_geometry()
            target = copy.add_subplot(rows, columns, (spec.num1 + 1, spec.num2 + 1))
            made[key] = target
        _copy_axes(axes, target)
    for legend in figure.legends:
        _copy_figure_legend(legend, copy)
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        copy.suptitle(suptitle.get_text(), fontsize=suptitle.get_fontsize())
    return copy


def png_of(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


class PyplotBaseline:
    """An explorer's controls wired to an ``interactive_output`` handler that redraws from scratch.

    The explorer's own redraw is disconnected; ``image.value`` receives each new PNG.
    """

    def __init__(self, explorer: widgets.Widget) -> None:
        if matplotlib.get_backend().lower() not in (
            "agg",
            "module://matplotlib_inline.backend_inline",
        ):
            plt.switch_backend("agg")
        self.explorer = explorer
        self.image = widgets.Image(format="png")
        self.errors: list[str] = []
        controls = control_names(explorer)
        for control in controls.values():
            control.unobserve(explorer._on_params_change, names="value")
        self.output = widgets.interactive_output(self._draw, controls)

    def _draw(self, **_values: Any) -> None:
        try:
            self.explorer._update()
        except Exception as error:  # the explorer shows such errors in place too
            self.errors.append(str(error))
            return
        figure = replicate(self.explorer._canvas.figure_)
        try:
            self.image.value = png_of(figure)
        finally:
            plt.close(figure)
