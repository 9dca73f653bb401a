//! The template functions, called with their arguments evaluated: ARM's
//! names (any case), as far as disks and snapshots need them.

use serde_json::{json, Value};

use super::eval::{too_big, Context, MAX_VALUE_BYTES};
use super::{invalid, reference};
use crate::failure::Failure;

/// The names the simulator knows, for the error naming an unknown one.
const KNOWN: &str = "parameters, variables, concat, format, if, equals, not, and, or, empty, length, add, sub, mul, div, string, int, copyIndex, uniqueString, reference, resourceGroup, subscription, resourceId, toLower, toUpper";

/// A value as text: a string as it is, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        Value::Number(n) => n.as_f64() != Some(0.0),
        _ => false,
    }
}

/// `name(args)` at `path`.
pub fn call(ctx: &Context, name: &str, args: Vec<Value>, path: &str) -> Result<Value, Failure> {
    let int = |v: &Value| -> Result<i64, Failure> {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| invalid(path, format!("'{}' is not an integer", text(v))))
    };
    let arg = |i: usize| -> Result<&Value, Failure> {
        args.get(i).ok_or_else(|| {
            invalid(
                path,
                format!("{name}() needs at least {} argument(s)", i + 1),
            )
        })
    };
    let arithmetic = |op: fn(i64, i64) -> Option<i64>, what: &str| -> Result<Value, Failure> {
        Ok(json!(op(int(arg(0)?)?, int(arg(1)?)?).ok_or_else(
            || invalid(path, format!("{name}() {what}"))
        )?))
    };
    match name.to_ascii_lowercase().as_str() {
        "parameters" => {
            let key = args
                .first()
                .map(text)
                .ok_or_else(|| invalid(path, "parameters() needs a name"))?;
            ctx.params.get(&key).cloned().ok_or_else(|| {
                invalid(path, format!("the template parameter '{key}' is not found"))
            })
        }
        "variables" => {
            let key = args
                .first()
                .map(text)
                .ok_or_else(|| invalid(path, "variables() needs a name"))?;
            ctx.variable(&key, path)
        }
        "concat" => concat(&args, path),
        "format" => format(&args, path),
        "if" => Ok(if truthy(arg(0)?) {
            arg(1)?.clone()
        } else {
            arg(2)?.clone()
        }),
        "equals" => Ok(json!(arg(0)? == arg(1)?)),
        "not" => Ok(json!(!truthy(arg(0)?))),
        "and" => Ok(json!(args.iter().all(truthy))),
        "or" => Ok(json!(args.iter().any(truthy))),
        "true" => Ok(json!(true)),
        "false" => Ok(json!(false)),
        "empty" => Ok(json!(match arg(0)? {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        })),
        "length" => Ok(json!(match arg(0)? {
            Value::String(s) => s.chars().count(),
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            other => return Err(invalid(path, format!("length() of {other}"))),
        })),
        "add" => arithmetic(i64::checked_add, "overflows"),
        "sub" => arithmetic(i64::checked_sub, "overflows"),
        "mul" => arithmetic(i64::checked_mul, "overflows"),
        "div" => arithmetic(i64::checked_div, "by zero"),
        "string" => Ok(Value::String(text(arg(0)?))),
        "int" => Ok(json!(int(arg(0)?)?)),
        "copyindex" => {
            // copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset)
            let (loop_name, offset) = match args.as_slice() {
                [] => (None, 0),
                [Value::String(n)] => (Some(n.clone()), 0),
                [offset] => (None, int(offset)?),
                [n, offset] => (Some(text(n)), int(offset)?),
                _ => return Err(invalid(path, "copyIndex() takes a loop name and an offset")),
            };
            match &ctx.copy {
                Some((name, i))
                    if loop_name
                        .as_ref()
                        .is_none_or(|n| n.eq_ignore_ascii_case(name)) =>
                {
                    Ok(json!(i + offset))
                }
                _ => Err(invalid(
                    path,
                    "copyIndex() is only valid in a resource with a copy loop",
                )),
            }
        }
        "uniquestring" => Ok(unique_string(&args)),
        "reference" => {
            let wanted = text(arg(0)?);
            let lab = ctx.lab.ok_or_else(|| invalid(path, "reference() can be used in outputs in the simulator (the resources exist then)"))?;
            reference::resource_body(lab, ctx.group, &wanted).map_err(|e| invalid(path, e))
        }
        "resourcegroup" => Ok(
            json!({ "name": ctx.group, "location": ctx.location, "id": format!("/subscriptions/{}/resourceGroups/{}", ctx.subscription, ctx.group) }),
        ),
        "subscription" => Ok(
            json!({ "subscriptionId": ctx.subscription, "id": format!("/subscriptions/{}", ctx.subscription) }),
        ),
        "resourceid" => {
            let parts: Vec<String> = args.iter().map(text).collect();
            match parts.as_slice() {
                [kind, name] => Ok(Value::String(format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/{kind}/{name}",
                    ctx.subscription, ctx.group
                ))),
                _ => Err(invalid(
                    path,
                    "resourceId() takes a type and a name in the simulator",
                )),
            }
        }
        "tolower" => Ok(Value::String(
            args.first().map(text).unwrap_or_default().to_lowercase(),
        )),
        "toupper" => Ok(Value::String(
            args.first().map(text).unwrap_or_default().to_uppercase(),
        )),
        other => Err(invalid(
            path,
            format!(
                "the template function '{other}' is not valid in the simulator (it has {KNOWN})"
            ),
        )),
    }
}

/// `concat`: arrays joined if every argument is one, else text. The size
/// is worked out before anything is built, so doubling a value stops at
/// the limit without allocating past it.
fn concat(args: &[Value], path: &str) -> Result<Value, Failure> {
    if args.iter().all(Value::is_array) && !args.is_empty() {
        let size: usize = args.iter().map(super::eval::size).sum();
        if size > MAX_VALUE_BYTES {
            return Err(too_big(path));
        }
        return Ok(Value::Array(
            args.iter()
                .flat_map(|a| a.as_array().cloned().unwrap_or_default())
                .collect(),
        ));
    }
    let size: usize = args
        .iter()
        .map(|a| a.as_str().map_or_else(|| super::eval::size(a), str::len))
        .sum();
    if size > MAX_VALUE_BYTES {
        return Err(too_big(path));
    }
    Ok(Value::String(args.iter().map(text).collect()))
}

/// `format`: .NET composite format, `{0}`, `{1}`, … (`{{` and `}}` are braces).
fn format(args: &[Value], path: &str) -> Result<Value, Failure> {
    let pattern = text(
        args.first()
            .ok_or_else(|| invalid(path, "format() needs at least 1 argument(s)"))?,
    );
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let index: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let i: usize = index
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .parse()
                    .map_err(|_| {
                        invalid(
                            path,
                            format!("format(): '{{{index}}}' is not a placeholder"),
                        )
                    })?;
                let value = args.get(i + 1).ok_or_else(|| {
                    invalid(
                        path,
                        format!("format() needs at least {} argument(s)", i + 2),
                    )
                })?;
                out.push_str(&text(value));
            }
            c => out.push(c),
        }
        if out.len() > MAX_VALUE_BYTES {
            return Err(too_big(path));
        }
    }
    Ok(Value::String(out))
}

/// Deterministic, 13 characters of [a-z0-9] as ARM's are; not the same
/// values as Azure's hash (see docs/fidelity.md).
fn unique_string(args: &[Value]) -> Value {
    let seed: String = args.iter().map(text).collect::<Vec<_>>().join("-");
    let mut h = snaplab_engine::checksum::stable_hash_bytes(seed.as_bytes());
    let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    for _ in 0..13 {
        out.push(alphabet[(h % 32) as usize] as char);
        h = (h / 32) ^ (h << 59);
    }
    Value::String(out)
}
