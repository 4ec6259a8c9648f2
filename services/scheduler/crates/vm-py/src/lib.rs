//! PyO3 bindings of vm-core: bytes in, bytes out, errors mapped to Python exceptions in one place (`to_py`).
//! The GIL is released while the VM runs; a panic never crosses into Python (it becomes VmInternalError).
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use vm_core::VmError as CoreError;

create_exception!(_vm, VmError, PyException, "Base class of every error raised by the VM itself.");
create_exception!(_vm, VmProgramError, VmError, "The program bytes are not a valid waymark.ir.v1.Program.");
create_exception!(_vm, VmSnapshotError, VmError, "The snapshot cannot be resumed by this VM.");
create_exception!(_vm, VmEventError, VmError, "The events document is malformed.");
create_exception!(_vm, VmInternalError, VmError, "A bug in the VM (or a program the compiler should not emit).");

/// The single place where VM errors become Python exceptions.
fn to_py(e: CoreError) -> PyErr {
    let msg = e.to_string();
    match e {
        CoreError::Program(_) => VmProgramError::new_err(msg),
        CoreError::Snapshot(_) => VmSnapshotError::new_err(msg),
        CoreError::Event(_) => VmEventError::new_err(msg),
        CoreError::Internal(_) => VmInternalError::new_err(msg),
    }
}

fn guarded<T>(f: impl FnOnce() -> Result<T, CoreError>) -> Result<T, CoreError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(CoreError::Internal(format!("panic: {what}")))
        }
    }
}

/// A loaded, validated program. Immutable and shareable across threads; cache one per version.
#[pyclass(frozen, module = "waymark_scheduler._vm")]
struct Program {
    inner: vm_core::Program,
}

#[pymethods]
impl Program {
    #[new]
    fn new(py: Python<'_>, program: &[u8]) -> PyResult<Program> {
        let bytes = program.to_vec();
        let inner = py.detach(move || guarded(|| vm_core::Program::load(&bytes))).map_err(to_py)?;
        Ok(Program { inner })
    }

    /// Advance a run: `snapshot` None starts a new run; `events` is a JSON array (bytes).
    /// Returns `(new_snapshot, effects_json)`.
    #[pyo3(signature = (snapshot, events))]
    fn advance<'py>(
        &self,
        py: Python<'py>,
        snapshot: Option<&[u8]>,
        events: &[u8],
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let snapshot = snapshot.map(<[u8]>::to_vec);
        let events = events.to_vec();
        let inner = &self.inner;
        let (snap, fx) =
            py.detach(move || guarded(|| vm_core::advance(inner, snapshot.as_deref(), &events))).map_err(to_py)?;
        Ok((PyBytes::new(py, &snap), PyBytes::new(py, &fx)))
    }

    #[getter]
    fn workflow_name(&self) -> &str {
        self.inner.workflow_name()
    }

    fn __repr__(&self) -> String {
        format!("<waymark_scheduler._vm.Program {:?}>", self.inner.workflow_name())
    }
}

#[pymodule]
fn _vm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Program>()?;
    m.add("VmError", py.get_type::<VmError>())?;
    m.add("VmProgramError", py.get_type::<VmProgramError>())?;
    m.add("VmSnapshotError", py.get_type::<VmSnapshotError>())?;
    m.add("VmEventError", py.get_type::<VmEventError>())?;
    m.add("VmInternalError", py.get_type::<VmInternalError>())?;
    m.add("SNAPSHOT_FORMAT", vm_core::snapshot::FORMAT)?;
    let methods = pyo3::types::PyDict::new(py);
    for (t, names) in vm_core::methods::METHODS {
        methods.set_item(*t, names.to_vec())?;
    }
    m.add("METHODS", methods)?;
    m.add("BUILTINS", vm_core::builtins::BUILTINS.to_vec())?;
    Ok(())
}
