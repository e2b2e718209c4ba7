"""calcwidgets: Jupyter widgets and a course that teach the calculus behind machine learning."""

__version__ = "0.1.0"

__all__ = ["__version__"]
