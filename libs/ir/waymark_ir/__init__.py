"""waymark-ir: the schema every Waymark service shares.

- `waymark_ir.pb`: the betterproto2 messages generated from `libs/ir/proto` (Program, Bundle, Diagnostic, ...) and
  the grpclib stub/base of the compiler service.
- `waymark_ir.values`: the tagged-JSON value codec (docs/values.md).
"""

from waymark_ir import pb

__all__ = ["pb"]
