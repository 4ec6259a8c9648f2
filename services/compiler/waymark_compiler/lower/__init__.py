"""Lowering of workflow classes (Python AST) to the IR (`waymark_ir.pb.Program`)."""

from waymark_compiler.lower.program import IR_VERSION, WorkflowCompiler

__all__ = ["IR_VERSION", "WorkflowCompiler"]
