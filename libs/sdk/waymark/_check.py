"""`waymark check MODULE_OR_FILE ...`: compile and verify workflows locally, print diagnostics, exit 1 if any.

The compiler runs in this process, loaded through the `waymark.plugins` entry point `compiler` (never imported by
name: libraries do not import services). Exit status: 0 when every workflow compiles, 1 on any diagnostic or a
module that cannot be imported, 2 on a usage error or when the compiler is not installed. Output formats and the
JSON schema: docs/check.md.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from waymark_ir import pb

from waymark._bundle import BundleError, bundles_for_modules
from waymark._registry import ACTIONS, WORKFLOWS
from waymark._standins import import_with_stand_ins
from waymark._workflow import Workflow

CheckFn = Callable[[pb.Bundle], pb.CheckResponse]


@dataclass
class ImportFailure(Exception):
    """A target that could not be imported, located in the user's source when possible."""

    target: str
    message: str
    filename: str = ""
    line: int = 0
    col: int = 0
    source_line: str = ""

    def render(self) -> str:
        lines = [f"error: cannot import {self.target}: {self.message}"]
        if self.filename:
            where = f"{self.filename}:{self.line}" + (f":{self.col}" if self.col else "")
            gutter = " " * len(str(self.line or 1))
            lines.append(f"{gutter}--> {where}")
            if self.source_line:
                lines += [f"{gutter} |", f"{self.line} | {self.source_line.rstrip()}"]
                if self.col:
                    lines.append(f"{gutter} | {' ' * (self.col - 1)}^")
                lines.append(f"{gutter} |")
        lines.append(
            f'{" " * len(str(self.line or 1))} = help: fix the import error; `python -c "import ..."` '
            "shows the full traceback"
        )
        return "\n".join(lines)


def load_compiler() -> CheckFn | None:
    for point in entry_points(group="waymark.plugins", name="compiler"):
        fn: CheckFn = point.load()
        return fn
    return None


JSON_VERSION = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waymark check",
        description="Compile and verify the workflows of modules or files, as registration would; exit 1 on any "
        "diagnostic. Options may come before or after the targets.",
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="MODULE_OR_FILE",
        help="a .py file or package directory (its parent goes on sys.path), or an importable module name",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="json: one document with every diagnostic (schema in docs/check.md), for editors and CI",
    )
    parser.add_argument(
        "--color",
        "--colour",
        dest="color",
        choices=["auto", "always", "never"],
        default="auto",
        help="auto (default): colour only on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it)",
    )
    return parser


def use_colour(choice: str, out: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(out)


def run_check(argv: list[str], *, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    try:
        args = _parser().parse_intermixed_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    check = load_compiler()
    if check is None:
        print(
            "waymark check: the compiler is not installed (install the `waymark` distribution, or `waymark-compiler`)",
            file=sys.stderr,
        )
        return 2

    failures: list[ImportFailure] = []
    diagnostics: list[pb.Diagnostic] = []
    compiled: list[dict[str, str]] = []
    notes: list[str] = []
    stood_in: list[str] = []
    seen: set[tuple[str, str]] = set()
    defined: dict[str, set[str]] = {}  # action and workflow names -> the modules defining them
    visited: set[str] = set()  # module names already checked (a package and one of its modules both named)
    #: (what to import, the target the user named): a package's modules are checked right after it
    pending: list[tuple[str, str]] = [(target, target) for target in args.targets]
    without_workflows: dict[str, bool] = {}  # target -> nothing found in it (nor in its package's modules)
    try:
        while pending:
            target, root = pending.pop(0)
            without_workflows.setdefault(root, True)
            try:
                with isolated_registry(defined):
                    # a package's module is imported by name through its package, as a worker would import it
                    module, missing = import_target(target) if target == root else _import(target, target, None)
                    stood_in += [name for name in missing if name not in stood_in]
                    if module.__name__ in visited:
                        without_workflows[root] = False  # said where it was first checked
                        continue
                    visited.add(module.__name__)
                    bundles = bundles_for_modules([module])
            except ImportFailure as problem:
                failures.append(problem)
                without_workflows[root] = False  # unknown: the failure is reported
                continue
            except BundleError as exc:
                failures.append(ImportFailure(target, str(exc)))
                without_workflows[root] = False
                continue
            pending[0:0] = [(name, root) for name in package_modules(module)]
            notes += [
                f"class {name} subclasses Workflow and defines run() but is not decorated with @workflow: it is not "
                "checked, and workers will not register it"
                for name in undecorated_workflows(module)
            ]
            if bundles:
                without_workflows[root] = False
            for bundle in bundles:
                bundle.workflows = [w for w in bundle.workflows if (bundle.module, w.qualname) not in seen]
                seen.update((bundle.module, w.qualname) for w in bundle.workflows)
                if not bundle.workflows:
                    continue
                response = check(bundle)  # with the bundle's own filename: the versions a worker would register
                source_file = getattr(sys.modules.get(bundle.module), "__file__", None)
                shown = display_path(source_file) if source_file else bundle.filename
                diagnostics += [relocate(d, bundle.filename, shown) for d in response.diagnostics]
                if not response.diagnostics:
                    compiled += [
                        {"workflow": w.workflow_name, "module": bundle.module, "version_id": w.version_id}
                        for w in response.workflows
                    ]
    finally:
        for name in stood_in:  # they served this check only
            sys.modules.pop(name, None)
    notes += [f"{target} defines no workflow" for target, empty in without_workflows.items() if empty]
    notes += [
        f"`{name}` is not installed here: checked against a stand-in (install the project's dependencies for a "
        "complete check)"
        for name in stood_in
    ]
    notes += [
        f"{name} is defined in {' and '.join(sorted(modules))}: a worker importing both refuses to start; give one "
        "of them name=..."
        for name, modules in sorted(defined.items())
        if len(modules) > 1
    ]

    if args.format == "json":
        document = {
            "version": JSON_VERSION,
            "ok": not diagnostics and not failures,
            "diagnostics": [diagnostic_json(d) for d in diagnostics],
            "errors": [_failure_json(f) for f in failures],
            "workflows": compiled,
            "notes": notes,
        }
        out.write(json.dumps(document, indent=2) + "\n")
    else:
        color = use_colour(args.color, out)
        for failure in failures:
            out.write(_colour(failure.render(), color) + "\n\n")
        for diagnostic in diagnostics:
            out.write(_colour(diagnostic.rendered, color) + "\n\n")
        for note in notes:
            out.write((f"{_YELLOW}note:{_RESET} {note}" if color else f"note: {note}") + "\n")
        problems = len(diagnostics) + len(failures)
        if problems:
            out.write(f"Found {problems} problem{'s' * (problems != 1)}.\n")
        else:
            out.write(f"ok: {len(compiled)} workflow{'s' * (len(compiled) != 1)}\n")
    out.flush()
    return 1 if diagnostics or failures else 0


def package_modules(module: ModuleType) -> list[str]:
    """The dotted names of a package's own modules and subpackages (one level: a subpackage adds its own when it is
    checked), as a worker importing them by name would reach them; none for a plain module. Nothing is imported
    here: each is imported (run) when it is checked, like any target. `__main__` is skipped: it is a script."""
    path = getattr(module, "__path__", None)
    if path is None:
        return []
    return sorted(f"{module.__name__}.{info.name}" for info in pkgutil.iter_modules(path) if info.name != "__main__")


def undecorated_workflows(module: ModuleType) -> list[str]:
    """Classes of the module that look like workflows (a `run` of their own) but lack `@workflow`."""
    found = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Workflow)
            and value.__module__ == module.__name__
            and "run" in vars(value)
            and "__waymark_run__" not in vars(value)
        ):
            found.append(value.__qualname__)
    return found


@contextmanager
def isolated_registry(defined: dict[str, set[str]]) -> Iterator[None]:
    """Import each target as a worker importing only it would: with the registry of actions and workflows empty,
    so two independent modules may both define an action `charge` (noted, not failed). Afterwards the registry
    holds what it held plus the target's names that do not clash."""
    saved_actions, saved_workflows = dict(ACTIONS), dict(WORKFLOWS)
    ACTIONS.clear()
    WORKFLOWS.clear()
    try:
        yield
    finally:
        added_actions, added_workflows = dict(ACTIONS), dict(WORKFLOWS)
        for name, action in added_actions.items():
            defined.setdefault(f"action {name!r}", set()).add(f"{action.module}.{action.qualname}")
        for name, cls in added_workflows.items():
            defined.setdefault(f"workflow {name!r}", set()).add(f"{cls.__module__}.{cls.__qualname__}")
        ACTIONS.clear()
        ACTIONS.update({**added_actions, **saved_actions})
        WORKFLOWS.clear()
        WORKFLOWS.update({**added_workflows, **saved_workflows})


# ---- importing the targets -----------------------------------------------------------------------------------------


def import_target(target: str) -> tuple[ModuleType, list[str]]:
    """Import a file or module name; returns it and the missing libraries that were stood in (`_standins`)."""
    path = Path(target)
    if target.endswith(".py") or os.sep in target or path.exists():
        return _import_file(target, path)
    if str(Path.cwd()) not in sys.path and "" not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    return _import(target, target, None)


def _import_file(target: str, path: Path) -> tuple[ModuleType, list[str]]:
    path = path.resolve()
    if path.is_dir():
        if not (path / "__init__.py").exists():
            raise ImportFailure(target, "is a directory, not a package or a .py file")
        path = path / "__init__.py"
    if not path.exists():
        raise ImportFailure(target, "no such file")
    parts = [] if path.name == "__init__.py" else [path.stem]
    parent = path.parent
    while (parent / "__init__.py").exists():  # inside a package: import it under its dotted name
        parts.insert(0, parent.name)
        parent = parent.parent
    if str(parent) not in sys.path:
        sys.path.insert(0, str(parent))
    name = ".".join(parts)
    if len(parts) == 1 and _taken(name, path):
        # `time.py`, `secrets.py` ...: a standard module (or another file) has that name; check the file under a
        # private one instead of shadowing it (a worker importing it by this name would get the other module)
        return _import(target, f"waymark_check__{name}", path, by_path=True)
    module, stood_in = _import(target, name, path)
    loaded = getattr(module, "__file__", None)
    if loaded is None or Path(loaded).resolve() != path:
        return _import(target, f"waymark_check__{name}", path, by_path=True)
    return module, stood_in


def _taken(name: str, path: Path) -> bool:
    if name in sys.stdlib_module_names:
        return True
    loaded = getattr(sys.modules.get(name), "__file__", None)
    return name in sys.modules and (loaded is None or Path(loaded).resolve() != path)


def _load_by_path(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _import(target: str, name: str, path: Path | None, *, by_path: bool = False) -> tuple[ModuleType, list[str]]:
    try:
        if by_path and path is not None:
            file = path
            return import_with_stand_ins(lambda: _load_by_path(name, file), name)
        return import_with_stand_ins(lambda: importlib.import_module(name), name)
    except SyntaxError as exc:
        raise ImportFailure(
            target,
            f"SyntaxError: {exc.msg}",
            display_path(exc.filename or ""),
            exc.lineno or 0,
            exc.offset or 0,
            exc.text or "",
        ) from None
    except ModuleNotFoundError as exc:
        if path is None and exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise ImportFailure(target, f"no module named {exc.name!r} (and no such file)") from None
        raise located(target, exc, path) from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise located(target, exc, path) from None


def located(target: str, exc: BaseException, path: Path | None) -> ImportFailure:
    """The failure at the deepest frame in the user's file (or the deepest frame outside the import machinery)."""
    machinery = str(Path(importlib.__file__).parent)
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith("<frozen") and not f.filename.startswith(machinery)
    ]
    chosen = None
    if path is not None:
        chosen = next((f for f in reversed(frames) if Path(f.filename).resolve() == path), None)
    if chosen is None and frames:
        chosen = frames[-1]
    message = f"{type(exc).__name__}: {exc}"
    if chosen is None:
        return ImportFailure(target, message)
    return ImportFailure(target, message, display_path(chosen.filename), chosen.lineno or 0, 0, chosen.line or "")


# ---- output --------------------------------------------------------------------------------------------------------


def relocate(d: pb.Diagnostic, filename: str, shown: str) -> pb.Diagnostic:
    """The diagnostic with the file named as the user reaches it from here (editors open it from the output)."""
    if d.filename == filename and shown != filename:
        d.rendered = d.rendered.replace(f"--> {filename}:", f"--> {shown}:", 1)
        d.filename = shown
    return d


def display_path(filename: str) -> str:
    """Relative to the current directory when it is below it (like ruff), else as given."""
    if not filename or filename.startswith("<"):
        return filename
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_RED, _YELLOW, _BLUE, _CYAN, _BOLD, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


def colour_frames(text: str, enabled: bool) -> str:
    """Colour every diagnostic frame (a paragraph starting with its code) of a longer text, like `waymark check`."""
    if not enabled:
        return text
    return "\n\n".join(_colour(block, True) if re.match(r"^WM\d{3} ", block) else block for block in text.split("\n\n"))


def _colour(text: str, enabled: bool) -> str:
    if not enabled:
        return text
    out = []
    for index, line in enumerate(text.split("\n")):
        if index == 0:
            code, _, rest = line.partition(" ")
            out.append(f"{_BOLD}{_RED}{code}{_RESET} {_BOLD}{rest}{_RESET}")
        elif re.match(r"^\s*-->", line):
            arrow, _, where = line.partition("-->")
            out.append(f"{arrow}{_BLUE}-->{_RESET}{where}")
        elif re.match(r"^\s*=\s*help:", line):
            out.append(f"{_CYAN}{line}{_RESET}")
        elif re.match(r"^\s*\d*\s*\|", line):
            gutter, _, rest = line.partition("|")
            if rest.strip() and set(rest.strip()) == {"^"}:
                rest = f"{_RED}{rest}{_RESET}"
            out.append(f"{_BLUE}{gutter}|{_RESET}{rest}")
        else:
            out.append(line)
    return "\n".join(out)


def diagnostic_json(d: pb.Diagnostic) -> dict[str, Any]:
    """One diagnostic in the documented JSON schema (docs/check.md); the same fields as the gRPC `Diagnostic`."""
    return {
        "code": d.code,
        "message": d.message,
        "help": d.help,
        "file": d.filename,
        "line": d.line,
        "col": d.col,
        "end_line": d.end_line,
        "end_col": d.end_col,
        "workflow": d.workflow,
        "rendered": d.rendered,
    }


def _failure_json(f: ImportFailure) -> dict[str, Any]:
    return {"target": f.target, "message": f.message, "file": f.filename, "line": f.line, "col": f.col}
