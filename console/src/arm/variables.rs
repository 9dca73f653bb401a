//! `variables`: each worked out once, in an order where the variables it
//! names come first (a topological sort of the `variables('name')` calls
//! written with a literal name), so none is evaluated twice and a chain of
//! any length takes linear time. A name computed at run time
//! (`variables(concat('a', 'b'))`) is met while evaluating: the one it
//! names is worked out first, then the first again. A circle is refused
//! with the variables in it.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::ast::Expr;
use super::eval::{compile, Context, Node, Slot, UNRESOLVED};
use super::invalid;
use super::order::topological;
use crate::failure::Failure;

/// Works out every variable in `declared` into `ctx`.
pub fn resolve(ctx: &Context, declared: &Map<String, Value>) -> Result<(), Failure> {
    let names: Vec<&String> = declared.keys().collect();
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut nodes = Vec::with_capacity(names.len());
    let mut deps = Vec::with_capacity(names.len());
    for (name, value) in declared {
        let node = compile(value, &path(name))?;
        let mut named = Vec::new();
        literal_references(&node, &mut |n| {
            if let Some(&i) = index.get(n) {
                named.push(i);
            }
        });
        deps.push(named);
        nodes.push(Rc::new(node));
    }
    let order = topological(&deps).map_err(|cycle| {
        let cycle: Vec<&str> = cycle.iter().map(|&i| names[i].as_str()).collect();
        circle(&path(cycle[0]), cycle[cycle.len().min(2) - 1], &cycle)
    })?;
    *ctx.variables.borrow_mut() = names
        .iter()
        .zip(nodes)
        .map(|(n, node)| (n.to_string(), Slot::Pending(node)))
        .collect();
    for i in order {
        work_out(ctx, names[i])?;
    }
    Ok(())
}

fn path(name: &str) -> String {
    format!("$.variables.{name}")
}

/// The error for variables that use each other in a circle.
fn circle(path: &str, needed: &str, cycle: &[&str]) -> Failure {
    let mut round = cycle.join(" → ");
    round.push_str(" → ");
    round.push_str(cycle[0]);
    invalid(
        path,
        format!(
            "{UNRESOLVED}'{needed}' (the template variables use each other in a circle: {round})"
        ),
    )
}

/// Calls `found` with each name a `variables('name')` call in `node` writes
/// out literally.
fn literal_references(node: &Node, found: &mut impl FnMut(&str)) {
    match node {
        Node::Literal(..) => {}
        Node::Expr(expr, _) => expr.walk(&mut |e| {
            if let Expr::Call { name, args } = e {
                if name.eq_ignore_ascii_case("variables") {
                    if let Some(Expr::Str(n)) = args.first() {
                        found(n);
                    }
                }
            }
        }),
        Node::Object(fields) => fields
            .iter()
            .for_each(|(_, n)| literal_references(n, found)),
        Node::Array(items) => items.iter().for_each(|n| literal_references(n, found)),
    }
}

/// Works out `name` and any variable it names by a computed name, with a
/// stack of its own (never the call stack, so no depth can overflow it).
fn work_out(ctx: &Context, name: &str) -> Result<(), Failure> {
    let mut stack = vec![name.to_string()];
    while let Some(top) = stack.last() {
        let node = match ctx.variables.borrow().get(top) {
            Some(Slot::Pending(node)) => Rc::clone(node),
            _ => {
                stack.pop();
                continue;
            }
        };
        let path = path(top);
        match ctx.evaluate(&node, &path) {
            Ok(value) => {
                ctx.variables
                    .borrow_mut()
                    .insert(top.clone(), Slot::Done(value));
                stack.pop();
            }
            Err(e) => {
                let Some(needed) = ctx.needs.borrow_mut().take() else {
                    return Err(e);
                };
                if let Some(at) = stack.iter().position(|n| *n == needed) {
                    let cycle: Vec<&str> = stack[at..].iter().map(String::as_str).collect();
                    return Err(circle(&path, &needed, &cycle));
                }
                stack.push(needed);
            }
        }
    }
    Ok(())
}
