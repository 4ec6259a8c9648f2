//! User and builtin classes known through the manifest (Program.classes): isinstance, construction (exceptions,
//! models, dataclasses, enums by value), attribute access and assignment.
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::bind::CallArgs;
use crate::compare::py_eq;
use crate::exc::{attribute_error, type_error, value_error, Flow, R};
use crate::ir::{ClassKind, ClassRef};
use crate::program::Program;
use crate::value::{short_name, EnumMember, Exception, ObjKind, Object, Str, Value};

pub fn kind(c: &ClassRef) -> ClassKind {
    ClassKind::try_from(c.kind).unwrap_or(ClassKind::Unspecified)
}

/// The qualified name of a builtin type that `v` is an instance of, for isinstance against builtin classes.
fn builtin_is(v: &Value, qualname: &str) -> bool {
    if let Some(d) = crate::enums::data(v) {
        // an IntEnum member is an int, a StrEnum member a str
        if matches!(qualname, "builtins.int" | "builtins.str" | "builtins.float") && builtin_is(&d, qualname) {
            return true;
        }
    }
    if qualname == "enum.Flag" || qualname == "enum.IntFlag" {
        return matches!(v, Value::Enum(_)) && crate::enums::kind_of(v).is_some_and(|k| k.flag);
    }
    match qualname {
        "builtins.object" => true,
        "builtins.int" => matches!(v, Value::Int(_) | Value::Bool(_)),
        "builtins.bool" => matches!(v, Value::Bool(_)),
        "builtins.float" => matches!(v, Value::Float(_)),
        "builtins.str" => matches!(v, Value::Str(_)),
        "builtins.bytes" => matches!(v, Value::Bytes(_)),
        "builtins.list" => matches!(v, Value::List(_)),
        "builtins.tuple" => matches!(v, Value::Tuple(_)),
        "builtins.dict" => matches!(v, Value::Dict(_)),
        "builtins.set" => matches!(v, Value::Set(_)),
        "builtins.frozenset" => matches!(v, Value::FrozenSet(_)),
        "builtins.range" => matches!(v, Value::Range(_)),
        "builtins.NoneType" | "types.NoneType" => matches!(v, Value::None),
        "builtins.type" => matches!(v, Value::Class(_)),
        "decimal.Decimal" => matches!(v, Value::Decimal(_)),
        "datetime.datetime" => matches!(v, Value::DateTime(_)),
        "datetime.date" => matches!(v, Value::Date(_) | Value::DateTime(_)),
        "datetime.time" => matches!(v, Value::Time(_)),
        "datetime.timedelta" => matches!(v, Value::TimeDelta(_)),
        "uuid.UUID" => matches!(v, Value::Uuid(_)),
        "enum.Enum" => matches!(v, Value::Enum(_)),
        "pydantic.main.BaseModel" | "pydantic.BaseModel" => {
            matches!(v, Value::Object(o) if o.borrow().kind == ObjKind::Model)
        }
        _ => false,
    }
}

/// isinstance(v, program.classes[idx])
pub fn is_instance(prog: &Program, v: &Value, idx: u32) -> bool {
    let Some(c) = prog.ir.classes.get(idx as usize) else { return false };
    let q = c.qualname.as_str();
    if builtin_is(v, q) {
        return true;
    }
    let own: Option<Str> = match v {
        Value::Exception(e) => return e.borrow().is_instance_of(q),
        Value::Object(o) => Some(o.borrow().class.clone()),
        Value::Enum(e) => Some(e.class.clone()),
        _ => None,
    };
    match own {
        Some(cls) => {
            &*cls == q
                || prog
                    .class_by_name
                    .get(&*cls)
                    .and_then(|i| prog.ir.classes.get(*i as usize))
                    .is_some_and(|own| own.mro.iter().any(|m| m == q))
        }
        None => false,
    }
}

/// isinstance(v, t) for a type known only by its qualified name (`isinstance(x, type(y))`).
pub fn is_instance_by_name(prog: &Program, v: &Value, q: &str) -> bool {
    match prog.class_by_name.get(q) {
        Some(i) => is_instance(prog, v, *i),
        None => {
            builtin_is(v, q)
                || v.type_qualname() == q
                || matches!(v, Value::Exception(e) if e.borrow().is_instance_of(q))
        }
    }
}

/// isinstance's second argument: a class or a (nested) tuple of classes.
pub fn matches_classinfo(prog: &Program, v: &Value, classinfo: &Value, what: &str) -> R<bool> {
    match classinfo {
        Value::Class(i) => Ok(is_instance(prog, v, *i)),
        Value::Type(q) => Ok(is_instance_by_name(prog, v, q)),
        Value::Tuple(items) => {
            for c in items.iter() {
                if matches_classinfo(prog, v, c, what)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(type_error(what.to_string())),
    }
}

/// Does exception `e` match an `except` clause's class (or tuple)?
pub fn exception_matches(prog: &Program, e: &Value, classinfo: &Value) -> R<bool> {
    let check = |c: &Value| -> R<bool> {
        match c {
            Value::Class(i) => {
                let cls = &prog.ir.classes[*i as usize];
                match e {
                    Value::Exception(x) => Ok(x.borrow().is_instance_of(&cls.qualname)),
                    _ => Ok(false),
                }
            }
            _ => Err(type_error("catching classes that do not inherit from BaseException is not allowed")),
        }
    };
    match classinfo {
        Value::Tuple(items) => {
            for c in items.iter() {
                if check(c)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        c => check(c),
    }
}

pub fn class_repr(prog: &Program, idx: u32) -> String {
    match prog.ir.classes.get(idx as usize) {
        Some(c) => {
            let q = c.qualname.strip_prefix("builtins.").unwrap_or(&c.qualname);
            format!("<class '{q}'>")
        }
        None => "<class '?'>".into(),
    }
}

fn exc_mro(c: &ClassRef) -> Rc<[Str]> {
    if !c.mro.is_empty() {
        return c.mro.iter().map(|m| Arc::from(m.as_str())).collect();
    }
    match crate::exc::builtin_mro(short_name(&c.qualname)) {
        Some(m) => m.iter().map(|s| Arc::from(*s)).collect(),
        None => {
            vec![Arc::from(c.qualname.as_str()), Arc::from("builtins.Exception"), Arc::from("builtins.BaseException")]
                .into()
        }
    }
}

/// `Cls(...)` for exceptions, models, dataclasses and enums (by value).
pub fn construct(prog: &Program, idx: u32, args: CallArgs) -> R<Value> {
    let c = &prog.ir.classes[idx as usize];
    let name = short_name(&c.qualname).to_string();
    match kind(c) {
        ClassKind::Exception => {
            if let Some(f) = c.init_function {
                // BaseException.__new__ sets args to the positional arguments; then the compiled __init__ runs
                let e = Value::exception(Exception::new(Arc::from(c.qualname.as_str()), exc_mro(c), args.pos.clone()));
                let r = crate::interp::call_sync(prog, f, e.clone(), args)?;
                if !r.is_none() {
                    return Err(type_error(format!("__init__() should return None, not '{}'", r.type_name())));
                }
                return Ok(e);
            }
            if !c.init_owners.is_empty() {
                return Err(type_error(format!(
                    "cannot construct {name} here: its __init__ is Python code that only runs in a workflow where \
                     the class is called by name ({name}(...))"
                )));
            }
            if !args.kw.is_empty() {
                return Err(type_error(format!("{name}() takes no keyword arguments")));
            }
            Ok(Value::exception(Exception::new(Arc::from(c.qualname.as_str()), exc_mro(c), args.pos)))
        }
        ClassKind::Model => crate::validate::construct_model(prog, idx, args),
        ClassKind::Dataclass => {
            let is_model = kind(c) == ClassKind::Model;
            if is_model && !args.pos.is_empty() {
                return Err(type_error(format!(
                    "BaseModel.__init__() takes 1 positional argument but {} were given",
                    args.pos.len() + 1
                )));
            }
            let fname = if is_model { name.clone() } else { format!("{name}.__init__") };
            let params: Vec<crate::ir::Param> = c
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| crate::ir::Param {
                    name: f.name.clone(),
                    slot: i as u32,
                    kind: crate::ir::ParamKind::PositionalOrKeyword as i32,
                    default: f.default.clone(),
                    annotation: String::new(),
                })
                .collect();
            let mut args = args;
            if is_model {
                // pydantic ignores unknown fields by default
                args.kw.retain(|(k, _)| c.fields.iter().any(|f| f.name == **k));
            }
            let values = crate::bind::bind(&fname, &params, args, prog, if is_model { 0 } else { 1 }).map_err(|e| {
                if is_model {
                    validation_error(e, &name)
                } else {
                    e
                }
            })?;
            // defaults of `params` are clones, so constants come from the originals (same order)
            let fields = c.fields.iter().zip(values).map(|(f, v)| (Arc::from(f.name.as_str()), v)).collect();
            let kind = if is_model { ObjKind::Model } else { ObjKind::Dataclass };
            Ok(Value::Object(Rc::new(RefCell::new(Object::new(Arc::from(c.qualname.as_str()), kind, fields)))))
        }
        ClassKind::Enum => {
            if args.pos.len() != 1 || !args.kw.is_empty() {
                return Err(type_error(format!("{name}() takes exactly one argument (the member's value)")));
            }
            let v = &args.pos[0];
            if let Value::Enum(e) = v {
                if *e.class == *c.qualname {
                    return Ok(v.clone()); // `Color(Color.RED)` is the member itself
                }
            }
            for m in &c.members {
                let mv = m.value.as_ref().map(|x| prog.constant(x)).unwrap_or(Value::None);
                if py_eq(&mv, v) {
                    return Ok(enum_member(c, &m.name, mv));
                }
            }
            if let Some(r) = crate::enums::construct_flag(&c.qualname, v) {
                return r;
            }
            Err(value_error(format!("{} is not a valid {name}", crate::repr::repr(v))))
        }
        ClassKind::BuiltinType => match c.qualname.as_str() {
            "datetime.datetime" => crate::datetime::construct(crate::datetime::Kind::DateTime, args),
            "datetime.date" => crate::datetime::construct(crate::datetime::Kind::Date, args),
            "datetime.time" => crate::datetime::construct(crate::datetime::Kind::Time, args),
            "datetime.timedelta" => crate::datetime::timedelta(args),
            "datetime.timezone" => crate::datetime::timezone(args),
            "decimal.Decimal" => {
                if args.pos.len() > 1 || !args.kw.is_empty() {
                    return Err(type_error("Decimal() takes one argument in a workflow (no context)"));
                }
                crate::decimal::construct(args.pos.first())
            }
            q => {
                let b = q.strip_prefix("builtins.").unwrap_or(q).to_string();
                crate::builtins::call(prog, &b, args)
            }
        },
        ClassKind::Unspecified => Err(type_error(format!("cannot call class {}", c.qualname))),
    }
}

fn validation_error(e: Flow, model: &str) -> Flow {
    match e {
        Flow::Raise(Value::Exception(x)) => {
            let msg = crate::repr::exc_str(&x.borrow());
            crate::exc::value_error(format!("1 validation error for {model}: {msg}"))
        }
        other => other,
    }
}

pub fn enum_member(c: &ClassRef, name: &str, value: Value) -> Value {
    Value::Enum(Rc::new(EnumMember { class: Arc::from(c.qualname.as_str()), name: Arc::from(name), value }))
}

/// The members of an enum class, in definition order (`for s in Status`, `list(Status)`); None for other classes.
pub fn enum_members(prog: &Program, idx: u32) -> Option<Value> {
    let c = prog.ir.classes.get(idx as usize)?;
    if kind(c) != ClassKind::Enum {
        return None;
    }
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for m in &c.members {
        let v = m.value.as_ref().map(|x| prog.constant(x)).unwrap_or(Value::None);
        if seen.iter().any(|s| py_eq(s, &v)) {
            continue; // an alias is not iterated
        }
        seen.push(v.clone());
        out.push(enum_member(c, &m.name, v));
    }
    Some(Value::list(out))
}

/// `Status["PAID"]`: an enum member by name.
pub fn class_item(prog: &Program, idx: u32, key: &Value) -> R<Value> {
    let c = &prog.ir.classes[idx as usize];
    if kind(c) == ClassKind::Enum {
        if let Value::Str(name) = key {
            if let Some(m) = c.members.iter().find(|m| m.name == **name) {
                let v = m.value.as_ref().map(|x| prog.constant(x)).unwrap_or(Value::None);
                return Ok(enum_member(c, &m.name, v));
            }
        }
        return Err(crate::exc::key_error(key.clone()));
    }
    Err(type_error(format!("type '{}' is not subscriptable", short_name(&c.qualname))))
}

/// Attribute of a class object: enum members (`Color.RED`), `__name__`, `__qualname__`.
pub fn class_attr(prog: &Program, idx: u32, attr: &str) -> R<Value> {
    let c = &prog.ir.classes[idx as usize];
    if let Some(m) = c.members.iter().find(|m| m.name == attr) {
        let v = m.value.as_ref().map(|x| prog.constant(x)).unwrap_or(Value::None);
        return Ok(enum_member(c, &m.name, v));
    }
    match attr {
        "__name__" => Ok(Value::str(short_name(&c.qualname))),
        "__qualname__" => Ok(Value::str(short_name(&c.qualname))),
        "__module__" => Ok(Value::str(c.qualname.rsplit_once('.').map(|(m, _)| m).unwrap_or("builtins"))),
        _ => Err(attribute_error(format!("type object '{}' has no attribute '{attr}'", short_name(&c.qualname)))),
    }
}

/// A class attribute read through an exception instance (`e.code`): from the first class of its MRO that the
/// program knows (each class's `class_attributes` are already resolved through its own MRO by the worker).
fn exception_class_attr(prog: &Program, mro: &[Str], attr: &str) -> Option<Value> {
    // a class of the program, or a subclass of one that the worker sent along with it (`field_classes`)
    let known = |q: &str| {
        prog.class_by_name.get(q).map(|i| &prog.ir.classes[*i as usize]).or_else(|| {
            prog.ir
                .classes
                .iter()
                .filter(|c| c.kind == crate::ir::ClassKind::Exception as i32)
                .find_map(|c| c.field_classes.iter().find(|f| f.qualname == q))
        })
    };
    let c = mro.iter().find_map(|q| known(q))?;
    let a = c.class_attributes.iter().find(|a| a.name == attr)?;
    Some(a.value.as_ref().map(|x| prog.constant(x)).unwrap_or(Value::None))
}

fn no_attr(v: &Value, attr: &str) -> Flow {
    attribute_error(format!("'{}' object has no attribute '{attr}'", v.type_name()))
}

/// `type(v)`: the class from the program's table when it is there (so `type(x) is Order` holds), else a type
/// value named by its qualified name.
pub fn type_of(prog: &Program, v: &Value) -> Value {
    let q = v.type_qualname();
    match prog.class_by_name.get(&q) {
        Some(i) => Value::Class(*i),
        None => Value::Type(Str::from(q.as_str())),
    }
}

/// `v.attr` on data. Methods are usually MethodCall; read as a value they become bound methods (`key=counts.get`).
pub fn get_attr(prog: &Program, v: &Value, attr: &str) -> R<Value> {
    match get_data_attr(prog, v, attr) {
        Err(e) if attr == "__class__" => {
            let _ = e;
            Ok(type_of(prog, v))
        }
        Err(e) if crate::methods::has_method(v, attr) => {
            let _ = e;
            Ok(Value::Function(Rc::new(crate::value::Func::Bound { recv: v.clone(), method: Str::from(attr) })))
        }
        r => r,
    }
}

fn get_data_attr(prog: &Program, v: &Value, attr: &str) -> R<Value> {
    match v {
        Value::WorkflowSelf(o) => {
            if let Some(x) = o.borrow().get(attr) {
                return Ok(x.clone());
            }
            match prog.ir.attributes.iter().find(|a| a.name == attr) {
                Some(a) => Ok(a.default.as_ref().map(|d| prog.constant(d)).unwrap_or(Value::None)),
                None => Err(no_attr(v, attr)),
            }
        }
        Value::Type(q) => match attr {
            "__name__" | "__qualname__" => Ok(Value::str(short_name(q))),
            "__module__" => Ok(Value::str(q.rsplit_once('.').map(|(m, _)| m).unwrap_or("builtins"))),
            _ => Err(attribute_error(format!("type object '{}' has no attribute '{attr}'", short_name(q)))),
        },
        Value::Object(o) => o.borrow().get(attr).cloned().ok_or_else(|| no_attr(v, attr)),
        Value::Enum(e) => match attr {
            "name" | "_name_" if e.name.is_empty() => Ok(Value::None),
            "name" | "_name_" => Ok(Value::Str(e.name.clone())),
            "value" | "_value_" => Ok(e.value.clone()),
            // an IntEnum member has the int's attributes (`.real`, `.numerator` ...)
            _ => match crate::enums::data(v) {
                Some(d) => get_data_attr(prog, &d, attr).map_err(|_| no_attr(v, attr)),
                None => Err(no_attr(v, attr)),
            },
        },
        Value::Exception(e) => {
            let e = e.borrow();
            match attr {
                "args" => Ok(Value::tuple(e.args.clone())),
                "__cause__" => Ok(e.cause.clone().unwrap_or(Value::None)),
                "__context__" => Ok(e.context.clone().unwrap_or(Value::None)),
                "__suppress_context__" => Ok(Value::Bool(e.suppress_context)),
                // the instance's own, then the class attributes that came with it, then the program's classes
                _ => match e.attr(attr).or_else(|| e.class_attr(attr)) {
                    Some(x) => Ok(x.clone()),
                    None => exception_class_attr(prog, &e.mro, attr).ok_or_else(|| no_attr(v, attr)),
                },
            }
        }
        Value::Class(i) => class_attr(prog, *i, attr),
        Value::TimeDelta(t) => match attr {
            "days" => Ok(Value::int(t.days)),
            "seconds" => Ok(Value::int(t.seconds)),
            "microseconds" => Ok(Value::int(t.micros)),
            _ => Err(no_attr(v, attr)),
        },
        Value::DateTime(s) | Value::Date(s) | Value::Time(s) => date_attr(v, s, attr),
        Value::Int(_) | Value::Bool(_) => match attr {
            "real" | "numerator" => Ok(crate::ops::unaryop(crate::ir::UnaryOpKind::Pos, v)?),
            "imag" => Ok(Value::int(0)),
            "denominator" => Ok(Value::int(1)),
            _ => Err(no_attr(v, attr)),
        },
        Value::Float(f) => match attr {
            "real" => Ok(Value::Float(*f)),
            "imag" => Ok(Value::Float(0.0)),
            _ => Err(no_attr(v, attr)),
        },
        Value::Range(r) => match attr {
            "start" => Ok(Value::int(r.start)),
            "stop" => Ok(Value::int(r.stop)),
            "step" => Ok(Value::int(r.step)),
            _ => Err(no_attr(v, attr)),
        },
        Value::Uuid(s) => match attr {
            "hex" => Ok(Value::str(&s.replace('-', ""))),
            _ => Err(no_attr(v, attr)),
        },
        _ => Err(no_attr(v, attr)),
    }
}

fn date_attr(v: &Value, s: &str, attr: &str) -> R<Value> {
    let num = |a: usize, b: usize| -> R<Value> {
        s.get(a..b).and_then(|x| x.parse::<i64>().ok()).map(Value::int).ok_or_else(|| no_attr(v, attr))
    };
    let time_off = match v {
        Value::Time(_) => 0,
        _ => 11,
    };
    match (v, attr) {
        (Value::DateTime(_) | Value::Date(_), "year") => num(0, 4),
        (Value::DateTime(_) | Value::Date(_), "month") => num(5, 7),
        (Value::DateTime(_) | Value::Date(_), "day") => num(8, 10),
        (Value::DateTime(_) | Value::Time(_), "hour") => num(time_off, time_off + 2),
        (Value::DateTime(_) | Value::Time(_), "minute") => num(time_off + 3, time_off + 5),
        (Value::DateTime(_) | Value::Time(_), "second") => num(time_off + 6, time_off + 8),
        (Value::DateTime(_) | Value::Time(_), "tzinfo") => match crate::datetime::parse_value(v) {
            Some((_, d)) if d.tz.is_some() => Ok(Value::TimeZone(d.tz.unwrap_or(0))),
            _ => Ok(Value::None),
        },
        (Value::DateTime(_) | Value::Time(_), "fold") => Ok(Value::int(0)),
        (Value::DateTime(_) | Value::Time(_), "microsecond") => {
            match s.get(time_off + 8..).and_then(|r| r.strip_prefix('.')) {
                Some(frac) => {
                    let digits: String = frac.chars().take_while(|c| c.is_ascii_digit()).collect();
                    Ok(Value::int(format!("{digits:0<6}").parse().unwrap_or(0)))
                }
                None => Ok(Value::int(0)),
            }
        }
        _ => Err(no_attr(v, attr)),
    }
}

/// `v.attr = x`: dataclasses and models are mutable; everything else refuses like CPython.
pub fn set_attr(prog: &Program, v: &Value, attr: &str, x: Value) -> R<()> {
    if let Value::Object(o) = v {
        let ob = o.borrow();
        if let Some(e) = crate::validate::frozen_model_error(prog, &ob, attr, &x) {
            return Err(e);
        }
        if ob.kind == ObjKind::Dataclass && crate::validate::find_class(prog, &ob.class).is_some_and(|c| c.frozen) {
            return Err(Flow::Raise(Value::exception(Exception::new(
                Arc::from("dataclasses.FrozenInstanceError"),
                [
                    "dataclasses.FrozenInstanceError",
                    "builtins.AttributeError",
                    "builtins.Exception",
                    "builtins.BaseException",
                ]
                .iter()
                .map(|s| Arc::from(*s))
                .collect(),
                vec![Value::str(&format!("cannot assign to field '{attr}'"))],
            ))));
        }
    }
    match v {
        Value::WorkflowSelf(o) => {
            let mut o = o.borrow_mut();
            match o.fields.iter_mut().find(|(k, _)| &**k == attr) {
                Some((_, slot)) => *slot = x,
                None => o.fields.push((Arc::from(attr), x)),
            }
            Ok(())
        }
        Value::Object(o) => {
            let mut o = o.borrow_mut();
            let kind = o.kind;
            match o.fields.iter_mut().find(|(k, _)| &**k == attr) {
                Some((_, slot)) => *slot = x,
                None if kind == ObjKind::Dataclass => o.fields.push((Arc::from(attr), x)),
                None => {
                    return Err(value_error(format!("\"{}\" object has no field \"{attr}\"", short_name(&o.class))))
                }
            }
            Ok(())
        }
        Value::Exception(e) => {
            let mut e = e.borrow_mut();
            match attr {
                "__cause__" => {
                    e.cause = if x.is_none() { None } else { Some(x) };
                    e.suppress_context = true;
                }
                "__context__" => e.context = if x.is_none() { None } else { Some(x) },
                "args" => e.args = crate::iter::collect(&x)?,
                "__suppress_context__" => e.suppress_context = x.truthy(),
                "__class__" | "__dict__" | "__traceback__" => {
                    return Err(type_error(format!("cannot set '{attr}' of an exception in a workflow")))
                }
                _ => e.set_attr(attr, x),
            }
            Ok(())
        }
        _ => Err(attribute_error(format!("'{}' object has no attribute '{attr}'", v.type_name()))),
    }
}
