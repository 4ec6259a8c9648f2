//! Calling function values: `key=len`, `key=str.lower`, `key=counts.get`, `key=self.score`, `map(str, xs)` ...
use crate::bind::CallArgs;
use crate::exc::{type_error, R};
use crate::program::Program;
use crate::value::{Func, Value};

/// `f(*args)` for a value used as a function.
pub fn call_value(prog: &Program, f: &Value, args: CallArgs) -> R<Value> {
    match f {
        Value::Function(func) => match &**func {
            Func::Builtin(n) => crate::builtins::call(prog, n, args),
            Func::Method { type_name, method } => {
                let mut args = args;
                if args.pos.is_empty() {
                    return Err(type_error(format!("unbound method {type_name}.{method}() needs an argument")));
                }
                let recv = args.pos.remove(0);
                let ok = match &**type_name {
                    "int" => matches!(recv, Value::Int(_) | Value::Bool(_)),
                    "frozenset" => matches!(recv, Value::FrozenSet(_)),
                    t => recv.short_type_name() == t,
                };
                if !ok {
                    return Err(type_error(format!(
                        "descriptor '{method}' for '{type_name}' objects doesn't apply to a '{}' object",
                        recv.type_name()
                    )));
                }
                crate::methods::call(prog, &recv, method, args)
            }
            Func::Bound { recv, method } => crate::methods::call(prog, recv, method, args),
            Func::Helper { function, this } => crate::interp::call_sync(prog, *function, this.clone(), args),
            Func::Getter { attr, keys } => {
                let [x] = args.pos.as_slice() else {
                    return Err(type_error(format!(
                        "{}getter expected 1 argument, got {}",
                        if *attr { "attr" } else { "item" },
                        args.pos.len()
                    )));
                };
                let one = |k: &Value| -> R<Value> {
                    if *attr {
                        let Value::Str(name) = k else { return Err(type_error("attribute name must be a string")) };
                        let mut v = x.clone();
                        for part in name.split('.') {
                            v = crate::classes::get_attr(prog, &v, part)?;
                        }
                        Ok(v)
                    } else {
                        crate::subscript::get_item(x, k)
                    }
                };
                match keys.as_slice() {
                    [k] => one(k),
                    ks => Ok(Value::tuple(ks.iter().map(one).collect::<R<Vec<_>>>()?)),
                }
            }
        },
        Value::Class(i) => crate::classes::construct(prog, *i, args),
        Value::Type(q) => match q.strip_prefix("builtins.") {
            Some(n @ ("str" | "int" | "float" | "bool" | "list" | "dict" | "set" | "frozenset" | "tuple" | "type")) => {
                crate::builtins::call(prog, n, args)
            }
            _ => Err(type_error(format!("cannot create '{q}' instances in a workflow"))),
        },
        _ => Err(type_error(format!("'{}' object is not callable", f.type_name()))),
    }
}

/// `f(x)` for key functions.
pub fn call1(prog: &Program, f: &Value, x: Value) -> R<Value> {
    call_value(prog, f, CallArgs { pos: vec![x], kw: vec![] })
}
