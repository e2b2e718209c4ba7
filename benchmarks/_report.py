"""Rows of the results table, their goals, and the table and JSON they become."""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._timing import Stats

_OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Goal:
    """A target on one metric of a row: ``p50``, ``p95``, ``ratio`` or ``frame_p95``."""

    metric: str
    op: str
    threshold: float
    #: ``"s"`` for times, ``"bytes"`` for memory.
    unit: str = "s"

    def __post_init__(self) -> None:
        if self.metric not in ("p50", "p95", "ratio", "frame_p95"):
            raise ValueError(f"unknown goal metric {self.metric!r}")
        if self.op not in _OPERATORS:
            raise ValueError(f"unknown goal operator {self.op!r}")

    def text(self) -> str:
        symbol = {"<=": "≤", ">=": "≥"}.get(self.op, self.op)
        if self.metric == "ratio":
            return f"{symbol} {self.threshold:g}×"
        if self.metric == "frame_p95":
            return f"frame {symbol} {self.threshold / 1024:g} KB"
        if self.unit == "bytes":
            return f"{self.metric} {symbol} {self.threshold / 2**20:g} MB"
        return f"{self.metric} {symbol} {format_seconds(self.threshold)}"


@dataclass
class Row:
    """One line of the table: a figure, its baseline from the same run, the ratio, the goals."""

    section: str
    case: str
    figure: Stats | None = None
    baseline: Stats | None = None
    baseline_label: str = ""
    goals: tuple[Goal, ...] = ()
    frames: Stats | None = None  # frame sizes in bytes, for explorer ticks
    note: str = ""
    #: Why there is no figure ("not measured", "skipped in --quick", an error).
    missing: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.figure is None or self.baseline is None or self.figure.p50 <= 0:
            return None
        return self.baseline.p50 / self.figure.p50

    def metric(self, name: str) -> float | None:
        if name == "ratio":
            return self.ratio
        if name == "frame_p95":
            return None if self.frames is None else self.frames.p95
        if self.figure is None:
            return None
        return self.figure.p50 if name == "p50" else self.figure.p95

    def missed_goals(self) -> list[Goal]:
        """The goals this row misses; a goal whose metric was not measured counts as missed."""
        missed = []
        for goal in self.goals:
            value = self.metric(goal.metric)
            if value is None or not _OPERATORS[goal.op](value, goal.threshold):
                missed.append(goal)
        return missed

    @property
    def status(self) -> str:
        """``"met"``, ``"MISSED"``, ``"not measured"`` or ``""`` (no goal)."""
        if self.figure is None:
            return "not measured"
        if not self.goals:
            return ""
        return "MISSED" if self.missed_goals() else "met"

    def mark(self) -> str:
        status = self.status
        if status == "MISSED":
            return "✗ MISSED: " + ", ".join(goal.metric for goal in self.missed_goals())
        if status == "met":
            return "✓"
        return "–" if status == "not measured" else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "case": self.case,
            "figure": None if self.figure is None else self.figure.to_json(),
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "baseline_label": self.baseline_label,
            "ratio": self.ratio,
            "goals": [
                {
                    "metric": g.metric,
                    "op": g.op,
                    "threshold": g.threshold,
                    "unit": g.unit,
                    "text": g.text(),
                }
                for g in self.goals
            ],
            "frame_bytes": None if self.frames is None else self.frames.to_json("bytes"),
            "status": self.status,
            "missed": [goal.metric for goal in self.missed_goals()] if self.figure else [],
            "note": self.note,
            "missing": self.missing,
            "extra": self.extra,
        }


def format_seconds(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def power_of_ten(n: int) -> str:
    """``10²``-style for exact powers of ten, else the number with thousands separators."""
    exponent = len(str(n)) - 1
    if n > 0 and n == 10**exponent:
        return "10" + str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{n:,}"


def format_ratio(ratio: float | None) -> str:
    if ratio is None or not math.isfinite(ratio):
        return "–"
    if ratio >= 100:
        return f"{ratio:,.0f}×"
    return f"{ratio:.3g}×"


def _format_value(row: Row, seconds: float | None) -> str:
    if row.extra.get("unit") == "bytes":
        return "–" if seconds is None else f"{seconds / 2**20:.0f} MB"
    return format_seconds(seconds)


_HEADERS = ("case", "p50", "p95", "baseline p50", "ratio", "goal", "")


def table_lines(rows: list[Row], titles: dict[str, str]) -> list[str]:
    """Return the table as plain-text lines: one block per section, its notes below it."""
    cells: list[tuple[str, ...]] = []
    for row in rows:
        if row.figure is None:
            goal = ", ".join(goal.text() for goal in row.goals)
            reason = row.missing or "not measured"
            cells.append((row.case, "–", "–", "", "", goal, f"{row.mark()} {reason}".strip()))
            continue
        goal = ", ".join(goal.text() for goal in row.goals)
        case = row.case
        if row.frames is not None:
            case += f" [frame p95 {row.frames.p95 / 1024:.0f} KB]"
        cells.append(
            (
                case,
                _format_value(row, row.figure.p50),
                _format_value(row, row.figure.p95),
                _format_value(row, None if row.baseline is None else row.baseline.p50),
                format_ratio(row.ratio),
                goal,
                row.mark(),
            )
        )
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
        for i, h in enumerate(_HEADERS)
    ]

    def line(values: tuple[str, ...]) -> str:
        parts = [values[0].ljust(widths[0])]
        parts += [value.rjust(width) for value, width in zip(values[1:5], widths[1:5], strict=True)]
        parts += [values[5].ljust(widths[5]), values[6]]
        return "  ".join(parts).rstrip()

    lines: list[str] = []
    section = None
    notes: list[str] = []
    for row, values in zip(rows, cells, strict=True):
        if row.section != section:
            lines += [f"  · {note}" for note in notes]
            notes = []
            section = row.section
            lines += ["", f"## {titles.get(section, section)}", line(_HEADERS)]
        lines.append(line(values))
        if row.note and row.note not in notes:
            notes.append(row.note)
    lines += [f"  · {note}" for note in notes]
    return lines


def markdown_table(rows: list[Row], titles: dict[str, str]) -> str:
    """Return the results as Markdown for the README: one small table per section."""
    out: list[str] = []
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            out += [
                "",
                f"**{titles.get(section, section)}**",
                "",
                "| case | p50 | p95 | baseline p50 | ratio | goal | |",
                "| --- | ---: | ---: | ---: | ---: | --- | --- |",
            ]
        case = row.case.replace("|", "\\|")
        if row.figure is None:
            out.append(f"| {case} | {row.missing or 'not measured'} | | | | | – |")
            continue
        if row.frames is not None:
            case += f" (frame p95 {row.frames.p95 / 1024:.0f} KB)"
        goal = ", ".join(goal.text() for goal in row.goals)
        out.append(
            f"| {case} | {_format_value(row, row.figure.p50)} | "
            f"{_format_value(row, row.figure.p95)} | "
            f"{_format_value(row, None if row.baseline is None else row.baseline.p50)} | "
            f"{format_ratio(row.ratio)} | {goal} | {row.mark()} |"
        )
    return "\n".join(out).strip() + "\n"


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
