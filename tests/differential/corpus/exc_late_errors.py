"""An exception subclass that only an action imports, when it runs (after the workflow was registered): the worker
had not loaded it at registration, so only the encoded exception tells the VM its class attributes."""

from __future__ import annotations

from .diff_exc_boundary import Declined


class LateDeclined(Declined):
    code = "late"
    limit = 5
