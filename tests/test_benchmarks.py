"""The benchmarks' plumbing on tiny sizes: table, JSON, and the equivalence checks.

Speed is never asserted here (the machines are shared and noisy); these tests
check that every section runs, that the output has the promised structure, that
a missed goal is shown, and that a wrong engine stops the benchmark instead of
producing a figure.
"""

import dataclasses
import json
import math

import numpy as np
import pytest

from benchmarks import core_speed, run
from benchmarks.__main__ import main
from benchmarks._report import Goal, Row, table_lines
from benchmarks._timing import Stats
from benchmarks.browser import browser_rows
from benchmarks.core_speed import (
    GDSettings,
    MismatchError,
    SurfaceSettings,
    SweepSettings,
    check_same,
    closed_form_path,
    make_problem,
    precompute,
    seed_loop,
)
from benchmarks.course_timing import CourseSettings
from benchmarks.explorer_ticks import TickSettings
from benchmarks.kernel_roundtrip import KernelSettings
from benchmarks.moves import apply_state, control_names, current_state, plan_moves

TINY_GD = GDSettings(
    sizes=(50,),
    dimensions=(1, 2),
    iteration_counts=(5, 30),
    repeats=2,
    baseline_repeats=1,
    baseline_work=1000,  # d = 2, 30 iterations: the baseline runs 10 and is scaled ×3
    budget=0.01,
    goal_case=(50, 2, 30),
)
TINY_SWEEP = SweepSettings(
    n=50,
    d=2,
    iterations=30,
    rates=4,
    repeats=2,
    baseline_repeats=1,
    loop_iterations=10,
    budget=0.01,
)
TINY_SURFACE = SurfaceSettings(sizes=(30,), grid=12, repeats=2, baseline_repeats=1, budget=0.01)


def _tiny_config(tmp_path, browser_file):
    course = tmp_path / "course"
    course.mkdir()
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "a1",
                "metadata": {},
                "outputs": [],
                "source": "x = 1 + 1",
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (course / "00_tiny.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return run.Config(
        mode="tiny",
        gd=TINY_GD,
        sweep=TINY_SWEEP,
        surface=TINY_SURFACE,
        ticks=TickSettings(moves=2, baseline_moves=1, warmup=1, controls=("learning_rate",)),
        kernel=KernelSettings(moves=1, warmup=0, timeout=60.0),
        course=CourseSettings(
            repeats=1, import_repeats=1, imports=("import calcwidgets",), course=course
        ),
        explorers=("GradientDescentExplorer",),
        browser_file=browser_file,
        build_repeats=0,
        skipped={"4": "tiny"},
    )


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("bench")
    browser_file = tmp_path / "browser_latency.json"
    browser_file.write_text(
        json.dumps(
            {
                "schema": 1,
                "updated_utc": "2026-01-01T00:00:00+00:00",
                "explorers": {
                    "GradientDescentExplorer": {
                        "slider": "learning rate η",
                        "samples_ms": [80.0, 90.0, 200.0],
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    json_path = tmp_path / "results" / "latest.json"
    payload = run.run(_tiny_config(tmp_path, browser_file), json_path)
    return payload, json_path


def test_every_section_produces_rows_and_the_json_is_written(tiny_run):
    payload, json_path = tiny_run
    assert json.loads(json_path.read_text(encoding="utf-8")) == json.loads(json.dumps(payload))
    assert payload["errors"] == []
    sections = {row["section"] for row in payload["rows"]}
    assert sections == {"1", "2", "3", "4", "5", "6", "7"}
    assert set(payload["durations_s"]) == {"1", "2", "3", "4", "5", "6", "7", "total"}


def test_the_json_keeps_the_machine_info(tiny_run):
    machine = tiny_run[0]["machine"]
    for key in ("cpu", "cores", "numpy", "matplotlib", "blas", "thread_variables", "git_commit"):
        assert key in machine
    assert machine["numpy"] == np.__version__
    # Pinned to one thread during the run, wherever threadpoolctl can see BLAS.
    assert all(pool["num_threads"] >= 1 for pool in machine["blas"])


def test_rows_carry_figure_baseline_ratio_goal_and_status(tiny_run):
    rows = tiny_run[0]["rows"]
    for row in rows:
        assert set(row) >= {"section", "case", "figure", "baseline", "ratio", "goals", "status"}
        if row["figure"] is not None:
            assert row["figure"]["p50_s"] <= row["figure"]["p95_s"]
        if row["figure"] and row["baseline"]:
            assert math.isclose(row["ratio"], row["baseline"]["p50_s"] / row["figure"]["p50_s"])
        if row["goals"]:
            assert row["status"] in ("met", "MISSED", "not measured")
        assert (row["status"] == "MISSED") == bool(row["missed"])
    ticks = [row for row in rows if row["section"] == "4" and row["baseline"]]
    assert len(ticks) == 1 and ticks[0]["extra"]["control"] == "learning_rate"
    assert ticks[0]["frame_bytes"]["p95_bytes"] > 0
    assert {goal["metric"] for goal in ticks[0]["goals"]} == {"p50", "p95", "ratio", "frame_p95"}


def test_the_slow_baseline_is_scaled_and_says_so(tiny_run):
    rows = [row for row in tiny_run[0]["rows"] if row["section"] == "1" and row["baseline"]]
    scaled = [row for row in rows if row["extra"]["iterations"] == 30 and row["extra"]["d"] == 2]
    assert scaled and all(row["baseline"]["scaled_by"] == 3.0 for row in scaled)
    assert all("scaled" in row["extra"]["scaling"] for row in scaled)
    assert any(row["goals"] == [] or row["goals"][0]["metric"] == "ratio" for row in scaled)
    for row in rows:
        assert row["extra"]["trajectory_difference"] <= core_speed.RTOL


def test_the_table_shows_every_section_and_marks_what_was_reduced(tiny_run):
    table = "\n".join(tiny_run[0]["table"])
    for title in run.TITLES.values():
        assert f"## {title}" in table
    assert "Reduced in this run" in table
    assert "GradientDescentExplorer: keypress → pixels" in table
    assert "| case | p50 | p95 | baseline p50 | ratio | goal | |" in tiny_run[0]["markdown"]


def test_the_browser_section_reads_the_playwright_file_or_says_not_measured(tmp_path, tiny_run):
    rows = [row for row in tiny_run[0]["rows"] if row["section"] == "6"]
    assert rows[0]["figure"]["p50_s"] == pytest.approx(0.090)
    assert rows[0]["status"] == "MISSED"  # p95 of 80, 90, 200 ms is above 150 ms
    absent = browser_rows(["LimitExplorer"], tmp_path / "nothing.json")
    assert absent[0].figure is None and absent[0].missing.startswith("not measured")


def test_a_missed_goal_is_marked_in_the_table_not_hidden():
    row = Row(
        "1",
        "too slow",
        figure=Stats.of([0.5, 0.6]),
        baseline=Stats.of([1.0]),
        goals=(Goal("p50", "<=", 0.1), Goal("ratio", ">=", 2.0)),
    )
    assert row.status == "MISSED"
    assert [goal.metric for goal in row.missed_goals()] == ["p50", "ratio"]
    line = [text for text in table_lines([row], {}) if text.startswith("too slow")][0]
    assert "✗ MISSED: p50, ratio" in line


# The equivalence checks ---------------------------------------------------------------------


def test_check_same_is_normwise_relative():
    reference = np.array([[1.0, 2.0], [3.0, -4.0]])
    assert check_same("same", reference * (1 + 1e-13), reference) < 1e-12
    with pytest.raises(MismatchError, match="differ by"):
        check_same("off", reference + 1e-8, reference)
    with pytest.raises(MismatchError, match="shapes"):
        check_same("shorter", reference[:1], reference)
    with pytest.raises(MismatchError):
        check_same("nan", reference * np.nan, reference)


def test_the_closed_form_and_the_seed_loop_really_follow_the_same_trajectory():
    problem = make_problem(40, 3)
    path = closed_form_path(precompute(problem), problem, 50)
    assert check_same("ok", path, seed_loop(problem, 50)) <= core_speed.RTOL
    # One step more or a slightly different rate is caught.
    with pytest.raises(MismatchError):
        check_same("shifted", path[1:], seed_loop(problem, 49))
    nudged = dataclasses.replace(problem, learning_rate=problem.learning_rate * (1 + 1e-7))
    with pytest.raises(MismatchError):
        check_same(
            "nudged", closed_form_path(precompute(nudged), nudged, 50), seed_loop(problem, 50)
        )


def test_a_wrong_engine_stops_the_gradient_descent_section():
    def wrong(quadratic, problem, iterations):
        path = closed_form_path(quadratic, problem, iterations).copy()
        path[-1] += 1e-6  # wrong only at the very last iterate the baseline runs
        return path

    settings = dataclasses.replace(TINY_GD, iteration_counts=(20,), baseline_work=1e9)
    with pytest.raises(MismatchError, match="closed form vs seed loop"):
        core_speed.gradient_descent_rows(settings, engine=wrong)


def test_a_wrong_sweep_or_surface_stops_their_sections(monkeypatch):
    real_sweep, real_surface = core_speed.gradient_descent_sweep, core_speed.loss_surface

    def sweep_off_by_one_rate(quadratic, w0, rates, *args, **kwargs):
        return real_sweep(quadratic, w0, np.roll(rates, 1), *args, **kwargs)

    monkeypatch.setattr(core_speed, "gradient_descent_sweep", sweep_off_by_one_rate)
    with pytest.raises(MismatchError, match="sweep"):
        core_speed.sweep_rows(TINY_SWEEP)
    monkeypatch.setattr(core_speed, "gradient_descent_sweep", real_sweep)

    def transposed_surface(*args, **kwargs):
        return real_surface(*args, **kwargs).T

    monkeypatch.setattr(core_speed, "loss_surface", transposed_surface)
    with pytest.raises(MismatchError, match="loss surface"):
        core_speed.surface_rows(dataclasses.replace(TINY_SURFACE, grid=7))


def test_a_mismatch_makes_the_command_fail_loudly(monkeypatch, tmp_path, capsys):
    def mismatch(*args, **kwargs):
        raise MismatchError("GD n=10 d=1: the engine and the baseline differ")

    monkeypatch.setattr(run, "run", mismatch)
    assert main(["--quick", "--json", str(tmp_path / "out.json")]) == 2
    assert "BENCHMARK ABORTED" in capsys.readouterr().err


# The moves ----------------------------------------------------------------------------------


def test_planned_moves_always_change_the_control_and_apply_like_the_front_end():
    from calcwidgets import IntegralExplorer

    explorer = IntegralExplorer()
    for name, control in control_names(explorer).items():
        moves = plan_moves(control, 6, seed=1)
        assert len(moves) == 6, name
        previous = current_state(control)
        for state in moves:
            assert state != previous
            previous = state
        apply_state(control, moves[0])
        assert current_state(control) == moves[0], name
