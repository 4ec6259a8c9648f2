//! The Rust codec against the vectors shared with the Python codec (libs/ir/tests/values_vectors.json), and repr/str
//! against what CPython printed for the same values (tests/data/reprs_from_cpython.json, generated once by running
//! `repr()` / `str()` on the vectors' `python` expressions).
use serde_json::Value as Json;
use vm_core::codec::{decode, encode};
use vm_core::repr::{float_repr, repr, str_of};

fn vectors() -> Vec<Json> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../libs/ir/tests/values_vectors.json");
    let text = std::fs::read_to_string(path).expect("shared vectors");
    serde_json::from_str::<Vec<Json>>(&text).unwrap()
}

#[test]
fn every_shared_vector_round_trips() {
    let vs = vectors();
    assert!(vs.len() >= 50);
    for case in vs {
        let j = &case["json"];
        let v = decode(j).unwrap_or_else(|e| panic!("decode {j}: {e}"));
        let back = encode(&v).unwrap_or_else(|e| panic!("encode {j}: {e:?}"));
        assert_eq!(&back, j, "round trip of {}", case["python"]);
    }
}

#[test]
fn repr_and_str_match_cpython() {
    let text = include_str!("data/reprs_from_cpython.json");
    let cases: Vec<(String, String, String)> = serde_json::from_str(text).unwrap();
    for (json, want_repr, want_str) in cases {
        let v = decode(&serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(repr(&v), want_repr, "repr of {json}");
        assert_eq!(str_of(&v), want_str, "str of {json}");
    }
}

#[test]
fn unknown_tags_and_unhashable_keys_are_errors() {
    assert!(decode(&serde_json::json!({"$nope": 1})).is_err());
    assert!(decode(&serde_json::json!({"$dict": [[[1], 2]]})).is_err());
    assert!(decode(&serde_json::json!({"$set": [[1]]})).is_err());
    // two keys is a plain dict even when one starts with '$'
    assert!(decode(&serde_json::json!({"$a": 1, "b": 2})).is_ok());
}

#[test]
fn float_repr_is_shortest_round_trip() {
    for (f, want) in [
        (1e16, "1e+16"),
        (1.5e-5, "1.5e-05"),
        (0.0001, "0.0001"),
        (123456789.0, "123456789.0"),
        (1e15, "1000000000000000.0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-0.0, "-0.0"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (2.5, "2.5"),
        (100.0, "100.0"),
    ] {
        assert_eq!(float_repr(f), want);
        assert_eq!(want.parse::<f64>().unwrap_or(f64::NAN).to_bits(), f.to_bits());
    }
}

#[test]
fn a_decoded_exception_suppresses_its_context_exactly_when_it_has_a_cause() {
    let exc = |cause: Json| {
        let mro = ["builtins.ValueError", "builtins.Exception", "builtins.BaseException"];
        serde_json::json!({"$exception": {"class": "builtins.ValueError", "mro": mro, "args": ["x"],
                                          "message": "x", "cause": cause}})
    };
    let suppressed = |j: &Json| match decode(j).unwrap() {
        vm_core::value::Value::Exception(e) => e.borrow().suppress_context,
        other => panic!("not an exception: {}", repr(&other)),
    };
    assert!(!suppressed(&exc(Json::Null)));
    assert!(suppressed(&exc(exc(Json::Null))));
}

#[test]
fn suppress_context_and_class_attrs_travel_and_survive_re_encoding() {
    let j = serde_json::json!({"$exception": {"class": "shop.Late", "mro": ["shop.Late", "builtins.Exception",
        "builtins.BaseException"], "args": ["x"], "message": "x", "cause": null, "suppress_context": true,
        "class_attrs": {"code": "late", "limits": {"$tuple": [1, 2]}}}});
    let v = decode(&j).unwrap();
    match &v {
        vm_core::value::Value::Exception(e) => {
            let e = e.borrow();
            assert!(e.suppress_context);
            assert_eq!(e.class_attr("code").map(repr).as_deref(), Some("'late'"));
            assert_eq!(e.class_attr("limits").map(repr).as_deref(), Some("(1, 2)"));
        }
        other => panic!("not an exception: {}", repr(other)),
    }
    assert_eq!(encode(&v).unwrap(), j);
}
