//! The pipeline stages docs pipe into: `Where-Object`, `ForEach-Object`,
//! `Select-Object`, `Sort-Object`, `Measure-Object`, `Format-Table`,
//! `Format-List`, `Out-Null` (and `Write-Output`, which is a command too).
//! Each takes the items the stage before made and returns its own; script
//! blocks run through the interpreter, with `$_` set to the item.

use serde_json::{json, Value};

use super::ast::{Expr, Stmt};
use super::format::{format_list, format_table};
use super::table::{Cmdlet, Param, Script, StageCall, StageFuture, Type};
use super::value::{
    pascal_key, property, sort_text, text, truthy, weigh_within, PsError, ORDER_KEY,
};

const PROPERTY: Param = Param::new(
    "Property",
    "The properties to use, by name (the first unnamed argument).",
)
.ty(Type::Names)
.positional();

pub const CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "Where-Object",
        aliases: &["where", "?"],
        summary: "Keeps the items for which the script block is true.",
        params: &[Param::new("FilterScript", "The test, with the item as $_.")
            .ty(Type::Block)
            .positional()],
        confirms: false,
        command: None,
        stage: Some(where_object),
    },
    Cmdlet {
        name: "ForEach-Object",
        aliases: &["foreach", "%"],
        summary: "Runs the script block for each item; passes on what it outputs.",
        params: &[Param::new("Process", "What to do, with the item as $_.")
            .ty(Type::Block)
            .positional()],
        confirms: false,
        command: None,
        stage: Some(foreach_object),
    },
    Cmdlet {
        name: "Select-Object",
        aliases: &["select"],
        summary: "Picks items (-First, -Last) or properties of each.",
        params: &[
            PROPERTY,
            Param::new("First", "Keeps only the first N items.").ty(Type::Number),
            Param::new("Last", "Keeps only the last N items.").ty(Type::Number),
            Param::new(
                "ExpandProperty",
                "Passes on one property's value, not the item.",
            ),
        ],
        confirms: false,
        command: None,
        stage: Some(select_object),
    },
    Cmdlet {
        name: "Sort-Object",
        aliases: &["sort"],
        summary: "Sorts the items by a property (or by themselves).",
        params: &[
            PROPERTY,
            Param::new("Descending", "Largest first.").ty(Type::Switch),
        ],
        confirms: false,
        command: None,
        stage: Some(sort_object),
    },
    Cmdlet {
        name: "Measure-Object",
        aliases: &[],
        summary: "Counts the items.",
        params: &[],
        confirms: false,
        command: None,
        stage: Some(measure_object),
    },
    Cmdlet {
        name: "Format-Table",
        aliases: &["ft"],
        summary: "Prints the items as a table, one row each.",
        params: &[PROPERTY],
        confirms: false,
        command: None,
        stage: Some(format_table_stage),
    },
    Cmdlet {
        name: "Format-List",
        aliases: &["fl"],
        summary: "Prints each item as a list of its properties.",
        params: &[PROPERTY],
        confirms: false,
        command: None,
        stage: Some(format_list_stage),
    },
    Cmdlet {
        name: "Out-Null",
        aliases: &[],
        summary: "Drops the items: nothing is printed.",
        params: &[],
        confirms: false,
        command: None,
        stage: Some(out_null),
    },
];

fn where_object<'s>(
    it: &'s mut dyn Script,
    call: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move {
        let name = call.name;
        let body = call.block("filterscript").ok_or_else(|| {
            PsError::new(format!(
                "{name}: the simulator takes a script block: {name} {{ $_.Incremental }}"
            ))
        })?;
        let mut kept = Vec::new();
        for item in items {
            if truthy(&it.run_block_for(&body, &item).await?) {
                kept.push(item);
            }
        }
        Ok(kept)
    })
}

fn foreach_object<'s>(
    it: &'s mut dyn Script,
    call: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move {
        let name = call.name;
        let body = call.block("process").ok_or_else(|| {
            PsError::new(format!(
                "{name}: the simulator takes a script block: {name} {{ $_.Name }}"
            ))
        })?;
        let mut out = Vec::new();
        // What the blocks output is weighed as it comes: each block's value
        // is within budget, but a thousand of them need not be.
        let mut weight = 0;
        for item in items {
            let value = it.run_block_for(&body, &item).await?;
            weight = weigh_within(weight, &value)?;
            match value {
                Value::Null => {}
                Value::Array(more) => out.extend(more),
                one => out.push(one),
            }
        }
        Ok(out)
    })
}

fn select_object<'s>(
    it: &'s mut dyn Script,
    call: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move {
        let number_of = |v: Value| v.as_f64().map(|n| n.max(0.0) as usize);
        let first = match call.named("first").flatten() {
            Some(e) => number_of(it.eval_expr(&e).await?),
            None => None,
        };
        let last = match call.named("last").flatten() {
            Some(e) => number_of(it.eval_expr(&e).await?),
            None => None,
        };
        let mut items = items;
        if let Some(n) = first {
            items.truncate(n);
        }
        if let Some(n) = last {
            items.drain(..items.len().saturating_sub(n));
        }
        let names = &call.names;
        if let Some(Some(e)) = call.named("expandproperty") {
            let key = text(&it.eval_expr(&e).await?);
            return Ok(items.iter().map(|i| property(i, &key)).collect());
        }
        if names.is_empty() {
            return Ok(items);
        }
        let picks = picks(it, call).await?;
        let mut out = Vec::with_capacity(items.len());
        for item in &items {
            let (mut picked, mut order) = (serde_json::Map::new(), Vec::new());
            for pick in &picks {
                let (key, value) = match pick {
                    Pick::Name(n) => (pascal_key(item, n), property(item, n)),
                    Pick::Calculated(label, Some(block)) => {
                        (label.clone(), it.run_block_for(block, item).await?)
                    }
                    Pick::Calculated(label, None) => (label.clone(), Value::Null),
                    Pick::Renamed(label, n) => (label.clone(), property(item, n)),
                };
                order.push(json!(key));
                picked.insert(key, value);
            }
            // Its properties in the order they were picked.
            picked.insert(ORDER_KEY.into(), Value::Array(order));
            out.push(Value::Object(picked));
        }
        Ok(out)
    })
}

/// One property `Select-Object` picks.
enum Pick {
    Name(String),
    /// `@{Name = 'Label'; Expression = { … }}`: the block run per item.
    Calculated(String, Option<Vec<Stmt>>),
    /// `@{Name = 'Label'; Expression = 'Property'}`.
    Renamed(String, String),
}

/// The properties `-Property` names, calculated ones (hashtables with
/// `Name`/`Label` and `Expression`, or their first letters) read from the
/// arguments as written, the others as already evaluated.
async fn picks(it: &mut dyn Script, call: &StageCall<'_>) -> Result<Vec<Pick>, PsError> {
    let written = match StageCall::property_argument(call.args) {
        Some(Expr::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut picks = Vec::new();
    for (i, name) in call.names.iter().enumerate() {
        let Some(Expr::Hashtable(entries)) = written.get(i) else {
            picks.push(Pick::Name(name.clone()));
            continue;
        };
        let entry = |keys: &[&str]| {
            entries
                .iter()
                .find(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    !k.is_empty() && keys.iter().any(|full| full.starts_with(&k))
                })
                .map(|(_, v)| v.clone())
        };
        let label = match entry(&["name", "label"]) {
            Some(e) => text(&it.eval_expr(&e).await?),
            None => {
                return Err(PsError::new(
                    "Select-Object: a calculated property needs a Name (or Label) key",
                ))
            }
        };
        picks.push(match entry(&["expression"]) {
            Some(Expr::Block(body)) => Pick::Calculated(label, Some(body)),
            Some(e) => Pick::Renamed(label, text(&it.eval_expr(&e).await?)),
            None => Pick::Calculated(label, None),
        });
    }
    Ok(picks)
}

fn sort_object<'s>(
    _: &'s mut dyn Script,
    call: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move {
        let key = call.names.first().cloned();
        let mut items = items;
        items.sort_by(|a, b| {
            let (a, b) = match &key {
                Some(k) => (property(a, k), property(b, k)),
                None => (a.clone(), b.clone()),
            };
            match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => sort_text(&a).cmp(&sort_text(&b)),
            }
        });
        if call.named("descending").is_some() {
            items.reverse();
        }
        Ok(items)
    })
}

fn measure_object<'s>(
    _: &'s mut dyn Script,
    _: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move { Ok(vec![json!({ "Count": items.len() })]) })
}

fn format_table_stage<'s>(
    _: &'s mut dyn Script,
    call: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move { Ok(vec![Value::String(format_table(&items, &call.names)?)]) })
}

fn format_list_stage<'s>(
    _: &'s mut dyn Script,
    call: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move {
        let names = &call.names;
        let lines: Vec<String> = items
            .iter()
            .flat_map(|i| {
                let shown = if names.is_empty() {
                    i.clone()
                } else {
                    Value::Object(
                        names
                            .iter()
                            .map(|n| (pascal_key(i, n), property(i, n)))
                            .collect(),
                    )
                };
                format_list(&shown)
            })
            .collect();
        Ok(vec![Value::String(lines.join("\n"))])
    })
}

fn out_null<'s>(_: &'s mut dyn Script, _: &'s StageCall<'s>, _: Vec<Value>) -> StageFuture<'s> {
    Box::pin(async move { Ok(Vec::new()) })
}

/// `… | Write-Output`: the items, passed on as they are.
pub fn write_output<'s>(
    _: &'s mut dyn Script,
    _: &'s StageCall<'s>,
    items: Vec<Value>,
) -> StageFuture<'s> {
    Box::pin(async move { Ok(items) })
}
