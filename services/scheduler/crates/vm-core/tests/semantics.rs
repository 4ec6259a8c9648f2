//! CPython-exact building blocks, checked against values CPython 3.11 prints: hashes, the set table's iteration
//! order, Decimal arithmetic in the default context, the proleptic Gregorian calendar.
use vm_core::compare::py_hash;
use vm_core::decimal::{Dec, Rounding};
use vm_core::num::Int;
use vm_core::pyset::PySet;
use vm_core::value::{Key, Value};

fn int(i: i64) -> Value {
    Value::int(i)
}

fn set_of(items: &[i64]) -> PySet {
    let mut s = PySet::default();
    for i in items {
        s.insert(Key::new(int(*i)).unwrap());
    }
    s
}

fn order(s: &PySet) -> Vec<i64> {
    s.iter().map(|k| if let Value::Int(Int::Small(i)) = k.value { i } else { i64::MIN }).collect()
}

#[test]
fn hashes_are_cpythons() {
    let h = |v: Value| py_hash(&v).unwrap() as i64;
    assert_eq!(h(Value::Float(1.5)), 1152921504606846977);
    assert_eq!(h(int(-1)), -2);
    assert_eq!(h(Value::tuple(vec![int(1), int(2)])), -3550055125485641917);
    assert_eq!(h(Value::Int(Int::from_big(num_bigint::BigInt::from(1u64 << 61)))), 1);
    assert_eq!(h(Value::Decimal("1.5".into())), 1152921504606846977);
    assert_eq!(h(Value::Float(2.0)), h(int(2)));
}

#[test]
fn small_int_sets_iterate_in_table_order() {
    assert_eq!(order(&set_of(&[10, 1, 33])), vec![1, 10, 33]);
    assert_eq!(order(&set_of(&[3, 1, 2])), vec![1, 2, 3]);
    let display =
        PySet::from_constant_display([7, 15, 23, 31, 39, 47].iter().map(|i| Key::new(int(*i)).unwrap()).collect());
    assert_eq!(order(&display), vec![23, 39, 7, 15, 31, 47]);
}

#[test]
fn deletions_resizes_and_pop_follow_cpython() {
    let mut s = set_of(&(0..100).step_by(7).collect::<Vec<_>>());
    for x in (0..100).step_by(3) {
        s.remove(&Key::new(int(x)).unwrap());
    }
    assert_eq!(order(&s), vec![98, 35, 70, 7, 77, 14, 49, 56, 91, 28]);
    for x in [200, 5, 64, 128] {
        s.insert(Key::new(int(x)).unwrap());
    }
    assert_eq!(order(&s), vec![64, 128, 98, 35, 5, 70, 7, 200, 77, 14, 49, 56, 91, 28]);
    let popped: Vec<Value> = (0..2).map(|_| s.pop().unwrap().value).collect();
    assert!(matches!(popped.as_slice(), [Value::Int(Int::Small(64)), Value::Int(Int::Small(128))]));
}

#[test]
fn decimal_default_context() {
    let d = |s: &str| Dec::parse(s).unwrap();
    assert_eq!(d("1").div(&d("3")).unwrap().to_sci(), "0.3333333333333333333333333333");
    assert_eq!(d("1.10").add(&d("2.205")).unwrap().to_sci(), "3.305");
    assert_eq!(d("2").div(&d("4")).unwrap().to_sci(), "0.5");
    let (q, r) = d("-7").divmod(&d("2")).unwrap();
    assert_eq!((q.to_sci(), r.to_sci()), ("-3".to_string(), "-1".to_string()));
    assert_eq!(d("2.675").quantize(&d("0.01"), Rounding::HalfEven).unwrap().to_sci(), "2.68");
    assert_eq!(d("1E+3").mul(&d("1")).unwrap().to_sci(), "1E+3");
    assert_eq!(d("0.1").mul(&d("0.1")).unwrap().to_sci(), "0.01");
    assert_eq!(Dec::from_f64(0.1).to_sci(), "0.1000000000000000055511151231257827021181583404541015625");
}

#[test]
fn gregorian_calendar() {
    use vm_core::datetime::{ord_to_ymd, ymd_to_ord};
    assert_eq!(ymd_to_ord(2024, 2, 29), 738945);
    assert_eq!(ord_to_ymd(1), (1, 1, 1));
    for n in [1, 365, 366, 730_120, 738_945, 3_652_059] {
        let (y, m, d) = ord_to_ymd(n);
        assert_eq!(ymd_to_ord(y, m, d), n);
    }
}
