"""Section 6: keypress → pixels in the browser, as the Playwright tests recorded it.

``tests/browser/test_explorers_in_lab.py`` writes ``benchmarks/results/browser_latency.json``
(schema 1: ``{"explorers": {name: {"slider", "samples_ms", "p50_ms", "p95_ms", …}},
"updated_utc", "measured", …}``). This section only reads it: the figures come
from the last browser-test run, not from this process, and the row says when
that was. Explorers with no entry are reported as not measured.
"""

from __future__ import annotations

import json
from pathlib import Path

from ._report import Goal, Row
from ._timing import Stats

SECTION = "6"
TITLES = {SECTION: "6 · In the browser: keypress → changed pixels (Playwright, JupyterLab)"}
LATENCY_FILE = Path(__file__).resolve().parent / "results" / "browser_latency.json"
GOAL = Goal("p95", "<=", 0.150)


def _stats(entry: dict) -> Stats | None:
    samples = entry.get("samples_ms")
    if isinstance(samples, list) and samples:
        return Stats.of([float(sample) / 1000 for sample in samples])
    if "p50_ms" in entry and "p95_ms" in entry:
        # Only the two percentiles were kept: two samples reproduce them exactly under
        # linear interpolation only at p50, so keep them as given.
        return Stats((float(entry["p50_ms"]) / 1000, float(entry["p95_ms"]) / 1000))
    return None


def browser_rows(names: list[str], path: Path = LATENCY_FILE) -> list[Row]:
    if not path.exists():
        return [
            Row(
                SECTION,
                f"{name}: keypress → pixels",
                goals=(GOAL,),
                missing="not measured (no browser_latency.json: run the browser tests)",
            )
            for name in names
        ]
    data = json.loads(path.read_text(encoding="utf-8"))
    explorers = data.get("explorers", {}) if isinstance(data, dict) else {}
    when = data.get("updated_utc", "an unknown date")
    rows = []
    for name in [*names, *sorted(set(explorers) - set(names))]:
        entry = explorers.get(name)
        stats = _stats(entry) if isinstance(entry, dict) else None
        if stats is None:
            rows.append(
                Row(
                    SECTION,
                    f"{name}: keypress → pixels",
                    goals=(GOAL,),
                    missing="not measured by the browser tests",
                )
            )
            continue
        slider = entry.get("slider", "a slider")
        rows.append(
            Row(
                SECTION,
                f"{name}: keypress → pixels on '{slider}'",
                figure=stats,
                goals=(GOAL,),
                note=f"Read from {path.name}, written by the browser tests at {when} (not "
                "measured by this run).",
                extra={"explorer": name, "source": str(path), "updated_utc": when},
            )
        )
    return rows
