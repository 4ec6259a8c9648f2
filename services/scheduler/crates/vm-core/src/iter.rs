//! Iteration: `iter(x)` and `next(it)` over the VM's values. Iterators are lazy (range(10**9) allocates nothing)
//! and live in frame slots, so their state is plain data the snapshot can store.
use std::rc::Rc;

use crate::exc::{exc, type_error, R};
use crate::num::Int;
use crate::value::{Iter, Value, ViewKind};

pub fn not_iterable(v: &Value) -> crate::exc::Flow {
    type_error(format!("'{}' object is not iterable", v.type_name()))
}

/// `iter(v)`
pub fn make_iter(v: &Value) -> R<Value> {
    let it = match v {
        Value::List(_) | Value::Tuple(_) => Iter::Seq { seq: v.clone(), index: 0 },
        Value::Str(s) => Iter::Str { s: s.clone(), pos: 0 },
        Value::Bytes(b) => Iter::Values { items: b.iter().map(|x| Value::int(*x as i64)).collect(), index: 0 },
        Value::Range(r) => Iter::Range { next: r.start, remaining: r.len(), step: r.step },
        Value::Dict(d) => Iter::Dict { dict: d.clone(), kind: ViewKind::Keys, index: 0, len: d.borrow().len() },
        Value::View(view) => {
            Iter::Dict { dict: view.dict.clone(), kind: view.kind, index: 0, len: view.dict.borrow().len() }
        }
        Value::Set(s) => Iter::Values { items: s.borrow().iter().map(|k| k.value.clone()).collect(), index: 0 },
        Value::FrozenSet(s) => Iter::Values { items: s.iter().map(|k| k.value.clone()).collect(), index: 0 },
        Value::Iter(_) => return Ok(v.clone()),
        _ => return Err(not_iterable(v)),
    };
    Ok(Value::iter(it))
}

/// `next(it)`; None when exhausted. `it` must come from make_iter.
pub fn next(it: &Value) -> R<Option<Value>> {
    let Value::Iter(cell) = it else {
        return Err(type_error(format!("'{}' object is not an iterator", it.type_name())));
    };
    // Enumerate/Zip hold inner iterators: take what we need out of the borrow before recursing.
    let mut state = cell.borrow_mut();
    let out = match &mut *state {
        Iter::Seq { seq, index } => {
            let item = match seq {
                Value::List(l) => l.borrow().get(*index).cloned(),
                Value::Tuple(t) => t.get(*index).cloned(),
                _ => None,
            };
            if item.is_some() {
                *index += 1;
            }
            item
        }
        Iter::Str { s, pos } => match s[*pos..].chars().next() {
            Some(c) => {
                *pos += c.len_utf8();
                let mut buf = [0u8; 4];
                Some(Value::str(c.encode_utf8(&mut buf)))
            }
            None => None,
        },
        Iter::Range { next, remaining, step } => {
            if *remaining > 0 {
                let v = *next;
                *remaining -= 1;
                if *remaining > 0 {
                    *next += *step;
                }
                Some(Value::int(v))
            } else {
                None
            }
        }
        Iter::Dict { dict, kind, index, len } => {
            let d = dict.borrow();
            if d.len() != *len {
                *len = usize::MAX; // stays broken, like CPython
                return Err(exc("RuntimeError", "dictionary changed size during iteration"));
            }
            let item = d.get_index(*index).map(|(k, v)| match kind {
                ViewKind::Keys => k.value.clone(),
                ViewKind::Values => v.clone(),
                ViewKind::Items => Value::tuple(vec![k.value.clone(), v.clone()]),
            });
            if item.is_some() {
                *index += 1;
            }
            item
        }
        Iter::Values { items, index } => {
            let item = items.get(*index).cloned();
            if item.is_some() {
                *index += 1;
            }
            item
        }
        Iter::Reversed { seq, remaining } => {
            if *remaining == 0 {
                None
            } else {
                *remaining -= 1;
                match seq {
                    Value::List(l) => l.borrow().get(*remaining).cloned(),
                    Value::Tuple(t) => t.get(*remaining).cloned(),
                    Value::Range(r) => Some(Value::int(r.get(*remaining as i64))),
                    Value::Str(s) => s.chars().nth(*remaining).map(|c| Value::str(&c.to_string())),
                    _ => None,
                }
            }
        }
        Iter::Enumerate { inner, count } => {
            let inner = inner.clone();
            let n = count.clone();
            *count = count.add(&Int::Small(1));
            drop(state);
            return Ok(match next(&inner)? {
                Some(v) => Some(Value::tuple(vec![Value::Int(n), v])),
                None => {
                    // undo the count bump so a re-poll of an exhausted enumerate stays stable
                    if let Iter::Enumerate { count, .. } = &mut *cell.borrow_mut() {
                        *count = n;
                    }
                    None
                }
            });
        }
        Iter::Zip { inners, strict } => {
            let (inners, strict) = (inners.clone(), *strict);
            drop(state);
            let mut items = Vec::with_capacity(inners.len());
            for (i, it) in inners.iter().enumerate() {
                match next(it)? {
                    Some(v) => items.push(v),
                    None if strict && i > 0 => {
                        let which = if i == 1 { " 1".to_string() } else { format!("s 1-{i}") };
                        return Err(crate::exc::value_error(format!(
                            "zip() argument {} is shorter than argument{which}",
                            i + 1
                        )));
                    }
                    None if strict => {
                        for (j, other) in inners.iter().enumerate().skip(1) {
                            if next(other)?.is_some() {
                                let which = if j == 1 { " 1".to_string() } else { format!("s 1-{j}") };
                                return Err(crate::exc::value_error(format!(
                                    "zip() argument {} is longer than argument{which}",
                                    j + 1
                                )));
                            }
                        }
                        return Ok(None);
                    }
                    None => return Ok(None),
                }
            }
            return Ok(if inners.is_empty() { None } else { Some(Value::tuple(items)) });
        }
        Iter::Exhausted => None,
    };
    Ok(out)
}

/// All items of an iterable, in order (list(x)).
pub fn collect(v: &Value) -> R<Vec<Value>> {
    match v {
        Value::List(l) => Ok(l.borrow().clone()),
        Value::Tuple(t) => Ok(t.to_vec()),
        Value::Range(r) => {
            let n = r.len();
            if n > 50_000_000 {
                return Err(crate::exc::memory_error());
            }
            Ok((0..n).map(|i| Value::int(r.get(i))).collect())
        }
        _ => {
            let it = make_iter(v)?;
            let mut out = Vec::new();
            while let Some(x) = next(&it)? {
                out.push(x);
            }
            Ok(out)
        }
    }
}

pub fn reversed(v: &Value) -> R<Value> {
    let it = match v {
        Value::List(l) => Iter::Reversed { seq: v.clone(), remaining: l.borrow().len() },
        Value::Tuple(t) => Iter::Reversed { seq: v.clone(), remaining: t.len() },
        Value::Range(r) => Iter::Reversed { seq: v.clone(), remaining: r.len() as usize },
        Value::Str(s) => {
            Iter::Values { items: s.chars().rev().map(|c| Value::str(&c.to_string())).collect(), index: 0 }
        }
        Value::Dict(d) => Iter::Values { items: d.borrow().keys().rev().map(|k| k.value.clone()).collect(), index: 0 },
        Value::View(view) => {
            let items: Vec<Value> = collect(v)?.into_iter().rev().collect();
            let _ = view;
            Iter::Values { items: Rc::from(items), index: 0 }
        }
        _ => return Err(type_error(format!("'{}' object is not reversible", v.type_name()))),
    };
    Ok(Value::iter(it))
}
