"""Check that this Python environment can run the course, and say how to fix it if not.

:func:`check_environment` looks up the installed versions of Python, numpy,
matplotlib, ipywidgets and Pillow, and of the widget front end
(``jupyterlab_widgets`` for JupyterLab and Notebook 7, ``widgetsnbextension``
for the classic Notebook). It reads package metadata only, so it is quick and
imports none of the packages it checks. The report it returns displays as a
table in a notebook and as plain text in a terminal, and names the exact
command that fixes each problem.

The bounds here are those of ``pyproject.toml``; ``tests/test_environment.py``
keeps the two in step.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata

__all__ = ["EnvironmentItem", "EnvironmentReport", "check_environment"]

#: The Python the package needs (``requires-python`` in pyproject.toml).
PYTHON_MINIMUM = (3, 11)

#: Runtime packages: distribution name → (minimum, exclusive upper bound or None, what it is for).
PACKAGES: dict[str, tuple[str, str | None, str]] = {
    "numpy": ("1.26", "3", "arrays and the core's mathematics"),
    "matplotlib": ("3.8", "4", "the explorers' figures"),
    "ipywidgets": ("8.1", "9", "sliders, dropdowns and buttons"),
    "pillow": ("9", None, "the explorers' images"),
}

#: Widget front ends: distribution name → (minimum, exclusive upper bound, where it is used).
#: ipywidgets 8 talks to jupyterlab_widgets 3 and widgetsnbextension 4 only.
FRONT_ENDS: dict[str, tuple[str, str, str]] = {
    "jupyterlab_widgets": ("3", "4", "JupyterLab and Notebook 7"),
    "widgetsnbextension": ("4", "5", "the classic Notebook"),
}

_FRONT_END_NAME = "widget front end"
_RESTART = (
    "Run the command in a terminal of the environment that runs this kernel (or in a "
    "notebook cell as %pip install …), then restart the kernel and run this check again."
)
_FRONT_END_NOTE = (
    "The widget front end belongs in the environment that runs JupyterLab or Notebook; "
    "after installing it there, restart Jupyter and reload the browser page."
)
_FRESH_PYTHON = (
    'install Python 3.11 or newer, then: python3 -m venv .venv && .venv/bin/pip install -e ".[lab]"'
)


@dataclass(frozen=True)
class EnvironmentItem:
    """One line of the environment report.

    Attributes
    ----------
    name : str
        What was checked: ``"Python"``, a distribution name such as ``"numpy"``,
        or ``"widget front end"``.
    purpose : str
        What the course needs it for.
    required : str
        The versions that work, e.g. ``">=8.1,<9"``.
    found : str or None
        The installed version (for the front end, each package found with its
        version); None when it is missing.
    status : str
        ``"ok"``, ``"missing"``, ``"too old"``, ``"too new"`` or
        ``"unreadable version"``.
    fix : str or None
        The command that fixes it; None when the status is ``"ok"``.
    """

    name: str
    purpose: str
    required: str
    found: str | None
    status: str
    fix: str | None

    @property
    def ok(self) -> bool:
        """Whether this item is fine as it is."""
        return self.status == "ok"


@dataclass(frozen=True)
class EnvironmentReport:
    """What :func:`check_environment` found: one item per requirement.

    Displays as an HTML table in a notebook and as aligned text with ``print``.

    Attributes
    ----------
    items : tuple of EnvironmentItem
        Python, the runtime packages and the widget front end, in that order.
    """

    items: tuple[EnvironmentItem, ...]

    @property
    def ok(self) -> bool:
        """Whether everything the course needs is present in a version that works."""
        return all(item.ok for item in self.items)

    @property
    def problems(self) -> tuple[EnvironmentItem, ...]:
        """The items that are missing or have a version that does not work."""
        return tuple(item for item in self.items if not item.ok)

    @property
    def fix_command(self) -> str | None:
        """One ``pip install`` command that fixes every package problem, or None.

        A Python that is too old cannot be fixed by pip; its item's ``fix`` says
        what to do instead.
        """
        requirements = [
            _pip_requirement(item.name, item.required)
            for item in self.problems
            if item.name in PACKAGES
        ]
        front_end = next((item for item in self.problems if item.name == _FRONT_END_NAME), None)
        if front_end is not None:
            requirements += [
                _pip_requirement(name, _specifier(minimum, upper))
                for name, (minimum, upper, _) in FRONT_ENDS.items()
            ]
        return "pip install " + " ".join(requirements) if requirements else None

    def __str__(self) -> str:  # noqa: D105 - the plain-text report
        width = max(len(item.name) for item in self.items)
        lines = ["calcwidgets environment check"]
        for item in self.items:
            mark = "✔" if item.ok else "✘"
            state = f"{item.found}: {item.status}" if item.found else item.status
            lines.append(f"{mark} {item.name.ljust(width)}  {state} (needs {item.required})")
        if self.ok:
            lines.append("Everything the course needs is installed.")
        else:
            lines.append("To fix:")
            lines += [f"  {item.name}: {item.fix}" for item in self.problems]
            if self.fix_command:
                lines.append(f"  all packages at once: {self.fix_command}")
            lines.append(_RESTART)
            if any(item.name == _FRONT_END_NAME for item in self.problems):
                lines.append(_FRONT_END_NOTE)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        header = "".join(
            f'<th scope="col" style="text-align:left">{title}</th>'
            for title in ("", "component", "needed for", "required", "found", "status")
        )
        body = []
        for item in self.items:
            colour = "#009E73" if item.ok else "#D55E00"
            mark = "✔" if item.ok else "✘"
            status = html.escape(item.status)
            if item.fix:
                status += f"<br>fix: <code>{html.escape(item.fix)}</code>"
            cells = [
                f'<td style="color:{colour}" aria-hidden="true">{mark}</td>',
                f'<th scope="row" style="text-align:left">{html.escape(item.name)}</th>',
                f"<td>{html.escape(item.purpose)}</td>",
                f"<td><code>{html.escape(item.required)}</code></td>",
                f"<td>{html.escape(item.found or '—')}</td>",
                f'<td style="color:{colour}">{status}</td>',
            ]
            body.append("<tr>" + "".join(cells) + "</tr>")
        if self.ok:
            summary = "Everything the course needs is installed."
        else:
            summary = f"{len(self.problems)} problem(s) to fix. "
            if self.fix_command:
                summary += f"All packages at once: <code>{html.escape(self.fix_command)}</code>. "
            summary += html.escape(_RESTART)
            if any(item.name == _FRONT_END_NAME for item in self.problems):
                summary += " " + html.escape(_FRONT_END_NOTE)
        return (
            '<div role="status"><table>'
            f"<caption>calcwidgets environment check</caption><thead><tr>{header}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table><p>{summary}</p></div>"
        )


def _release(version: str) -> tuple[int, ...] | None:
    """Return the leading release numbers of a version string, padded to three.

    ``"1.26.4"`` → (1, 26, 4), ``"8.1"`` → (8, 1, 0), ``"2.0.0rc1"`` → (2, 0, 0);
    None when the string does not start with a number.
    """
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    if match is None:
        return None
    numbers = tuple(int(part) for part in match[1].split("."))
    return numbers + (0,) * (3 - len(numbers))


def _specifier(minimum: str, upper: str | None) -> str:
    return f">={minimum}" + (f",<{upper}" if upper else "")


def _pip_requirement(name: str, specifier: str) -> str:
    return f'"{name}{specifier}"'


def _status(found: str | None, minimum: str, upper: str | None) -> str:
    if found is None:
        return "missing"
    release = _release(found)
    if release is None:
        return "unreadable version"
    if release < _release(minimum):
        return "too old"
    if upper is not None and release >= _release(upper):
        return "too new"
    return "ok"


def _installed_version(name: str, overrides: Mapping[str, str | None]) -> str | None:
    if name in overrides:
        return overrides[name]
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _python_item(overrides: Mapping[str, str | None]) -> EnvironmentItem:
    found = overrides.get("python", "{}.{}.{}".format(*sys.version_info[:3]))
    minimum = ".".join(map(str, PYTHON_MINIMUM))
    status = "missing" if found is None else _status(found, minimum, None)
    return EnvironmentItem(
        name="Python",
        purpose="running everything",
        required=f">={minimum}",
        found=found,
        status=status,
        fix=None if status == "ok" else _FRESH_PYTHON,
    )


def _package_item(name: str, overrides: Mapping[str, str | None]) -> EnvironmentItem:
    minimum, upper, purpose = PACKAGES[name]
    required = _specifier(minimum, upper)
    found = _installed_version(name, overrides)
    status = _status(found, minimum, upper)
    fix = None if status == "ok" else f"pip install {_pip_requirement(name, required)}"
    return EnvironmentItem(name, purpose, required, found, status, fix)


def _front_end_item(overrides: Mapping[str, str | None]) -> EnvironmentItem:
    found_parts, statuses = [], {}
    for name, (minimum, upper, _) in FRONT_ENDS.items():
        version = _installed_version(name, overrides)
        statuses[name] = _status(version, minimum, upper)
        if version is not None:
            found_parts.append(f"{name} {version}")
    required = " or ".join(
        f"{name}{_specifier(minimum, upper)}" for name, (minimum, upper, _) in FRONT_ENDS.items()
    )
    purpose = "showing the explorers: " + ", ".join(
        f"{name} in {where}" for name, (_, _, where) in FRONT_ENDS.items()
    )
    if "ok" in statuses.values():
        status = "ok"
    elif all(value == "missing" for value in statuses.values()):
        status = "missing"
    else:
        # Report the first installed front end's problem (both are usually present together).
        status = next(value for value in statuses.values() if value != "missing")
    fix = None
    if status != "ok":
        fix = "pip install " + " ".join(
            _pip_requirement(name, _specifier(minimum, upper))
            for name, (minimum, upper, _) in FRONT_ENDS.items()
        )
    return EnvironmentItem(
        name=_FRONT_END_NAME,
        purpose=purpose,
        required=required,
        found=", ".join(found_parts) or None,
        status=status,
        fix=fix,
    )


def check_environment(*, installed: Mapping[str, str | None] | None = None) -> EnvironmentReport:
    """Check Python, the packages and the widget front end the course needs.

    Parameters
    ----------
    installed : mapping, optional
        Versions to assume instead of looking them up, by name (``"python"``,
        a key of `PACKAGES` or of `FRONT_ENDS`); None means "not installed".
        Useful to see what the report says about an environment you do not
        have. Names left out are looked up as usual.

    Returns
    -------
    EnvironmentReport
        One item per requirement; ``report.ok`` says whether all is well and
        ``report.problems`` lists what to fix, each with its command.

    Notes
    -----
    The front end is looked for in the kernel's environment. When JupyterLab
    runs from another environment than the kernel, the front end must be
    installed there: a report that says "ok" while sliders show as text such as
    ``VBox(children=...)`` points to that.

    Examples
    --------
    >>> report = check_environment(installed={"numpy": "1.21.6"})
    >>> report.ok
    False
    >>> [(item.name, item.status) for item in report.problems]
    [('numpy', 'too old')]
    >>> print(report.problems[0].fix)
    pip install "numpy>=1.26,<3"
    >>> check_environment(installed={"ipywidgets": None}).problems[0].status
    'missing'
    """
    overrides = dict(installed or {})
    known = {"python", *PACKAGES, *FRONT_ENDS}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(
            f"installed may only name {', '.join(sorted(known))}; got {', '.join(unknown)}"
        )
    for name, version in overrides.items():
        if version is not None and not isinstance(version, str):
            raise TypeError(
                f"installed[{name!r}] must be a version string or None, got {version!r}"
            )
    items = [_python_item(overrides)]
    items += [_package_item(name, overrides) for name in PACKAGES]
    items.append(_front_end_item(overrides))
    return EnvironmentReport(tuple(items))
