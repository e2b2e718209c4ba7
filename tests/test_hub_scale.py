"""The smoke run of labs/scale_test.py: two learners on a real JupyterHub, on loopback.

The script runs in its own process, as an instructor runs it. These tests check
what must hold on any machine: nobody failed, every learner's frame changed with
the slider, and nothing the run started is still running (checked here too,
independently of the script's own report). Timings are reported, never asserted.
"""

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SCRIPT = REPOSITORY / "labs" / "scale_test.py"
LEARNERS, MOVES = 2, 8


def _load_script():
    spec = importlib.util.spec_from_file_location("calcwidgets_labs_scale_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


if not SCRIPT.exists():  # an sdist without labs/
    pytest.skip(f"{SCRIPT} is not here", allow_module_level=True)
scale_test = _load_script()


def _missing() -> list[str]:
    missing = []
    for module, install in [("jupyterhub", "pip install jupyterhub"),
                            ("nbgitpuller", "pip install nbgitpuller")]:  # fmt: skip
        if importlib.util.find_spec(module) is None:
            missing.append(f"{module} is not installed ({install})")
    if scale_test.find_proxy() is None:
        missing.append(
            "configurable-http-proxy is not installed "
            f"(npm install --prefix labs/.proxy {scale_test.PROXY_RELEASE})"
        )
    if shutil.which("git") is None:
        missing.append("git is not installed")
    return missing


def _marked(run_id: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if (
                process.environ().get(scale_test.RUN_MARKER) == run_id
                and process.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(process)
        except psutil.Error:
            continue
    return found


def _kill(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(processes, timeout=10)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("CALCWIDGETS_REQUIRE_HUB") == "1":
            pytest.fail("the hub scale test cannot run: " + "; ".join(missing))
        pytest.skip("; ".join(missing))
    run_id = f"pytest-{uuid.uuid4().hex}"
    report_path = tmp_path_factory.mktemp("hub") / "report.json"
    command = [sys.executable, str(SCRIPT), "--learners", str(LEARNERS), "--moves", str(MOVES),
               "--step-timeout", "90", "--json", str(report_path), "--run-id", run_id]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the script stops what it started, then exits
        try:
            output, _ = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        _kill(_marked(run_id))
        pytest.fail(f"the scale test did not finish within 300 s; it printed:\n{output}")
    leftovers = _marked(run_id)
    left = [f"{p.pid} {' '.join(p.cmdline())}" for p in leftovers if p.is_running()]
    _kill(leftovers)
    assert report_path.exists(), f"no report; the scale test printed:\n{output}"
    return {
        "returncode": process.returncode,
        "output": output,
        "report": json.loads(report_path.read_text()),
        "leftovers": left,
    }


def test_every_learner_gets_through(smoke_run):
    report = smoke_run["report"]
    assert report["failures"] == [], smoke_run["output"]
    assert smoke_run["returncode"] == 0, smoke_run["output"]
    assert [learner["name"] for learner in report["learners"]] == ["learner-01", "learner-02"]


def test_every_learner_got_frames_that_changed_with_the_slider(smoke_run):
    for learner in smoke_run["report"]["learners"]:
        frames = learner["frames"]
        # Two untimed warm-up moves, then the timed ones: one new frame for each.
        assert len(frames) == 2 + MOVES, learner
        assert learner["frames_changed"], learner
        assert all(a != b for a, b in zip(frames, frames[1:], strict=False)), learner
        assert len(learner["latencies_ms"]) == MOVES, learner


def test_memory_and_times_are_reported(smoke_run):
    report = smoke_run["report"]
    for learner in report["learners"]:
        assert learner["seconds_to_running_server"] > 0
        assert learner["server_rss_mib"] > 0 and learner["kernels_rss_mib"] > 0
    assert report["latency_single_ms"]["n"] == MOVES
    assert report["latency_under_load_ms"]["n"] == LEARNERS * MOVES
    assert "p95_ratio" in report


def test_everything_was_stopped(smoke_run):
    report = smoke_run["report"]
    # Hub, proxy, and a server and a kernel per learner, at the least, were seen running.
    assert report["processes_seen"] >= 2 + 2 * LEARNERS
    assert report["left_running_after_stop"] == [], "the hub's own stop left these running"
    assert report["still_running"] == []
    assert report["ports_still_open"] == []
    assert smoke_run["leftovers"] == [], "processes of the run still running after it ended"
