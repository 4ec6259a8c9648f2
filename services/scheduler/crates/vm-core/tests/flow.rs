//! Suspension and resumption: actions, sleeps, loops, exceptions, gather, signals, cancel, snapshots.
mod builder;
use builder::*;
use serde_json::json;
use vm_core::ir::{BinOpKind as B, CmpOpKind as C};

/// for i in range(n): total += await charge(i); await asyncio.sleep(1); return total
fn loop_program() -> vm_core::ir::Program {
    let code = vec![
        /*0*/ set_local(2, int(0)),
        /*1*/ get_iter(3, builtin("range", vec![local(1)])),
        /*2*/ for_iter(3, slot(4), 6),
        /*3*/ await_(Some(5), action(0, args(vec![local(4)]))),
        /*4*/ aug(slot(2), B::Add, local(5)),
        /*5*/ jump(2),
        /*6*/ await_(None, sleep(c("1.5"))),
        /*7*/ ret(local(2)),
    ];
    program(
        vec![func("run", vec![param("n", 1, None)], &["n", "total", "it", "i", "r"], code)],
        vec![action_ref("charge", &["order_id"])],
        vec![],
    )
}

#[test]
fn actions_and_sleep_round_trip_through_snapshots() {
    let mut r = Run::new(loop_program());
    let fx = r.start(r#"{"n": 2}"#);
    assert_eq!(fx["status"], "running");
    assert_eq!(fx["actions"][0]["seq"], 1);
    assert_eq!(fx["actions"][0]["key"], "charge@h1");
    assert_eq!(fx["actions"][0]["args"], r#"{"order_id":0}"#);
    assert_eq!(fx["actions"][0]["max_attempts"], 1);
    let fx = r.advance(r#"[{"kind":"action","seq":1,"ok":true,"value":10}]"#);
    assert_eq!(fx["actions"][0]["seq"], 2);
    assert_eq!(fx["actions"][0]["args"], r#"{"order_id":1}"#);
    // a duplicate of an old outcome is ignored
    let fx = r.advance(r#"[{"kind":"action","seq":1,"ok":true,"value":99}]"#);
    assert_eq!(fx["status"], "running");
    assert_eq!(fx["actions"], json!([]));
    let fx = r.advance(r#"[{"kind":"action","seq":2,"ok":true,"value":5}]"#);
    assert_eq!(fx["status"], "waiting");
    assert_eq!(fx["timers"], json!([{"seq": 3, "kind": "sleep", "seconds": 1.5}]));
    let fx = r.advance(r#"[{"kind":"timer","seq":3}]"#);
    assert_eq!(result_of(&fx), json!(15));
}

#[test]
fn action_failure_fails_the_run_with_the_remote_exception() {
    let mut r = Run::new(loop_program());
    r.start(r#"{"n": 1}"#);
    let fx = r.advance(
        r#"[{"kind":"action","seq":1,"ok":false,"error":{"$exception":{"class":"shop.Declined","mro":["shop.Declined","builtins.Exception","builtins.BaseException"],"args":["no"],"message":"no","cause":null}}}]"#,
    );
    assert_eq!(error_of(&fx), ("shop.Declined".into(), "no".into()));
}

#[test]
fn start_binds_arguments_like_cpython() {
    let mut r = Run::new(loop_program());
    let fx = r.start("{}");
    assert_eq!(
        error_of(&fx),
        ("builtins.TypeError".into(), "Flow.run() missing 1 required positional argument: 'n'".into())
    );
    let mut r = Run::new(loop_program());
    let fx = r.start(r#"{"n": 1, "x": 2}"#);
    assert_eq!(error_of(&fx).1, "Flow.run() got an unexpected keyword argument 'x'");
}

#[test]
fn aliasing_survives_a_suspension() {
    // a = []; b = a; await sleep(0); b.append(1); c = {"k": a}; await sleep(0); a.append(2); return (a, c, b is a)
    let code = vec![
        set_local(1, list(vec![])),
        set_local(2, local(1)),
        await_(None, sleep(int(0))),
        expr_stmt(method(local(2), "append", vec![int(1)])),
        set_local(3, dict(vec![(Some(s("k")), local(1))])),
        await_(None, sleep(int(0))),
        expr_stmt(method(local(1), "append", vec![int(2)])),
        ret(tuple(vec![local(1), local(3), cmp(C::Is, local(2), local(1))])),
    ];
    let mut r = Run::new(program(vec![func("run", vec![], &["a", "b", "c"], code)], vec![], vec![]));
    r.start("{}");
    r.advance(r#"[{"kind":"timer","seq":1}]"#);
    let fx = r.advance(r#"[{"kind":"timer","seq":2}]"#);
    assert_eq!(result_of(&fx), json!({"$tuple": [[1, 2], {"k": [1, 2]}, true]}));
}

#[test]
fn lazy_range_and_iterators_survive_suspension() {
    // for i in range(10**9): if i == 2: return i; await sleep(0)   -- never allocates the range
    let code = vec![
        /*0*/ get_iter(1, builtin("range", vec![c("1000000000")])),
        /*1*/ for_iter(1, slot(2), 5),
        /*2*/ branch(cmp(C::Eq, local(2), int(2)), 6, 3),
        /*3*/ await_(None, sleep(int(0))),
        /*4*/ jump(1),
        /*5*/ ret(none()),
        /*6*/ ret(local(2)),
    ];
    let mut r = Run::new(program(vec![func("run", vec![], &["it", "i"], code)], vec![], vec![]));
    r.start("{}");
    r.advance(r#"[{"kind":"timer","seq":1}]"#);
    let snap = String::from_utf8(r.snapshot.clone().unwrap()).unwrap();
    assert!(snap.len() < 2000, "snapshot stays small: {snap}");
    let fx = r.advance(r#"[{"kind":"timer","seq":2}]"#);
    assert_eq!(result_of(&fx), json!(2));
}

#[test]
fn snapshot_does_not_grow_with_steps() {
    // while True: await sleep(1); n += 1
    let code = vec![set_local(1, int(0)), await_(None, sleep(int(1))), aug(slot(1), B::Add, int(1)), jump(1)];
    let mut r = Run::new(program(vec![func("run", vec![], &["n"], code)], vec![], vec![]));
    r.start("{}");
    let mut sizes = vec![];
    for seq in 1..=50 {
        r.advance(&format!(r#"[{{"kind":"timer","seq":{seq}}}]"#));
        sizes.push(r.snapshot.as_ref().unwrap().len());
    }
    assert!(sizes[49] <= sizes[9] + 4, "{sizes:?}");
}

fn value_error_class() -> vm_core::ir::ClassRef {
    exc_class("builtins.ValueError", &["builtins.ValueError", "builtins.Exception", "builtins.BaseException"])
}
fn key_error_class() -> vm_core::ir::ClassRef {
    exc_class(
        "builtins.KeyError",
        &["builtins.KeyError", "builtins.LookupError", "builtins.Exception", "builtins.BaseException"],
    )
}

/// try: x = await charge(1) except ValueError as e: x = str(e) return x
fn try_except_program() -> vm_core::ir::Program {
    let code = vec![
        /*0*/ await_(Some(1), action(0, args(vec![int(1)]))),
        /*1*/ jump(9),
        /*2*/ enter_handler(),
        /*3*/ exc_match(vec![class_obj(0)], 8),
        /*4*/ set_local(2, current_exc()),
        /*5*/ set_local(1, add(s("caught: "), builtin("str", vec![local(2)]))),
        /*6*/ exit_handler(),
        /*7*/ jump(9),
        /*8*/ raise(None, None),
        /*9*/ ret(local(1)),
    ];
    let mut f = func("run", vec![], &["x", "e"], code);
    f.handlers = vec![handler(0, 1, 2, 0), handler(3, 8, 10, 1)];
    // the cleanup handler re-raises after popping (index 10, 11)
    f.code.push(exit_handler());
    f.code.push(raise(None, None));
    // fix: handler 1 must target the cleanup at 10, and cleanup re-raises the pending exception
    f.handlers[1] = handler(3, 9, 10, 0);
    program(vec![f], vec![action_ref("charge", &["order_id"])], vec![value_error_class()])
}

#[test]
fn exception_table_routes_action_errors_to_handlers() {
    let err = |class: &str, mro: &str, msg: &str| {
        format!(
            r#"[{{"kind":"action","seq":1,"ok":false,"error":{{"$exception":{{"class":"{class}","mro":[{mro}],"args":["{msg}"],"message":"{msg}","cause":null}}}}}}]"#
        )
    };
    let mut r = Run::new(try_except_program());
    r.start("{}");
    let fx = r.advance(&err(
        "builtins.ValueError",
        r#""builtins.ValueError","builtins.Exception","builtins.BaseException""#,
        "bad",
    ));
    assert_eq!(result_of(&fx), json!("caught: bad"));

    let mut r = Run::new(try_except_program());
    r.start("{}");
    let fx = r.advance(&err(
        "builtins.KeyError",
        r#""builtins.KeyError","builtins.LookupError","builtins.Exception","builtins.BaseException""#,
        "k",
    ));
    assert_eq!(error_of(&fx).0, "builtins.KeyError");
}

#[test]
fn exceptions_raised_in_handlers_chain_context_and_cause() {
    // try: 1/0 except ZeroDivisionError: raise ValueError("x") [from e]
    let build = |with_cause: bool| {
        let cause = if with_cause { Some(current_exc()) } else { None };
        let code = vec![
            /*0*/ set_local(1, bin(B::Div, int(1), int(0))),
            /*1*/ ret(none()),
            /*2*/ enter_handler(),
            /*3*/ raise(Some(construct(0, args(vec![s("x")]))), cause),
        ];
        let mut f = func("run", vec![], &["x"], code);
        f.handlers = vec![handler(0, 1, 2, 0)];
        program(vec![f], vec![], vec![value_error_class()])
    };
    let fx = Run::new(build(true)).start("{}");
    let e: serde_json::Value = serde_json::from_str(fx["error"].as_str().unwrap()).unwrap();
    assert_eq!(e["$exception"]["class"], "builtins.ValueError");
    assert_eq!(e["$exception"]["cause"]["$exception"]["class"], "builtins.ZeroDivisionError");
    assert_eq!(e["$exception"]["cause"]["$exception"]["message"], "division by zero");
    let fx = Run::new(build(false)).start("{}");
    let e: serde_json::Value = serde_json::from_str(fx["error"].as_str().unwrap()).unwrap();
    assert_eq!(e["$exception"]["cause"], serde_json::Value::Null);
}

#[test]
fn sync_helper_calls_push_frames_and_propagate_exceptions() {
    // def double(x): return x * 2     def fail(): return {}["k"]
    let double = func("double", vec![param("x", 1, None)], &["x"], vec![ret(bin(B::Mult, local(1), int(2)))]);
    let fail = func("fail", vec![], &[], vec![ret(sub(dict(vec![]), s("k")))]);
    let run = func(
        "run",
        vec![],
        &["a", "b"],
        vec![
            /*0*/ call(Some(1), 1, args(vec![int(21)])),
            /*1*/ call(Some(2), 2, vec![]),
            /*2*/ ret(local(1)),
            /*3*/ enter_handler(),
            /*4*/ exit_handler(),
            /*5*/ ret(tuple(vec![local(1), s("caught")])),
        ],
    );
    let mut run = run;
    run.handlers = vec![handler(1, 2, 3, 0)];
    let mut r = Run::new(program(vec![run, double, fail], vec![], vec![key_error_class()]));
    assert_eq!(result_of(&r.start("{}")), json!({"$tuple": [42, "caught"]}));

    let missing = func("run", vec![], &["a"], vec![call(Some(1), 1, vec![]), ret(local(1))]);
    let double = func("double", vec![param("x", 1, None)], &["x"], vec![ret(local(1))]);
    let mut r = Run::new(program(vec![missing, double], vec![], vec![]));
    assert_eq!(error_of(&r.start("{}")).1, "Flow.double() missing 1 required positional argument: 'x'");
}

#[test]
fn unpacking_and_subscript_targets() {
    let code = vec![
        assign(unpack(vec![slot(1), slot(2)], None), tuple(vec![int(1), int(2)])),
        assign(unpack(vec![slot(3), slot(4), slot(5)], Some(1)), list(vec![int(1), int(2), int(3), int(4)])),
        assign(sub_target(local(4), int(0)), s("x")),
        ret(tuple(vec![local(1), local(2), local(3), local(4), local(5)])),
    ];
    assert_eq!(result_of(&body_fx(code)), json!({"$tuple": [1, 2, 1, ["x", 3], 4]}));
    let fx =
        body_fx(vec![assign(unpack(vec![slot(1), slot(2)], None), list(vec![int(1), int(2), int(3)])), ret(none())]);
    assert_eq!(error_of(&fx), ("builtins.ValueError".into(), "too many values to unpack (expected 2)".into()));
    let fx = body_fx(vec![assign(unpack(vec![slot(1), slot(2)], None), int(1)), ret(none())]);
    assert_eq!(error_of(&fx).1, "cannot unpack non-iterable int object");
}

#[test]
fn gather_collects_results_in_order_and_fails_on_first_error() {
    // return await asyncio.gather(charge(1), asyncio.sleep(2), charge(3))
    let build = |return_exceptions: bool| {
        let code = vec![
            await_(
                Some(1),
                gather(
                    vec![arg(action(0, args(vec![int(1)]))), arg(sleep(int(2))), arg(action(0, args(vec![int(3)])))],
                    return_exceptions,
                ),
            ),
            ret(local(1)),
        ];
        program(vec![func("run", vec![], &["r"], code)], vec![action_ref("charge", &["x"])], vec![])
    };
    let mut r = Run::new(build(false));
    let fx = r.start("{}");
    assert_eq!(fx["actions"].as_array().unwrap().len(), 2);
    assert_eq!(fx["timers"][0]["seq"], 2);
    let fx = r.advance(r#"[{"kind":"action","seq":3,"ok":true,"value":"c"},{"kind":"timer","seq":2}]"#);
    assert_eq!(fx["status"], "running");
    let fx = r.advance(r#"[{"kind":"action","seq":1,"ok":true,"value":"a"}]"#);
    assert_eq!(result_of(&fx), json!(["a", null, "c"]));

    let err = r#"{"$exception":{"class":"builtins.ValueError","mro":["builtins.ValueError","builtins.Exception","builtins.BaseException"],"args":["x"],"message":"x","cause":null}}"#;
    let mut r = Run::new(build(false));
    r.start("{}");
    let fx = r.advance(&format!(r#"[{{"kind":"action","seq":3,"ok":false,"error":{err}}}]"#));
    assert_eq!(error_of(&fx).0, "builtins.ValueError");

    let mut r = Run::new(build(true));
    r.start("{}");
    let fx = r.advance(&format!(
        r#"[{{"kind":"action","seq":3,"ok":false,"error":{err}}},{{"kind":"timer","seq":2}},{{"kind":"action","seq":1,"ok":true,"value":1}}]"#
    ));
    let res = result_of(&fx);
    assert_eq!(res[0], json!(1));
    assert_eq!(res[2]["$exception"]["class"], "builtins.ValueError");
}

#[test]
fn gather_of_coroutines_runs_helpers_as_tasks() {
    // async def helper(x): v = await charge(x); return v + 1
    let helper = func(
        "helper",
        vec![param("x", 1, None)],
        &["x", "v"],
        vec![await_(Some(2), action(0, args(vec![local(1)]))), ret(add(local(2), int(1)))],
    );
    let run = func(
        "run",
        vec![],
        &["r", "s"],
        vec![
            await_(
                Some(1),
                gather(vec![arg(coroutine(1, args(vec![int(10)]))), arg(coroutine(1, args(vec![int(20)])))], false),
            ),
            await_(Some(2), coroutine(1, args(vec![int(30)]))),
            ret(tuple(vec![local(1), local(2)])),
        ],
    );
    let mut r = Run::new(program(vec![run, helper], vec![action_ref("charge", &["x"])], vec![]));
    let fx = r.start("{}");
    assert_eq!(fx["actions"].as_array().unwrap().len(), 2);
    let fx =
        r.advance(r#"[{"kind":"action","seq":2,"ok":true,"value":2},{"kind":"action","seq":1,"ok":true,"value":1}]"#);
    assert_eq!(fx["actions"][0]["args"], r#"{"x":30}"#);
    let fx = r.advance(r#"[{"kind":"action","seq":3,"ok":true,"value":3}]"#);
    assert_eq!(result_of(&fx), json!({"$tuple": [[2, 3], 4]}));
}

#[test]
fn signals_buffer_and_time_out() {
    let code = vec![
        await_(Some(1), signal("approved", Some(int(60)))),
        await_(Some(2), signal("approved", None)),
        ret(tuple(vec![local(1), local(2)])),
    ];
    let mut r = Run::new(program(vec![func("run", vec![], &["a", "b"], code)], vec![], vec![]));
    let fx = r.start("{}");
    assert_eq!(fx["signals"], json!([{"seq": 1, "name": "approved", "timeout_seconds": 60.0}]));
    assert_eq!(fx["timers"], json!([{"seq": 1, "kind": "signal_timeout", "seconds": 60.0}]));
    let fx =
        r.advance(r#"[{"kind":"signal","name":"approved","value":1},{"kind":"signal","name":"approved","value":2}]"#);
    assert_eq!(result_of(&fx), json!({"$tuple": [1, 2]}));

    let code = vec![await_(Some(1), signal("approved", Some(int(5)))), ret(local(1))];
    let mut r = Run::new(program(vec![func("run", vec![], &["a"], code)], vec![], vec![]));
    r.start("{}");
    let fx = r.advance(r#"[{"kind":"timer","seq":1}]"#);
    assert_eq!(error_of(&fx).0, "builtins.TimeoutError");
}

#[test]
fn cancel_raises_cancelled_error_and_finally_can_await_cleanup() {
    // try: await charge(1) finally: await cleanup()  (finally on the exception path: handler re-raises)
    let code = vec![
        /*0*/ await_(Some(1), action(0, args(vec![int(1)]))),
        /*1*/ ret(local(1)),
        /*2*/ enter_handler(),
        /*3*/ await_(None, action(1, vec![])),
        /*4*/ raise(None, None),
    ];
    let mut f = func("run", vec![], &["a"], code);
    f.handlers = vec![handler(0, 1, 2, 0)];
    let mut r = Run::new(program(vec![f], vec![action_ref("charge", &["x"]), action_ref("cleanup", &[])], vec![]));
    r.start("{}");
    let fx = r.advance(r#"[{"kind":"cancel"}]"#);
    assert_eq!(fx["cancel"], json!([1]));
    assert_eq!(fx["actions"][0]["action"], "cleanup");
    assert_eq!(fx["status"], "running");
    let fx = r.advance(r#"[{"kind":"action","seq":2,"ok":true,"value":null}]"#);
    assert_eq!(fx["status"], "cancelled");
    let e: serde_json::Value = serde_json::from_str(fx["error"].as_str().unwrap()).unwrap();
    assert_eq!(e["$exception"]["class"], "asyncio.exceptions.CancelledError");
}

#[test]
fn timeout_cancels_like_cancel_and_ends_timed_out() {
    // try: await charge(1) finally: await cleanup()
    let code = vec![
        /*0*/ await_(Some(1), action(0, args(vec![int(1)]))),
        /*1*/ ret(local(1)),
        /*2*/ enter_handler(),
        /*3*/ await_(None, action(1, vec![])),
        /*4*/ raise(None, None),
    ];
    let mut f = func("run", vec![], &["a"], code);
    f.handlers = vec![handler(0, 1, 2, 0)];
    let prog = program(vec![f], vec![action_ref("charge", &["x"]), action_ref("cleanup", &[])], vec![]);
    let mut r = Run::new(prog.clone());
    r.start("{}");
    let fx = r.advance(r#"[{"kind":"timeout"}]"#);
    assert_eq!(fx["cancel"], json!([1]));
    assert_eq!(fx["actions"][0]["action"], "cleanup");
    assert_eq!(fx["status"], "running");
    // a cancel after the timeout changes nothing: the first one decides
    let fx = r.advance(r#"[{"kind":"cancel"},{"kind":"action","seq":2,"ok":true,"value":null}]"#);
    assert_eq!(fx["status"], "timed_out");
    let e: serde_json::Value = serde_json::from_str(fx["error"].as_str().unwrap()).unwrap();
    assert_eq!(e["$exception"]["class"], "asyncio.exceptions.CancelledError");
    // a late timeout after the run ended is ignored
    let fx = r.advance(r#"[{"kind":"timeout"}]"#);
    assert_eq!(fx["status"], "timed_out");

    // cancel first, then the timeout: cancelled
    let mut r = Run::new(prog);
    r.start("{}");
    r.advance(r#"[{"kind":"cancel"}]"#);
    let fx = r.advance(r#"[{"kind":"timeout"},{"kind":"action","seq":2,"ok":true,"value":null}]"#);
    assert_eq!(fx["status"], "cancelled");
}

#[test]
fn per_call_policy_overrides_the_decorator() {
    use vm_core::ir::{ActionPolicy, Backoff, BackoffKind, RetryPolicy};
    let mut a = action_ref("charge", &["x"]);
    a.policy = Some(ActionPolicy { retry: None, timeout_seconds: Some(10.0) });
    let call_policy = ActionPolicy {
        retry: Some(RetryPolicy {
            attempts: 5,
            backoff: Some(Backoff {
                kind: BackoffKind::Exponential as i32,
                initial_seconds: 1.0,
                factor: 2.0,
                max_seconds: 60.0,
                jitter: true,
            }),
            retry_on: vec!["shop.Declined".into()],
        }),
        timeout_seconds: None,
    };
    let code = vec![await_(Some(1), action_with_policy(0, vec![kwarg("x", int(1))], call_policy)), ret(local(1))];
    let mut r = Run::new(program(vec![func("run", vec![], &["a"], code)], vec![a], vec![]));
    let fx = r.start("{}");
    let act = &fx["actions"][0];
    assert_eq!(act["max_attempts"], 5);
    assert_eq!(act["timeout_seconds"], 10.0);
    let policy: serde_json::Value = serde_json::from_str(act["policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        policy,
        json!({"attempts": 5, "backoff": {"kind": "exponential", "initial": 1.0, "factor": 2.0, "max": 60.0, "jitter": true},
               "retry_on": ["shop.Declined"], "timeout_seconds": 10.0})
    );
}

#[test]
fn determinism_same_inputs_same_outputs() {
    let run = || {
        let prog = vm_core::Program::from_ir(loop_program()).unwrap();
        let (s1, f1) = vm_core::advance(&prog, None, br#"[{"kind":"start","input":{"n":3}}]"#).unwrap();
        let (s2, f2) =
            vm_core::advance(&prog, Some(&s1), br#"[{"kind":"action","seq":1,"ok":true,"value":1}]"#).unwrap();
        (s1, f1, s2, f2)
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_inputs_are_typed_errors() {
    let prog = vm_core::Program::from_ir(loop_program()).unwrap();
    assert!(matches!(vm_core::advance(&prog, None, b"{}"), Err(vm_core::VmError::Event(_))));
    assert!(matches!(vm_core::advance(&prog, None, b"[]"), Err(vm_core::VmError::Event(_))));
    assert!(matches!(vm_core::advance(&prog, Some(b"garbage"), b"[]"), Err(vm_core::VmError::Snapshot(_))));
    assert!(matches!(vm_core::advance(&prog, Some(br#"{"format":99}"#), b"[]"), Err(vm_core::VmError::Snapshot(_))));
    assert!(matches!(vm_core::Program::load(b"\xff\xff"), Err(vm_core::VmError::Program(_))));
    let mut bad = loop_program();
    bad.functions[0].code.push(jump(99));
    assert!(matches!(vm_core::Program::from_ir(bad), Err(vm_core::VmError::Program(_))));
}
