"""Stubs of the Rust VM extension (services/scheduler/crates/vm-py). Keep in sync with lib.rs."""

SNAPSHOT_FORMAT: int
#: the methods the VM implements, by receiver type name ("model", "exception" for those families)
METHODS: dict[str, list[str]]
#: the builtin functions the VM implements (`BuiltinCall` names, class methods as qualified names)
BUILTINS: list[str]

class VmError(Exception):
    """Base class of every error raised by the VM itself (never a workflow's own exception)."""

class VmProgramError(VmError):
    """The program bytes are not a valid waymark.ir.v1.Program."""

class VmSnapshotError(VmError):
    """The snapshot cannot be resumed by this VM."""

class VmEventError(VmError):
    """The events document is malformed."""

class VmInternalError(VmError):
    """A bug in the VM (or a program the compiler should not emit)."""

class Program:
    """A loaded, validated program: immutable, thread-safe; cache one per version."""

    def __init__(self, program: bytes) -> None: ...
    def advance(self, snapshot: bytes | None, events: bytes) -> tuple[bytes, bytes]:
        """Advance a run. `snapshot` None starts a new run; `events` is a JSON array.

        Returns (new snapshot, effects JSON). Releases the GIL while the VM runs.
        """
    @property
    def workflow_name(self) -> str: ...
