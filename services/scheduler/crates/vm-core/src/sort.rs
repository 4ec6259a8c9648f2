//! `list.sort` / `sorted` as CPython's timsort (Objects/listobject.c) does it: the same runs, binary insertion and
//! stable merges, comparing with `<` in the same order, so mixed-type errors name the same pair of types and
//! inconsistent orders (NaN) give the same result on short lists.
use crate::exc::R;
use crate::ir::CmpOpKind;
use crate::ops::compare;
use crate::value::Value;

fn lt(a: &Value, b: &Value) -> R<bool> {
    compare(CmpOpKind::Lt, a, b)
}

/// Length of the run starting at `lo` (`descending` when strictly descending), CPython's count_run.
fn count_run(keys: &[Value], lo: usize) -> R<(usize, bool)> {
    let hi = keys.len();
    if lo + 1 >= hi {
        return Ok((hi - lo, false));
    }
    let mut n = 2;
    let mut i = lo + 2;
    if lt(&keys[lo + 1], &keys[lo])? {
        while i < hi && lt(&keys[i], &keys[i - 1])? {
            i += 1;
            n += 1;
        }
        Ok((n, true))
    } else {
        while i < hi && !lt(&keys[i], &keys[i - 1])? {
            i += 1;
            n += 1;
        }
        Ok((n, false))
    }
}

/// Binary insertion of keys[start..hi] into the sorted keys[lo..start] (CPython's binarysort).
fn binarysort(keys: &mut [Value], items: &mut [Value], lo: usize, hi: usize, start: usize) -> R<()> {
    for s in start.max(lo + 1)..hi {
        let (mut l, mut r) = (lo, s);
        while l < r {
            let p = l + ((r - l) >> 1);
            if lt(&keys[s], &keys[p])? {
                r = p;
            } else {
                l = p + 1;
            }
        }
        keys[l..=s].rotate_right(1);
        items[l..=s].rotate_right(1);
    }
    Ok(())
}

fn minrun(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

/// Stable merge of the adjacent runs [a, b) and [b, c).
fn merge(keys: &mut [Value], items: &mut [Value], a: usize, b: usize, c: usize) -> R<()> {
    let left_k: Vec<Value> = keys[a..b].to_vec();
    let left_i: Vec<Value> = items[a..b].to_vec();
    let (mut i, mut j, mut out) = (0, b, a);
    while i < left_k.len() && j < c {
        if lt(&keys[j], &left_k[i])? {
            keys[out] = keys[j].clone();
            items[out] = items[j].clone();
            j += 1;
        } else {
            keys[out] = left_k[i].clone();
            items[out] = left_i[i].clone();
            i += 1;
        }
        out += 1;
    }
    while i < left_k.len() {
        keys[out] = left_k[i].clone();
        items[out] = left_i[i].clone();
        i += 1;
        out += 1;
    }
    Ok(())
}

/// Sort `items` by `keys` (the items themselves when there is no key function), like list.sort(key, reverse).
/// On a comparison error the items keep their original order in the result of the error (the caller discards it).
pub fn sort(mut keys: Vec<Value>, mut items: Vec<Value>, reverse: bool) -> R<Vec<Value>> {
    let n = keys.len();
    if reverse {
        keys.reverse();
        items.reverse();
    }
    if n >= 2 {
        let min = minrun(n);
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut lo = 0;
        while lo < n {
            let (mut len, descending) = count_run(&keys, lo)?;
            if descending {
                keys[lo..lo + len].reverse();
                items[lo..lo + len].reverse();
            }
            if len < min {
                let force = (n - lo).min(min);
                binarysort(&mut keys, &mut items, lo, lo + force, lo + len)?;
                len = force;
            }
            runs.push((lo, len));
            // keep run lengths decreasing (a simple balanced collapse; the result is the same stable order)
            while runs.len() > 1 {
                let k = runs.len();
                let (a, alen) = runs[k - 2];
                let (_, blen) = runs[k - 1];
                if alen > blen && lo + len < n {
                    break;
                }
                merge(&mut keys, &mut items, a, a + alen, a + alen + blen)?;
                runs.truncate(k - 2);
                runs.push((a, alen + blen));
            }
            lo += len;
        }
        while runs.len() > 1 {
            let k = runs.len();
            let (a, alen) = runs[k - 2];
            let (_, blen) = runs[k - 1];
            merge(&mut keys, &mut items, a, a + alen, a + alen + blen)?;
            runs.truncate(k - 2);
            runs.push((a, alen + blen));
        }
    }
    if reverse {
        items.reverse();
    }
    Ok(items)
}
