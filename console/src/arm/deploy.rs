//! A deployment, as ARM runs one: the whole template is validated
//! (parameters and their allowedValues, variables, every resource with its
//! copy loops expanded, the count within ARM's cap, the order `dependsOn`
//! asks for), then a preflight runs the resources on a copy of the lab and
//! evaluates the outputs there, and only then is anything created. A
//! template either deploys or changes nothing.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};
use snaplab_engine::{Command, EngineError};

use super::eval::{compile, Context, Node};
use super::order::topological;
use super::resources::command_for;
use super::{invalid, variables, MAX_COPIES};
use crate::failure::Failure;
use crate::runner::Runner;

/// Resources one deployment may make, copies included: ARM's limit
/// ("800 resources (including copy count)", learn.microsoft.com, "Resolve
/// errors for job size exceeded" and "ARM template best practices").
pub const MAX_RESOURCES: usize = 800;

/// ARM's own words past [`MAX_RESOURCES`] (code InvalidTemplate), as a real
/// deployment printed them: "Deployment template validation failed: 'The
/// number of template resources limit exceeded. Limit: '800' and actual:
/// '1279'" (github.com/Azure/azure-api-management-devops-resource-kit
/// issue 360).
fn too_many_resources(actual: u64) -> Failure {
    Failure::Refused(EngineError::InvalidTemplate {
        detail: format!(
            "The number of template resources limit exceeded. Limit: '{MAX_RESOURCES}' and actual: '{actual}'"
        ),
    })
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

/// One resource, evaluated and validated, waiting to be created.
struct Planned {
    name: String,
    depends: Vec<String>,
    command: Command,
    /// The resource as the deployment lists it (`outputResources`).
    listed: Value,
}

/// Deploys `template` into `group` as the deployment `deployment`; the
/// deployment as az shows it.
pub fn deploy_named(
    rt: &mut Runner,
    group: &str,
    deployment: &str,
    template: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Value, Failure> {
    let deployed = run_template(rt, group, template, parameters)?;
    // The deployment as the REST model renders it, shown as az shows it.
    Ok(snaplab_engine::rest::az::deployment_json(
        &rt.lab().current_subscription().id,
        group,
        deployment,
        deployed.resource_ids,
        deployed.outputs,
        rt.lab().now(),
    ))
}

/// What a deployment made: its resources' ids and its outputs.
pub struct Deployed {
    pub resource_ids: Vec<String>,
    pub outputs: Option<Map<String, Value>>,
}

/// Validates `template` and deploys it into `group`, wholly or not at all.
pub fn run_template(
    rt: &mut Runner,
    group: &str,
    template: &str,
    parameters: &BTreeMap<String, String>,
) -> Result<Deployed, Failure> {
    let template: Value = super::jsonc::parse(template).map_err(|e| {
        invalid(
            "$",
            format!(
                "the template is not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let (rg, location) = rt.lab().require_group_public(group)?;
    let subscription = rt.lab().current_subscription().id.clone();
    let mut ctx = Context::new(&rg, location, subscription);
    resolve_parameters(&template, parameters, &mut ctx)?;
    let declared = template.get("variables").and_then(Value::as_object);
    variables::resolve(&ctx, declared.unwrap_or(&Map::new()))?;
    let planned = plan(rt, &template, &mut ctx, group)?;

    // Preflight, as ARM asks each resource provider to validate its
    // resources before deploying any: the planned commands run on a copy of
    // the lab first, so a resource the engine refuses (an unknown SKU, a
    // rule) refuses the whole deployment and nothing is created. The
    // outputs are evaluated there too (`reference()` reads the resources
    // made), so a bad output refuses the deployment before it changes
    // anything, not after.
    let mut preflight = rt.lab().clone();
    for p in &planned {
        preflight
            .execute(p.command.clone())
            .map_err(Failure::Refused)?;
    }
    let outputs = outputs(&template, ctx.with_lab(&preflight))?;

    let mut output = Vec::with_capacity(planned.len());
    for p in planned {
        rt.execute(p.command).map_err(Failure::Refused)?;
        output.push(p.listed);
    }
    Ok(Deployed {
        resource_ids: output
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect(),
        outputs: (!outputs.is_empty()).then_some(outputs),
    })
}

/// Parameters: the values given, else `defaultValue`; then `allowedValues`.
fn resolve_parameters(
    template: &Value,
    given: &BTreeMap<String, String>,
    ctx: &mut Context,
) -> Result<(), Failure> {
    let empty = Map::new();
    let declared = template
        .get("parameters")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if let Some(name) = given.keys().find(|n| !declared.contains_key(*n)) {
        return Err(invalid(
            "$.parameters",
            format!("the parameter '{name}' was given but the template does not declare it"),
        ));
    }
    for (name, spec) in declared {
        let path = format!("$.parameters.{name}");
        let kind = spec
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| "string".into());
        let value = match given.get(name) {
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
                Some(d) => {
                    let path = format!("{path}.defaultValue");
                    ctx.evaluate(&compile(d, &path)?, &path)?
                }
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
    Ok(())
}

/// One resource of the template, compiled, and its copy loop (name, count).
struct Declared {
    path: String,
    node: Node,
    copies: Option<(String, i64)>,
}

/// Every resource, copy loops expanded once, evaluated into its command,
/// in the order `dependsOn` asks for. The copy counts are worked out
/// first, so a template past ARM's cap is refused before any is expanded.
fn plan(
    rt: &Runner,
    template: &Value,
    ctx: &mut Context,
    group: &str,
) -> Result<Vec<Planned>, Failure> {
    let resources = template
        .get("resources")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("$.resources", "the template has no resources array"))?;
    let mut declared = Vec::with_capacity(resources.len());
    let mut total: u64 = 0;
    for (i, resource) in resources.iter().enumerate() {
        let path = format!("$.resources[{i}]");
        let mut resource = resource.clone();
        let copies = match resource.as_object_mut().and_then(|m| m.remove("copy")) {
            None => None,
            Some(copy) => Some(copy_loop(ctx, &copy, &path)?),
        };
        total += copies.as_ref().map_or(1, |(_, count)| *count as u64);
        let node = compile(&resource, &path)?;
        declared.push(Declared { path, node, copies });
    }
    if total > MAX_RESOURCES as u64 {
        return Err(too_many_resources(total));
    }

    let mut planned: Vec<Planned> = Vec::with_capacity(total as usize);
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for d in &declared {
        let copies: Vec<Option<(String, i64)>> = match &d.copies {
            None => vec![None],
            Some((name, count)) => (0..*count).map(|n| Some((name.clone(), n))).collect(),
        };
        for copy in copies {
            ctx.copy = copy;
            let r = ctx.evaluate(&d.node, &d.path)?;
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
            let (name, command, listed) = command_for(rt, &r, &d.path, group, &ctx.subscription)?;
            if by_name
                .insert(name.to_ascii_lowercase(), planned.len())
                .is_some()
            {
                return Err(invalid(
                    &format!("{}.name", d.path),
                    format!("the resource '{name}' is defined more than once in the template"),
                ));
            }
            planned.push(Planned {
                name,
                depends,
                command,
                listed,
            });
        }
    }
    ctx.copy = None;
    in_dependency_order(planned, &by_name)
}

/// A resource's `copy`: its loop name and its count, within ARM's limit.
fn copy_loop(ctx: &Context, copy: &Value, path: &str) -> Result<(String, i64), Failure> {
    let name = copy
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(&format!("{path}.copy.name"), "missing"))?
        .to_string();
    let count_path = format!("{path}.copy.count");
    let count = ctx
        .evaluate(
            &compile(copy.get("count").unwrap_or(&Value::Null), &count_path)?,
            &count_path,
        )?
        .as_i64()
        .ok_or_else(|| invalid(&count_path, "the count must be an integer"))?;
    if !(0..=MAX_COPIES).contains(&count) {
        return Err(invalid(
            &count_path,
            format!("the count must be from 0 to {MAX_COPIES}, not {count}"),
        ));
    }
    Ok((name, count))
}

/// `planned` in the order `dependsOn` asks for (template order otherwise);
/// a circle, or a dependency on a resource the template does not define,
/// refuses the deployment.
fn in_dependency_order(
    planned: Vec<Planned>,
    by_name: &HashMap<String, usize>,
) -> Result<Vec<Planned>, Failure> {
    let deps: Vec<Vec<usize>> = planned
        .iter()
        .map(|p| {
            p.depends
                .iter()
                .filter_map(|d| by_name.get(&d.to_ascii_lowercase()).copied())
                .collect()
        })
        .collect();
    let order = topological(&deps).map_err(|cycle| {
        let mut round: Vec<&str> = cycle.iter().map(|&i| planned[i].name.as_str()).collect();
        round.push(round[0]);
        let id = planned[cycle[0]].listed["id"].as_str().unwrap_or_default();
        invalid(
            "$.resources",
            format!(
                "Circular dependency detected on resource: '{id}' (circular dependency: {})",
                round.join(" → ")
            ),
        )
    })?;
    let mut slots: Vec<Option<Planned>> = planned.into_iter().map(Some).collect();
    let ordered: Vec<Planned> = order
        .into_iter()
        .map(|i| slots[i].take().expect("each once"))
        .collect();
    for p in &ordered {
        if let Some(d) = p
            .depends
            .iter()
            .find(|d| !by_name.contains_key(&d.to_ascii_lowercase()))
        {
            return Err(invalid(
                "$.resources",
                format!(
                    "the resource '{}' depends on '{d}', which is not defined in the template",
                    p.name
                ),
            ));
        }
    }
    Ok(ordered)
}

/// The declared outputs, evaluated in `ctx` (the preflight's lab).
fn outputs(template: &Value, ctx: Context) -> Result<Map<String, Value>, Failure> {
    let mut outputs = Map::new();
    if let Some(declared) = template.get("outputs").and_then(Value::as_object) {
        for (name, spec) in declared {
            let path = format!("$.outputs.{name}");
            let value = spec.get("value").unwrap_or(&Value::Null);
            let value = ctx.evaluate(&compile(value, &path)?, &path)?;
            let kind = spec.get("type").and_then(Value::as_str).unwrap_or("string");
            outputs.insert(name.clone(), json!({ "type": kind, "value": value }));
        }
    }
    Ok(outputs)
}
