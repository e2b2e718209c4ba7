"""Hypothesis profiles for the unit tests."""

from hypothesis import HealthCheck, settings

# Widget updates draw a frame, which can take longer than hypothesis' default
# deadline on a loaded machine; speed is measured in benchmarks/, not here.
settings.register_profile(
    "calcwidgets", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("calcwidgets")
