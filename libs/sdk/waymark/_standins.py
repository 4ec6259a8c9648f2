"""Stand-ins for libraries that `waymark check` cannot import because they are not installed where it runs.

`waymark check` imports the user's module to learn what its names refer to. In an editor, a pre-commit hook or a
lint-only CI job, the project's heavier dependencies (numpy, httpx, a database driver ...) are often missing, and a
missing import would hide every diagnostic behind one ImportError. So when the user's own code imports a library that
is not installed, `waymark check` puts a stand-in module in its place and tries again, and says so in its output. A
stand-in answers every attribute with another stand-in named after its path (`httpx.AsyncClient`), so the compiler
still sees which library a workflow calls into and refuses it with the right code (`httpx.get()` is network I/O).

Only imports executed by the user's files are stood in: a library probing for an optional dependency
(`try: import ujson except ImportError: ...`) still sees it missing. Workers never use stand-ins.
"""

from __future__ import annotations

import sys
import sysconfig
import traceback
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["StandIn", "import_with_stand_ins", "is_stand_in"]

_MAX_STAND_INS = 64


class StandIn(types.ModuleType):
    """A module (and every attribute of it, and everything those return) that only carries its dotted name."""

    def __init__(self, name: str) -> None:
        super().__init__(name, f"stand-in for {name!r}, which is not installed here")
        self.__path__: list[str] = []  # a package, so `import name.sub` is attempted (and stood in) too
        self.__waymark_stand_in__ = True

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        child = StandIn(f"{self.__name__}.{attr}")
        setattr(self, attr, child)
        return child

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], StandIn):
            return args[0]  # used as a decorator: keep the decorated function or class
        return StandIn(f"{self.__name__}()")

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (object,)  # `class Model(Base)` with `Base` from a missing library

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __getitem__(self, key: Any) -> StandIn:
        return self  # `npt.NDArray[np.float64]` in an annotation

    def __or__(self, other: Any) -> StandIn:
        return self

    def __ror__(self, other: Any) -> StandIn:
        return self

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<stand-in {self.__name__}>"


def is_stand_in(value: object) -> bool:
    return isinstance(value, StandIn)


def import_with_stand_ins(load: Callable[[], types.ModuleType], own_package: str) -> tuple[types.ModuleType, list[str]]:
    """Call `load` (an import of the user's module); each time it fails because the user's code imports a library
    that is not installed, stand that library in and try again. Returns the module and the libraries stood in. Any
    other failure, including a missing module of the user's own package, propagates unchanged."""
    stood_in: list[str] = []
    while True:
        try:
            return load(), stood_in
        except ModuleNotFoundError as exc:
            name = exc.name
            if not name or len(stood_in) >= _MAX_STAND_INS or not _stand_in_allowed(name, own_package, exc):
                raise
            sys.modules[name] = StandIn(name)
            stood_in.append(name)


def _stand_in_allowed(name: str, own_package: str, exc: BaseException) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names or (own_package and top == own_package.split(".")[0]):
        return False
    if name in sys.modules:
        return False  # it exists (a submodule import failed inside it): not ours to replace
    return _raised_by_user_code(exc)


def _library_roots() -> list[Path]:
    paths = sysconfig.get_paths()
    return [Path(paths[key]).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths]


def _raised_by_user_code(exc: BaseException) -> bool:
    """Whether the import statement that failed is in the user's code (not in a library or the import system)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<")]
    if not frames:
        return False
    where = Path(frames[-1].filename).resolve()
    roots = _library_roots()
    return not any(where.is_relative_to(root) for root in roots)
