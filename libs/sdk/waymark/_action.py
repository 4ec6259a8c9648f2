"""`@action`: an async (or plain) function that workers run, with its policy and its validated signature."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, ParamSpec, TypeVar, overload

import orjson
from pydantic import TypeAdapter

from waymark._policy import RetryPolicy, seconds_of
from waymark._registry import register_action
from waymark._runtime import ACTIVE

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, eq=False)
class ActionDefinition:
    """Everything Waymark knows about one action. `key` (name@signature hash) is what workers claim by."""

    fn: Callable[..., Any]
    name: str
    module: str
    qualname: str
    is_async: bool
    retry: RetryPolicy | None
    timeout: float | None
    at_most_once: bool
    signature: inspect.Signature
    _adapters: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.signature_hash}"

    @functools.cached_property
    def hints(self) -> dict[str, Any]:
        import typing

        try:
            return typing.get_type_hints(self.fn, include_extras=True)
        except Exception as exc:  # a forward reference that does not resolve
            raise TypeError(
                f"action {self.name}: cannot resolve its type hints ({exc}); import the types the "
                "signature names at module level"
            ) from exc

    def adapter(self, param: str) -> TypeAdapter[Any] | None:
        """The pydantic adapter that validates one parameter (or "return"); None when it is not annotated."""
        if param not in self._adapters:
            hint = self.hints.get(param)
            self._adapters[param] = None if hint is None else TypeAdapter(hint)
        adapter: TypeAdapter[Any] | None = self._adapters[param]
        return adapter

    @functools.cached_property
    def signature_hash(self) -> str:
        """Stable across processes: parameter names, kinds, defaults and the JSON schemas of their types."""
        parts: list[Any] = []
        for name, param in self.signature.parameters.items():
            parts.append([name, param.kind.name, _describe_default(param.default), _schema_of(self, name)])
        parts.append(["return", _schema_of(self, "return")])
        digest = hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return digest[:16]

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Arguments by parameter name, as the call would bind them; a clear TypeError otherwise."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"action {self.name}{self.signature}: {exc}") from None
        return dict(bound.arguments)


def _describe_default(default: Any) -> Any:
    if default is inspect.Parameter.empty:
        return None
    try:
        return orjson.loads(orjson.dumps(default))
    except TypeError:
        return repr(default)


def _schema_of(definition: ActionDefinition, name: str) -> Any:
    adapter = definition.adapter(name)
    if adapter is None:
        return None
    try:
        return adapter.json_schema()
    except Exception:  # noqa: BLE001 - types pydantic validates but cannot describe as JSON schema
        return repr(definition.hints.get(name))


class ActionInvocation(Generic[R]):
    """What calling an action returns: an awaitable that knows its action and arguments, so that
    `self.run_action(charge(x), retry=...)` can apply a per-call policy before anything runs."""

    __slots__ = ("args", "definition", "kwargs")

    def __init__(self, definition: ActionDefinition, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.definition, self.args, self.kwargs = definition, args, kwargs

    def __await__(self) -> Generator[Any, None, R]:
        return self.run(None, None).__await__()

    async def run(self, retry: RetryPolicy | None, timeout: float | None) -> R:
        runtime = ACTIVE.get()
        if runtime is not None:
            result: R = await runtime.call_action(self, retry, timeout)
            return result
        direct: R = await self.call_directly()
        return direct

    async def call_directly(self) -> Any:
        """Run the function here, once (no policy): how a worker and a plain script run it."""
        fn = self.definition.fn
        if self.definition.is_async:
            return await fn(*self.args, **self.kwargs)
        return await asyncio.to_thread(fn, *self.args, **self.kwargs)

    def __repr__(self) -> str:
        return f"<action call {self.definition.name}(args={self.args!r}, kwargs={self.kwargs!r})>"


class ActionFunction(Generic[P, R]):
    """The decorated action. Calling it returns an awaitable `ActionInvocation`; `.fn` is the plain function."""

    def __init__(self, definition: ActionDefinition) -> None:
        self.__waymark_action__ = definition
        self.fn = definition.fn
        functools.update_wrapper(self, definition.fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> ActionInvocation[R]:
        return ActionInvocation(self.__waymark_action__, args, kwargs)

    def __repr__(self) -> str:
        return f"<waymark action {self.__waymark_action__.name}>"


@overload
def action(fn: Callable[P, Awaitable[R]], /) -> ActionFunction[P, R]: ...
@overload
def action(fn: Callable[P, R], /) -> ActionFunction[P, R]: ...
@overload
def action(
    *,
    name: str | None = None,
    retry: RetryPolicy | None = None,
    timeout: float | timedelta | None = None,
    at_most_once: bool = False,
) -> Callable[[Callable[P, Awaitable[R]] | Callable[P, R]], ActionFunction[P, R]]: ...


def action(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    retry: RetryPolicy | None = None,
    timeout: float | timedelta | None = None,
    at_most_once: bool = False,
) -> Any:
    """Declare an action. `retry` and `timeout` are its default policy (1 attempt, no timeout); `at_most_once=True`
    means a call whose worker vanished fails with `ActionLost` instead of being delivered again."""

    def decorate(target: Callable[..., Any]) -> ActionFunction[Any, Any]:
        if not callable(target) or isinstance(target, (type, ActionFunction)):
            raise TypeError(f"@action decorates a function, got {target!r}")
        if inspect.isasyncgenfunction(target) or inspect.isgeneratorfunction(target):
            raise TypeError(f"@action {target.__qualname__}: generators cannot be actions; return a list instead")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"@action(retry=) takes a waymark.RetryPolicy, got {type(retry).__name__}")
        definition = ActionDefinition(
            fn=target,
            name=name or target.__name__,
            module=target.__module__,
            qualname=target.__qualname__,
            is_async=inspect.iscoroutinefunction(target),
            retry=retry,
            timeout=None if timeout is None else seconds_of(timeout, "@action(timeout=)"),
            at_most_once=bool(at_most_once),
            signature=inspect.signature(target),
        )
        register_action(definition)
        return ActionFunction(definition)

    return decorate if fn is None else decorate(fn)
