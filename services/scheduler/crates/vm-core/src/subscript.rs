//! `x[i]`, `x[a:b:c]`, `x[i] = v`, `del x[i]` for the builtin containers.
use std::rc::Rc;

use crate::exc::{index_error, key_error, type_error, value_error, R};
use crate::num::Int;
use crate::ops::{key, norm_index};
use crate::value::{Range, Value};

/// A slice with its parts evaluated (None = omitted).
#[derive(Debug, Clone)]
pub struct SliceArgs {
    pub lower: Option<Value>,
    pub upper: Option<Value>,
    pub step: Option<Value>,
}

fn slice_int(v: &Option<Value>) -> R<Option<i64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(i.as_i64().unwrap_or(if i.is_negative() { i64::MIN } else { i64::MAX }))),
        Some(Value::Bool(b)) => Ok(Some(*b as i64)),
        Some(_) => Err(type_error("slice indices must be integers or None or have an __index__ method")),
    }
}

/// CPython's PySlice_AdjustIndices: (start, stop, step, length).
pub fn adjust(s: &SliceArgs, len: usize) -> R<(i64, i64, i64, usize)> {
    let step = slice_int(&s.step)?.unwrap_or(1);
    if step == 0 {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(mut x) => {
                if x < 0 {
                    x = x.saturating_add(len);
                    if x < 0 {
                        x = if step < 0 { -1 } else { 0 };
                    }
                } else if x >= len {
                    x = if step < 0 { len - 1 } else { len };
                }
                x
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(slice_int(&s.lower)?, 0), clamp(slice_int(&s.upper)?, len))
    } else {
        (clamp(slice_int(&s.lower)?, len - 1), clamp(slice_int(&s.upper)?, -1))
    };
    let n = if step > 0 {
        if stop > start {
            (stop - start - 1) / step + 1
        } else {
            0
        }
    } else if start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    Ok((start, stop, step, n as usize))
}

fn pick<T: Clone>(items: &[T], s: &SliceArgs) -> R<Vec<T>> {
    let (start, _, step, n) = adjust(s, items.len())?;
    Ok((0..n).map(|i| items[(start + i as i64 * step) as usize].clone()).collect())
}

pub fn get_slice(v: &Value, s: &SliceArgs) -> R<Value> {
    Ok(match v {
        Value::List(l) => Value::list(pick(&l.borrow(), s)?),
        Value::Tuple(t) => Value::tuple(pick(t, s)?),
        Value::Str(st) => {
            if st.is_ascii() {
                let b = pick(st.as_bytes(), s)?;
                Value::str(std::str::from_utf8(&b).unwrap_or_default())
            } else {
                let chars: Vec<char> = st.chars().collect();
                Value::str(&pick(&chars, s)?.into_iter().collect::<String>())
            }
        }
        Value::Bytes(b) => Value::Bytes(Rc::from(pick(b, s)?)),
        Value::Range(r) => {
            let (start, stop, step, n) = adjust(s, r.len() as usize)?;
            let _ = stop;
            let new_start = r.start + start * r.step;
            let new_step = r.step * step;
            Value::Range(Rc::new(Range { start: new_start, stop: new_start + n as i64 * new_step, step: new_step }))
        }
        _ => return Err(type_error(format!("'{}' object is not subscriptable", v.type_name()))),
    })
}

pub fn get_item(v: &Value, index: &Value) -> R<Value> {
    if let Some(d) = crate::enums::data(v) {
        return get_item(&d, index); // `Mode.FAST[0]`
    }
    match v {
        Value::List(l) => {
            let l = l.borrow();
            Ok(l[norm_index(index, l.len(), "list")?].clone())
        }
        Value::Tuple(t) => Ok(t[norm_index(index, t.len(), "tuple")?].clone()),
        Value::Str(s) => {
            if s.is_ascii() {
                let i = norm_index(index, s.len(), "string")?;
                Ok(Value::str(&s[i..i + 1]))
            } else {
                let n = s.chars().count();
                let i = norm_index(index, n, "string")?;
                Ok(Value::str(&s.chars().nth(i).map(String::from).unwrap_or_default()))
            }
        }
        Value::Bytes(b) => Ok(Value::int(b[norm_index(index, b.len(), "index")?] as i64)),
        Value::Range(r) => {
            let n = r.len() as usize;
            let i = norm_index(index, n, "range object").map_err(|e| match index {
                Value::Int(_) | Value::Bool(_) => e,
                _ => type_error(format!("range indices must be integers or slices, not {}", index.type_name())),
            })?;
            Ok(Value::int(r.get(i as i64)))
        }
        Value::Dict(d) => {
            let k = key(index)?;
            d.borrow().get(&k).cloned().ok_or_else(|| key_error(index.clone()))
        }
        Value::Object(o) => {
            let name = o.borrow().class.clone();
            Err(type_error(format!("'{}' object is not subscriptable", crate::value::short_name(&name))))
        }
        _ => Err(type_error(format!("'{}' object is not subscriptable", v.type_name()))),
    }
}

pub fn set_item(v: &Value, index: &Value, item: Value) -> R<()> {
    match v {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            let n = l.len();
            let i = norm_index(index, n, "list").map_err(|e| match index {
                Value::Int(_) | Value::Bool(_) => index_error("list assignment index out of range"),
                _ => e,
            })?;
            l[i] = item;
            Ok(())
        }
        Value::Dict(d) => {
            let k = key(index)?;
            d.borrow_mut().insert(k, item);
            Ok(())
        }
        _ => Err(type_error(format!("'{}' object does not support item assignment", v.type_name()))),
    }
}

pub fn set_slice(v: &Value, s: &SliceArgs, item: Value) -> R<()> {
    let Value::List(l) = v else {
        return Err(type_error(format!("'{}' object does not support item assignment", v.type_name())));
    };
    let items = crate::iter::collect(&item)?;
    let mut l = l.borrow_mut();
    let (start, stop, step, n) = adjust(s, l.len())?;
    if step == 1 {
        let start = start.max(0) as usize;
        let stop = (stop.max(start as i64)) as usize;
        l.splice(start..stop, items);
        Ok(())
    } else {
        if items.len() != n {
            return Err(value_error(format!(
                "attempt to assign sequence of size {} to extended slice of size {n}",
                items.len()
            )));
        }
        for (i, x) in items.into_iter().enumerate() {
            l[(start + i as i64 * step) as usize] = x;
        }
        Ok(())
    }
}

pub fn del_item(v: &Value, index: &Value) -> R<()> {
    match v {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            let n = l.len();
            let i = norm_index(index, n, "list").map_err(|e| match index {
                Value::Int(_) | Value::Bool(_) => index_error("list assignment index out of range"),
                _ => e,
            })?;
            l.remove(i);
            Ok(())
        }
        Value::Dict(d) => {
            let k = key(index)?;
            d.borrow_mut().shift_remove(&k).map(|_| ()).ok_or_else(|| key_error(index.clone()))
        }
        _ => Err(type_error(format!("'{}' object doesn't support item deletion", v.type_name()))),
    }
}

pub fn del_slice(v: &Value, s: &SliceArgs) -> R<()> {
    let Value::List(l) = v else {
        return Err(type_error(format!("'{}' object doesn't support item deletion", v.type_name())));
    };
    let mut l = l.borrow_mut();
    let (start, _, step, n) = adjust(s, l.len())?;
    let mut drop: Vec<usize> = (0..n).map(|i| (start + i as i64 * step) as usize).collect();
    drop.sort_unstable();
    for i in drop.into_iter().rev() {
        l.remove(i);
    }
    Ok(())
}

/// An int usable as an index or count (`range(x)`, `"ab" * n`).
pub fn as_index(v: &Value, what: &str) -> R<Int> {
    match v {
        Value::Int(i) => Ok(i.clone()),
        Value::Bool(b) => Ok(Int::Small(*b as i64)),
        Value::Enum(_) if crate::enums::data(v).is_some_and(|d| matches!(d, Value::Int(_))) => {
            as_index(&crate::enums::unwrap(v), what)
        }
        _ => Err(type_error(format!("'{}' object cannot be interpreted as an integer{what}", v.type_name()))),
    }
}
