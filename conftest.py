"""Settings for the whole test run, notebooks included (their kernels inherit this environment)."""

import os

# Headless drawing everywhere, also in the kernels nbval starts.
os.environ["MPLBACKEND"] = "Agg"
# A solution notebook whose own answer fails its check must fail the tests.
os.environ["CALCWIDGETS_CHECKS"] = "strict"
