//! The VM's value model: what a Python value is while a workflow runs.
//!
//! Immutable values are shared with `Rc`/`Arc` (cheap clones); mutable containers (list, dict, set, dataclass,
//! exception ...) live behind `Rc<RefCell<..>>`, so aliasing behaves like CPython: after `b = a; b.append(1)` both
//! names see the change. The snapshot encoder (snapshot.rs) preserves that sharing with a heap table.
use std::cell::RefCell;
use std::hash::{BuildHasher, Hasher};
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::num::Int;

/// Strings are `Arc` so that constants parsed once per program (which must be `Send + Sync`) become values
/// without copying.
pub type Str = Arc<str>;
pub type ListRef = Rc<RefCell<Vec<Value>>>;
pub type DictRef = Rc<RefCell<Dict>>;
pub type SetRef = Rc<RefCell<PySet>>;
pub type ObjRef = Rc<RefCell<Object>>;
pub type ExcRef = Rc<RefCell<Exception>>;
pub type IterRef = Rc<RefCell<Iter>>;
pub type AwaitRef = Rc<RefCell<AwaitObj>>;

#[derive(Clone, Debug)]
pub enum Value {
    None,
    Bool(bool),
    Int(Int),
    Float(f64),
    Str(Str),
    Bytes(Rc<[u8]>),
    List(ListRef),
    Tuple(Rc<[Value]>),
    Dict(DictRef),
    Set(SetRef),
    FrozenSet(Rc<PySet>),
    Range(Rc<Range>),
    /// `str(d)` of a decimal.Decimal: kept exactly, compared numerically.
    Decimal(Str),
    /// ISO strings as produced by `isoformat()`.
    DateTime(Str),
    Date(Str),
    Time(Str),
    TimeDelta(TimeDelta),
    /// datetime.timezone: a fixed UTC offset in microseconds.
    TimeZone(i64),
    Uuid(Str),
    Enum(Rc<EnumMember>),
    /// pydantic model or dataclass instance.
    Object(ObjRef),
    Exception(ExcRef),
    /// A class used as a value: index into Program.classes.
    Class(u32),
    /// dict.keys() / values() / items(): live views of a dict.
    View(Rc<DictView>),
    Iter(IterRef),
    Awaitable(AwaitRef),
    /// `self` inside run() and helpers: the workflow instance. Its attributes (`self.total = 0`) are run state:
    /// one object per run, shared by every frame, kept in the snapshot.
    WorkflowSelf(ObjRef),
    /// A type that is not in the program's class table (what `type(x)` / `x.__class__` returns): its qualified name.
    Type(Str),
    /// A function used as a value (`key=len`, `map(str, xs)`, `key=self.score`, `key=counts.get`).
    Function(Rc<Func>),
}

/// What a function value calls.
#[derive(Clone, Debug)]
pub enum Func {
    /// A pure builtin by name (`len`, `abs`, `sorted` ...).
    Builtin(Str),
    /// An unbound method of a builtin type (`str.lower`): the first argument is the receiver.
    Method { type_name: Str, method: Str },
    /// A method bound to a value (`counts.get`).
    Bound { recv: Value, method: Str },
    /// A sync workflow helper bound to the workflow instance (`self.score`).
    Helper { function: u32, this: Value },
    /// `operator.itemgetter(*keys)` / `operator.attrgetter(*names)`.
    Getter { attr: bool, keys: Vec<Value> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl Range {
    pub fn len(&self) -> i64 {
        let (start, stop, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 {
            if stop > start {
                (stop - start + step - 1) / step
            } else {
                0
            }
        } else if start > stop {
            (start - stop - step - 1) / (-step)
        } else {
            0
        };
        n as i64
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, i: i64) -> i64 {
        self.start + i * self.step
    }
}

/// datetime.timedelta's normalised fields: 0 <= seconds < 86400, 0 <= microseconds < 1_000_000.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeDelta {
    pub days: i64,
    pub seconds: i64,
    pub micros: i64,
}

impl TimeDelta {
    pub fn from_micros(total: i128) -> Option<TimeDelta> {
        let day = 86_400_000_000i128;
        let days = total.div_euclid(day);
        let rem = total.rem_euclid(day);
        if days.abs() > 999_999_999 {
            return None;
        }
        Some(TimeDelta { days: days as i64, seconds: (rem / 1_000_000) as i64, micros: (rem % 1_000_000) as i64 })
    }
    pub fn total_micros(&self) -> i128 {
        (self.days as i128 * 86_400 + self.seconds as i128) * 1_000_000 + self.micros as i128
    }
    pub fn total_seconds(&self) -> f64 {
        self.total_micros() as f64 / 1e6
    }
}

#[derive(Clone, Debug)]
pub struct EnumMember {
    pub class: Str,
    pub name: Str,
    pub value: Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjKind {
    Model,
    Dataclass,
    /// The workflow instance (`self`).
    Instance,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub class: Str,
    pub kind: ObjKind,
    pub fields: Vec<(Str, Value)>,
    /// Identity for hashing an `@dataclass(eq=False)` instance, as `Exception::ident`. 0: not hashed yet.
    pub ident: std::cell::Cell<u64>,
}

impl Object {
    pub fn new(class: Str, kind: ObjKind, fields: Vec<(Str, Value)>) -> Object {
        Object { class, kind, fields, ident: std::cell::Cell::new(0) }
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }
}

#[derive(Clone, Debug)]
pub struct Exception {
    pub class: Str,
    /// Qualified names from the class itself up to builtins.BaseException.
    pub mro: Rc<[Str]>,
    pub args: Vec<Value>,
    /// `str(exc)` when it was computed elsewhere (a worker's exception) and may differ from what args give.
    pub message: Option<Str>,
    pub cause: Option<Value>,
    pub context: Option<Value>,
    pub suppress_context: bool,
    /// The instance `__dict__` (`self.sku = sku` in `__init__`, `__notes__`), in insertion order.
    pub attrs: Vec<(Str, Value)>,
    /// Class attributes of immutable data that came with the exception (`"class_attrs"` of its encoding: the worker
    /// sends those of the raised class, resolved through its MRO), read after the instance's own attributes and
    /// before the program's class table (which may not know the class: one the worker loaded after registration).
    pub class_attrs: Vec<(Str, Value)>,
    /// Identity for hashing (CPython hashes exceptions by address): given the first time the exception is hashed,
    /// from a counter that a resumed run continues, and kept in the snapshot, so a set of exceptions keeps its
    /// layout across suspensions and the same events give the same order. 0: not hashed yet.
    pub ident: std::cell::Cell<u64>,
}

impl Exception {
    /// A new exception with these args and nothing else.
    pub fn new(class: Str, mro: Rc<[Str]>, args: Vec<Value>) -> Exception {
        Exception {
            class,
            mro,
            args,
            message: None,
            cause: None,
            context: None,
            suppress_context: false,
            attrs: vec![],
            class_attrs: vec![],
            ident: std::cell::Cell::new(0),
        }
    }
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }
    /// A class attribute carried with the exception (`class_attrs`).
    pub fn class_attr(&self, name: &str) -> Option<&Value> {
        self.class_attrs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }
    pub fn set_attr(&mut self, name: &str, v: Value) {
        match self.attrs.iter_mut().find(|(k, _)| &**k == name) {
            Some((_, slot)) => *slot = v,
            None => self.attrs.push((Arc::from(name), v)),
        }
    }
    pub fn del_attr(&mut self, name: &str) -> bool {
        let before = self.attrs.len();
        self.attrs.retain(|(k, _)| &**k != name);
        self.attrs.len() != before
    }
    pub fn is_instance_of(&self, qualname: &str) -> bool {
        self.mro.iter().any(|m| &**m == qualname)
    }
    pub fn short_name(&self) -> &str {
        short_name(&self.class)
    }
}

/// `shop.errors.PaymentDeclined` -> `PaymentDeclined` (what `type(x).__name__` shows).
pub fn short_name(qualname: &str) -> &str {
    qualname.rsplit('.').next().unwrap_or(qualname)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Keys,
    Values,
    Items,
}

#[derive(Clone, Debug)]
pub struct DictView {
    pub dict: DictRef,
    pub kind: ViewKind,
}

/// Iterator state. Iterators live in frame slots across suspensions, so every variant is snapshot-able.
#[derive(Clone, Debug)]
pub enum Iter {
    /// list (live, like CPython's list iterator) or tuple
    Seq {
        seq: Value,
        index: usize,
    },
    /// byte offset into the string
    Str {
        s: Str,
        pos: usize,
    },
    Range {
        next: i64,
        remaining: i64,
        step: i64,
    },
    Dict {
        dict: DictRef,
        kind: ViewKind,
        index: usize,
        len: usize,
    },
    /// A fixed sequence of values (set iteration, sorted/reversed results ...).
    Values {
        items: Rc<[Value]>,
        index: usize,
    },
    Enumerate {
        inner: Value,
        count: Int,
    },
    Zip {
        inners: Vec<Value>,
        strict: bool,
    },
    Reversed {
        seq: Value,
        remaining: usize,
    },
    Exhausted,
}

/// A resolved action policy (per-call override merged over the decorator's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub attempts: u32,
    pub backoff: BackoffPolicy,
    pub retry_on: Vec<String>,
    pub timeout_seconds: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackoffPolicy {
    pub kind: String,
    pub initial: f64,
    pub factor: f64,
    pub max: f64,
    pub jitter: bool,
}

/// Something `await` can suspend on. Created by the awaitable expression arms, started when awaited (or gathered).
#[derive(Clone, Debug)]
pub enum Awaitable {
    Action { action: u32, args: Value, policy: Policy },
    Sleep { seconds: f64 },
    Signal { name: Str, timeout: Option<f64> },
    Child { workflow: u32, args: Value, workflow_id: Option<Str> },
    Coroutine { function: u32, locals: Vec<Option<Value>> },
    Gather { items: Vec<Value>, return_exceptions: bool },
}

#[derive(Clone, Debug)]
pub struct AwaitObj {
    pub kind: Awaitable,
    /// A coroutine can be awaited once (CPython: "cannot reuse already awaited coroutine").
    pub used: bool,
    /// A gather, once started: its id (RunState.gathers while it runs, RunState.gather_outcomes after).
    pub gather: Option<u32>,
}

// ---- dict and set keys ------------------------------------------------------------------------------------------

/// A hashable value with its (precomputed, Python-consistent) hash: 1, 1.0 and True are the same key.
#[derive(Clone, Debug)]
pub struct Key {
    hash: u64,
    pub value: Value,
}

impl Key {
    /// None when the value is unhashable (list, dict, set ...).
    pub fn new(value: Value) -> Option<Key> {
        let hash = crate::compare::py_hash(&value)?;
        Some(Key { hash, value })
    }
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.hash == other.hash && crate::compare::py_eq(&self.value, &other.value)
    }
}
impl Eq for Key {}

/// Keys already carry a good hash; pass it through.
#[derive(Clone, Copy, Default, Debug)]
pub struct PassHasher(u64);
impl Hasher for PassHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
#[derive(Clone, Copy, Default, Debug)]
pub struct BuildPassHasher;
impl BuildHasher for BuildPassHasher {
    type Hasher = PassHasher;
    fn build_hasher(&self) -> PassHasher {
        PassHasher(0)
    }
}

pub type Dict = IndexMap<Key, Value, BuildPassHasher>;
pub use crate::pyset::PySet;

// ---- constructors and small helpers -----------------------------------------------------------------------------

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }
    pub fn int(i: i64) -> Value {
        Value::Int(Int::Small(i))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::from(items))
    }
    pub fn dict(d: Dict) -> Value {
        Value::Dict(Rc::new(RefCell::new(d)))
    }
    pub fn set(s: PySet) -> Value {
        Value::Set(Rc::new(RefCell::new(s)))
    }
    pub fn iter(it: Iter) -> Value {
        Value::Iter(Rc::new(RefCell::new(it)))
    }
    pub fn exception(e: Exception) -> Value {
        Value::Exception(Rc::new(RefCell::new(e)))
    }
    pub fn awaitable(kind: Awaitable) -> Value {
        Value::Awaitable(Rc::new(RefCell::new(AwaitObj { kind, used: false, gather: None })))
    }

    /// The type's name as CPython's messages show it (tp_name: `int`, `decimal.Decimal`, `datetime.date` ...).
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::List(_) => "list".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::Dict(_) => "dict".into(),
            Value::Set(_) => "set".into(),
            Value::FrozenSet(_) => "frozenset".into(),
            Value::Range(_) => "range".into(),
            // C types name themselves with their module in messages (tp_name)
            Value::Decimal(_) => "decimal.Decimal".into(),
            Value::DateTime(_) => "datetime.datetime".into(),
            Value::Date(_) => "datetime.date".into(),
            Value::Time(_) => "datetime.time".into(),
            Value::TimeDelta(_) => "datetime.timedelta".into(),
            Value::Uuid(_) => "UUID".into(),
            Value::TimeZone(_) => "datetime.timezone".into(),
            Value::Enum(e) => short_name(&e.class).into(),
            Value::Object(o) => short_name(&o.borrow().class).into(),
            Value::Exception(e) => e.borrow().short_name().into(),
            Value::Class(_) | Value::Type(_) => "type".into(),
            Value::Function(f) => match &**f {
                Func::Builtin(_) => "builtin_function_or_method".into(),
                Func::Method { .. } => "method_descriptor".into(),
                Func::Bound { .. } => "builtin_function_or_method".into(),
                Func::Helper { .. } => "method".into(),
                Func::Getter { attr: false, .. } => "operator.itemgetter".into(),
                Func::Getter { attr: true, .. } => "operator.attrgetter".into(),
            },
            Value::View(v) => match v.kind {
                ViewKind::Keys => "dict_keys".into(),
                ViewKind::Values => "dict_values".into(),
                ViewKind::Items => "dict_items".into(),
            },
            Value::Iter(it) => match &*it.borrow() {
                Iter::Seq { seq: Value::Tuple(_), .. } => "tuple_iterator".into(),
                Iter::Seq { .. } => "list_iterator".into(),
                Iter::Str { .. } => "str_ascii_iterator".into(),
                Iter::Range { .. } => "range_iterator".into(),
                Iter::Dict { kind: ViewKind::Keys, .. } => "dict_keyiterator".into(),
                Iter::Dict { kind: ViewKind::Values, .. } => "dict_valueiterator".into(),
                Iter::Dict { kind: ViewKind::Items, .. } => "dict_itemiterator".into(),
                Iter::Enumerate { .. } => "enumerate".into(),
                Iter::Zip { .. } => "zip".into(),
                Iter::Reversed { .. } => "list_reverseiterator".into(),
                Iter::Values { .. } | Iter::Exhausted => "iterator".into(),
            },
            Value::Awaitable(a) => match a.borrow().kind {
                Awaitable::Gather { .. } => "_GatheringFuture".into(),
                _ => "coroutine".into(),
            },
            Value::WorkflowSelf(o) => short_name(&o.borrow().class).into(),
        }
    }

    /// The qualified name of `type(x)` (`builtins.int`, `shop.Order` ...).
    pub fn type_qualname(&self) -> String {
        match self {
            Value::None => "builtins.NoneType".into(),
            Value::Decimal(_) => "decimal.Decimal".into(),
            Value::DateTime(_) => "datetime.datetime".into(),
            Value::Date(_) => "datetime.date".into(),
            Value::Time(_) => "datetime.time".into(),
            Value::TimeDelta(_) => "datetime.timedelta".into(),
            Value::Uuid(_) => "uuid.UUID".into(),
            Value::TimeZone(_) => "datetime.timezone".into(),
            Value::Enum(e) => e.class.to_string(),
            Value::Object(o) | Value::WorkflowSelf(o) => o.borrow().class.to_string(),
            Value::Exception(e) => e.borrow().class.to_string(),
            _ => format!("builtins.{}", self.type_name()),
        }
    }

    /// `type(x).__name__`
    pub fn short_type_name(&self) -> String {
        short_name(&self.type_qualname()).to_string()
    }

    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => !i.is_zero(),
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.borrow().is_empty(),
            Value::Set(s) => !s.borrow().is_empty(),
            Value::FrozenSet(s) => !s.is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::Decimal(d) => {
                crate::compare::decimal_parts(d).is_none_or(|(m, _)| m != num_bigint::BigInt::default())
            }
            Value::TimeDelta(t) => t.total_micros() != 0,
            Value::View(v) => !v.dict.borrow().is_empty(),
            Value::Enum(e) => crate::enums::truthy(e),
            _ => true,
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Identity for `is`: same object for heap values, same value for immutable singletons and small scalars.
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            (Value::Dict(a), Value::Dict(b)) => Rc::ptr_eq(a, b),
            (Value::Set(a), Value::Set(b)) => Rc::ptr_eq(a, b),
            (Value::Tuple(a), Value::Tuple(b)) => Rc::ptr_eq(a, b) || (a.is_empty() && b.is_empty()),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            (Value::Exception(a), Value::Exception(b)) => Rc::ptr_eq(a, b),
            (Value::Enum(a), Value::Enum(b)) => a.class == b.class && a.name == b.name,
            (Value::Class(a), Value::Class(b)) => a == b,
            (Value::Iter(a), Value::Iter(b)) => Rc::ptr_eq(a, b),
            (Value::Awaitable(a), Value::Awaitable(b)) => Rc::ptr_eq(a, b),
            (Value::WorkflowSelf(a), Value::WorkflowSelf(b)) => Rc::ptr_eq(a, b),
            (Value::Type(a), Value::Type(b)) => a == b,
            (Value::TimeZone(a), Value::TimeZone(b)) => a == b,
            (Value::Function(a), Value::Function(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}
