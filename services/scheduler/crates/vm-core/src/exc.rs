//! Python exceptions raised *inside* the VM (ZeroDivisionError, KeyError ...), and the control-flow type that
//! carries them (or a VM-internal error) out of expression evaluation.
use std::rc::Rc;
use std::sync::Arc;

use crate::error::VmError;
use crate::value::{Exception, Str, Value};

/// Why evaluation stopped early: a Python exception (catchable by the workflow) or a VM bug / bad program.
#[derive(Debug)]
pub enum Flow {
    Raise(Value),
    Internal(VmError),
}

pub type R<T> = Result<T, Flow>;

impl From<VmError> for Flow {
    fn from(e: VmError) -> Flow {
        Flow::Internal(e)
    }
}

/// MRO of the builtin exceptions the VM itself can raise or construct, without `builtins.object`.
pub fn builtin_mro(name: &str) -> Option<&'static [&'static str]> {
    const BASE: &[&str] = &["builtins.BaseException"];
    Some(match name {
        "BaseException" => BASE,
        "Exception" => &["builtins.Exception", "builtins.BaseException"],
        "ArithmeticError" => &["builtins.ArithmeticError", "builtins.Exception", "builtins.BaseException"],
        "ZeroDivisionError" => {
            &["builtins.ZeroDivisionError", "builtins.ArithmeticError", "builtins.Exception", "builtins.BaseException"]
        }
        "OverflowError" => {
            &["builtins.OverflowError", "builtins.ArithmeticError", "builtins.Exception", "builtins.BaseException"]
        }
        "LookupError" => &["builtins.LookupError", "builtins.Exception", "builtins.BaseException"],
        "KeyError" => &["builtins.KeyError", "builtins.LookupError", "builtins.Exception", "builtins.BaseException"],
        "IndexError" => {
            &["builtins.IndexError", "builtins.LookupError", "builtins.Exception", "builtins.BaseException"]
        }
        "ValueError" => &["builtins.ValueError", "builtins.Exception", "builtins.BaseException"],
        "TypeError" => &["builtins.TypeError", "builtins.Exception", "builtins.BaseException"],
        "AttributeError" => &["builtins.AttributeError", "builtins.Exception", "builtins.BaseException"],
        "NameError" => &["builtins.NameError", "builtins.Exception", "builtins.BaseException"],
        "UnboundLocalError" => {
            &["builtins.UnboundLocalError", "builtins.NameError", "builtins.Exception", "builtins.BaseException"]
        }
        "RuntimeError" => &["builtins.RuntimeError", "builtins.Exception", "builtins.BaseException"],
        "NotImplementedError" => {
            &["builtins.NotImplementedError", "builtins.RuntimeError", "builtins.Exception", "builtins.BaseException"]
        }
        "RecursionError" => {
            &["builtins.RecursionError", "builtins.RuntimeError", "builtins.Exception", "builtins.BaseException"]
        }
        "AssertionError" => &["builtins.AssertionError", "builtins.Exception", "builtins.BaseException"],
        "StopIteration" => &["builtins.StopIteration", "builtins.Exception", "builtins.BaseException"],
        "MemoryError" => &["builtins.MemoryError", "builtins.Exception", "builtins.BaseException"],
        "UnicodeDecodeError" => &[
            "builtins.UnicodeDecodeError",
            "builtins.UnicodeError",
            "builtins.ValueError",
            "builtins.Exception",
            "builtins.BaseException",
        ],
        "UnicodeError" => {
            &["builtins.UnicodeError", "builtins.ValueError", "builtins.Exception", "builtins.BaseException"]
        }
        "OSError" => &["builtins.OSError", "builtins.Exception", "builtins.BaseException"],
        "TimeoutError" => {
            &["builtins.TimeoutError", "builtins.OSError", "builtins.Exception", "builtins.BaseException"]
        }
        "ConnectionError" => {
            &["builtins.ConnectionError", "builtins.OSError", "builtins.Exception", "builtins.BaseException"]
        }
        "KeyboardInterrupt" => &["builtins.KeyboardInterrupt", "builtins.BaseException"],
        "CancelledError" => &["asyncio.exceptions.CancelledError", "builtins.BaseException"],
        _ => return None,
    })
}

/// A new exception value of a builtin class with the given args.
pub fn new_builtin(name: &str, args: Vec<Value>) -> Value {
    let mro: Rc<[Str]> = match builtin_mro(name) {
        Some(m) => m.iter().map(|s| Arc::from(*s)).collect(),
        None => vec![
            Arc::from(format!("builtins.{name}")),
            Arc::from("builtins.Exception"),
            Arc::from("builtins.BaseException"),
        ]
        .into(),
    };
    let class = mro[0].clone();
    Value::exception(Exception::new(class, mro, args))
}

pub fn exc(name: &str, msg: impl Into<String>) -> Flow {
    let msg: String = msg.into();
    Flow::Raise(new_builtin(name, vec![Value::str(&msg)]))
}

pub fn type_error(msg: impl Into<String>) -> Flow {
    exc("TypeError", msg)
}
pub fn value_error(msg: impl Into<String>) -> Flow {
    exc("ValueError", msg)
}
pub fn index_error(msg: impl Into<String>) -> Flow {
    exc("IndexError", msg)
}
pub fn zero_division(msg: impl Into<String>) -> Flow {
    exc("ZeroDivisionError", msg)
}
pub fn overflow(msg: impl Into<String>) -> Flow {
    exc("OverflowError", msg)
}
pub fn attribute_error(msg: impl Into<String>) -> Flow {
    exc("AttributeError", msg)
}
/// KeyError carries the key itself (str(KeyError('a')) is "'a'").
pub fn key_error(key: Value) -> Flow {
    Flow::Raise(new_builtin("KeyError", vec![key]))
}
pub fn memory_error() -> Flow {
    Flow::Raise(new_builtin("MemoryError", vec![]))
}
pub fn internal(msg: impl Into<String>) -> Flow {
    Flow::Internal(VmError::Internal(msg.into()))
}
