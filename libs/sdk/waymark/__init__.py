"""Waymark: durable background workflows written as plain async Python.

from waymark import Workflow, action, workflow

@action
async def charge(order_id: int) -> bool: ...

@workflow
class Checkout(Workflow):
    async def run(self, order_id: int) -> str: ...
"""

from waymark._action import ActionDefinition, ActionFunction, action
from waymark._context import CallInfo, current_call
from waymark._errors import (
    ActionLost,
    ActionTimeout,
    RegistrationError,
    RemoteError,
    ValueNotSupported,
    WaymarkError,
    WorkflowCancelled,
    WorkflowFailed,
    WorkflowNotRegistered,
    WorkflowTimedOut,
)
from waymark._policy import Backoff, RetryPolicy
from waymark._schedules import Schedule, pause_schedule, resume_schedule, schedule, schedules, unschedule
from waymark._signals import wait_for_signal
from waymark._workflow import Workflow, workflow

__all__ = [
    "ActionDefinition",
    "ActionFunction",
    "ActionLost",
    "ActionTimeout",
    "Backoff",
    "CallInfo",
    "RegistrationError",
    "RemoteError",
    "RetryPolicy",
    "Schedule",
    "ValueNotSupported",
    "WaymarkError",
    "Workflow",
    "WorkflowCancelled",
    "WorkflowFailed",
    "WorkflowNotRegistered",
    "WorkflowTimedOut",
    "action",
    "current_call",
    "pause_schedule",
    "resume_schedule",
    "schedule",
    "schedules",
    "unschedule",
    "wait_for_signal",
    "workflow",
]
