"""WM132 unsupported-call: a call the workflow compiler does not know how to run.

What: calling something that is not an `@action`, a workflow method, a pure builtin, a model/dataclass/enum/exception
class, or one of the workflow primitives (`asyncio.sleep`, `asyncio.gather`, `waymark.wait_for_signal`,
`self.run_action`, `Child().run(...)`): e.g. a method of a module-level client, a function stored in a variable,
a method that the class does not define, a method with a decorator other than `@staticmethod`/`@classmethod`
(`@functools.cache`: what it does to the function is not compiled), or a class that is not plain data.

Why: the VM runs only compiled code and data operations; anything else would execute code the compiler never saw.

Example:

    await self.notify(order_id)      # no method `notify` on the workflow
    session.post(url)                # a module-level client

Use instead: call actions for side effects, and define helpers as methods of the workflow class.
"""

from __future__ import annotations

from waymark_compiler.rules._base import Rule

RULE = Rule(code="WM132", name="unsupported-call", message="{what}", help="{fix}", doc=__doc__ or "")
