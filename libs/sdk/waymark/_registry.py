"""Process-wide registry of decorated actions and workflows, filled at import time by the decorators."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waymark._action import ActionDefinition
    from waymark._workflow import Workflow

ACTIONS: dict[str, ActionDefinition] = {}
WORKFLOWS: dict[str, type[Workflow]] = {}


def register_action(definition: ActionDefinition) -> None:
    known = ACTIONS.get(definition.name)
    if known is not None and (known.module, known.qualname) != (definition.module, definition.qualname):
        raise ValueError(
            f"two actions are named {definition.name!r}: {known.module}.{known.qualname} and "
            f"{definition.module}.{definition.qualname}; give one of them @action(name=...)"
        )
    ACTIONS[definition.name] = definition


def register_workflow(name: str, cls: type[Workflow]) -> None:
    known = WORKFLOWS.get(name)
    if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ValueError(
            f"two workflows are named {name!r}: {known.__module__}.{known.__qualname__} and "
            f"{cls.__module__}.{cls.__qualname__}; give one of them @workflow(name=...)"
        )
    WORKFLOWS[name] = cls
