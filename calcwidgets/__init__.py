"""calcwidgets: Jupyter widgets and a course that teach the calculus behind machine learning.

The explorers are loaded on first use, so ``import calcwidgets`` (and
``import calcwidgets.core``) stays quick and does not pull in matplotlib or
ipywidgets until a widget is asked for.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPLORERS = {
    "LimitExplorer": "limit_explorer",
    "DerivativeExplorer": "derivative_explorer",
    "IntegralExplorer": "integral_explorer",
    "GradientDescentExplorer": "gradient_descent_explorer",
    "OverfittingExplorer": "overfitting_explorer",
    "ConvergenceExplorer": "convergence_explorer",
}

__all__ = [*_EXPLORERS, "__version__"]


def __getattr__(name: str):
    if name in _EXPLORERS:
        module = import_module(f"calcwidgets.widgets.{_EXPLORERS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'calcwidgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
