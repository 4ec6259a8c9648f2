//! PyO3 bindings (skeleton; being built).
use pyo3::prelude::*;

#[pymodule]
fn _vm(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
