"""Grade the notebooks learners hand in: run each in a fresh, contained kernel, judge the answers.

Usage
-----
``calcwidgets-course grade SUBMISSIONS… --out DIR`` (see :func:`grade_submissions`)
writes ``DIR/grades.csv`` (one row per learner, notebook and check), ``DIR/summary.md``
(totals per learner, statistics per exercise, every problem met) and
``DIR/notebooks/<learner>/<notebook>``, each submission as it ran, outputs capped.

Layout of the submissions
-------------------------
Each argument is a notebook or a folder searched recursively for ``*.ipynb``
(hidden folders such as ``.ipynb_checkpoints`` are skipped). The learner is the
part of the file name before a double underscore, ``alice__01_limits.ipynb``, or
else the name of the folder holding the file, ``alice/01_limits.ipynb``. The
lesson is the two-digit number the rest of the name starts with, so
``01_limits.ipynb`` and ``01_limits (1).ipynb`` are both lesson 01.

What is graded
--------------
Every exercise of the lesson, as the course notebook ``--course/NN_*.ipynb``
lists them, gets its visible check (the one the learner sees) and each of its
hidden checks (:func:`calcwidgets.exercises._framework.hidden_check`: the
learner's function called on inputs the notebook never shows, drawn from a seed
the grader picks per run). The outcomes are those of the checks, ``correct``,
``incorrect`` and ``not attempted yet``, plus ``error`` (the exercise cell raised
before its check ran), ``timed out``, ``not reached`` (the kernel died or the
notebook ran out of time first), ``missing`` (no cell calls the check) and
``not graded`` (the file is no notebook, is of another lesson, or no kernel
could start). All code cells run even when some raise, so one broken cell costs
only the exercises that depend on it; a cell that exceeds the per-cell limit is
interrupted and the next cell runs; at the per-notebook limit the kernel is killed.

Trust model
-----------
The learner's code and the checks share one kernel, so whatever the kernel
reports can be forged. The grader therefore uses the kernel only as a source of
*answers*: :func:`calcwidgets.exercises.check` appends each answer, encoded as
plain JSON data, to a record file in the kernel's folder. After the kernel has
been killed the grader reads that file as untrusted input (size-capped, no
symlinks, strict decoding) and judges every answer again in its own process with
its own import of the checks, loaded before any kernel started. A forged
verdict, a replaced ``check`` or an edited record earns nothing by itself: a
verdict in the record only serves to report disagreements with the re-check.

What a learner *can* still forge is the answer: writing the right numbers into
the record without the code that computes them scores like typing the right
number into the answer cell, which the visible checks accept anyway. Hidden checks
narrow this: their inputs come from a seed chosen when grading starts. They run
the learner's function in the learner's kernel, though, so a learner who reads
the check's source in the installed package and patches the probe can feed it
right values. Grading is a check of work, not a proctored exam.

Containment
-----------
Each submission runs in its own temporary folder (its ``HOME`` and working
directory) with a minimal environment (none of the grader's variables), memory,
file size, process and CPU-time limits, and its output to the notebook capped
(``max_output`` bytes; beyond that it is dropped and reported). When the grader
runs as root on Linux it also

* runs the kernel as a throwaway user id of its own, with no groups and
  ``no_new_privs``, so it cannot write files it does not own, nor read or signal
  another submission's kernel or folder (each is ``0700`` to its own user);
* puts the kernel in private mount and network namespaces: ``/tmp``,
  ``/var/tmp`` and ``/dev/shm`` are empty scratch space of its own; ``/root``,
  ``/home``, the course (which holds the solutions), every submission folder and
  the output folder are hidden behind empty read-only mounts, keeping only what
  Python needs; and there is no network;
* kills every process of that user id afterwards, escaped daemons included.

Without root none of this is possible and the kernel runs as the grading user:
it starts in a fresh folder, so relative paths reach nothing of the grader's,
but absolute paths reach whatever that user may touch. Grade untrusted work as
root in a container or virtual machine, or as a user who owns nothing else. The
summary states which containment each run had.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import ctypes
import json
import math
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_MAX_OUTPUT",
    "DEFAULT_TIMEOUT",
    "CourseLesson",
    "ExerciseGrade",
    "Submission",
    "SubmissionReport",
    "find_submissions",
    "grade_submissions",
    "load_course",
    "summary_text",
    "write_grades_csv",
]

#: Seconds one notebook may run (kernel start-up not included).
DEFAULT_TIMEOUT = 600.0
#: Seconds one cell may run before it is interrupted.
DEFAULT_CELL_TIMEOUT = 120.0
#: Bytes of output one notebook may produce; the rest is dropped and reported.
DEFAULT_MAX_OUTPUT = 2_000_000
#: Address space of a kernel, in MiB.
DEFAULT_MEMORY_MB = 4096

MAX_NOTEBOOK_BYTES = 20_000_000
MAX_RECORD_BYTES = 16_000_000
_STARTUP_TIMEOUT = 60
_MAX_FILE_BYTES = 64 * 2**20
_MAX_PROCESSES = 512
_TIMEOUT_ENAME = "GraderCellTimeout"
_UID_FIRST = 1_900_000_000
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])
_UIDS_PER_RUN = 100_000

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted yet"
ERROR = "error"
TIMED_OUT = "timed out"
NOT_REACHED = "not reached"
MISSING = "missing"
NOT_GRADED = "not graded"
_DIED = "died"

_LESSON_NAME = re.compile(r"(\d\d)(?!\d)")
_HEADER = re.compile(r"^#\s*(\d\d)\s*·\s*(.+)")
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\d+)["']""")


# Submissions and the course -------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """One handed-in notebook.

    Attributes
    ----------
    learner : str
        From the file name (``alice__01_limits.ipynb``) or its folder (``alice/01_limits.ipynb``).
    path : pathlib.Path
        The file, resolved.
    lesson : str or None
        The two-digit lesson number the file name gives, or None if it gives none.
    """

    learner: str
    path: Path
    lesson: str | None

    @property
    def notebook(self) -> str:
        """The file name as handed in."""
        return self.path.name

    @classmethod
    def from_path(cls, path: Path) -> Submission:
        """Read the learner and the lesson from a file's name and folder."""
        path = Path(path).resolve()
        learner, separator, rest = path.stem.partition("__")
        if not separator:
            learner, rest = path.parent.name, path.stem
        match = _LESSON_NAME.match(rest.strip())
        return cls(learner.strip() or "unknown", path, match[1] if match else None)


def find_submissions(paths: Iterable[Path | str]) -> list[Submission]:
    """Return the submissions among ``paths``: notebooks, and folders searched for ``*.ipynb``.

    Raises
    ------
    ValueError
        If a path does not exist or a folder holds no notebook.
    """
    found: dict[Path, Submission] = {}
    for given in map(Path, paths):
        if given.is_dir():
            files = sorted(
                path
                for path in given.rglob("*.ipynb")
                if path.is_file()
                and not any(part.startswith(".") for part in path.relative_to(given).parts)
            )
            if not files:
                raise ValueError(f"no .ipynb notebooks in {given}")
        elif given.is_file():
            files = [given]
        else:
            raise ValueError(f"submission path does not exist: {given}")
        for path in files:
            submission = Submission.from_path(path)
            found.setdefault(submission.path, submission)
    return sorted(found.values(), key=lambda s: (s.learner, s.notebook, str(s.path)))


@dataclass(frozen=True)
class CourseLesson:
    """A lesson of the course as the grader needs it: its number, title and exercises."""

    stem: str
    number: str
    title: str
    exercises: tuple[str, ...]


def load_course(course_dir: Path | str) -> dict[str, CourseLesson]:
    """Return the lessons of the course in ``course_dir`` by their two-digit number.

    Raises
    ------
    ValueError
        If the folder holds no lesson notebooks, or an exercise has no registered check.
    """
    from .exercises._framework import registered_exercises

    course_dir = Path(course_dir)
    if not course_dir.is_dir():
        raise ValueError(f"course must be the folder of the course notebooks, got {course_dir}")
    known = registered_exercises()
    lessons = {}
    for path in sorted(course_dir.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        number, title = _header(notebook) or (path.stem[:2], path.stem)
        exercises = tuple(dict.fromkeys(_check_calls(notebook)))
        unknown = [name for name in exercises if name not in known]
        if unknown:
            raise ValueError(f"{path.name} checks exercises with no registered check: {unknown}")
        lessons[number] = CourseLesson(path.stem, number, title, exercises)
    if not lessons:
        raise ValueError(f"course folder holds no notebooks: {course_dir}")
    return lessons


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _header(notebook: dict) -> tuple[str, str] | None:
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            match = _HEADER.match(_source(cell).strip())
            return (match[1], match[2].strip()) if match else None
    return None


def _check_calls(notebook: dict) -> list[str]:
    return [
        name
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
        for name in _CHECK_CALL.findall(_source(cell))
    ]


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseGrade:
    """The grade of one check (visible or hidden) of one submission."""

    exercise: str
    points: float
    max_points: float
    outcome: str
    feedback: str


@dataclass
class SubmissionReport:
    """What grading one submission found.

    Attributes
    ----------
    submission : Submission
        The file graded.
    lesson : CourseLesson or None
        The lesson it was graded against.
    status : str
        ``"graded"``, ``"timed out"``, ``"kernel died"`` or a reason it was not graded.
    grades : list of ExerciseGrade
        One per check.
    problems : list of str
        Everything an instructor should know: cells that raised, truncated output, …
    containment : str
        How the kernel was contained.
    seconds : float
        Wall-clock time spent on it.
    """

    submission: Submission
    lesson: CourseLesson | None
    status: str
    grades: list[ExerciseGrade] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    containment: str = ""
    seconds: float = 0.0

    @property
    def points(self) -> float:
        """Points earned."""
        return sum(grade.points for grade in self.grades)

    @property
    def max_points(self) -> float:
        """Points available."""
        return sum(grade.max_points for grade in self.grades)


# Reading a submission ------------------------------------------------------------------------


def _read_notebook(path: Path) -> tuple[Any, str | None]:
    """Return the notebook (an nbformat node) or None and why it cannot be graded."""
    import nbformat

    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, f"the file is {size:,} bytes, more than the {MAX_NOTEBOOK_BYTES:,} allowed"
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, f"the file cannot be read as UTF-8 text ({type(error).__name__}: {error})"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        return None, f"the file is not valid JSON ({str(error)[:200]})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "the file is JSON but not a Jupyter notebook (it has no list of cells)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises many kinds for malformed notebooks
        return (
            None,
            f"the file is not a valid notebook ({type(error).__name__}: {str(error)[:200]})",
        )
    for cell in notebook.cells:
        if not isinstance(cell.get("cell_type"), str) or not isinstance(cell.get("source"), str):
            return None, "the file is not a valid notebook (a cell lacks a type or a source)"
    return notebook, None


def _wrong_lesson(notebook: Any, submission: Submission, lesson: CourseLesson) -> str | None:
    """Say why the notebook is not the lesson its file name claims, or return None."""
    claims = []
    declared = notebook.metadata.get("calcwidgets", {})
    declared = declared.get("lesson") if isinstance(declared, dict) else None
    if isinstance(declared, str) and declared[:2] != lesson.number:
        claims.append(f"its metadata names lesson {declared!r}")
    header = _header(notebook)
    if header and header[0] != lesson.number:
        claims.append(f"its title is '{header[0]} · {header[1]}'")
    checked = {name[:2] for name in _check_calls(notebook)}
    if not header and checked and lesson.number not in checked:
        claims.append(f"its exercises are from lesson {', '.join(sorted(checked))}")
    if not claims:
        return None
    return (
        f"wrong lesson: the file name says {lesson.number} · {lesson.title}, but "
        + " and ".join(claims)
    )


# The sandbox ---------------------------------------------------------------------------------

_CLONE_NEWNS = 0x00020000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV = 1, 2, 4
_MS_BIND, _MS_MOVE, _MS_REC, _MS_PRIVATE = 4096, 8192, 16384, 1 << 18
_PR_SET_NO_NEW_PRIVS = 38
_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
_PRIVATE = ("/root", "/home")


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _needed_paths() -> list[str]:
    """Folders a kernel must still reach when others are hidden."""
    import calcwidgets

    candidates = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(sys.executable),
        os.path.dirname(os.path.dirname(calcwidgets.__file__)),
        *sys.path,
    ]
    needed = set()
    for path in candidates:
        if path and os.path.isdir(path):
            needed.update({os.path.abspath(path), os.path.realpath(path)})
    return sorted(needed)


def _masks(hidden: Iterable[Path], keep_also: str) -> tuple[list[dict], list[str]]:
    """Plan the mounts that hide folders from a kernel; return them and what cannot be hidden.

    Each plan replaces ``path`` by an empty file system (writable scratch space for
    ``/tmp`` and its kind, read-only elsewhere) that still shows the folders in
    ``keep``: the ones Python, calcwidgets and the kernel's own folder live in.
    """
    needed = [*_needed_paths(), keep_also]
    wanted = [(path, True) for path in _SCRATCH]
    wanted += [(path, False) for path in _PRIVATE]
    wanted += [(str(Path(path).resolve()), False) for path in hidden]
    plans, refused, seen = [], [], set()
    for path, scratch in wanted:
        if path in seen or not os.path.isdir(path):
            continue
        seen.add(path)
        if path in needed:
            refused.append(path)
            continue
        keep = sorted({folder for folder in needed if _within(folder, path) and folder != path})
        plans.append({"path": path, "scratch": scratch, "keep": keep})
    plans.sort(key=lambda plan: plan["path"].count("/"))
    return plans, refused


def _libc_call(libc: Any, name: str, *arguments: Any) -> None:
    if getattr(libc, name)(*arguments) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{name}: {os.strerror(number)}")


def _apply_masks(libc: Any, masks: list[dict], stage_root: str, status: dict) -> None:
    _libc_call(libc, "mount", b"none", b"/", None, _MS_REC | _MS_PRIVATE, None)
    status["mount_namespace"] = True
    for index, mask in enumerate(masks):
        path = mask["path"]
        if not os.path.isdir(path):
            continue  # already hidden by an enclosing mask
        stage = os.path.join(stage_root, f"stage-{index}")
        os.mkdir(stage, 0o700)
        options = b"mode=1777,size=64m" if mask["scratch"] else b"mode=0755,size=64k"
        _libc_call(
            libc, "mount", b"tmpfs", stage.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options
        )
        for folder in mask["keep"]:
            inside = stage
            for part in Path(os.path.relpath(folder, path)).parts:
                inside = os.path.join(inside, part)
                if not os.path.isdir(inside):
                    os.mkdir(inside, 0o711)  # passable, not listable
            _libc_call(
                libc, "mount", folder.encode(), inside.encode(), None, _MS_BIND | _MS_REC, None
            )
        if not mask["scratch"]:
            flags = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | 32  # 32: MS_REMOUNT
            _libc_call(libc, "mount", None, stage.encode(), None, flags, None)
        _libc_call(libc, "mount", stage.encode(), path.encode(), None, _MS_MOVE, None)
        status["masked"].append(path)


def _sandbox_main(argv: Sequence[str] | None = None) -> None:
    """Enter the sandbox and exec the kernel: ``CONFIG_JSON -- COMMAND…``.

    Runs in the kernel's process before the kernel: as root it enters new mount
    and network namespaces, hides folders, sets resource limits, writes what it
    achieved to ``status`` and drops to the throwaway user; then it execs COMMAND.
    """
    import signal

    try:
        import resource
    except ImportError:  # Windows
        resource = None
    argv = list(sys.argv[1:] if argv is None else argv)
    config, command = json.loads(argv[0]), argv[2:]
    status: dict[str, Any] = {
        "user": None,
        "mount_namespace": False,
        "masked": [],
        "network": "shared",
        "errors": [],
    }
    libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
    if libc is not None and config["isolate"]:
        try:
            _libc_call(libc, "unshare", _CLONE_NEWNS)
            _apply_masks(libc, config["masks"], config["stage"], status)
        except OSError as error:
            status["errors"].append(f"mount namespace: {error}")
        try:
            _libc_call(libc, "unshare", _CLONE_NEWNET)
            status["network"] = "none"
        except OSError as error:
            status["errors"].append(f"network namespace: {error}")
    for name, value in config["limits"].items() if resource else ():
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (AttributeError, ValueError, OSError) as error:
            status["errors"].append(f"{name}: {error}")
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large file is an error, not a kill
    if libc is not None:
        libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    uid = config["uid"]
    if uid is not None:
        status["user"] = uid
    descriptor = os.open(config["status"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as written:
        json.dump(status, written)
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise SystemExit("calcwidgets grader: could not drop privileges")
    os.execv(command[0], command)


def _uid_is_mapped(uid: int) -> bool:
    try:
        lines = Path("/proc/self/uid_map").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        inside, _outside, count = (int(part) for part in line.split())
        if inside <= uid < inside + count:
            return True
    return False


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("Uid:"):
                        if uid in (int(value) for value in line.split()[1:]):
                            pids.append(int(entry))
                        break
        except OSError:
            continue
    return pids


def _kill_user(uid: int) -> int:
    """Kill every process of ``uid``, however it detached; return how many there were."""
    import signal

    killed: set[int] = set()
    for _ in range(100):
        pids = _processes_of(uid)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return len(killed)


@dataclass(frozen=True)
class _SandboxPolicy:
    """What this machine allows, decided once per run."""

    isolate: bool
    uid_base: int | None
    hidden: tuple[Path, ...]
    memory_mb: int
    timeout: float

    @property
    def name(self) -> str:
        """The containment in a few words."""
        if self.uid_base is not None:
            return "a throwaway user in private namespaces"
        if self.isolate:
            return "private namespaces as root"
        return "no containment beyond a fresh folder and limits"


def _sandbox_policy(sandbox: bool, hidden: Iterable[Path], memory_mb: int, timeout: float):
    root = sys.platform == "linux" and hasattr(os, "geteuid") and os.geteuid() == 0
    uid_base = None
    if sandbox and root:
        start = _UID_FIRST + secrets.randbelow(2000) * _UIDS_PER_RUN  # below 2³¹
        if _uid_is_mapped(start) and _uid_is_mapped(start + _UIDS_PER_RUN - 1):
            uid_base = start
    return _SandboxPolicy(
        isolate=sandbox and root,
        uid_base=uid_base,
        hidden=tuple(hidden),
        memory_mb=memory_mb,
        timeout=timeout,
    )


class _Sandbox:
    """The folders, user and launcher of one submission's kernel."""

    def __init__(self, root: Path, index: int, policy: _SandboxPolicy, seed: int) -> None:
        self.folder = root / f"s{index:04d}"
        self.folder.mkdir(mode=0o711)
        self.home = self.folder / "home"
        self.runtime = self.folder / "runtime"
        self.status = self.folder / "status.json"
        self.log = self.folder / "kernel.log"
        self.record = self.runtime / "record.jsonl"
        self.uid = None
        if policy.uid_base is not None:
            uid = policy.uid_base + index
            if not _processes_of(uid):
                self.uid = uid
        for folder in (self.home, self.runtime, self.home / "tmp", self.home / ".config"):
            folder.mkdir(mode=0o700)
        self._copy_font_cache()
        if self.uid is not None:
            for path in (self.home, self.runtime, *self.home.rglob("*")):
                os.chown(path, self.uid, self.uid, follow_symlinks=False)
        self.policy = policy
        self.seed = seed
        masks, self.unhidden = (
            _masks(policy.hidden, str(self.folder)) if policy.isolate else ([], [])
        )
        limits = {
            "RLIMIT_AS": policy.memory_mb * 2**20,
            "RLIMIT_FSIZE": _MAX_FILE_BYTES,
            "RLIMIT_CORE": 0,
            "RLIMIT_CPU": int(2 * policy.timeout + 60),
        }
        if self.uid is not None:
            limits["RLIMIT_NPROC"] = _MAX_PROCESSES
        self.config = {
            "isolate": policy.isolate,
            "masks": masks,
            "stage": str(self.folder),
            "limits": limits,
            "uid": self.uid,
            "status": str(self.status),
        }

    def _copy_font_cache(self) -> None:
        """Give matplotlib the grader's font list, so each kernel need not rebuild it."""
        cache = os.environ.get("MPLCONFIGDIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib"
        )
        target = self.home / ".config" / "matplotlib"
        target.mkdir(mode=0o700)
        for path in Path(cache).glob("fontlist-*.json"):
            try:
                shutil.copyfile(path, target / path.name)
            except OSError:
                pass

    def launcher(self) -> list[str]:
        """Return the command that enters the sandbox; the kernel's own command follows it."""
        code = (
            f"import sys; sys.path.insert(0, {_PACKAGE_PARENT!r}); "
            "from calcwidgets.grading import _sandbox_main; _sandbox_main()"
        )
        return [sys.executable, "-I", "-c", code, json.dumps(self.config), "--"]

    def environment(self) -> dict[str, str]:
        """Return the kernel's whole environment: nothing of the grader's but PATH."""
        from .exercises._framework import GRADING_RECORD_ENV, GRADING_SEED_ENV

        home = str(self.home)
        return {
            "PATH": os.environ.get("PATH", os.defpath),
            "PYTHONPATH": _PACKAGE_PARENT,  # the same calcwidgets as the grader's
            "HOME": home,
            "USER": "learner",
            "LOGNAME": "learner",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMPDIR": os.path.join(home, "tmp"),
            "MPLCONFIGDIR": os.path.join(home, ".config", "matplotlib"),
            "IPYTHONDIR": os.path.join(home, ".ipython"),
            "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
            "JUPYTER_DATA_DIR": os.path.join(home, ".local", "share", "jupyter"),
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            GRADING_RECORD_ENV: str(self.record),
            GRADING_SEED_ENV: str(self.seed),
        }

    def describe(self) -> str:
        """Say how the kernel was contained, from what the launcher reported."""
        try:
            status = json.loads(self.status.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "unknown: the kernel did not start"
        parts = []
        if status.get("user") is not None:
            parts.append("a throwaway user id of its own")
        else:
            parts.append("the grader's own user, so absolute paths are not contained")
        if status.get("mount_namespace"):
            parts.append(f"{len(status.get('masked', []))} folders hidden or private")
        if status.get("network") == "none":
            parts.append("no network")
        if self.unhidden:
            parts.append(f"could not hide {', '.join(self.unhidden)}")
        for error in status.get("errors", []):
            parts.append(f"failed: {error}")
        return "; ".join(parts)

    def kill_leftovers(self) -> int:
        """Kill whatever the kernel's user still runs."""
        return _kill_user(self.uid) if self.uid is not None else 0

    def log_tail(self, size: int = 1500) -> str:
        """Return the end of the kernel's own stderr, to explain a failed start."""
        try:
            with open(self.log, "rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - size))
                return log.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def remove(self) -> None:
        """Delete the submission's folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _probe(policy: _SandboxPolicy, root: Path, index: int) -> str | None:
    """Start Python through the launcher as a kernel would; return why that failed, or None."""
    sandbox = _Sandbox(root, index, policy, seed=0)
    command = [*sandbox.launcher(), sys.executable, "-c", "import calcwidgets.exercises"]
    try:
        result = subprocess.run(
            command,
            cwd=sandbox.home,
            env=sandbox.environment(),
            capture_output=True,
            timeout=_STARTUP_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        sandbox.kill_leftovers()
        sandbox.remove()
    if result.returncode:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {result.returncode}"
    return None


def _workable_policy(
    policy: _SandboxPolicy, root: Path, index: int
) -> tuple[_SandboxPolicy, list[str]]:
    """Return the strongest containment that can start Python here, and notes on what failed."""
    candidates = [policy]
    if policy.uid_base is not None:
        candidates.append(replace(policy, uid_base=None))
    if policy.isolate:
        candidates.append(replace(policy, isolate=False, uid_base=None))
    notes = []
    for attempt, candidate in enumerate(candidates):
        failure = _probe(candidate, root, index + attempt)
        if failure is None:
            return candidate, notes
        notes.append(f"a kernel could not start with {candidate.name} ({failure[:200]})")
    return candidates[-1], notes


def _read_record(path: Path) -> tuple[list[dict], list[str]]:
    """Read the kernel's record as untrusted input: a regular file, size-capped, line by line."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [f"the grading record could not be opened ({error.strerror})"]
    with os.fdopen(descriptor, "rb") as record:
        if not stat.S_ISREG(os.fstat(record.fileno()).st_mode):
            return [], ["the grading record was replaced by something that is not a file"]
        data = record.read(MAX_RECORD_BYTES + 1)
    problems = []
    if len(data) > MAX_RECORD_BYTES:
        problems.append(f"the grading record is larger than {MAX_RECORD_BYTES:,} bytes; cut")
        data = data[:MAX_RECORD_BYTES]
    entries, malformed = [], 0
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):
            malformed += 1
            continue
        if isinstance(entry, dict) and isinstance(entry.get("exercise"), str):
            entries.append(entry)
        else:
            malformed += 1
    if malformed:
        problems.append(f"{malformed} line(s) of the grading record were malformed and ignored")
    return entries, problems


# Running a notebook --------------------------------------------------------------------------


@dataclass
class _Run:
    """What happened while a notebook ran."""

    cells: dict[int, tuple[str, str]] = field(default_factory=dict)
    stopped: str | None = None
    start_error: str | None = None
    dropped_output: int = 0


def _content_size(content: dict) -> int:
    if isinstance(content.get("text"), str):
        return len(content["text"])
    try:
        return len(json.dumps(content, default=str))
    except (TypeError, ValueError, RecursionError):
        return 0


_CLASSES: dict[str, type] = {}


def _classes() -> tuple[type, type]:
    """Return the kernel manager and notebook client classes, made on first use."""
    if not _CLASSES:
        import nbformat
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient

        class SandboxKernelManager(AsyncKernelManager):
            """Starts the kernel through the sandbox launcher, as the throwaway user."""

            launcher: list[str] = []
            owner: int | None = None

            def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
                kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]
                return [*self.launcher, *kernel, *(extra_arguments or [])]

            def write_connection_file(self, **kwargs: Any) -> None:
                super().write_connection_file(**kwargs)
                if self.owner is not None:
                    os.chown(self.connection_file, self.owner, self.owner)

        class GradingClient(NotebookClient):
            """A notebook client that caps outputs and ignores widget state."""

            output_limit = DEFAULT_MAX_OUTPUT
            output_bytes = 0
            dropped_bytes = 0

            def output(self, outs, msg, display_id, cell_index):  # noqa: D102
                size = _content_size(msg.get("content", {}))
                if self.output_bytes + size > self.output_limit:
                    if not self.dropped_bytes:
                        note = (
                            f"\n[calcwidgets grader: output beyond {self.output_limit:,} bytes "
                            "was dropped from here on]\n"
                        )
                        outs.append(nbformat.v4.new_output("stream", name="stderr", text=note))
                    self.dropped_bytes += size
                    return None
                self.output_bytes += size
                return super().output(outs, msg, display_id, cell_index)

            def _update_display_id(self, display_id, msg):
                size = _content_size(msg.get("content", {}))
                if self.output_bytes + size > self.output_limit:
                    self.dropped_bytes += size
                    return
                self.output_bytes += size
                super()._update_display_id(display_id, msg)

            def handle_comm_msg(self, outs, msg, cell_index):  # noqa: D102
                return None

            def set_widgets_metadata(self):  # noqa: D102
                return None

        _CLASSES["manager"] = SandboxKernelManager
        _CLASSES["client"] = GradingClient
    return _CLASSES["manager"], _CLASSES["client"]


async def _run_notebook(
    notebook: Any, sandbox: _Sandbox, *, timeout: float, cell_timeout: float, max_output: int
) -> _Run:
    from nbclient.exceptions import DeadKernelError

    manager_class, client_class = _classes()
    run = _Run()
    linux = sys.platform == "linux"
    manager = manager_class(
        kernel_name="python3",
        transport="ipc" if linux else "tcp",
        ip=str(sandbox.runtime / "kernel") if linux else "127.0.0.1",
        connection_file=str(sandbox.runtime / "kernel.json"),
    )
    manager.launcher = sandbox.launcher()
    manager.owner = sandbox.uid
    deadline = [math.inf]

    def cell_limit(cell: Any) -> int:
        return max(1, math.ceil(min(cell_timeout, deadline[0] - time.monotonic())))

    def executed(cell: Any, cell_index: int, execute_reply: dict | None) -> None:
        content = (execute_reply or {}).get("content", {})
        if content.get("status") != "error":
            run.cells[cell_index] = ("ok", "")
        elif content.get("ename") == _TIMEOUT_ENAME:
            run.cells[cell_index] = (TIMED_OUT, str(content.get("evalue", "")))
        else:
            text = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
            run.cells[cell_index] = (ERROR, text[:300])

    client = client_class(
        notebook,
        km=manager,
        timeout_func=cell_limit,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": _TIMEOUT_ENAME,
            "evalue": f"ran longer than the {cell_timeout:g} s a cell may take and was interrupted",
            "traceback": [],
        },
        allow_errors=True,
        startup_timeout=_STARTUP_TIMEOUT,
        shutdown_kernel="immediate",
        on_cell_executed=executed,
    )
    client.output_limit = max_output
    with open(sandbox.log, "wb") as log:
        try:
            try:
                await client.async_start_new_kernel(
                    cwd=str(sandbox.home), env=sandbox.environment(), stdout=log, stderr=log
                )
                await client.async_start_new_kernel_client()
            except Exception as error:  # jupyter_client raises RuntimeError, TimeoutError, …
                run.start_error = f"{type(error).__name__}: {error}"
                return run
            client.reset_execution_trackers()
            deadline[0] = time.monotonic() + timeout
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                remaining = deadline[0] - time.monotonic()
                if remaining <= 0:
                    run.stopped = TIMED_OUT
                    break
                try:
                    await asyncio.wait_for(
                        client.async_execute_cell(
                            cell, index, execution_count=client.code_cells_executed + 1
                        ),
                        timeout=remaining + 15,
                    )
                except TimeoutError:
                    run.cells[index] = (
                        TIMED_OUT,
                        "was still running when the notebook ran out of time",
                    )
                    run.stopped = TIMED_OUT
                    break
                except DeadKernelError:
                    run.cells[index] = (_DIED, "the kernel died while running it")
                    run.stopped = "kernel died"
                    break
                except Exception as error:  # nbclient or the kernel broke down some other way
                    run.cells[index] = (ERROR, f"{type(error).__name__}: {error}"[:300])
                    run.stopped = "grading stopped"
                    break
                if index in run.cells and run.cells[index][0] == TIMED_OUT:
                    if time.monotonic() >= deadline[0]:
                        run.stopped = TIMED_OUT
                        break
        finally:
            run.dropped_output = client.dropped_bytes
            await _stop_kernel(client, manager)
            sandbox.kill_leftovers()
    return run


async def _stop_kernel(client: Any, manager: Any) -> None:
    try:
        if client.kc is not None:
            client.kc.stop_channels()
    except Exception:  # a dying kernel may leave its channels in any state
        pass
    try:
        await manager.shutdown_kernel(now=True)  # also removes the connection file
    except Exception:  # already dead, or never started
        pass


# Judging -------------------------------------------------------------------------------------


def _feedback_text(feedback: Any) -> str:
    text = feedback.message
    if feedback.hint and feedback.outcome.value == INCORRECT:
        text += f" Hint: {feedback.hint}"
    return text


def _grade(feedback: Any, label: str | None = None) -> ExerciseGrade:
    return ExerciseGrade(
        label or feedback.exercise,
        feedback.points,
        feedback.max_points,
        feedback.outcome.value,
        _feedback_text(feedback),
    )


def _why_unchecked(exercise: str, notebook: Any, run: _Run) -> tuple[str, str]:
    cells = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and exercise in _CHECK_CALL.findall(cell.source)
    ]
    if not cells:
        return MISSING, f'no cell calls check("{exercise}", …)'
    for index in cells:
        kind, text = run.cells.get(index, (None, ""))
        if kind == TIMED_OUT:
            return TIMED_OUT, f"the exercise cell {text}"
        if kind == ERROR:
            return ERROR, f"the exercise cell raised {text} before its check ran"
        if kind == _DIED:
            return NOT_REACHED, "the kernel died while the exercise cell ran"
    if any(index not in run.cells for index in cells):
        if run.stopped == TIMED_OUT:
            return TIMED_OUT, "not reached: the notebook ran out of time before this exercise"
        if run.stopped:
            return NOT_REACHED, f"not reached: {run.stopped} before this exercise"
        return MISSING, "the exercise cell did not run (is it tagged to be skipped?)"
    return MISSING, "the cell ran but no check was recorded (was check() replaced?)"


def _judge(
    lesson: CourseLesson, notebook: Any, run: _Run, entries: list[dict], seed: int
) -> tuple[list[ExerciseGrade], list[str]]:
    from .exercises._framework import decode_answer, hidden_checks, judge_answer, judge_hidden

    grades, problems = [], []
    for exercise in lesson.exercises:
        visible_points = judge_answer(exercise, ...).max_points
        hidden = hidden_checks(exercise)
        calls = [entry for entry in entries if entry["exercise"] == exercise]
        if not calls:
            outcome, message = _why_unchecked(exercise, notebook, run)
            grades.append(ExerciseGrade(exercise, 0.0, visible_points, outcome, message))
            for check in hidden:
                grades.append(
                    ExerciseGrade(check.label, 0.0, check.points, outcome, f"not run: {message}")
                )
            continue
        last = calls[-1]
        try:
            if "record_error" in last:
                raise ValueError(f"the kernel could not record it: {last['record_error']}"[:300])
            answer = decode_answer(last.get("answer"))
        except ValueError as error:
            message = f"the recorded answer is unusable: {error}"
            grades.append(ExerciseGrade(exercise, 0.0, visible_points, ERROR, message))
            for check in hidden:
                grades.append(ExerciseGrade(check.label, 0.0, check.points, ERROR, message))
            problems.append(f"{exercise}: {message}")
            continue
        feedback = judge_answer(exercise, answer)
        grades.append(_grade(feedback))
        claimed = last.get("outcome")
        if claimed != feedback.outcome.value:
            problems.append(
                f"{exercise}: the notebook's own check said {str(claimed)[:40]!r} but the "
                f"grader's re-check of the recorded answer says {feedback.outcome.value!r}"
            )
        probes = last.get("hidden") if isinstance(last.get("hidden"), dict) else {}
        for check in hidden:
            grades.append(_grade(judge_hidden(check, probes.get(check.key), seed), check.label))
    strangers = sorted({entry["exercise"][:20] for entry in entries} - set(lesson.exercises))
    if strangers:
        problems.append(
            f"check() was also called for exercises not in lesson {lesson.number}: "
            + ", ".join(strangers)
        )
    return grades, problems


def _not_graded(lesson: CourseLesson | None, reason: str) -> list[ExerciseGrade]:
    from .exercises._framework import hidden_checks, judge_answer

    if lesson is None:
        return [ExerciseGrade("", 0.0, 0.0, NOT_GRADED, reason)]
    grades = []
    for exercise in lesson.exercises:
        points = judge_answer(exercise, ...).max_points
        grades.append(ExerciseGrade(exercise, 0.0, points, NOT_GRADED, reason))
        for check in hidden_checks(exercise):
            grades.append(ExerciseGrade(check.label, 0.0, check.points, NOT_GRADED, reason))
    return grades


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "unnamed"


async def _grade_one(
    submission: Submission,
    index: int,
    lessons: dict[str, CourseLesson],
    sandbox_root: Path,
    policy: _SandboxPolicy,
    settings: dict[str, Any],
    out_dir: Path,
) -> SubmissionReport:
    import nbformat

    started = time.monotonic()
    lesson = lessons.get(submission.lesson or "")
    report = SubmissionReport(submission, lesson, NOT_GRADED)
    if lesson is None:
        numbers = ", ".join(sorted(lessons))
        reason = (
            f"unknown lesson: the file name should start with a lesson number ({numbers})"
            if submission.lesson is None
            else f"unknown lesson {submission.lesson}: the course has {numbers}"
        )
        report.grades, report.problems = _not_graded(None, reason), [reason]
        return report
    notebook, reason = _read_notebook(submission.path)
    if notebook is not None:
        reason = _wrong_lesson(notebook, submission, lesson)
    if reason:
        report.grades, report.problems = _not_graded(lesson, reason), [reason]
        return report
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    sandbox = _Sandbox(sandbox_root, index, policy, settings["seed"])
    try:
        run = await _run_notebook(
            notebook,
            sandbox,
            timeout=settings["timeout"],
            cell_timeout=settings["cell_timeout"],
            max_output=settings["max_output"],
        )
        report.containment = sandbox.describe()
        entries, record_problems = _read_record(sandbox.record)
        if run.start_error:
            reason = f"no kernel could start: {run.start_error}"
            tail = sandbox.log_tail()
            report.grades = _not_graded(lesson, reason)
            report.problems = [reason + (f"\n{tail}" if tail else "")]
            report.status = NOT_GRADED
            return report
        report.grades, judged_problems = _judge(lesson, notebook, run, entries, settings["seed"])
        report.status = run.stopped or "graded"
        report.problems = _run_problems(notebook, run, settings) + record_problems
        report.problems += judged_problems
        target = out_dir / "notebooks" / _safe_name(submission.learner) / submission.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.write(notebook, str(target))
    finally:
        sandbox.remove()
        report.seconds = time.monotonic() - started
    return report


def _cell_name(notebook: Any, index: int) -> str:
    """Name a cell as an instructor finds it: its position from 1 and its first line."""
    lines = [line.strip() for line in notebook.cells[index].source.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    first = first if len(first) <= 50 else first[:49] + "…"
    return f"cell {index + 1} ({first})"


def _run_problems(notebook: Any, run: _Run, settings: dict[str, Any]) -> list[str]:
    problems = []
    if run.stopped == TIMED_OUT:
        problems.append(f"timed out: the notebook ran longer than {settings['timeout']:g} s")
    elif run.stopped:
        problems.append(f"{run.stopped}: grading of this notebook stopped there")
    for index, (kind, text) in sorted(run.cells.items()):
        where = _cell_name(notebook, index)
        if kind == TIMED_OUT:
            problems.append(f"{where} timed out: it {text}")
        elif kind == ERROR:
            problems.append(f"{where} raised {text}")
        elif kind == _DIED:
            problems.append(f"{where}: {text}")
    if run.dropped_output:
        problems.append(
            f"output truncated: {run.dropped_output:,} bytes beyond the "
            f"{settings['max_output']:,} allowed were dropped"
        )
    return problems


def grade_submissions(
    submissions: Sequence[Submission],
    *,
    course_dir: Path | str,
    out_dir: Path | str,
    timeout: float = DEFAULT_TIMEOUT,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    max_output: int = DEFAULT_MAX_OUTPUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    seed: int | None = None,
    jobs: int = 1,
    sandbox: bool = True,
) -> list[SubmissionReport]:
    """Run and grade every submission; write ``grades.csv``, ``summary.md`` and the notebooks.

    A bad submission never stops the run: it gets a report saying what was wrong.

    Parameters
    ----------
    submissions : sequence of Submission
        What to grade, from :func:`find_submissions`.
    course_dir : path
        The course notebooks, which name each lesson's exercises.
    out_dir : path
        Where the results go; created if missing.
    timeout : float
        Seconds one notebook may run, kernel start-up not included.
    cell_timeout : float
        Seconds one cell may run before it is interrupted; the next cell then runs.
    max_output : int
        Bytes of output one notebook may produce before the rest is dropped.
    memory_mb : int
        Address space one kernel may use, in MiB.
    seed : int, optional
        Seed of the hidden checks' inputs; by default a fresh one per run.
    jobs : int
        How many notebooks run at once.
    sandbox : bool
        Contain kernels as far as this machine allows (see the module's notes).
        False runs them as the grading user with no namespaces, for debugging.

    Returns
    -------
    list of SubmissionReport
        One per submission, in the order given.
    """
    if timeout <= 0 or cell_timeout <= 0 or max_output <= 0 or jobs < 1 or memory_mb < 256:
        raise ValueError(
            "timeout, cell_timeout and max_output must be positive, jobs at least 1 and "
            f"memory_mb at least 256; got {timeout}, {cell_timeout}, {max_output}, {jobs}, "
            f"{memory_mb}"
        )
    lessons = load_course(course_dir)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    hidden = {Path(course_dir).resolve(), out_dir}
    hidden.update(submission.path.parent for submission in submissions)
    policy = _sandbox_policy(sandbox, sorted(hidden), memory_mb, timeout)
    settings = {
        "timeout": float(timeout),
        "cell_timeout": float(cell_timeout),
        "max_output": int(max_output),
        "seed": seed,
    }
    sandbox_root = Path(tempfile.mkdtemp(prefix="cwgrade-"))
    sandbox_root.chmod(0o711)
    try:
        policy, notes = _workable_policy(policy, sandbox_root, len(submissions))
    except BaseException:
        shutil.rmtree(sandbox_root, ignore_errors=True)
        raise

    async def grade_all() -> list[SubmissionReport]:
        slots = asyncio.Semaphore(jobs)

        async def one(index: int, submission: Submission) -> SubmissionReport:
            async with slots:
                try:
                    return await _grade_one(
                        submission, index, lessons, sandbox_root, policy, settings, out_dir
                    )
                except Exception as error:  # a grader bug must not lose the other grades
                    lesson = lessons.get(submission.lesson or "")
                    reason = f"the grader failed on it: {type(error).__name__}: {error}"
                    return SubmissionReport(
                        submission, lesson, NOT_GRADED, _not_graded(lesson, reason), [reason]
                    )

        return list(await asyncio.gather(*(one(i, s) for i, s in enumerate(submissions))))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            reports = _run_to_completion(grade_all)
    finally:
        shutil.rmtree(sandbox_root, ignore_errors=True)
    write_grades_csv(reports, out_dir / "grades.csv")
    summary = summary_text(reports, seed=seed, notes=notes)
    (out_dir / "summary.md").write_text(summary, encoding="utf-8")
    return reports


def _run_to_completion(make_coroutine):
    """Run a coroutine to its end, also when this thread already runs an event loop.

    A notebook kernel, or Playwright's synchronous API, keeps a loop running in the
    main thread, where ``asyncio.run`` refuses to start; a worker thread has none.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, make_coroutine()).result()


# Reports -------------------------------------------------------------------------------------

CSV_COLUMNS = ("learner", "notebook", "exercise", "points", "max_points", "outcome", "feedback")


def write_grades_csv(reports: Iterable[SubmissionReport], path: Path | str) -> None:
    """Write one row per learner, notebook and check."""
    with open(path, "w", newline="", encoding="utf-8") as written:
        writer = csv.writer(written)
        writer.writerow(CSV_COLUMNS)
        for report in reports:
            for grade in report.grades:
                writer.writerow(
                    [
                        report.submission.learner,
                        report.submission.notebook,
                        grade.exercise,
                        f"{grade.points:g}",
                        f"{grade.max_points:g}",
                        grade.outcome,
                        grade.feedback,
                    ]
                )


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_text(
    reports: Sequence[SubmissionReport], *, seed: int | None = None, notes: Sequence[str] = ()
) -> str:
    """Return a readable summary: totals per learner, statistics per exercise, problems."""
    learners: dict[str, list[SubmissionReport]] = defaultdict(list)
    for report in reports:
        learners[report.submission.learner].append(report)
    lines = [
        "# Grading summary",
        "",
        f"{len(reports)} notebook(s) from {len(learners)} learner(s)."
        + (f" Hidden checks drew their inputs with seed {seed}." if seed is not None else ""),
    ]
    containments = Counter(report.containment for report in reports if report.containment)
    for containment, count in containments.most_common():
        lines.append(f"Containment ({count} notebook(s)): {containment}.")
    lines += [f"Note: {note}." for note in notes]
    lines += [
        "",
        "## Learners",
        "",
        "| learner | notebooks | points | of | % |",
        "|---|---|---|---|---|",
    ]
    repeated = []
    for learner, mine in sorted(learners.items()):
        by_lesson: dict[str, list[SubmissionReport]] = defaultdict(list)
        for report in mine:
            by_lesson[report.submission.lesson or report.submission.notebook].append(report)
        counted = [max(group, key=lambda report: report.points) for group in by_lesson.values()]
        repeated += [
            f"{learner} handed in lesson {lesson} {len(group)} times "
            f"({', '.join(report.submission.notebook for report in group)}); "
            "the totals count the one with the most points"
            for lesson, group in sorted(by_lesson.items())
            if len(group) > 1
        ]
        points = sum(report.points for report in counted)
        total = sum(report.max_points for report in counted)
        share = f"{100 * points / total:.0f}" if total else "–"
        names = ", ".join(
            report.submission.notebook
            + ("" if report.status == "graded" else f" ({report.status})")
            for report in mine
        )
        lines.append(f"| {_cell(learner)} | {_cell(names)} | {points:g} | {total:g} | {share} |")
    exercises: dict[str, list[ExerciseGrade]] = defaultdict(list)
    for report in reports:
        for grade in report.grades:
            if grade.exercise:
                exercises[grade.exercise].append(grade)
    lines += [
        "",
        "## Exercises",
        "",
        "| exercise | submissions | correct | incorrect | not attempted | other | mean points "
        "| most common feedback when not correct |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for exercise, grades in sorted(exercises.items()):
        outcomes = Counter(grade.outcome for grade in grades)
        other = len(grades) - outcomes[CORRECT] - outcomes[INCORRECT] - outcomes[NOT_ATTEMPTED]
        mean = sum(grade.points for grade in grades) / len(grades)
        wrong = Counter(
            grade.feedback.split(" Hint: ")[0] for grade in grades if grade.outcome == INCORRECT
        )
        common = (
            f"{wrong.most_common(1)[0][0][:120]} (×{wrong.most_common(1)[0][1]})" if wrong else ""
        )
        lines.append(
            f"| {exercise} | {len(grades)} | {outcomes[CORRECT]} | {outcomes[INCORRECT]} "
            f"| {outcomes[NOT_ATTEMPTED]} | {other} | {mean:.2f} | {_cell(common)} |"
        )
    lines += ["", "## Problems", ""]
    troubled = [report for report in reports if report.problems]
    if not troubled and not repeated:
        lines.append("None.")
    lines += [f"- {_cell(note)}" for note in repeated]
    for report in troubled:
        lines.append(
            f"- **{_cell(report.submission.learner)} · {_cell(report.submission.notebook)}**"
        )
        lines += [f"  - {_cell(problem)[:400]}" for problem in report.problems]
    return "\n".join(lines) + "\n"
