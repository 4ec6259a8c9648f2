//! Waymark's workflow VM: pure and deterministic, `(program, snapshot, events) -> (snapshot', effects)`.
//!
//! No I/O and no Python here: vm-py wraps `advance` for the scheduler. Same program + same snapshot + same events
//! always give byte-identical outputs.
pub mod ir {
    #![allow(clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/waymark.ir.v1.rs"));
}

pub mod bind;
pub mod builtins;
pub mod call;
pub mod classes;
pub mod classinfo;
pub mod codec;
pub mod compare;
pub mod datetime;
pub mod decimal;
pub mod effects;
pub mod enums;
pub mod error;
pub mod eval;
pub mod events;
pub mod exc;
pub mod format;
pub mod interp;
pub mod iter;
pub mod methods;
pub mod num;
pub mod ops;
pub mod program;
pub mod pyset;
pub mod repr;
pub mod snapshot;
pub mod sort;
pub mod state;
pub mod subscript;
pub mod validate;
pub mod value;

pub use error::{VmError, VmResult};
pub use program::Program;

use events::Event;
use state::RunState;

/// One advance of a run: resume from `snapshot` (None for a new run), apply `events` (a JSON array) in order,
/// run until every task waits, and return the new snapshot and the effects document (JSON).
pub fn advance(prog: &Program, snapshot: Option<&[u8]>, events: &[u8]) -> VmResult<(Vec<u8>, Vec<u8>)> {
    let _current = classinfo::Current::enter(prog);
    compare::reset_idents();
    let events = events::parse(events)?;
    let state = match snapshot {
        Some(bytes) => snapshot::decode(bytes, prog)?,
        None => {
            if !matches!(events.first(), Some(Event::Start { .. })) {
                return Err(VmError::Event("a new run must begin with a \"start\" event".into()));
            }
            RunState::new()
        }
    };
    let _ = eval::take_created_gathers(); // nothing left over from an advance that failed
    repr::set_class_names(prog);
    let mut vm = interp::Vm::new(prog, state);
    for ev in events {
        vm.apply(ev)?;
    }
    vm.run_ready()?;
    let mut fx = std::mem::take(&mut vm.fx);
    fx.status = vm.st.live_status();
    fx.result = vm.st.result.clone();
    fx.error = vm.st.error.clone();
    Ok((snapshot::encode(&vm.st), fx.to_json()))
}
