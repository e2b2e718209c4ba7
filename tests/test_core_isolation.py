"""The core must stay importable without any drawing or widget library."""

import subprocess
import sys


def test_core_imports_neither_matplotlib_nor_ipywidgets():
    probe = (
        "import sys, calcwidgets.core; "
        "print(' '.join(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [], f"import calcwidgets.core loaded {loaded}"


def test_core_public_names_are_unique_and_documented():
    import calcwidgets.core as core

    assert len(core.__all__) == len(set(core.__all__)), "two core modules export the same name"
    for name in core.__all__:
        obj = getattr(core, name)
        assert obj.__doc__ and obj.__doc__.strip(), f"calcwidgets.core.{name} has no docstring"
