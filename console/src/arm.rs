//! Resource Manager templates: `az deployment group create` and the app's
//! "Deploy a custom template" blade. Parameters with `defaultValue`,
//! template expressions (`[parameters('x')]`, `[concat(...)]`,
//! `[resourceGroup().location]`, …) and resources of type
//! `Microsoft.Compute/snapshots` and `Microsoft.Compute/disks`, validated as
//! ARM does: an `apiVersion` too old for a property is refused with the
//! reason, and an unknown function or property names its JSON path.

use snaplab_engine::cmd;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use snaplab_engine::{Command, EngineError};

use crate::az::Failure;
use crate::runner::Runner;

/// An error in the template, with where it is.
fn invalid(path: &str, message: impl std::fmt::Display) -> Failure {
    Failure::Refused(EngineError::InvalidTemplate {
        detail: format!("{path}: {message}"),
    })
}

/// Seed 001's template, verbatim (its indentation included): the app's
/// "Deploy a custom template" blade starts from it, and the tests deploy it.
pub const SEED_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "diskName": {
      "type": "string",
      "defaultValue": "contosodisk1"
    },
  "diskResourceId": {
    "defaultValue": "<your_managed_disk_resource_ID>",
    "type": "String"
  }
  }, 
  "resources": [
  {
    "type": "Microsoft.Compute/snapshots",
    "name": "[concat( parameters('diskName'),'_snapshot1')]",
    "location": "[resourceGroup().location]",
    "apiVersion": "2022-03-22",
    "properties": {
      "creationData": {
        "createOption": "Copy",
        "sourceResourceId": "[parameters('diskResourceId')]"
      },
      "incremental": true
    }
  }
  ]
}
"#;

/// The Compute API versions the simulator knows (oldest first).
pub const API_VERSIONS: &[&str] = &[
    "2016-04-30-preview",
    "2017-03-30",
    "2018-04-01",
    "2018-06-01",
    "2018-09-30",
    "2019-03-01",
    "2019-07-01",
    "2019-11-01",
    "2020-05-01",
    "2020-06-30",
    "2020-09-30",
    "2020-12-01",
    "2021-04-01",
    "2021-08-01",
    "2021-12-01",
    "2022-03-02",
    "2022-03-22",
    "2022-07-02",
    "2023-01-02",
    "2023-04-02",
    "2023-10-02",
    "2024-03-02",
];

/// The first API version with incremental snapshots, and with CopyStart.
pub const INCREMENTAL_SINCE: &str = "2019-03-01";
pub const COPY_START_SINCE: &str = "2020-12-01";

struct Context<'a> {
    params: BTreeMap<String, Value>,
    /// `variables()`, as far as they are worked out.
    variables: BTreeMap<String, Value>,
    group: &'a str,
    location: String,
    subscription: String,
    /// `copyIndex()`: the copy loop's name and this copy's index.
    copy: Option<(String, i64)>,
    /// `reference()`: the lab once the resources exist (outputs).
    lab: Option<&'a snaplab_engine::Lab>,
}

/// Copies one `copy` loop may make (ARM's limit).
pub const MAX_COPIES: i64 = 800;

/// Evaluates a string: an expression if it is `[...]` (and not `[[...`).
fn evaluate(value: &Value, ctx: &Context, path: &str) -> Result<Value, Failure> {
    match value {
        Value::String(s) if s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[") => {
            let mut parser = Expr {
                chars: s[1..s.len() - 1].chars().collect(),
                at: 0,
                path,
                depth: 0,
            };
            let v = parser.expression(ctx)?;
            parser.skip_ws();
            if parser.at != parser.chars.len() {
                return Err(invalid(
                    path,
                    format!(
                        "unexpected '{}' in the expression {s}",
                        parser.chars[parser.at]
                    ),
                ));
            }
            Ok(v)
        }
        Value::String(s) if s.starts_with("[[") => Ok(Value::String(s[1..].to_string())),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), evaluate(v, ctx, &format!("{path}.{k}"))?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| evaluate(v, ctx, &format!("{path}[{i}]")))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        v => Ok(v.clone()),
    }
}

/// Marks an error from a `variables()` not worked out yet (variables may
/// refer to each other in any order).
const UNRESOLVED: &str = "the variable is not defined: ";

/// Function calls an expression may nest (a hostile template nests
/// thousands, which would overflow the stack).
pub const MAX_NESTING: usize = 64;

struct Expr<'p> {
    chars: Vec<char>,
    at: usize,
    path: &'p str,
    depth: usize,
}

impl Expr<'_> {
    fn skip_ws(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.chars.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn expression(&mut self, ctx: &Context) -> Result<Value, Failure> {
        self.skip_ws();
        let mut value = match self.chars.get(self.at) {
            Some('\'') => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    match self.chars.get(self.at) {
                        Some('\'') if self.chars.get(self.at + 1) == Some(&'\'') => {
                            s.push('\'');
                            self.at += 2;
                        }
                        Some('\'') => {
                            self.at += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            self.at += 1;
                        }
                        None => {
                            return Err(invalid(
                                self.path,
                                "a string in the expression is not closed",
                            ))
                        }
                    }
                }
                Value::String(s)
            }
            Some(c) if c.is_ascii_digit() || *c == '-' => {
                let start = self.at;
                self.at += 1;
                while self.chars.get(self.at).is_some_and(|c| c.is_ascii_digit()) {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                json!(text
                    .parse::<i64>()
                    .map_err(|_| invalid(self.path, format!("'{text}' is not a number")))?)
            }
            Some(c) if c.is_alphabetic() => {
                let start = self.at;
                while self
                    .chars
                    .get(self.at)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    self.at += 1;
                }
                let name: String = self.chars[start..self.at].iter().collect();
                if !self.eat('(') {
                    return Err(invalid(
                        self.path,
                        format!("'{name}' must be called: {name}(...)"),
                    ));
                }
                let mut args = Vec::new();
                if self.depth >= MAX_NESTING {
                    return Err(invalid(
                        self.path,
                        format!(
                            "the expression nests function calls deeper than {MAX_NESTING} levels"
                        ),
                    ));
                }
                self.depth += 1;
                if !self.eat(')') {
                    loop {
                        args.push(self.expression(ctx)?);
                        if self.eat(')') {
                            break;
                        }
                        if !self.eat(',') {
                            return Err(invalid(
                                self.path,
                                format!("expected ',' or ')' in the arguments of {name}"),
                            ));
                        }
                    }
                }
                self.depth -= 1;
                self.call(&name, args, ctx)?
            }
            other => {
                return Err(invalid(
                    self.path,
                    format!(
                        "unexpected {:?} in the expression",
                        other.map(|c| c.to_string()).unwrap_or("end".into())
                    ),
                ))
            }
        };
        // Property access: resourceGroup().location
        while self.eat('.') {
            let start = self.at;
            while self
                .chars
                .get(self.at)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                self.at += 1;
            }
            let prop: String = self.chars[start..self.at].iter().collect();
            value = value.get(&prop).cloned().ok_or_else(|| {
                invalid(self.path, format!("the property '{prop}' does not exist"))
            })?;
        }
        Ok(value)
    }

    fn call(&self, name: &str, args: Vec<Value>, ctx: &Context) -> Result<Value, Failure> {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let int = |v: &Value| -> Result<i64, Failure> {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| invalid(self.path, format!("'{}' is not an integer", text(v))))
        };
        let arg = |i: usize| -> Result<&Value, Failure> {
            args.get(i).ok_or_else(|| {
                invalid(
                    self.path,
                    format!("{name}() needs at least {} argument(s)", i + 1),
                )
            })
        };
        let truthy = |v: &Value| match v {
            Value::Bool(b) => *b,
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => false,
        };
        match name.to_ascii_lowercase().as_str() {
            "parameters" => {
                let key = args.first().map(text).ok_or_else(|| invalid(self.path, "parameters() needs a name"))?;
                ctx.params.get(&key).cloned().ok_or_else(|| invalid(self.path, format!("the template parameter '{key}' is not found")))
            }
            "variables" => {
                let key = args.first().map(text).ok_or_else(|| invalid(self.path, "variables() needs a name"))?;
                ctx.variables.get(&key).cloned().ok_or_else(|| invalid(self.path, format!("{UNRESOLVED}'{key}'")))
            }
            "concat" => Ok(if args.iter().all(Value::is_array) && !args.is_empty() {
                Value::Array(args.iter().flat_map(|a| a.as_array().cloned().unwrap_or_default()).collect())
            } else {
                Value::String(args.iter().map(text).collect())
            }),
            "format" => {
                // .NET composite format: {0}, {1}, … ({{ and }} are braces).
                let pattern = text(arg(0)?);
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
                            let i: usize = index.split(':').next().unwrap_or_default().trim().parse().map_err(|_| invalid(self.path, format!("format(): '{{{index}}}' is not a placeholder")))?;
                            out.push_str(&text(arg(i + 1)?));
                        }
                        c => out.push(c),
                    }
                }
                Ok(Value::String(out))
            }
            "if" => Ok(if truthy(arg(0)?) { arg(1)?.clone() } else { arg(2)?.clone() }),
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
                other => return Err(invalid(self.path, format!("length() of {other}"))),
            })),
            "add" => Ok(json!(int(arg(0)?)?.checked_add(int(arg(1)?)?).ok_or_else(|| invalid(self.path, "add() overflows"))?)),
            "sub" => Ok(json!(int(arg(0)?)?.checked_sub(int(arg(1)?)?).ok_or_else(|| invalid(self.path, "sub() overflows"))?)),
            "mul" => Ok(json!(int(arg(0)?)?.checked_mul(int(arg(1)?)?).ok_or_else(|| invalid(self.path, "mul() overflows"))?)),
            "div" => Ok(json!(int(arg(0)?)?.checked_div(int(arg(1)?)?).ok_or_else(|| invalid(self.path, "div() by zero"))?)),
            "string" => Ok(Value::String(text(arg(0)?))),
            "int" => Ok(json!(int(arg(0)?)?)),
            "copyindex" => {
                // copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset)
                let (loop_name, offset) = match args.as_slice() {
                    [] => (None, 0),
                    [Value::String(n)] => (Some(n.clone()), 0),
                    [offset] => (None, int(offset)?),
                    [n, offset] => (Some(text(n)), int(offset)?),
                    _ => return Err(invalid(self.path, "copyIndex() takes a loop name and an offset")),
                };
                match &ctx.copy {
                    Some((name, i)) if loop_name.as_ref().is_none_or(|n| n.eq_ignore_ascii_case(name)) => Ok(json!(i + offset)),
                    _ => Err(invalid(self.path, "copyIndex() is only valid in a resource with a copy loop")),
                }
            }
            "uniquestring" => {
                // Deterministic, 13 characters of [a-z0-9] as ARM's are; not
                // the same values as Azure's hash (see docs/fidelity.md).
                let seed: String = args.iter().map(text).collect::<Vec<_>>().join("-");
                let mut h = snaplab_engine::naming::stable_hash_bytes(seed.as_bytes());
                let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
                let mut out = String::new();
                for _ in 0..13 {
                    out.push(alphabet[(h % 32) as usize] as char);
                    h = (h / 32) ^ (h << 59);
                }
                Ok(Value::String(out))
            }
            "reference" => {
                let wanted = text(arg(0)?);
                let name = wanted.rsplit('/').next().unwrap_or_default().to_string();
                let lab = ctx.lab.ok_or_else(|| invalid(self.path, "reference() can be used in outputs in the simulator (the resources exist then)"))?;
                if let Ok(s) = lab.find_snapshot(ctx.group, &name) {
                    Ok(snaplab_engine::rest::az::snapshot_json(s, lab.now()))
                } else if let Ok(d) = lab.find_disk(ctx.group, &name) {
                    Ok(snaplab_engine::rest::az::disk_json(d, lab))
                } else {
                    Err(invalid(self.path, format!("reference(): the resource '{wanted}' is not defined in the template")))
                }
            }
            "resourcegroup" => Ok(json!({ "name": ctx.group, "location": ctx.location, "id": format!("/subscriptions/{}/resourceGroups/{}", ctx.subscription, ctx.group) })),
            "subscription" => Ok(json!({ "subscriptionId": ctx.subscription, "id": format!("/subscriptions/{}", ctx.subscription) })),
            "resourceid" => {
                let parts: Vec<String> = args.iter().map(text).collect();
                match parts.as_slice() {
                    [kind, name] => Ok(Value::String(format!("/subscriptions/{}/resourceGroups/{}/providers/{kind}/{name}", ctx.subscription, ctx.group))),
                    _ => Err(invalid(self.path, "resourceId() takes a type and a name in the simulator")),
                }
            }
            "tolower" => Ok(Value::String(args.first().map(text).unwrap_or_default().to_lowercase())),
            "toupper" => Ok(Value::String(args.first().map(text).unwrap_or_default().to_uppercase())),
            other => Err(invalid(self.path, format!("the template function '{other}' is not valid in the simulator (it has parameters, variables, concat, format, if, equals, not, and, or, empty, length, add, sub, mul, div, string, int, copyIndex, uniqueString, reference, resourceGroup, subscription, resourceId, toLower, toUpper)"))),
        }
    }
}

/// The engine command for one evaluated resource, its name, and the
/// resource as the deployment lists it.
fn command_for(
    rt: &Runner,
    r: &Value,
    path: &str,
    group: &str,
    ctx: &Context,
) -> Result<(String, Command, Value), Failure> {
    let path = path.to_string();
    let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    for key in r
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if ![
            "type",
            "name",
            "location",
            "apiVersion",
            "properties",
            "sku",
            "tags",
            "dependsOn",
            "comments",
            "zones",
            // Valid on any ARM resource; nothing a disk or snapshot uses
            // (the cross-region copy doc's template sets "scale": null).
            "scale",
            "kind",
            "plan",
            "identity",
            "managedBy",
            "condition",
        ]
        .contains(&key.as_str())
        {
            return Err(invalid(
                &format!("{path}.{key}"),
                "this property is not valid on a resource",
            ));
        }
    }
    let kind = field("type").ok_or_else(|| invalid(&format!("{path}.type"), "missing"))?;
    let name = field("name").ok_or_else(|| invalid(&format!("{path}.name"), "missing"))?;
    let api =
        field("apiVersion").ok_or_else(|| invalid(&format!("{path}.apiVersion"), "missing"))?;
    if !API_VERSIONS.contains(&api.as_str()) {
        return Err(invalid(
            &format!("{path}.apiVersion"),
            format!(
                "'{api}' is not a Microsoft.Compute API version (known: {} … {})",
                API_VERSIONS[0],
                API_VERSIONS[API_VERSIONS.len() - 1]
            ),
        ));
    }
    let props = r.get("properties").cloned().unwrap_or(json!({}));
    let creation = props.get("creationData").cloned().unwrap_or(json!({}));
    let option = creation
        .get("createOption")
        .and_then(Value::as_str)
        .unwrap_or("Empty")
        .to_string();
    let source = creation
        .get("sourceResourceId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let location = field("location");
    let sku = r
        .get("sku")
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let allowed: &[&str] = match kind.as_str() {
        "Microsoft.Compute/snapshots" => &["creationData", "incremental", "diskSizeGB"],
        "Microsoft.Compute/disks" => &[
            "creationData",
            "diskSizeGB",
            "diskIOPSReadWrite",
            "diskMBpsReadWrite",
        ],
        other => return Err(invalid(&format!("{path}.type"), format!("'{other}' is not a resource type the simulator deploys (Microsoft.Compute/snapshots, Microsoft.Compute/disks)"))),
    };
    for key in props
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(
                &format!("{path}.properties.{key}"),
                format!("the property is not valid for {kind} in the simulator"),
            ));
        }
    }
    let command = if kind == "Microsoft.Compute/snapshots" {
        let incremental = props
            .get("incremental")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if incremental && api.as_str() < INCREMENTAL_SINCE {
            return Err(invalid(&format!("{path}.properties.incremental"), format!("'incremental' needs apiVersion {INCREMENTAL_SINCE} or later; the template uses {api}")));
        }
        if option == "CopyStart" && api.as_str() < COPY_START_SINCE {
            return Err(invalid(&format!("{path}.properties.creationData.createOption"), format!("CopyStart needs apiVersion {COPY_START_SINCE} or later; the template uses {api}")));
        }
        if !matches!(option.as_str(), "Copy" | "CopyStart") {
            return Err(invalid(
                &format!("{path}.properties.creationData.createOption"),
                format!("'{option}': a snapshot is created with Copy or CopyStart"),
            ));
        }
        let source = source.ok_or_else(|| {
            invalid(
                &format!("{path}.properties.creationData.sourceResourceId"),
                "missing",
            )
        })?;
        Command::CreateSnapshot(cmd::CreateSnapshot {
            group: group.to_string(),
            name: name.clone(),
            source,
            incremental,
            sku,
            location,
            copy_start: option == "CopyStart",
        })
    } else {
        match option.as_str() {
            "Empty" => Command::CreateDisk(cmd::CreateDisk {
                group: group.to_string(),
                name: name.clone(),
                location,
                sku: sku.unwrap_or_else(|| "Standard_LRS".into()),
                size_gib: props
                    .get("diskSizeGB")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        invalid(
                            &format!("{path}.properties.diskSizeGB"),
                            "an Empty disk needs diskSizeGB",
                        )
                    })?,
                logical_sector_size: creation
                    .get("logicalSectorSize")
                    .and_then(Value::as_u64)
                    .unwrap_or(512),
                zone: r
                    .get("zones")
                    .and_then(Value::as_array)
                    .and_then(|z| z.first())
                    .map(|z| z.as_str().map_or(z.to_string(), str::to_string)),
                iops: props.get("diskIOPSReadWrite").and_then(Value::as_u64),
                mbps: props.get("diskMBpsReadWrite").and_then(Value::as_u64),
            }),
            "Copy" | "Restore" => Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
                group: group.to_string(),
                name: name.clone(),
                source: source.ok_or_else(|| {
                    invalid(
                        &format!("{path}.properties.creationData.sourceResourceId"),
                        "missing",
                    )
                })?,
                sku,
                size_gib: props.get("diskSizeGB").and_then(Value::as_u64),
            }),
            other => {
                return Err(invalid(
                    &format!("{path}.properties.creationData.createOption"),
                    format!("'{other}' is not supported for disks in the simulator (Empty, Copy)"),
                ))
            }
        }
    };
    rt.check(&command).map_err(Failure::Refused)?;
    let provider = if kind.ends_with("snapshots") {
        "snapshots"
    } else {
        "disks"
    };
    let id = snaplab_engine::naming::arm_id(&ctx.subscription, group, provider, &name);
    Ok((name, command, json!({ "id": id, "resourceGroup": group })))
}

/// Deploys `template` into `group` with `parameters` (name → value as text),
/// as the deployment named "template".
pub fn deploy(
    rt: &mut Runner,
    group: &str,
    template: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Value, Failure> {
    deploy_named(rt, group, "template", template, parameters)
}

/// Deploys `template` into `group` as the deployment `deployment`: the
/// whole template is validated (parameters and their allowedValues,
/// variables, every resource with its copy loops expanded and ordered by
/// dependsOn, then a preflight on a copy of the lab) before anything is
/// created; outputs are evaluated once the resources exist.
pub fn deploy_named(
    rt: &mut Runner,
    group: &str,
    deployment: &str,
    template: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Value, Failure> {
    let template: Value = serde_json::from_str(template).map_err(|e| {
        invalid(
            "$",
            format!(
                "the template is not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let rg = rt.lab().require_group_public(group)?;
    let subscription = rt.lab().current_subscription().id.clone();
    let mut ctx = Context {
        params: BTreeMap::new(),
        variables: BTreeMap::new(),
        group: &rg.0,
        location: rg.1.clone(),
        subscription,
        copy: None,
        lab: None,
    };

    // Parameters: values given, else defaultValue; then allowedValues.
    let declared = template
        .get("parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for name in parameters.keys() {
        if !declared.contains_key(name) {
            return Err(invalid(
                "$.parameters",
                format!("the parameter '{name}' was given but the template does not declare it"),
            ));
        }
    }
    for (name, spec) in &declared {
        let path = format!("$.parameters.{name}");
        let kind = spec
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| "string".into());
        let value = match parameters.get(name) {
            Some(v) => match kind.as_str() {
                "int" => json!(v
                    .parse::<i64>()
                    .map_err(|_| invalid(&path, format!("'{v}' is not an int")))?),
                "bool" => json!(v.eq_ignore_ascii_case("true")),
                "array" | "object" => serde_json::from_str(v)
                    .map_err(|_| invalid(&path, format!("'{v}' is not a JSON {kind}")))?,
                _ => Value::String(v.clone()),
            },
            None => match spec.get("defaultValue") {
                Some(d) => evaluate(d, &ctx, &format!("{path}.defaultValue"))?,
                None => {
                    return Err(invalid(
                        &path,
                        "no value was given and it has no defaultValue",
                    ))
                }
            },
        };
        if let Some(allowed) = spec.get("allowedValues").and_then(Value::as_array) {
            if !allowed.contains(&value) {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                return Err(invalid(
                    &path,
                    format!(
                        "the provided value {value} is not valid: it must be one of [{}]",
                        list.join(", ")
                    ),
                ));
            }
        }
        ctx.params.insert(name.clone(), value);
    }

    // Variables may use each other in any order: work them out in passes.
    let mut pending: Vec<(String, Value)> = template
        .get("variables")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    while !pending.is_empty() {
        let before = pending.len();
        let mut unresolved = Vec::new();
        let mut last_error = None;
        for (name, value) in pending {
            match evaluate(&value, &ctx, &format!("$.variables.{name}")) {
                Ok(v) => {
                    ctx.variables.insert(name, v);
                }
                Err(e @ Failure::Refused(EngineError::InvalidTemplate { .. }))
                    if e_is_unresolved(&e) =>
                {
                    last_error = Some(e);
                    unresolved.push((name, value));
                }
                Err(e) => return Err(e),
            }
        }
        if unresolved.len() == before {
            return Err(last_error.expect("an unresolved variable"));
        }
        pending = unresolved;
    }

    // Resources, copy loops expanded.
    let resources = template
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| invalid("$.resources", "the template has no resources array"))?;
    let mut planned: Vec<(String, Vec<String>, Command, Value)> = Vec::new();
    for (i, resource) in resources.iter().enumerate() {
        let path = format!("$.resources[{i}]");
        let mut resource = resource.clone();
        let copy = resource.as_object_mut().and_then(|m| m.remove("copy"));
        let copies: Vec<Option<(String, i64)>> = match copy {
            None => vec![None],
            Some(copy) => {
                let loop_name = copy
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(&format!("{path}.copy.name"), "missing"))?
                    .to_string();
                let count = evaluate(
                    copy.get("count").unwrap_or(&Value::Null),
                    &ctx,
                    &format!("{path}.copy.count"),
                )?
                .as_i64()
                .ok_or_else(|| {
                    invalid(
                        &format!("{path}.copy.count"),
                        "the count must be an integer",
                    )
                })?;
                if !(0..=MAX_COPIES).contains(&count) {
                    return Err(invalid(
                        &format!("{path}.copy.count"),
                        format!("the count must be from 0 to {MAX_COPIES}, not {count}"),
                    ));
                }
                (0..count).map(|n| Some((loop_name.clone(), n))).collect()
            }
        };
        for copy in copies {
            ctx.copy = copy;
            let r = evaluate(&resource, &ctx, &path)?;
            let depends: Vec<String> = r
                .get("dependsOn")
                .and_then(Value::as_array)
                .map(|d| {
                    d.iter()
                        .filter_map(Value::as_str)
                        .map(|s| s.rsplit('/').next().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let (name, command, listed) = command_for(rt, &r, &path, group, &ctx)?;
            if planned.iter().any(|(n, ..)| n.eq_ignore_ascii_case(&name)) {
                return Err(invalid(
                    &format!("{path}.name"),
                    format!("the resource '{name}' is defined more than once in the template"),
                ));
            }
            planned.push((name, depends, command, listed));
        }
        ctx.copy = None;
    }

    // dependsOn: a resource is created after those it names (a stable
    // topological order; template order otherwise).
    let mut ordered = Vec::with_capacity(planned.len());
    let mut remaining = planned;
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|(_, depends, ..)| {
            depends
                .iter()
                .all(|d| !remaining.iter().any(|(n, ..)| n.eq_ignore_ascii_case(d)))
        });
        match ready {
            Some(i) => ordered.push(remaining.remove(i)),
            None => {
                return Err(invalid(
                    "$.resources",
                    format!(
                        "circular dependency: {}",
                        remaining
                            .iter()
                            .map(|(n, ..)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        }
    }
    for (name, depends, ..) in &ordered {
        for d in depends {
            if !ordered.iter().any(|(n, ..)| n.eq_ignore_ascii_case(d)) {
                return Err(invalid(
                    "$.resources",
                    format!("the resource '{name}' depends on '{d}', which is not defined in the template"),
                ));
            }
        }
    }

    // Preflight, as ARM asks each resource provider to validate its
    // resources before deploying any: the planned commands run on a copy of
    // the lab first, so a resource the engine refuses (an unknown SKU, a
    // rule) refuses the whole deployment and nothing is created.
    let mut preflight = rt.lab().clone();
    for (_, _, command, _) in &ordered {
        preflight
            .execute(command.clone())
            .map_err(Failure::Refused)?;
    }
    let mut output = Vec::new();
    for (_, _, command, resource) in ordered {
        rt.execute(command).map_err(Failure::Refused)?;
        output.push(resource);
    }

    // Outputs, now that the resources exist (reference() reads them).
    let mut outputs = serde_json::Map::new();
    if let Some(declared) = template.get("outputs").and_then(Value::as_object) {
        let lab = rt.lab().clone();
        let ctx = Context {
            lab: Some(&lab),
            ..ctx
        };
        for (name, spec) in declared {
            let path = format!("$.outputs.{name}");
            let value = evaluate(spec.get("value").unwrap_or(&Value::Null), &ctx, &path)?;
            let kind = spec.get("type").and_then(Value::as_str).unwrap_or("string");
            outputs.insert(name.clone(), json!({ "type": kind, "value": value }));
        }
    }
    // The deployment as the REST model renders it, shown as az shows it.
    let ids = output
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    Ok(snaplab_engine::rest::az::deployment_json(
        &rt.lab().current_subscription().id,
        group,
        deployment,
        ids,
        (!outputs.is_empty()).then_some(outputs),
        rt.lab().now(),
    ))
}

/// Is `e` a `variables()` call to one not worked out yet?
fn e_is_unresolved(e: &Failure) -> bool {
    matches!(e, Failure::Refused(EngineError::InvalidTemplate { detail }) if detail.contains(UNRESOLVED))
}
