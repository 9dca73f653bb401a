//! `Microsoft.Resources/deployments` in a resource group: a template
//! deployment as ARM takes one (`PUT` the deployment with the template
//! inline, `POST …/validate`, `GET` it), run by the console's ARM evaluator
//! (`arm::run_template`: validated whole, preflighted on a copy, then
//! deployed, or nothing changes), so `az deployment group create` against
//! this server does what the console's own command does. Deployments are
//! kept while the server runs.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use snaplab_engine::rest;

use super::arm::Reply;
use super::lab::Served;
use crate::failure::Failure;

/// The template and parameters of a `Deployment` body, or ARM's refusal.
fn read_body(body: &[u8]) -> Result<(String, BTreeMap<String, String>), Reply> {
    let invalid = |message: String| Reply::error(400, "InvalidRequestContent", &message);
    // az sends the template file's text as it is (JSON with comments, after
    // an unquoted key): read as ARM reads it.
    let text = std::str::from_utf8(body)
        .map_err(|_| invalid("The request content is not UTF-8 text.".into()))?;
    let body: Value = crate::arm::jsonc::parse(text).map_err(|e| {
        invalid(format!(
            "The request content was invalid and could not be deserialized: {e}."
        ))
    })?;
    let properties = body
        .get("properties")
        .ok_or_else(|| invalid("The request content has no 'properties'.".into()))?;
    if properties.get("templateLink").is_some() {
        return Err(Reply::error(501, "NotImplemented", "snaplab serve deploys a template given inline ('properties.template'), not a templateLink: it fetches nothing."));
    }
    let template = properties
        .get("template")
        .filter(|t| t.is_object())
        .ok_or_else(|| {
            Reply::error(
                400,
                "InvalidTemplate",
                "Deployment template validation failed: 'The template is missing: give properties.template.'",
            )
        })?;
    let mut parameters = BTreeMap::new();
    if let Some(given) = properties.get("parameters").and_then(Value::as_object) {
        for (name, entry) in given {
            let value = entry.get("value").ok_or_else(|| {
                invalid(format!("The parameter '{name}' has no 'value' (a reference to Key Vault is not served)."))
            })?;
            // The evaluator takes a value as az's name=value text: a string
            // as it is, anything else as JSON.
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parameters.insert(name.clone(), text);
        }
    }
    Ok((template.to_string(), parameters))
}

/// A refused deployment, as ARM answers one.
fn refused(failure: Failure) -> Reply {
    match failure {
        Failure::Refused(e) => Reply::refused(&e),
        Failure::Service {
            status,
            code,
            message,
        } => Reply::error(status, code, &message),
        Failure::Usage(message) | Failure::Error(message) => Reply::error(
            400,
            "InvalidTemplate",
            &format!("Deployment template validation failed: '{message}'"),
        ),
        Failure::Cancelled => Reply::error(400, "InvalidTemplate", "The deployment was cancelled."),
    }
}

/// `PUT …/deployments/{name}`: deploys, and answers the deployment (201,
/// `Succeeded`); `validate`: the same on a copy of the lab, which is
/// dropped. The body as the REST model renders it.
pub fn deploy(
    served: &mut Served,
    sub: &str,
    group: &str,
    name: &str,
    body: &[u8],
    validate_only: bool,
) -> Result<Value, Reply> {
    let (template, parameters) = read_body(body)?;
    let run = |rt: &mut crate::runner::Runner| {
        crate::arm::run_template(rt, group, &template, &parameters)
    };
    let deployed = if validate_only {
        let mut lab = served.lab().clone();
        let locks = crate::runner::Locks::none();
        let mut executed = Vec::new();
        run(&mut crate::runner::Runner::new(
            &mut lab,
            &locks,
            &mut executed,
        ))
    } else {
        served.run_with(run).map_err(|e| Reply::refused(&e))?
    }
    .map_err(refused)?;
    let lab = served.lab();
    let group_name = lab
        .group(sub, group)
        .map_or(group.to_string(), |g| g.name.clone());
    let body = rest::deployment(
        sub,
        &group_name,
        name,
        deployed.resource_ids,
        deployed.outputs,
        lab.now(),
    );
    let body = serde_json::to_value(body).expect("a deployment serialises");
    if !validate_only {
        served.deployments.insert(
            body["id"].as_str().unwrap_or("").to_ascii_lowercase(),
            body.clone(),
        );
    }
    Ok(body)
}

/// `GET …/deployments/{name}`.
pub fn show(served: &Served, id: &str, name: &str) -> Result<Value, Reply> {
    served
        .deployments
        .get(&id.to_ascii_lowercase())
        .cloned()
        .ok_or_else(|| {
            Reply::error(
                404,
                "DeploymentNotFound",
                &format!("Deployment '{name}' could not be found."),
            )
        })
}

/// `DeploymentValidateResult`: the deployment that would be made.
pub fn validated(body: Value) -> Value {
    json!({ "id": body["id"], "name": body["name"], "properties": body["properties"] })
}
