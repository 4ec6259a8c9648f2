//! Loading a Program: decode the protobuf once, check every index the interpreter will follow (so a bad program
//! fails here with VmError::Program instead of deep inside a run), and parse constants once.
use std::collections::HashMap;
use std::sync::Arc;

use prost::Message;

use crate::codec;
use crate::error::{VmError, VmResult};
use crate::eval::ExprRef;
use crate::ir::{self, expr::Kind as E, instr::Op, target::Kind as T};
use crate::num::Int;
use crate::value::Value;

/// A constant parsed at load time. Kept `Send + Sync` (the Program is shared across threads by vm-py), so only
/// the common scalar kinds are pre-built; anything else is decoded from its JSON at use (rare: big literals).
#[derive(Debug)]
enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Json(serde_json::Value),
}

#[derive(Debug)]
pub struct Program {
    pub ir: ir::Program,
    /// Keyed by the address of the `ir::Value` message inside `ir` (stable: `ir` is never mutated after load).
    consts: HashMap<usize, Const>,
    /// Number of local slots of each function.
    pub nslots: Vec<usize>,
    pub class_by_name: HashMap<String, u32>,
}

pub const SUPPORTED_IR_VERSION: u32 = 1;

struct Checker<'a> {
    p: &'a ir::Program,
    consts: HashMap<usize, Const>,
    max_slot: usize,
    func: usize,
}

impl<'a> Checker<'a> {
    fn err(&self, msg: String) -> VmError {
        VmError::Program(format!("function {}: {msg}", self.func))
    }

    fn value(&mut self, v: &ir::Value) -> VmResult<()> {
        let j: serde_json::Value =
            serde_json::from_str(&v.json).map_err(|e| self.err(format!("constant is not JSON: {e}")))?;
        codec::decode(&j).map_err(|e| self.err(format!("bad constant {}: {e}", v.json)))?;
        let c = match &j {
            serde_json::Value::Null => Const::None,
            serde_json::Value::Bool(b) => Const::Bool(*b),
            serde_json::Value::Number(n) if n.is_i64() => Const::Int(n.as_i64().unwrap_or_default()),
            serde_json::Value::Number(n) if n.is_f64() => Const::Float(n.as_f64().unwrap_or_default()),
            serde_json::Value::String(s) => Const::Str(Arc::from(s.as_str())),
            _ => Const::Json(j),
        };
        self.consts.insert(v as *const ir::Value as usize, c);
        Ok(())
    }

    fn slot(&mut self, s: u32) {
        self.max_slot = self.max_slot.max(s as usize + 1);
    }

    fn index(&self, i: u32, len: usize, what: &str) -> VmResult<()> {
        if (i as usize) < len {
            Ok(())
        } else {
            Err(self.err(format!("{what} index {i} out of range ({len})")))
        }
    }

    fn opt<X: ExprRef + ?Sized>(&mut self, e: &X) -> VmResult<()> {
        match e.get() {
            Some(e) => self.expr(e),
            None => Ok(()),
        }
    }

    fn need<'e, X: ExprRef + ?Sized>(&self, e: &'e X, what: &str) -> VmResult<&'e ir::Expr> {
        e.get().ok_or_else(|| self.err(format!("{what} lacks an expression")))
    }

    fn args(&mut self, args: &[ir::Arg]) -> VmResult<()> {
        for a in args {
            self.expr(self.need(&a.value, "argument")?)?;
        }
        Ok(())
    }

    fn params(&mut self, params: &[ir::Param], slots: bool) -> VmResult<()> {
        for p in params {
            if slots {
                self.slot(p.slot);
            }
            if let Some(d) = &p.default {
                self.value(d)?;
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &ir::Expr) -> VmResult<()> {
        let Some(k) = &e.kind else { return Err(self.err("empty expression".into())) };
        match k {
            E::Constant(v) => self.value(v)?,
            E::Local(s) => self.slot(*s),
            E::BinOp(b) => {
                self.expr(self.need(&b.left, "binop")?)?;
                self.expr(self.need(&b.right, "binop")?)?;
            }
            E::UnaryOp(u) => self.expr(self.need(&u.operand, "unary op")?)?,
            E::BoolOp(b) => {
                for v in &b.values {
                    self.expr(v)?;
                }
            }
            E::Compare(c) => {
                self.expr(self.need(&c.left, "compare")?)?;
                if c.ops.len() != c.comparators.len() {
                    return Err(self.err("compare ops and comparators differ in length".into()));
                }
                for v in &c.comparators {
                    self.expr(v)?;
                }
            }
            E::IfExp(i) => {
                self.expr(self.need(&i.test, "ifexp")?)?;
                self.expr(self.need(&i.body, "ifexp")?)?;
                self.expr(self.need(&i.orelse, "ifexp")?)?;
            }
            E::Subscript(s) => {
                self.expr(self.need(&s.value, "subscript")?)?;
                self.expr(self.need(&s.index, "subscript")?)?;
            }
            E::Slice(s) => {
                self.opt(&s.lower)?;
                self.opt(&s.upper)?;
                self.opt(&s.step)?;
            }
            E::Attribute(a) => self.expr(self.need(&a.value, "attribute")?)?,
            E::List(s) | E::Tuple(s) | E::Set(s) => {
                for v in &s.items {
                    self.expr(v)?;
                }
            }
            E::Dict(d) => {
                for item in &d.items {
                    self.opt(&item.key)?;
                    self.expr(self.need(&item.value, "dict item")?)?;
                }
            }
            E::Fstring(f) => self.fstring(f)?,
            E::Builtin(b) => self.args(&b.args)?,
            E::Method(m) => {
                self.expr(self.need(&m.receiver, "method call")?)?;
                self.args(&m.args)?;
            }
            E::Construct(c) => {
                self.index(c.class_index, self.p.classes.len(), "class")?;
                self.args(&c.args)?;
            }
            E::ClassObject(c) => self.index(c.class_index, self.p.classes.len(), "class")?,
            E::CurrentException(_) => {}
            E::Starred(s) => self.expr(self.need(&s.value, "starred")?)?,
            E::FunctionRef(f) => match &f.kind {
                Some(ir::function_ref::Kind::Function(i)) => self.index(*i, self.p.functions.len(), "function")?,
                Some(_) => {}
                None => return Err(self.err("empty function reference".into())),
            },
            E::Action(a) => {
                self.index(a.action, self.p.actions.len(), "action")?;
                self.args(&a.args)?;
            }
            E::Sleep(s) => self.expr(self.need(&s.seconds, "sleep")?)?,
            E::Gather(g) => self.args(&g.items)?,
            E::Signal(s) => {
                self.expr(self.need(&s.name, "signal")?)?;
                self.opt(&s.timeout)?;
            }
            E::Child(c) => {
                self.index(c.workflow, self.p.workflows.len(), "workflow")?;
                self.args(&c.args)?;
                self.opt(&c.workflow_id)?;
            }
            E::Coroutine(c) => {
                self.index(c.function, self.p.functions.len(), "function")?;
                self.args(&c.args)?;
            }
        }
        Ok(())
    }

    fn fstring(&mut self, f: &ir::FString) -> VmResult<()> {
        for part in &f.parts {
            if let Some(ir::f_string_part::Kind::Formatted(fv)) = &part.kind {
                self.expr(self.need(&fv.value, "formatted value")?)?;
                if let Some(spec) = &fv.format_spec {
                    self.fstring(spec)?;
                }
            }
        }
        Ok(())
    }

    fn target(&mut self, t: &Option<ir::Target>) -> VmResult<()> {
        match t {
            Some(t) => self.target_ref(t),
            None => Err(self.err("missing target".into())),
        }
    }

    fn target_ref(&mut self, t: &ir::Target) -> VmResult<()> {
        match &t.kind {
            Some(T::Slot(s)) => self.slot(*s),
            Some(T::Unpack(u)) => {
                for item in &u.items {
                    self.target_ref(item)?;
                }
                if let Some(s) = u.starred {
                    self.index(s, u.items.len(), "starred target")?;
                }
            }
            Some(T::Subscript(s)) => {
                self.expr(self.need(&s.value, "subscript target")?)?;
                self.expr(self.need(&s.index, "subscript target")?)?;
            }
            Some(T::Attribute(a)) => self.expr(self.need(&a.value, "attribute target")?)?,
            None => return Err(self.err("empty target".into())),
        }
        Ok(())
    }

    fn jump(&self, target: u32, len: usize) -> VmResult<()> {
        if target as usize <= len {
            Ok(())
        } else {
            Err(self.err(format!("jump target {target} out of range ({len})")))
        }
    }

    fn function(&mut self, f: &ir::Function) -> VmResult<usize> {
        self.max_slot = f.locals.len().max(1);
        self.params(&f.params, true)?;
        let n = f.code.len();
        for instr in &f.code {
            let Some(op) = &instr.op else { return Err(self.err("empty instruction".into())) };
            match op {
                Op::Assign(a) => {
                    for t in &a.targets {
                        self.target_ref(t)?;
                    }
                    self.expr(self.need(&a.value, "assign")?)?;
                }
                Op::AugAssign(a) => {
                    self.target(&a.target)?;
                    self.expr(self.need(&a.value, "augassign")?)?;
                }
                Op::Expr(e) => self.expr(self.need(&e.value, "expression statement")?)?,
                Op::Jump(j) => self.jump(j.target, n)?,
                Op::Branch(b) => {
                    self.expr(self.need(&b.cond, "branch")?)?;
                    self.jump(b.if_true, n)?;
                    self.jump(b.if_false, n)?;
                }
                Op::Return(r) => self.opt(&r.value)?,
                Op::Raise(r) => {
                    self.opt(&r.exc)?;
                    self.opt(&r.cause)?;
                }
                Op::Await(a) => {
                    if a.target.is_some() {
                        self.target(&a.target)?;
                    }
                    self.expr(self.need(&a.awaitable, "await")?)?;
                }
                Op::Call(c) => {
                    if c.target.is_some() {
                        self.target(&c.target)?;
                    }
                    self.index(c.function, self.p.functions.len(), "function")?;
                    self.args(&c.args)?;
                }
                Op::GetIter(g) => {
                    self.slot(g.slot);
                    self.expr(self.need(&g.value, "get_iter")?)?;
                }
                Op::ForIter(fi) => {
                    self.slot(fi.slot);
                    self.target(&fi.target)?;
                    self.jump(fi.exit, n)?;
                }
                Op::ExcMatch(m) => {
                    for c in &m.classes {
                        self.expr(c)?;
                    }
                    self.jump(m.no_match, n)?;
                }
                Op::Delete(d) => self.target(&d.target)?,
                Op::EnterHandler(_) | Op::ExitHandler(_) | Op::Nop(_) => {}
            }
        }
        for h in &f.handlers {
            if h.start > h.end || h.end as usize > n {
                return Err(self.err(format!("handler range [{}, {}) out of range", h.start, h.end)));
            }
            self.jump(h.target, n)?;
        }
        Ok(self.max_slot)
    }
}

impl Program {
    pub fn load(bytes: &[u8]) -> VmResult<Program> {
        let ir = ir::Program::decode(bytes).map_err(|e| VmError::Program(format!("not a Program message: {e}")))?;
        Program::from_ir(ir)
    }

    pub fn from_ir(ir: ir::Program) -> VmResult<Program> {
        if ir.ir_version != SUPPORTED_IR_VERSION {
            return Err(VmError::Program(format!(
                "ir_version {} is not supported (this VM runs {SUPPORTED_IR_VERSION})",
                ir.ir_version
            )));
        }
        if ir.functions.is_empty() {
            return Err(VmError::Program("the program has no functions (functions[0] must be run())".into()));
        }
        let mut nslots = Vec::with_capacity(ir.functions.len());
        let consts = {
            let mut c = Checker { p: &ir, consts: HashMap::new(), max_slot: 0, func: 0 };
            for (i, f) in ir.functions.iter().enumerate() {
                c.func = i;
                nslots.push(c.function(f)?);
            }
            c.func = usize::MAX;
            for a in &ir.actions {
                c.params(&a.params, false)?;
            }
            for w in &ir.workflows {
                c.params(&w.params, false)?;
            }
            for a in &ir.attributes {
                if let Some(d) = &a.default {
                    c.value(d)?;
                }
            }
            for cls in &ir.classes {
                for f in cls.init_function.iter().chain(cls.str_function.iter()) {
                    c.index(*f, ir.functions.len(), "exception method function")?;
                }
                for f in &cls.fields {
                    if let Some(d) = &f.default {
                        c.value(d)?;
                    }
                }
                for m in &cls.members {
                    if let Some(v) = &m.value {
                        c.value(v)?;
                    }
                }
                for a in cls.class_attributes.iter().chain(cls.field_classes.iter().flat_map(|f| &f.class_attributes)) {
                    if let Some(v) = &a.value {
                        c.value(v)?;
                    }
                }
            }
            c.consts
        };
        let class_by_name = ir.classes.iter().enumerate().map(|(i, c)| (c.qualname.clone(), i as u32)).collect();
        Ok(Program { ir, consts, nslots, class_by_name })
    }

    pub fn workflow_name(&self) -> &str {
        &self.ir.workflow_name
    }

    /// The value of a constant of this program.
    pub fn constant(&self, v: &ir::Value) -> Value {
        match self.consts.get(&(v as *const ir::Value as usize)) {
            Some(Const::None) => Value::None,
            Some(Const::Bool(b)) => Value::Bool(*b),
            Some(Const::Int(i)) => Value::Int(Int::Small(*i)),
            Some(Const::Float(f)) => Value::Float(*f),
            Some(Const::Str(s)) => Value::Str(s.clone()),
            Some(Const::Json(j)) => codec::decode(j).unwrap_or(Value::None),
            // Not registered (a Value built outside the program): decode it now.
            None => codec::decode_str(&v.json).unwrap_or(Value::None),
        }
    }

    pub fn function(&self, i: u32) -> &ir::Function {
        &self.ir.functions[i as usize]
    }

    /// "Checkout.run" / "Checkout.helper": how CPython names methods in TypeErrors.
    pub fn func_qualname(&self, i: u32) -> String {
        let cls = self.ir.qualname.rsplit('.').next().unwrap_or(&self.ir.qualname);
        let name = &self.function(i).name;
        if cls.is_empty() || name.contains('.') {
            // a method of another class, named with it (`OutOfStock.__init__`)
            name.clone()
        } else {
            format!("{cls}.{name}")
        }
    }
}
