"""The compiler's entry points.

- `check_bundle(bundle)`: compile and verify, in process, nothing stored. This is the `waymark.plugins: compiler`
  entry point that `waymark check` and `waymark.testing.run_in_vm` load.
- `register_bundle(pool, bundle)`: the same, then store the versions (all or nothing) when there is no diagnostic.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

from waymark_ir import pb

from waymark_compiler.diagnostics import Diagnostic
from waymark_compiler.limits import AST_MAX_DEPTH, VM_MAX_NESTING, deepest_statement, program_nesting
from waymark_compiler.lower import IR_VERSION, WorkflowCompiler
from waymark_compiler.manifest import Manifest
from waymark_compiler.module_data import freeze_module_data
from waymark_compiler.report import Reporter
from waymark_compiler.rules import internal_error, limit_exceeded, syntax_error, workflow_not_found
from waymark_compiler.source import SourceFile, Span, find_class

VERSION_DOMAIN = b"waymark-version-v1\0"
log = logging.getLogger("waymark.compiler")


@dataclass
class CompiledBundle:
    workflows: list[pb.CompiledWorkflow] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    encoded: dict[str, bytes] = field(default_factory=dict)  # workflow name -> bytes(program), encoded once


def compile_bundle(bundle: pb.Bundle) -> CompiledBundle:
    """Every workflow of the bundle, and every problem found in any of them (not only the first)."""
    source = SourceFile(bundle.filename or f"<{bundle.module}>", bundle.source)
    result = CompiledBundle()
    try:
        with warnings.catch_warnings():  # `1if x` or "\d" warn; the worker's import already showed those
            warnings.simplefilter("ignore")
            tree = ast.parse(bundle.source, filename=source.filename)
    except (RecursionError, MemoryError, ValueError) as exc:  # nesting beyond the parser's limits, NUL bytes
        span = Span(1, 1, 1, 2)
        message = f"the source cannot be parsed ({type(exc).__name__}: {str(exc) or 'too deeply nested'})"
        result.diagnostics.append(Diagnostic.at(source, span, syntax_error.RULE.code, message, syntax_error.RULE.help))
        return result
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = exc.offset or 1
        span = Span(line, col, exc.end_lineno or line, max(exc.end_offset or col + 1, col + 1))
        result.diagnostics.append(
            Diagnostic.at(source, span, syntax_error.RULE.code, f"SyntaxError: {exc.msg}", syntax_error.RULE.help)
        )
        return result
    for entry in bundle.workflows:
        reporter = Reporter(source, entry.name, bundle.module)
        manifest = Manifest.of(bundle.manifest)
        freeze_module_data(manifest, tree, {w.qualname for w in bundle.workflows})
        class_node = find_class(tree, entry.qualname)
        if class_node is None:
            reporter.report(
                workflow_not_found.RULE,
                tree.body[0] if tree.body else tree,
                what=f"workflow class `{entry.qualname}` is not in the source of {bundle.module}",
                fix="define the workflow with a class statement in the module it is registered from",
            )
            result.diagnostics += reporter.diagnostics
            continue
        if not within_limits(class_node, reporter):
            result.diagnostics += reporter.diagnostics
            continue
        extra_reporters: list[Reporter] = []
        try:
            compiler = WorkflowCompiler(
                source, manifest, entry, bundle.module, class_node, reporter, tree, list(bundle.modules)
            )
            extra_reporters = compiler.extra_reporters
            program = compiler.compile()
        except RecursionError:  # a construct whose depth the pre-check did not foresee: still the user's limit
            reporter.report(
                limit_exceeded.RULE,
                class_node,
                what=f"workflow `{entry.qualname}` is nested too deeply to compile",
                fix="split deeply nested expressions and blocks into several statements",
            )
            program = None
        except Exception as exc:  # a compiler bug: report it on this workflow, keep checking the others
            log.exception("internal error compiling %s.%s", bundle.module, entry.qualname)
            reporter.add(
                internal_error.RULE, internal_error.RULE.finding(class_node, error=f"{type(exc).__name__}: {exc}")
            )
            program = None
        if program is not None:
            loadable(program, class_node, reporter)
        result.diagnostics += reporter.diagnostics
        elsewhere = [d for other in extra_reporters for d in other.diagnostics]  # in exception methods' modules
        result.diagnostics += elsewhere
        if program is not None and not reporter.diagnostics and not elsewhere:
            encoded = bytes(program)
            result.encoded[entry.name] = encoded
            result.workflows.append(
                pb.CompiledWorkflow(
                    workflow_name=entry.name, version_id=version_id(encoded, manifest.used.values()), program=program
                )
            )
    result.diagnostics.sort(key=Diagnostic.sort_key)
    if result.diagnostics:
        result.workflows = []
    return result


def within_limits(class_node: ast.ClassDef, reporter: Reporter) -> bool:
    """Refuse code nested deeper than the compiler's recursive passes take, before they run (WM126)."""
    found = deepest_statement(class_node)
    if found is None:
        return True
    statement, _ = found
    reporter.report(
        limit_exceeded.RULE,
        statement,
        what=f"this statement is nested more than {AST_MAX_DEPTH} levels deep",
        fix="split it into several statements",
    )
    return False


def loadable(program: pb.Program, class_node: ast.ClassDef, reporter: Reporter) -> None:
    """Refuse a program the VM could not decode (WM126 at each statement whose instructions nest too deeply)."""
    statements = {(s.lineno, s.col_offset): s for s in ast.walk(class_node) if isinstance(s, ast.stmt)}
    lines = {line: s for (line, _), s in sorted(statements.items(), reverse=True)}
    for instr, depth in program_nesting(program):
        if depth <= VM_MAX_NESTING + 1:
            continue
        node = lines.get(instr.line, class_node)
        reporter.report(
            limit_exceeded.RULE,
            node,
            what=f"this statement compiles to instructions nested {depth - 1} levels deep; the VM loads at most "
            f"{VM_MAX_NESTING}",
            fix="split the expression into several assignments, or loop over a list",
        )


def version_id(program: pb.Program | bytes, used: Any) -> str:
    """sha256 of the Program's protobuf encoding (deterministic: fields in number order, no maps) and of the
    manifest entries the compiler read, sorted by path."""
    digest = hashlib.sha256(VERSION_DOMAIN)
    _framed(digest, program if isinstance(program, bytes) else bytes(program))
    for entry in sorted(used, key=lambda e: e.path):
        _framed(digest, bytes(entry))
    return digest.hexdigest()


def _framed(digest: Any, data: bytes) -> None:
    digest.update(len(data).to_bytes(8, "big"))
    digest.update(data)


def check_bundle(bundle: pb.Bundle) -> pb.CheckResponse:
    compiled = compile_bundle(bundle)
    return pb.CheckResponse(diagnostics=[d.to_pb() for d in compiled.diagnostics], workflows=compiled.workflows)


async def register_bundle(pool: Any, bundle: pb.Bundle) -> pb.RegisterResponse:
    """Compile; with no diagnostic, store every version and point each workflow name at its version (one
    transaction). `pool` is an asyncpg pool or connection."""
    from waymark_store.versions import VersionRow, register_versions

    compiled = await asyncio.to_thread(compile_bundle, bundle)
    if compiled.diagnostics:
        return pb.RegisterResponse(diagnostics=[d.to_pb() for d in compiled.diagnostics])
    rows = [
        VersionRow(
            version_id=w.version_id,
            workflow_name=w.workflow_name,
            module=bundle.module,
            qualname=w.program.qualname if w.program else "",
            ir_version=IR_VERSION,
            program=compiled.encoded[w.workflow_name],
        )
        for w in compiled.workflows
    ]
    created = await register_versions(pool, rows) if rows else []
    return pb.RegisterResponse(
        versions=[
            pb.RegisteredVersion(workflow_name=row.workflow_name, version_id=row.version_id, created=made)
            for row, made in zip(rows, created, strict=True)
        ]
    )
