//! Expressions, operators, builtins and methods: results and error messages must be CPython's.
mod builder;
use builder::*;
use serde_json::json;
use vm_core::ir::{BinOpKind as B, CmpOpKind as C, UnaryOpKind as U};

fn err(e: vm_core::ir::Expr) -> (String, String) {
    eval_err(e)
}

#[test]
fn int_arithmetic_follows_python() {
    assert_eq!(eval_ok(bin(B::FloorDiv, int(-7), int(2))), json!(-4));
    assert_eq!(eval_ok(bin(B::Mod, int(-7), int(2))), json!(1));
    assert_eq!(eval_ok(bin(B::Mod, int(7), int(-2))), json!(-1));
    assert_eq!(eval_ok(bin(B::Div, int(7), int(2))), json!(3.5));
    assert_eq!(eval_ok(bin(B::Div, int(4), int(2))), json!(2.0));
    assert_eq!(eval_ok(bin(B::Pow, int(2), int(-1))), json!(0.5));
    assert_eq!(eval_ok(bin(B::Pow, int(2), int(100))), json!({"$int": "1267650600228229401496703205376"}));
    assert_eq!(eval_ok(add(int(i64::MAX), int(1))), json!({"$int": "9223372036854775808"}));
    assert_eq!(eval_ok(bin(B::Mult, c(r#"{"$int":"100000000000000000000"}"#), int(0))), json!(0));
    assert_eq!(eval_ok(bin(B::Lshift, int(1), int(70))), json!({"$int": "1180591620717411303424"}));
    assert_eq!(eval_ok(bin(B::BitAnd, c("true"), c("false"))), json!(false));
    assert_eq!(eval_ok(add(c("true"), c("true"))), json!(2));
    assert_eq!(eval_ok(unary(U::Invert, int(5))), json!(-6));
    assert_eq!(eval_ok(unary(U::Neg, c(r#"{"$int":"-9223372036854775808"}"#))), json!({"$int": "9223372036854775808"}));
}

#[test]
fn float_arithmetic_and_repr() {
    assert_eq!(eval_ok(bin(B::FloorDiv, c("7.5"), int(-2))), json!(-4.0));
    assert_eq!(eval_ok(bin(B::Mod, c("-7.5"), int(2))), json!(0.5));
    assert_eq!(eval_ok(builtin("str", vec![c("1e16")])), json!("1e+16"));
    assert_eq!(eval_ok(builtin("str", vec![c("1.5e-5")])), json!("1.5e-05"));
    assert_eq!(eval_ok(builtin("str", vec![c("0.1")])), json!("0.1"));
    assert_eq!(eval_ok(builtin("str", vec![add(c("0.1"), c("0.2"))])), json!("0.30000000000000004"));
    assert_eq!(eval_ok(builtin("str", vec![c("123456789012345.0")])), json!("123456789012345.0"));
    assert_eq!(eval_ok(builtin("str", vec![c("0.0001")])), json!("0.0001"));
    assert_eq!(eval_ok(builtin("repr", vec![c(r#"{"$float":"inf"}"#)])), json!("inf"));
    assert_eq!(eval_ok(builtin("repr", vec![c(r#"{"$float":"nan"}"#)])), json!("nan"));
    assert_eq!(eval_ok(c(r#"{"$float":"-inf"}"#)), json!({"$float": "-inf"}));
}

#[test]
fn arithmetic_errors_have_cpython_messages() {
    assert_eq!(err(bin(B::Div, int(1), int(0))), ("builtins.ZeroDivisionError".into(), "division by zero".into()));
    assert_eq!(err(bin(B::FloorDiv, int(1), int(0))).1, "integer division or modulo by zero");
    assert_eq!(err(bin(B::Mod, int(1), int(0))).1, "integer modulo by zero");
    assert_eq!(err(bin(B::Div, c("1.0"), int(0))).1, "float division by zero");
    assert_eq!(
        err(add(int(1), s("a"))),
        ("builtins.TypeError".into(), "unsupported operand type(s) for +: 'int' and 'str'".into())
    );
    assert_eq!(err(add(s("a"), int(1))).1, "can only concatenate str (not \"int\") to str");
    assert_eq!(err(bin(B::Mult, s("a"), s("b"))).1, "can't multiply sequence by non-int of type 'str'");
    assert_eq!(err(unary(U::Neg, s("a"))).1, "bad operand type for unary -: 'str'");
    assert_eq!(err(cmp(C::Lt, list(vec![]), s("a"))).1, "'<' not supported between instances of 'list' and 'str'");
}

#[test]
fn comparisons_chain_and_mix_types() {
    assert_eq!(eval_ok(cmp_chain(int(1), vec![(C::Lt, int(2)), (C::Lt, int(3))])), json!(true));
    assert_eq!(eval_ok(cmp_chain(int(1), vec![(C::Lt, int(3)), (C::Lt, int(2))])), json!(false));
    assert_eq!(eval_ok(cmp(C::Eq, int(1), c("1.0"))), json!(true));
    assert_eq!(eval_ok(cmp(C::Eq, c("true"), int(1))), json!(true));
    assert_eq!(eval_ok(cmp(C::Lt, tuple(vec![int(1), int(2)]), tuple(vec![int(1), int(3)]))), json!(true));
    assert_eq!(eval_ok(cmp(C::In, int(2), list(vec![int(1), int(2)]))), json!(true));
    assert_eq!(eval_ok(cmp(C::NotIn, s("z"), s("abc"))), json!(true));
    assert_eq!(eval_ok(cmp(C::In, s("a"), dict(vec![(Some(s("a")), int(1))]))), json!(true));
    assert_eq!(eval_ok(cmp(C::In, c("999999999"), builtin("range", vec![c("1000000000")]))), json!(true));
    assert_eq!(eval_ok(cmp(C::Is, none(), none())), json!(true));
    assert_eq!(eval_ok(cmp(C::Eq, c(r#"{"$int":"18446744073709551616"}"#), c("1.8446744073709552e19"))), json!(true));
    assert_eq!(eval_ok(cmp(C::Eq, c(r#"{"$decimal":"1.10"}"#), c(r#"{"$decimal":"1.1"}"#))), json!(true));
    assert_eq!(err(cmp(C::In, int(1), s("a"))).1, "'in <string>' requires string as left operand, not int");
}

#[test]
fn bool_ops_short_circuit_and_return_operands() {
    assert_eq!(eval_ok(boolop(true, vec![int(1), int(0), bin(B::Div, int(1), int(0))])), json!(0));
    assert_eq!(eval_ok(boolop(false, vec![int(0), s(""), s("x")])), json!("x"));
    assert_eq!(eval_ok(boolop(false, vec![int(0), s("")])), json!(""));
    assert_eq!(eval_ok(ifexp(list(vec![]), int(1), int(2))), json!(2));
}

#[test]
fn subscripts_and_slices() {
    let xs = || list(vec![int(1), int(2), int(3), int(4)]);
    assert_eq!(eval_ok(sub(xs(), int(-1))), json!(4));
    assert_eq!(eval_ok(sub(xs(), slice(Some(int(1)), Some(int(3)), None))), json!([2, 3]));
    assert_eq!(eval_ok(sub(xs(), slice(None, None, Some(int(-1))))), json!([4, 3, 2, 1]));
    assert_eq!(eval_ok(sub(xs(), slice(None, None, Some(int(2))))), json!([1, 3]));
    assert_eq!(eval_ok(sub(s("héllo"), int(1))), json!("é"));
    assert_eq!(eval_ok(sub(s("héllo"), slice(Some(int(-3)), None, None))), json!("llo"));
    assert_eq!(eval_ok(sub(tuple(vec![int(1), int(2)]), int(0))), json!(1));
    assert_eq!(eval_ok(sub(builtin("range", vec![int(10)]), int(-2))), json!(8));
    assert_eq!(
        eval_ok(builtin("list", vec![sub(builtin("range", vec![int(10)]), slice(Some(int(2)), None, Some(int(3))))])),
        json!([2, 5, 8])
    );
    assert_eq!(err(sub(xs(), int(10))), ("builtins.IndexError".into(), "list index out of range".into()));
    assert_eq!(err(sub(s("ab"), int(5))).1, "string index out of range");
    assert_eq!(err(sub(tuple(vec![]), int(0))).1, "tuple index out of range");
    assert_eq!(err(sub(dict(vec![]), s("k"))), ("builtins.KeyError".into(), "'k'".into()));
    assert_eq!(err(sub(dict(vec![]), int(1))).1, "1");
    assert_eq!(err(sub(xs(), s("a"))).1, "list indices must be integers or slices, not str");
}

#[test]
fn displays_with_unpacking() {
    assert_eq!(eval_ok(list(vec![int(1), starred(tuple(vec![int(2), int(3)]))])), json!([1, 2, 3]));
    assert_eq!(eval_ok(tuple(vec![int(1), s("a")])), json!({"$tuple": [1, "a"]}));
    assert_eq!(eval_ok(set(vec![int(1), int(1), int(2)])), json!({"$set": [1, 2]}));
    assert_eq!(
        eval_ok(dict(vec![(Some(s("a")), int(1)), (None, dict(vec![(Some(s("b")), int(2))]))])),
        json!({"a": 1, "b": 2})
    );
    assert_eq!(eval_ok(dict(vec![(Some(int(1)), s("x"))])), json!({"$dict": [[1, "x"]]}));
    assert_eq!(err(set(vec![list(vec![])])).1, "unhashable type: 'list'");
    assert_eq!(err(dict(vec![(Some(list(vec![])), int(1))])).1, "unhashable type: 'list'");
}

#[test]
fn builtins_basic_forms() {
    assert_eq!(eval_ok(builtin("len", vec![s("héllo")])), json!(5));
    assert_eq!(eval_ok(builtin("len", vec![builtin("range", vec![c("1000000000000")])])), json!(1000000000000i64));
    assert_eq!(err(builtin("len", vec![int(5)])).1, "object of type 'int' has no len()");
    assert_eq!(eval_ok(builtin("int", vec![s(" 42 ")])), json!(42));
    assert_eq!(eval_ok(builtin("int", vec![c("-3.9")])), json!(-3));
    assert_eq!(err(builtin("int", vec![s("x")])).1, "invalid literal for int() with base 10: 'x'");
    assert_eq!(eval_ok(builtin("float", vec![s("1e3")])), json!(1000.0));
    assert_eq!(eval_ok(builtin("str", vec![list(vec![s("a"), none(), c("true")])])), json!("['a', None, True]"));
    assert_eq!(eval_ok(builtin("bool", vec![list(vec![])])), json!(false));
    assert_eq!(eval_ok(builtin("abs", vec![int(-3)])), json!(3));
    assert_eq!(eval_ok(builtin("min", vec![int(3), int(1), int(2)])), json!(1));
    assert_eq!(eval_ok(builtin("max", vec![list(vec![int(3), int(7)])])), json!(7));
    assert_eq!(err(builtin("max", vec![list(vec![])])).1, "max() arg is an empty sequence");
    assert_eq!(eval_ok(builtin("sum", vec![list(vec![int(1), int(2), c("0.5")])])), json!(3.5));
    assert_eq!(eval_ok(builtin("sorted", vec![list(vec![int(3), int(1), int(2)])])), json!([1, 2, 3]));
    assert_eq!(
        eval_ok(builtin_args("sorted", vec![arg(list(vec![int(3), int(1)])), kwarg("reverse", c("true"))])),
        json!([3, 1])
    );
    assert_eq!(eval_ok(builtin("list", vec![builtin("reversed", vec![list(vec![int(1), int(2)])])])), json!([2, 1]));
    assert_eq!(
        eval_ok(builtin("list", vec![builtin("enumerate", vec![list(vec![s("a"), s("b")])])])),
        json!([{"$tuple": [0, "a"]}, {"$tuple": [1, "b"]}])
    );
    assert_eq!(
        eval_ok(builtin("list", vec![builtin("zip", vec![list(vec![int(1), int(2)]), s("xyz")])])),
        json!([{"$tuple": [1, "x"]}, {"$tuple": [2, "y"]}])
    );
    assert_eq!(eval_ok(builtin("any", vec![list(vec![int(0), int(2)])])), json!(true));
    assert_eq!(eval_ok(builtin("all", vec![list(vec![])])), json!(true));
    assert_eq!(eval_ok(builtin("round", vec![c("2.5")])), json!(2));
    assert_eq!(eval_ok(builtin("round", vec![c("3.5")])), json!(4));
    assert_eq!(eval_ok(builtin("round", vec![c("2.675"), int(2)])), json!(2.67));
    assert_eq!(eval_ok(builtin("round", vec![int(1250), int(-2)])), json!(1200));
    assert_eq!(eval_ok(builtin("dict", vec![list(vec![tuple(vec![s("a"), int(1)])])])), json!({"a": 1}));
    assert_eq!(eval_ok(builtin("tuple", vec![s("ab")])), json!({"$tuple": ["a", "b"]}));
    assert_eq!(eval_ok(builtin("set", vec![list(vec![int(1), int(1)])])), json!({"$set": [1]}));
    assert_eq!(eval_ok(builtin("list", vec![builtin("range", vec![int(5), int(0), int(-2)])])), json!([5, 3, 1]));
    assert_eq!(err(builtin("range", vec![int(1), int(2), int(0)])).1, "range() arg 3 must not be zero");
}

#[test]
fn isinstance_with_builtin_and_user_classes() {
    let int_cls = vm_core::ir::ClassRef {
        qualname: "builtins.int".into(),
        kind: vm_core::ir::ClassKind::BuiltinType as i32,
        ..Default::default()
    };
    let val_err =
        exc_class("builtins.ValueError", &["builtins.ValueError", "builtins.Exception", "builtins.BaseException"]);
    let exc_cls = exc_class("builtins.Exception", &["builtins.Exception", "builtins.BaseException"]);
    let p = program(
        vec![func(
            "run",
            vec![],
            &[],
            vec![ret(tuple(vec![
                builtin("isinstance", vec![c("true"), class_obj(0)]),
                builtin("isinstance", vec![s("x"), class_obj(0)]),
                builtin("isinstance", vec![construct(1, args(vec![s("bad")])), class_obj(2)]),
                builtin("isinstance", vec![int(1), tuple(vec![class_obj(1), class_obj(0)])]),
            ]))],
        )],
        vec![],
        vec![int_cls, val_err, exc_cls],
    );
    let mut r = Run::new(p);
    assert_eq!(result_of(&r.start("{}")), json!({"$tuple": [true, false, true, true]}));
}

#[test]
fn string_methods() {
    assert_eq!(eval_ok(method(s(" Hi "), "strip", vec![])), json!("Hi"));
    assert_eq!(eval_ok(method(s("a,b,,c"), "split", vec![s(",")])), json!(["a", "b", "", "c"]));
    assert_eq!(eval_ok(method(s("  a  b "), "split", vec![])), json!(["a", "b"]));
    assert_eq!(eval_ok(method(s("-"), "join", vec![list(vec![s("a"), s("b")])])), json!("a-b"));
    assert_eq!(
        err(method(s("-"), "join", vec![list(vec![int(1)])])).1,
        "sequence item 0: expected str instance, int found"
    );
    assert_eq!(eval_ok(method(s("hello"), "replace", vec![s("l"), s("L")])), json!("heLLo"));
    assert_eq!(eval_ok(method(s("hello"), "find", vec![s("l")])), json!(2));
    assert_eq!(eval_ok(method(s("héllo"), "find", vec![s("l")])), json!(2));
    assert_eq!(eval_ok(method(s("hello world"), "title", vec![])), json!("Hello World"));
    assert_eq!(eval_ok(method(s("42"), "zfill", vec![int(5)])), json!("00042"));
    assert_eq!(eval_ok(method(s("-42"), "zfill", vec![int(5)])), json!("-0042"));
    assert_eq!(eval_ok(method(s("ab"), "center", vec![int(5), s("*")])), json!("**ab*"));
    assert_eq!(eval_ok(method(s("abc"), "center", vec![int(6)])), json!(" abc  "));
    assert_eq!(eval_ok(method(s("abc"), "startswith", vec![tuple(vec![s("x"), s("a")])])), json!(true));
    assert_eq!(eval_ok(method(s("{} is {:>3}"), "format", vec![int(1), int(2)])), json!("1 is   2"));
}

#[test]
fn string_case_mappings_follow_cpython() {
    let m = |text: &str, name: &str| eval_ok(method(s(text), name, vec![]));
    // a titlecase digraph is cased: the letter after it lowers; swapcase keeps it
    assert_eq!(m("ǅEMAL", "title"), json!("ǅemal"));
    assert_eq!(m("ǅemal", "swapcase"), json!("ǅEMAL"));
    assert_eq!(m("ǅemal", "istitle"), json!(true));
    assert_eq!(m("ǅ", "isupper"), json!(false));
    // the word-final sigma, case-ignorable characters skipped
    assert_eq!(m("ΣΑΣ ΟΔΟΣ.", "title"), json!("Σας Οδος."));
    assert_eq!(m("ΌΣΟΣ'", "capitalize"), json!("Όσος'"));
    assert_eq!(m("aΣ'b", "swapcase"), json!("Aσ'B"));
    // titlecase mappings that are not the uppercase ones
    assert_eq!(m("ᾳ ﬁ և თბ", "title"), json!("ᾼ Fi Եւ თბ"));
}

#[test]
fn fstrings_and_format_specs() {
    let f = |v: vm_core::ir::Expr, conv: &str, spec: Option<&str>| eval_ok(fstring(vec![fmt(v, conv, spec)]));
    assert_eq!(f(c("3.14159"), "", Some(">10.2f")), json!("      3.14"));
    assert_eq!(f(int(1234567), "", Some(",")), json!("1,234,567"));
    assert_eq!(f(int(5), "", Some("08b")), json!("00000101"));
    assert_eq!(f(s("hi"), "r", Some("^20")), json!("        'hi'        "));
    assert_eq!(f(int(255), "", Some("#x")), json!("0xff"));
    assert_eq!(f(c("0.5"), "", Some(".1%")), json!("50.0%"));
    assert_eq!(f(c("1234.5"), "", Some(",.2f")), json!("1,234.50"));
    assert_eq!(f(c("12345.678"), "", Some(".3g")), json!("1.23e+04"));
    assert_eq!(f(c("0.0001234"), "", Some("e")), json!("1.234000e-04"));
    assert_eq!(f(int(-5), "", Some("+d")), json!("-5"));
    assert_eq!(f(int(5), "", Some("+d")), json!("+5"));
    assert_eq!(f(int(20), "", Some(">8.2f")), json!("   20.00"));
    assert_eq!(
        eval_err(fstring(vec![fmt(int(20), "", Some(".2"))])).1,
        "Precision not allowed in integer format specifier"
    );
    assert_eq!(f(c("true"), "", None), json!("True"));
    assert_eq!(f(none(), "", None), json!("None"));
    assert_eq!(eval_ok(fstring(vec![lit("n="), fmt(int(3), "", None), lit("!")])), json!("n=3!"));
    assert_eq!(
        eval_err(fstring(vec![fmt(none(), "", Some(">5"))])).1,
        "unsupported format string passed to NoneType.__format__"
    );
}

#[test]
fn list_dict_set_methods() {
    // xs = [3, 1]; xs.append(2); xs.sort(); d = {}; d.setdefault("k", []).append(1); return (xs, d, xs.pop(0))
    let code = vec![
        set_local(1, list(vec![int(3), int(1)])),
        expr_stmt(method(local(1), "append", vec![int(2)])),
        expr_stmt(method(local(1), "sort", vec![])),
        set_local(2, dict(vec![])),
        expr_stmt(method(method(local(2), "setdefault", vec![s("k"), list(vec![])]), "append", vec![int(1)])),
        set_local(3, set(vec![int(1)])),
        expr_stmt(method(local(3), "add", vec![int(2)])),
        expr_stmt(method(local(3), "discard", vec![int(1)])),
        ret(tuple(vec![
            local(1),
            local(2),
            method(local(1), "pop", vec![int(0)]),
            method(local(2), "get", vec![s("zz"), int(9)]),
            builtin("list", vec![method(local(2), "items", vec![])]),
            local(3),
            method(local(3), "union", vec![list(vec![int(5)])]),
        ])),
    ];
    let fx = body_fx(code);
    assert_eq!(
        result_of(&fx),
        json!({"$tuple": [[2, 3], {"k": [1]}, 1, 9, [{"$tuple": ["k", [1]]}], {"$set": [2]}, {"$set": [2, 5]}]})
    );
    assert_eq!(eval_err(method(list(vec![]), "pop", vec![])).1, "pop from empty list");
    assert_eq!(eval_err(method(list(vec![]), "remove", vec![int(3)])).1, "list.remove(x): x not in list");
    assert_eq!(eval_err(method(list(vec![int(1)]), "index", vec![int(2)])).1, "2 is not in list");
    assert_eq!(eval_err(method(dict(vec![]), "pop", vec![int(1)])), ("builtins.KeyError".into(), "1".into()));
    assert_eq!(eval_err(method(int(1), "nope", vec![])).1, "'int' object has no attribute 'nope'");
}

#[test]
fn unbound_local_message() {
    let fx = body_fx(vec![ret(local(2))]);
    assert_eq!(
        error_of(&fx),
        (
            "builtins.UnboundLocalError".into(),
            "cannot access local variable 'b' where it is not associated with a value".into()
        )
    );
}
