"""Shared test set-up: a headless matplotlib backend and hypothesis profiles."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# Widget updates draw a frame, which can take longer than hypothesis' default
# deadline on a loaded machine; speed is measured in benchmarks/, not here.
settings.register_profile(
    "calcwidgets", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("calcwidgets")
