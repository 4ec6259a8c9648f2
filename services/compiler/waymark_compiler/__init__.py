"""waymark-compiler: Python workflow classes -> IR, determinism rules, and the gRPC Register/Check service.

The compiler never imports or executes user code: it works from a `Bundle` (module source + the manifest of what the
workflow's names referred to when a worker imported the module).
"""

from waymark_compiler.api import CompiledBundle, check_bundle, compile_bundle, register_bundle, version_id
from waymark_compiler.diagnostics import Diagnostic, render
from waymark_compiler.disasm import disassemble

__all__ = [
    "CompiledBundle",
    "Diagnostic",
    "check_bundle",
    "compile_bundle",
    "disassemble",
    "register_bundle",
    "render",
    "version_id",
]
