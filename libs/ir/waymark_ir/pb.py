"""The generated protobuf messages under a short, stable import path (`from waymark_ir import pb`)."""

from waymark_ir._proto.waymark.ir.v1 import *  # noqa: F403 - this module only re-exports the generated names
from waymark_ir._proto.waymark.ir.v1 import __all__ as __all__
