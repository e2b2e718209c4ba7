"""Colours and text sizes shared by every view."""

from __future__ import annotations

import matplotlib as mpl

#: The Okabe–Ito palette, distinguishable with the common colour-vision
#: deficiencies (Okabe & Ito, "Color Universal Design", 2008).
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

_RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.prop_cycle": mpl.cycler(
        color=[
            PALETTE[name]
            for name in ("blue", "vermillion", "green", "orange", "purple", "sky_blue")
        ]
    ),
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def style_context():
    """Return a context manager that applies the calcwidgets look to figures built inside it."""
    return mpl.rc_context(_RC)
