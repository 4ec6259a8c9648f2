//! Errors of the VM itself (never Python exceptions of the workflow: those live in exc.rs and fail the *run*).
//! vm-py maps each variant to one Python exception class, in one place.
use thiserror::Error;

#[derive(Debug, Error)]
pub enum VmError {
    /// The program bytes are not a valid Program (bad protobuf, out-of-range index, unsupported ir_version ...).
    #[error("invalid program: {0}")]
    Program(String),
    /// The snapshot bytes cannot be resumed (corrupt, or a format this VM does not know).
    #[error("invalid snapshot: {0}")]
    Snapshot(String),
    /// The events document is malformed (not a JSON array, unknown kind, missing field ...).
    #[error("invalid events: {0}")]
    Event(String),
    /// A bug in the VM, or a program the compiler should never have emitted.
    #[error("internal VM error: {0}")]
    Internal(String),
}

pub type VmResult<T> = Result<T, VmError>;
