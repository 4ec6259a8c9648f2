//! Hot-path benchmarks (plain harness: no extra dependencies): one advance of a 10-step action loop, and snapshot
//! encode/decode. Run with `cargo bench -p vm-core`; prints ns per iteration.
use std::time::Instant;

use vm_core::ir::{self, expr::Kind as E, instr::Op, target::Kind as T};

fn e(k: E) -> ir::Expr {
    ir::Expr { kind: Some(k) }
}
fn i(op: Op) -> ir::Instr {
    ir::Instr { line: 1, col: 0, op: Some(op) }
}
fn slot(s: u32) -> ir::Target {
    ir::Target { kind: Some(T::Slot(s)) }
}

/// for i in range(10): total += await noop(i); return total
fn program() -> vm_core::Program {
    let c = |j: &str| e(E::Constant(ir::Value { json: j.into() }));
    let code = vec![
        i(Op::Assign(ir::Assign { targets: vec![slot(1)], value: Some(c("0")) })),
        i(Op::GetIter(ir::GetIter {
            slot: 2,
            value: Some(e(E::Builtin(ir::BuiltinCall {
                name: "range".into(),
                args: vec![ir::Arg { value: Some(c("10")), ..Default::default() }],
            }))),
        })),
        i(Op::ForIter(ir::ForIter { slot: 2, target: Some(slot(3)), exit: 6 })),
        i(Op::Await(ir::Await {
            target: Some(slot(4)),
            awaitable: Some(e(E::Action(ir::ActionCall {
                action: 0,
                args: vec![ir::Arg { value: Some(e(E::Local(3))), ..Default::default() }],
                policy: None,
            }))),
        })),
        i(Op::AugAssign(ir::AugAssign {
            target: Some(slot(1)),
            op: ir::BinOpKind::Add as i32,
            value: Some(e(E::Local(4))),
        })),
        i(Op::Jump(ir::Jump { target: 2 })),
        i(Op::Return(ir::Return { value: Some(e(E::Local(1))) })),
    ];
    let run = ir::Function {
        name: "run".into(),
        is_async: true,
        locals: ["self", "total", "it", "i", "r"].iter().map(|s| s.to_string()).collect(),
        code,
        ..Default::default()
    };
    let action = ir::ActionRef {
        name: "noop".into(),
        params: vec![ir::Param { name: "x".into(), slot: 0, kind: 1, default: None, annotation: String::new() }],
        signature_hash: "h".into(),
        ..Default::default()
    };
    vm_core::Program::from_ir(ir::Program {
        ir_version: 1,
        workflow_name: "Bench".into(),
        functions: vec![run],
        actions: vec![action],
        ..Default::default()
    })
    .expect("program")
}

fn bench(name: &str, iters: u32, mut f: impl FnMut()) {
    for _ in 0..iters / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    println!("{name:<40} {:>10.0} ns/iter", t.elapsed().as_nanos() as f64 / iters as f64);
}

fn main() {
    let prog = program();
    // a whole 10-step run: start + 10 action outcomes, one advance each
    bench("run of 10 sequential actions (11 advances)", 2_000, || {
        let (mut snap, _) = vm_core::advance(&prog, None, br#"[{"kind":"start","input":{}}]"#).unwrap();
        for seq in 1..=10 {
            let ev = format!(r#"[{{"kind":"action","seq":{seq},"ok":true,"value":{seq}}}]"#);
            snap = vm_core::advance(&prog, Some(&snap), ev.as_bytes()).unwrap().0;
        }
    });
    let (s1, _) = vm_core::advance(&prog, None, br#"[{"kind":"start","input":{}}]"#).unwrap();
    let (s5, _) = (1..=5).fold((s1, Vec::new()), |(snap, _), seq| {
        let ev = format!(r#"[{{"kind":"action","seq":{seq},"ok":true,"value":{seq}}}]"#);
        vm_core::advance(&prog, Some(&snap), ev.as_bytes()).unwrap()
    });
    bench("one advance mid-loop", 20_000, || {
        vm_core::advance(&prog, Some(&s5), br#"[{"kind":"action","seq":6,"ok":true,"value":6}]"#).unwrap();
    });
    bench("snapshot decode", 50_000, || {
        vm_core::snapshot::decode(&s5, &prog).unwrap();
    });
    let st = vm_core::snapshot::decode(&s5, &prog).unwrap();
    bench("snapshot encode", 50_000, || {
        vm_core::snapshot::encode(&st);
    });
}
