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
    Failure::Refused(EngineError::InvalidParameter {
        reason: format!("InvalidTemplate: {path}: {message}"),
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
    group: &'a str,
    location: String,
    subscription: String,
}

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
        match name.to_ascii_lowercase().as_str() {
            "parameters" => {
                let key = args.first().map(text).ok_or_else(|| invalid(self.path, "parameters() needs a name"))?;
                ctx.params.get(&key).cloned().ok_or_else(|| invalid(self.path, format!("the template parameter '{key}' is not found")))
            }
            "concat" => Ok(Value::String(args.iter().map(text).collect())),
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
            other => Err(invalid(self.path, format!("the template function '{other}' is not valid (the simulator has parameters, concat, resourceGroup, subscription, resourceId, toLower, toUpper)"))),
        }
    }
}

/// Deploys `template` into `group` with `parameters` (name → value as text).
pub fn deploy(
    rt: &mut Runner,
    group: &str,
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
    let ctx_base = |params| Context {
        params,
        group: &rg.0,
        location: rg.1.clone(),
        subscription: rt.lab().current_subscription().id.clone(),
    };

    // Parameters: values given, else defaultValue.
    let mut params = BTreeMap::new();
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
        let value = match parameters.get(name) {
            Some(v) => match spec
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("int") => json!(v.parse::<i64>().map_err(|_| invalid(
                    &format!("$.parameters.{name}"),
                    format!("'{v}' is not an int")
                ))?),
                Some("bool") => json!(v == "true"),
                _ => Value::String(v.clone()),
            },
            None => match spec.get("defaultValue") {
                Some(d) => evaluate(
                    d,
                    &ctx_base(params.clone()),
                    &format!("$.parameters.{name}.defaultValue"),
                )?,
                None => {
                    return Err(invalid(
                        &format!("$.parameters.{name}"),
                        "no value was given and it has no defaultValue",
                    ))
                }
            },
        };
        params.insert(name.clone(), value);
    }
    let ctx = ctx_base(params);
    let resources = template
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| invalid("$.resources", "the template has no resources array"))?;
    // ARM validates the whole template before it creates anything: every
    // resource is turned into its command first, and a command the lesson
    // disables refuses the deployment before the first resource exists.
    let mut planned = Vec::new();
    for (i, resource) in resources.iter().enumerate() {
        let path = format!("$.resources[{i}]");
        let r = evaluate(resource, &ctx, &path)?;
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
            "Microsoft.Compute/disks" => &["creationData", "diskSizeGB"],
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
                    logical_sector_size: 512,
                }),
                "Copy" | "Restore" => {
                    Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
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
                    })
                }
                other => {
                    return Err(invalid(
                        &format!("{path}.properties.creationData.createOption"),
                        format!(
                            "'{other}' is not supported for disks in the simulator (Empty, Copy)"
                        ),
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
        planned.push((command, json!({ "id": snaplab_engine::naming::arm_id(&ctx.subscription, group, provider, &name), "resourceGroup": group })));
    }
    // Preflight, as ARM asks each resource provider to validate its
    // resources before deploying any: the planned commands run on a copy of
    // the lab first, so a resource the engine refuses (an unknown SKU, a
    // rule) refuses the whole deployment and nothing is created.
    let mut preflight = rt.lab().clone();
    for (command, _) in &planned {
        preflight
            .execute(command.clone())
            .map_err(Failure::Refused)?;
    }
    let mut output = Vec::new();
    for (command, resource) in planned {
        rt.execute(command).map_err(Failure::Refused)?;
        output.push(resource);
    }
    Ok(json!({
        "id": format!("/subscriptions/{}/resourceGroups/{group}/providers/Microsoft.Resources/deployments/template", ctx.subscription),
        "name": "template",
        "properties": { "mode": "Incremental", "outputResources": output, "provisioningState": "Succeeded", "timestamp": rt.lab().now().to_azure_string() },
        "resourceGroup": group,
        "type": "Microsoft.Resources/deployments",
    }))
}
