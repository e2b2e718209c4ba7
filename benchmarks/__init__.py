"""Benchmarks of calcwidgets: what a learner feels, and the core against its baselines.

Run ``python -m benchmarks`` (add ``--quick`` for a run under a minute, ``--json
PATH`` to choose where the results go; by default ``benchmarks/results/latest.json``).
Every figure is compared with a baseline measured in the same process and the same
run, so the ratios hold on a shared, noisy machine where absolute times do not.
BLAS is pinned to one thread, in this process and in the kernels it starts.

The sections, in the order of the table:

1. gradient descent on least squares: the closed form on precomputed statistics
   against the seed-style loop over every sample at every step;
2. 64 learning rates in one sweep against 64 single runs;
3. a 200 × 200 loss surface: the quadratic form against broadcasting over samples;
4. one slider tick per explorer and control, against an ``interactive_output``
   handler that re-creates the figure with pyplot and saves a PNG;
5. the same ticks through a real kernel, as the browser sends them;
6. keypress → pixels in the browser, as recorded by the Playwright tests;
7. the course: each notebook, the whole course, the kernel's peak memory, and
   ``import calcwidgets``.
"""
