"""The numpy core of calcwidgets: the mathematics, with no drawing and no widgets.

Everything here takes arrays and plain numbers and returns numbers, arrays or
small frozen dataclasses. It imports numpy and the standard library only, so it
can be tested, timed and reused without a notebook.
"""

from . import datasets, derivatives, integrals, limits, models, optimizers, quadratic, results
from .datasets import *  # noqa: F403
from .derivatives import *  # noqa: F403
from .integrals import *  # noqa: F403
from .limits import *  # noqa: F403
from .models import *  # noqa: F403
from .optimizers import *  # noqa: F403
from .quadratic import *  # noqa: F403
from .results import *  # noqa: F403

__all__ = [
    name
    for module in (datasets, derivatives, integrals, limits, models, optimizers, quadratic, results)
    for name in module.__all__
]
