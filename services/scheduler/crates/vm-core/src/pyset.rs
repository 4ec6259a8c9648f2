//! CPython's set table (Objects/setobject.c, 3.11), so that sets iterate in CPython's order: `list({3, 1, 2})` is
//! `[1, 2, 3]`, `{10, 1, 33}` depends on the table size and the probe sequence, deletions leave dummies, and
//! `set.pop()` walks a finger. Hashes are CPython's for the values whose hash CPython does not salt (compare.rs);
//! the operations (union, intersection, difference, symmetric difference, their in-place forms, copies) follow
//! the C functions step by step, because each of them inserts in its own order into its own table size.
use crate::compare::py_eq;
use crate::value::{Dict, Key};

const MINSIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

#[derive(Clone, Debug)]
pub enum Slot {
    Empty,
    Dummy,
    Active(Key),
}

#[derive(Clone, Debug)]
pub struct PySet {
    table: Vec<Slot>,
    fill: usize,
    used: usize,
    finger: usize,
}

impl Default for PySet {
    fn default() -> PySet {
        PySet { table: vec![Slot::Empty; MINSIZE], fill: 0, used: 0, finger: 0 }
    }
}

/// The other operand of a set operation, as CPython distinguishes them.
pub enum Other<'a> {
    Set(&'a PySet),
    /// A dict's keys (CPython has dict fast paths).
    Dict(&'a Dict),
    /// Any other iterable, already hashed in iteration order.
    Keys(Vec<Key>),
}

fn same(a: &Key, b: &Key) -> bool {
    a.hash() == b.hash() && (a.value.is(&b.value) || py_eq(&a.value, &b.value))
}

impl PySet {
    pub fn len(&self) -> usize {
        self.used
    }
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }
    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    /// Active keys in table order (CPython's iteration order).
    pub fn iter(&self) -> impl Iterator<Item = &Key> {
        self.table.iter().filter_map(|s| match s {
            Slot::Active(k) => Some(k),
            _ => None,
        })
    }

    /// The table itself (the snapshot stores it, so a resumed run iterates in the same order).
    pub fn layout(&self) -> (&[Slot], usize, usize) {
        (&self.table, self.fill, self.finger)
    }

    /// Rebuild from a stored layout. None when it is inconsistent.
    pub fn from_layout(table: Vec<Slot>, fill: usize, finger: usize) -> Option<PySet> {
        let n = table.len();
        if n < MINSIZE || !n.is_power_of_two() {
            return None;
        }
        let used = table.iter().filter(|s| matches!(s, Slot::Active(_))).count();
        let dummies = table.iter().filter(|s| matches!(s, Slot::Dummy)).count();
        if fill != used + dummies || fill >= n {
            return None;
        }
        Some(PySet { table, fill, used, finger })
    }

    fn lookup(&self, key: &Key) -> Option<usize> {
        let mask = self.mask();
        let hash = key.hash();
        let mut i = (hash as usize) & mask;
        let mut perturb = hash;
        loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in 0..=probes {
                match &self.table[i + j] {
                    Slot::Empty => return None,
                    Slot::Active(k) if same(k, key) => return Some(i + j),
                    _ => {}
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }

    pub fn contains(&self, key: &Key) -> bool {
        self.lookup(key).is_some()
    }

    /// set_add_entry: true when the key was not there.
    pub fn insert(&mut self, key: Key) -> bool {
        let mask = self.mask();
        let hash = key.hash();
        let mut i = (hash as usize) & mask;
        let mut perturb = hash;
        let mut freeslot: Option<usize> = None;
        let found = loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            let mut hit = None;
            for j in 0..=probes {
                match &self.table[i + j] {
                    Slot::Empty => {
                        hit = Some(Err(i + j));
                        break;
                    }
                    Slot::Active(k) if same(k, &key) => {
                        hit = Some(Ok(()));
                        break;
                    }
                    // CPython keeps the *last* dummy seen on the probe sequence
                    Slot::Dummy => freeslot = Some(i + j),
                    _ => {}
                }
            }
            if let Some(h) = hit {
                break h;
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        };
        let Err(empty) = found else { return false };
        if let Some(free) = freeslot {
            self.used += 1;
            self.table[free] = Slot::Active(key);
            return true;
        }
        self.fill += 1;
        self.used += 1;
        self.table[empty] = Slot::Active(key);
        if self.fill * 5 >= mask * 3 {
            self.resize(if self.used > 50000 { self.used * 2 } else { self.used * 4 });
        }
        true
    }

    /// set_discard_entry: true when the key was there.
    pub fn remove(&mut self, key: &Key) -> bool {
        match self.lookup(key) {
            Some(i) => {
                self.table[i] = Slot::Dummy;
                self.used -= 1;
                true
            }
            None => false,
        }
    }

    fn insert_clean(table: &mut [Slot], key: Key) {
        let mask = table.len() - 1;
        let hash = key.hash();
        let mut perturb = hash;
        let mut i = (hash as usize) & mask;
        loop {
            if matches!(table[i], Slot::Empty) {
                table[i] = Slot::Active(key);
                return;
            }
            if i + LINEAR_PROBES <= mask {
                for j in 1..=LINEAR_PROBES {
                    if matches!(table[i + j], Slot::Empty) {
                        table[i + j] = Slot::Active(key);
                        return;
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }

    /// set_table_resize
    fn resize(&mut self, minused: usize) {
        let mut newsize = MINSIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        if newsize == MINSIZE && self.table.len() == MINSIZE && self.fill == self.used {
            return; // small table, no dummies: CPython keeps it as it is
        }
        let old = std::mem::replace(&mut self.table, vec![Slot::Empty; newsize]);
        self.fill = self.used;
        for slot in old {
            if let Slot::Active(k) = slot {
                PySet::insert_clean(&mut self.table, k);
            }
        }
    }

    pub fn set_finger(&mut self, finger: usize) {
        self.finger = finger;
    }

    pub fn clear(&mut self) {
        self.table = vec![Slot::Empty; MINSIZE];
        self.fill = 0;
        self.used = 0;
    }

    /// set.pop(): the first active entry from the finger on.
    pub fn pop(&mut self) -> Option<Key> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while !matches!(self.table[i], Slot::Active(_)) {
            i += 1;
            if i > mask {
                i = 0;
            }
        }
        let slot = std::mem::replace(&mut self.table[i], Slot::Dummy);
        self.used -= 1;
        self.finger = i + 1;
        match slot {
            Slot::Active(k) => Some(k),
            _ => None,
        }
    }

    /// set_merge: add every key of `other` (a set).
    pub fn merge(&mut self, other: &PySet) {
        if other.used == 0 {
            return;
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            self.table = other.table.clone();
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for k in other.iter() {
                PySet::insert_clean(&mut self.table, k.clone());
            }
            return;
        }
        for k in other.iter() {
            self.insert(k.clone());
        }
    }

    /// set_update_internal
    pub fn update(&mut self, other: Other) {
        match other {
            Other::Set(o) => self.merge(o),
            Other::Dict(d) => {
                if (self.fill + d.len()) * 5 >= self.mask() * 3 {
                    self.resize((self.used + d.len()) * 2);
                }
                for k in d.keys() {
                    self.insert(k.clone());
                }
            }
            Other::Keys(keys) => {
                for k in keys {
                    self.insert(k);
                }
            }
        }
    }

    /// make_new_set(iterable)
    pub fn from_other(other: Other) -> PySet {
        let mut s = PySet::default();
        s.update(other);
        s
    }

    /// set.copy() / set(s) / frozenset(s)
    pub fn copy(&self) -> PySet {
        PySet::from_other(Other::Set(self))
    }

    fn other_contains(other: &Other, k: &Key) -> bool {
        match other {
            Other::Set(o) => o.contains(k),
            Other::Dict(d) => d.contains_key(k),
            Other::Keys(keys) => keys.iter().any(|x| same(x, k)),
        }
    }

    /// set_intersection
    pub fn intersection(&self, other: Other) -> PySet {
        let mut result = PySet::default();
        match other {
            Other::Set(o) => {
                let (big, small) = if o.len() > self.len() { (o, self) } else { (self, o) };
                for k in small.iter() {
                    if big.contains(k) {
                        result.insert(k.clone());
                    }
                }
            }
            Other::Dict(d) => {
                for k in d.keys() {
                    if self.contains(k) {
                        result.insert(k.clone());
                    }
                }
            }
            Other::Keys(keys) => {
                for k in keys {
                    if self.contains(&k) {
                        result.insert(k);
                    }
                }
            }
        }
        result
    }

    /// set_difference
    pub fn difference(&self, other: Other) -> PySet {
        let other_size = match &other {
            Other::Set(o) => o.len(),
            Other::Dict(d) => d.len(),
            Other::Keys(_) => return self.copy_and_difference(other),
        };
        if (self.len() >> 2) > other_size {
            return self.copy_and_difference(other);
        }
        let mut result = PySet::default();
        for k in self.iter() {
            if !PySet::other_contains(&other, k) {
                result.insert(k.clone());
            }
        }
        result
    }

    fn copy_and_difference(&self, other: Other) -> PySet {
        let mut result = self.copy();
        result.difference_update(other);
        result
    }

    /// set_difference_update_internal
    pub fn difference_update(&mut self, other: Other) {
        match other {
            Other::Set(o) => {
                let smaller;
                let o = if (o.len() >> 3) > self.len() {
                    smaller = self.intersection(Other::Set(o));
                    &smaller
                } else {
                    o
                };
                let keys: Vec<Key> = o.iter().cloned().collect();
                for k in keys {
                    self.remove(&k);
                }
            }
            Other::Dict(d) => {
                for k in d.keys() {
                    self.remove(k);
                }
            }
            Other::Keys(keys) => {
                for k in keys {
                    self.remove(&k);
                }
            }
        }
        if self.fill - self.used > self.mask() / 4 {
            self.resize(if self.used > 50000 { self.used * 2 } else { self.used * 4 });
        }
    }

    /// set_symmetric_difference_update
    pub fn symmetric_difference_update(&mut self, other: Other) {
        let owned;
        let o: &PySet = match other {
            Other::Set(o) => o,
            Other::Dict(d) => {
                for k in d.keys() {
                    if !self.remove(k) {
                        self.insert(k.clone());
                    }
                }
                return;
            }
            Other::Keys(keys) => {
                owned = PySet::from_other(Other::Keys(keys));
                &owned
            }
        };
        let keys: Vec<Key> = o.iter().cloned().collect();
        for k in keys {
            if !self.remove(&k) {
                self.insert(k);
            }
        }
    }

    /// set_symmetric_difference: a copy of `other`, updated with self.
    pub fn symmetric_difference(&self, other: Other) -> PySet {
        let mut result = PySet::from_other(other);
        result.symmetric_difference_update(Other::Set(self));
        result
    }

    /// set_or: a copy of self, updated with other.
    pub fn union(&self, other: Other) -> PySet {
        let mut result = self.copy();
        result.update(other);
        result
    }

    /// A set display of 3 or more constants: CPython folds it into a frozenset constant and SET_UPDATEs an
    /// empty set with it. The compiler builds that constant twice (the folded frozenset, then again from its
    /// iteration order when it interns constants), so its table is the rebuild of the first one.
    pub fn from_constant_display(keys: Vec<Key>) -> PySet {
        let folded = PySet::from_other(Other::Keys(keys));
        let interned = PySet::from_other(Other::Keys(folded.iter().cloned().collect()));
        PySet::from_other(Other::Set(&interned))
    }
}

impl FromIterator<Key> for PySet {
    fn from_iter<I: IntoIterator<Item = Key>>(iter: I) -> PySet {
        PySet::from_other(Other::Keys(iter.into_iter().collect()))
    }
}
