//! Runs a PowerShell syntax tree: variables, interpolation, pipelines of
//! cmdlets, and the Az cmdlets for disks and snapshots (through the runner,
//! so lesson locks and the record apply). Objects print as `Format-List`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::{json, Value};
use snaplab_engine::cmd;
use snaplab_engine::rest::az::{disk_json, snapshot_json};
use snaplab_engine::{AccessTarget, Command, EngineError, Lab};

use super::ast::{Expr, Stmt};
use super::parser::{parse, parse_expression};
use crate::pace::{Go, Pacer, Progress};
use crate::runner::Runner;
use crate::shell::Line;

/// A PowerShell error: the cmdlet and what Azure said.
struct PsError(String);

impl PsError {
    fn engine(cmdlet: &str, e: &EngineError) -> PsError {
        PsError(format!(
            "{cmdlet}: {e}\nErrorCode: {}\nErrorMessage: {e}",
            e.code()
        ))
    }
}

/// Keys in PowerShell's casing: the first letter upper-case, all the way down.
fn pascal(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = c
                        .next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default();
                    (key, pascal(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(pascal).collect()),
        v => v.clone(),
    }
}

fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| format!("{}", f as i64))
            .unwrap_or_else(|| n.to_string()),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(" "),
        Value::Object(o) if o.contains_key(DATETIME_KEY) => en_us_datetime(v),
        Value::Object(o) => get_ci(v, "Name").map(text).unwrap_or_else(|| {
            format!("@{{{}}}", o.keys().cloned().collect::<Vec<_>>().join("; "))
        }),
    }
}

/// Where an object made by Select-Object keeps the order its properties
/// were picked in (JSON objects here are sorted by key; PowerShell's keep
/// their order).
const ORDER_KEY: &str = "@order";

/// A .NET `DateTime` (`TimeCreated`): kept as its ISO 8601 text, so it
/// sorts and compares by time, and printed as PowerShell prints a DateTime
/// in the en-US culture (`11/23/2026 9:05:00 AM`).
const DATETIME_KEY: &str = "@datetime";

fn datetime(iso: &str) -> Value {
    json!({ DATETIME_KEY: iso })
}

/// `M/d/yyyy h:mm:ss tt`, the en-US general date/time pattern.
fn en_us_datetime(v: &Value) -> String {
    let iso = v
        .get(DATETIME_KEY)
        .and_then(Value::as_str)
        .unwrap_or_default();
    let num = |range: std::ops::Range<usize>| -> u32 {
        iso.get(range).and_then(|t| t.parse().ok()).unwrap_or(0)
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
    let (h12, tt) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!("{month}/{day}/{year} {h12}:{minute:02}:{second:02} {tt}")
}

/// The key a value sorts and compares by: a DateTime by its time.
fn sort_text(v: &Value) -> String {
    match v.get(DATETIME_KEY).and_then(Value::as_str) {
        Some(iso) => iso.to_string(),
        None => text(v).to_lowercase(),
    }
}

/// `PSDisk`'s properties in the order Az.Compute declares them
/// (`Models/PSDisk.cs`), which is how PowerShell lists them.
const PSDISK_ORDER: &[&str] = &[
    "ResourceGroupName",
    "ManagedBy",
    "ManagedByExtended",
    "Sku",
    "Zones",
    "TimeCreated",
    "OsType",
    "HyperVGeneration",
    "CreationData",
    "DiskSizeGB",
    "DiskSizeBytes",
    "UniqueId",
    "EncryptionSettingsCollection",
    "ProvisioningState",
    "DiskIOPSReadWrite",
    "DiskMBpsReadWrite",
    "DiskIOPSReadOnly",
    "DiskMBpsReadOnly",
    "DiskState",
    "Encryption",
    "MaxShares",
    "ShareInfo",
    "Id",
    "Name",
    "Type",
    "Location",
    "ExtendedLocation",
    "Tags",
    "NetworkAccessPolicy",
    "DiskAccessId",
    "Tier",
    "BurstingEnabled",
    "PurchasePlan",
    "SupportsHibernation",
    "SecurityProfile",
    "PublicNetworkAccess",
    "SupportedCapabilities",
    "DataAccessAuthMode",
    "CompletionPercent",
    "OptimizedForFrequentAttach",
];

/// `PSSnapshot`'s properties in Az.Compute's order (the same pattern as
/// PSDisk: the snapshot's own properties, then the resource's, then those
/// added by later API versions).
const PSSNAPSHOT_ORDER: &[&str] = &[
    "ResourceGroupName",
    "ManagedBy",
    "Sku",
    "ExtendedLocation",
    "TimeCreated",
    "OsType",
    "HyperVGeneration",
    "PurchasePlan",
    "CreationData",
    "DiskSizeGB",
    "DiskSizeBytes",
    "DiskState",
    "UniqueId",
    "EncryptionSettingsCollection",
    "ProvisioningState",
    "Incremental",
    "Encryption",
    "NetworkAccessPolicy",
    "DiskAccessId",
    "Id",
    "Name",
    "Type",
    "Location",
    "Tags",
    "SupportsHibernation",
    "SecurityProfile",
    "PublicNetworkAccess",
    "CompletionPercent",
    "CopyCompletionError",
    "DataAccessAuthMode",
    "IncrementalSnapshotFamilyId",
];

/// An Az object: its properties in `order` (those it lacks shown empty, as
/// PowerShell shows a null property), `TimeCreated` as a DateTime, and its
/// nested SKU typed as `sku_type`.
fn az_object(mut v: Value, order: &[&str], sku_type: &str) -> Value {
    if let Value::Object(map) = &mut v {
        if let Some(Value::String(iso)) = map.get("TimeCreated").cloned() {
            map.insert("TimeCreated".into(), datetime(&iso));
        }
        if let Some(Value::Object(sku)) = map.get_mut("Sku") {
            sku.insert(
                "@type".into(),
                json!(format!(
                    "Microsoft.Azure.Management.Compute.Models.{sku_type}"
                )),
            );
        }
        for key in order {
            map.entry(key.to_string()).or_insert(Value::Null);
        }
        map.insert(
            ORDER_KEY.into(),
            Value::Array(order.iter().map(|k| json!(k)).collect()),
        );
    }
    v
}

/// The properties an object shows, in its order: as picked, or sorted.
/// Keys starting with `@` are the simulator's own markers.
fn shown_keys(v: &Value) -> Vec<String> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    match map.get(ORDER_KEY).and_then(Value::as_array) {
        Some(order) => order.iter().map(text).collect(),
        None => map
            .keys()
            .filter(|k| !k.starts_with('@'))
            .cloned()
            .collect(),
    }
}

/// An object as Format-List prints it; nested objects by their type name.
fn format_list(v: &Value) -> Vec<String> {
    let Some(map) = v.as_object() else {
        return vec![text(v)];
    };
    let keys = shown_keys(v);
    let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut lines = vec![String::new()];
    for k in &keys {
        let val = map.get(k).unwrap_or(&Value::Null);
        let shown = match val {
            Value::Object(o) if o.contains_key(DATETIME_KEY) => text(val),
            // An empty dictionary (Tags): PowerShell prints its braces.
            Value::Object(o) if o.is_empty() => "{}".to_string(),
            Value::Object(_) => get_ci(val, "@type")
                .map(text)
                .unwrap_or_else(|| format!("Microsoft.Azure.Management.Compute.Models.{k}")),
            other => text(other),
        };
        lines.push(format!("{k:<width$} : {shown}"));
    }
    lines.push(String::new());
    lines
}

/// Marks a JSON object as a PowerShell hashtable (`@{…}`), which prints as
/// a Name/Value table and whose entries are its keys (not shown as one).
const HASHTABLE_KEY: &str = "@hashtable";

/// A hashtable's entries, without the marker.
fn hashtable_entries(v: &Value) -> Vec<(String, Value)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != HASHTABLE_KEY)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// A hashtable as PowerShell prints it: `Name` (30 wide) and `Value`.
fn format_hashtable(v: &Value) -> Vec<String> {
    let mut lines = vec![
        String::new(),
        format!("{:<30} {}", "Name", "Value"),
        format!("{:<30} {}", "----", "-----"),
    ];
    for (k, val) in hashtable_entries(v) {
        lines.push(format!("{k:<30} {}", text(&val)).trim_end().to_string());
    }
    lines.push(String::new());
    lines
}

/// Statements one run may execute (loop turns included).
pub const MAX_STEPS: usize = crate::shell::eval::MAX_STEPS;

pub struct Interpreter<'a> {
    pub rt: Runner<'a>,
    pub vars: &'a mut BTreeMap<String, Value>,
    out: Vec<Line>,
    pacer: &'a mut dyn Pacer,
    steps: usize,
    /// Stop was pressed, or a limit reached: the whole script ends.
    halted: bool,
}

impl<'a> Interpreter<'a> {
    pub fn new(
        rt: Runner<'a>,
        vars: &'a mut BTreeMap<String, Value>,
        pacer: &'a mut dyn Pacer,
    ) -> Self {
        Interpreter {
            rt,
            vars,
            out: Vec::new(),
            pacer,
            steps: 0,
            halted: false,
        }
    }

    /// Runs a script; returns what it printed and whether any command failed.
    pub async fn run(mut self, script: &str) -> (Vec<Line>, i32) {
        let statements = match parse(script) {
            Ok(s) => s,
            Err(e) => return (vec![Line::Err(format!("ParserError: {e}"))], 1),
        };
        let mut failed = false;
        for s in &statements {
            if let Err(PsError(message)) = self.statement(s).await {
                self.out
                    .extend(message.lines().map(|l| Line::Err(l.to_string())));
                failed = true;
            }
            if self.halted {
                break;
            }
        }
        (self.out, i32::from(failed))
    }

    /// Counts a statement against the step budget, and lets the pacer pause
    /// (the page draws) or stop the script (a terminating error).
    async fn step(&mut self) -> Result<(), PsError> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.halted = true;
            return Err(PsError(format!(
                "The script was stopped: it ran more than {MAX_STEPS} statements (the simulator's step limit: an endless loop?)"
            )));
        }
        let progress = Progress {
            steps: self.steps,
            commands: self.rt.count(),
            lines: &self.out,
        };
        if let Some(pause) = self.pacer.pace(progress) {
            if pause.await == Go::Stop {
                self.halted = true;
                return Err(PsError(
                    "^C (stopped: the commands that ran before Stop stay done, as in Azure)".into(),
                ));
            }
        }
        Ok(())
    }

    fn emit(&mut self, v: &Value) {
        match v {
            Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    self.emit(item);
                }
            }
            Value::Object(map) if map.contains_key(HASHTABLE_KEY) => {
                self.out
                    .extend(format_hashtable(v).into_iter().map(Line::Out));
            }
            Value::Object(_) => {
                let lines = format_list(v);
                self.out.extend(lines.into_iter().map(Line::Out));
            }
            other => self.out.push(Line::Out(text(other))),
        }
    }

    // Boxed: statements and expressions nest, and a recursive future needs a known size.
    fn statement<'s>(
        &'s mut self,
        s: &'s Stmt,
    ) -> Pin<Box<dyn Future<Output = Result<(), PsError>> + 's>> {
        Box::pin(async move { self.statement_inner(s).await })
    }

    async fn statement_inner(&mut self, s: &Stmt) -> Result<(), PsError> {
        self.step().await?;
        match s {
            Stmt::Assign(name, e) => {
                let v = self.eval(e).await?;
                self.vars.insert(name.clone(), v);
            }
            Stmt::Expr(e) => {
                // .Add() returns the new index, which PowerShell prints.
                let v = self.eval(e).await?;
                self.emit(&v);
            }
            Stmt::Foreach(var, collection, body) => {
                let items = match self.eval(collection).await? {
                    Value::Array(a) => a,
                    Value::Null => vec![],
                    one => vec![one],
                };
                for item in items {
                    self.step().await?;
                    self.vars.insert(var.clone(), item);
                    for s in body {
                        self.statement(s).await?;
                    }
                }
            }
            Stmt::If(arms, otherwise) => {
                for (cond, body) in arms {
                    if truthy(&self.eval(cond).await?) {
                        for s in body {
                            self.statement(s).await?;
                        }
                        return Ok(());
                    }
                }
                if let Some(body) = otherwise {
                    for s in body {
                        self.statement(s).await?;
                    }
                }
            }
            Stmt::While(condition, body) => {
                while truthy(&self.eval(condition).await?) {
                    self.step().await?;
                    for s in body {
                        self.statement(s).await?;
                    }
                }
            }
            Stmt::Do {
                body,
                condition,
                until,
            } => loop {
                self.step().await?;
                for s in body {
                    self.statement(s).await?;
                }
                // `do … while` goes on while it holds, `do … until` until it does.
                if truthy(&self.eval(condition).await?) == *until {
                    break;
                }
            },
            Stmt::Block(text) => {
                let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
                self.out
                    .push(Line::Out(inner.trim_matches('\n').to_string()));
            }
        }
        Ok(())
    }

    fn eval<'s>(
        &'s mut self,
        e: &'s Expr,
    ) -> Pin<Box<dyn Future<Output = Result<Value, PsError>> + 's>> {
        Box::pin(async move { self.eval_inner(e).await })
    }

    async fn eval_inner(&mut self, e: &Expr) -> Result<Value, PsError> {
        Ok(match e {
            Expr::Lit(v) => v.clone(),
            Expr::Interp(s) => Value::String(self.interpolate(s).await?),
            Expr::Var(name, path) => {
                let mut v = self.vars.get(name).cloned().unwrap_or(Value::Null);
                for p in path {
                    v = property(&v, p);
                }
                v
            }
            Expr::Method(name, path, method, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a).await?);
                }
                let args = values;
                if !path.is_empty() || !method.eq_ignore_ascii_case("Add") || args.len() != 1 {
                    return Err(PsError(format!("Method invocation failed: the simulator supports $list.Add($item), not .{method}()")));
                }
                let list = self
                    .vars
                    .entry(name.clone())
                    .or_insert(Value::Array(vec![]));
                let Value::Array(items) = list else {
                    return Err(PsError(format!("Method invocation failed because [{}] does not contain a method named 'Add'.", type_name(list))));
                };
                items.push(args[0].clone());
                json!(items.len() - 1)
            }
            Expr::Binary(op, l, r) => {
                let (a, b) = (self.eval(l).await?, self.eval(r).await?);
                match op.as_str() {
                    "+" => add(a, b),
                    "-" | "*" | "/" => arithmetic(op, &a, &b)?,
                    "and" => json!(truthy(&a) && truthy(&b)),
                    "or" => json!(truthy(&a) || truthy(&b)),
                    "eq" => json!(equal(&a, &b)),
                    "ne" => json!(!equal(&a, &b)),
                    "like" => json!(text(&a).eq_ignore_ascii_case(&text(&b))),
                    cmp if a.get(DATETIME_KEY).is_some() || b.get(DATETIME_KEY).is_some() => {
                        let (x, y) = (sort_text(&a), sort_text(&b));
                        json!(match cmp {
                            "lt" => x < y,
                            "gt" => x > y,
                            "le" => x <= y,
                            _ => x >= y,
                        })
                    }
                    cmp => {
                        let (x, y) = (number(&a), number(&b));
                        json!(match cmp {
                            "lt" => x < y,
                            "gt" => x > y,
                            "le" => x <= y,
                            _ => x >= y,
                        })
                    }
                }
            }
            Expr::Not(e) => json!(!truthy(&self.eval(e).await?)),
            Expr::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for i in items {
                    values.push(self.eval(i).await?);
                }
                Value::Array(values)
            }
            Expr::Sub(body) => {
                let mut collected = Vec::new();
                for s in body {
                    match s {
                        Stmt::Expr(e) => collected.push(self.eval(e).await?),
                        other => self.statement(other).await?,
                    }
                }
                if collected.len() == 1 {
                    collected.pop().unwrap()
                } else {
                    Value::Array(collected)
                }
            }
            Expr::Cmd(name, args) => self.cmdlet(name, args).await?,
            Expr::Member(inner, path) => {
                let mut v = self.eval(inner).await?;
                for p in path {
                    v = property(&v, p);
                }
                v
            }
            // A script block as a value prints as its text, as in PowerShell.
            Expr::Block(_) => Value::String(e.to_string()),
            Expr::Index(list, index) => {
                let (list, index) = (self.eval(list).await?, self.eval(index).await?);
                match (&list, &index) {
                    (Value::Array(items), _) => {
                        let i = number(&index) as i64;
                        let at = if i < 0 { items.len() as i64 + i } else { i };
                        // Out of range is $null in PowerShell, not an error.
                        usize::try_from(at)
                            .ok()
                            .and_then(|at| items.get(at))
                            .cloned()
                            .unwrap_or(Value::Null)
                    }
                    (Value::Object(_), _) => property(&list, &text(&index)),
                    (Value::Null, _) => {
                        return Err(PsError("Cannot index into a null array.".into()))
                    }
                    // One object indexes as a list of one.
                    (_, _) if number(&index) == 0.0 => list.clone(),
                    _ => Value::Null,
                }
            }
            Expr::Hashtable(entries) => {
                let mut table = serde_json::Map::new();
                table.insert(HASHTABLE_KEY.into(), Value::Bool(true));
                for (key, value) in entries {
                    let value = self.eval(value).await?;
                    // Keys are case-insensitive: a repeated one is an error in PowerShell.
                    if table.keys().any(|k| k.eq_ignore_ascii_case(key)) {
                        return Err(PsError(format!(
                            "Duplicate keys '{key}' are not allowed in hash literals."
                        )));
                    }
                    table.insert(key.clone(), value);
                }
                Value::Object(table)
            }
            Expr::Pipe(first, stages) => {
                let mut items = match self.eval(first).await? {
                    Value::Array(items) => items,
                    Value::Null => vec![],
                    one => vec![one],
                };
                for stage in stages {
                    let Expr::Cmd(name, args) = stage else {
                        return Err(PsError("a pipeline stage must be a cmdlet".into()));
                    };
                    items = self.stage(name, args, items).await?;
                }
                match items.len() {
                    0 => Value::Null,
                    1 => items.pop().expect("one"),
                    _ => Value::Array(items),
                }
            }
        })
    }

    /// Runs `block` for `item` as `$_`; returns what it output.
    async fn run_block(&mut self, block: &[Stmt], item: &Value) -> Result<Value, PsError> {
        let saved = self.vars.insert("_".into(), item.clone());
        let result = self.eval(&Expr::Sub(block.to_vec())).await;
        match saved {
            Some(v) => self.vars.insert("_".into(), v),
            None => self.vars.remove("_"),
        };
        result
    }

    /// One pipeline stage: the cmdlets docs pipe into.
    async fn stage(
        &mut self,
        name: &str,
        args: &[(Option<String>, Option<Expr>)],
        items: Vec<Value>,
    ) -> Result<Vec<Value>, PsError> {
        let named = |key: &str| {
            args.iter()
                .find(|(p, _)| p.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(key)))
                .map(|(_, v)| v.clone())
        };
        let positional: Vec<&Expr> = args
            .iter()
            .filter(|(p, _)| p.is_none())
            .filter_map(|(_, v)| v.as_ref())
            .collect();
        let block = |key: &str| -> Option<Vec<Stmt>> {
            match named(key)
                .flatten()
                .or_else(|| positional.first().map(|e| (*e).clone()))
            {
                Some(Expr::Block(body)) => Some(body),
                _ => None,
            }
        };
        // A list of property names: -Property a, b (or positional).
        let mut names = Vec::new();
        if let Some(e) = named("property")
            .flatten()
            .or_else(|| positional.first().map(|e| (*e).clone()))
        {
            if !matches!(e, Expr::Block(_)) {
                match self.eval(&e).await? {
                    Value::Array(list) => names.extend(list.iter().map(text)),
                    one => names.push(text(&one)),
                }
            }
        }
        let number_of = |v: Option<Value>| v.and_then(|v| v.as_f64()).map(|n| n.max(0.0) as usize);
        let lower = name.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "where-object" | "where" => {
                let body = block("filterscript").ok_or_else(|| PsError(format!("{name}: the simulator takes a script block: {name} {{ $_.Incremental }}")))?;
                let mut kept = Vec::new();
                for item in items {
                    if truthy(&self.run_block(&body, &item).await?) {
                        kept.push(item);
                    }
                }
                kept
            }
            "foreach-object" | "foreach" => {
                let body = block("process").ok_or_else(|| PsError(format!("{name}: the simulator takes a script block: {name} {{ $_.Name }}")))?;
                let mut out = Vec::new();
                for item in items {
                    match self.run_block(&body, &item).await? {
                        Value::Null => {}
                        Value::Array(more) => out.extend(more),
                        one => out.push(one),
                    }
                }
                out
            }
            "select-object" | "select" => {
                let first = match named("first").flatten() {
                    Some(e) => number_of(Some(self.eval(&e).await?)),
                    None => None,
                };
                let last = match named("last").flatten() {
                    Some(e) => number_of(Some(self.eval(&e).await?)),
                    None => None,
                };
                let mut items = items;
                if let Some(n) = first {
                    items.truncate(n);
                }
                if let Some(n) = last {
                    items.drain(..items.len().saturating_sub(n));
                }
                if let Some(Some(e)) = named("expandproperty") {
                    let key = text(&self.eval(&e).await?);
                    items.iter().map(|i| property(i, &key)).collect()
                } else if names.is_empty() {
                    items
                } else {
                    items
                        .iter()
                        .map(|i| {
                            let mut picked: serde_json::Map<String, Value> = names
                                .iter()
                                .map(|n| (pascal_key(i, n), property(i, n)))
                                .collect();
                            // Its properties in the order they were picked.
                            let order = names.iter().map(|n| json!(pascal_key(i, n))).collect();
                            picked.insert(ORDER_KEY.into(), Value::Array(order));
                            Value::Object(picked)
                        })
                        .collect()
                }
            }
            "sort-object" | "sort" => {
                let key = names.first().cloned();
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
                if args.iter().any(|(p, _)| p.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("descending"))) {
                    items.reverse();
                }
                items
            }
            "measure-object" => vec![json!({ "Count": items.len() })],
            "out-null" => vec![],
            "format-table" | "ft" => vec![Value::String(format_table(&items, &names))],
            "format-list" | "fl" => {
                let lines: Vec<String> = items
                    .iter()
                    .flat_map(|i| {
                        let shown = if names.is_empty() {
                            i.clone()
                        } else {
                            Value::Object(names.iter().map(|n| (pascal_key(i, n), property(i, n))).collect())
                        };
                        format_list(&shown)
                    })
                    .collect();
                vec![Value::String(lines.join("\n"))]
            }
            "write-output" => items,
            _ => {
                return Err(PsError(format!(
                    "{name}: the simulator's pipeline runs Where-Object, ForEach-Object, Select-Object, Sort-Object, Measure-Object, Format-Table, Format-List and Out-Null; call {name} with its parameters instead"
                )))
            }
        })
    }

    async fn interpolate(&mut self, s: &str) -> Result<String, PsError> {
        // $name, $name.Prop is NOT expanded past the name (as in PowerShell); $( ... ) is.
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '$' && chars.get(i + 1) == Some(&'(') {
                let (mut depth, mut j) = (0, i + 1);
                while j < chars.len() {
                    match chars[j] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner: String = chars[i + 2..j.min(chars.len())].iter().collect();
                let expr =
                    parse_expression(&inner).map_err(|e| PsError(format!("ParserError: {e}")))?;
                out.push_str(&text(&self.eval(&expr).await?));
                i = j + 1;
            } else if chars[i] == '$'
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect::<String>().to_lowercase();
                out.push_str(&text(self.vars.get(&name).unwrap_or(&Value::Null)));
                i = j;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        Ok(out)
    }

    async fn cmdlet(
        &mut self,
        name: &str,
        raw: &[(Option<String>, Option<Expr>)],
    ) -> Result<Value, PsError> {
        let mut params: BTreeMap<String, Value> = BTreeMap::new();
        let mut positional = Vec::new();
        for (p, v) in raw {
            let value = match v {
                Some(e) => self.eval(e).await?,
                None => json!(true),
            };
            match p {
                Some(p) => {
                    params.insert(p.to_lowercase(), value);
                }
                None => positional.push(value),
            }
        }
        // Parameter aliases the Az cmdlets declare (`-AccountType` is
        // `-SkuName` in New-AzDiskConfig and New-AzSnapshotConfig).
        for (alias, name) in [("accounttype", "skuname")] {
            if let Some(v) = params.remove(alias) {
                params.entry(name.to_string()).or_insert(v);
            }
        }
        let get = |k: &str| params.get(k).filter(|v| !v.is_null()).map(text);
        // A parameter's value as given (a number stays a number), or $null.
        let raw = |k: &str| params.get(k).cloned().unwrap_or(Value::Null);
        let need = |k: &str, shown: &str| {
            get(k).filter(|v| !v.is_empty()).ok_or_else(|| PsError(format!("{name}: Cannot validate argument on parameter '{shown}'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.")))
        };
        // A config object a cmdlet takes (-Snapshot, -Disk, -DiskUpdate).
        let config = |k: &str, shown: &str| {
            params.get(k).cloned().ok_or_else(|| PsError(format!("{name}: Cannot validate argument on parameter '{shown}'. The argument is null.")))
        };
        let lower = name.to_lowercase();
        let exec = |rt: &mut Runner, command: Command| -> Result<String, PsError> {
            rt.execute(command).map_err(|e| PsError::engine(name, &e))
        };
        Ok(match lower.as_str() {
            "install-module" => Value::String(format!(
                "Install-Module: simulated. The Az module ({}) is built into Snaplab.",
                get("name").unwrap_or_else(|| "Az".into())
            )),
            "connect-azaccount" => {
                let sub = self.rt.lab().current_subscription();
                Value::String(format!("Account                  SubscriptionName  TenantId                             Environment\n-------                  ----------------  --------                             -----------\ntrainer@snaplab.example  {}  00000000-0000-0000-0000-5a0b1ab7e9a7 AzureCloud\n(simulated: no Azure account is used)", sub.name))
            }
            "new-object" => {
                let kind = get("typename")
                    .or_else(|| positional.first().map(text))
                    .unwrap_or_default();
                if kind.eq_ignore_ascii_case("System.Collections.ArrayList") {
                    Value::Array(vec![])
                } else {
                    return Err(PsError(format!("New-Object: the simulator creates System.Collections.ArrayList only, not '{kind}'.")));
                }
            }
            "write-output" | "write-host" => {
                Value::String(positional.iter().map(text).collect::<Vec<_>>().join(" "))
            }
            "get-azdisk" => {
                let group = get("resourcegroupname");
                match get("diskname").or_else(|| get("name")) {
                    Some(disk) => {
                        let group = group.ok_or_else(|| {
                            PsError(format!(
                                "{name}: -ResourceGroupName is needed with -DiskName"
                            ))
                        })?;
                        let d = self
                            .rt
                            .lab()
                            .find_disk(&group, &disk)
                            .map_err(|e| PsError::engine(name, &e))?;
                        ps_disk(d, self.rt.lab())
                    }
                    None => Value::Array(
                        self.rt
                            .lab()
                            .disks()
                            .filter(|d| {
                                group
                                    .as_ref()
                                    .is_none_or(|g| d.at.group.eq_ignore_ascii_case(g))
                            })
                            .map(|d| ps_disk(d, self.rt.lab()))
                            .collect(),
                    ),
                }
            }
            "get-azsnapshot" => {
                let group = get("resourcegroupname");
                if params.contains_key("snapshotname") || params.contains_key("name") {
                    let snap = need("snapshotname", "SnapshotName")
                        .or_else(|_| need("name", "SnapshotName"))?;
                    let group = group.ok_or_else(|| {
                        PsError(format!(
                            "{name}: -ResourceGroupName is needed with -SnapshotName"
                        ))
                    })?;
                    let s = self
                        .rt
                        .lab()
                        .find_snapshot(&group, &snap)
                        .map_err(|e| PsError::engine(name, &e))?;
                    ps_snapshot(s, self.rt.lab())
                } else {
                    let mut list: Vec<_> = self
                        .rt
                        .lab()
                        .snapshots()
                        .filter(|s| {
                            group
                                .as_ref()
                                .is_none_or(|g| s.at.group.eq_ignore_ascii_case(g))
                        })
                        .collect();
                    list.sort_by_key(|s| s.seq);
                    Value::Array(
                        list.into_iter()
                            .map(|s| ps_snapshot(s, self.rt.lab()))
                            .collect(),
                    )
                }
            }
            "new-azsnapshotconfig" => json!({
                "@type": "Microsoft.Azure.Commands.Compute.Automation.Models.PSSnapshot",
                // A disk or snapshot to copy: -SourceUri (older docs) or
                // -SourceResourceId (the cross-region copy docs).
                "SourceUri": need("sourceuri", "SourceUri")
                    .or_else(|_| need("sourceresourceid", "SourceResourceId"))?,
                "Location": get("location"),
                "CreateOption": get("createoption").unwrap_or_else(|| "Copy".into()),
                "Incremental": params.get("incremental").is_some_and(truthy),
                "SkuName": get("skuname"),
            }),
            "new-azsnapshot" => {
                let (group, snap) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need("snapshotname", "SnapshotName")?,
                );
                let config = config("snapshot", "Snapshot")?;
                let option = get_ci(&config, "CreateOption")
                    .map(text)
                    .unwrap_or_default();
                exec(
                    &mut self.rt,
                    Command::CreateSnapshot(cmd::CreateSnapshot {
                        group: group.clone(),
                        name: snap.clone(),
                        source: get_ci(&config, "SourceUri").map(text).unwrap_or_default(),
                        incremental: get_ci(&config, "Incremental").is_some_and(truthy),
                        sku: get_ci(&config, "SkuName")
                            .filter(|v| !v.is_null())
                            .map(text),
                        location: get_ci(&config, "Location")
                            .filter(|v| !v.is_null())
                            .map(text),
                        copy_start: option.eq_ignore_ascii_case("CopyStart"),
                    }),
                )?;
                ps_snapshot(
                    self.rt
                        .lab()
                        .find_snapshot(&group, &snap)
                        .map_err(|e| PsError::engine(name, &e))?,
                    self.rt.lab(),
                )
            }
            "remove-azsnapshot" => {
                let (group, snap) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need("snapshotname", "SnapshotName")?,
                );
                exec(
                    &mut self.rt,
                    Command::DeleteSnapshot(cmd::DeleteSnapshot {
                        group,
                        name: snap.clone(),
                    }),
                )?;
                json!({ "Name": snap, "Status": "Succeeded" })
            }
            "grant-azsnapshotaccess"
            | "revoke-azsnapshotaccess"
            | "grant-azdiskaccess"
            | "revoke-azdiskaccess" => {
                let (target, shown) = if lower.ends_with("diskaccess") {
                    (AccessTarget::Disk, "DiskName")
                } else {
                    (AccessTarget::Snapshot, "SnapshotName")
                };
                let (group, snap) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need(&shown.to_lowercase(), shown)?,
                );
                if lower.starts_with("grant") {
                    let seconds: u64 = get("durationinsecond")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(3600);
                    let url = exec(
                        &mut self.rt,
                        Command::GrantAccess(cmd::GrantAccess {
                            target,
                            group,
                            name: snap,
                            duration_seconds: seconds,
                        }),
                    )?;
                    json!({ "AccessSAS": url })
                } else {
                    exec(
                        &mut self.rt,
                        Command::RevokeAccess(cmd::RevokeAccess {
                            target,
                            group,
                            name: snap,
                        }),
                    )?;
                    json!({ "Status": "Succeeded" })
                }
            }
            "new-azresourcegroup" => {
                let group = need("name", "Name")?;
                let location = need("location", "Location")?;
                exec(
                    &mut self.rt,
                    Command::CreateGroup(cmd::CreateGroup {
                        name: group.clone(),
                        location,
                    }),
                )?;
                ps_group(self.rt.lab(), &group)
            }
            "get-azresourcegroup" => match get("name") {
                Some(group) => {
                    if self.rt.lab().require_group_public(&group).is_err() {
                        return Err(PsError(format!(
                            "{name}: Provided resource group does not exist."
                        )));
                    }
                    ps_group(self.rt.lab(), &group)
                }
                None => Value::Array(
                    self.rt
                        .lab()
                        .groups()
                        .filter(|g| g.subscription == self.rt.lab().current_subscription().id)
                        .map(|g| ps_group(self.rt.lab(), &g.name))
                        .collect(),
                ),
            },
            "remove-azresourcegroup" | "remove-azdisk" => {
                // Azure PowerShell asks first; the console cannot answer, so
                // -Force is needed, as in a script run without a host.
                if !params.contains_key("force") {
                    return Err(PsError(format!("{name}: the simulator's console cannot answer the confirmation prompt; add -Force to confirm.")));
                }
                if lower == "remove-azresourcegroup" {
                    exec(
                        &mut self.rt,
                        Command::DeleteGroup(cmd::DeleteGroup {
                            name: need("name", "Name")?,
                        }),
                    )?;
                    Value::Bool(true)
                } else {
                    let (group, disk) = (
                        need("resourcegroupname", "ResourceGroupName")?,
                        need("diskname", "DiskName")?,
                    );
                    exec(
                        &mut self.rt,
                        Command::DeleteDisk(cmd::DeleteDisk {
                            group,
                            name: disk.clone(),
                        }),
                    )?;
                    json!({ "Name": disk, "Status": "Succeeded" })
                }
            }
            "start-sleep" => {
                // Simulated time passes, so a "wait until done" loop ends.
                let seconds = get("seconds")
                    .or_else(|| positional.first().map(text))
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|s| *s >= 0.0)
                    .ok_or_else(|| PsError(format!("{name}: Cannot validate argument on parameter 'Seconds'. Give a number of seconds.")))?;
                let millis = (seconds * 1000.0).ceil() as u64;
                if millis > 0 {
                    exec(
                        &mut self.rt,
                        Command::AdvanceClock(cmd::AdvanceClock { millis }),
                    )?;
                }
                Value::Null
            }
            "new-azdiskupdateconfig" => json!({
                "@type": "Microsoft.Azure.Commands.Compute.Automation.Models.PSDiskUpdate",
                "DiskSizeGB": raw("disksizegb"),
                "DiskIOPSReadWrite": raw("diskiopsreadwrite"),
                "DiskMBpsReadWrite": raw("diskmbpsreadwrite"),
                "SkuName": get("skuname"),
            }),
            "update-azdisk" => {
                let (group, disk) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need("diskname", "DiskName")?,
                );
                let update = config("diskupdate", "DiskUpdate")?;
                if get_ci(&update, "SkuName").is_some_and(|v| !v.is_null()) {
                    return Err(PsError(format!("{name}: the simulator does not change a disk's type (-SkuName); create a disk of the new type from a snapshot instead.")));
                }
                let current = self
                    .rt
                    .lab()
                    .find_disk(&group, &disk)
                    .map_err(|e| PsError::engine(name, &e))?
                    .size_gib();
                let whole = |k: &str| get_ci(&update, k).and_then(Value::as_f64).map(|n| n as u64);
                exec(
                    &mut self.rt,
                    Command::ResizeDisk(cmd::ResizeDisk {
                        group: group.clone(),
                        name: disk.clone(),
                        size_gib: whole("DiskSizeGB").unwrap_or(current),
                        iops: whole("DiskIOPSReadWrite"),
                        mbps: whole("DiskMBpsReadWrite"),
                    }),
                )?;
                ps_disk(
                    self.rt
                        .lab()
                        .find_disk(&group, &disk)
                        .map_err(|e| PsError::engine(name, &e))?,
                    self.rt.lab(),
                )
            }
            "new-azdiskconfig" => json!({
                "@type": "Microsoft.Azure.Commands.Compute.Automation.Models.PSDisk",
                "Location": get("location"),
                "CreateOption": get("createoption").unwrap_or_else(|| "Empty".into()),
                "DiskSizeGB": raw("disksizegb"),
                "SkuName": get("skuname"),
                "SourceResourceId": get("sourceresourceid"),
                "Zone": get("zone"),
                "DiskIOPSReadWrite": raw("diskiopsreadwrite"),
                "DiskMBpsReadWrite": raw("diskmbpsreadwrite"),
                "LogicalSectorSize": raw("logicalsectorsize"),
            }),
            "new-azdisk" => {
                let (group, disk) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need("diskname", "DiskName")?,
                );
                let config = config("disk", "Disk")?;
                let size = get_ci(&config, "DiskSizeGB")
                    .and_then(Value::as_f64)
                    .map(|f| f as u64);
                let command = match get_ci(&config, "CreateOption")
                    .map(text)
                    .unwrap_or_default()
                    .to_lowercase()
                    .as_str()
                {
                    "copy" | "restore" => {
                        Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
                            group: group.clone(),
                            name: disk.clone(),
                            source: get_ci(&config, "SourceResourceId")
                                .map(text)
                                .unwrap_or_default(),
                            sku: get_ci(&config, "SkuName")
                                .filter(|v| !v.is_null())
                                .map(text),
                            size_gib: size,
                        })
                    }
                    _ => Command::CreateDisk(cmd::CreateDisk {
                        group: group.clone(),
                        name: disk.clone(),
                        location: get_ci(&config, "Location")
                            .filter(|v| !v.is_null())
                            .map(text),
                        sku: get_ci(&config, "SkuName")
                            .filter(|v| !v.is_null())
                            .map(text)
                            .unwrap_or_else(|| "Standard_LRS".into()),
                        size_gib: size.unwrap_or(0),
                        logical_sector_size: get_ci(&config, "LogicalSectorSize")
                            .and_then(Value::as_f64)
                            .map_or(512, |n| n as u64),
                        zone: get_ci(&config, "Zone").filter(|v| !v.is_null()).map(text),
                        iops: get_ci(&config, "DiskIOPSReadWrite")
                            .and_then(Value::as_f64)
                            .map(|n| n as u64),
                        mbps: get_ci(&config, "DiskMBpsReadWrite")
                            .and_then(Value::as_f64)
                            .map(|n| n as u64),
                    }),
                };
                exec(&mut self.rt, command)?;
                ps_disk(
                    self.rt
                        .lab()
                        .find_disk(&group, &disk)
                        .map_err(|e| PsError::engine(name, &e))?,
                    self.rt.lab(),
                )
            }
            _ => {
                let known = [
                    "New-AzResourceGroup",
                    "Get-AzResourceGroup",
                    "Remove-AzResourceGroup",
                    "Remove-AzDisk",
                    "Start-Sleep",
                    "Get-AzDisk",
                    "Get-AzSnapshot",
                    "New-AzSnapshotConfig",
                    "New-AzSnapshot",
                    "Remove-AzSnapshot",
                    "Grant-AzSnapshotAccess",
                    "Revoke-AzSnapshotAccess",
                    "Grant-AzDiskAccess",
                    "Revoke-AzDiskAccess",
                    "New-AzDiskUpdateConfig",
                    "Update-AzDisk",
                    "New-AzDiskConfig",
                    "New-AzDisk",
                    "New-Object",
                    "Install-Module",
                    "Connect-AzAccount",
                    "Write-Output",
                    "Write-Host",
                ];
                let hint = crate::suggest::closest(name, &known)
                    .map(|c| format!(" Did you mean '{c}'?"))
                    .unwrap_or_default();
                return Err(PsError(format!("{name}: The term '{name}' is not recognized as a name of a cmdlet, function, script file, or executable program.{hint}")));
            }
        })
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "System.String",
        Value::Number(_) => "System.Double",
        Value::Bool(_) => "System.Boolean",
        Value::Object(_) => "System.Management.Automation.PSCustomObject",
        _ => "System.Object",
    }
}

/// PowerShell's `+`: the left operand decides. A string concatenates the
/// right one's text, an array appends (an array on the right adds its
/// items), a number adds.
fn add(a: Value, b: Value) -> Value {
    match a {
        Value::String(s) => Value::String(s + &text(&b)),
        Value::Array(mut items) => {
            match b {
                Value::Array(more) => items.extend(more),
                one => items.push(one),
            }
            Value::Array(items)
        }
        Value::Null => b,
        a => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x
                .checked_add(y)
                .map_or(json!(x as f64 + y as f64), |n| json!(n)),
            _ => json!(number(&a) + number(&b)),
        },
    }
}

/// `-`, `*`, `/` on numbers; whole numbers stay whole while they can.
fn arithmetic(op: &str, a: &Value, b: &Value) -> Result<Value, PsError> {
    let (x, y) = (number(a), number(b));
    if op == "/" && y == 0.0 {
        return Err(PsError(
            "RuntimeException: Attempted to divide by zero.".into(),
        ));
    }
    let value = match op {
        "-" => x - y,
        "*" => x * y,
        _ => x / y,
    };
    Ok(if value.fract() == 0.0 && value.abs() < 9e15 {
        json!(value as i64)
    } else {
        json!(value)
    })
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.parse().unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), _) | (_, Value::Number(_)) => number(a) == number(b),
        (Value::Null, Value::Null) => true,
        // PowerShell compares strings case-insensitively.
        _ => text(a).eq_ignore_ascii_case(&text(b)),
    }
}

fn ps_snapshot(s: &snaplab_engine::model::Snapshot, lab: &Lab) -> Value {
    let mut v = pascal(&snapshot_json(s, lab.now()));
    if let Value::Object(map) = &mut v {
        map.insert(
            "ResourceGroupName".into(),
            map.get("ResourceGroup").cloned().unwrap_or(Value::Null),
        );
        map.remove("ResourceGroup");
    }
    az_object(v, PSSNAPSHOT_ORDER, "SnapshotSku")
}

/// The property's name as the object spells it (`name` → `Name`).
fn pascal_key(item: &Value, name: &str) -> String {
    item.as_object()
        .and_then(|m| m.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned())
        .unwrap_or_else(|| name.to_string())
}

/// `Format-Table`: a blank line, the headers, dashes as long as each
/// header, one row per item (numbers right-aligned), and a blank line.
fn format_table(items: &[Value], names: &[String]) -> String {
    let columns: Vec<String> = if names.is_empty() {
        items.first().map(shown_keys).unwrap_or_default()
    } else {
        names
            .iter()
            .map(|n| items.first().map_or(n.clone(), |i| pascal_key(i, n)))
            .collect()
    };
    if columns.is_empty() {
        return items.iter().map(text).collect::<Vec<_>>().join("\n");
    }
    let cells: Vec<Vec<(String, bool)>> = items
        .iter()
        .map(|i| {
            columns
                .iter()
                .map(|c| {
                    let v = property(i, c);
                    (text(&v), v.is_number())
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(c, h)| {
            cells
                .iter()
                .map(|r| r[c].0.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..columns.len())
        .map(|c| !cells.is_empty() && cells.iter().all(|r| r[c].1))
        .collect();
    let pad = |s: &str, w: usize, right: bool| {
        let fill = " ".repeat(w.saturating_sub(s.chars().count()));
        if right {
            fill + s
        } else {
            s.to_string() + &fill
        }
    };
    let row = |parts: Vec<String>| parts.join(" ").trim_end().to_string();
    let mut lines = vec![String::new()];
    lines.push(row(columns
        .iter()
        .enumerate()
        .map(|(c, h)| pad(h, widths[c], numeric[c]))
        .collect()));
    lines.push(row(columns
        .iter()
        .enumerate()
        .map(|(c, h)| pad(&"-".repeat(h.chars().count()), widths[c], numeric[c]))
        .collect()));
    for r in &cells {
        lines.push(row(r
            .iter()
            .enumerate()
            .map(|(c, (v, _))| pad(v, widths[c], numeric[c]))
            .collect()));
    }
    lines.push(String::new());
    lines.join("\n")
}

/// `$x.Name`: an object's property (any case); `.Count` and `.Length` of
/// an array and `.Length` of a string, as .NET gives them; a property of
/// an array is that property of each item (member enumeration).
fn property(v: &Value, name: &str) -> Value {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    match v {
        Value::Array(items) if is("count") || is("length") => json!(items.len()),
        Value::String(s) if is("length") => json!(s.chars().count()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| property(item, name))
                .filter(|p| !p.is_null())
                .collect(),
        ),
        Value::Null if is("count") => json!(0),
        Value::Object(m) if m.contains_key(HASHTABLE_KEY) && is("count") => {
            json!(m.len() - 1)
        }
        Value::Object(m) if m.contains_key(HASHTABLE_KEY) && is("keys") => Value::Array(
            hashtable_entries(v)
                .into_iter()
                .map(|(k, _)| Value::String(k))
                .collect(),
        ),
        _ => get_ci(v, name).cloned().unwrap_or(Value::Null),
    }
}

/// A PSResourceGroup (its properties print sorted: see docs/fidelity.md).
fn ps_group(lab: &Lab, name: &str) -> Value {
    let sub = lab.current_subscription().id.clone();
    let group = lab.group(&sub, name);
    let mut map = serde_json::Map::new();
    map.insert(
        "ResourceGroupName".into(),
        json!(group.map_or(name, |g| g.name.as_str())),
    );
    map.insert("Location".into(), json!(group.map(|g| g.location.clone())));
    map.insert("ProvisioningState".into(), json!("Succeeded"));
    map.insert("Tags".into(), Value::Null);
    map.insert(
        "ResourceId".into(),
        json!(format!("/subscriptions/{sub}/resourceGroups/{name}")),
    );
    Value::Object(map)
}

fn ps_disk(d: &snaplab_engine::model::Disk, lab: &Lab) -> Value {
    let mut v = pascal(&disk_json(d, lab));
    if let Value::Object(map) = &mut v {
        map.insert(
            "ResourceGroupName".into(),
            map.get("ResourceGroup").cloned().unwrap_or(Value::Null),
        );
        map.remove("ResourceGroup");
    }
    az_object(v, PSDISK_ORDER, "DiskSku")
}
