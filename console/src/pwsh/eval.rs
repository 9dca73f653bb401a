//! Runs a PowerShell syntax tree: variables, interpolation, pipelines of
//! cmdlets, and the Az cmdlets for disks and snapshots (through the runner,
//! so lesson locks and the record apply). Objects print as `Format-List`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::{json, Value};
use snaplab_engine::cmd;
use snaplab_engine::shapes::{disk_json, snapshot_json};
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
        Value::Object(o) => get_ci(v, "Name").map(text).unwrap_or_else(|| {
            format!("@{{{}}}", o.keys().cloned().collect::<Vec<_>>().join("; "))
        }),
    }
}

/// An object as Format-List prints it; nested objects by their type name.
fn format_list(v: &Value) -> Vec<String> {
    let Some(map) = v.as_object() else {
        return vec![text(v)];
    };
    let width = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut lines = vec![String::new()];
    for (k, val) in map {
        let shown = match val {
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
                    v = get_ci(&v, p).cloned().unwrap_or(Value::Null);
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
                    "and" => json!(truthy(&a) && truthy(&b)),
                    "or" => json!(truthy(&a) || truthy(&b)),
                    "eq" => json!(equal(&a, &b)),
                    "ne" => json!(!equal(&a, &b)),
                    "like" => json!(text(&a).eq_ignore_ascii_case(&text(&b))),
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
        let get = |k: &str| params.get(k).filter(|v| !v.is_null()).map(text);
        let need = |k: &str, shown: &str| {
            get(k).filter(|v| !v.is_empty()).ok_or_else(|| PsError(format!("{name}: Cannot validate argument on parameter '{shown}'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.")))
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
                "SourceUri": need("sourceuri", "SourceUri")?,
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
                let config = params.get("snapshot").cloned().ok_or_else(|| PsError(format!("{name}: Cannot validate argument on parameter 'Snapshot'. The argument is null.")))?;
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
            "grant-azsnapshotaccess" | "revoke-azsnapshotaccess" => {
                let (group, snap) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need("snapshotname", "SnapshotName")?,
                );
                if lower.starts_with("grant") {
                    let seconds: u64 = get("durationinsecond")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(3600);
                    let url = exec(
                        &mut self.rt,
                        Command::GrantAccess(cmd::GrantAccess {
                            target: AccessTarget::Snapshot,
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
                            target: AccessTarget::Snapshot,
                            group,
                            name: snap,
                        }),
                    )?;
                    json!({ "Status": "Succeeded" })
                }
            }
            "new-azdiskconfig" => json!({
                "@type": "Microsoft.Azure.Commands.Compute.Automation.Models.PSDisk",
                "Location": get("location"),
                "CreateOption": get("createoption").unwrap_or_else(|| "Empty".into()),
                "DiskSizeGB": params.get("disksizegb").cloned().unwrap_or(Value::Null),
                "SkuName": get("skuname"),
                "SourceResourceId": get("sourceresourceid"),
            }),
            "new-azdisk" => {
                let (group, disk) = (
                    need("resourcegroupname", "ResourceGroupName")?,
                    need("diskname", "DiskName")?,
                );
                let config = params.get("disk").cloned().ok_or_else(|| PsError(format!("{name}: Cannot validate argument on parameter 'Disk'. The argument is null.")))?;
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
                        logical_sector_size: 512,
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
                    "Get-AzDisk",
                    "Get-AzSnapshot",
                    "New-AzSnapshotConfig",
                    "New-AzSnapshot",
                    "Remove-AzSnapshot",
                    "Grant-AzSnapshotAccess",
                    "Revoke-AzSnapshotAccess",
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
    v
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
    v
}
