//! The running program's classes, for code that has no `&Program` at hand: hashing, equality, ordering, `str()`
//! and arithmetic of values whose behaviour depends on their class (enum mixins and flags, dataclass and model
//! hashing, compiled exception `__str__`). A value names its class by qualified name; the class is looked up in the
//! program the VM is running (`Current`), and a class the program does not know behaves as a plain Enum / an
//! unhashable dataclass, as before these fields existed.
use std::cell::Cell;
use std::marker::PhantomData;

use crate::ir::{ClassRef, HashKind};
use crate::program::Program;

thread_local! {
    static CURRENT: Cell<*const Program> = const { Cell::new(std::ptr::null()) };
}

/// Makes a program the current one for this thread while it lives (vm-core runs one advance at a time per thread;
/// the previous one is restored on drop, so nesting is fine).
pub struct Current<'a> {
    prev: *const Program,
    _prog: PhantomData<&'a Program>,
}

impl<'a> Current<'a> {
    pub fn enter(prog: &'a Program) -> Current<'a> {
        let prev = CURRENT.with(|c| c.replace(prog as *const Program));
        Current { prev, _prog: PhantomData }
    }
}

impl Drop for Current<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}

/// `f(program)` when a program is current.
pub fn with_program<T>(f: impl FnOnce(&Program) -> T) -> Option<T> {
    let p = CURRENT.with(|c| c.get());
    if p.is_null() {
        return None;
    }
    // SAFETY: the pointer was set by `Current::enter` from a reference that outlives the guard (its lifetime
    // parameter), and the guard clears it (restores the previous one) when dropped; it is only read on this thread.
    Some(f(unsafe { &*p }))
}

/// `f(class)` for the class named `qualname` in the current program.
pub fn with_class<T>(qualname: &str, f: impl FnOnce(&Program, &ClassRef) -> T) -> Option<T> {
    with_program(|p| {
        let i = *p.class_by_name.get(qualname)?;
        p.ir.classes.get(i as usize).map(|c| f(p, c))
    })
    .flatten()
}

/// What an enum's members also are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnumData {
    /// A plain Enum: members are only members.
    None,
    Int,
    Str,
    Float,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnumKind {
    pub data: EnumData,
    /// str()/format() are the value's (ReprEnum).
    pub value_str: bool,
    pub flag: bool,
}

impl EnumKind {
    pub const PLAIN: EnumKind = EnumKind { data: EnumData::None, value_str: false, flag: false };
}

pub fn enum_kind_of(c: &ClassRef) -> EnumKind {
    let data = match c.enum_type.as_str() {
        "builtins.int" => EnumData::Int,
        "builtins.str" => EnumData::Str,
        "builtins.float" => EnumData::Float,
        _ => EnumData::None,
    };
    EnumKind { data, value_str: c.enum_value_str, flag: c.enum_flag }
}

pub fn enum_kind(qualname: &str) -> EnumKind {
    with_class(qualname, |_, c| enum_kind_of(c)).unwrap_or(EnumKind::PLAIN)
}

/// How instances of a model or dataclass hash and compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjHash {
    pub kind: HashKind,
    pub unhashed: Vec<String>,
    pub identity_eq: bool,
}

pub fn obj_hash(qualname: &str) -> ObjHash {
    with_class(qualname, |_, c| ObjHash {
        kind: HashKind::try_from(c.hash).unwrap_or(HashKind::Unspecified),
        unhashed: c.unhashed.clone(),
        identity_eq: c.identity_eq,
    })
    .unwrap_or(ObjHash { kind: HashKind::Unspecified, unhashed: vec![], identity_eq: false })
}

/// `@dataclass(order=True)` of `qualname`: the fields `<` ... leave out (`field(compare=False)`); None when the
/// class defines no ordering (or the program does not know it).
pub fn dataclass_order(qualname: &str) -> Option<Vec<String>> {
    with_class(qualname, |_, c| c.order.then(|| c.uncompared.clone())).flatten()
}

/// How `==` compares two dataclass instances of `qualname`: by identity (`@dataclass(eq=False)`), else by the
/// fields not listed (`field(compare=False)`).
pub fn dataclass_eq(qualname: &str) -> (bool, Vec<String>) {
    with_class(qualname, |_, c| (c.identity_eq, c.uncompared.clone())).unwrap_or((false, vec![]))
}
