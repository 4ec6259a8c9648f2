//! Binding call arguments to parameters like CPython (defaults, keyword-only, *args, **kwargs) with its TypeError
//! messages. Used for run() input, helper calls, action calls (which become kwargs dicts) and children.
use crate::exc::{type_error, R};
use crate::ir::{Param, ParamKind};
use crate::program::Program;
use crate::value::{Dict, Str, Value};

#[derive(Default, Debug)]
pub struct CallArgs {
    pub pos: Vec<Value>,
    pub kw: Vec<(Str, Value)>,
}

fn kind(p: &Param) -> ParamKind {
    ParamKind::try_from(p.kind).unwrap_or(ParamKind::PositionalOrKeyword)
}

fn is_positional(k: ParamKind) -> bool {
    matches!(k, ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword | ParamKind::Unspecified)
}

fn names_list(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        2 => format!("{} and {}", q[0], q[1]),
        _ => format!("{}, and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One value per parameter, in parameter order. `self_offset` is 1 for methods (CPython counts `self` in the
/// "takes N positional arguments" message), 0 for plain functions.
pub fn bind(fname: &str, params: &[Param], args: CallArgs, prog: &Program, self_offset: usize) -> R<Vec<Value>> {
    let mut out: Vec<Option<Value>> = vec![None; params.len()];
    let positional: Vec<usize> = (0..params.len()).filter(|&i| is_positional(kind(&params[i]))).collect();
    let var_pos = params.iter().position(|p| kind(p) == ParamKind::VarPositional);
    let var_kw = params.iter().position(|p| kind(p) == ParamKind::VarKeyword);

    let given = args.pos.len();
    let mut extra = Vec::new();
    for (i, v) in args.pos.into_iter().enumerate() {
        match positional.get(i) {
            Some(&p) => out[p] = Some(v),
            None => extra.push(v),
        }
    }
    if !extra.is_empty() {
        match var_pos {
            Some(vp) => out[vp] = Some(Value::tuple(extra)),
            None => {
                let max = positional.len() + self_offset;
                let min = positional.iter().filter(|&&p| params[p].default.is_none()).count() + self_offset;
                let takes = if min == max {
                    plural(max, "positional argument")
                } else {
                    format!("from {min} to {max} positional arguments")
                };
                let were = if given + self_offset == 1 { "was" } else { "were" };
                return Err(type_error(format!("{fname}() takes {takes} but {} {were} given", given + self_offset)));
            }
        }
    }
    if let Some(vp) = var_pos {
        if out[vp].is_none() {
            out[vp] = Some(Value::tuple(vec![]));
        }
    }
    let mut kwargs = Dict::default();
    let mut pos_only_as_kw = Vec::new();
    for (name, v) in args.kw {
        let found = params
            .iter()
            .position(|p| p.name == *name && !matches!(kind(p), ParamKind::VarPositional | ParamKind::VarKeyword));
        match found {
            Some(i) if kind(&params[i]) == ParamKind::PositionalOnly => {
                if var_kw.is_some() {
                    kwargs.insert(crate::ops::key(&Value::Str(name.clone()))?, v);
                } else {
                    pos_only_as_kw.push(name);
                }
            }
            Some(i) => {
                if out[i].is_some() {
                    return Err(type_error(format!("{fname}() got multiple values for argument '{name}'")));
                }
                out[i] = Some(v);
            }
            None => match var_kw {
                Some(_) => {
                    let k = crate::ops::key(&Value::Str(name.clone()))?;
                    if kwargs.contains_key(&k) {
                        return Err(type_error(format!("{fname}() got multiple values for keyword argument '{name}'")));
                    }
                    kwargs.insert(k, v);
                }
                None => return Err(type_error(format!("{fname}() got an unexpected keyword argument '{name}'"))),
            },
        }
    }
    if !pos_only_as_kw.is_empty() {
        let names: Vec<&str> = pos_only_as_kw.iter().map(|s| &**s).collect();
        return Err(type_error(format!(
            "{fname}() got some positional-only arguments passed as keyword arguments: '{}'",
            names.join(", ")
        )));
    }
    if let Some(vk) = var_kw {
        out[vk] = Some(Value::dict(kwargs));
    }
    // defaults, then report what is still missing
    let mut missing_pos = Vec::new();
    let mut missing_kw = Vec::new();
    for (i, p) in params.iter().enumerate() {
        if out[i].is_none() {
            match &p.default {
                Some(d) => out[i] = Some(prog.constant(d)),
                None if kind(p) == ParamKind::KeywordOnly => missing_kw.push(p.name.as_str()),
                None => missing_pos.push(p.name.as_str()),
            }
        }
    }
    if !missing_pos.is_empty() {
        return Err(type_error(format!(
            "{fname}() missing {} {}: {}",
            missing_pos.len(),
            if missing_pos.len() == 1 { "required positional argument" } else { "required positional arguments" },
            names_list(&missing_pos)
        )));
    }
    if !missing_kw.is_empty() {
        return Err(type_error(format!(
            "{fname}() missing {} {}: {}",
            missing_kw.len(),
            if missing_kw.len() == 1 { "required keyword-only argument" } else { "required keyword-only arguments" },
            names_list(&missing_kw)
        )));
    }
    Ok(out.into_iter().map(|v| v.unwrap_or(Value::None)).collect())
}

/// Bound arguments as a kwargs dict (what an action or a child workflow receives). `**kwargs` entries are
/// flattened into the dict, `*args` stays a tuple under its parameter name.
pub fn bind_kwargs(fname: &str, params: &[Param], args: CallArgs, prog: &Program) -> R<Value> {
    let values = bind(fname, params, args, prog, 0)?;
    let mut d = Dict::default();
    for (p, v) in params.iter().zip(values) {
        if kind(p) == ParamKind::VarKeyword {
            if let Value::Dict(extra) = &v {
                for (k, x) in extra.borrow().iter() {
                    d.insert(k.clone(), x.clone());
                }
            }
            continue;
        }
        d.insert(crate::ops::key(&Value::str(&p.name))?, v);
    }
    Ok(Value::dict(d))
}

/// run()'s frame locals from the start event's input, which names every argument (`encode_input` binds by name):
/// a `*args` parameter arrives as a tuple under its own name and `**kwargs` as a dict under its own name.
pub fn bind_run_input(prog: &Program, this: Value, input: Vec<(Str, Value)>) -> R<Vec<Option<Value>>> {
    let f = prog.function(0);
    let mut pos = Vec::new();
    let mut kw = Vec::new();
    let mut input = input;
    let mut take = |name: &str| input.iter().position(|(k, _)| &**k == name).map(|i| input.remove(i).1);
    let star_at = f.params.iter().position(|p| kind(p) == ParamKind::VarPositional);
    for (i, p) in f.params.iter().enumerate() {
        let Some(v) = take(&p.name) else { continue };
        match kind(p) {
            ParamKind::VarPositional => pos.extend(crate::iter::collect(&v)?),
            ParamKind::VarKeyword => match &v {
                Value::Dict(d) => {
                    for (k, x) in d.borrow().iter() {
                        match &k.value {
                            Value::Str(s) => kw.push((s.clone(), x.clone())),
                            _ => return Err(type_error("keywords must be strings")),
                        }
                    }
                }
                _ => return Err(type_error(format!("argument after ** must be a mapping, not {}", v.type_name()))),
            },
            ParamKind::PositionalOnly => pos.push(v),
            _ if star_at.is_some_and(|s| i < s) => pos.push(v),
            _ => kw.push((Str::from(p.name.as_str()), v)),
        }
    }
    kw.extend(input);
    crate::eval::bind_frame_locals(prog, 0, this, CallArgs { pos, kw })
}
