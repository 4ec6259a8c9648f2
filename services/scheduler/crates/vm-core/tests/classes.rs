//! Values whose behaviour depends on their class (classinfo.rs): IntEnum/IntFlag members, dataclass and model
//! hashing, exception attributes and identities across a snapshot; each checked against what CPython 3.11 does.
mod builder;

use builder::*;
use num_bigint::BigInt;
use serde_json::json;
use vm_core::classinfo::Current;
use vm_core::compare::{py_eq, py_hash, tuple_hash};
use vm_core::ir;
use vm_core::repr::{repr, str_of};
use vm_core::value::Value;

fn enum_class(qualname: &str, members: &[(&str, i64)], enum_type: &str, value_str: bool, flag: bool) -> ir::ClassRef {
    ir::ClassRef {
        qualname: qualname.into(),
        kind: ir::ClassKind::Enum as i32,
        members: members
            .iter()
            .map(|(n, v)| ir::EnumMemberRef { name: n.to_string(), value: Some(ir::Value { json: v.to_string() }) })
            .collect(),
        enum_type: enum_type.into(),
        enum_value_str: value_str,
        enum_flag: flag,
        ..Default::default()
    }
}

fn dataclass(qualname: &str, hash: ir::HashKind, unhashed: &[&str]) -> ir::ClassRef {
    ir::ClassRef {
        qualname: qualname.into(),
        kind: ir::ClassKind::Dataclass as i32,
        hash: hash as i32,
        unhashed: unhashed.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn classes() -> vm_core::Program {
    let p = program(
        vec![func("run", vec![], &[], vec![ret(none())])],
        vec![],
        vec![
            enum_class("shop.Tier", &[("FREE", 0), ("PRO", 2)], "builtins.int", true, false),
            enum_class("shop.Perm", &[("R", 4), ("W", 2), ("X", 1)], "builtins.int", true, true),
            enum_class("shop.Color", &[("RED", 1)], "", false, false),
            dataclass("shop.Point", ir::HashKind::Fields, &["note"]),
            dataclass("shop.Cart", ir::HashKind::Unhashable, &[]),
            ir::ClassRef {
                order: true,
                uncompared: vec!["note".into()],
                ..dataclass("shop.Release", ir::HashKind::Fields, &["note"])
            },
        ],
    );
    vm_core::Program::from_ir(p).expect("valid program")
}

fn decode(j: serde_json::Value) -> Value {
    vm_core::codec::decode(&j).unwrap()
}

fn member(class: &str, name: &str, value: i64) -> Value {
    decode(json!({"$enum": {"class": class, "name": name, "value": value}}))
}

#[test]
fn int_enum_members_are_their_ints() {
    let prog = classes();
    let _current = Current::enter(&prog);
    let pro = member("shop.Tier", "PRO", 2);
    assert_eq!(py_hash(&pro), py_hash(&Value::int(2)));
    assert!(py_eq(&pro, &Value::int(2)));
    assert_eq!((str_of(&pro), repr(&pro)), ("2".to_string(), "<Tier.PRO: 2>".to_string()));
    let red = member("shop.Color", "RED", 1);
    assert!(!py_eq(&red, &Value::int(1)));
    assert_eq!(str_of(&red), "Color.RED");
}

#[test]
fn flag_values_are_named_like_cpython() {
    let prog = classes();
    let _current = Current::enter(&prog);
    let name = |v: i64| {
        let m = vm_core::enums::flag_member("shop.Perm", BigInt::from(v)).unwrap();
        repr(&m)
    };
    assert_eq!(name(6), "<Perm.R|W: 6>");
    assert_eq!(name(4), "<Perm.R: 4>");
    assert_eq!(name(0), "<Perm: 0>");
    assert_eq!(name(8), "<Perm: 8>");
    assert_eq!(name(12), "<Perm.R|8: 12>");
    assert_eq!(name(-5), "<Perm.W|X: 3>"); // ~Perm.R
}

#[test]
fn dataclass_hashes_follow_their_class() {
    let prog = classes();
    let _current = Current::enter(&prog);
    let point = decode(json!({"$dataclass": {"class": "shop.Point", "fields": {"x": 1, "y": 2, "note": "a"}}}));
    let want = tuple_hash([1i64, 2].into_iter());
    assert_eq!(py_hash(&point), Some(want as u64)); // field(hash=False) left out
    let cart = decode(json!({"$dataclass": {"class": "shop.Cart", "fields": {"items": []}}}));
    assert_eq!(py_hash(&cart), None);
    assert_eq!(vm_core::compare::unhashable(&cart), "unhashable type: 'Cart'");
}

#[test]
fn ordered_dataclasses_compare_as_their_field_tuples() {
    use std::cmp::Ordering;
    use vm_core::compare::py_cmp;
    let prog = classes();
    let _current = Current::enter(&prog);
    let release = |major: i64, minor: i64, note: &str| {
        decode(
            json!({"$dataclass": {"class": "shop.Release", "fields": {"major": major, "minor": minor, "note": note}}}),
        )
    };
    assert_eq!(py_cmp(&release(1, 10, "a"), &release(1, 9, "z")), Some(Ordering::Greater));
    // field(compare=False) is left out
    assert_eq!(py_cmp(&release(1, 2, "a"), &release(1, 2, "b")), Some(Ordering::Equal));
    // order=False, or another class: not ordered (TypeError)
    let point = decode(json!({"$dataclass": {"class": "shop.Point", "fields": {"x": 1, "y": 2, "note": ""}}}));
    assert_eq!(py_cmp(&point, &point), None);
    let other = decode(json!({"$dataclass": {"class": "shop.Other", "fields": {"major": 1, "minor": 2}}}));
    assert_eq!(py_cmp(&release(1, 2, ""), &other), None);
}

#[test]
fn without_a_program_classes_behave_as_before() {
    let pro = member("shop.Tier", "PRO", 2);
    assert!(!py_eq(&pro, &Value::int(2)));
    let point = decode(json!({"$dataclass": {"class": "shop.Point", "fields": {"x": 1}}}));
    assert_eq!(py_hash(&point), None);
}

#[test]
fn exception_attributes_and_identities_survive_a_snapshot() {
    // e = ValueError("x"); e.code = 3; s = {e}; await sleep; return [e in s, e.code, e]
    let exc = 0;
    let code = vec![
        set_local(1, construct(exc, args(vec![s("x")]))),
        assign(attr_target(local(1), "code"), int(3)),
        set_local(2, set(vec![local(1)])),
        await_(None, sleep(c("1.0"))),
        ret(list(vec![cmp(ir::CmpOpKind::In, local(1), local(2)), attr(local(1), "code"), local(1)])),
    ];
    let p = program(
        vec![func("run", vec![], &["e", "s"], code)],
        vec![],
        vec![exc_class(
            "builtins.ValueError",
            &["builtins.ValueError", "builtins.Exception", "builtins.BaseException"],
        )],
    );
    let mut r = Run::new(p);
    let fx = r.start("{}");
    assert_eq!(fx["status"], "waiting");
    let snap: serde_json::Value = serde_json::from_slice(r.snapshot.as_deref().unwrap()).unwrap();
    let heap = snap["heap"].as_array().unwrap();
    let stored = heap.iter().find(|e| e["t"] == "exc").unwrap();
    assert_eq!(stored["attrs"], json!([["code", 3]]));
    assert!(stored["ident"].as_u64().unwrap() > 0);
    let fx = r.advance(r#"[{"kind":"timer","seq":1}]"#);
    let out = result_of(&fx);
    assert_eq!(out[0], json!(true));
    assert_eq!(out[1], json!(3));
    assert_eq!(out[2]["$exception"]["attrs"], json!({"code": 3}));
}
