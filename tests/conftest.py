"""Hypothesis profiles and shared fixtures for the unit tests."""

import pytest
from hypothesis import HealthCheck, settings

# Widget updates draw a frame, which can take longer than hypothesis' default
# deadline on a loaded machine; speed is measured in benchmarks/, not here.
settings.register_profile(
    "calcwidgets", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("calcwidgets")


@pytest.fixture
def count_calls(monkeypatch):
    """Return ``spy(owner, name)``, which wraps ``owner.name`` for this test.

    The wrapped method works as before; ``spy`` returns a list that gets the
    positional arguments of every later call, e.g. to count full draws with
    ``spy(figure.canvas, "draw")``.
    """

    def spy(owner, name):
        original = getattr(owner, name)
        calls = []

        def counted(*args, **kwargs):
            calls.append(args)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
        return calls

    return spy
