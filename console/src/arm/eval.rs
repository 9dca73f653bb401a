//! Evaluates a template's values. A JSON value is first compiled into a
//! [`Node`] (its expression strings parsed once), then evaluated as often
//! as it is needed (once per copy of a resource) against a [`Context`].
//!
//! Every evaluation is budgeted as a bash script is: one value may hold
//! [`MAX_VALUE_BYTES`] (the shell's variable limit), all values made in one
//! deployment [`MAX_EVALUATED_BYTES`], and one deployment may call
//! [`MAX_CALLS`] functions; past a limit the deployment is refused with
//! the limit named, before anything is created.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value};
use snaplab_engine::Lab;

use super::ast::{Expr, Step};
use super::{functions, invalid, parser};
use crate::failure::Failure;

/// Bytes one template value may hold: the shell's limit on one variable.
pub const MAX_VALUE_BYTES: usize = crate::shell::eval::MAX_VAR_BYTES;
/// Bytes all the values one deployment makes may hold together, the
/// values made on the way counted too. ARM refuses a template over 4 MB
/// once expanded (learn.microsoft.com, "Resolve errors for job size
/// exceeded"); 16 MiB leaves room for what is made on the way.
pub const MAX_EVALUATED_BYTES: usize = 16 * MAX_VALUE_BYTES;
/// Function calls one deployment may evaluate: twice a shell script's
/// step budget, so each of ARM's 800 resources may make 250 calls (the
/// docs' templates make ten or so), and the budget runs out in a fraction
/// of a second.
pub const MAX_CALLS: usize = 2 * crate::shell::eval::MAX_STEPS;

/// A template value with its expressions parsed.
#[derive(Debug)]
pub enum Node {
    /// Holds no expression: used as it is (its size kept for the budget).
    Literal(Value, usize),
    /// `"[...]"`, and where it is in the template (for errors).
    Expr(Expr, String),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
}

/// Parses the expressions in `value` (at `path` in the template).
pub fn compile(value: &Value, path: &str) -> Result<Node, Failure> {
    Ok(match value {
        Value::String(s) if s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[") => {
            let expr = parser::parse(&s[1..s.len() - 1]).map_err(|e| invalid(path, e))?;
            Node::Expr(expr, path.to_string())
        }
        Value::String(s) if s.starts_with("[[") => literal(Value::String(s[1..].to_string())),
        Value::Object(map) => {
            let mut fields = Vec::with_capacity(map.len());
            for (k, v) in map {
                fields.push((k.clone(), compile(v, &format!("{path}.{k}"))?));
            }
            if fields.iter().all(|(_, n)| matches!(n, Node::Literal(..))) {
                literal(value.clone())
            } else {
                Node::Object(fields)
            }
        }
        Value::Array(items) => {
            let nodes = items
                .iter()
                .enumerate()
                .map(|(i, v)| compile(v, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if nodes.iter().all(|n| matches!(n, Node::Literal(..))) {
                literal(value.clone())
            } else {
                Node::Array(nodes)
            }
        }
        v => literal(v.clone()),
    })
}

fn literal(value: Value) -> Node {
    let size = size(&value);
    Node::Literal(value, size)
}

/// About the bytes `value` takes as JSON text (its size for the budget).
pub fn size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 20,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(|v| size(v) + 1).sum::<usize>() + 2,
        Value::Object(map) => {
            map.iter()
                .map(|(k, v)| k.len() + 4 + size(v))
                .sum::<usize>()
                + 2
        }
    }
}

/// A variable: its compiled value until it is worked out, then its value.
#[derive(Debug)]
pub enum Slot {
    Pending(Rc<Node>),
    Done(Value),
}

/// What expressions can see: parameters, variables, the resource group,
/// the copy loop being expanded, and (for outputs) the lab.
pub struct Context<'a> {
    pub params: BTreeMap<String, Value>,
    pub(super) variables: RefCell<BTreeMap<String, Slot>>,
    /// The variable a `variables()` call found not yet worked out: the
    /// resolver works that one out first (see `variables.rs`).
    pub(super) needs: RefCell<Option<String>>,
    pub group: &'a str,
    pub location: String,
    pub subscription: String,
    /// `copyIndex()`: the copy loop's name and this copy's index.
    pub copy: Option<(String, i64)>,
    /// `reference()`: the lab once the resources exist (the preflight's).
    pub lab: Option<&'a Lab>,
    calls: Cell<usize>,
    bytes: Cell<usize>,
}

/// Marks an error from a `variables()` not worked out (yet).
pub const UNRESOLVED: &str = "the variable is not defined: ";

impl<'a> Context<'a> {
    pub fn new(group: &'a str, location: String, subscription: String) -> Context<'a> {
        Context {
            params: BTreeMap::new(),
            variables: RefCell::new(BTreeMap::new()),
            needs: RefCell::new(None),
            group,
            location,
            subscription,
            copy: None,
            lab: None,
            calls: Cell::new(0),
            bytes: Cell::new(0),
        }
    }

    /// This context with `reference()` reading `lab`.
    pub fn with_lab<'b>(self, lab: &'b Lab) -> Context<'b>
    where
        'a: 'b,
    {
        Context {
            lab: Some(lab),
            ..self
        }
    }

    /// The value of a compiled template value; `path` names it in an
    /// error about a literal part (an expression names its own).
    pub fn evaluate(&self, node: &Node, path: &str) -> Result<Value, Failure> {
        match node {
            Node::Literal(value, size) => {
                self.spend_bytes(*size, path)?;
                Ok(value.clone())
            }
            Node::Expr(expr, path) => self.expr(expr, path),
            Node::Object(fields) => {
                let mut out = Map::new();
                for (k, v) in fields {
                    out.insert(k.clone(), self.evaluate(v, path)?);
                }
                Ok(Value::Object(out))
            }
            Node::Array(items) => items
                .iter()
                .map(|n| self.evaluate(n, path))
                .collect::<Result<_, _>>()
                .map(Value::Array),
        }
    }

    fn expr(&self, expr: &Expr, path: &str) -> Result<Value, Failure> {
        match expr {
            Expr::Str(s) => {
                self.spend_bytes(s.len(), path)?;
                Ok(Value::String(s.clone()))
            }
            Expr::Int(n) => Ok(Value::from(*n)),
            Expr::Call { name, args } => {
                self.calls.set(self.calls.get() + 1);
                if self.calls.get() > MAX_CALLS {
                    return Err(invalid(
                        path,
                        format!("the template evaluates more than {MAX_CALLS} function calls (the simulator's limit)"),
                    ));
                }
                let args = args
                    .iter()
                    .map(|a| self.expr(a, path))
                    .collect::<Result<Vec<_>, _>>()?;
                let value = functions::call(self, name, args, path)?;
                self.check(&value, path)?;
                Ok(value)
            }
            Expr::Access { base, steps } => {
                let mut value = self.expr(base, path)?;
                for step in steps {
                    value = match step {
                        Step::Property(name) => property(value, name, path)?,
                        Step::Index(index) => match self.expr(index, path)? {
                            Value::String(name) => property(value, &name, path)?,
                            index => element(value, &index, path)?,
                        },
                    };
                }
                Ok(value)
            }
        }
    }

    /// Refuses a value over [`MAX_VALUE_BYTES`], and counts it towards
    /// [`MAX_EVALUATED_BYTES`].
    pub fn check(&self, value: &Value, path: &str) -> Result<(), Failure> {
        let size = size(value);
        if size > MAX_VALUE_BYTES {
            return Err(too_big(path));
        }
        self.spend_bytes(size, path)
    }

    fn spend_bytes(&self, size: usize, path: &str) -> Result<(), Failure> {
        self.bytes.set(self.bytes.get().saturating_add(size));
        if self.bytes.get() > MAX_EVALUATED_BYTES {
            return Err(invalid(
                path,
                format!(
                    "the template's values come to more than {} MiB in all (the simulator's limit; ARM refuses a template over 4 MB once expanded)",
                    MAX_EVALUATED_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }

    /// `variables(name)`: its value once worked out. One not worked out
    /// yet is noted in `needs` for the resolver (and is an error here).
    pub fn variable(&self, name: &str, path: &str) -> Result<Value, Failure> {
        match self.variables.borrow().get(name) {
            Some(Slot::Done(value)) => Ok(value.clone()),
            Some(Slot::Pending(_)) => {
                *self.needs.borrow_mut() = Some(name.to_string());
                Err(invalid(path, format!("{UNRESOLVED}'{name}'")))
            }
            None => Err(invalid(path, format!("{UNRESOLVED}'{name}'"))),
        }
    }
}

/// The error for a value over [`MAX_VALUE_BYTES`].
pub fn too_big(path: &str) -> Failure {
    invalid(
        path,
        format!(
            "the value would hold more than {} MiB (the simulator's limit on one template value, as on a shell variable)",
            MAX_VALUE_BYTES >> 20
        ),
    )
}

fn property(value: Value, name: &str, path: &str) -> Result<Value, Failure> {
    match value {
        Value::Object(mut map) => map.remove(name),
        _ => None,
    }
    .ok_or_else(|| invalid(path, format!("the property '{name}' does not exist")))
}

fn element(value: Value, index: &Value, path: &str) -> Result<Value, Failure> {
    let Value::Array(mut items) = value else {
        return Err(invalid(
            path,
            format!("[{index}]: the value is not an array"),
        ));
    };
    let len = items.len();
    index
        .as_u64()
        .and_then(|i| usize::try_from(i).ok())
        .filter(|i| *i < len)
        .map(|i| items.swap_remove(i))
        .ok_or_else(|| {
            invalid(
                path,
                format!("the index {index} is outside the array of {len}"),
            )
        })
}
