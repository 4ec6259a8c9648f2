//! Golden snapshot fixtures: every snapshot format this VM ever wrote must stay resumable.
//!
//! Each case in tests/golden/ is `<name>.program.pb` (the IR Program, protobuf), `<name>.snapshot.json` (a snapshot
//! taken mid-run), `<name>.events.json` (what to feed next) and `<name>.effects.json` (the expected effects of that
//! advance). Files are never rewritten once committed; a new format adds new cases next to the old ones.
//! `WAYMARK_BLESS_GOLDEN=1 cargo test --test golden` writes missing cases from the builders below.
mod builder;
use std::path::PathBuf;

use builder::*;
use prost::Message;
use serde_json::Value as Json;
use vm_core::ir::{BinOpKind as B, CmpOpKind as C};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

struct Case {
    name: &'static str,
    program: vm_core::ir::Program,
    /// Event batches that lead to the snapshot.
    before: Vec<&'static str>,
    /// The batch applied to the golden snapshot.
    next: &'static str,
}

/// A run suspended inside an except handler, with aliased containers, a live iterator and a pending gather of an
/// action and a helper coroutine that sleeps.
fn rich_program() -> vm_core::ir::Program {
    let helper = func(
        "nap",
        vec![param("x", 1, None)],
        &["x"],
        vec![await_(None, sleep(local(1))), ret(bin(B::Mult, local(1), int(10)))],
    );
    let code = vec![
        /*0*/ set_local(1, list(vec![int(1)])),
        /*1*/ set_local(2, dict(vec![(Some(s("xs")), local(1)), (Some(int(7)), tuple(vec![s("t"), c("1.5")]))])),
        /*2*/ get_iter(3, builtin("range", vec![int(3)])),
        /*3*/ for_iter(3, slot(4), 4),
        /*4*/ set_local(5, bin(B::Div, int(1), int(0))),
        /*5*/ ret(none()),
        /*6*/ enter_handler(),
        /*7*/
        await_(
            Some(6),
            gather(vec![arg(action(0, args(vec![local(4)]))), arg(coroutine(1, args(vec![int(2)])))], false),
        ),
        /*8*/ expr_stmt(method(local(1), "append", vec![current_exc()])),
        /*9*/ exit_handler(),
        /*10*/ for_iter(3, slot(4), 12),
        /*11*/ jump(10),
        /*12*/ ret(tuple(vec![local(2), local(6), local(4), cmp(C::Is, sub(local(2), s("xs")), local(1))])),
    ];
    let mut run = func("run", vec![], &["xs", "d", "it", "i", "z", "g"], code);
    run.handlers = vec![handler(4, 5, 6, 0)];
    program(vec![run, helper], vec![action_ref("charge", &["order_id"])], vec![])
}

fn loop_program() -> vm_core::ir::Program {
    let code = vec![
        set_local(2, int(0)),
        get_iter(3, builtin("range", vec![local(1)])),
        for_iter(3, slot(4), 6),
        await_(Some(5), action(0, args(vec![local(4)]))),
        aug(slot(2), B::Add, local(5)),
        jump(2),
        await_(None, sleep(c("1.5"))),
        ret(local(2)),
    ];
    program(
        vec![func("run", vec![param("n", 1, None)], &["n", "total", "it", "i", "r"], code)],
        vec![action_ref("charge", &["order_id"])],
        vec![],
    )
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "v1_loop_actions",
            program: loop_program(),
            before: vec![
                r#"[{"kind":"start","input":{"n":3}}]"#,
                r#"[{"kind":"action","seq":1,"ok":true,"value":10}]"#,
            ],
            next: r#"[{"kind":"action","seq":2,"ok":true,"value":{"$int":"100000000000000000000"}}]"#,
        },
        Case {
            name: "v1_handler_gather_aliasing",
            program: rich_program(),
            before: vec![r#"[{"kind":"start","input":{}}]"#, r#"[{"kind":"timer","seq":2}]"#],
            next: r#"[{"kind":"action","seq":1,"ok":true,"value":"charged"}]"#,
        },
    ]
}

fn read(name: &str, ext: &str) -> Option<Vec<u8>> {
    std::fs::read(dir().join(format!("{name}.{ext}"))).ok()
}

fn bless(case: &Case) {
    let prog = vm_core::Program::from_ir(case.program.clone()).unwrap();
    let mut snap: Option<Vec<u8>> = None;
    for ev in &case.before {
        snap = Some(vm_core::advance(&prog, snap.as_deref(), ev.as_bytes()).unwrap().0);
    }
    let snap = snap.unwrap();
    let (_, fx) = vm_core::advance(&prog, Some(&snap), case.next.as_bytes()).unwrap();
    std::fs::create_dir_all(dir()).unwrap();
    let pretty = |b: &[u8]| serde_json::to_vec_pretty(&serde_json::from_slice::<Json>(b).unwrap()).unwrap();
    std::fs::write(dir().join(format!("{}.program.pb", case.name)), case.program.encode_to_vec()).unwrap();
    std::fs::write(dir().join(format!("{}.snapshot.json", case.name)), pretty(&snap)).unwrap();
    std::fs::write(dir().join(format!("{}.events.json", case.name)), case.next).unwrap();
    std::fs::write(dir().join(format!("{}.effects.json", case.name)), pretty(&fx)).unwrap();
}

#[test]
fn golden_snapshots_resume() {
    let blessing = std::env::var("WAYMARK_BLESS_GOLDEN").is_ok();
    let mut names: Vec<String> = vec![];
    for case in cases() {
        if read(case.name, "snapshot.json").is_none() {
            assert!(blessing, "golden case {} is missing; run with WAYMARK_BLESS_GOLDEN=1", case.name);
            bless(&case);
        }
        names.push(case.name.to_string());
    }
    // every committed case resumes, including ones whose builder no longer exists
    for entry in std::fs::read_dir(dir()).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        if let Some(name) = file.strip_suffix(".snapshot.json") {
            if !names.contains(&name.to_string()) {
                names.push(name.to_string());
            }
        }
    }
    assert!(names.len() >= 2);
    for name in names {
        let prog = vm_core::Program::load(&read(&name, "program.pb").unwrap()).unwrap();
        let snap = read(&name, "snapshot.json").unwrap();
        let events = read(&name, "events.json").unwrap();
        let want: Json = serde_json::from_slice(&read(&name, "effects.json").unwrap()).unwrap();
        let (_, fx) = vm_core::advance(&prog, Some(&snap), &events).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Json = serde_json::from_slice(&fx).unwrap();
        assert_eq!(got, want, "golden case {name}");
    }
}

#[test]
fn rich_program_completes_with_aliasing_intact() {
    let mut r = Run::new(rich_program());
    let fx = r.start("{}");
    assert_eq!(fx["actions"][0]["args"], r#"{"order_id":0}"#);
    assert_eq!(fx["timers"][0]["seq"], 2);
    r.advance(r#"[{"kind":"timer","seq":2}]"#);
    let fx = r.advance(r#"[{"kind":"action","seq":1,"ok":true,"value":"charged"}]"#);
    let res = result_of(&fx);
    assert_eq!(res["$tuple"][0]["$dict"][0][1][1]["$exception"]["class"], "builtins.ZeroDivisionError");
    assert_eq!(res["$tuple"][1], serde_json::json!(["charged", 20]));
    assert_eq!(res["$tuple"][2], 2);
    assert_eq!(res["$tuple"][3], true);
}
