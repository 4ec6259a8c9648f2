"""What the mutations accept: run() arguments as plain JSON checked against the registered program, run ids, signal
values. Every problem is a `UserError` whose message names the problem and the fix; nothing is written before all
checks pass."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from waymark_ir import pb, values

MAX_WORKFLOW_ID = 1000  # characters, as the client allows (waymark._client.MAX_WORKFLOW_ID)


class UserError(Exception):
    """Bad input from the API's caller: shown to them as is (other exceptions are masked)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    required: bool
    annotation: str | None
    kind: pb.ParamKind


def run_parameters(program: bytes) -> list[Parameter]:
    """run()'s parameters (without self) as the compiler recorded them: `Program.functions[0].params`."""
    decoded = pb.Program.parse(program)
    if not decoded.functions:
        return []
    found = []
    for param in decoded.functions[0].params:
        variadic = param.kind in (pb.ParamKind.VAR_POSITIONAL, pb.ParamKind.VAR_KEYWORD)
        annotation = param.annotation or None  # as written in run(); "" (older programs, unannotated): None
        found.append(Parameter(param.name, param.default is None and not variadic, annotation, param.kind))
    return found


def signature(workflow: str, params: list[Parameter]) -> str:
    shown = []
    for param in params:
        prefix = {pb.ParamKind.VAR_POSITIONAL: "*", pb.ParamKind.VAR_KEYWORD: "**"}.get(param.kind, "")
        shown.append(f"{prefix}{param.name}{'' if param.required or prefix else '=...'}")
    return f"{workflow}.run({', '.join(shown)})"


def _example(params: list[Parameter]) -> str:
    names = [p.name for p in params if p.required] or [p.name for p in params][:1]
    return "{" + ", ".join(f'"{name}": ...' for name in names) + "}"


def parse_json(text: str, what: str, fix: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise UserError(f"{what} is not valid JSON ({exc}): {fix}") from None


def encode_run_input(workflow: str, params: list[Parameter], text: str, limit: int) -> str:
    """The JSON object of run()'s arguments by parameter name -> the tagged-JSON input a run is started with (the
    same document `Workflow.start` writes: docs/values.md)."""
    call = signature(workflow, params)
    example = _example(params)
    arguments = parse_json(text, "input", f"pass a JSON object of {call}'s arguments by name, e.g. {example}")
    if not isinstance(arguments, dict):
        raise UserError(
            f"input must be a JSON object of {call}'s arguments by parameter name, e.g. {example}; "
            f"got a JSON {type(arguments).__name__.replace('dict', 'object').replace('NoneType', 'null')}"
        )
    by_name = {p.name: p for p in params}
    unknown = [name for name in arguments if name not in by_name]
    if unknown:
        raise UserError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} for {call}: "
            f"remove {'them' if len(unknown) > 1 else 'it'} or use one of {', '.join(map(repr, by_name)) or 'none'}"
        )
    missing = [p.name for p in params if p.required and p.name not in arguments]
    if missing:
        raise UserError(
            f"missing required parameter{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} for "
            f"{call}: add {'them' if len(missing) > 1 else 'it'} to the input object, e.g. {example}"
        )
    for name, value in list(arguments.items()):
        kind = by_name[name].kind
        if kind == pb.ParamKind.VAR_POSITIONAL:
            if not isinstance(value, list):
                raise UserError(f"parameter {name!r} of {call} is *{name}: give it a JSON array of the values")
            arguments[name] = tuple(value)  # what binding *args makes (the client stores a tuple too)
        elif kind == pb.ParamKind.VAR_KEYWORD and not isinstance(value, dict):
            raise UserError(f"parameter {name!r} of {call} is **{name}: give it a JSON object of the extra arguments")
    encoded = values.dumps(arguments)  # plain JSON always encodes: keys that look like tags are escaped
    if len(encoded.encode()) > limit:
        raise UserError(
            f"input is {len(encoded.encode())} bytes encoded; the limit is {limit} (WAYMARK_MAX_PAYLOAD_BYTES): "
            "pass a reference to large data instead"
        )
    return encoded


def encode_signal_payload(name: str, value_text: str | None, limit: int) -> str:
    """The event document of a signal, as `WorkflowHandle.signal` writes it."""
    if not name:
        raise UserError("signal name must not be empty: pass the name the workflow waits for")
    value = None if value_text is None else parse_json(value_text, "signal value", 'pass JSON text, e.g. 42 or "ok"')
    encoded = values.dumps(value)
    if len(encoded.encode()) > limit:
        raise UserError(
            f"signal {name!r} value is {len(encoded.encode())} bytes encoded; the limit is {limit} "
            "(WAYMARK_MAX_PAYLOAD_BYTES): pass a reference to large data instead"
        )
    return orjson.dumps({"kind": "signal", "name": name}).decode()[:-1] + f',"value":{encoded}}}'


def check_workflow_id(workflow_id: str | None) -> None:
    if workflow_id is None:
        return
    if not workflow_id:
        raise UserError("workflowId must not be empty: omit it to use the run id, or pass a non-empty string")
    if "\x00" in workflow_id:
        raise UserError("workflowId must not contain NUL characters: remove them")
    if len(workflow_id) > MAX_WORKFLOW_ID:
        raise UserError(
            f"workflowId is {len(workflow_id)} characters long; the limit is {MAX_WORKFLOW_ID}: use a shorter one"
        )


def parse_run_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise UserError(f"runId {text!r} is not a run id: pass the run's UUID (e.g. from `runs`)") from None
